"""gensim's KeyedVectors names on simvec's KeyedVectors give gensim's answers (real GloVe rows)."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.errors import OutOfVocabularyError, SimvecValueError
from simvec.vectors.keyed import KeyedVectors

gensim_models = pytest.importorskip("gensim.models")


@pytest.fixture(scope="module")
def pair(glove_head):
    kv = KeyedVectors(np.array(glove_head.vectors[:2000]), glove_head.index_to_key[:2000])
    g = gensim_models.KeyedVectors(vector_size=kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    return kv, g


def test_similarity_family_matches_gensim(pair):
    kv, g = pair
    assert kv.n_similarity(["king", "president"], ["man", "woman"]) == pytest.approx(
        g.n_similarity(["king", "president"], ["man", "woman"]), abs=1e-6)
    assert kv.distance("king", "man") == pytest.approx(g.distance("king", "man"), abs=1e-6)
    np.testing.assert_allclose(kv.distances("king", ["man", "city", "war"]),
                               g.distances("king", ["man", "city", "war"]), atol=1e-6)
    np.testing.assert_allclose(kv.distances(kv["king"])[:50], g.distances(g["king"])[:50],
                               atol=1e-6)
    np.testing.assert_allclose(kv.cosine_similarities(kv["war"], kv[["peace", "army"]]),
                               g.cosine_similarities(g["war"], g[["peace", "army"]]), atol=1e-6)
    assert [w for w, _ in kv.similar_by_word("war", topn=5)] == \
        [w for w, _ in g.similar_by_word("war", topn=5)]
    for pre, post in ((True, False), (False, True)):
        np.testing.assert_allclose(
            kv.get_mean_vector(["war", "peace", "qqzzx"], weights=[1, 2, 3], pre_normalize=pre,
                               post_normalize=post),
            g.get_mean_vector(["war", "peace", "qqzzx"], weights=[1, 2, 3], pre_normalize=pre,
                              post_normalize=post), atol=1e-6)
    with pytest.raises(OutOfVocabularyError, match="qqzzx"):
        kv.get_mean_vector(["war", "qqzzx"], ignore_missing=False)
    with pytest.raises(SimvecValueError, match="non-empty"):
        kv.n_similarity([], ["war"])


def test_add_vectors_and_save_word2vec_format(pair, tmp_path):
    kv, _ = pair
    kv = KeyedVectors(np.array(kv.vectors[:10]), kv.index_to_key[:10])
    before = kv["the"].copy()
    kv.add_vectors(["zzznew", "the"], np.ones((2, kv.vector_size), np.float32))
    assert len(kv) == 11 and kv.index_to_key[-1] == "zzznew" and kv.get_index("zzznew") == 10
    np.testing.assert_array_equal(kv["the"], before)  # kept without replace
    kv.add_vectors(["the"], np.zeros(kv.vector_size), replace=True)
    assert not kv["the"].any() and kv.norms[0] == 0  # norms cache dropped
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    g = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    assert g.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(g.vectors, kv.vectors)
    kv.save_word2vec_format(tmp_path / "v.txt", write_header=False)  # gensim's GloVe layout
    g.save_word2vec_format(str(tmp_path / "g.txt"), write_header=False)
    h = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.txt"), no_header=True)
    assert h.index_to_key == kv.index_to_key
    np.testing.assert_allclose(h.vectors, kv.vectors, atol=1e-6)
    assert (tmp_path / "v.txt").read_text().splitlines()[1].split()[0] == \
        (tmp_path / "g.txt").read_text().splitlines()[1].split()[0] == kv.index_to_key[1]
    with pytest.raises(SimvecValueError, match="always has a header"):
        kv.save_word2vec_format(tmp_path / "x.bin", binary=True, write_header=False)


def test_integer_key_says_what_to_do(pair):
    kv, _ = pair
    with pytest.raises(SimvecValueError, match=r"keys are strings, got int 5.*kv\.vectors\[5\]"):
        kv[5]
