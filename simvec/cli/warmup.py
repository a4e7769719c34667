"""First-run compilation of simvec's numba kernels: tell the user, and ``simvec warmup``.

simvec's kernels are compiled by numba on first use and cached on disk (``cache=True``, in each
module's ``__pycache__``); the first command after an install (or an upgrade, which changes the
sources) pays that compile once. :func:`compile_notice` says so on stderr before the wait;
``simvec warmup`` (run by ``make install``) compiles everything ahead, on tiny inputs.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import typer

__all__ = ["KERNEL_MODULES", "kernels_to_compile", "compile_notice", "warmup"]

#: Modules holding ``@njit(cache=True)`` kernels, by what uses them.
KERNEL_MODULES = {
    "read": ("simvec.vectors._parse",),
    "search": ("simvec.kernels.topk", "simvec.kernels.analogy"),
    "keywords": ("simvec.kernels.best_match", "simvec.keywords.topk"),
    "train": ("simvec.word2vec._kernels",),
}

_told = False


def _source(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin) if spec is not None and spec.origin else None


def _cache_dirs(src: Path) -> list[Path]:
    """Where numba looks for ``src``'s compiled kernels, in its own order of locators.

    ``$NUMBA_CACHE_DIR/<folder>_<sha1 of the folder path>`` when ``NUMBA_CACHE_DIR`` is set
    (numba's ``UserProvidedCacheLocator``), else the module's ``__pycache__`` and, for a
    read-only install, the user-wide numba cache (``UserWideCacheLocator``).
    """
    from numba.core.caching import UserProvidedCacheLocator

    sub = UserProvidedCacheLocator.get_suitable_cache_subpath(str(src))
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    if cache_dir:
        return [Path(cache_dir) / sub]
    dirs = [src.parent / "__pycache__"]
    try:
        from numba.misc.appdirs import AppDirs

        dirs.append(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir) / sub)
    except ImportError:  # pragma: no cover - numba moved it
        pass
    return dirs


def kernels_to_compile(groups=tuple(KERNEL_MODULES)) -> list[str]:
    """Kernel modules of ``groups`` whose numba cache is missing or older than their source.

    A module none of whose cache folders (:func:`_cache_dirs`: the ``NUMBA_CACHE_DIR`` one when
    it is set, else ``__pycache__`` or the user-wide numba cache) holds a ``.nbi`` index newer
    than the source file will be compiled on first use. With ``NUMBA_DISABLE_JIT=1`` nothing
    is reported (nothing compiles).
    """
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return []
    stale = []
    for group in groups:
        for module in KERNEL_MODULES[group]:
            src = _source(module)
            if src is None:
                continue
            index = [p for d in _cache_dirs(src) for p in d.glob(f"{src.stem}.*.nbi")]
            if not index or max(p.stat().st_mtime for p in index) < src.stat().st_mtime:
                stale.append(module)
    return stale


def compile_notice(groups=tuple(KERNEL_MODULES), quiet: bool = False) -> bool:
    """Print ``compiling kernels, first run only`` once per process when a kernel of ``groups``
    is not compiled yet; returns whether it was printed."""
    global _told
    if _told or quiet or not kernels_to_compile(groups):
        return False
    _told = True
    typer.echo("simvec: compiling kernels, first run only (about a minute, more on a busy "
               "machine; `simvec warmup` does it ahead of time)", err=True)
    return True


def warmup() -> dict[str, float]:
    """Compile every kernel on tiny inputs; returns the seconds each step took.

    Steps: ``read`` (word2vec text parser), ``search`` (top-k, analogy), ``keywords``
    (best-match alignment, all-pairs top-k), ``train`` (one epoch of skip-gram and CBOW).
    """
    import tempfile

    import numpy as np

    from simvec.vectors.formats import load_vectors

    seconds: dict[str, float] = {}
    words = [f"w{i}" for i in range(40)]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="simvec-warmup-") as tmp:
        t = time.perf_counter()
        path = Path(tmp) / "v.txt"
        path.write_text(f"{len(words)} 8\n" + "".join(
            w + " " + " ".join(f"{x:.3f}" for x in rng.standard_normal(8)) + "\n"
            for w in words))
        kv = load_vectors(path, format="word2vec")
        seconds["read"] = time.perf_counter() - t

        t = time.perf_counter()
        kv.most_similar_batch(words[:3], topn=2)
        kv.most_similar(words[0], topn=2)
        for method in ("3cosadd", "3cosmul"):
            kv.analogy(words[0], words[1], words[2], topn=1, method=method)
        seconds["search"] = time.perf_counter() - t

        t = time.perf_counter()
        from simvec.keywords.pair import keyword_similarities
        from simvec.keywords.topk import all_pairs_topk

        keyword_similarities("w1 w2, w3", "w4, w5 w6", kv, ("hybrid", "sif_best_match",
                                                               "best_match", "mean"))
        lists = [[f"w{i}", f"w{i + 1} w{i + 2}"] for i in range(6)]
        ids = [str(i) for i in range(6)]
        for method in ("hybrid", "best_match", "mean"):
            all_pairs_topk(ids, lists, kv, k=2, method=method)
        seconds["keywords"] = time.perf_counter() - t

        t = time.perf_counter()
        from simvec.word2vec.model import Word2Vec

        corpus = [words[i:i + 8] for i in range(0, 32, 2)] * 4
        for sg in (True, False):
            m = Word2Vec(sg=sg, vector_size=8, min_count=1, epochs=1, workers=1, seed=1)
            m.build_vocab(corpus)
            m.train(corpus, progress=False)
        seconds["train"] = time.perf_counter() - t
    return seconds


def _main() -> None:  # pragma: no cover - ``python -m simvec.cli.warmup``
    for step, s in warmup().items():
        print(f"{step}: {s:.1f} s", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    _main()
