"""Vocabulary: counts, min_count, max_vocab_size pruning, subsampling, noise table, encoding."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from conftest import data_path
from simvec.errors import SimvecValueError
from simvec.text.corpus import TextCorpus
from simvec.text.vocab import Vocabulary, alias_table, encode_corpus

SENTS = [["a", "b", "a", "c"], ["b", "a", "d"], [], ["e", "a", "b"]]


def test_counts_sorted_stable_and_min_count():
    v = Vocabulary.build(SENTS, min_count=1)
    assert v.index_to_key == ["a", "b", "c", "d", "e"]  # c, d, e tie: first-seen order
    assert v.counts.tolist() == [4, 3, 1, 1, 1]
    assert v.raw_words == 10 and v.sentences == 3 and v.retained_words == 10
    v2 = Vocabulary.build(SENTS, min_count=2)
    assert v2.index_to_key == ["a", "b"] and v2.retained_words == 7 and v2.raw_words == 10


def test_empty_corpus_error():
    with pytest.raises(SimvecValueError, match="empty"):
        Vocabulary.build([], min_count=1)
    with pytest.raises(SimvecValueError, match="empty"):
        Vocabulary.build([[], []], min_count=1)


def test_all_words_under_min_count_names_threshold_and_max():
    with pytest.raises(SimvecValueError) as ei:
        Vocabulary.build(SENTS, min_count=5)
    msg = str(ei.value)
    assert "min_count=5" in msg and "'a'" in msg and "4 time" in msg


def test_bad_arguments():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(SimvecValueError, match="min_count"):
            Vocabulary.build(SENTS, min_count=bad)
    with pytest.raises(SimvecValueError, match="max_vocab_size"):
        Vocabulary.build(SENTS, max_vocab_size=0)
    with pytest.raises(TypeError, match="str"):
        Vocabulary.build(["a b c"], min_count=1)


def test_max_vocab_size_prunes_like_word2vec_c():
    # distinct words exceed 3 -> drop words seen <= 1 time, then <= 2 times, ...
    sents = [["a", "a", "a", "b", "b"], ["c"], ["d"], ["a", "b", "e"], ["f", "g", "b"]]
    v = Vocabulary.build(sents, min_count=1, max_vocab_size=3)
    # after sentence 3 (a:3 b:2 c d): prune <=1 -> {a,b}; sentence 4 -> a:4 b:3 e:1;
    # sentence 5 -> {a,b,e,f,g} > 3: prune <=2 -> {a:4, b:4}
    assert v.index_to_key == ["a", "b"] and v.counts.tolist() == [4, 4]
    assert v.raw_words == 13  # raw tokens are all counted
    unbounded = Vocabulary.build(sents, min_count=1)
    assert len(unbounded) == 7


def test_keep_probability_word2vec_formula():
    v = Vocabulary(["x", "y", "z"], [1000, 100, 1], raw_words=1101, sentences=1)
    s = 1e-3
    t = s * 1101
    want = np.minimum((np.sqrt(np.array([1000, 100, 1]) / t) + 1) * t / np.array([1000, 100, 1]), 1)
    np.testing.assert_allclose(v.keep_probability(s), want)
    assert v.keep_probability(s)[0] < 0.1 and v.keep_probability(s)[2] == 1.0
    assert (v.keep_probability(0) == 1).all()
    ints = v.sample_ints(s)
    assert ints.dtype == np.int64 and ints[2] == 2**32 and ints[0] == round(want[0] * 2**32)
    with pytest.raises(SimvecValueError, match="sample"):
        v.keep_probability(-1e-3)


def test_noise_distribution_and_alias_table_sample_it():
    v = Vocabulary(["a", "b", "c", "d"], [81, 16, 1, 0 + 1], raw_words=99, sentences=1)
    p = v.noise_distribution(0.75)
    w = np.array([81, 16, 1, 1.0]) ** 0.75
    np.testing.assert_allclose(p, w / w.sum())
    thr, alias = v.noise_table(0.75)
    # exact probability implied by the table: P(i) = (thr[i] + sum_{j: alias[j]=i} (2^32 - thr[j])) / (n 2^32)
    n = len(p)
    implied = thr.astype(np.float64).copy()
    for j in range(n):
        implied[alias[j]] += 2.0**32 - thr[j]
    np.testing.assert_allclose(implied / (n * 2.0**32), p, atol=1e-9)
    # and an empirical draw agrees
    rng = np.random.default_rng(0)
    i = rng.integers(0, n, 200_000)
    u = rng.integers(0, 2**32, 200_000)
    draws = np.where(u < thr[i], i, alias[i])
    np.testing.assert_allclose(np.bincount(draws, minlength=n) / draws.size, p, atol=0.005)
    uni = Vocabulary(["a", "b"], [100, 1], 101, 1).noise_distribution(0.0)
    np.testing.assert_allclose(uni, [0.5, 0.5])


def test_alias_table_rejects_bad_weights():
    for bad in ([], [0, 0], [1, -1], [np.nan, 1]):
        with pytest.raises(SimvecValueError):
            alias_table(np.array(bad, dtype=float))


def test_encode_corpus_drops_oov_and_empty_sentences():
    v = Vocabulary.build(SENTS, min_count=2)
    ids, starts, raw = encode_corpus(SENTS + [["zz", "yy"]], v)
    assert raw == 12
    assert ids.dtype == np.int32 and starts.dtype == np.int64
    sents = [ids[starts[i]:starts[i + 1]].tolist() for i in range(starts.size - 1)]
    assert sents == [[0, 1, 0], [1, 0], [0, 1]]


def test_encode_corpus_cache_dir_same_ids_and_no_file_left(tmp_path):
    v = Vocabulary.build(SENTS, min_count=2)
    corpus = SENTS + [["zz", "yy"]]
    ids, starts, raw = encode_corpus(corpus, v)
    m_ids, m_starts, m_raw = encode_corpus(corpus, v, cache_dir=tmp_path)
    base = m_ids
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)  # in the map
    assert ids.base is None or not isinstance(ids.base, memoryview)  # the default: RAM
    assert m_ids.dtype == np.int32 and m_ids.tolist() == ids.tolist()
    assert m_starts.tolist() == starts.tolist() and m_raw == raw
    assert list(tmp_path.iterdir()) == []  # the backing file is unlinked at once


def test_encode_corpus_cache_dir_grows_past_the_vocabulary_estimate(tmp_path):
    v = Vocabulary.build(SENTS, min_count=2)  # 7 retained tokens
    bigger = SENTS * 50
    ids, starts, _ = encode_corpus(bigger, v, cache_dir=tmp_path)
    ref, ref_starts, _ = encode_corpus(bigger, v)
    assert ids.size == 350 and ids.tolist() == ref.tolist()
    assert starts.tolist() == ref_starts.tolist()


def test_encode_corpus_cache_dir_errors(tmp_path, monkeypatch):
    import errno
    import os

    v = Vocabulary.build(SENTS, min_count=2)
    with pytest.raises(SimvecValueError, match="not a directory"):
        encode_corpus(SENTS, v, cache_dir=tmp_path / "missing")

    def full(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    with pytest.raises(OSError, match="cannot reserve .* MiB for the encoded corpus in") as ei:
        encode_corpus(SENTS, v, cache_dir=tmp_path)
    assert ei.value.errno == errno.ENOSPC and str(tmp_path) in str(ei.value)
    assert list(tmp_path.iterdir()) == []


def test_json_roundtrip():
    v = Vocabulary.build(SENTS, min_count=1)
    w = Vocabulary.from_json(v.to_json())
    assert w.index_to_key == v.index_to_key and (w.counts == v.counts).all()
    assert (w.raw_words, w.sentences, w.min_count) == (v.raw_words, v.sentences, v.min_count)


def test_lee_vocabulary():
    v = Vocabulary.build(TextCorpus(data_path("corpus", "lee_background.cor")), min_count=2)
    assert v.index_to_key[0] == "the"
    assert len(v) == 4078
    assert "bushfire" in v or "bushfires" in v
    assert v.counts[0] >= v.counts[-1] >= 2
