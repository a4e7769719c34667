"""Spearman of word vectors on a word-pair file, with 95% bootstrap intervals (docs/chinese.md).

``python examples/wordsim_bootstrap.py PAIRS VECTORS [VECTORS ...]`` scores every vector file on
the pairs that *all* of them cover (so the figures are comparable), resamples those pairs 2,000
times (seed 0) and prints, as one JSON object, each file's Spearman rho with its 2.5 / 97.5
percentiles and, for two or more files, the paired difference of the first with each other one.
Words are looked up whole, as ``simvec evaluate`` does.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from scipy.stats import spearmanr

import simvec


def main(argv=None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) < 2:
        sys.exit("usage: python examples/wordsim_bootstrap.py PAIRS VECTORS [VECTORS ...]")
    pairs_file, files = argv[0], argv[1:]
    with open(pairs_file, encoding="utf-8") as f:
        rows = [ln.rstrip("\r\n").split("\t") for ln in f if ln.strip()]
    kvs = [simvec.load(p) for p in files]
    used = [(a, b, float(s)) for a, b, s in rows if all(a in kv and b in kv for kv in kvs)]
    if len(used) < 3:
        sys.exit(f"wordsim_bootstrap.py: error: only {len(used)} pairs covered by every file")
    gold = np.array([s for *_, s in used])
    sims = [np.array([kv.similarity(a, b) for a, b, _ in used]) for kv in kvs]
    idx = np.random.default_rng(0).integers(0, len(used), (2000, len(used)))

    def rho(x, y):
        return float(spearmanr(x, y).statistic)

    boot = [np.array([rho(gold[i], s[i]) for i in idx]) for s in sims]
    out = {"pairs": len(rows), "pairs_used": len(used), "files": [
        {"vectors": p, "spearman": rho(gold, s), "ci95": np.percentile(b, [2.5, 97.5]).tolist()}
        for p, s, b in zip(files, sims, boot)]}
    out["differences"] = [
        {"first_minus": p, "difference": rho(gold, sims[0]) - rho(gold, s),
         "ci95": np.percentile(boot[0] - b, [2.5, 97.5]).tolist()}
        for p, s, b in zip(files[1:], sims[1:], boot[1:])]
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
