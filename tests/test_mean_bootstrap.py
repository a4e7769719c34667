"""Bootstrap intervals of means (simvec.eval.mean_bootstrap) in keyword retrieval evaluation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import SimvecValueError
from simvec.eval.mean_bootstrap import (
    BOOTSTRAP_RESAMPLES, bootstrap_mean, paired_bootstrap_difference, resample_indices,
)
from simvec.eval.retrieval import (
    evaluate_keyword_retrieval, read_labeled_collection, retrieval_metrics,
)
from conftest import data_path

runner = CliRunner()


# ------------------------------------------------------------------------------ by hand


def test_interval_is_the_percentiles_of_the_resampled_means():
    x = np.array([1, 0, 1, 1, 0, 1, 1, 1], float)
    ci = bootstrap_mean(x, resamples=500, seed=3)
    means = np.concatenate([x[i].mean(axis=1) for i in resample_indices(8, 500, 3)])
    assert (ci.low, ci.high) == tuple(np.percentile(means, [2.5, 97.5]))
    assert ci.estimate == 0.75 and ci.n == 8 and ci.resamples == 500 and ci.seed == 3
    assert bootstrap_mean(x, resamples=500, seed=3) == ci  # fixed seed: reproducible
    assert BOOTSTRAP_RESAMPLES >= 1000


def test_resamples_do_not_depend_on_the_block_size():
    rows = np.concatenate(list(resample_indices(3, 10, seed=0)))
    assert rows.shape == (10, 3)
    one = np.random.default_rng(0).integers(0, 3, size=(10, 3))
    np.testing.assert_array_equal(rows, one)


def test_degenerate_and_paired_cases():
    ci = bootstrap_mean([0.4] * 50)
    assert ci.low == ci.high == pytest.approx(0.4)
    a = np.linspace(0, 1, 40)
    d = paired_bootstrap_difference(a + 0.25, a)
    # pairing removes the spread the two share: the difference is exactly 0.25 in every resample
    assert (d.estimate, d.low, d.high) == pytest.approx((0.25, 0.25, 0.25))
    assert d.excludes_zero
    unpaired = bootstrap_mean(a + 0.25)
    assert unpaired.high - unpaired.low > 0.1  # while each mean alone is uncertain
    same = paired_bootstrap_difference(a, a)
    assert (same.low, same.high) == (0.0, 0.0) and not same.excludes_zero


def test_width_matches_the_normal_approximation():
    # a Bernoulli mean with p = 0.8, n = 400: the 95 % interval is about 2 x 1.96 x 0.02 wide
    x = np.zeros(400)
    x[:320] = 1
    ci = bootstrap_mean(x)
    assert ci.high - ci.low == pytest.approx(2 * 1.96 * np.sqrt(0.8 * 0.2 / 400), rel=0.1)


def test_bad_input():
    with pytest.raises(SimvecValueError, match="values is empty"):
        bootstrap_mean([])
    with pytest.raises(SimvecValueError, match="one-dimensional"):
        bootstrap_mean([[1, 2], [3, 4]])
    with pytest.raises(SimvecValueError, match=r"values\[1\] is nan"):
        bootstrap_mean([1.0, float("nan")])
    with pytest.raises(SimvecValueError, match="resamples must be a positive integer"):
        bootstrap_mean([1.0], resamples=0)
    with pytest.raises(SimvecValueError, match="resamples must be a positive integer"):
        bootstrap_mean([1.0], resamples=True)
    with pytest.raises(SimvecValueError, match=r"level must be in \(0, 1\)"):
        bootstrap_mean([1.0], level=95)
    with pytest.raises(SimvecValueError, match="a has 2 values and b 3"):
        paired_bootstrap_difference([1, 0], [1, 0, 1])
    with pytest.raises(SimvecValueError, match=r"b\[0\] is inf"):
        paired_bootstrap_difference([1.0], [float("inf")])


def test_per_query_values_are_exposed():
    s = [[1, .9, .1], [.9, 1, .2], [.1, .2, 1]]
    r = retrieval_metrics(s, ["a", "a", "b"], k=2)
    np.testing.assert_array_equal(r.query_index, [0, 1, 2])
    np.testing.assert_allclose(r.precision_at_1_per_query, [1, 1, 0])
    assert r.precision_at_1 == np.mean(r.precision_at_1_per_query)
    assert r.map_at_k == np.mean(r.ap_at_k_per_query)
    r = retrieval_metrics(s, ["a", "a", "b"], k=2, queries=[False, True, True])
    np.testing.assert_array_equal(r.query_index, [1, 2])


def test_retrieval_settings_are_checked_before_scoring():
    ids, kws, labels = ["a", "b", "c"], [["x"], ["x"], ["y"]], ["l", "l", "m"]
    with pytest.raises(SimvecValueError, match="baseline 'mean' is not among"):
        evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_tokens"],
                                   baseline="mean")
    with pytest.raises(SimvecValueError, match="resamples"):
        evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_tokens"], resamples=-1)
    r = evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_phrases"])
    assert r.baseline == "jaccard_phrases" and r.differences == []  # first method by default
    with pytest.raises(SimvecValueError, match="'mean' was not evaluated"):
        r.method("mean")


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def semeval():
    return read_labeled_collection(data_path("keywords", "semeval2010_labeled.jsonl"),
                                   "acm_class", id_field="doc_id", keywords_field="keyphrases")


def test_semeval_jaccard_intervals(semeval):
    ids, kws, labels, _ = semeval
    r = evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_phrases", "jaccard_tokens"])
    assert r.baseline == "jaccard_tokens" and len(r.query_ids) == 243
    tok, phr = r.method("jaccard_tokens"), r.method("jaccard_phrases")
    # measured (2,000 resamples, seed 0): tokens 0.827 [0.778, 0.874], MAP@10 0.828 [0.802,
    # 0.854]; phrases 0.756 [0.704, 0.806]
    assert (tok.precision_at_1_ci.low, tok.precision_at_1_ci.high) == pytest.approx(
        (0.777726, 0.874486), abs=1e-5)
    assert (tok.map_at_k_ci.low, tok.map_at_k_ci.high) == pytest.approx(
        (0.801579, 0.853601), abs=1e-5)
    assert (phr.precision_at_1_ci.low, phr.precision_at_1_ci.high) == pytest.approx(
        (0.703979, 0.805812), abs=1e-5)
    # phrases lose to tokens by 0.071, and the paired interval excludes 0 although the two
    # single intervals overlap
    (d,) = r.differences
    assert (d.method, d.baseline) == ("jaccard_phrases", "jaccard_tokens")
    assert (d.precision_at_1.estimate, d.precision_at_1.low, d.precision_at_1.high) == \
        pytest.approx((-0.070967, -0.123088, -0.017098), abs=1e-5)
    assert d.precision_at_1.excludes_zero and phr.precision_at_1_ci.high > \
        tok.precision_at_1_ci.low
    assert len(tok.precision_at_1_per_query) == 243
    assert np.mean(tok.precision_at_1_per_query) == pytest.approx(tok.precision_at_1)
    # another seed moves the bounds by less than one query's weight
    other = evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_tokens"],
                                       bootstrap_seed=1).methods[0].precision_at_1_ci
    assert other.low == pytest.approx(0.7778, abs=0.01) and other.seed == 1


def test_semeval_default_gain_is_barely_outside_noise(semeval, glove50):
    ids, kws, labels, _ = semeval
    r = evaluate_keyword_retrieval(ids, kws, labels, glove50,
                                   methods=["jaccard_tokens", "sif_best_match"])
    (d,) = r.differences
    # measured: +0.045 [+0.002, +0.091]: 11 more documents of 243, the interval just above 0
    assert d.precision_at_1.estimate == pytest.approx(0.045268, abs=1e-5)
    assert (d.precision_at_1.low, d.precision_at_1.high) == pytest.approx(
        (0.002058, 0.090535), abs=1e-5)
    assert d == r.difference("sif_best_match", "jaccard_tokens")


def test_cli_json_keeps_keys_and_adds_intervals(semeval, tmp_path):
    path = data_path("keywords", "semeval2010_labeled.jsonl")
    res = runner.invoke(app, [
        "evaluate-keywords", str(path), "--label", "acm_class", "--id-field", "doc_id",
        "--keywords-field", "keyphrases", "-m", "jaccard_tokens", "-m", "jaccard_phrases",
        "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    m = {x["method"]: x for x in out["methods"]}
    for key in ("method", "description", "precision_at_1", "map_at_k", "seconds", "no_vector"):
        assert key in m["jaccard_tokens"]  # the keys that were there before
    assert m["jaccard_tokens"]["precision_at_1_ci"]["low"] == pytest.approx(0.777726, abs=1e-5)
    assert m["jaccard_tokens"]["precision_at_1_ci"]["resamples"] == 2000
    assert len(m["jaccard_phrases"]["ap_at_k_per_query"]) == len(out["query_ids"]) == 243
    assert out["baseline"] == "jaccard_tokens" and out["bootstrap"]["seed"] == 0
    (d,) = out["differences"]
    assert d["precision_at_1"]["high"] == pytest.approx(-0.017098, abs=1e-5)
    res = runner.invoke(app, [
        "evaluate-keywords", str(path), "--label", "acm_class", "--id-field", "doc_id",
        "--keywords-field", "keyphrases", "-m", "jaccard_tokens", "-m", "jaccard_phrases",
        "--quiet"], terminal_width=300)
    assert res.exit_code == 0, res.output
    assert "0.778-0.874" in res.stdout and "-0.071 [-0.123, -0.017]" in res.stdout
    assert "bootstrap over the 243 queries" in res.stdout
