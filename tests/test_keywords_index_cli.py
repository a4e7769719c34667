"""``simvec keywords DOCS --index INDEX -o OUT.jsonl``: all-pairs top-k through an index (built
on the fly when absent), on the real SemEval-2010 collection, against the exact path."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import data_path

pytest.importorskip("faiss")

from simvec.cli.app import app  # noqa: E402


FIELDS = ("--id-field", "doc_id", "--keywords-field", "keyphrases")


def _run(*args):
    res = CliRunner().invoke(app, [str(a) for a in args] + list(FIELDS))
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def semeval():
    return data_path("keywords", "semeval2010_labeled.jsonl")


def test_keywords_through_an_index_equals_the_exact_top_k(semeval, tmp_path, glove50):
    code, out = _run("keywords", semeval, "-k", "5", "-f", "json", "-q")
    assert code == 0, out
    exact = {}
    for r in json.loads(out)["rows"]:
        exact.setdefault(r["id"], []).append((r["neighbor"], r["score"]))
    # 243 documents, 242 candidates: every other document is re-ranked, so the two-stage
    # answer must be the exact one (the index is built here first: INDEX does not exist)
    code, out = _run("keywords", semeval, "-k", "5", "--index", tmp_path / "ix",
                     "--candidates", "242", "-o", tmp_path / "top5.jsonl", "-q")
    assert code == 0, out
    assert (tmp_path / "ix" / "meta.json").is_file() and (tmp_path / "ix.emb.npy").is_file()
    got = [json.loads(line) for line in (tmp_path / "top5.jsonl").read_text().splitlines()]
    assert len(got) == 243 == len(exact)
    same_top1 = sum(g["neighbors"][0]["id"] == exact[g["id"]][0][0] for g in got)
    assert same_top1 == 243
    for g in got:
        np.testing.assert_allclose([n["score"] for n in g["neighbors"]],
                                   [s for _, s in exact[g["id"]]], atol=1e-5)
    # the index exists now: it is reused, and the finished output is not redone
    code, out = _run("keywords", semeval, "-k", "5", "--index", tmp_path / "ix",
                     "--candidates", "242", "-o", tmp_path / "top5.jsonl")
    assert code == 0, out
    assert "243 documents" in out


@pytest.mark.parametrize("args, flag, text", [
    (["--index", "IX"], "--output", "required with --index"),
    (["--candidates", "5"], "--candidates", "with --index only"),
    (["--index", "IX", "-o", "o.jsonl", "-m", "wmd"], "--method", "cannot re-rank"),
    (["--index", "IX", "-o", "o.jsonl", "-m", "soft_cosine"], "--method", "cannot re-rank"),
    (["--index", "IX", "-o", "o.jsonl", "--tokenizer", "jieba"], "--index", "default tokenizer"),
])
def test_keywords_index_flag_errors(semeval, tmp_path, args, flag, text):
    args = [str(tmp_path / a) if a in ("IX", "o.jsonl") else a for a in args]
    code, out = _run("keywords", semeval, *args, "-q")
    assert code == 2 and flag in out and text in out and "Traceback" not in out
    assert not (tmp_path / "IX").exists()
