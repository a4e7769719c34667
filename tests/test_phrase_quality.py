"""STS Benchmark test with corpus SIF probabilities and all-but-the-top (docs/phrase-quality.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_path
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import SimvecValueError
from simvec.eval.phrases import evaluate_text_pairs, read_text_pairs, score_text_pairs
from simvec.vectors.keyed import KeyedVectors

runner = CliRunner()


def test_sts_test_corpus_frequencies(glove50):
    path = data_path("phrase", "stsbenchmark", "sts-test.csv")
    pairs = read_text_pairs(path)
    (r,), _ = evaluate_text_pairs(glove50, pairs, ["sif_best_match"],
                                  word_probabilities="corpus", bootstrap=1000)
    # measured (docs/phrase-quality.md): 0.612 [0.575, 0.650]; with Zipf weights 0.583
    assert r.spearman == pytest.approx(0.612254, abs=1e-4)
    assert (r.spearman_low, r.spearman_high) == pytest.approx((0.575004, 0.649659), abs=1e-3)
    assert r.bootstrap_resamples == 1000
    scores, _ = score_text_pairs(glove50, pairs, ["sif_best_match"], word_probabilities="corpus")
    from scipy.stats import spearmanr

    assert spearmanr(scores["sif_best_match"], pairs.scores)[0] == pytest.approx(r.spearman)


def test_sif_component_from_reference_texts(glove50):
    test = read_text_pairs(data_path("phrase", "stsbenchmark", "sts-test.csv"))
    dev = read_text_pairs(data_path("phrase", "stsbenchmark", "sts-dev.csv"))
    own, _ = evaluate_text_pairs(glove50, test, ["sif"], word_probabilities="corpus")
    ref, _ = evaluate_text_pairs(glove50, test, ["sif"], word_probabilities="corpus",
                                 sif_reference=dev)
    # measured: component of the test file's own texts 0.593, of the dev sentences 0.592
    # (of the train sentences 0.581, docs/phrase-quality.md)
    assert own[0].spearman == pytest.approx(0.592662, abs=1e-4)
    assert ref[0].spearman == pytest.approx(0.592028, abs=1e-4)
    assert np.isnan(own[0].spearman_low) and own[0].bootstrap_resamples == 0


def test_reference_and_bootstrap_bad_input(tmp_path):
    kv = KeyedVectors(np.array([[1, 0], [0.6, 0.8], [0, 1]], np.float32), ["cat", "car", "dog"])
    p = tmp_path / "p.txt"
    p.write_text("term1\tterm2\tscore\ncat\tdog\t1\ncar\tdog\t2\ncat\tcar\t3\n")
    with pytest.raises(SimvecValueError, match="sif_reference: the common component needs at "
                                               "least 2 texts"):
        evaluate_text_pairs(kv, p, ["sif"], sif_reference=["unicorn", "cat"])
    with pytest.raises(SimvecValueError, match=r"sif_reference\[1\] must be a str"):
        evaluate_text_pairs(kv, p, ["sif"], sif_reference=["cat", 3])
    with pytest.raises(SimvecValueError, match="bootstrap must be a non-negative integer"):
        evaluate_text_pairs(kv, p, ["sif"], bootstrap=-1)
    with pytest.raises(SimvecValueError, match="word_probabilities has 2 values for 3 vectors"):
        evaluate_text_pairs(kv, p, ["sif"], word_probabilities=[0.5, 0.5])
    # a component given by reference texts is the one removed
    (r,), _ = evaluate_text_pairs(kv, p, ["sif"], sif_reference=["cat", "cat car"])
    assert r.pairs_used == 3


def test_cli_options_json_and_errors(glove50, tmp_path):
    path = data_path("phrase", "stsbenchmark", "sts-test.csv")
    res = runner.invoke(app, ["evaluate", str(path), "--word-frequencies", "corpus",
                              "--all-but-the-top", "--bootstrap", "200", "--format", "json",
                              "--quiet"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert f["word_frequencies"] == "corpus" and f["all_but_the_top"] is True
    m = {x["method"]: x for x in f["methods"]}["sif_best_match"]
    # measured (docs/phrase-quality.md): corpus p(w) + all-but-the-top 0.635 [0.600, 0.670]
    assert m["spearman"] == pytest.approx(0.634570, abs=1e-4)
    assert m["bootstrap_resamples"] == 200 and m["spearman_low"] < 0.6346 < m["spearman_high"]
    bad = runner.invoke(app, ["evaluate", str(path), "--word-frequencies", "enwiki"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == ("simvec: error: --word-frequencies must be zipf or corpus or "
                                  "a word<TAB>count file; no such file: enwiki")
    bad = runner.invoke(app, ["evaluate", str(path), "--sif-reference", str(tmp_path / "no.csv")])
    assert bad.exit_code == 2 and "no such --sif-reference file" in bad.stderr
    counts = tmp_path / "c.tsv"
    counts.write_text("the\t5\nthe\t6\n")
    bad = runner.invoke(app, ["evaluate", str(path), "--word-frequencies", str(counts)])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("simvec: error: ") and "c.tsv, line 2: word 'the' is listed " \
        "twice" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
