"""Collections at scale: encode, approximate index, two-stage re-ranking, Dask.

Subcommands (run from the repository root)::

    .venv/bin/python bench/scale.py make --n-docs 1000000      # write the synthetic JSONL once
    .venv/bin/python bench/scale.py choose --n-docs 100000     # faiss HNSW / IVF-PQ vs usearch
    .venv/bin/python bench/scale.py ivf                        # choose IVF's probe factor
    .venv/bin/python bench/scale.py run --n-docs 100000        # the chosen pipeline end to end
    .venv/bin/python bench/scale.py rerank                     # two stages on the real collections
    .venv/bin/python bench/scale.py dask --n-docs 100000       # all-pairs on 1 vs 2 local workers
    .venv/bin/python bench/scale.py sweep --n-docs 1000000     # recall / p50 vs nprobe / list
    .venv/bin/python bench/scale.py attach --n-docs 1000000    # keyword lists into run's index
    .venv/bin/python bench/scale.py pairs --n-docs 1000000     # all-pairs rate, extrapolated

Synthetic collections have realistic keyword statistics: 3-15 keywords per document, each of
1-3 words drawn from the 50,000 most frequent alphabetic GloVe 6B words with Zipf(s=1)
probabilities by rank (seeded). Documents are encoded with GloVe 6B 50d (the ``mean`` encoder of
:mod:`simvec.index.encode`). Recall@10 is measured against exact search
(:func:`simvec.index.search.search`) on the same vectors for 1,000 held-in queries; single-query
latency is the median over 1,000 one-at-a-time queries; memory is peak RSS
(``ru_maxrss``) and the size of the saved index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = (ROOT / ".." / "shared" / "data" / "keywords").resolve()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds (user + system) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} at start")


def synthetic_collection(kv, n_docs: int, top_words: int = 50_000, seed: int = 0,
                         zipf_s: float = 1.0):
    """Seeded ids and keyword lists: 3-15 keywords of 1-3 Zipf-distributed words each."""
    rng = np.random.default_rng(seed)
    words = np.array([w for w in kv.index_to_key[:top_words] if w.isalpha()], dtype=object)
    p = 1.0 / np.arange(1, len(words) + 1) ** zipf_s
    p /= p.sum()
    n_kw = rng.integers(3, 16, size=n_docs)
    total = int(n_kw.sum())
    n_words = rng.integers(1, 4, size=total)
    flat = words[rng.choice(len(words), size=int(n_words.sum()), p=p)]
    cut = np.cumsum(n_words)[:-1]
    kws = [" ".join(x) for x in np.split(flat, cut)]
    lists, pos = [], 0
    for c in n_kw.tolist():
        lists.append(kws[pos:pos + c])
        pos += c
    return [f"doc{i:07d}" for i in range(n_docs)], lists


def write_jsonl(path: Path, ids, lists) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"id": i, "keywords": kws}) + "\n" for i, kws in zip(ids, lists))


def encoded(kv, n_docs: int, seed: int, cache: Path) -> np.ndarray:
    """Encoded synthetic collection (cached as .npy under ``cache``)."""
    from simvec.index.encode import encode

    f = cache / f"synthetic_{n_docs}_{seed}.npy"
    if f.exists():
        return np.load(f, mmap_mode="r")
    _, lists = synthetic_collection(kv, n_docs, seed=seed)
    t = time.perf_counter()
    emb = encode(lists, kv)
    print(f"encode {n_docs:,} docs (in memory): {time.perf_counter() - t:.1f} s")
    np.save(f, emb)
    return emb


def recall_at(found: np.ndarray, exact: np.ndarray) -> float:
    k = exact.shape[1]
    return float(np.mean([len(set(a[:k]) & set(b)) / k for a, b in zip(found, exact)]))


def p50_ms(fn, queries) -> float:
    ts = []
    for q in queries:
        t = time.perf_counter()
        fn(q[None, :])
        ts.append(time.perf_counter() - t)
    return float(np.median(ts) * 1e3)


def cmd_choose(args, kv) -> list[dict]:
    """Build and query each candidate on the same vectors."""
    import faiss
    import usearch.index as ui

    from simvec.index.search import search

    faiss.omp_set_num_threads(os.cpu_count())
    x = np.ascontiguousarray(encoded(kv, args.n_docs, args.seed, args.cache))
    x = x[np.linalg.norm(x, axis=1) > 0]
    n, d = x.shape
    rng = np.random.default_rng(1)
    qi = rng.choice(n, 1000, replace=False)
    q = np.ascontiguousarray(x[qi])
    t = time.perf_counter()
    exact, _ = search(q, x, 10)
    t_exact = time.perf_counter() - t
    print(f"{n:,} vectors of dimension {d}; {machine()}")
    print(f"exact search, 1,000 queries: {t_exact:.2f} s; "
          f"single query p50 {p50_ms(lambda v: search(v, x, 10), q[:200]):.2f} ms")
    rows = []

    def measure(name, build, query, save):
        if args.only and not any(o in name for o in args.only.split("|")):
            return
        rss0 = peak_rss_mib()
        t = time.perf_counter()
        index = build()
        t_build = time.perf_counter() - t
        found = query(index, q, 10)
        rec = recall_at(found, exact)
        lat = p50_ms(lambda v, ix=index: query(ix, v, 10), q[:300])
        t = time.perf_counter()
        query(index, q, 10)
        qps = len(q) / (time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            size = save(index, Path(tmp) / "ix") / 2**20
        row = {"index": name, "build_s": round(t_build, 1), "recall@10": round(rec, 4),
               "p50_ms": round(lat, 3), "batch_qps": round(qps), "file_mib": round(size, 1),
               "peak_rss_growth_mib": round(peak_rss_mib() - rss0)}
        print(json.dumps(row))
        rows.append(row)
        del index

    def faiss_query(index, v, k):
        return index.search(v, k)[1]

    def faiss_save(index, p):
        faiss.write_index(index, str(p))
        return p.stat().st_size

    for m, efc, efs in ((16, 80, 64), (16, 128, 128), (32, 100, 64), (32, 100, 128), (32, 100, 256)):
        def build(m=m, efc=efc, efs=efs):
            ix = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
            ix.hnsw.efConstruction = efc
            ix.add(x)
            ix.hnsw.efSearch = efs
            return ix
        measure(f"faiss HNSWFlat M={m} efC={efc} efS={efs}", build, faiss_query, faiss_save)

    nlist = int(4 * np.sqrt(n))
    for nprobe, refine in ((16, False), (64, False), (64, True)):
        def build(nprobe=nprobe, refine=refine):
            quant = faiss.IndexFlatIP(d)
            ix = faiss.IndexIVFPQ(quant, d, nlist, 25, 8, faiss.METRIC_INNER_PRODUCT)
            ix.train(x[rng.choice(n, min(n, 100 * nlist), replace=False)])
            ix.nprobe = nprobe
            if refine:
                ix = faiss.IndexRefineFlat(ix)
                ix.k_factor = 4
            ix.add(x)
            return ix
        measure(f"faiss IVF{nlist},PQ25x8 nprobe={nprobe}{' +refine x4' if refine else ''}",
                build, faiss_query, faiss_save)

    for conn, exp_add, exp_search, dtype in ((16, 128, 64, "f32"), (16, 128, 128, "f32"),
                                             (32, 128, 128, "f32"), (16, 128, 128, "f16")):
        def build(conn=conn, exp_add=exp_add, exp_search=exp_search, dtype=dtype):
            ix = ui.Index(ndim=d, metric="ip", dtype=dtype, connectivity=conn,
                          expansion_add=exp_add, expansion_search=exp_search)
            ix.add(np.arange(n, dtype=np.uint64), x, threads=os.cpu_count())
            return ix

        def query(ix, v, k):
            res = ix.search(v, k, threads=os.cpu_count())
            keys = np.asarray(res.keys)
            return keys.reshape(len(v), -1).astype(np.int64)

        def save(ix, p):
            ix.save(str(p))
            return p.stat().st_size
        measure(f"usearch HNSW {dtype} M={conn} expA={exp_add} expS={exp_search}", build, query,
                save)
    return rows


COLLECTIONS = [("kpcrowd500n_labeled.jsonl", "category"), ("semeval2010_labeled.jsonl", "acm_class")]


def _p_at_1_hits(index, labels) -> np.ndarray:
    """1 where the nearest document (column 0) has the document's label, else 0."""
    ok = index[:, 0] >= 0
    return np.where(ok, labels[np.maximum(index[:, 0], 0)] == labels, False).astype(float)


def paired_bootstrap(a: np.ndarray, b: np.ndarray, n_boot: int = 2000, seed: int = 0):
    """95% percentile interval of mean(b) - mean(a), documents resampled in pairs."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    diffs = (b[idx] - a[idx]).mean(axis=1)
    return float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))


def rerank_curve(kv, path: Path, label_field: str, candidates) -> list[dict]:
    """P@1 of the exact default top-10 vs the two-stage (index + re-rank) top-10 at each
    candidate count, with a paired bootstrap interval of the difference."""
    from simvec.index.ann import build_index
    from simvec.index.encode import encode, encoder_info
    from simvec.index.rerank import rerank_all_pairs
    from simvec.keywords.collection import read_labeled_collection
    from simvec.keywords.topk import all_pairs_topk

    ids, lists, labels, _ = read_labeled_collection(path, label_field, id_field="doc_id",
                                                    keywords_field="keyphrases")
    labels = np.array(labels, dtype=object)
    t = time.perf_counter()
    exact = all_pairs_topk(ids, lists, kv, k=10, include_jaccard=False)
    t_exact = time.perf_counter() - t
    hits_exact = _p_at_1_hits(exact.index, labels)
    vec = encode(lists, kv)
    ix = build_index(vec, ids, encoder=encoder_info(kv), keyword_lists=lists)
    rows = []
    for c in candidates:
        t = time.perf_counter()
        two = rerank_all_pairs(ix, kv, 10, candidates=c, vectors=vec)
        t_two = time.perf_counter() - t
        hits = _p_at_1_hits(two.index, labels)
        lo, hi = paired_bootstrap(hits_exact, hits)
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact.index, two.index)])
        row = {"collection": path.name, "docs": len(ids), "candidates": c,
               "p@1_exact": round(float(hits_exact.mean()), 4),
               "p@1_two_stage": round(float(hits.mean()), 4),
               "p@1_diff": round(float(hits.mean() - hits_exact.mean()), 4),
               "diff_95ci": [round(lo, 4), round(hi, 4)],
               "docs_gained": int(((hits == 1) & (hits_exact == 0)).sum()),
               "docs_lost": int(((hits == 0) & (hits_exact == 1)).sum()),
               "top1_equal": round(float(np.mean(exact.index[:, 0] == two.index[:, 0])), 4),
               "top10_overlap": round(float(overlap), 4),
               "exact_s": round(t_exact, 2), "two_stage_s": round(t_two, 2)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def smallest_meeting(rows, tol: float):
    """The smallest candidate count from which on every larger measured count keeps
    |P@1 difference| <= tol (None if even the largest misses)."""
    ok = None
    for row in sorted(rows, key=lambda r: -r["candidates"]):
        if abs(row["p@1_diff"]) > tol:
            break
        ok = row["candidates"]
    return ok


def cmd_rerank(args, kv) -> list[dict]:
    """P@1 vs candidates on every collection; the default by leave-one-collection-out."""
    curves = {}
    for name, label in COLLECTIONS:
        if (DATA / name).exists():
            curves[name] = rerank_curve(kv, DATA / name, label, args.candidates)
    tol = 0.005
    summary = []
    for held in curves:
        others = [n for n in curves if n != held]
        picks = [smallest_meeting(curves[n], tol) for n in others]
        pick = None if any(p is None for p in picks) else max(picks)
        scored = next((r for r in curves[held] if r["candidates"] == pick), None)
        summary.append({"held_out": held, "chosen_on": others, "candidates": pick,
                        "held_out_diff": None if scored is None else scored["p@1_diff"],
                        "held_out_95ci": None if scored is None else scored["diff_95ci"]})
        print(json.dumps(summary[-1]), flush=True)
    rows = [r for c in curves.values() for r in c]
    return rows + summary


def synthetic_jsonl(kv, args) -> Path:
    """The synthetic collection as JSONL under ``args.cache`` (written once)."""
    docs = args.cache / f"synthetic_{args.n_docs}_{args.seed}.jsonl"
    if not docs.exists():
        ids, lists = synthetic_collection(kv, args.n_docs, seed=args.seed)
        write_jsonl(docs.with_name(docs.name + ".tmp"), ids, lists)
        docs.with_name(docs.name + ".tmp").rename(docs)
    return docs


def cmd_make(args, kv) -> list[dict]:
    """Write the synthetic JSONL (run it apart: generating 1M lists costs ~1 GB of RSS that
    would otherwise count in ``run``'s peak)."""
    t = time.perf_counter()
    docs = synthetic_jsonl(kv, args)
    row = {"docs": args.n_docs, "file": str(docs), "mib": round(docs.stat().st_size / 2**20),
           "s": round(time.perf_counter() - t, 1)}
    print(json.dumps(row))
    return [row]


def cmd_run(args, kv) -> list[dict]:
    """The chosen pipeline end to end: JSONL -> encode_file -> build_index -> queries."""
    from simvec.index.ann import build_index, load_index
    from simvec.index.encode import encode_file
    from simvec.index.search import search

    docs = synthetic_jsonl(kv, args)
    print(f"{args.n_docs:,} documents; {machine()}", flush=True)
    out = args.cache / f"run_{args.n_docs}.npy"
    t = time.perf_counter()
    emb = encode_file(docs, kv, out, resume=False)
    t_enc = time.perf_counter() - t
    print(f"encode_file: {t_enc:.1f} s, peak RSS {peak_rss_mib():.0f} MiB, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    t = time.perf_counter()
    ix = build_index(emb, None)
    t_build = time.perf_counter() - t
    print(f"build_index: {t_build:.1f} s, peak RSS {peak_rss_mib():.0f} MiB, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    t = time.perf_counter()
    ix.save(args.cache / f"run_{args.n_docs}.index")
    t_save = time.perf_counter() - t
    del ix
    ix = load_index(args.cache / f"run_{args.n_docs}.index")  # memory-mapped, as users query
    x = emb.vectors
    rng = np.random.default_rng(1)
    q = np.ascontiguousarray(x[np.sort(rng.choice(len(x), 1000, replace=False))])
    exact, _ = search(q, x, 10)
    found, _ = ix.search(q, 10)
    t = time.perf_counter()
    ix.search(q, 10)
    qps = len(q) / (time.perf_counter() - t)
    row = {"docs": args.n_docs, "encode_s": round(t_enc, 1), "build_s": round(t_build, 1),
           "save_s": round(t_save, 1), "recall@10": round(recall_at(found, exact), 4),
           "p50_ms": round(p50_ms(lambda v: ix.search(v, 10), q[:300]), 3),
           "batch_qps": round(qps), "peak_rss_mib": round(peak_rss_mib()),
           "load_at_end": round(os.getloadavg()[0], 1)}
    print(json.dumps(row))
    return [row]


def cmd_dask(args, kv) -> list[dict]:
    """Exact all-pairs top-10: one process vs Dask LocalCluster with 1 and 2 workers."""
    from simvec.index.dask import all_pairs_dask, get_client
    from simvec.index.search import all_pairs

    x = encoded(kv, args.n_docs, args.seed, args.cache)
    path = args.cache / f"synthetic_{args.n_docs}_{args.seed}.npy"
    print(f"{len(x):,} vectors; {machine()}")
    all_pairs(x[:2000], 10)  # compile / warm the kernel
    t = time.perf_counter()
    ref_idx, ref_val = all_pairs(x, 10)
    rows = [{"run": "one process", "s": round(time.perf_counter() - t, 1)}]
    print(json.dumps(rows[-1]))
    for workers in (1, 2):
        client = get_client(n_workers=workers, threads_per_worker=1)
        try:
            all_pairs_dask(path, client, 10)  # warm the workers (imports, kernel cache)
            t = time.perf_counter()
            idx, val = all_pairs_dask(path, client, 10)
            dt = time.perf_counter() - t
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
        rows.append({"run": f"dask {workers} worker(s) x 1 thread", "s": round(dt, 1),
                     "identical": bool(np.array_equal(idx, ref_idx)
                                       and np.array_equal(val, ref_val)),
                     "docs_per_s_per_worker": round(len(x) / dt / workers)})
        print(json.dumps(rows[-1]))
    return rows


def cmd_sweep(args, kv) -> list[dict]:
    """Recall@10 and single-query p50 of the saved ``run_N.index`` at several search lists
    (same 1,000 queries as ``run``)."""
    from simvec.index.ann import load_index
    from simvec.index.encode import load_embeddings
    from simvec.index.search import search

    ix = load_index(args.cache / f"run_{args.n_docs}.index")
    x = load_embeddings(args.cache / f"run_{args.n_docs}.npy").vectors
    rng = np.random.default_rng(1)
    q = np.ascontiguousarray(x[np.sort(rng.choice(len(x), 1000, replace=False))])
    exact, _ = search(q, x, 10)
    print(f"{len(x):,} documents; {machine()}", flush=True)
    rows = []
    name = "nprobe" if ix.kind == "ivf" else "expansion_search"
    for ef in (args.nprobe if ix.kind == "ivf" else args.expansion):
        found, _ = ix.search(q, 10, **{name: ef})
        row = {"docs": len(x), "kind": ix.kind, name: ef,
               "recall@10": round(recall_at(found, exact), 4),
               "p50_ms": round(p50_ms(lambda v: ix.search(v, 10, **{name: ef}),
                                      q[:300]), 3), "load": round(os.getloadavg()[0], 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def _imdb_unlabelled(kv, cache: Path) -> np.ndarray:
    """The 50,000 unlabelled IMDB reviews (Maas et al. 2011) as mean vectors (cached)."""
    import tarfile

    from simvec.index.encode import encode

    f = cache / "imdb_unsup_mean.npy"
    if not f.exists():
        texts = []
        with tarfile.open(ROOT / ".." / "shared" / "data" / "imdb" / "aclImdb_unsup.tar.gz") as t:
            for m in t:
                if m.isfile() and m.name.endswith(".txt"):
                    texts.append(t.extractfile(m).read().decode("utf-8", "replace"))
        np.save(f, encode(texts, kv))
    return np.load(f)


def cmd_ivf(args, kv) -> list[dict]:
    """Choose IVF_PROBE_FACTOR (lists searched = ceil(factor * sqrt(nlist))) on four collections
    that are not the scored 1M one: the smallest factor of the grid with recall@10 >= 0.95 on
    every one. ``run`` then scores the chosen default at --n-docs."""
    from simvec.index.ann import build_index, ivf_settings
    from simvec.index.encode import encoder_info
    from simvec.index.search import search

    def normalize_rows(a):
        a = np.asarray(a, np.float32)
        return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)

    info = encoder_info(kv)
    sets = {
        "GloVe 6B words 1,000-21,000": normalize_rows(np.asarray(kv.vectors[1000:21000])),
        "GloVe 6B words 0-100,000": normalize_rows(np.asarray(kv.vectors[:100000])),
        "synthetic 100,000 (seed 1)": np.asarray(encoded(kv, 100_000, 1, args.cache)),
        "IMDB unlabelled reviews": _imdb_unlabelled(kv, args.cache),
    }
    grid = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
    print(f"{machine()}", flush=True)
    rows, ok = [], {c: True for c in grid}
    for name, x in sets.items():
        x = np.ascontiguousarray(x[np.any(x != 0, axis=1)], np.float32)
        rng = np.random.default_rng(1)
        q = np.ascontiguousarray(x[np.sort(rng.choice(len(x), 1000, replace=False))])
        exact, _ = search(q, x, 10)
        t = time.perf_counter()
        ix = build_index(x, [str(i) for i in range(len(x))], encoder=info, kind="ivf")
        build = time.perf_counter() - t
        nlist = ix.params["nlist"]
        for c in grid:
            nprobe = ivf_settings(len(x), nlist, min(nlist, int(np.ceil(c * np.sqrt(nlist)))))[
                "nprobe"]
            found, _ = ix.search(q, 10, nprobe=nprobe)
            r = recall_at(found, exact)
            ok[c] &= r >= 0.95
            row = {"set": name, "docs": len(x), "nlist": nlist, "build_s": round(build, 1),
                   "factor": c, "nprobe": nprobe, "recall@10": round(r, 4)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    chosen = min((c for c in grid if ok[c]), default=None)
    print(json.dumps({"chosen_factor": chosen}))
    return rows + [{"chosen_factor": chosen}]


def cmd_attach(args, kv) -> list[dict]:
    """Store the synthetic keyword lists in ``run_N.index`` (built by ``run`` without them) so
    that ``pairs`` can re-rank: keywords.jsonl + offsets.npy, streamed in the index's row order.
    Run apart from ``pairs`` (its id set would count in the peak RSS there)."""
    from simvec.index.encode import load_embeddings

    index = args.cache / f"run_{args.n_docs}.index"
    meta = json.loads((index / "meta.json").read_text())
    if meta.get("has_keywords"):
        return [{"index": str(index), "keywords": "already there"}]
    emb = load_embeddings(args.cache / f"run_{args.n_docs}.npy")
    assert emb.ids == meta["ids"]
    want = set(emb.ids)
    offsets, pos, row = np.empty(len(emb.ids), np.int64), 0, 0
    with open(synthetic_jsonl(kv, args), encoding="utf-8") as src, \
            open(index / "keywords.jsonl", "wb") as dst:
        for line in src:
            rec = json.loads(line)
            if rec["id"] not in want:
                continue
            assert rec["id"] == emb.ids[row]
            data = (json.dumps(rec["keywords"], ensure_ascii=False) + "\n").encode()
            offsets[row] = pos
            dst.write(data)
            pos += len(data)
            row += 1
    np.save(index / "offsets.npy", offsets)
    meta["has_keywords"] = True
    (index / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    return [{"index": str(index), "rows": row}]


def cmd_pairs(args, kv) -> list[dict]:
    """All-pairs top-10 through the resumable writer (simvec.index.pairs), stopped after
    ``--rows`` documents: the measured rate at this N, extrapolated (linearly in the rows) to the
    whole collection. Exact (mean vectors, EMB.npy) and two stages (index + default method)."""
    from simvec.index.encode import load_embeddings
    from simvec.index.pairs import all_pairs_to_file, progress_path

    index = args.cache / f"run_{args.n_docs}.index"
    emb = args.cache / f"run_{args.n_docs}.npy"
    n = len(load_embeddings(emb).ids)
    print(f"{n:,} documents; {machine()}", flush=True)
    rows = []

    def measure(name, source, **kw):
        out = args.cache / f"pairs_{args.n_docs}_{name}.jsonl"
        for f in (out, progress_path(out), out.with_name(out.name + ".partial")):
            f.unlink(missing_ok=True)
        marks = []

        def stop(done, total):
            marks.append((done, time.perf_counter(), cpu_s()))
            if done >= args.rows:
                raise KeyboardInterrupt

        t0 = time.perf_counter()
        try:
            all_pairs_to_file(source, out, 10, chunk_rows=args.chunk_rows, progress=stop, **kw)
        except KeyboardInterrupt:
            pass
        # the first chunk pays for imports, numba's cache and cold pages: rate from the rest
        (d0, t1, c1), (d1, t2, c2) = marks[0], marks[-1]
        rate = (d1 - d0) / (t2 - t1) if d1 > d0 else d1 / (t2 - t0)
        cpu_per_doc = (c2 - c1) / (d1 - d0) if d1 > d0 else float("nan")
        row = {"pairs": name, "docs": n, "rows_done": d1, "first_chunk_s": round(t1 - t0, 1),
               "docs_per_s": round(rate, 1),
               "extrapolated_all_min": round(n / rate / 60, 1),
               "cpu_ms_per_doc": round(cpu_per_doc * 1e3, 3),
               "extrapolated_all_cpu_min": round(n * cpu_per_doc / 60, 1),
               "peak_rss_mib": round(peak_rss_mib()), "load": round(os.getloadavg()[0], 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)

    if "exact" in args.modes:
        measure("exact", emb)
    for c in args.candidates if "two-stage" in args.modes else ():
        measure(f"two-stage-c{c}", index, kv=kv, candidates=c)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command",
                    choices=["make", "choose", "ivf", "run", "sweep", "attach", "pairs",
                             "rerank", "dask"])
    ap.add_argument("--expansion", type=int, nargs="+", default=[256, 512, 1024],
                    help="sweep: HNSW search lists")
    ap.add_argument("--nprobe", type=int, nargs="+", default=[64, 128, 192, 256],
                    help="sweep: IVF lists searched")
    ap.add_argument("--rows", type=int, default=16_384, help="pairs: documents to time")
    ap.add_argument("--chunk-rows", type=int, default=4096, help="pairs: rows per chunk")
    ap.add_argument("--modes", nargs="+", default=["exact", "two-stage"], help="pairs")
    ap.add_argument("--n-docs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "simvec-scale")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    ap.add_argument("--candidates", type=int, nargs="+",
                    default=[10, 20, 30, 50, 75, 100, 150, 200])
    ap.add_argument("--only", help="choose: run only candidates whose name contains one of "
                                   "these |-separated strings")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    import simvec

    kv = simvec.load("glove-6B-50d")
    fn = {"choose": cmd_choose}.get(args.command)
    if fn is None:
        fn = globals()[f"cmd_{args.command}"]
    rows = fn(args, kv)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
