"""The ``lexical_first`` keyword method: token Jaccard first, sif_best_match to order its ties."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.eval.retrieval import evaluate_keyword_retrieval, read_labeled_collection
from simvec.keywords.methods import METHODS, PAIR_METHODS, similarity_matrix
from simvec.keywords.pair import keyword_similarity
from simvec.keywords.scorers import LEXICAL_FIRST_MIN_SCALE, lexical_first_scale
from simvec.keywords.topk import all_pairs_topk, rank_collection
from simvec.vectors.keyed import KeyedVectors
from conftest import data_path

L = LEXICAL_FIRST_MIN_SCALE


@pytest.fixture(scope="module")
def toy():
    # kitten ~ cat, truck ~ car, "the" and "zebra" far from both
    words = ["the", "cat", "kitten", "car", "truck", "zebra", "tree"]
    vecs = np.array([[0, 0, 1], [1, 0, 0], [0.95, 0.05, 0], [0, 1, 0], [0.05, 0.95, 0],
                     [0.1, 0.1, 0.9], [0.6, 0.6, 0.2]], np.float32)
    return KeyedVectors(vecs, words)


def test_registry_record():
    m = METHODS["lexical_first"]
    assert m.needs_vectors and not m.needs_collection and m.blocks is not None
    assert "lexical_first" in PAIR_METHODS and "no mixing weight" in m.description


def test_scale():
    assert lexical_first_scale([]) == L == 2.0 ** 21
    assert lexical_first_scale([set(range(512)), {1}]) == 2.0 ** 21  # 2 (2 * 512)^2 = 2^21
    assert lexical_first_scale([set(range(513))]) == 2.0 ** 22
    assert lexical_first_scale([set(range(5000))]) == 2.0 ** 28  # 2^27 < 2 * 10^8 <= 2^28


def test_jaccard_decides_and_sif_best_match_orders_its_ties(toy):
    lists = [["cat", "car"],        # 0: the query
             ["zebra", "car"],      # 1: shares "car" (J = 1/3), otherwise far
             ["kitten", "truck"],   # 2: shares nothing, but close in meaning
             ["tree", "the"],       # 3: shares nothing, far
             ["cat", "zebra"]]      # 4: shares "cat" (J = 1/3), equal Jaccard to 1
    s = similarity_matrix(lists, toy, "lexical_first")
    sbm = similarity_matrix(lists, toy, "sif_best_match")
    sets = [set(x) for x in lists]
    jac = np.array([[len(a & b) / len(a | b) for b in sets] for a in sets])  # exact, float64
    assert s.dtype == np.float64
    np.testing.assert_allclose(s, s.T)
    # the key: L * J + (1 + S) / 2, with J exact (float32 Jaccard times L would be off by 0.02)
    np.testing.assert_allclose(s, L * jac + (1 + sbm.astype(np.float64)) / 2, rtol=0, atol=1e-6)
    j32 = similarity_matrix(lists, method="jaccard_tokens").astype(np.float64)
    assert np.abs(L * j32 - L * jac).max() > 1e-3
    row = s[0, 1:]
    # sif_best_match prefers doc 2 (synonyms); lexical_first puts the shared words first
    assert np.argmax(sbm[0, 1:]) == 1 and np.argmax(row) in (0, 3)
    assert min(row[0], row[3]) > max(row[1], row[2])
    # equal Jaccard (docs 1 and 4): ordered as sif_best_match orders them
    assert (row[0] > row[3]) == (sbm[0, 1] > sbm[0, 4])
    # no shared token (docs 2 and 3): ordered by sif_best_match too
    assert row[1] > row[2] and sbm[0, 2] > sbm[0, 3]
    assert s[0, 1] / L == pytest.approx(1 / 3, abs=1 / L)  # score / L is the Jaccard


def test_close_jaccard_values_never_swap(toy):
    # J = 100/300 against 99/298 (differ by 2.2e-5), with the semantic side against the larger
    words = [f"w{i}" for i in range(400)]
    rng = np.random.default_rng(0)
    kv = KeyedVectors(rng.standard_normal((400, 8)).astype(np.float32), words)
    q = words[:200]
    a = words[100:300]                      # shares 100 of a 300-token union
    b = words[101:300]                      # shares 99 of a 299-token union
    far = words[300:]                       # no overlap
    s = similarity_matrix([q, a, b, far], kv, "lexical_first")
    jac = np.array([100 / 300, 99 / 299])
    assert jac[0] > jac[1] and s[0, 1] > s[0, 2] > s[0, 3]
    assert (s[0, 1] - s[0, 2]) > 1  # the Jaccard gap outweighs any tie-break (at most 1)


def test_pair_api_matches_the_collection(toy):
    lists = [["cat", "car"], ["kitten", "truck"], ["zebra", "car"]]
    s = similarity_matrix(lists, toy, "lexical_first")
    r = keyword_similarity(lists[0], lists[1], toy, method="lexical_first")
    assert r.score == pytest.approx(s[0, 1], abs=1e-6)
    assert r.score < L / 3  # no shared token: below any pair that shares one
    r = keyword_similarity(["cat", "car"], ["unicorn"], toy, method="lexical_first")
    assert r.score is None and "vocabulary" in r.reason


def test_no_vector_is_nan_and_topk_agrees_with_the_matrix(toy):
    lists = [["cat", "car"], ["kitten"], ["unicorn"], ["car", "tree"], ["cat", "zebra"],
             ["truck"]]
    s = similarity_matrix(lists, toy, "lexical_first")
    assert np.isnan(s[2]).all() and np.isnan(s[:, 2]).all()  # no in-vocabulary token
    res = all_pairs_topk(list("abcdef"), lists, toy, k=3, method="lexical_first")
    assert res.no_vector == ["c"]
    for i in (0, 1, 3, 4, 5):
        row = np.nan_to_num(s[i], nan=-np.inf)
        row[i] = -np.inf
        np.testing.assert_array_equal(res.index[i], np.argsort(-row, kind="stable")[:3])
    q = rank_collection([["cat", "car"]], list("bcdef"), lists[1:], toy, k=2,
                        method="lexical_first")
    assert [o for _, _, o, _, _ in q] == ["d", "e"]  # shared words first: car, then cat


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def semeval():
    return read_labeled_collection(data_path("keywords", "semeval2010_labeled.jsonl"),
                                   "acm_class", id_field="doc_id", keywords_field="keyphrases")


def test_semeval_figures_and_tie_breaking(semeval, glove50):
    ids, kws, labels, _ = semeval
    r = evaluate_keyword_retrieval(ids, kws, labels, glove50,
                                   methods=["jaccard_tokens", "sif_best_match", "lexical_first"])
    lf = r.method("lexical_first")
    # measured: 0.831 (202 of 243) against Jaccard's 0.827 and sif_best_match's 0.872; MAP@10
    # 0.830; the gain over Jaccard is one query and within noise
    assert lf.precision_at_1 == pytest.approx(0.831276, abs=1e-5)
    assert lf.map_at_k == pytest.approx(0.829608, abs=1e-4)
    d = r.difference("lexical_first", "jaccard_tokens").precision_at_1
    assert d.estimate == pytest.approx(0.004115, abs=1e-5) and d.low == 0.0
    # on every row, the order among candidates of equal Jaccard is sif_best_match's
    s = similarity_matrix(kws, glove50, "lexical_first")
    jac = similarity_matrix(kws, method="jaccard_tokens")
    sbm = similarity_matrix(kws, glove50, "sif_best_match")
    checked = 0
    for i in range(0, len(ids), 10):
        zero = np.flatnonzero(jac[i] == 0)
        if len(zero) > 1:
            assert zero[np.argmax(s[i, zero])] == zero[np.argmax(sbm[i, zero])]
            checked += 1
    assert checked > 10
    # blocked top-k ranks exactly as the matrix does
    res = all_pairs_topk(ids, kws, glove50, k=5, method="lexical_first", include_jaccard=False)
    m = s.copy()
    np.fill_diagonal(m, -np.inf)
    np.testing.assert_array_equal(res.index, np.argsort(-m, axis=1, kind="stable")[:, :5])
