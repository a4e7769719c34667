"""docs/cli.md's examples of `plot words`, `convert --to tensorboard` and `serve` run as written
and print what the page shows; their --help shows the example (issue 12, "Done when")."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simvec.cli.app import EXAMPLES, app

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
runner = CliRunner()


def _console(command: str) -> tuple[list[str], str]:
    """The `$ COMMAND` line of docs/cli.md and the output line shown under it."""
    m = re.search(r"^\$ (" + re.escape(command) + r")\n(.*)$", CLI_MD, re.M)
    assert m, f"docs/cli.md has no example `$ {command}`"
    return shlex.split(m.group(1))[1:], m.group(2)


@pytest.mark.parametrize("cmd", [["serve"], ["plot", "words"], ["encode"], ["search"],
                                 ["index", "build"], ["index", "add"], ["index", "pairs"]])
def test_help_shows_the_example(cmd):
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert f"Example: {EXAMPLES[' '.join(cmd)]}" in res.stdout
    assert EXAMPLES[" ".join(cmd)].startswith("simvec " + " ".join(cmd))


def test_plot_words_example(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    args, shown = _console("simvec plot words king queen man woman paris france cat dog -o map.png")
    assert shlex.split(EXAMPLES["plot words"])[1:] == args  # --help shows the documented one
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.stderr.strip() == shown
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_convert_to_tensorboard_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, shown = _console("simvec convert glove-6B-50d projector/ --to tensorboard --limit 50000")
    res = runner.invoke(app, args + ["-q"])
    assert res.exit_code == 0, res.output
    assert res.stderr.strip() == shown
    words = (tmp_path / "projector" / "metadata.tsv").read_text(encoding="utf-8").splitlines()
    assert len(words) == 50000 and words[:3] == ["the", ",", "."]
    with open(tmp_path / "projector" / "vectors.tsv", encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n").split("\t")
    assert len(first) == 50 and float(first[0]) == pytest.approx(0.418)  # GloVe's 'the'
    assert 'tensor_path: "vectors.tsv"' in (tmp_path / "projector" /
                                           "projector_config.pbtxt").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_example_answers_as_documented():
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    args, banner = _console("simvec serve --port 8000")
    assert args == shlex.split(EXAMPLES["serve"])[1:]
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "simvec", *args[:-1], str(port),
                             "--log-level", "warning"], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    assert json.load(r) == {"status": "ok"}
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "simvec serve did not start in 120 s"
                time.sleep(0.5)
        _, curl = _console("curl -s 'localhost:8000/neighbors?word=frog&topn=3'")
        with urllib.request.urlopen(base + "/neighbors?word=frog&topn=3", timeout=10) as r:
            got = json.load(r)
        want = json.loads(curl)
        assert [n["word"] for n in got["neighbors"]["frog"]] == \
            [n["word"] for n in want["neighbors"]["frog"]]
        assert [round(n["cosine"], 3) for n in got["neighbors"]["frog"]] == \
            [n["cosine"] for n in want["neighbors"]["frog"]] and got["oov"] == []
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert banner.replace("8000", str(port)) in err
