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
  (``sif_reference=``) instead of on the scored file's own texts.

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
    """(label, vectors, word_probabilities, sif_reference)."""
    return [
        ("Zipf", kv, "zipf", None),
        ("Zipf +ABTT", kva, "zipf", None),
        ("corpus", kv, "corpus", None),
        ("corpus +ABTT", kva, "corpus", None),
        ("corpus, ref=STS-B train", kv, "corpus", train),
        ("corpus +ABTT, ref=STS-B train", kva, "corpus", train),
    ]


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
    for label, vecs, probs, ref in settings(kv, kva, pairs["STS-B train"]):
        methods = ["sif"] if ref is not None else ["mean", "sif", "sif_best_match"]
        if label == "Zipf":
            methods = ["jaccard_tokens"] + methods
        for name, _ in SETS:
            got, _ = score_text_pairs(vecs, pairs[name], methods, word_probabilities=probs,
                                      sif_reference=ref)
            for m, s in got.items():
                scores.setdefault((m, label), {})[name] = s
        print(f"scored: {label} ({time.perf_counter() - t_start:.0f} s)", file=sys.stderr)

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
    out.append("`ref=STS-B train` rows: the component is estimated on the train sentences, so "
               "their train figure is not held out (no label is used).")
    out.append("")
    out.append("### Difference against the best static figure before (paired bootstrap)")
    out.append("")
    out.append("| data set | baseline | method, setting | Spearman | difference [95 % interval] |")
    out.append("|---|---|---|---|---|")
    for name, (bm, bl) in BASELINE.items():
        base = scores[(bm, bl)][name]
        for (m, label), per in scores.items():
            if (m, label) == (bm, bl) or m in ("jaccard_tokens", "mean"):
                continue
            d = spearman_difference_interval(per[name], base, pairs[name].scores, **boot)
            star = " **chosen**" if chosen[m][0] == label else ""
            out.append(f"| {name} | {bm} {bl} {intervals[(bm, bl)][name].estimate:.3f} | "
                       f"{m}, {label}{star} | {intervals[(m, label)][name].estimate:.3f} | "
                       f"{fmt_diff(d)} |")
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
