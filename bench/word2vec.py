"""Benchmark: simvec's Word2Vec against gensim 4.4 (``corpus_file`` mode), same file and settings.

``--engines word2vec-c --word2vec-c PATH`` runs the reference C implementation (Mikolov's
word2vec.c, ``-hs 0``) on the same file. ``--engines simvec-shared`` runs simvec with
``shared_negatives=True`` (skip-gram, HogBatch-style) beside the others. ``--engines
gensim-iterable`` runs gensim in iterable mode (``corpus_iterable`` with ``total_words``), whose
learning rate decays linearly over all words to ``min_alpha`` as simvec's does (in
``corpus_file`` mode each worker decays alpha by its own share of the words only).

Each engine runs in its own child process, back to back (peak RSS is per process), on the same
corpus file with the same parameters; both vector sets are scored by the same evaluator
(:mod:`simvec.eval.words`, which mirrors gensim's): WordSim-353, SimLex-999 (Spearman) and the
Google analogy set (3CosAdd, 300k most frequent words). Throughput is gensim's "raw words/s":
corpus tokens x epochs / training seconds (vocabulary scan excluded and shown separately).

Usage::

    .venv/bin/python bench/make_corpus.py                       # once: /tmp/simvec-bench/corpus.txt
    .venv/bin/python bench/word2vec.py --sg 0 --epochs 5        # CBOW, the issue's setting
    .venv/bin/python bench/word2vec.py --sg 1 --epochs 1        # skip-gram
    .venv/bin/python bench/word2vec.py --sg 1 --epochs 1 --shared-negatives --engines simvec
    .venv/bin/python bench/word2vec.py --max-words 5000000      # a slice, for a quick look

The machine is shared: the script prints the load average before and after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
CACHE = Path("/tmp/simvec-bench")


def _slice(corpus: Path, max_words: int) -> Path:
    """The first lines of ``corpus`` holding ``max_words`` words (cached beside it)."""
    out = CACHE / f"{corpus.stem}.{max_words}.txt"
    if out.exists():
        return out
    n = 0
    tmp = out.with_suffix(".tmp")
    with open(corpus, "rb") as f, open(tmp, "wb") as g:
        for line in f:
            g.write(line)
            n += len(line.split())
            if n >= max_words:
                break
    os.replace(tmp, out)
    return out


def _evaluate(vectors, keys) -> dict:
    from simvec.eval.words import evaluate_word_analogies, evaluate_word_pairs
    from simvec.vectors.keyed import KeyedVectors

    kv = KeyedVectors(vectors, keys)
    out = {}
    for name, f in (("wordsim353", "EN-WS-353-ALL.txt"), ("simlex999", "EN-SIMLEX-999.txt")):
        r = evaluate_word_pairs(kv, DATA / "similarity" / f)
        out[name] = round(float(r.spearman[0]), 4)
        out[name + "_oov_pct"] = round(float(r.oov_ratio), 1)
    a = evaluate_word_analogies(kv, DATA / "analogy" / "questions-words.txt")
    out["analogy_pct"] = round(100.0 * a.accuracy, 2)
    out["analogy_semantic_pct"] = round(100.0 * a.semantic_accuracy, 2)
    out["analogy_syntactic_pct"] = round(100.0 * a.syntactic_accuracy, 2)
    return out


def _word2vec_c(corpus: str, p: dict) -> dict:
    """Run the reference word2vec.c binary (``--word2vec-c``, else ``word2vec`` on PATH).

    One way to get it: ``pip install word2vec==0.11.1`` in a throwaway venv compiles Mikolov's
    C code into ``bin/word2vec``. Its time includes its own vocabulary pass (not separable);
    its vocabulary has one more entry, ``</s>`` (line ends).
    """
    import shutil
    import tempfile

    from simvec.vectors.formats import load_vectors

    exe = p.get("word2vec_c") or shutil.which("word2vec")
    if not exe:
        raise SystemExit("word2vec-c engine: pass --word2vec-c PATH to the word2vec.c binary")
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "vectors.bin"
        cmd = [exe, "-train", corpus, "-output", str(out), "-cbow", "0" if p["sg"] else "1",
               "-size", str(p["vector_size"]), "-window", str(p["window"]),
               "-negative", str(p["negative"]), "-hs", "0", "-sample", str(p["sample"]),
               "-threads", str(p["workers"]), "-iter", str(p["epochs"]),
               "-min-count", str(p["min_count"]), "-alpha", str(p["alpha"]), "-binary", "1"]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        t_train = time.perf_counter() - t
        kv = load_vectors(out, format="word2vec-binary")
    raw = sum(len(line.split()) for line in open(corpus, "rb"))
    res = {"engine": "word2vec-c", "vocab": len(kv), "raw_words": raw, "vocab_s": None,
           "train_s": round(t_train, 1), "words_per_s": round(raw * p["epochs"] / t_train),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
           "loss_per_epoch": None}
    res.update(_evaluate(kv.vectors, kv.index_to_key))
    return res


def child(engine: str, corpus: str, p: dict) -> dict:
    """Train one engine in this process; return timings, RSS and quality."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    if engine == "word2vec-c":
        return _word2vec_c(corpus, p)
    if engine in ("gensim", "gensim-iterable"):
        from gensim.models import Word2Vec as G

        t = time.perf_counter()
        m = G(vector_size=p["vector_size"], window=p["window"], min_count=p["min_count"],
              alpha=p["alpha"], min_alpha=p["min_alpha"],
              sample=p["sample"], negative=p["negative"], sg=p["sg"], epochs=p["epochs"],
              workers=p["workers"], seed=p["seed"])
        if engine == "gensim":  # corpus_file mode: each worker decays alpha by its own words
            m.build_vocab(corpus_file=corpus)
            t_vocab = time.perf_counter() - t
            t = time.perf_counter()
            m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=p["epochs"])
        else:  # iterable mode: one alpha schedule over all words, down to min_alpha
            from gensim.models.word2vec import LineSentence as GensimLines

            lines = GensimLines(corpus)
            m.build_vocab(corpus_iterable=lines)
            t_vocab = time.perf_counter() - t
            t = time.perf_counter()
            # total_words, not total_examples: with total_examples gensim decays alpha by
            # sentences, which on this corpus (short Gutenberg lines first, long reviews
            # last) leaves alpha under 0.006 for the last 56 % of the words
            m.train(corpus_iterable=lines, total_words=m.corpus_total_words,
                    epochs=p["epochs"])
        t_train = time.perf_counter() - t
        raw = m.corpus_total_words
        vectors, keys = m.wv.vectors, m.wv.index_to_key
        loss = None
    else:
        from simvec.text.corpus import LineSentence
        from simvec.word2vec import Word2Vec

        c = LineSentence(corpus)
        m = Word2Vec(vector_size=p["vector_size"], window=p["window"], min_count=p["min_count"],
                     alpha=p["alpha"], min_alpha=p["min_alpha"],
                     sample=p["sample"], negative=p["negative"], sg=bool(p["sg"]),
                     epochs=p["epochs"], workers=p["workers"], seed=p["seed"],
                     compute_loss=p["compute_loss"],
                     shared_negatives=p["shared_negatives"] or engine == "simvec-shared",
                     cache_dir=p["cache_dir"])
        t = time.perf_counter()
        m.build_vocab(c)
        t_vocab = time.perf_counter() - t
        t = time.perf_counter()
        m.train(c, progress=False)
        t_train = time.perf_counter() - t
        raw = m.vocab.raw_words
        vectors, keys = m.wv.vectors, m.wv.index_to_key
        loss = m.loss_history
    res = {
        "engine": engine, "vocab": len(keys), "raw_words": int(raw),
        "vocab_s": round(t_vocab, 1), "train_s": round(t_train, 1),
        "words_per_s": round(raw * p["epochs"] / t_train),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "loss_per_epoch": loss,
    }
    res.update(_evaluate(vectors, keys))
    return res


def _load() -> str:
    return "%.2f %.2f %.2f" % os.getloadavg()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(CACHE / "corpus.txt"))
    ap.add_argument("--max-words", type=int, default=None, help="train on the first N words only")
    ap.add_argument("--sg", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--vector-size", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-3)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.025)
    ap.add_argument("--min-alpha", type=float, default=0.0001)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-loss", action="store_true", help="simvec: compute_loss=False")
    ap.add_argument("--shared-negatives", action="store_true",
                    help="simvec skip-gram: share noise words across the window (HogBatch-style)")
    ap.add_argument("--cache-dir", default=None,
                    help="simvec: keep the encoded corpus memory-mapped in this folder")
    ap.add_argument("--word2vec-c", default=None,
                    help="path to the word2vec.c binary for --engines word2vec-c")
    ap.add_argument("--engines", default="gensim,simvec")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    p = {"vector_size": a.vector_size, "window": a.window, "min_count": a.min_count,
         "alpha": a.alpha, "min_alpha": a.min_alpha,
         "sample": a.sample, "negative": a.negative, "sg": a.sg, "epochs": a.epochs,
         "workers": a.workers, "seed": a.seed, "compute_loss": not a.no_loss,
         "shared_negatives": a.shared_negatives, "cache_dir": a.cache_dir,
         "word2vec_c": a.word2vec_c}
    corpus = Path(a.corpus)
    if a.child:
        print(json.dumps(child(a.child, str(corpus), p)))
        return
    if not corpus.exists():
        sys.exit(f"{corpus} missing: run bench/make_corpus.py first")
    if a.max_words:
        corpus = _slice(corpus, a.max_words)
    print(f"corpus {corpus}  settings {p}", flush=True)
    results = {}
    for engine in a.engines.split(","):
        before = _load()
        cmd = [sys.executable, __file__, "--child", engine, "--corpus", str(corpus)] + [
            x for k, v in p.items()
            if k not in ("compute_loss", "shared_negatives") and v is not None
            for x in (f"--{k.replace('_', '-')}", str(v))] + (["--no-loss"] if a.no_loss else []) \
            + (["--shared-negatives"] if a.shared_negatives else [])
        t = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        r["wall_s"] = round(time.perf_counter() - t, 1)
        r["load_before"], r["load_after"] = before, _load()
        results[engine] = r
        print(json.dumps(r), flush=True)
    g = results.get("gensim")
    for name in [e for e in results if e.startswith("simvec")] if g else []:
        s = results[name]
        print(f"\n{'':24}{'gensim':>14}{name:>14}{'ratio':>8}")
        for k in ("train_s", "words_per_s", "peak_rss_mb", "wordsim353", "simlex999",
                  "analogy_pct"):
            ratio = ""
            if k == "words_per_s":
                ratio = f"{s[k] / g[k]:.2f}x"
            elif k in ("wordsim353", "simlex999", "analogy_pct"):
                ratio = f"{s[k] - g[k]:+.3f}"
            print(f"{k:24}{g[k]:>14}{s[k]:>14}{ratio:>8}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
