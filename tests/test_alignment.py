"""The alignment behind a keyword score (simvec.keywords.pair: Alignment, KeywordMatch,
similarity_report), on the real GloVe 6B 50d vectors and on toy vectors."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.keywords.pair import (
    ALIGNMENT_METHODS, REPORT_KEYS, Alignment, KeywordMatch, keyword_similarities,
    keyword_similarity, similarity_report,
)
from simvec.keywords.parse import jaccard_keys
from simvec.keywords.weighting import sif_weights
from simvec.text.tokenize import tokenize
from simvec.vectors.keyed import KeyedVectors

AI = "machine learning, neural network"
AI2 = "deep learning, artificial intelligence"
NN_FOOTBALL = "neural network, football"

#: pairs with shared tokens, a token repeated within a side, an OOV keyword, a hyphen fallback
PAIRS = [
    (AI, AI2),
    (AI, NN_FOOTBALL),
    (AI, "machine learning, statistics"),
    ("machine learning, deep learning, learning", "learning theory, football"),
    ("web-service, xqzzyv, cloud computing", "internet services, servers"),
]


@pytest.fixture(scope="module")
def kv(glove50):
    return glove50


def _recomputed(alignment) -> float:
    """The score from the alignment alone: each side's weighted mean of cosines, averaged."""
    sides = [sum(m.weight * m.cosine for m in alignment[s]) for s in "ab"]
    return (sides[0] + sides[1]) / 2


def _tokens_of(keyword: str) -> set:
    toks = set(tokenize(keyword))
    return toks | {p for t in toks for p in t.split("-")}


@pytest.mark.parametrize("a, b", PAIRS)
@pytest.mark.parametrize("method", sorted(ALIGNMENT_METHODS))
def test_the_score_is_recomputable_from_the_alignment(kv, method, a, b):
    r = keyword_similarity(a, b, kv, method=method)
    al = r.alignment
    assert isinstance(al, Alignment)
    assert al.method == ALIGNMENT_METHODS[method]
    assert al.level == ("keyword" if method == "best_match" else "token")
    expected = r.score
    if method == "hybrid":  # 0.2 x token Jaccard + 0.8 x the sif_best_match alignment
        lex = keyword_similarity(a, b, None, method="jaccard_tokens").score
        expected = (r.score - 0.2 * lex) / 0.8
    assert _recomputed(al) == pytest.approx(expected, abs=1e-6)
    assert al.score == pytest.approx(expected, abs=1e-6)
    for side, used in (("a", r.used_a), ("b", r.used_b)):
        assert sum(m.weight for m in al[side]) == pytest.approx(1.0, abs=1e-9)
        assert {m.keyword for m in al[side]} == set(used)  # every used keyword, no OOV one
        assert all(-1.0 <= m.cosine <= 1.0 for m in al[side])


@pytest.mark.parametrize("a, b", PAIRS)
def test_token_alignment_pairs_each_token_with_its_most_similar_token(kv, a, b):
    al = keyword_similarity(a, b, kv).alignment
    weights = sif_weights(len(kv))
    for side, other in (("a", "b"), ("b", "a")):
        units = al[side]
        others = {m.partner_token for m in al[side]} | {m.token for m in al[other]}
        raw = np.array([weights[kv.key_to_index[m.token]] for m in units])
        np.testing.assert_allclose([m.weight for m in units], raw / raw.sum(), atol=1e-9)
        for m in units:
            assert m.token in _tokens_of(m.keyword)  # the token belongs to its keyword
            assert m.partner_token in _tokens_of(m.partner)
            assert m.cosine == pytest.approx(kv.similarity(m.token, m.partner_token), abs=1e-6)
            best = max(kv.similarity(m.token, o) for o in others)
            assert m.cosine == pytest.approx(best, abs=1e-6)  # no better partner exists


def test_the_worked_example_exact_tokens_outweigh_related_ones(kv):
    """Why the default ranks "neural network, football" above "deep learning, artificial
    intelligence" for "machine learning, neural network" (docs/guide.md)."""
    nn = keyword_similarity(AI, NN_FOOTBALL, kv, method="sif_best_match")
    dl = keyword_similarity(AI, AI2, kv, method="sif_best_match")
    # measured on GloVe 6B 50d
    assert nn.score == pytest.approx(0.774822, abs=1e-5)
    assert dl.score == pytest.approx(0.646800, abs=1e-5)
    # the default, hybrid, adds token Jaccard (2/5 and 1/7): 0.6999 and 0.5460
    h_nn, h_dl = keyword_similarity(AI, NN_FOOTBALL, kv), keyword_similarity(AI, AI2, kv)
    assert h_nn.method == "hybrid" and h_nn.score == pytest.approx(0.2 * 2 / 5 + 0.8 * nn.score)
    assert h_dl.score == pytest.approx(0.2 / 7 + 0.8 * dl.score, abs=1e-6)
    assert h_nn.alignment == nn.alignment  # hybrid shows its sif_best_match part
    got = [(m.token, m.partner_token, round(m.cosine, 4)) for m in nn.alignment["a"]]
    assert got == [("machine", "network", 0.5114), ("learning", "network", 0.5099),
                   ("neural", "neural", 1.0), ("network", "network", 1.0)]
    got = [(m.token, m.partner_token, round(m.cosine, 4), round(m.weight, 4))
           for m in nn.alignment["b"]]
    assert got == [("neural", "neural", 1.0, 0.3565), ("network", "network", 1.0, 0.3291),
                   ("football", "learning", 0.3512, 0.3143)]
    got = [(m.token, m.partner_token, round(m.cosine, 4)) for m in dl.alignment["a"]]
    assert got == [("machine", "learning", 0.4803), ("learning", "learning", 1.0),
                   ("neural", "artificial", 0.5944), ("network", "intelligence", 0.5265)]
    # with equal weights the score would differ by 5e-3: the weights are the SIF ones
    plain = sum(np.mean([m.cosine for m in nn.alignment[s]]) for s in "ab") / 2
    assert abs(plain - nn.score) > 4e-3


def test_word_probabilities_reach_the_alignment_weights(kv):
    # uniform probabilities: every token gets the same SIF weight, so the weights are 1/n
    probs = np.full(len(kv), 1.0 / len(kv))
    r = keyword_similarity(AI, NN_FOOTBALL, kv, method="sif_best_match",
                           word_probabilities=probs)
    assert [round(m.weight, 6) for m in r.alignment["b"]] == [round(1 / 3, 6)] * 3
    assert _recomputed(r.alignment) == pytest.approx(r.score, abs=1e-6)
    assert r.score == pytest.approx(
        sum(np.mean([m.cosine for m in r.alignment[s]]) for s in "ab") / 2, abs=1e-6)


def test_a_repeated_token_is_listed_once_per_keyword(kv):
    r = keyword_similarity("machine learning, deep learning", "learning", kv)
    assert [(m.keyword, m.token) for m in r.alignment["a"]] == [
        ("machine learning", "machine"), ("machine learning", "learning"),
        ("deep learning", "deep"), ("deep learning", "learning")]
    (only,) = r.alignment["b"]
    assert (only.partner_token, only.partner, only.cosine, only.weight) == (
        "learning", "machine learning", pytest.approx(1.0), 1.0)  # the first occurrence


@pytest.mark.parametrize("method", ["mean", "sif", "soft_cosine", "jaccard_tokens",
                                    "jaccard_phrases"])
def test_methods_without_an_alignment_keep_none(kv, method):
    assert keyword_similarity(AI, AI2, kv, method=method).alignment is None


def test_undefined_score_has_no_alignment(kv):
    for method in ALIGNMENT_METHODS:
        r = keyword_similarity(AI, "qqzzxq, wwvvkkq", kv, method=method)
        assert r.score is None and r.alignment is None and r.reason


def test_alignment_is_still_the_mapping_of_two_sides():
    kv = KeyedVectors(np.array([[1, 0], [1, 0.2], [0, 1]], np.float32), ["cat", "dog", "car"])
    r = keyword_similarity("cat, car", "dog", kv, method="best_match")
    assert list(r.alignment) == ["a", "b"] and len(r.alignment) == 2
    assert dict(r.alignment) == {"a": r.alignment.a, "b": r.alignment.b}
    assert r.alignment == {"a": r.alignment.a, "b": r.alignment.b}  # as the old plain dict
    assert r.alignment != Alignment("token", "best_match", r.alignment.a, r.alignment.b)
    assert [m.weight for m in r.alignment["a"]] == [0.5, 0.5]
    assert r.alignment["a"][0] == KeywordMatch("cat", "dog", pytest.approx(0.980581),
                                               weight=0.5)
    with pytest.raises(KeyError):
        r.alignment["c"]
    # a KeywordMatch built the old way (three fields) still works, weighted 1/n
    al = Alignment("keyword", "best_match", [KeywordMatch("x", "y", 0.5)],
                   [KeywordMatch("y", "x", 0.5), KeywordMatch("z", "x", 0.1)])
    assert al.score == pytest.approx((0.5 + 0.3) / 2)


# ------------------------------------------------------------------------------ the report

@pytest.mark.parametrize("method, how, level", [
    ("sif_best_match", "sif_best_match", "token"), ("hybrid", "sif_best_match", "token"),
    ("best_match", "best_match", "keyword"), ("mean", "best_match", "keyword"),
    ("jaccard_tokens", "best_match", "keyword"),
])
def test_the_report_shows_the_alignment_of_the_scored_method(kv, method, how, level):
    rep = similarity_report(AI, NN_FOOTBALL, kv, vectors="glove-6B-50d", method=method)
    assert tuple(rep) == REPORT_KEYS
    assert (rep["alignment_method"], rep["alignment_level"]) == (how, level)
    ref = keyword_similarities(AI, NN_FOOTBALL, kv, (method, how))
    assert rep["alignment_score"] == pytest.approx(ref[how].score, abs=1e-6)
    if method in ALIGNMENT_METHODS and method != "hybrid":
        assert rep["alignment_score"] == pytest.approx(rep["score"], abs=1e-6)
    if method == "hybrid":
        lex = jaccard_keys(set(tokenize(AI)), set(tokenize(NN_FOOTBALL)))
        assert rep["score"] == pytest.approx(0.2 * lex + 0.8 * rep["alignment_score"],
                                             abs=1e-6)
    for side in "ab":
        for m in rep["alignment"][side]:
            assert set(m) == {"keyword", "partner", "cosine", "weight", "token",
                              "partner_token"}
            assert (m["token"] is None) == (level == "keyword")
    recomputed = sum(sum(m["weight"] * m["cosine"] for m in rep["alignment"][s])
                     for s in "ab") / 2
    assert recomputed == pytest.approx(rep["alignment_score"], abs=1e-6)


def test_the_report_without_a_score_has_no_alignment(kv):
    rep = similarity_report(AI, "qqzzxq", kv)
    assert rep["score"] is None and rep["reason"]
    assert rep["alignment"] == {} and rep["alignment_method"] is None
    assert rep["alignment_level"] is None and rep["alignment_score"] is None
