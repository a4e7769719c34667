"""Word-count tables (simvec.keywords.frequencies), corpus SIF probabilities and their use."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.keywords.frequencies import (
    SHIPPED_COUNTS,
    WordCounts,
    count_words,
    read_word_counts,
    shipped_word_counts,
    write_word_counts,
)
from simvec.keywords.methods import similarity_matrix
from simvec.keywords.weighting import corpus_probabilities, sif_weights, word_probabilities
from simvec.vectors.keyed import KeyedVectors


def test_shipped_table_is_the_documented_one():
    t = shipped_word_counts()
    assert SHIPPED_COUNTS.name == "word_counts_en.tsv.gz" and SHIPPED_COUNTS.stat().st_size < 400_000
    # measured by bench/word_frequencies.py on Gutenberg + IMDB unsup + Lee
    assert len(t) == 73354 and t.total == 30674741
    assert t.counts["the"] == 1706315 and t.counts["and"] == 1000539
    assert min(t.counts.values()) == 5
    assert t.probability("the") == pytest.approx(1706315 / 30674741)
    assert t.probability("not-a-word-anywhere") == 0.0


def test_corpus_probabilities_rows_and_sources(tmp_path):
    p = corpus_probabilities(["the", "of", "serendipity", "zzqqxx"])
    t = shipped_word_counts()
    np.testing.assert_allclose(p[:2], [t.counts["the"] / t.total, t.counts["of"] / t.total])
    assert p[2] > 0 and p[3] == 0.0  # unlisted word: p = 0, SIF weight 1 (Arora et al.'s code)
    assert sif_weights(p)[3] == 1.0
    # a mapping word -> row, KeyedVectors, plain counts and a file give the same rows
    np.testing.assert_array_equal(corpus_probabilities({"of": 1, "the": 0}), p[:2])
    kv = KeyedVectors(np.eye(2, dtype=np.float32), ["the", "of"])
    np.testing.assert_array_equal(corpus_probabilities(kv), p[:2])
    np.testing.assert_allclose(corpus_probabilities(["a", "b", "c"], {"a": 3, "b": 1}),
                               [0.75, 0.25, 0.0])
    f = tmp_path / "c.tsv"
    f.write_text("# total_tokens\t10\na\t3\nb\t1\n")
    np.testing.assert_allclose(corpus_probabilities(["a", "b"], f), [0.3, 0.1])
    np.testing.assert_allclose(word_probabilities(str(f), ["b"]), [0.1])
    assert word_probabilities("zipf", ["a"]) is None and word_probabilities(None, ["a"]) is None
    with pytest.raises(SimvecValueError, match="zipf, corpus, a word-count file.*no such file"):
        word_probabilities("unigram", ["a"])
    with pytest.raises(SimvecValueError, match="rows 0..len-1"):
        corpus_probabilities({"a": 0, "b": 5})
    with pytest.raises(SimvecValueError, match="empty"):
        corpus_probabilities([])
    with pytest.raises(SimvecValueError, match="counts must be"):
        corpus_probabilities(["a"], counts=3)


def test_write_read_roundtrip_and_count(tmp_path):
    c = count_words(["The cat's hat.", "the CAT"])
    assert c == {"the": 2, "cat": 2, "'s": 1, "hat": 1}
    out = tmp_path / "t.tsv.gz"
    assert write_word_counts(out, c, min_count=2, comments=["toy"]) == 2
    raw = gzip.decompress(out.read_bytes()).decode()
    assert raw == "# toy\n# total_tokens\t6\ncat\t2\nthe\t2\n"
    t = read_word_counts(out)
    assert t.counts == {"cat": 2, "the": 2} and t.total == 6 and t.path == str(out)
    with pytest.raises(SimvecValueError, match="texts\\[1\\] must be a str"):
        count_words(["a", None])
    with pytest.raises(SimvecValueError, match="tab or line break"):
        write_word_counts(tmp_path / "x.tsv", {"a\tb": 1})
    with pytest.raises(SimvecValueError, match="at least the sum"):
        WordCounts({"a": 5}, total=3)


@pytest.mark.parametrize("body, line, what", [
    ("a\t3\nb 4\n", 2, "expected 'word<TAB>count', got 1 field"),
    ("a\t3\nb\t0\n", 2, "count '0' of 'b' is not a positive integer"),
    ("a\t3\nb\tx\n", 2, "count 'x'"),
    ("a\t3\na\t4\n", 2, "word 'a' is listed twice"),
    ("# total_tokens\tmany\na\t3\n", 1, "total_tokens 'many'"),
    ("a\t3\tx\n", 1, "expected 'word<TAB>count', got 3 field"),
])
def test_bad_tables_name_file_and_line(tmp_path, body, line, what):
    f = tmp_path / "bad.tsv"
    f.write_text(body)
    with pytest.raises(InputFormatError, match=rf"bad.tsv, line {line}: {what}"):
        read_word_counts(f)


def test_bad_table_files(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="no such word-count file"):
        read_word_counts(tmp_path / "none.tsv")
    e = tmp_path / "empty.tsv"
    e.write_text("# only a comment\n\n")
    with pytest.raises(InputFormatError, match="empty.tsv: no 'word<TAB>count' line"):
        read_word_counts(e)
    small = tmp_path / "small.tsv"
    small.write_text("# total_tokens\t2\na\t3\n")
    with pytest.raises(InputFormatError, match="small.tsv: total_tokens must be"):
        read_word_counts(small)
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(b"a\t3\ncaf\xe9\t2\n")
    with pytest.raises(InputFormatError, match="latin.tsv, line 2: not valid UTF-8"):
        read_word_counts(latin)
    notgz = tmp_path / "fake.tsv.gz"
    notgz.write_text("a\t3\n")
    with pytest.raises(InputFormatError, match="fake.tsv.gz: unreadable"):
        read_word_counts(notgz)


def test_method_params_take_corpus_probabilities():
    vecs = np.array([[1, 0], [0.6, 0.8], [0, 1]], np.float32)
    kv = KeyedVectors(vecs, ["the", "cat", "dog"])
    lists = [["the cat"], ["the dog"]]
    zipf = similarity_matrix(lists, kv, "sif_best_match")
    corp = similarity_matrix(lists, kv, "sif_best_match", word_probabilities="corpus")
    t = shipped_word_counts()
    w = 1e-3 / (1e-3 + np.array([t.counts[x] for x in ["the", "cat", "dog"]]) / t.total)
    # by hand: cos(the, dog) = 0, cos(cat, dog) = 0.8, cos(the, cat) = 0.6
    side_a = (w[0] * 1 + w[1] * 0.8) / (w[0] + w[1])   # the->the, cat->dog
    side_b = (w[0] * 1 + w[2] * 0.8) / (w[0] + w[2])   # the->the, dog->cat
    assert corp[0, 1] == pytest.approx((side_a + side_b) / 2, abs=1e-6)
    assert abs(corp[0, 1] - zipf[0, 1]) > 1e-3
    with pytest.raises(SimvecValueError, match="no such file: nope.tsv"):
        similarity_matrix(lists, kv, "sif_best_match", word_probabilities="nope.tsv")
