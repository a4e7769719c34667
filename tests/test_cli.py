"""The simvec command line, driven in-process with Typer's runner on the real GloVe vectors."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from conftest import data_path

runner = CliRunner()


def run(*args, input=None, ok=True):
    res = runner.invoke(app, list(args), input=input)
    if ok:
        assert res.exit_code == 0, res.output
    return res


def run_json(*args, input=None):
    return json.loads(run(*args, "--format", "json", "--quiet", input=input).stdout)


def test_similar_json_reports_jaccard_and_cosines(glove50):
    out = run_json("similar", "machine learning, neural network",
                   "deep learning, artificial intelligence")
    assert out["jaccard"] == 0.0
    # measured on GloVe 6B 50d: 0.79783 and 0.72072; the default score, hybrid, 0.54601 =
    # 0.2 x token Jaccard (1/7) + 0.8 x SIF best-match (0.64680)
    assert out["method"] == "hybrid" and out["score"] == pytest.approx(0.546011, abs=1e-5)
    assert out["encoder"] == "static:glove-6B-50d"
    assert out["mean_cosine"] == pytest.approx(0.797834, abs=1e-5)
    assert out["best_match_cosine"] == pytest.approx(0.720721, abs=1e-5)
    # the alignment behind the default score: tokens, with their keyword and SIF weight
    assert out["alignment_method"] == "sif_best_match" and out["alignment_level"] == "token"
    assert [m["token"] for m in out["alignment"]["a"]] == ["machine", "learning", "neural",
                                                           "network"]
    assert {m["keyword"] for m in out["alignment"]["a"]} == {"machine learning", "neural network"}
    assert out["alignment_score"] == pytest.approx(0.646800, abs=1e-5)  # the alignment part
    assert out["score"] == pytest.approx(0.2 / 7 + 0.8 * out["alignment_score"], abs=1e-6)
    assert out["vectors"] == "glove-6B-50d"


def test_similar_table_and_stdin(glove50):
    res = run("similar", "-", "football, stadium", input="machine learning, neural network\n")
    assert "jaccard" in res.stdout and "sif_best_match alignment (token level):" in res.stdout
    assert "partner token" in res.stdout and "weight" in res.stdout
    assert "machine learning" in res.stdout


def test_similar_all_oov_is_clear_not_nan(glove50):
    out = run_json("similar", "qqzzxq, wwvvkkq", "deep learning")
    assert out["mean_cosine"] is None and out["reason"]
    assert out["oov_a"] == ["qqzzxq", "wwvvkkq"]


def test_neighbors_batch_and_oov(glove50):
    out = run_json("neighbors", "king", "paris", "qqzzxq", "--topn", "3")
    assert set(out["neighbors"]) == {"king", "paris"}
    assert len(out["neighbors"]["king"]) == 3
    assert out["oov"] == ["qqzzxq"]
    expected = [w for w, _ in glove50.most_similar("paris", topn=3)]
    assert [n["word"] for n in out["neighbors"]["paris"]] == expected


def test_analogy(glove50):
    out = run_json("analogy", "man", "king", "woman", "--topn", "1")
    assert out["answers"][0]["word"] == "queen"


def test_evaluate_word_pairs_csv(glove50):
    path = data_path("similarity", "EN-RG-65.txt")
    res = run("evaluate", str(path), "--format", "csv", "--quiet")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows[0]["file"] == "EN-RG-65.txt"
    assert float(rows[0]["spearman"]) == pytest.approx(0.6020697, abs=1e-6)  # = gensim's


def test_keywords_collection(glove50, tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        '{"id": "ml", "keywords": ["machine learning", "neural network"]}\n'
        '{"id": "ai", "keywords": ["deep learning", "artificial intelligence"]}\n'
        '{"id": "sport", "keywords": ["football", "stadium", "goal"]}\n'
        'not json\n'
        '{"id": "soccer", "keywords": ["soccer", "match", "goal"]}\n'
    )
    bad = run("keywords", str(docs), "--top-k", "1", ok=False)
    assert bad.exit_code == 2 and "line 4" in bad.output
    out_file = tmp_path / "top.csv"
    run("keywords", str(docs), "--top-k", "1", "--on-error", "skip", "-o", str(out_file), "-q")
    rows = {r["id"]: r for r in csv.DictReader(out_file.open())}
    assert rows["ml"]["neighbor"] == "ai" and rows["sport"]["neighbor"] == "soccer"
    # {football, stadium, goal} and {soccer, match, goal} share 1 of 5 keywords
    assert float(rows["sport"]["jaccard"]) == pytest.approx(0.2) and float(rows["ml"]["jaccard"]) == 0


def test_convert_and_info_roundtrip(tmp_path):
    src = data_path("glove", "glove.6B.50d.head2446.txt")
    dst = tmp_path / "head.bin"
    run("convert", str(src), str(dst), "--to", "word2vec-binary", "--limit", "100", "-q")
    out = run_json("info", str(dst))
    assert out["format"] == "word2vec-binary" and out["count"] == 100
    assert out["vector_size"] == 50 and out["first_keys"][0] == "the"
    import simvec

    a, b = simvec.load(str(src), limit=100), simvec.load(str(dst))
    assert a.index_to_key == b.index_to_key and np.array_equal(a.vectors, b.vectors)


def test_info_lists_sources():
    out = run_json("info", "--sources")
    assert "glove-6B-50d" in out["sources"]


def test_unknown_source_and_missing_file_exit_2():
    res = run("neighbors", "king", "--vectors", "no-such-vectors", ok=False)
    assert res.exit_code == 2 and "glove-6B-50d" in res.output  # lists the known names
    res = run("evaluate", "/nonexistent/pairs.txt", ok=False)
    assert res.exit_code == 2 and "/nonexistent/pairs.txt" in res.output


def test_bad_format_option():
    res = run("info", "--sources", "--format", "yaml", ok=False)
    assert res.exit_code != 0
