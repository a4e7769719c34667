"""simvec.classify.datasets: the real IMDB, SST-2, AG News and ChnSentiCorp files, tables, bad input."""

from __future__ import annotations

import io
import json
import logging
import tarfile

import numpy as np
import pytest
from conftest import data_path

from simvec.classify import datasets as D
from simvec.errors import InputFormatError, SimvecError, SimvecFileNotFoundError, SimvecValueError


# ------------------------------------------------------------------------------ package contract
@pytest.mark.fresh_interpreter(
    "import sys, simvec.classify as c; "
    "assert 'simvec.classify.datasets' not in sys.modules; "
    "assert 'sklearn' not in sys.modules; "
    "print(sorted(c.__all__)); c.load_imdb; "
    "assert 'simvec.classify.datasets' in sys.modules")
def test_package_is_lazy_and_exports_its_names(fresh_interpreter):
    assert fresh_interpreter.returncode == 0, fresh_interpreter.stderr
    import simvec.classify as c

    import importlib

    assert set(D.__all__) <= set(c.__all__)
    for name in c.__all__:  # every export resolves to its defining module's object
        module = importlib.import_module(c._LAZY[name])
        assert name in module.__all__
        assert getattr(c, name) is getattr(module, name)


# ------------------------------------------------------------------------------ IMDB
def test_imdb_full_counts_from_the_tar(imdb_labeled):
    s = imdb_labeled
    assert s.sizes == {"train": 25000, "test": 25000}
    assert s.train.class_counts() == {"negative": 12500, "positive": 12500}
    assert s.test.class_counts() == {"negative": 12500, "positive": 12500}
    assert s.train.labels.dtype == np.int64 and s.train.labels.shape == (25000,)
    for split in (s.train, s.test):  # ordered by class (then review id)
        assert (split.labels[:12500] == 0).all() and (split.labels[12500:] == 1).all()
    assert not any("<br />" in t for t in s.train.texts[:2000])
    assert s.train.n_skipped == 0 and s.test.n_skipped == 0


def _imdb_tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in members:
            data = text.encode("utf-8")
            info = tarfile.TarInfo("aclImdb/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_imdb_limit_is_balanced_and_deterministic(tmp_path):
    """limit= keeps the lowest review ids of each class, whatever the archive's member order.

    On a small archive written here: a second pass over the real 28 MB one would take seconds
    (the full real splits are read once, by the session fixture, and checked above)."""
    ids = [7, 2, 11, 5, 3, 10]  # archive order, not id order
    members = [(f"{split}/{pol}/{i}_{2 if pol == 'neg' else 9}.txt", f"{split} {pol} {i}<br />.")
               for split in ("test", "train") for pol in ("pos", "neg") for i in ids]
    members.append(("train/unsup/1_0.txt", "not labelled"))
    path = _imdb_tar(tmp_path / "imdb.tar.gz", members)
    a = D.load_imdb(path, limit=4)
    assert a.sizes == {"train": 4, "test": 4}
    assert a.train.class_counts() == {"negative": 2, "positive": 2}
    assert a.train.texts == ["train neg 2 .", "train neg 3 .", "train pos 2 .", "train pos 3 ."]
    assert a.test.texts == [t.replace("train", "test") for t in a.train.texts]
    assert a.train.labels.tolist() == [0, 0, 1, 1]
    assert "limited to the 2 lowest ids per class" in a.train.notes
    b = D.load_imdb(path, limit=4)
    assert a.train.texts == b.train.texts and np.array_equal(a.train.labels, b.train.labels)
    assert D.load_imdb(path).sizes == {"train": 12, "test": 12}
    with pytest.raises(SimvecValueError, match="limit"):
        D.load_imdb(path, limit=1)


def test_imdb_from_an_unpacked_folder(tmp_path):
    root = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for pol, word in (("neg", "awful"), ("pos", "great")):
            d = root / split / pol
            d.mkdir(parents=True)
            for i in range(3):
                (d / f"{i}_{2 if pol == 'neg' else 9}.txt").write_text(f"{word} film {i}<br />end")
    (root / "train" / "neg" / "3_1.txt").write_text("   ")  # empty review: skipped, counted
    s = D.load_imdb(tmp_path)
    assert s.sizes == {"train": 6, "test": 6}
    assert s.train.n_skipped == 1 and "1 row(s) with an empty text skipped" in s.train.notes
    assert s.train.texts[0] == "awful film 0 end"
    assert list(s.train.labels) == [0, 0, 0, 1, 1, 1]
    assert D.load_imdb(root, limit=2).train.texts == ["awful film 0 end", "great film 0 end"]


# ------------------------------------------------------------------------------ SST-2
def test_sst2_train_and_dev():
    s = D.load_sst2(data_path("sst2"))
    assert s.sizes == {"train": 67349, "dev": 872}
    assert s.dev is s.test and s.test_name == "dev"
    assert s.label_names == ["negative", "positive"]
    assert s.dev.class_counts() == {"negative": 428, "positive": 444}
    assert s.dev.texts[0] == "one long string of cliches ."  # dev's header is label<TAB>content
    assert s.train.texts[0] == "hide new secretions from the parental units"
    assert s.train.labels[0] == 0


# ------------------------------------------------------------------------------ AG News
def test_agnews_stratified_seeded_split():
    path = data_path("ag_news", "test.csv")
    s = D.load_agnews(path)
    assert s.sizes == {"train": 6080, "test": 1520}
    assert s.label_names == ["World", "Sports", "Business", "Sci/Tech"]
    assert set(s.train.class_counts().values()) == {1520}
    assert set(s.test.class_counts().values()) == {380}
    assert "7,600" in s.notes and "seed=0" in s.notes
    again = D.load_agnews(path, seed=0)
    assert again.test.texts == s.test.texts
    other = D.load_agnews(path, seed=1)
    assert other.test.texts != s.test.texts
    # the first row, "3","Fears for T N pension after talks","Unions representing ...": Business
    everything = dict(zip(s.train.texts + s.test.texts, np.concatenate([s.train.labels, s.test.labels])))
    first = [t for t in everything if t.startswith("Fears for T N pension after talks Unions representing")]
    assert len(first) == 1 and everything[first[0]] == 2
    assert not any("\\" in t for t in everything)


# ------------------------------------------------------------------------------ ChnSentiCorp
def test_chnsenticorp_skips_the_empty_review(caplog):
    with caplog.at_level(logging.WARNING, logger="simvec.classify.datasets"):
        s = D.load_chnsenticorp(data_path("zh", "ChnSentiCorp_htl_all.csv"))
    total = len(s.train) + len(s.test)
    assert total == 7765 and s.train.n_skipped == 1  # 7,766 rows, one with an empty review
    assert "1 row(s) with an empty text skipped" in s.notes
    assert any("empty text" in r.getMessage() for r in caplog.records)
    assert len(s.test) == 1553
    pos_share = lambda d: d.labels.mean()  # noqa: E731
    assert abs(pos_share(s.train) - pos_share(s.test)) < 0.005  # stratified
    assert (s.train.labels.sum(), s.test.labels.sum()) == (4258, 1064)  # 68.5 % positive
    assert all(t.strip() for t in s.train.texts + s.test.texts)


# ------------------------------------------------------------------------------ tables
def test_load_table_csv_tsv_jsonl(tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text('id,text,topic\n1,"a, b",sport\n2,c d,news\n3,e,sport\n', encoding="utf-8")
    ds = D.load_table(csv_file, "text", "topic")
    assert ds.texts == ["a, b", "c d", "e"]
    assert ds.label_names == ["news", "sport"] and list(ds.labels) == [1, 0, 1]

    tsv_file = tmp_path / "d.tsv"
    tsv_file.write_text('y\tx\n10\the said "hi\n2\tok\n', encoding="utf-8")
    ds = D.load_table(tsv_file, "x", "y")
    assert ds.texts == ['he said "hi', "ok"]
    assert ds.label_names == ["2", "10"] and list(ds.labels) == [1, 0]  # numeric order

    jl = tmp_path / "d.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in [{"t": "x y", "l": 1}, {"t": "z", "l": 0}]) + "\n")
    ds = D.load_table(jl, "t", "l")
    assert ds.texts == ["x y", "z"] and list(ds.labels) == [1, 0] and ds.label_names == ["0", "1"]


def test_load_dataset_dispatches(tmp_path):
    f = tmp_path / "reviews.csv"
    rows = [f"{'good' if i % 2 else 'bad'} text {i},{i % 2}" for i in range(20)]
    f.write_text("text,label\n" + "\n".join(rows) + "\n")
    s = D.load_dataset(f)
    assert s.sizes == {"train": 16, "test": 4} and s.name == "reviews.csv"
    assert s.test.class_counts() == {"0": 2, "1": 2}
    s = D.load_dataset("AGNews", path=data_path("ag_news", "test.csv"))
    assert s.sizes == {"train": 6080, "test": 1520}


# ------------------------------------------------------------------------------ bad input
def test_missing_paths_raise_and_name_the_path(tmp_path):
    gone = tmp_path / "nope.csv"
    for call in (lambda: D.load_imdb(gone), lambda: D.load_sst2(gone), lambda: D.load_agnews(gone),
                 lambda: D.load_chnsenticorp(gone), lambda: D.load_table(gone, "text", "label"),
                 lambda: D.load_dataset(gone)):
        with pytest.raises(SimvecFileNotFoundError, match="nope.csv") as exc:
            call()
        assert isinstance(exc.value, FileNotFoundError) and isinstance(exc.value, SimvecError)
    with pytest.raises(SimvecFileNotFoundError, match="imdb"):  # lists the known names
        D.load_dataset("no-such-set")


def test_csv_without_the_named_columns_lists_its_columns(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("review,stars\nfine,5\n")
    with pytest.raises(InputFormatError) as exc:
        D.load_table(f, "text", "stars")
    msg = str(exc.value)
    assert "'text'" in msg and "['review', 'stars']" in msg and "d.csv, line 1" in msg
    assert exc.value.line == 1
    jl = tmp_path / "d.jsonl"
    jl.write_text('{"text": "a", "label": 1}\n{"txt": "b", "label": 0}\n')
    with pytest.raises(InputFormatError, match=r"line 2.*\['label', 'txt'\]"):
        D.load_table(jl, "text", "label")
    bad = tmp_path / "e.jsonl"
    bad.write_text('{"text": "a", "label": 1}\n{not json\n')
    with pytest.raises(InputFormatError, match="e.jsonl, line 2"):
        D.load_table(bad, "text", "label")


def test_empty_texts_are_reported_skipped_and_counted(tmp_path, caplog):
    f = tmp_path / "d.csv"
    f.write_text("text,label\nok,a\n,b\n   ,a\nfine,b\n")
    with caplog.at_level(logging.WARNING, logger="simvec.classify.datasets"):
        ds = D.load_table(f, "text", "label")
    assert ds.texts == ["ok", "fine"] and list(ds.labels) == [0, 1]
    assert ds.n_skipped == 2 and "2 row(s) with an empty text skipped" in ds.notes
    assert any("skipped 2 row(s)" in r.getMessage() for r in caplog.records)


def test_single_class_training_data_is_refused(tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("text,label\n" + "".join(f"t{i},pos\n" for i in range(10)))
    with pytest.raises(SimvecValueError, match="1 class.*'pos'.*at least two"):
        D.load_dataset(f)
    two = D.TextDataset(["a", "b"], [0, 0], ["neg", "pos"])
    with pytest.raises(SimvecValueError, match="at least two"):
        D.DatasetSplits(two, two)
    with pytest.raises(SimvecValueError, match="lie in"):
        D.TextDataset(["a"], [2], ["neg", "pos"])


def test_sample_train_is_stratified_seeded_and_noted():
    from simvec.classify.splits import DatasetSplits, TextDataset, subsample

    labels = [0] * 60 + [1] * 30 + [2] * 10
    ds = TextDataset([f"text {i}" for i in range(100)], labels, ["a", "b", "c"], source="t")
    sp = DatasetSplits(ds, ds, name="t")
    small = sp.sample_train(20, seed=3)
    assert len(small.train) == 20 and len(small.test) == 100
    assert small.train.class_counts() == {"a": 12, "b": 6, "c": 2}
    assert "a stratified sample of 20 of 100 (seed=3)" in small.notes
    assert small.train.texts == sp.sample_train(20, seed=3).train.texts
    assert small.train.texts != sp.sample_train(20, seed=4).train.texts
    assert sp.sample_train(500).train is ds  # n >= len: unchanged
    with pytest.raises(SimvecValueError, match="at least 3"):
        subsample(ds, 2)
