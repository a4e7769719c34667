"""Tests of simvec.similarity (cos_sim, pairwise_cos_sim) and simvec.keywords.pair / parse
(keyword_similarity, jaccard)."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.errors import SimvecValueError
from simvec.keywords.pair import KeywordMatch, KeywordSimilarity, keyword_similarity
from simvec.keywords.parse import jaccard
from simvec.similarity import cos_sim, pairwise_cos_sim
from simvec.vectors.keyed import KeyedVectors


@pytest.fixture(scope="module")
def kv(glove50):
    """The real GloVe 6B 50d vectors (400,000 words)."""
    return glove50


def _reference_cos(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.zeros((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            nx, ny = np.linalg.norm(x), np.linalg.norm(y)
            out[i, j] = 0.0 if nx == 0 or ny == 0 else x @ y / (nx * ny)
    return out


# ------------------------------------------------------------------------------ cos_sim


def test_cos_sim_matches_numpy_reference():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(7, 13))
    b = rng.normal(size=(5, 13)) * 100
    res = cos_sim(a, b)
    assert res.shape == (7, 5) and res.dtype == np.float32
    np.testing.assert_allclose(res, _reference_cos(a, b), atol=1e-6)


def test_cos_sim_accepts_lists_and_1d_rows():
    assert cos_sim([1.0, 0.0], [[0.0, 1.0], [2.0, 0.0]]).tolist() == [[0.0, 1.0]]
    assert cos_sim([3, 4], [3, 4]).shape == (1, 1)
    np.testing.assert_allclose(cos_sim([3, 4], [-3, -4]), [[-1.0]], atol=1e-7)


def test_cos_sim_zero_vectors_give_zero_not_nan():
    res = cos_sim([[0, 0, 0], [1, 2, 3]], [[0, 0, 0], [1, 2, 3]])
    assert not np.isnan(res).any()
    np.testing.assert_allclose(res, [[0, 0], [0, 1]], atol=1e-6)


def test_cos_sim_stays_in_range():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 8)).astype(np.float32)
    res = cos_sim(a, a)
    assert res.max() <= 1.0 and res.min() >= -1.0
    np.testing.assert_allclose(np.diag(res), 1.0, atol=1e-6)


def test_cos_sim_shape_mismatch_names_both_shapes():
    with pytest.raises(SimvecValueError, match=r"\(2, 3\).*\(4, 5\)"):
        cos_sim(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="2-D"):
        cos_sim(np.ones((2, 3, 4)), np.ones((4, 4)))
    with pytest.raises(SimvecValueError, match="numeric"):
        cos_sim([[1, 2], [3]], [[1, 2]])
    with pytest.raises(SimvecValueError, match="numeric"):
        cos_sim(["a", "b"], [[1, 2]])


class _FakeTensor:
    """Stands in for a torch tensor: only .detach().cpu().float().numpy() is used."""

    def __init__(self, arr):
        self.arr = np.asarray(arr)
        self.calls = []

    def detach(self):
        self.calls.append("detach")
        return self

    def cpu(self):
        self.calls.append("cpu")
        return self

    def float(self):
        self.calls.append("float")
        return self

    def numpy(self):
        self.calls.append("numpy")
        return self.arr


def test_cos_sim_accepts_tensor_like_objects():
    t = _FakeTensor([[1.0, 0.0], [0.0, 1.0]])
    res = cos_sim(t, np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(res, [[np.sqrt(0.5)], [np.sqrt(0.5)]], atol=1e-6)
    assert t.calls[:2] == ["detach", "cpu"] and t.calls[-1] == "numpy"


def test_pairwise_cos_sim_is_the_diagonal():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(9, 6))
    b = rng.normal(size=(9, 6))
    a[3] = 0
    res = pairwise_cos_sim(a, b)
    assert res.shape == (9,) and res.dtype == np.float32
    np.testing.assert_allclose(res, np.diag(_reference_cos(a, b)), atol=1e-6)
    assert res[3] == 0.0


def test_pairwise_cos_sim_shape_mismatch():
    with pytest.raises(SimvecValueError, match=r"\(3, 4\).*\(2, 4\)"):
        pairwise_cos_sim(np.ones((3, 4)), np.ones((2, 4)))


# ------------------------------------------------------------------------------ jaccard


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (["a", "b"], ["b", "c"], 1 / 3),
        (["a", "b"], ["a", "b"], 1.0),
        (["a"], ["b"], 0.0),
        (["Machine  Learning", "AI"], ["machine learning"], 0.5),
        ("deep learning; AI", "ai, Deep Learning, nlp", 2 / 3),
        (["a", "a", "A ", "b"], ["a"], 0.5),  # duplicates count once
        (["deep learning"], ["learning"], 0.0),  # phrases compared whole
        ([], ["a"], 0.0),
        ([], [], 0.0),  # documented convention
        (["", "  "], [], 0.0),
    ],
)
def test_jaccard_values(a, b, expected):
    assert jaccard(a, b) == pytest.approx(expected)


def test_jaccard_rejects_non_strings():
    with pytest.raises(SimvecValueError, match="str"):
        jaccard([1, 2], ["a"])
    with pytest.raises(SimvecValueError, match="keyword list b"):
        jaccard(["a"], 5)


# ------------------------------------------------------------------------------ toy vectors


@pytest.fixture
def toy():
    vecs = np.array(
        [[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.2], [0, 0, 1], [2, 0, 0]],
        dtype=np.float32,
    )
    return KeyedVectors(vecs, ["cat", "kitten", "car", "truck", "tree", "big"])


def test_mean_uses_raw_vectors_averaged(toy):
    # keyword "big cat" = mean(big, cat) = (1.5, 0, 0); list a = mean("big cat", "car")
    r = keyword_similarity(["big cat", "car"], ["tree", "truck"], toy, method="mean")
    va = np.mean([[1.5, 0, 0], [0, 1, 0]], axis=0)
    vb = np.mean([[0, 0, 1], [0, 0.9, 0.2]], axis=0)
    expected = va @ vb / np.linalg.norm(va) / np.linalg.norm(vb)
    assert r.score == pytest.approx(expected, abs=1e-6)
    assert r.method == "mean" and r.alignment is None and r.reason is None


def test_best_match_alignment_and_symmetry(toy):
    r = keyword_similarity("cat, car, tree", "truck, kitten", toy, method="best_match")
    pairs_a = {m.keyword: m.partner for m in r.alignment["a"]}
    pairs_b = {m.keyword: m.partner for m in r.alignment["b"]}
    assert pairs_a == {"cat": "kitten", "car": "truck", "tree": "truck"}
    assert pairs_b == {"truck": "car", "kitten": "cat"}
    sims = cos_sim(toy[["cat", "car", "tree"]], toy[["truck", "kitten"]])
    expected = (sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2
    assert r.score == pytest.approx(expected, abs=1e-6)
    r2 = keyword_similarity("truck, kitten", "cat, car, tree", toy, method="best_match")
    assert r2.score == pytest.approx(r.score, abs=1e-7)
    assert all(isinstance(m, KeywordMatch) for m in r.alignment["a"])


def test_oov_keywords_skipped_and_reported(toy):
    r = keyword_similarity(["cat", "unicorn", "flying cat"], ["car", "zzz qqq"], toy)
    assert r.used_a == ["cat", "flying cat"] and r.oov_a == ["unicorn"]
    assert r.used_b == ["car"] and r.oov_b == ["zzz qqq"]
    # OOV token inside a phrase is skipped: "flying cat" == "cat", so the score is cos(cat, car)
    assert r.score == pytest.approx(0.0, abs=1e-6)


def test_hyphenated_oov_token_falls_back_to_parts(toy):
    r = keyword_similarity(["cat-tree"], ["cat tree"], toy, method="sif_best_match")
    assert r.used_a == ["cat-tree"] and r.score == pytest.approx(1.0, abs=1e-6)
    # hybrid: token sets {cat-tree} and {cat, tree} share nothing, so 0.8 x 1.0
    assert keyword_similarity(["cat-tree"], ["cat tree"], toy).score == pytest.approx(0.8)


def test_all_oov_side_gives_none_with_reason(toy):
    r = keyword_similarity(["cat"], ["unicorn", "dragon"], toy, method="best_match")
    assert r.score is None and r.alignment is None
    assert "list b" in r.reason and "vocabulary" in r.reason
    assert r.oov_b == ["unicorn", "dragon"] and r.used_a == ["cat"]
    r = keyword_similarity("gryphon", "dragon", toy)
    assert r.score is None and "a and b" in r.reason


def test_empty_keyword_list_raises(toy):
    with pytest.raises(SimvecValueError, match="keyword list a is empty"):
        keyword_similarity([], ["cat"], toy)
    with pytest.raises(SimvecValueError, match="keyword list b is empty"):
        keyword_similarity("cat", " , ;", toy)


def test_bad_arguments(toy):
    with pytest.raises(SimvecValueError, match="method"):
        keyword_similarity("cat", "car", toy, method="max")
    with pytest.raises(SimvecValueError, match="KeyedVectors"):
        keyword_similarity("cat", "car", {"cat": [1.0]})
    with pytest.raises(SimvecValueError, match="str"):
        keyword_similarity(["cat", None], "car", toy)


def test_duplicates_merged_and_custom_tokenizer(toy):
    r = keyword_similarity(["Cat", "cat ", "CAT"], ["kitten"], toy)
    assert r.used_a == ["Cat"]
    seen = []

    def tok(s):
        seen.append(s)
        return s.lower().split("+")

    r = keyword_similarity(["big+cat"], ["kitten"], toy, method="sif_best_match", tokenizer=tok)
    assert "big+cat" in seen and r.used_a == ["big+cat"] and r.score == pytest.approx(0.993884, abs=1e-6)


# ------------------------------------------------------------------------------ real GloVe

AI = "machine learning, neural network"
AI2 = "deep learning, artificial intelligence"
SPORT = "football, stadium"


# measured on GloVe 6B 50d: (AI vs AI2, AI vs SPORT)
@pytest.mark.parametrize("method, related_score, unrelated_score", [
    ("mean", 0.797834, 0.242958), ("best_match", 0.720721, 0.252390),
    ("sif_best_match", 0.646800, 0.257369), ("sif", 0.799582, 0.236382),
    ("soft_cosine", 0.609154, 0.101843),
    ("hybrid", 0.546011, 0.205896),  # 0.2 x token Jaccard (0 here) + 0.8 x sif_best_match
])
def test_glove_related_lists_beat_unrelated(kv, method, related_score, unrelated_score):
    related = keyword_similarity(AI, AI2, kv, method=method)
    unrelated = keyword_similarity(AI, SPORT, kv, method=method)
    assert isinstance(related, KeywordSimilarity)
    assert related.jaccard == 0.0 and unrelated.jaccard == 0.0  # Jaccard cannot tell them apart
    assert related.score == pytest.approx(related_score, abs=1e-5)
    assert unrelated.score == pytest.approx(unrelated_score, abs=1e-5)
    assert related.score - unrelated.score > 0.3


def test_glove_best_match_alignment(kv):
    r = keyword_similarity(
        "machine learning, neural network, football", "deep learning, soccer, cooking",
        kv, method="best_match",
    )
    pairs = {m.keyword: m.partner for m in r.alignment["a"]}
    assert pairs == {
        "machine learning": "deep learning",
        "neural network": "deep learning",
        "football": "soccer",
    }
    back = {m.keyword: m.partner for m in r.alignment["b"]}
    assert back["soccer"] == "football"
    assert back["deep learning"] in {"machine learning", "neural network"}
    cos = {m.keyword: m.cosine for m in r.alignment["a"]}
    # measured: 0.89645 (football, soccer), 0.78260 and 0.59850 (to deep learning)
    assert cos["football"] == pytest.approx(0.896451, abs=1e-5)
    assert cos["machine learning"] == pytest.approx(0.782601, abs=1e-5)
    assert cos["neural network"] == pytest.approx(0.598498, abs=1e-5)


def test_glove_oov_and_phrases(kv):
    r = keyword_similarity(
        "Phish Phavors New York, xqzzyv, state-of-the-art, web-service", "music festival", kv,
        method="sif_best_match")
    # "phavors" is OOV but the phrase keeps its other tokens; "web-service" falls back to parts
    assert r.used_a == ["Phish Phavors New York", "state-of-the-art", "web-service"]
    assert r.oov_a == ["xqzzyv"]
    assert r.score == pytest.approx(0.490806, abs=1e-5)  # measured


def test_glove_mean_ranks_by_topic(kv):
    query = "stock market, interest rates, inflation"
    candidates = {
        "finance": "bank loans, investors, economy",
        "sport": "goalkeeper, championship, coach",
        "cooking": "recipe, oven, garlic",
    }
    scores = {k: keyword_similarity(query, v, kv, method="mean").score
              for k, v in candidates.items()}
    assert max(scores, key=scores.get) == "finance"
    default = {k: keyword_similarity(query, v, kv).score for k, v in candidates.items()}
    assert max(default, key=default.get) == "finance"
    assert all(keyword_similarity(query, v, kv).jaccard == 0.0 for v in candidates.values())
