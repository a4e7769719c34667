"""Phrase and sentence similarity with static GloVe 6B 50d vectors: BiRD and STS Benchmark.

Every static phrase method (:data:`simvec.eval.phrases.PHRASE_METHODS`) under a few settings,
each a documented option of simvec, none tuned on the pairs it is scored on:

* ``Zipf``: SIF's p(w) from the vocabulary rank by Zipf's law (simvec's default, the figures
  of docs/keyword-quality.md);
* ``corpus``: p(w) counted on 30.7M tokens of public unlabelled text (the table simvec ships,
  ``word_probabilities="corpus"``; bench/word_frequencies.py rebuilds it);
* ``+ABTT``: the vectors post-processed by all-but-the-top (Mu & Viswanath 2018; mean and
  top d/100 = 1 principal component removed; :func:`simvec.vectors.postprocess.all_but_the_top`);
* ``ref=STS-B train``: ``sif``'s common component estimated on the STS-B *train* sentences
  (``sif_reference=``) instead of on the scored file's own texts; for ``usif``, its average
  sentence length n and its 5 weighted components too.

uSIF (Ethayarajh 2018, method ``usif``) and three variants of it, none in the registry:

* ``usif (ref. code norm.)``: the reference code's ``v_t / np.linalg.norm(v_t, axis=0)``
  (each dimension divided by its norm over the sentence's tokens) instead of unit word vectors;
* ``usif (m=0)``: no common component removed (the reference code's ``m = 0``);
* ``sif_best_match (uSIF weights)``: the token alignment with uSIF's weights ``a / (a/2 + p)``
  (n from the scored texts) instead of SIF's.

The SIF constant stays at Arora et al.'s a = 1e-3. For each method, the setting with the best
mean Spearman on STS-B train and dev is *chosen there* and only then read on STS-B test and
BiRD (BiRD has no training split). Every Spearman has a 95 % bootstrap percentile interval
(pairs resampled 1,000 times, seed 0), and each setting's difference against the best static
figure before this work (BiRD: ``sif`` Zipf 0.594; STS-B test: ``sif_best_match`` Zipf 0.583)
has a paired-bootstrap interval (the same resamples for both).

Run from the repository root (about 2-4 minutes on 2 loaded cores)::

    PYTHONPATH=. .venv/bin/python bench/phrases.py              # prints, rewrites docs/phrase-quality.md's block
    PYTHONPATH=. .venv/bin/python bench/phrases.py --no-write --resamples 200
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
SETS = [("STS-B train", "phrase/stsbenchmark/sts-train.csv"),
        ("STS-B dev", "phrase/stsbenchmark/sts-dev.csv"),
        ("STS-B test", "phrase/stsbenchmark/sts-test.csv"),
        ("BiRD", "phrase/BiRD.txt")]
SELECT_ON = ("STS-B train", "STS-B dev")
# the best static figures before this work, and the method behind each
BASELINE = {"STS-B test": ("sif_best_match", "Zipf"), "BiRD": ("sif", "Zipf")}
DOC = ROOT / "docs" / "phrase-quality.md"
BEGIN, END = "<!-- begin bench/phrases.py -->", "<!-- end bench/phrases.py -->"


def settings(kv, kva, train):
    """(label, vectors, word_probabilities, sif_reference, methods)."""
    own = ["mean", "sif", "sif_best_match", "usif"]
    return [
        ("Zipf", kv, "zipf", None, ["jaccard_tokens"] + own),
        ("Zipf +ABTT", kva, "zipf", None, own),
        ("corpus", kv, "corpus", None, own),
        ("corpus +ABTT", kva, "corpus", None, own),
        ("corpus, ref=STS-B train", kv, "corpus", train, ["sif", "usif"]),
        ("corpus +ABTT, ref=STS-B train", kva, "corpus", train, ["sif", "usif"]),
        ("Zipf, ref=STS-B train", kv, "zipf", train, ["usif"]),
        ("Zipf +ABTT, ref=STS-B train", kva, "zipf", train, ["usif"]),
    ]


# methods measured before uSIF: the first difference table keeps to them
OLD_METHODS = ("jaccard_tokens", "mean", "sif", "sif_best_match")
# today's (before uSIF) chosen setting per data set, against which the new rows are compared
TODAY = {"STS-B train": ("sif_best_match", "corpus +ABTT"),
         "STS-B dev": ("sif_best_match", "corpus +ABTT"),
         "STS-B test": ("sif_best_match", "corpus +ABTT"), "BiRD": ("sif", "corpus")}
VARIANTS = ("usif (ref. code norm.)", "usif (m=0)", "sif_best_match (uSIF weights)")


def usif_variants(vecs, probs, pairs):
    """The three uSIF variants' scores of every pair (float64, (P,)), n and a of the file."""
    from simvec.keywords.parse import parse_collection
    from simvec.keywords.scorers import (
        pairwise_sif_best_match, pairwise_usif, usif_components, usif_mean_length,
        usif_remove_components,
    )
    from simvec.keywords.weighting import usif_word_weights

    docs = parse_collection([[t] for t in pairs.text1] + [[t] for t in pairs.text2], vecs)
    p = len(pairs.scores)
    n = usif_mean_length(docs)
    w, a = usif_word_weights(docs.encoder.key_to_index, n, probs)
    # kawine/usif uSIF._to_vec: v_t * (1.0 / np.linalg.norm(v_t, axis=0)), weighted mean
    vec = np.zeros((docs.n, docs.vectors.shape[1]))
    ok = np.zeros(docs.n, dtype=bool)
    for i, rows in enumerate(docs.tok_rows):
        if rows:
            r = np.asarray(rows)
            v = np.asarray(docs.vectors[r], np.float64)
            norm = np.linalg.norm(v, axis=0)
            norm[norm == 0] = 1
            vec[i] = w[r] @ (v / norm) / len(r)
            ok[i] = True
    vec[ok] = usif_remove_components(vec[ok], *usif_components(vec[ok]))
    nrm = np.linalg.norm(vec, axis=1, keepdims=True)
    u = vec / np.where(nrm == 0, 1, nrm)
    refnorm = np.where(ok[:p] & ok[p:], np.einsum("ij,ij->i", u[:p], u[p:]), np.nan)
    return {VARIANTS[0]: refnorm, VARIANTS[1]: pairwise_usif(docs, p, w, m=0),
            VARIANTS[2]: pairwise_sif_best_match(docs, p, w)}, n, a


def fmt(ci) -> str:
    return f"{ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}]"


def fmt_diff(ci) -> str:
    noise = " (within noise)" if ci.low <= 0 <= ci.high else ""
    return f"{ci.estimate:+.3f} [{ci.low:+.3f}, {ci.high:+.3f}]{noise}"


def main(argv=None) -> int:
    import simvec
    from simvec.eval.bootstrap import spearman_difference_interval, spearman_interval
    from simvec.eval.phrases import read_text_pairs, score_text_pairs
    from simvec.vectors.postprocess import all_but_the_top

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="do not rewrite docs/phrase-quality.md")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"bench/phrases.py: error: {DATA} is absent (see ../shared/data/README.md)",
              file=sys.stderr)
        return 2
    t_start = time.perf_counter()
    kv = simvec.load("glove-6B-50d")
    kva = all_but_the_top(kv)
    pairs = {name: read_text_pairs(DATA / rel) for name, rel in SETS}
    boot = {"n_resamples": args.resamples, "seed": args.seed}

    scores: dict = {}  # (method, setting) -> {set: ndarray}
    usif_params: dict = {}  # (setting, set) -> (n, a)
    for label, vecs, probs, ref, methods in settings(kv, kva, pairs["STS-B train"]):
        for name, _ in SETS:
            got, _ = score_text_pairs(vecs, pairs[name], methods, word_probabilities=probs,
                                      sif_reference=ref)
            for m, s in got.items():
                scores.setdefault((m, label), {})[name] = s
            if ref is None:
                got, n, a = usif_variants(vecs, probs, pairs[name])
                usif_params[(label, name)] = (n, a)
                for m, s in got.items():
                    scores.setdefault((m, label), {})[name] = s
        print(f"scored: {label} ({time.perf_counter() - t_start:.0f} s)", file=sys.stderr)

    # rows: the methods measured before uSIF in their order, then usif and its variants
    order = {m: i for i, m in enumerate(OLD_METHODS + ("usif",) + VARIANTS)}
    keys = sorted(scores, key=lambda k: (k[0] not in OLD_METHODS, order[k[0]]
                                         if k[0] not in OLD_METHODS else 0))
    scores = {k: scores[k] for k in keys}
    intervals = {key: {name: spearman_interval(s, pairs[name].scores, **boot)
                       for name, s in per.items()} for key, per in scores.items()}
    chosen = {}
    for (m, label), per in intervals.items():
        sel = np.mean([per[n].estimate for n in SELECT_ON])
        if m not in chosen or sel > chosen[m][1]:
            chosen[m] = (label, sel)

    out = []
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    out.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, numpy {np.__version__}; load average at the end "
        f"{[round(x, 1) for x in load] if load else 'n/a'} (shared cores). Vectors: GloVe 6B "
        f"50d (`simvec.load(\"glove-6B-50d\")`); SIF a = 1e-3; {args.resamples} bootstrap "
        f"resamples of the pairs, seed {args.seed}, 95 % percentile intervals.")
    out.append("")
    out.append("### Spearman [95 % interval] by method and setting")
    out.append("")
    out.append("| method | setting | " + " | ".join(n for n, _ in SETS) + " |")
    out.append("|---|---|" + "---|" * len(SETS))
    for (m, label), per in intervals.items():
        mark = " **(chosen on train+dev)**" if chosen[m][0] == label and m != "jaccard_tokens" \
            else ""
        out.append(f"| {m} | {label}{mark} | " + " | ".join(fmt(per[n]) for n, _ in SETS) + " |")
    out.append("")
    out.append("`ref=STS-B train` rows: the component (for `usif`, also n and its 5 weighted "
               "components) is estimated on the train sentences, so their train figure is not "
               "held out (no label is used). The `usif` rows without it take n and the "
               "components from the scored file's own texts, as the reference code does.")
    out.append("")
    out.append("### Difference against the best static figure before (paired bootstrap)")
    out.append("")
    out.append("| data set | baseline | method, setting | Spearman | difference [95 % interval] |")
    out.append("|---|---|---|---|---|")
    for name, (bm, bl) in BASELINE.items():
        base = scores[(bm, bl)][name]
        for (m, label), per in scores.items():
            if (m, label) == (bm, bl) or m not in OLD_METHODS[2:]:
                continue
            d = spearman_difference_interval(per[name], base, pairs[name].scores, **boot)
            star = " **chosen**" if chosen[m][0] == label else ""
            out.append(f"| {name} | {bm} {bl} {intervals[(bm, bl)][name].estimate:.3f} | "
                       f"{m}, {label}{star} | {intervals[(m, label)][name].estimate:.3f} | "
                       f"{fmt_diff(d)} |")
    out.append("")
    out.append("### uSIF and its variants against today's chosen settings (paired bootstrap)")
    out.append("")
    out.append("Difference in Spearman [95 % interval] against the setting chosen before uSIF: "
               "on STS-B `sif_best_match` corpus +ABTT (train 0.665, dev 0.740, test 0.635), "
               "on BiRD `sif` corpus (0.593).")
    out.append("")
    out.append("| method | setting | " + " | ".join(n for n, _ in SETS) + " |")
    out.append("|---|---|" + "---|" * len(SETS))
    for (m, label), per in scores.items():
        if m in OLD_METHODS:
            continue
        star = " **(chosen on train+dev)**" if chosen[m][0] == label else ""
        cells = []
        for name, _ in SETS:
            tm, tl = TODAY[name]
            d = spearman_difference_interval(per[name], scores[(tm, tl)][name],
                                             pairs[name].scores, **boot)
            cells.append(fmt_diff(d))
        out.append(f"| {m} | {label}{star} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("### `usif` against `sif` with the same setting (paired bootstrap)")
    out.append("")
    out.append("| setting | " + " | ".join(n for n, _ in SETS) + " |")
    out.append("|---|" + "---|" * len(SETS))
    for (m, label), per in scores.items():
        if m != "usif":
            continue
        cells = [fmt_diff(spearman_difference_interval(per[name], scores[("sif", label)][name],
                                                       pairs[name].scores, **boot))
                 if ("sif", label) in scores else "" for name, _ in SETS]
        if any(cells):
            out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("### uSIF's n (average in-vocabulary tokens per text) and a, from each file's "
               "own texts")
    out.append("")
    out.append("| p(w) | " + " | ".join(n for n, _ in SETS) + " |")
    out.append("|---|" + "---|" * len(SETS))
    for label in ("Zipf", "corpus"):
        out.append(f"| {label} | " + " | ".join(
            "n = {:.2f}, a = {:.2e}".format(*usif_params[(label, name)]) for name, _ in SETS)
            + " |")
    out.append("")
    out.append("With `ref=STS-B train`, n = {:.2f} and a = {:.2e} (Zipf) / {:.2e} (corpus) for "
               "every file. Vectors after all-but-the-top give the same n and a.".format(
                   usif_params[("Zipf", "STS-B train")][0],
                   usif_params[("Zipf", "STS-B train")][1],
                   usif_params[("corpus", "STS-B train")][1]))
    out.append("")
    out.append(f"Total time {time.perf_counter() - t_start:.0f} s (scoring and bootstrap, "
               "GloVe loading included).")
    text = "\n".join(out)
    print(text)
    if not args.no_write and DOC.is_file():
        doc = DOC.read_text(encoding="utf-8")
        if BEGIN in doc and END in doc:
            head, rest = doc.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
            print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
