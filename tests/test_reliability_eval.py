"""Regression tests for the evaluation and collection defects of the reliability issue (16,
defects 8-9): each failed before the fix with a traceback, or with NaN and no reason."""

from __future__ import annotations

import io
import json
import logging
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import InputFormatError, SimvecValueError
from simvec.eval.phrases import evaluate_text_pairs, read_text_pairs
from simvec.eval.retrieval import evaluate_keyword_retrieval
from simvec.eval.words import evaluate_word_pairs
from simvec.keywords.collection import read_collection, read_labeled_collection
from simvec.keywords.topk import all_pairs_topk
from simvec.vectors.formats import save_vectors
from simvec.vectors.keyed import KeyedVectors

runner = CliRunner()
WORDS = ["cat", "dog", "car", "bus", "tea", "cup"]
BIRD_HEAD = "pair\tterm1\tterm2\trelation\trelatedness score\n"


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(1)
    return KeyedVectors(rng.standard_normal((6, 4)).astype(np.float32), WORDS)


@pytest.fixture
def vec_file(tmp_path, kv):
    save_vectors(kv, tmp_path / "v")
    return tmp_path / "v.npy"


def cli(*args, input=None):
    res = runner.invoke(app, [str(a) for a in args], input=input)
    return res.exit_code, res.output


def bird(rows, end="\n") -> str:
    return BIRD_HEAD.replace("\n", end) + "".join(
        f"{a} {b}\t{a}\t{b}\tx\t{s}{end}" for a, b, s in rows)


ROWS = [("cat", "dog", 0.9), ("car", "bus", 0.8), ("tea", "cup", 0.7), ("cat", "car", 0.2),
        ("dog", "tea", 0.1)]


# ---------------------------------------------------------------------------- 8: pair files
def test_pair_field_over_csv_limit_is_read(tmp_path):
    """A field over 131,072 characters raised _csv.Error."""
    text = bird(ROWS).replace("\tcat\tdog\t", "\tcat " + "x" * 200_000 + "\tdog\t", 1)
    p = tmp_path / "long.txt"
    p.write_text(text, encoding="utf-8")
    pairs = read_text_pairs(p)
    assert len(pairs.text1) == 5 and len(pairs.text1[0]) == 200_004
    assert pairs.scores.tolist() == [0.9, 0.8, 0.7, 0.2, 0.1]


def test_cr_only_line_endings_are_lines(tmp_path):
    """CR-only endings raised _csv.Error ('new-line character seen in unquoted field')."""
    p = tmp_path / "cr.txt"
    p.write_bytes(bird(ROWS, end="\r").encode())
    pairs = read_text_pairs(p)
    assert pairs.text1 == ["cat", "car", "tea", "cat", "dog"]
    assert pairs.lines == [2, 3, 4, 5, 6] and pairs.scores.tolist() == [0.9, 0.8, 0.7, 0.2, 0.1]
    q = tmp_path / "mixed.txt"
    q.write_bytes(b"\n\r\n" + bird(ROWS, end="\r\n").encode())  # blank lines before the header
    assert read_text_pairs(q).lines == [4, 5, 6, 7, 8]


def test_bad_row_is_named_by_physical_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(bird(ROWS[:2], end="\r").encode() + b"a b\ta\tb\tx\tnope\r")
    with pytest.raises(InputFormatError, match=r"bad.txt, line 4: missing or non-numeric"):
        read_text_pairs(p)


def test_constant_gold_word_pairs_say_why(tmp_path, kv, caplog):
    """Constant gold scores gave NaN with exit 0 and no reason."""
    p = tmp_path / "const.txt"
    p.write_text("cat\tdog\t5\ncar\tbus\t5\ntea\tcup\t5\n")
    with caplog.at_level(logging.WARNING, logger="simvec.eval.words"):
        r = evaluate_word_pairs(kv, p)
    assert math.isnan(r.spearman[0]) and math.isnan(r.pearson[0])
    assert "gold scores are equal" in r.note and "const.txt" in caplog.text
    ok = tmp_path / "ok.txt"
    ok.write_text("cat\tdog\t5\ncar\tbus\t3\ntea\tcup\t1\n")
    r = evaluate_word_pairs(kv, ok)
    assert r.note == "" and not math.isnan(r.spearman[0])


def test_constant_gold_through_the_cli_warns(tmp_path, vec_file, caplog):
    p = tmp_path / "const.txt"
    p.write_text("cat\tdog\t5\ncar\tbus\t5\ntea\tcup\t5\n")
    with caplog.at_level(logging.WARNING):
        code, out = cli("evaluate", p, "--vectors", vec_file, "-f", "json", "-q")
    assert code == 0 and json.loads(out)["files"][0]["spearman"] is None
    assert "gold scores are equal" in caplog.text  # a warning even with -q


def test_all_oov_sentence_pairs_say_why(tmp_path, kv, caplog):
    """An all-OOV sentence file gave NaN for the vector methods with no reason."""
    p = tmp_path / "oov.txt"
    p.write_text(bird([("zebra", "lion", 0.9), ("moon", "sun", 0.1), ("sky", "sea", 0.5)]))
    with caplog.at_level(logging.WARNING, logger="simvec.eval.phrases"):
        results, _ = evaluate_text_pairs(kv, p, methods=["jaccard_tokens", "mean"])
    jac, mean = results
    assert math.isnan(mean.spearman) and mean.pairs_used == 0 and mean.oov_pairs == 3
    assert "only 0 of the 3 pairs" in mean.note and "oov.txt" in caplog.text
    assert "same score (0)" in jac.note  # no token is shared: every Jaccard is 0


def test_constant_gold_text_pairs_say_why(tmp_path, kv):
    p = tmp_path / "flat.txt"
    p.write_text(bird([(a, b, 0.5) for a, b, _ in ROWS]))
    results, _ = evaluate_text_pairs(kv, p, methods=["mean"])
    assert math.isnan(results[0].spearman) and "gold scores are equal" in results[0].note
    assert results[0].to_dict()["note"] == results[0].note


# ---------------------------------------------------------------------------- 9: collections
@pytest.mark.parametrize("data", [b"", b"\n\n", b'{"id": "a"}\n'])
def test_keywords_with_no_documents_is_a_clear_error(tmp_path, vec_file, data):
    """0 documents (empty file, blank lines, everything skipped) crashed in all_pairs_topk."""
    p = tmp_path / "c.jsonl"
    p.write_bytes(data)
    code, out = cli("keywords", p, "--vectors", vec_file, "--on-error", "skip", "-q")
    assert code == 2 and "simvec: error:" in out and "no document" in out
    assert "Traceback" not in out


def test_keywords_from_empty_stdin(vec_file):
    code, out = cli("keywords", "-", "--vectors", vec_file, "-q", input="")
    assert code == 2 and "no document" in out


def test_all_pairs_topk_of_nothing():
    with pytest.raises(SimvecValueError, match="no documents"):
        all_pairs_topk([], [], None, method="jaccard_phrases")


def test_evaluate_keywords_with_no_usable_documents(tmp_path, vec_file):
    """An empty collection or a mistyped --label crashed in evaluate_keyword_retrieval."""
    empty = tmp_path / "e.jsonl"
    empty.write_text("")
    code, out = cli("evaluate-keywords", empty, "--label", "category", "--vectors", vec_file,
                    "-q")
    assert code == 2 and "no documents" in out
    labeled = tmp_path / "l.jsonl"
    labeled.write_text('{"id": "a", "keywords": ["cat"], "category": "x"}\n'
                       '{"id": "b", "keywords": ["dog"], "category": "x"}\n')
    code, out = cli("evaluate-keywords", labeled, "--label", "topic", "--vectors", vec_file,
                    "-q")
    assert code == 2 and "no record has a label in field 'topic'" in out and "l.jsonl" in out
    with pytest.raises(SimvecValueError, match="no documents"):
        evaluate_keyword_retrieval([], [], [], methods=["jaccard_phrases"])


def test_some_missing_labels_are_still_skipped():
    f = io.StringIO('{"id": "a", "keywords": ["x"], "t": "p"}\n{"id": "b", "keywords": ["y"]}\n')
    ids, _, labels, report = read_labeled_collection(f, "t")
    assert ids == ["a"] and labels == ["p"] and report.missing_label == [2]


def test_huge_integer_id_is_a_malformed_record(tmp_path):
    """A JSONL id of over 4,300 digits crashed (ValueError) even with on_error='skip'."""
    p = tmp_path / "big.jsonl"
    p.write_text('{"id": ' + "9" * 5000 + ', "keywords": ["cat"]}\n'
                 '{"id": 12, "keywords": ["dog"]}\n')
    ids, lists, report = read_collection(p, on_error="skip")
    assert ids == ["12"] and lists == [["dog"]]
    assert report.skipped[0][0] == 1 and "4300 digits" in report.skipped[0][1]
    with pytest.raises(InputFormatError, match=r"big.jsonl, line 1: invalid JSON"):
        read_collection(p)


def test_deeply_nested_json_is_a_malformed_record(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text("[" * 100_000 + "\n" + json.dumps({"id": "a", "keywords": ["cat"]}) + "\n")
    ids, _, report = read_collection(p, on_error="skip")
    assert ids == ["a"] and report.skipped == [(1, "invalid JSON (nested too deeply)")]
