"""`simvec train`: trains, writes every format, resumes, and fails cleanly on bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import data_path
from simvec.cli.app import app
from simvec.vectors.formats import load_vectors

runner = CliRunner()


def _lee_tokens(tmp_path):
    from simvec.text.corpus import TextCorpus

    p = tmp_path / "lee.txt"
    p.write_text("\n".join(" ".join(s) for s in TextCorpus(data_path("corpus", "lee_background.cor"))))
    return p


@pytest.mark.parametrize("fmt, name", [("word2vec", "v.txt"), ("native", "v")])
def test_train_writes_vectors(tmp_path, fmt, name):
    corpus = _lee_tokens(tmp_path)
    out = tmp_path / name
    r = runner.invoke(app, ["train", str(corpus), "-o", str(out), "--format", fmt, "--sg",
                            *(["--shared-negatives", "--cache-dir", str(tmp_path)]
                              if fmt == "native" else []),
                            "--min-count", "2", "--epochs", "2", "--vector-size", "20",
                            "--workers", "1", "--no-progress", "-q"])
    assert r.exit_code == 0, r.output
    kv = load_vectors(out, format=fmt)
    assert kv.vector_size == 20 and kv.index_to_key[0] == "the" and len(kv) == 4078
    assert "skip-gram" in r.output and "loss per epoch" in r.output


def test_train_raw_text_with_tokenizer_and_checkpoint_resume(tmp_path):
    raw = data_path("corpus", "lee_background.cor")
    ck = tmp_path / "ck"
    args = ["train", str(raw), "-o", str(tmp_path / "v.txt"), "-f", "word2vec", "--tokenizer",
            "regex", "--min-count", "2", "--epochs", "2", "--vector-size", "16", "--workers", "1",
            "--checkpoint", str(ck), "--no-progress", "-q"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    state = json.loads((ck / "model.json").read_text())["state"]
    assert state["epoch"] == 2
    r = runner.invoke(app, args + ["--resume", "--save-model", str(tmp_path / "m")])
    assert r.exit_code == 0, r.output  # nothing left: finishes at once and rewrites the vectors
    assert (tmp_path / "m" / "model.json").is_file()


@pytest.mark.parametrize("extra, msg", [
    (["--vector-size", "0"], "vector_size must be a positive integer, got 0"),
    (["--window", "0"], "window"), (["--negative", "-1"], "negative"),
    (["--sample", "-0.1"], "sample"), (["--format", "xml"], "--format"),
    (["--min-count", "1000000"], "min_count=1000000"), (["--resume"], "--checkpoint"),
])
def test_train_bad_input_exit_2(tmp_path, extra, msg):
    corpus = _lee_tokens(tmp_path)
    r = runner.invoke(app, ["train", str(corpus), "-o", str(tmp_path / "v"), "-q",
                            "--no-progress"] + extra)
    assert r.exit_code == 2, r.output
    assert msg in r.output


def test_train_missing_and_non_utf8(tmp_path):
    r = runner.invoke(app, ["train", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "v"), "-q"])
    assert r.exit_code == 2 and "nope.txt" in r.output
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a b c\n" * 10 + b"a \xfe b\n")
    r = runner.invoke(app, ["train", str(bad), "-o", str(tmp_path / "v"), "-q", "--min-count", "1"])
    assert r.exit_code == 2 and "line 11" in r.output
    r = runner.invoke(app, ["train", str(bad), "-o", str(tmp_path / "v"), "-q", "--min-count", "1",
                            "--unicode-errors", "skip", "--no-progress", "--workers", "1"])
    assert r.exit_code == 0, r.output
