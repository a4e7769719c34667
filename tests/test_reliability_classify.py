"""Reliability of classification (issue 16, defect 15): tiny classes, damaged tables, the run
folder checked before training, damaged run folders refused by file, label spellings."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("simvec.keras.layers")  # sets KERAS_BACKEND=torch if unset
pytest.importorskip("sklearn")

from simvec._util import OutputPathError  # noqa: E402
from simvec.classify.classifier import Classifier, train_classifier  # noqa: E402
from simvec.classify.datasets import load_dataset, load_table  # noqa: E402
from simvec.classify.splits import TextDataset, split_dataset  # noqa: E402
from simvec.errors import InputFormatError, SimvecValueError  # noqa: E402

FAST = dict(threads=1, batch_size=16, max_sequence_length=16, embedding_dim=8, verbose=0)
TINY3 = "text,label\ngood film,a\ngreat film,a\nbad film,b\nawful film,b\nok film,c\nfine film,c\n"


# ----------------------------------------------------------------- splits
def test_three_classes_of_two_texts_split_one_each_side(tmp_path):
    p = tmp_path / "tiny3.csv"
    p.write_text(TINY3)
    s = load_dataset(p)
    assert len(s.train) == 3 and len(s.test) == 3
    assert sorted(s.train.labels.tolist()) == [0, 1, 2] == sorted(s.test.labels.tolist())


def test_split_sizes_unchanged_for_ordinary_data():
    ds = TextDataset([f"t{i}" for i in range(100)], [i % 2 for i in range(100)], ["a", "b"])
    s = split_dataset(ds, 0.2, seed=0)
    assert (len(s.train), len(s.test)) == (80, 20)


@pytest.mark.parametrize("bad", [0, 1, -0.5, 1.5, True])
def test_split_refuses_bad_test_size(bad):
    ds = TextDataset(["a", "b", "c", "d"], [0, 0, 1, 1], ["x", "y"])
    with pytest.raises(SimvecValueError, match="test_size must be a fraction"):
        split_dataset(ds, bad)


# ----------------------------------------------------------------- tables
@pytest.mark.parametrize("name,body,line,pattern", [
    ("latin1.csv", b"text,label\ngood,a\ncaf\xe9,b\n", 3, "invalid UTF-8 at byte 3"),
    ("latin1.jsonl", b'{"text": "ok", "label": "a"}\n{"text": "caf\xe9", "label": "a"}\n', 2,
     "invalid UTF-8"),
    ("deep.jsonl", b'{"text": "a", "label": 1}\n{"text": ' + b"[" * 100000 + b"]" * 100000
     + b', "label": 1}\n', 2, "nested too deeply"),
    ("int.jsonl", b'{"text": 5, "label": "a"}\n', 1, r"the text \('text'\) is a JSON int"),
    ("list.jsonl", b'{"text": ["a"], "label": "a"}\n', 1, "is a JSON list"),
    ("bool-label.jsonl", b'{"text": "a", "label": true}\n', 1, "not a string or a number"),
    ("nan-label.jsonl", b'{"text": "a", "label": NaN}\n', 1, "not a finite number"),
    ("digits.jsonl", b'{"text": "a", "label": ' + b"9" * 5000 + b"}\n", 1, "invalid JSON"),
    ("short.csv", b"text,label\na\n", 2, "1 field"),
    ("nul.csv", b"text,label\n\"a\x00b\",c\n", 2, ""),
])
def test_damaged_table_names_file_and_line(tmp_path, name, body, line, pattern):
    p = tmp_path / name
    p.write_bytes(body)
    try:
        load_table(p, "text", "label")
    except InputFormatError as exc:
        assert exc.path == str(p) and exc.line == line, str(exc)
        assert pattern in str(exc) or __import__("re").search(pattern, str(exc))
    else:
        assert name == "nul.csv"  # a NUL inside a quoted field is just a character


def test_truncated_gz_table(tmp_path):
    p = tmp_path / "t.csv.gz"
    blob = gzip.compress(("text,label\n" + "".join(f"film {i},a\n" for i in range(5000))).encode())
    p.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(InputFormatError, match="truncated") as ei:
        load_table(p, "text", "label")
    assert ei.value.path == str(p)


def test_huge_cell_is_read(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text('text,label\n"' + "word " * 60000 + '",a\nshort,b\n')
    ds = load_table(p, "text", "label")
    assert len(ds.texts[0]) == 300000 and ds.label_names == ["a", "b"]


def test_json_labels_1_and_1_0_are_one_class(tmp_path):
    p = tmp_path / "l.jsonl"
    p.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": 1.0}\n'
                 '{"text": "c", "label": 2}\n{"text": "d", "label": 2.5}\n')
    ds = load_table(p, "text", "label")
    assert ds.label_names == ["1", "2", "2.5"] and ds.labels.tolist() == [0, 0, 1, 2]


def test_csv_labels_1_and_1_0_are_refused(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("text,label\na,1\nb,1.0\nc,2\n")
    with pytest.raises(InputFormatError, match="labels '1' and '1.0' are the same number") as ei:
        load_table(p, "text", "label")
    assert ei.value.path == str(p)


def test_null_text_is_skipped_as_empty(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text('{"text": null, "label": "a"}\n{"text": "x", "label": "a"}\n')
    ds = load_table(p, "text", "label")
    assert ds.texts == ["x"] and ds.n_skipped == 1


# ----------------------------------------------------------------- run folders
def test_run_folder_is_checked_before_training(tmp_path, monkeypatch):
    import simvec.classify.classifier as C

    monkeypatch.setattr(C, "build_model", lambda *a, **k: pytest.fail("training started"))
    p = tmp_path / "tiny3.csv"
    p.write_text(TINY3)
    with pytest.raises(OutputPathError, match="run_dir .*tiny3.csv: this is a file"):
        train_classifier(load_dataset(p), run_dir=p, **FAST)
    with pytest.raises(OutputPathError, match="cannot write in folder /proc"):
        train_classifier(load_dataset(p), run_dir="/proc/run", **FAST)


def test_cli_classify_train_checks_the_run_folder_first(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import simvec.classify.classifier as C
    from simvec.cli.app import app

    monkeypatch.setattr(C, "train_classifier", lambda *a, **k: pytest.fail("training started"))
    p = tmp_path / "tiny3.csv"
    p.write_text(TINY3)
    r = CliRunner().invoke(app, ["classify", "train", "--data", str(p), "-o", str(p)])
    assert r.exit_code == 2 and r.output == (
        f"simvec: error: -o {p}: this is a file, not a folder; name a folder\n")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("cls")
    p = d / "tiny3.csv"
    p.write_text(TINY3)
    clf = train_classifier(load_dataset(p), epochs=1, run_dir=d / "run", **FAST)
    return clf, d / "run"


@pytest.fixture(scope="module")
def run(trained):
    return trained[1]


def test_tiny_classes_train_end_to_end(trained):
    clf, _ = trained  # 3 classes of 2 texts: 3 train (2 fit + 1 validation), 3 test
    assert clf.label_names == ["a", "b", "c"] and clf.report["sizes"]["train"] == 2
    assert clf.report["sizes"]["validation"] == 1 and clf.report["test"]["n"] == 3
    assert clf.predict_proba(["good film"]).shape == (1, 3)


def _copy_run(run, dest):
    dest.mkdir()
    for f in run.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def _edit_json(path, fn):
    d = json.loads(path.read_text())
    fn(d)
    path.write_text(json.dumps(d))


DAMAGE = {
    "classifier-garbage": ("classifier.json", lambda p: p.write_bytes(b"\x00\xff{"), "not valid JSON"),
    "classifier-list": ("classifier.json", lambda p: p.write_text("[]"), "a 'config' object"),
    "classifier-unknown-key": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d["config"].update(bogus=1)), "bogus"),
    "classifier-bad-recipe": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d["config"].update(recipe="nope")), "recipe"),
    "classifier-labels": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d.update(label_names=["a", "a", "b"])), "label_names must be"),
    "classifier-seq-len": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d.update(sequence_length=-1)), "sequence_length must be"),
    # found by the long run-folder fuzz: predict padded 2 texts to 10**9 ids (7.45 GiB, then
    # MemoryError or the OOM killer); sequence_length must be the one the config allowed
    "classifier-seq-len-huge": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d.update(sequence_length=10**9)),
        r"sequence_length 1000000000 disagrees with the config it was chosen under "
        r"\(sequence_length None, max_sequence_length 16\)"),
    "classifier-seq-len-fixed": ("classifier.json", lambda p: _edit_json(
        p, lambda d: d["config"].update(sequence_length=3)),
        r"sequence_length \d+ disagrees .* \(sequence_length 3, max_sequence_length 16\)"),
    "classifier-labels-mixed": ("model.keras", lambda p: _edit_json(
        p.parent / "classifier.json", lambda d: d.update(label_names=["a", "b"])),
        "the model has 3 outputs but classifier.json names 2"),
    "vectorizer-garbage": ("vectorizer.json", lambda p: p.write_text("{"), "not a valid vectorizer"),
    "vectorizer-empty-object": ("vectorizer.json", lambda p: p.write_text("{}"),
                                "not a valid vectorizer"),
    "model-truncated": ("model.keras", lambda p: p.write_bytes(p.read_bytes()[:500]),
                        "cannot load the Keras model"),
    "model-empty": ("model.keras", lambda p: p.write_bytes(b""), "cannot load the Keras model"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_run_folder_is_refused_naming_the_file(run, tmp_path, name):
    file, how, pattern = DAMAGE[name]
    d = _copy_run(run, tmp_path / "run")
    how(d / file)
    with pytest.raises(InputFormatError, match=pattern) as ei:
        Classifier.load(d)
    assert ei.value.path == str(d / file)


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff"])
def test_damaged_report_does_not_stop_predictions(run, tmp_path, caplog, body):
    d = _copy_run(run, tmp_path / "run")
    (d / "report.json").write_bytes(body)
    clf = Classifier.load(d)
    assert clf.report == {} and "ignoring the run's report" in caplog.text
    p = clf.predict_proba(["good film"])
    assert p.shape == (1, 3) and np.isclose(p.sum(), 1, atol=1e-5)


def test_missing_run_file_is_named(run, tmp_path):
    d = _copy_run(run, tmp_path / "run")
    os.unlink(d / "vectorizer.json")
    with pytest.raises(FileNotFoundError, match="vectorizer.json is missing"):
        Classifier.load(d)
