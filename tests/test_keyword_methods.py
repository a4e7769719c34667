"""Keyword-list similarity methods over a collection: the registry of simvec.keywords.methods."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import importorskip
from simvec.errors import SimvecValueError
from simvec.kernels.best_match import BestMatch
from simvec.keywords.methods import (
    COMPARED_BY_DEFAULT, DEFAULT_METHOD, METHOD_NAMES, METHODS, PAIR_METHODS, PHRASE_METHODS,
    MethodParams, method_blocks, method_info, similarity_matrix,
)
from simvec.keywords.pair import keyword_similarity
from simvec.keywords.parse import parse_collection
from simvec.keywords.topk import all_pairs_topk, topk_blocks
from simvec.keywords.weighting import sif_weights
from simvec.vectors.keyed import KeyedVectors


@pytest.fixture
def toy():
    vecs = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.2], [0, 0, 1], [2, 0, 0]],
                    dtype=np.float32)
    return KeyedVectors(vecs, ["cat", "kitten", "car", "truck", "tree", "big"])


LISTS = [["big cat", "car"], ["kitten"], ["truck", "tree"], ["unicorn"], []]


def _unit(x):
    x = np.asarray(x, float)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_registry_is_the_one_list():
    assert DEFAULT_METHOD == "hybrid" and DEFAULT_METHOD in METHODS
    assert METHOD_NAMES == tuple(METHODS) == (
        "jaccard_phrases", "jaccard_tokens", "mean", "joined", "idf_mean", "sif",
        "best_match", "sif_best_match", "soft_cosine", "hybrid", "wmd", "lexical_first", "usif")
    assert set(PAIR_METHODS) | {"idf_mean"} == set(METHODS)  # idf_mean needs a collection
    assert PHRASE_METHODS == ("jaccard_tokens", "mean", "sif", "sif_best_match", "hybrid",
                              "usif")
    assert set(COMPARED_BY_DEFAULT) <= set(METHODS)
    for name, m in METHODS.items():
        assert m.name == name and method_info(name) == m.description
        assert m.needs_vectors == (not name.startswith("jaccard"))
    assert "Sidorov" in method_info("soft_cosine")


def test_cli_help_lists_the_registry():
    from typer.testing import CliRunner

    from simvec.cli.app import app

    out = CliRunner().invoke(app, ["evaluate-keywords", "--help"], terminal_width=400).output
    for name in METHOD_NAMES:
        assert name in out


def test_deprecated_paths_warn_and_forward(toy):
    import importlib
    import sys

    from simvec import similarity

    for old, name, new in [("simvec.keyword_methods", "similarity_matrix", similarity_matrix),
                           ("simvec.collection", "all_pairs_topk", all_pairs_topk)]:
        sys.modules.pop(old, None)
        with pytest.warns(DeprecationWarning, match=old):
            mod = importlib.import_module(old)
        assert getattr(mod, name) is new
    with pytest.warns(DeprecationWarning, match="simvec.similarity.keyword_similarity"):
        assert similarity.keyword_similarity is keyword_similarity
    with pytest.warns(DeprecationWarning):
        assert tuple(similarity.METHODS) == PAIR_METHODS
    with pytest.warns(DeprecationWarning, match="not all cosines"):
        res = all_pairs_topk(list("abcde"), LISTS, toy, k=2)
        assert res.cosine is res.score


def test_jaccard_methods(toy):
    s = similarity_matrix([["Deep Learning"], ["machine learning", "deep  learning"], []],
                          method="jaccard_phrases")
    np.testing.assert_allclose(s, [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 0]])
    t = similarity_matrix([["Deep Learning"], ["machine learning"]], method="jaccard_tokens")
    assert t[0, 1] == pytest.approx(1 / 3)  # {deep, learning} vs {machine, learning}


def test_sif_best_match_by_hand(toy):
    w = sif_weights(len(toy))
    s = similarity_matrix(LISTS, toy, "sif_best_match")  # the default's alignment part
    # doc 0 tokens: big, cat, car; doc 2 tokens: truck, tree
    a_rows, b_rows = [5, 0, 2], [3, 4]
    g = _unit(toy.vectors[a_rows]) @ _unit(toy.vectors[b_rows]).T
    a = (w[a_rows] * g.max(axis=1)).sum() / w[a_rows].sum()
    b = (w[b_rows] * g.max(axis=0)).sum() / w[b_rows].sum()
    assert s[0, 2] == pytest.approx((a + b) / 2, abs=1e-6)
    np.testing.assert_allclose(s, s.T, equal_nan=True)
    assert np.isnan(s[3]).all() and np.isnan(s[:, 4]).all()  # no vector: NaN, not 0
    assert s[1, 1] == pytest.approx(1.0)


def test_mean_and_best_match_equal_pair_api(toy):
    for method in ("mean", "best_match", "sif_best_match", "soft_cosine", "hybrid"):
        s = similarity_matrix(LISTS[:3], toy, method)
        for i, j in [(0, 1), (0, 2), (1, 2)]:
            r = keyword_similarity(LISTS[i], LISTS[j], toy, method=method)
            assert r.score == pytest.approx(float(s[i, j]), abs=1e-5), method


def test_idf_and_sif_by_hand(toy):
    lists = [["cat", "car"], ["cat"], ["tree"]]
    s = similarity_matrix(lists, toy, "idf_mean")
    idf_cat, idf_car = np.log(4 / 3) + 1, np.log(4 / 2) + 1
    v0 = (idf_cat * toy["cat"] + idf_car * toy["car"]) / (idf_cat + idf_car)
    assert s[0, 1] == pytest.approx(_unit(v0) @ _unit(toy["cat"]), abs=1e-6)
    w = sif_weights(len(toy))
    lists = [["cat", "car"], ["cat"], ["tree", "car"], ["kitten", "truck"]]
    docs = np.stack([(w[0] * toy["cat"] + w[2] * toy["car"]) / 2, w[0] * toy["cat"],
                     (w[4] * toy["tree"] + w[2] * toy["car"]) / 2,
                     (w[1] * toy["kitten"] + w[3] * toy["truck"]) / 2]).astype(float)
    pc = np.linalg.svd(docs, full_matrices=False)[2][0]
    d = docs - np.outer(docs @ pc, pc)
    expected = _unit(d) @ _unit(d).T
    np.testing.assert_allclose(similarity_matrix(lists, toy, "sif"), expected, atol=1e-5)
    no_pc = similarity_matrix(lists, toy, "sif", remove_pc=False)
    np.testing.assert_allclose(no_pc, _unit(docs) @ _unit(docs).T, atol=1e-5)


def test_soft_cosine_reduces_to_cosine_for_orthogonal_words(toy):
    # cat, car, tree are orthogonal: S is the identity on them, soft cosine = cosine of weights
    w = sif_weights(len(toy))
    s = similarity_matrix([["cat", "car"], ["cat", "tree"]], toy, "soft_cosine")
    x, y = np.array([w[0], w[2], 0]), np.array([w[0], 0, w[4]])
    assert s[0, 1] == pytest.approx(_unit(x) @ _unit(y), abs=1e-5)


def test_wmd_by_hand(toy):
    importorskip("ot")
    s = similarity_matrix([["cat"], ["kitten"], ["cat", "car"]], toy, "wmd")
    d01 = np.linalg.norm(toy["cat"] - toy["kitten"])
    assert s[0, 1] == pytest.approx(1 / (1 + d01), abs=1e-5)
    # half the mass of doc 2 (car) moves to cat at distance |car - cat|
    d02 = 0.5 * np.linalg.norm(toy["car"] - toy["cat"])
    assert s[0, 2] == pytest.approx(1 / (1 + d02), abs=1e-5)


def test_blocked_best_match_matches_small_budget(toy, monkeypatch):
    rng = np.random.default_rng(0)
    words = toy.index_to_key
    lists = [list(rng.choice(words, size=rng.integers(1, 5))) for _ in range(40)]
    full = similarity_matrix(lists, toy, "sif_best_match")
    # the default path gathers from a Gram matrix of the distinct tokens; force the sgemm
    # blocks, with many column chunks
    monkeypatch.setattr(BestMatch, "_GRAM_MAX", 0)
    monkeypatch.setattr(BestMatch, "_BUDGET", 7)
    chunked = similarity_matrix(lists, toy, "sif_best_match")
    np.testing.assert_allclose(chunked, full, atol=1e-6)
    # and both equal the pair API
    r = keyword_similarity(lists[0], lists[1], toy, method="sif_best_match")
    assert r.score == pytest.approx(float(full[0, 1]), abs=1e-6)


def test_topk_driver_and_all_pairs_default(toy):
    ids = list("abcde")
    for method in ("sif_best_match", "hybrid", "sif", "jaccard_tokens", "mean", "best_match"):
        scorer = method_blocks(parse_collection(LISTS, toy), method, MethodParams())
        index, score, valid = topk_blocks(scorer, k=3)
        s = similarity_matrix(LISTS, toy, method)
        for i in np.flatnonzero(valid):
            row = np.where(np.isnan(s[i]), -np.inf, s[i])
            row[i] = -np.inf
            got = index[i][index[i] >= 0]
            np.testing.assert_allclose(score[i, :len(got)], row[got], atol=1e-6)
            assert score[i, 0] == pytest.approx(np.max(row), abs=1e-6)
    res = all_pairs_topk(ids, LISTS, toy, k=2)
    assert res.method == "hybrid" and res.no_vector == ["d", "e"]
    assert res.index[0, 0] == 1  # big cat / car -> kitten
    assert res.jaccard[0, 0] == 0.0 and res.n_oov_keywords == 1


def test_errors(toy):
    with pytest.raises(SimvecValueError, match="method must be one of"):
        similarity_matrix(LISTS, toy, "cosine")
    with pytest.raises(SimvecValueError, match="needs word vectors"):
        similarity_matrix(LISTS, None, "mean")
    with pytest.raises(SimvecValueError, match="alpha"):
        similarity_matrix(LISTS, toy, "hybrid", alpha=2)
    with pytest.raises(SimvecValueError, match="needs IDF from a collection"):
        keyword_similarity(["cat"], ["car"], toy, method="idf_mean")
    with pytest.raises(SimvecValueError, match="hold str"):
        similarity_matrix([["cat"], [3]], toy)
    with pytest.raises(SimvecValueError, match="word_probabilities"):
        similarity_matrix(LISTS, toy, word_probabilities=[0.5, 0.5])


def test_pair_api_jaccard_with_all_oov(toy):
    r = keyword_similarity(["unicorn"], ["Unicorn", "dragon"], toy, method="jaccard_phrases")
    assert r.score == pytest.approx(0.5) and r.oov_a == ["unicorn"]
    r = keyword_similarity(["unicorn"], ["dragon"], toy)
    assert r.score is None and "vocabulary" in r.reason


def test_cli_similar_and_keywords_use_the_default(glove50, tmp_path):
    import csv
    import json

    from typer.testing import CliRunner

    from simvec.cli.app import app

    runner = CliRunner()
    res = runner.invoke(app, ["similar", "machine learning, neural network",
                              "deep learning, artificial intelligence", "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    expected = keyword_similarity("machine learning, neural network",
                                  "deep learning, artificial intelligence", glove50)
    assert out["method"] == DEFAULT_METHOD and out["score"] == pytest.approx(expected.score)
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"id": "ml", "keywords": ["machine learning", "neural network"]}\n'
                    '{"id": "ai", "keywords": ["deep learning", "artificial intelligence"]}\n'
                    '{"id": "sport", "keywords": ["football", "stadium"]}\n')
    res = runner.invoke(app, ["keywords", str(docs), "-k", "1", "-q"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in csv.DictReader(res.stdout.splitlines())}
    assert rows["ml"]["neighbor"] == "ai"
    assert float(rows["ml"]["score"]) == pytest.approx(expected.score, abs=1e-5)
