"""A collection is parsed and tokenised once per call: each distinct keyword spelling once."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.keywords import parse
from simvec.text.tokenize import normalize_keyword

from conftest import data_path


@pytest.fixture
def counting_tokenizer(monkeypatch):
    """Replace the default tokenizer by one that counts its calls per keyword."""
    calls = Counter()
    real = parse.tokenize

    def counting(text, *args, **kwargs):
        calls[text] += 1
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parse, "tokenize", counting)
    return calls


def _distinct_spellings(lists) -> set[str]:
    out = set()
    for kws in lists:
        seen = set()
        for kw in kws:
            key = normalize_keyword(kw)
            if key and key not in seen:
                seen.add(key)
                out.add(" ".join(kw.split()))
    return out


@pytest.mark.parametrize("method", ["sif_best_match", "mean"])
def test_keywords_command_tokenizes_each_keyword_once(glove50, counting_tokenizer, tmp_path,
                                                     monkeypatch, method):
    import simvec.cli.app as cli_app

    monkeypatch.setattr(cli_app, "_load", lambda name: glove50)  # vectors loaded once per session
    records = [json.loads(line) for line in
               data_path("keywords", "kpcrowd500n_labeled.jsonl").read_text().splitlines()]
    n = 500 if method == "mean" else 120
    docs = tmp_path / "kpcrowd.jsonl"
    docs.write_text("".join(json.dumps(r) + "\n" for r in records[:n]))
    res = CliRunner().invoke(app, ["keywords", str(docs), "--id-field", "doc_id",
                                   "--keywords-field", "keyphrases", "-k", "3", "-q",
                                   "--method", method])
    assert res.exit_code == 0, res.output
    expected = _distinct_spellings(r["keyphrases"] for r in records[:n])
    assert set(counting_tokenizer) == expected
    assert max(counting_tokenizer.values()) == 1
    if n == 500:  # the whole collection: 15,502 distinct keywords were tokenised 46,382 times
        assert len(expected) == pytest.approx(15502, abs=200)


def test_similar_command_tokenizes_each_keyword_once(glove50, counting_tokenizer, monkeypatch):
    import simvec.cli.app as cli_app

    monkeypatch.setattr(cli_app, "_load", lambda name: glove50)
    res = CliRunner().invoke(app, ["similar", "machine learning, neural network",
                                   "deep learning, artificial intelligence", "-q"])
    assert res.exit_code == 0, res.output
    assert dict(counting_tokenizer) == {k: 1 for k in (
        "machine learning", "neural network", "deep learning", "artificial intelligence")}


def test_parse_collection_shares_the_encoder_cache():
    calls = Counter()

    def tok(text):
        calls[text] += 1
        return text.lower().split()

    docs = parse.parse_collection([["A b", "c"], "c; A  b", ["a B"]], None, tok)
    assert docs.keys == [{"a b", "c"}, {"c", "a b"}, {"a b"}]
    assert docs.lex == [{"a", "b", "c"}, {"c", "a", "b"}, {"a", "b"}]
    assert calls == Counter({"A b": 1, "c": 1, "a B": 1})  # "A  b" is the spelling "A b"
    assert docs.n_keywords == 5 and docs.vectors is None
