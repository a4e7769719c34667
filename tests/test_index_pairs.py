"""Resumable all-pairs output (simvec.index.pairs, ``simvec index pairs``): a run killed after
its first chunk resumes there, and the finished file equals an uninterrupted run's byte for byte.

Real data: the shared 500N-KPCrowd collection (500 documents) with GloVe 6B 50d; chunks of 100
documents, so an interruption after the first chunk leaves four to do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import data_path

from simvec.errors import SimvecFileNotFoundError, SimvecValueError
from simvec.index.encode import encode_file
from simvec.index.pairs import all_pairs_to_file, progress_path, write_pairs
from simvec.index.search import all_pairs

ROOT = Path(__file__).resolve().parents[1]
KW = {"id_field": "doc_id", "keywords_field": "keyphrases"}


@pytest.fixture(scope="module")
def kp_emb(glove50, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pairs")
    src = data_path("keywords", "kpcrowd500n_labeled.jsonl")
    return encode_file(src, glove50, tmp / "kp.npy", **KW)


def _killed_run(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)


def test_sigkill_after_first_chunk_then_resume_equals_uninterrupted(kp_emb, tmp_path):
    full = tmp_path / "full.jsonl"
    res = all_pairs_to_file(kp_emb.path, full, 10, chunk_rows=100)
    assert res == {"out": str(full), "documents": 500, "resumed_from": 0, "mode": "exact",
                   "top_k": 10}
    lines = [json.loads(x) for x in full.read_text().splitlines()]
    assert [x["id"] for x in lines] == kp_emb.ids
    # rows equal one all_pairs call over everything (chunks of 100 rows, not 1,024: the
    # kernel's per-row result does not depend on the batch here)
    idx, val = all_pairs(kp_emb, 10)
    assert [n["id"] for n in lines[3]["neighbors"]] == [kp_emb.ids[j] for j in idx[3]]
    assert lines[3]["neighbors"][0]["score"] == pytest.approx(float(val[3, 0]), abs=1e-6)
    assert not progress_path(full).exists() and not (tmp_path / "full.jsonl.partial").exists()

    out = tmp_path / "pairs.jsonl"
    script = f"""
import os, signal
from simvec.index.pairs import all_pairs_to_file
def kill(done, total):
    if done >= 100:
        os.kill(os.getpid(), signal.SIGKILL)
all_pairs_to_file({str(kp_emb.path)!r}, {str(out)!r}, 10, chunk_rows=100, progress=kill)
"""
    proc = _killed_run(script, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not out.exists()
    rec = json.loads(progress_path(out).read_text())
    assert rec["rows"] == 100 and rec["manifest"]["top_k"] == 10
    partial = tmp_path / "pairs.jsonl.partial"
    assert partial.stat().st_size == rec["bytes"]
    assert partial.read_bytes() == full.read_bytes()[:rec["bytes"]]
    with open(partial, "ab") as f:  # as if killed in the middle of writing the second chunk
        f.write(b'{"id": "half a line')
    seen = []
    res = all_pairs_to_file(kp_emb.path, out, 10, chunk_rows=100,
                            progress=lambda d, t: seen.append(d))
    assert res["resumed_from"] == 100 and seen == [100, 200, 300, 400, 500]
    assert out.read_bytes() == full.read_bytes()
    assert not progress_path(out).exists() and not partial.exists()


def test_changed_options_start_over(kp_emb, tmp_path):
    out = tmp_path / "p.jsonl"

    def stop(done, total):
        if done >= 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        all_pairs_to_file(kp_emb.path, out, 5, chunk_rows=100, progress=stop)
    assert json.loads(progress_path(out).read_text())["rows"] == 200
    # another k: the record does not apply
    assert all_pairs_to_file(kp_emb.path, out, 3, chunk_rows=100)["resumed_from"] == 0
    assert all(len(json.loads(x)["neighbors"]) == 3 for x in out.read_text().splitlines())
    with pytest.raises(KeyboardInterrupt):
        all_pairs_to_file(kp_emb.path, out, 5, chunk_rows=100, progress=stop)
    assert all_pairs_to_file(kp_emb.path, out, 5, chunk_rows=100,
                             resume=False)["resumed_from"] == 0


def test_write_pairs_bad_input(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="does not exist"):
        write_pairs(tmp_path / "no" / "x.jsonl", ["a"], lambda a, b: None, chunk_rows=1,
                    manifest={})
    with pytest.raises(SimvecValueError, match="chunk_rows"):
        write_pairs(tmp_path / "x.jsonl", ["a"], lambda a, b: None, chunk_rows=0, manifest={})
    with pytest.raises(SimvecValueError, match=r"compute\(0, 2\) returned 1 rows"):
        write_pairs(tmp_path / "x.jsonl", ["a", "b"],
                    lambda a, b: (np.zeros((1, 1), int), np.zeros((1, 1))), chunk_rows=2,
                    manifest={})


def test_cli_two_stages_sigint_then_resume(glove50, tmp_path):
    """``simvec index pairs INDEX``: Ctrl-C (SIGINT) after the first chunk, then the same
    command again: the file equals an uninterrupted run's."""
    pytest.importorskip("usearch")
    pytest.importorskip("faiss")
    from typer.testing import CliRunner

    from simvec.cli.app import app

    src = data_path("keywords", "kpcrowd500n_labeled.jsonl")
    run = CliRunner().invoke
    ix = tmp_path / "ix"
    res = run(app, ["index", "build", str(src), "-o", str(ix), "--id-field", "doc_id",
                    "--keywords-field", "keyphrases", "-q"])
    assert res.exit_code == 0, res.output
    full = tmp_path / "full.jsonl"
    res = run(app, ["index", "pairs", str(ix), "-o", str(full), "-k", "5", "--chunk-size", "100",
                    "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["mode"] == "two-stage"
    lines = [json.loads(x) for x in full.read_text().splitlines()]
    assert len(lines) == 500 and all(len(x["neighbors"]) == 5 for x in lines)
    assert all(x["id"] not in {n["id"] for n in x["neighbors"]} for x in lines)

    out = tmp_path / "pairs.jsonl"
    script = f"""
import os, signal, sys
import simvec.index.pairs as P
orig = P.write_pairs
def interrupted(*a, progress=None, **kw):
    def prog(done, total):
        progress(done, total)
        if done >= 100:
            os.kill(os.getpid(), signal.SIGINT)
    return orig(*a, progress=prog, **kw)
P.write_pairs = interrupted
from simvec.cli.app import main
sys.argv = ["simvec", "index", "pairs", {str(ix)!r}, "-o", {str(out)!r}, "-k", "5",
            "--chunk-size", "100", "-q"]
main()
"""
    proc = _killed_run(script, tmp_path)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert json.loads(progress_path(out).read_text())["rows"] == 100 and not out.exists()
    res = run(app, ["index", "pairs", str(ix), "-o", str(out), "-k", "5", "--chunk-size", "100",
                    "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["resumed_from"] == 100
    assert out.read_bytes() == full.read_bytes()


def test_cli_pairs_errors_and_old_spellings(kp_emb, tmp_path):
    from typer.testing import CliRunner

    from simvec.cli.app import app

    run = CliRunner().invoke
    res = run(app, ["index", "pairs", str(kp_emb.path), "-q"])
    assert res.exit_code == 2 and "--output/-o is required" in res.output
    res = run(app, ["index", "pairs", str(tmp_path / "none.npy"), "-o", str(tmp_path / "x"),
                    "-q"])
    assert res.exit_code == 2 and "none.npy" in res.output
    res = run(app, ["index", "pairs", str(kp_emb.path), "--out", str(tmp_path / "old.jsonl"),
                    "-k", "2", "-q"])
    assert res.exit_code == 0, res.output
    assert "--out is deprecated" in res.output
    assert len((tmp_path / "old.jsonl").read_text().splitlines()) == 500
    res = run(app, ["index", "pairs", str(kp_emb.path), "-o", str(tmp_path / "x"), "-k", "0"])
    assert res.exit_code == 2 and "--top-k" in res.output
    res = run(app, ["index", "pairs", str(kp_emb.path), "-o", str(tmp_path / "x"), "-f", "xml"])
    assert res.exit_code == 2 and "--format" in res.output
