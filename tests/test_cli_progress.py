"""Long CLI work reports progress on stderr, never on stdout; first-run compile is announced."""

from __future__ import annotations

import io
import json
import logging
import os
import time

from typer.testing import CliRunner

import simvec.cli.warmup as wu
from simvec.cli.app import app
from simvec.cli.progress import Progress

runner = CliRunner()


def test_progress_logs_lines_when_piped(caplog):
    stream = io.StringIO()  # not a terminal
    with caplog.at_level(logging.INFO, logger="simvec.progress"):
        with Progress("keywords: documents", total=10, unit="docs", interval=0.0,
                      stream=stream) as bar:
            bar.update_to(3, 10)
            bar.update_to(10, 10)
    lines = [r.getMessage() for r in caplog.records if r.name == "simvec.progress"]
    assert lines[0].startswith("keywords: documents: 3/10 docs (30%)")
    assert any("10/10 docs (100%)" in m for m in lines)
    assert stream.getvalue() == ""  # log lines go through logging, never to the stream


def test_progress_quiet_says_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="simvec.progress"):
        with Progress("x", total=2, quiet=True, interval=0.0) as bar:
            bar.update_to(2)
    assert not [r for r in caplog.records if r.name == "simvec.progress"]


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    with Progress("train", total=4, unit="jobs", stream=stream) as bar:
        bar.update_to(2)
        assert bar._rich is not None  # a Rich bar, not log lines
    assert bar.done == 2


def test_compile_notice_once_when_cache_is_stale(tmp_path, monkeypatch, capsys):
    src = tmp_path / "kern.py"
    src.write_text("x = 1\n")
    monkeypatch.setattr(wu, "KERNEL_MODULES", {"read": ("kern",)})
    monkeypatch.setattr(wu, "_source", lambda m: src)
    monkeypatch.setattr(wu, "_told", False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert wu.kernels_to_compile(("read",)) == ["kern"]
    assert wu.compile_notice(("read",)) is True
    assert wu.compile_notice(("read",)) is False  # once per process
    assert "compiling kernels, first run only" in capsys.readouterr().err
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "kern.f-1.py311.nbi").write_bytes(b"")
    future = time.time() + 10
    os.utime(cache / "kern.f-1.py311.nbi", (future, future))
    assert wu.kernels_to_compile(("read",)) == []
    os.utime(src, (future + 10, future + 10))  # source edited after the compile: stale again
    assert wu.kernels_to_compile(("read",)) == ["kern"]


def test_warmup_command_json():
    res = runner.invoke(app, ["warmup", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out["seconds"]) == {"read", "search", "keywords", "train"}
    assert all(s >= 0 for s in out["seconds"].values())


def test_keywords_json_stdout_stays_clean(tmp_path, monkeypatch, glove50):
    import simvec.cli.app as cli_app

    monkeypatch.setattr(cli_app, "_load", lambda *a, **k: glove50)
    docs = tmp_path / "d.jsonl"
    docs.write_text("".join(json.dumps({"id": str(i), "keywords": kw}) + "\n" for i, kw in
                            enumerate([["cat", "dog"], ["car", "truck"], ["kitten"], ["bus"]])))
    res = runner.invoke(app, ["keywords", str(docs), "-k", "1", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {r["id"]: r["neighbor"] for r in out["rows"]}["0"] == "2"


def test_evaluate_keywords_progress_lines_when_piped(tmp_path, monkeypatch, glove50, caplog):
    import simvec.cli.app as cli_app
    import simvec.cli.progress as prog

    monkeypatch.setattr(cli_app, "_load", lambda *a, **k: glove50)
    real = prog.Progress.__init__

    def eager(self, *a, **k):  # a log line at every step instead of every 10 s
        k["interval"] = 0.0
        real(self, *a, **k)

    monkeypatch.setattr(prog.Progress, "__init__", eager)
    docs = tmp_path / "d.jsonl"
    rows = [("a", ["cat", "dog"], "x"), ("b", ["kitten", "puppy"], "x"),
            ("c", ["car", "truck"], "y"), ("d", ["bus", "train"], "y")]
    docs.write_text("".join(json.dumps({"id": i, "keywords": k, "t": t}) + "\n"
                            for i, k, t in rows))
    with caplog.at_level(logging.INFO, logger="simvec.progress"):
        res = runner.invoke(app, ["evaluate-keywords", str(docs), "-l", "t", "-m", "mean",
                                  "-m", "jaccard_tokens", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)  # progress never on stdout
    assert {m["method"] for m in out["methods"]} == {"mean", "jaccard_tokens"}
    lines = [r.getMessage() for r in caplog.records if r.name == "simvec.progress"]
    assert any(m.startswith("evaluate-keywords: mean: 0/2 methods") for m in lines), lines
    assert any("jaccard_tokens: 1/2 methods" in m for m in lines), lines


def test_train_reports_the_passes_before_the_first_epoch(tmp_path, monkeypatch, caplog):
    import simvec.cli.progress as prog

    real = prog.Progress.__init__

    def eager(self, *a, **k):
        k["interval"] = 0.0
        real(self, *a, **k)

    monkeypatch.setattr(prog.Progress, "__init__", eager)
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 50)
    with caplog.at_level(logging.INFO):
        res = runner.invoke(app, ["train", str(corpus), "-o", str(tmp_path / "v.txt"),
                                  "--min-count", "1", "--epochs", "1", "--vector-size", "8",
                                  "--threads", "1", "-f", "json"])
    assert res.exit_code == 0, res.output
    json.loads(res.stdout)  # nothing but the summary on stdout
    lines = [r.getMessage() for r in caplog.records if r.name == "simvec.progress"]
    assert any(m.startswith("train: counting the vocabulary: 300 tokens") for m in lines), lines
    assert any(m.startswith("train: encoding the corpus: 300 tokens") for m in lines), lines


def test_compile_notice_follows_numba_cache_dir(tmp_path, monkeypatch):
    """With NUMBA_CACHE_DIR set, the cache is looked for where numba writes it (it used to be
    ignored, so the cold runs of docs/benchmarks.md were not announced)."""
    from numba.core.caching import UserProvidedCacheLocator

    src = tmp_path / "src" / "kern.py"
    src.parent.mkdir()
    src.write_text("x = 1\n")
    monkeypatch.setattr(wu, "KERNEL_MODULES", {"read": ("kern",)})
    monkeypatch.setattr(wu, "_source", lambda m: src)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    assert wu.kernels_to_compile(("read",)) == ["kern"]
    where = tmp_path / "cache" / UserProvidedCacheLocator.get_suitable_cache_subpath(str(src))
    where.mkdir(parents=True)
    (where / "kern.f-1.py311.nbi").write_bytes(b"")
    future = time.time() + 10
    os.utime(where / "kern.f-1.py311.nbi", (future, future))
    assert wu.kernels_to_compile(("read",)) == []
    (src.parent / "__pycache__").mkdir()  # the in-tree cache does not count then
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "other"))
    assert wu.kernels_to_compile(("read",)) == ["kern"]


def test_info_and_convert_announce_the_parser_compile(tmp_path, monkeypatch, caplog):
    """`simvec info FILE` (37.8 s cold in issue 12) and `convert` to text say it once; a named
    source to a binary format compiles nothing and says nothing."""
    from conftest import data_path

    caplog.set_level(logging.INFO)  # as the CLI sets it without -q
    asked = []
    monkeypatch.setattr(wu, "kernels_to_compile", lambda groups=(): asked.append(groups) or ["k"])
    src = str(data_path("glove", "glove.6B.100d.sample.txt.gz"))
    for args, told in ((["info", src], True), (["info", "glove-6B-50d"], False),
                       (["convert", src, str(tmp_path / "a.txt")], True),
                       (["convert", "glove-6B-50d", str(tmp_path / "b.npy"), "--limit", "10"],
                        False)):
        monkeypatch.setattr(wu, "_told", False)
        asked.clear()
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert ("compiling kernels, first run only" in res.stderr) is told, args
        assert asked == ([("read",)] if told else []), args
