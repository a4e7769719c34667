"""Tests of simvec.keywords.collection and simvec.keywords.topk: reading keyword collections and the all-pairs top-k table."""

from __future__ import annotations

import gzip
import io
import json
import sys

import numpy as np
import pytest

from conftest import data_path
from simvec.keywords.collection import read_collection
from simvec.keywords.topk import AllPairsTopK, all_pairs_topk
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.keywords.methods import similarity_matrix
from simvec.keywords.pair import keyword_similarity
from simvec.keywords.parse import jaccard
from simvec.text.tokenize import normalize_keyword
from simvec.vectors.keyed import KeyedVectors


@pytest.fixture(scope="module")
def kv(glove50):
    """The real GloVe 6B 50d vectors (400,000 words)."""
    return glove50


def _read_kpcrowd():
    path = data_path("keywords", "kpcrowd500n_labeled.jsonl")
    ids, kws, report = read_collection(path, id_field="doc_id", keywords_field="keyphrases")
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            labels[rec["doc_id"]] = rec["category"]
    return ids, kws, report, labels


@pytest.fixture(scope="module")
def kpcrowd():
    return _read_kpcrowd()


@pytest.fixture(scope="module")
def kpcrowd_table(kpcrowd, kv):
    ids, kws, _, _ = kpcrowd
    return all_pairs_topk(ids, kws, kv, k=10, method="mean")


@pytest.fixture
def toy():
    vecs = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0, 0, 1]], np.float32)
    return KeyedVectors(vecs, ["cat", "kitten", "car", "truck", "tree"])


# ------------------------------------------------------------------------------ reading


def test_read_kpcrowd(kpcrowd):
    ids, kws, report, labels = kpcrowd
    assert len(ids) == len(kws) == 500 == report.n_documents
    assert report.skipped == [] and report.format == "jsonl"
    assert ids[0] == "art_and_culture-20880868"
    assert kws[0][:2] == ["concert", "Big announcement"]
    assert len(set(ids)) == 500 and len(set(labels.values())) == 10


def test_read_semeval():
    path = data_path("keywords", "semeval2010_labeled.jsonl")
    ids, kws, report = read_collection(path, id_field="doc_id", keywords_field="keyphrases")
    assert len(ids) == 243 and report.n_skipped == 0
    assert ids[0] == "C-1" and "grid service discovery" in kws[0]
    assert all(isinstance(k, list) and all(isinstance(x, str) for x in k) for k in kws)


def test_read_real_file_with_default_field_names_names_the_problem():
    path = data_path("keywords", "semeval2010_labeled.jsonl")
    with pytest.raises(InputFormatError, match=r"semeval2010_labeled\.jsonl, line 1: .*'id'") as e:
        read_collection(path)
    assert e.value.line == 1 and "doc_id" in str(e.value)


BAD_JSONL = "\n".join(
    [
        '{"id": "d1", "keywords": ["machine learning", "AI"]}',  # 1 ok
        '{"id": "d2", "keywords": ["x"]',  # 2 invalid JSON
        '{"id": "d3"}',  # 3 missing keywords
        '{"id": "d4", "keywords": 5}',  # 4 keywords neither a list nor a string
        "",  # 5 blank: ignored
        '["d5", ["a"]]',  # 6 not an object
        '{"id": "d1", "keywords": ["dup"]}',  # 7 duplicate id
        '{"id": 7, "keywords": []}',  # 8 ok, integer id, empty list
        '{"id": "d9", "keywords": ["a", 3]}',  # 9 non-string keyword
        '{"id": null, "keywords": ["a"]}',  # 10 bad id
        '{"id": "d11", "keywords": ["deep learning"], "other": 1}',  # 11 ok
    ]
)


def test_bad_jsonl_raises_with_file_and_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text(BAD_JSONL, encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"bad\.jsonl, line 2: invalid JSON") as e:
        read_collection(p)
    assert e.value.line == 2 and e.value.path == str(p)
    assert isinstance(e.value, ValueError)


def test_bad_jsonl_skip_reports_lines(tmp_path, caplog):
    p = tmp_path / "bad.jsonl"
    p.write_text(BAD_JSONL, encoding="utf-8")
    ids, kws, report = read_collection(p, on_error="skip")
    assert ids == ["d1", "7", "d11"]
    assert kws == [["machine learning", "AI"], [], ["deep learning"]]
    assert [line for line, _ in report.skipped] == [2, 3, 4, 6, 7, 9, 10]
    reasons = dict(report.skipped)
    assert "invalid JSON" in reasons[2]
    assert "missing field 'keywords'" in reasons[3]
    assert "list of strings or one string of keywords separated by ',' or ';', got int" \
        in reasons[4]
    assert "JSON object" in reasons[6]
    assert "duplicate id 'd1' (first on line 1)" in reasons[7]
    assert "non-strings" in reasons[9]
    assert "'id'" in reasons[10]
    assert "skipped 7 malformed" in caplog.text


def test_jsonl_keywords_as_one_string_are_split_like_similar(tmp_path):
    """ "keywords": "a, b; c" is split as `simvec similar` and keyword_similarity split it."""
    from simvec.keywords.parse import keyword_list

    p = tmp_path / "str.jsonl"
    p.write_text('{"id": "a", "keywords": "machine learning,  neural network; AI"}\n'
                 '{"id": "b", "keywords": ["deep learning"]}\n'
                 '{"id": "c", "keywords": ""}\n', encoding="utf-8")
    ids, kws, report = read_collection(p)
    assert ids == ["a", "b", "c"] and not report.skipped
    assert kws == [["machine learning", "neural network", "AI"], ["deep learning"], []]
    assert [k for k, _ in keyword_list("machine learning,  neural network; AI", "a")] == kws[0]
    ids, kws, _ = read_collection(p, sep=";")
    assert kws[0] == ["machine learning, neural network", "AI"]


def test_jsonl_keyword_strings_rank_like_lists(tmp_path, kpcrowd, kv):
    """The real KPCrowd collection written with "a, b" strings gives the same top-k table."""
    ids, lists, _, _ = kpcrowd
    keep = [i for i, kw in enumerate(lists[:120]) if not any(c in k for k in kw for c in ",;")]
    assert len(keep) >= 100
    p = tmp_path / "kp_str.jsonl"
    p.write_text("".join(json.dumps({"doc_id": ids[i], "keyphrases": ", ".join(lists[i])}) + "\n"
                         for i in keep), encoding="utf-8")
    ids2, lists2, report = read_collection(p, id_field="doc_id", keywords_field="keyphrases")
    assert ids2 == [ids[i] for i in keep] and not report.skipped
    assert lists2 == [[" ".join(k.split()) for k in lists[i]] for i in keep]
    a = all_pairs_topk(ids2, lists2, kv, k=3, method="mean")
    b = all_pairs_topk(ids2, [lists[i] for i in keep], kv, k=3, method="mean")
    np.testing.assert_array_equal(a.index, b.index)
    np.testing.assert_allclose(a.score, b.score, atol=1e-6)


def test_csv_input(tmp_path):
    p = tmp_path / "docs.csv"
    p.write_text(
        "doc,title,tags\n"
        'a,First,"machine learning; neural network, AI"\n'
        "b,Second,football;stadium\n"
        '"c",Third,"deep\n learning"\n'  # quoted cell over two lines
        "\n"  # line 6: blank, ignored
        "d,short\n"  # line 7: too few fields
        ",Empty id,x\n",  # line 8: empty id
        encoding="utf-8",
    )
    with pytest.raises(InputFormatError, match=r"docs\.csv, line 7: 2 fields"):
        read_collection(p, id_field="doc", keywords_field="tags")
    ids, kws, report = read_collection(p, id_field="doc", keywords_field="tags",
                                       on_error="skip")
    assert ids == ["a", "b", "c"]
    assert kws == [["machine learning", "neural network", "AI"], ["football", "stadium"],
                   ["deep learning"]]
    assert report.format == "csv" and [line for line, _ in report.skipped] == [7, 8]
    ids, kws, _ = read_collection(p, id_field="doc", keywords_field="tags", on_error="skip",
                                  sep=";")
    assert kws[0] == ["machine learning", "neural network, AI"]


def test_csv_missing_column_always_raises(tmp_path):
    p = tmp_path / "docs.csv"
    p.write_text("id,tags\na,x\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"line 1: no column 'keywords'.*'tags'"):
        read_collection(p, on_error="skip")


def test_tsv_and_gzip(tmp_path):
    p = tmp_path / "docs.tsv.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write("id\tkeywords\nx\tcat, dog\ny\tcar\n")
    ids, kws, report = read_collection(p)
    assert report.format == "tsv" and ids == ["x", "y"] and kws == [["cat", "dog"], ["car"]]


def test_stdin_and_file_objects(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": "s", "keywords": ["a"]}\n'))
    ids, kws, report = read_collection("-")
    assert ids == ["s"] and report.source == "<stdin>"
    raw = io.BytesIO('\ufeff{"id": "é", "keywords": ["ü"]}\n'.encode("utf-8"))
    ids, kws, _ = read_collection(raw)
    assert ids == ["é"] and kws == [["ü"]]
    ids, kws, report = read_collection(io.StringIO("id,keywords\nq,a;b\n"), format="csv")
    assert kws == [["a", "b"]] and report.format == "csv"


def test_read_errors(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="nope.jsonl"):
        read_collection(tmp_path / "nope.jsonl")
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(SimvecValueError, match="format"):
        read_collection(tmp_path / "x.txt")
    with pytest.raises(SimvecValueError, match="on_error"):
        read_collection(tmp_path / "x.txt", on_error="ignore")
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": "a", "keywords": ["\xff"]}\n')
    with pytest.raises(InputFormatError, match="UTF-8"):
        read_collection(tmp_path / "bin.jsonl")


# ------------------------------------------------------------------------------ all pairs


def _brute_force_topk(s, k):
    """Top k of each row of a full score matrix, itself and NaN excluded, ties by column order."""
    s = np.where(np.isnan(s), -np.inf, s.astype(np.float64))
    np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(s, order, 1)


def test_all_pairs_structure(kpcrowd, kpcrowd_table):
    ids, _, _, _ = kpcrowd
    res = kpcrowd_table
    assert isinstance(res, AllPairsTopK)
    assert res.index.shape == res.score.shape == res.jaccard.shape == (500, 10)
    assert res.no_vector == []
    assert (res.index >= 0).all()
    assert not (res.index == np.arange(500)[:, None]).any()  # itself excluded
    assert all(len(set(row)) == 10 for row in res.index.tolist())  # distinct neighbours
    assert (np.diff(res.score, axis=1) <= 0).all()  # sorted descending
    # measured (mean of keyword vectors, GloVe 6B 50d): best 0.99265, worst of the top 10
    # -0.17970, mean best neighbour 0.94315, the first document's best 0.90681
    assert float(res.score.max()) == pytest.approx(0.992651, abs=1e-5)
    assert float(res.score.min()) == pytest.approx(-0.179704, abs=1e-5)
    assert float(res.score[:, 0].mean()) == pytest.approx(0.943153, abs=1e-5)
    assert float(res.score[0, 0]) == pytest.approx(0.906815, abs=1e-5)
    rows = list(res)
    assert len(rows) == 5000
    assert rows[0][:2] == (ids[0], 1) and rows[9][1] == 10
    doc, rank, other, cos, jac = rows[0]
    assert other == ids[res.index[0, 0]] and cos == pytest.approx(res.score[0, 0])
    assert res.neighbors(ids[0])[0] == (other, cos, jac)


def test_all_pairs_are_the_true_top_k(kpcrowd, kpcrowd_table, kv):
    """Brute force: every document's top 10 of the full matrix, nothing better was missed, and
    the cosines equal keyword_similarity's."""
    ids, kws, _, _ = kpcrowd
    res = kpcrowd_table
    full = similarity_matrix(kws, kv, "mean")
    idx, val = _brute_force_topk(full, 10)
    np.testing.assert_allclose(res.score, val, atol=1e-5)
    rng = np.random.default_rng(0)
    i = rng.choice(500)
    # the pair API gives the same scores: the neighbours found, and 40 other documents
    pair = [keyword_similarity(kws[i], kws[j], kv, method="mean").score for j in res.index[i]]
    np.testing.assert_allclose(res.score[i], pair, atol=1e-5)
    others = rng.choice(np.setdiff1d(np.arange(500), [i]), size=40, replace=False)
    pair = [keyword_similarity(kws[i], kws[j], kv, method="mean").score for j in others]
    np.testing.assert_allclose(full[i, others], pair, atol=1e-5)
    for i in rng.choice(500, size=3, replace=False):
        j = res.index[i, 0]
        assert res.jaccard[i, 0] == pytest.approx(jaccard(kws[i], kws[j]))


@pytest.mark.parametrize("method", [None, "best_match", "hybrid"])
def test_all_pairs_best_match_methods_are_the_true_top_k(kpcrowd, kv, method):
    """The default method (and its relatives) against brute force on the full matrix, on the
    first 120 real KPCrowd documents."""
    ids, kws = kpcrowd[0][:120], kpcrowd[1][:120]
    res = all_pairs_topk(ids, kws, kv, k=5, **({"method": method} if method else {}))
    method = method or "hybrid"
    assert res.method == method and res.no_vector == []
    full = similarity_matrix(kws, kv, method)
    idx, val = _brute_force_topk(full, 5)
    assert np.isfinite(val).all()
    np.testing.assert_allclose(res.score, val, atol=1e-5)
    for i in range(len(ids)):
        got = res.index[i]
        assert i not in got and len(set(got.tolist())) == 5
        np.testing.assert_allclose(res.score[i], full[i, got], atol=1e-5)  # its own scores
        # the same neighbours, but for ties (within 1e-6) at the k-th place
        differ = set(got.tolist()) ^ set(idx[i].tolist())
        assert all(abs(full[i, j] - val[i, -1]) <= 1e-6 for j in differ), (i, differ)
        j = got[0]
        assert res.jaccard[i, 0] == pytest.approx(jaccard(kws[i], kws[j]))


def _jaccard_matrix(kws):
    sets = [{normalize_keyword(k) for k in kw} - {""} for kw in kws]
    n = len(sets)
    m = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            inter = len(sets[i] & sets[j])
            if inter:
                m[i, j] = m[j, i] = inter / len(sets[i] | sets[j])
    return m


def test_cosine_ranks_topics_better_than_jaccard(kpcrowd, kpcrowd_table):
    """The main claim on real data: cosine precision@1 of categories beats Jaccard's."""
    ids, kws, _, labels = kpcrowd
    lab = np.array([labels[d] for d in ids])
    jac = _jaccard_matrix(kws)
    np.fill_diagonal(jac, -1)
    # Jaccard ties (mostly at 0) are scored by their expectation under random tie-breaking
    p_jac = np.mean([np.mean(lab[row == row.max()] == lab[i]) for i, row in enumerate(jac)])
    p_cos = np.mean(lab[kpcrowd_table.index[:, 0]] == lab)
    off = ~np.eye(len(ids), dtype=bool)
    assert np.mean(jac[off] == 0) == pytest.approx(0.786188, abs=1e-6)  # most share no keyword
    assert p_cos > p_jac
    # measured 0.660 (330 of 500) and 0.542; chance is about 0.1 with 10 balanced categories
    assert p_cos == pytest.approx(0.660, abs=1e-3)
    assert p_jac == pytest.approx(0.542, abs=1e-3)


def test_chunking_gives_the_same_table(kpcrowd, kpcrowd_table, kv):
    ids, kws, _, _ = kpcrowd
    small = all_pairs_topk(ids, kws, kv, k=10, chunk_size=7, method="mean")
    np.testing.assert_allclose(small.score, kpcrowd_table.score, atol=1e-6)
    same = small.index == kpcrowd_table.index
    # positions may only differ where two neighbours tie within float rounding
    gaps = np.abs(np.diff(kpcrowd_table.score, axis=1))
    assert same.mean() > 0.99
    for i, r in zip(*np.nonzero(~same)):
        near = [g for g in (gaps[i, r - 1] if r else 1, gaps[i, r] if r < 9 else 1)]
        assert min(near) < 1e-5
    np.testing.assert_array_equal(small.jaccard[same], kpcrowd_table.jaccard[same])


def test_documents_without_vector(toy):
    ids = ["a", "b", "c", "d", "e"]
    lists = [["cat"], ["unicorn", "dragon"], [], "kitten, car", ["truck tree"]]
    calls = []
    res = all_pairs_topk(ids, lists, toy, k=10, chunk_size=2, method="mean",
                         progress=lambda done, total: calls.append((done, total)))
    assert res.no_vector == ["b", "c"]
    assert (res.index[[1, 2]] == -1).all() and np.isnan(res.score[[1, 2]]).all()
    assert not np.isin(res.index, [1, 2]).any()  # nobody's neighbour
    # three documents with vectors: two neighbours each, the rest padded
    assert (res.index[[0, 3, 4], :2] >= 0).all() and (res.index[:, 2:] == -1).all()
    assert res.n_keywords == 6 and res.n_oov_keywords == 2
    assert calls == [(2, 3), (3, 3)]
    assert [r[0] for r in res.rows()] == ["a", "a", "d", "d", "e", "e"]
    assert res.neighbors("b") == []
    # the cosines equal keyword_similarity's mean score
    j = res.index[0, 0]
    mean = keyword_similarity(lists[0], lists[j], toy, method="mean").score
    assert res.score[0, 0] == pytest.approx(mean, abs=1e-6)


@pytest.mark.parametrize("lists", [[[], ["cat"], ["car"], []], [[], [], [], []], [[]] * 4])
def test_empty_documents_anywhere(toy, lists):
    res = all_pairs_topk(list("abcd"), lists, toy, k=2)
    empty = [d for d, kw in zip("abcd", lists) if not kw]
    assert res.no_vector == empty and res.n_keywords == 4 - len(empty)
    assert len(list(res)) == (2 if len(empty) == 2 else 0)


def test_jaccard_optional_and_duplicates(toy):
    res = all_pairs_topk(["x", "y"], [["Cat", "cat", "car"], ["cat"]], toy, k=1,
                         include_jaccard=False)
    assert res.jaccard is None and list(res)[0][4] is None
    res = all_pairs_topk(["x", "y"], [["Cat", "cat", "car"], ["cat"]], toy, k=1)
    assert res.jaccard[0, 0] == pytest.approx(0.5)
    assert res.n_keywords == 3  # "Cat" and "cat" count once


def test_all_pairs_errors(toy):
    with pytest.raises(SimvecValueError, match="method must be one of"):
        all_pairs_topk(["a", "b"], [["cat"], ["car"]], toy, method="max")
    with pytest.raises(SimvecValueError, match="'a' repeats"):
        all_pairs_topk(["a", "a"], [["cat"], ["car"]], toy)
    with pytest.raises(SimvecValueError, match="same length"):
        all_pairs_topk(["a", "b"], [["cat"]], toy)
    with pytest.raises(SimvecValueError, match="k must"):
        all_pairs_topk(["a", "b"], [["cat"], ["car"]], toy, k=0)
    with pytest.raises(SimvecValueError, match="chunk_size"):
        all_pairs_topk(["a", "b"], [["cat"], ["car"]], toy, chunk_size=0)
    with pytest.raises(SimvecValueError, match=r"keyword_lists\[1\] must hold str"):
        all_pairs_topk(["a", "b"], [["cat"], [None]], toy)
    with pytest.raises(SimvecValueError, match="no document"):
        all_pairs_topk(["a", "b"], [["cat"], ["car"]], toy).neighbors("zz")


def test_public_names_and_deprecated_alias():
    import simvec
    from simvec import similarity

    assert simvec.all_pairs_topk is all_pairs_topk
    assert simvec.read_collection is read_collection
    assert "all_pairs_topk" not in similarity.__all__  # vector maths only
    with pytest.warns(DeprecationWarning, match="simvec.keywords.topk"):
        assert similarity.all_pairs_topk is all_pairs_topk


def test_cli_keywords_reads_keyword_strings(tmp_path):
    """`simvec keywords` on a JSONL file whose keywords are "a, b" strings (issue 12 item 12)."""
    from typer.testing import CliRunner

    from simvec.cli.app import app

    vec = data_path("glove", "glove.6B.100d.sample.txt.gz")
    lines = {"s": ('{"id": "x", "keywords": "the, of"}\n{"id": "y", "keywords": "and; to"}\n'
                   '{"id": "z", "keywords": "the"}\n'),
             "l": ('{"id": "x", "keywords": ["the", "of"]}\n{"id": "y", "keywords": ["and", "to"]}\n'
                   '{"id": "z", "keywords": ["the"]}\n')}
    out = {}
    for name, text in lines.items():
        p = tmp_path / f"{name}.jsonl"
        p.write_text(text, encoding="utf-8")
        res = CliRunner().invoke(app, ["keywords", str(p), "-k", "2", "-m", "mean", "-v", str(vec),
                                       "-f", "json", "-q"])
        assert res.exit_code == 0, res.output
        out[name] = json.loads(res.stdout)
    assert out["s"] == out["l"]
    assert out["s"]["documents"] == 3 and out["s"]["skipped_lines"] == []
    top = {r["id"]: (r["neighbor"], round(r["score"], 4)) for r in out["s"]["rows"]
           if r["rank"] == 1}
    assert top == {"x": ("z", 0.9538), "y": ("z", 0.803), "z": ("x", 0.9538)}  # measured
