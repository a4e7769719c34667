"""Retrieval evaluation of keyword similarity (simvec.eval.retrieval) and `simvec evaluate-keywords`."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import InputFormatError, SimvecValueError
from simvec.eval.retrieval import (
    evaluate_keyword_retrieval, read_labeled_collection, retrieval_metrics,
)
from conftest import data_path

runner = CliRunner()


# ------------------------------------------------------------------------------ metrics


def test_precision_at_1_counts_ties_by_expectation():
    s = np.array([[0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], float)
    y = ["a", "a", "b", "b"]
    r = retrieval_metrics(s, y, k=3, queries=[True, False, False, False])
    assert r.precision_at_1 == 0.5 and r.n_queries == 1  # tie between a relevant and a wrong one
    # doc 3: everything tied at 0 -> share of relevant among all three candidates
    r = retrieval_metrics(s, y, k=3, queries=[False, False, False, True])
    assert r.precision_at_1 == pytest.approx(1 / 3)


def test_map_normalisations_by_hand():
    # ranking for query 0: 1 (rel), 2 (not), 3 (rel); R = 3 relevant (1, 3, 4)
    s = np.array([[0, .9, .8, .7, .1], [0] * 5, [0] * 5, [0] * 5, [0] * 5], float)
    y = ["a", "a", "b", "a", "a"]
    q = [True, False, False, False, False]
    r = retrieval_metrics(s, y, k=3, queries=q)
    assert r.map_at_k == pytest.approx((1 + 2 / 3) / 2)  # over the 2 hits in the top 3
    r = retrieval_metrics(s, y, k=3, queries=q, map_normalization="min_k_r")
    assert r.map_at_k == pytest.approx((1 + 2 / 3) / 3)  # over min(k, R) = 3


def test_nan_scores_rank_last():
    s = np.array([[0, np.nan, 0.1], [np.nan, 0, np.nan], [0.1, np.nan, 0]])
    r = retrieval_metrics(s, ["a", "b", "a"], k=2, queries=[True, False, False])
    assert r.precision_at_1 == 1.0


def test_metric_errors():
    with pytest.raises(SimvecValueError, match="shape"):
        retrieval_metrics(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(SimvecValueError, match="k must"):
        retrieval_metrics(np.zeros((2, 2)), ["a", "b"], k=0)
    with pytest.raises(SimvecValueError, match="map_normalization"):
        retrieval_metrics(np.zeros((2, 2)), ["a", "b"], map_normalization="x")


# ------------------------------------------------------------------------------ bad input

DOCS = "\n".join(json.dumps(d) for d in [
    {"id": "a", "keywords": ["cat", "kitten"], "topic": "pets"},
    {"id": "b", "keywords": ["kitten", "dog"], "topic": "pets"},
    {"id": "c", "keywords": ["car", "truck"], "topic": "cars"},
    {"id": "d", "keywords": ["truck", "road"], "topic": "cars"},
    {"id": "e", "keywords": ["cat", "road"]},                       # line 5: no label
    {"id": "f", "keywords": [], "topic": "pets"},                   # empty keyword list
    {"id": "g", "keywords": ["opera", "cat", "violin"], "topic": "music"},  # label once
    {"id": "h", "keywords": ["dog"], "topic": None},                # line 8: null label
]) + "\n"


def test_missing_label_skipped_with_line_numbers():
    ids, kws, labels, report = read_labeled_collection(io.StringIO(DOCS), "topic")
    assert ids == list("abcdfg") and labels == ["pets", "pets", "cars", "cars", "pets", "music"]
    assert report.missing_label == [5, 8]
    assert [line for line, _ in report.skipped] == [5, 8]
    assert "'topic'" in report.skipped[0][1]


def test_missing_label_raises_when_asked():
    with pytest.raises(InputFormatError, match=r"line 5.*no label.*'topic'"):
        read_labeled_collection(io.StringIO(DOCS), "topic", on_missing_label="raise")
    with pytest.raises(InputFormatError, match="line 1.*must be a string or an integer"):
        read_labeled_collection(io.StringIO('{"id": 1, "keywords": [], "topic": [1]}\n'),
                                "topic")


def test_csv_labels(tmp_path):
    p = tmp_path / "docs.csv"
    p.write_text("id,keywords,topic\n1,cat;dog,pets\n2,car,\n3,truck;road,cars\n")
    ids, kws, labels, report = read_labeled_collection(p, "topic")
    assert ids == ["1", "3"] and labels == ["pets", "cars"] and report.missing_label == [3]
    with pytest.raises(InputFormatError, match="no column 'label'"):
        read_labeled_collection(p, "label")


def test_empty_keywords_and_singleton_labels_are_reported():
    ids, kws, labels, _ = read_labeled_collection(io.StringIO(DOCS), "topic")
    r = evaluate_keyword_retrieval(ids, kws, labels, methods=["jaccard_phrases", "jaccard_tokens"])
    assert r.empty_keywords == ["f"]
    assert r.singleton_labels == {"music": "g"}
    assert r.n_queries == 4 and r.n_candidates == 5 and r.n_documents == 6
    assert r.labels == {"cars": 2, "music": 1, "pets": 2}
    # every query finds its pair (g shares "cat" with a but is never a query)
    assert [m.precision_at_1 for m in r.methods] == [1.0, 1.0]
    d = r.to_dict()
    assert d["methods"][0]["method"] == "jaccard_phrases" and "seconds" in d["methods"][0]


def test_evaluation_errors():
    with pytest.raises(SimvecValueError, match="same length"):
        evaluate_keyword_retrieval(["a"], [["x"], ["y"]], ["l"], methods=["jaccard_tokens"])
    with pytest.raises(SimvecValueError, match="unknown method"):
        evaluate_keyword_retrieval(["a", "b"], [["x"], ["y"]], ["l", "l"], methods=["cosine"])
    with pytest.raises(SimvecValueError, match="no label"):
        evaluate_keyword_retrieval(["a", "b"], [["x"], ["y"]], ["l", None],
                                   methods=["jaccard_tokens"])
    with pytest.raises(SimvecValueError, match="every label occurs once"):
        evaluate_keyword_retrieval(["a", "b"], [["x"], ["y"]], ["l", "m"],
                                   methods=["jaccard_tokens"])


def test_cli_bad_input_reported(tmp_path):
    p = tmp_path / "docs.jsonl"
    p.write_text(DOCS)
    res = runner.invoke(app, ["evaluate-keywords", str(p), "--label", "topic",
                              "-m", "jaccard_tokens", "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["missing_label_lines"] == [5, 8] and out["vectors"] is None
    assert [s["line"] for s in out["skipped"]] == [5, 8]
    assert out["empty_keywords"] == ["f"] and out["singleton_labels"] == {"music": "g"}
    res = runner.invoke(app, ["evaluate-keywords", str(p), "--label", "topic",
                              "-m", "jaccard_tokens", "--on-missing-label", "raise", "--quiet"])
    assert res.exit_code == 2 and "line 5" in res.stderr


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def semeval():
    return read_labeled_collection(data_path("keywords", "semeval2010_labeled.jsonl"),
                                   "acm_class", id_field="doc_id", keywords_field="keyphrases")


def test_semeval_default_beats_token_jaccard(semeval, glove50):
    ids, kws, labels, report = semeval
    assert len(ids) == 243 and not report.skipped
    r = evaluate_keyword_retrieval(ids, kws, labels, glove50,
                                   methods=["jaccard_tokens", "mean", "sif_best_match"])
    p1 = {m.method: m.precision_at_1 for m in r.methods}
    # measured 0.827 / 0.737 / 0.872 (201 / 179 / 212 of 243); chance is about 0.25
    assert p1["jaccard_tokens"] == pytest.approx(0.827160, abs=1e-3)
    assert p1["mean"] == pytest.approx(0.736626, abs=1e-3)
    assert p1["sif_best_match"] == pytest.approx(0.872428, abs=1e-3)
    assert p1["mean"] < p1["jaccard_tokens"]  # the plain mean does not beat Jaccard here
    assert p1["sif_best_match"] > p1["jaccard_tokens"] + 0.02
    assert r.chance_precision_at_1 == pytest.approx(0.247220, abs=1e-6)


def test_cli_kpcrowd_json(glove50):
    path = data_path("keywords", "kpcrowd500n_labeled.jsonl")
    res = runner.invoke(app, [
        "evaluate-keywords", str(path), "--label", "category", "--id-field", "doc_id",
        "--keywords-field", "keyphrases", "-m", "jaccard_tokens", "-m", "sif",
        "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_queries"] == 500 and out["k"] == 10 and out["labels"]["sports"] == 50
    m = {x["method"]: x for x in out["methods"]}
    # measured: precision@1 0.574 and 0.690, MAP@10 0.6240 and 0.7386 (chance 0.098)
    assert m["jaccard_tokens"]["precision_at_1"] == pytest.approx(0.574, abs=1e-3)
    assert m["jaccard_tokens"]["map_at_k"] == pytest.approx(0.624025, abs=1e-4)
    assert m["sif"]["precision_at_1"] == pytest.approx(0.690, abs=1e-3)
    assert m["sif"]["map_at_k"] == pytest.approx(0.738635, abs=1e-4)
    assert m["sif"]["seconds"] >= 0
