"""Build the word2vec benchmark corpus (Gutenberg + 100k IMDB reviews, ``[a-z]+``, ~42M words).

Usage::

    .venv/bin/python bench/make_corpus.py [--data ../shared/data] [--out /tmp/simvec-bench/corpus.txt]

The output stays outside the repository (a cache); never commit it.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from simvec.text.corpus import build_benchmark_corpus

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str((ROOT / ".." / "shared" / "data").resolve()))
    ap.add_argument("--out", default="/tmp/simvec-bench/corpus.txt")
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    stats = build_benchmark_corpus(a.data, a.out, progress=True)
    print(f"{stats}  ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
