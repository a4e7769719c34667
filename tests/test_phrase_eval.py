"""Phrase / sentence-pair benchmarks (simvec.eval.phrases) and `simvec evaluate` on them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_path
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.eval.phrases import detect_pair_format, evaluate_text_pairs, read_text_pairs
from simvec.vectors.keyed import KeyedVectors

runner = CliRunner()

BIRD_HEAD = ("pair\tterm1\tterm2\tterm2: unigram or bigram\tsource\trelation\t"
             "relatedness score\tpos\n")


@pytest.fixture
def toy():
    vecs = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.2], [0, 0, 1]], np.float32)
    return KeyedVectors(vecs, ["cat", "kitten", "car", "truck", "tree"])


def _bird(tmp_path, rows):
    p = tmp_path / "bird.txt"
    p.write_text(BIRD_HEAD + "".join(
        f"(x)\t{a}\t{b}\tunigram\tsrc\tNone\t{s}\tn-n\n" for a, b, s in rows))
    return p


def test_bird_layout_read_by_header(tmp_path):
    p = _bird(tmp_path, [("cat", "kitten", "0.9"), ("cat car", "tree", "0.1")])
    assert detect_pair_format(p) == "header"
    pairs = read_text_pairs(p)
    assert pairs.text1 == ["cat", "cat car"] and pairs.text2 == ["kitten", "tree"]
    np.testing.assert_allclose(pairs.scores, [0.9, 0.1])
    assert pairs.lines == [2, 3]


def test_missing_score_raises_with_line_or_is_skipped(tmp_path):
    p = _bird(tmp_path, [("cat", "kitten", "0.9"), ("cat", "car", ""), ("car", "truck", "0.8"),
                         ("tree", "car", "n/a")])
    with pytest.raises(InputFormatError, match=r"line 3: missing or non-numeric score ''"):
        read_text_pairs(p)
    pairs = read_text_pairs(p, on_error="skip")
    assert len(pairs.scores) == 2 and [line for line, _ in pairs.skipped] == [3, 5]
    sts = tmp_path / "sts.csv"
    sts.write_text("g\tf\t2012\t1\t2.5\ta cat\ta kitten\ng\tf\t2012\t2\t\ta car\ta tree\n")
    with pytest.raises(InputFormatError, match="line 2.*score"):
        read_text_pairs(sts)
    short = tmp_path / "short.csv"
    short.write_text("g\tf\t2012\t1\t2.5\ta cat\ta kitten\ng\tf\t2012\n")
    with pytest.raises(InputFormatError, match="line 2: 3 fields"):
        read_text_pairs(short)


def test_detection_leaves_word_pairs_and_analogies_alone(tmp_path):
    w = tmp_path / "ws.txt"
    w.write_text("cat\tkitten\t9.0\n")
    a = tmp_path / "an.txt"
    a.write_text(": capital\nathens greece berlin germany\n")
    assert detect_pair_format(w) is None and detect_pair_format(a) is None
    with pytest.raises(InputFormatError, match="cannot tell the layout"):
        read_text_pairs(w)
    assert read_text_pairs(w, columns=(0, 1, 2)).text2 == ["kitten"]
    with pytest.raises(SimvecFileNotFoundError):
        read_text_pairs(tmp_path / "nope.txt")


def test_scores_by_hand(toy, tmp_path):
    p = _bird(tmp_path, [("cat", "kitten", "1"), ("cat", "car", "0"), ("car", "truck", "0.8"),
                         ("unicorn", "cat", "0.5")])
    res, pairs = evaluate_text_pairs(toy, p, methods=["mean", "jaccard_tokens"])
    mean, jac = res
    assert mean.pairs_used == 3 and mean.oov_pairs == 1 and jac.pairs_used == 4
    assert mean.spearman == pytest.approx(1.0)  # cos: 0.994, 0, 0.976 -> same order as 1, 0, .8
    with pytest.raises(SimvecValueError, match="unknown phrase-pair method"):
        evaluate_text_pairs(toy, pairs, methods=["wmd"])


def test_bird_real(glove50):
    res, pairs = evaluate_text_pairs(glove50, data_path("phrase", "BiRD.txt"))
    assert len(pairs.scores) == 3345 and pairs.format == "header"
    sp = {r.method: r.spearman for r in res}
    # measured: mean 0.488 (issue: 0.486), SIF 0.594, token Jaccard 0.349
    assert sp["mean"] == pytest.approx(0.488306, abs=1e-4)
    assert sp["sif"] == pytest.approx(0.594218, abs=1e-4)
    assert sp["jaccard_tokens"] == pytest.approx(0.349210, abs=1e-4)


def test_cli_sts_test_json(glove50):
    path = data_path("phrase", "stsbenchmark", "sts-test.csv")
    res = runner.invoke(app, ["evaluate", str(path), "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert f["kind"] == "text_pairs" and f["format"] == "sts" and f["pairs"] == 1379
    sp = {m["method"]: m["spearman"] for m in f["methods"]}
    # measured: mean 0.412 (issue: 0.413), SIF 0.574, SIF best-match 0.583
    assert sp["mean"] == pytest.approx(0.411668, abs=1e-4)
    assert sp["sif"] == pytest.approx(0.574417, abs=1e-4)
    assert sp["sif_best_match"] == pytest.approx(0.582811, abs=1e-4)
