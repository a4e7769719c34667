"""KeyedVectors: container protocol, norms, neighbour queries, analogies (real GloVe + tiny cases)."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.errors import OutOfVocabularyError, SimvecError, SimvecValueError
from simvec.vectors.keyed import KeyedVectors


@pytest.fixture()
def tiny():
    vecs = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 2], [0, 0, 0]], dtype=np.float64)
    return KeyedVectors(vecs, ["a", "b", "c", "d", "zero"])


def test_container_protocol(tiny):
    assert tiny.vectors.dtype == np.float32
    assert len(tiny) == 5 and tiny.vector_size == 3
    assert "a" in tiny and "nope" not in tiny
    assert tiny["d"].shape == (3,) and tiny["d"].tolist() == [0, 0, 2]
    assert tiny[["a", "c"]].shape == (2, 3)
    assert tiny.key_to_index["c"] == 2 and tiny.index_to_key[2] == "c"
    assert list(tiny) == ["a", "b", "c", "d", "zero"]


def test_norms_cached_and_zero_rows(tiny):
    n = tiny.norms
    assert n is tiny.norms  # cached
    np.testing.assert_allclose(n, [1, np.hypot(0.9, 0.1), 1, 2, 0], rtol=1e-6)
    np.testing.assert_allclose(tiny.get_vector("d", norm=True), [0, 0, 1])
    assert not np.isnan(tiny.get_vector("zero", norm=True)).any()
    assert tiny.similarity("a", "zero") == 0.0


def test_oov_key_error_names_the_key(tiny):
    with pytest.raises(KeyError) as exc:
        tiny["missing-word"]
    assert isinstance(exc.value, OutOfVocabularyError) and isinstance(exc.value, SimvecError)
    assert "missing-word" in str(exc.value)
    with pytest.raises(OutOfVocabularyError, match="other"):
        tiny[["a", "other"]]


def test_constructor_validation():
    with pytest.raises(SimvecValueError, match="2 keys for 3 vectors"):
        KeyedVectors(np.zeros((3, 2)), ["a", "b"])
    with pytest.raises(SimvecValueError, match="repeats"):
        KeyedVectors(np.zeros((2, 2)), ["a", "a"])
    with pytest.raises(SimvecValueError, match="2-D"):
        KeyedVectors(np.zeros(4), ["a"])


def test_most_similar_tiny(tiny):
    res = tiny.most_similar("a", topn=2)
    assert [k for k, _ in res] == ["b", "c"]
    assert res[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1), abs=1e-6)
    with pytest.raises(SimvecValueError, match="no input"):
        tiny.most_similar()
    with pytest.raises(SimvecValueError, match="shape"):
        tiny.similar_by_vector(np.zeros(4))


def test_most_similar_matches_brute_force(glove50):
    kv = glove50
    normed = kv.get_normed_vectors()
    for word in ["king", "computer", "paris"]:
        sims = normed @ normed[kv.key_to_index[word]]
        sims[kv.key_to_index[word]] = -np.inf
        expected = [kv.index_to_key[i] for i in np.argsort(-sims)[:10]]
        assert [k for k, _ in kv.most_similar(word, topn=10)] == expected


def test_most_similar_batch_equals_single_queries(glove50):
    words = ["king", "france", "dog", "python", "music"]
    batch = glove50.most_similar_batch(words, topn=5, restrict_vocab=100000)
    for w, res in zip(words, batch):
        single = glove50.most_similar(w, topn=5, restrict_vocab=100000)
        assert [k for k, _ in res] == [k for k, _ in single]
        assert all(glove50.key_to_index[k] < 100000 for k, _ in res)
        scores = [s for _, s in res]
        assert scores == sorted(scores, reverse=True)


def test_similar_by_vector_2d(glove50):
    rows = glove50[["paris", "london"]]
    res = glove50.similar_by_vector(rows, topn=1)
    assert [r[0][0] for r in res] == ["paris", "london"]
    assert res[0][0][1] == pytest.approx(1.0, abs=1e-5)


def test_analogies_real_glove(glove50):
    # The classic example; both objectives find it on GloVe 6B 50d.
    assert glove50.analogy("man", "king", "woman")[0][0] == "queen"
    assert glove50.analogy("man", "king", "woman", method="3cosmul")[0][0] == "queen"
    assert glove50.analogy("france", "paris", "germany", restrict_vocab=300000)[0][0] == "berlin"
    with pytest.raises(SimvecValueError, match="method"):
        glove50.analogy("a", "b", "c", method="cosine")


def test_doesnt_match_and_rank(glove50):
    assert glove50.doesnt_match(["breakfast", "cereal", "dinner", "lunch"]) == "cereal"
    with pytest.raises(SimvecValueError, match="zzzqqqx"):
        glove50.doesnt_match(["breakfast", "zzzqqqx"])
    nearest = glove50.most_similar("king", topn=1)[0][0]
    assert glove50.rank("king", nearest) == 1


def test_lazy_index_builds_on_first_use_and_still_checks_duplicates():
    kv = KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"], lazy_index=True)
    assert kv._key_to_index is None
    assert kv["c"].tolist() == [0, 0, 1] and kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    bad = KeyedVectors(np.eye(2, dtype=np.float32), ["x", "x"], lazy_index=True)
    with pytest.raises(SimvecValueError, match="'x' repeats"):
        "x" in bad


def test_memmap_stays_memmap(tmp_path):
    path = tmp_path / "m.npy"
    np.save(path, np.ones((4, 2), dtype=np.float32))
    mm = np.load(path, mmap_mode="r")
    kv = KeyedVectors(mm, list("abcd"))
    assert isinstance(kv.vectors, np.memmap)
