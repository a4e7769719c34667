"""Time simvec's torch work with one thread against torch's default, alternating settings.

    .venv/bin/python bench/threads.py [--what elmo classify keras] [--rounds 2]

Three small real workloads, each run with ``threads=1`` and with torch's default (one thread per
core), alternately in one process so that the machine's load affects both alike:

- ``elmo``: ``ElmoEmbedder.embed`` (what ``simvec elmo embed`` runs) of 150 Lee-corpus
  sentences with the ELMo test fixture (../shared/data/elmo/fixture);
- ``classify``: ``train_classifier`` (what ``simvec classify train`` runs), recipe
  ``embedding``, head ``average``, 2 epochs on 1,500 AG News training texts, the fit seconds;
- ``keras``: ``simvec.word2vec.keras.train_keras`` (CBOW, 32 dimensions, 1 epoch) on the 300
  Lee-corpus documents.

Prints one JSON line per workload: seconds per setting and the load average (the machine is
shared). Figures: docs/benchmarks.md ("Threads").
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def _lee_sentences(n=None, max_len=None):
    lines = (DATA / "corpus/lee_background.cor").read_text().splitlines()
    sents = [line.split()[:max_len] for line in lines if line.strip()]
    return sents[:n] if n else sents


def _elmo(sentences: int):
    from simvec.elmo.embedder import ElmoEmbedder

    opts, weights = DATA / "elmo/fixture/options.json", DATA / "elmo/fixture/lm_weights.hdf5"
    sents = _lee_sentences(sentences, 60)

    def run(threads):
        ElmoEmbedder(opts, weights, device="cpu", num_threads=threads).embed(sents, "elmo")
    return run


def _classify(train_size: int):
    from simvec.classify import load_agnews, subsample, train_classifier
    from simvec.classify.splits import DatasetSplits

    full = load_agnews(DATA / "ag_news/test.csv")
    data = DatasetSplits(subsample(full.train, train_size, seed=0), full.test, name="agnews")

    def run(threads):
        clf = train_classifier(data, recipe="embedding", head="average", epochs=2,
                               threads=threads, seed=0, verbose=0)
        return clf.report["seconds"]["fit"]
    return run


def _keras():
    from simvec.word2vec.keras import train_keras

    sents = _lee_sentences()

    def run(threads):
        train_keras(sents, vector_size=32, min_count=2, epochs=1, seed=1, verbose=0,
                    threads=threads)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--what", nargs="*", default=["elmo", "classify", "keras"])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sentences", type=int, default=150, help="elmo: sentences embedded")
    ap.add_argument("--train-size", type=int, default=1500, help="classify: training texts")
    args = ap.parse_args()
    import torch

    default = torch.get_num_threads()
    for what in args.what:
        run = {"elmo": lambda: _elmo(args.sentences), "classify": lambda: _classify(
            args.train_size), "keras": _keras}[what]()
        run(1)  # warm-up: imports, kernels, caches
        res: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for threads in (1, default):
                torch.set_num_threads(default)  # each run starts from torch's default
                t = time.perf_counter()
                fit = run(threads)
                res.setdefault(str(threads), []).append(
                    round(fit if fit is not None else time.perf_counter() - t, 2))
        ratio = [round(b / a, 1) for a, b in zip(res["1"], res[str(default)])]
        print(json.dumps({"what": what, "default_threads": default, "seconds": res,
                          "default_over_one": ratio, "loadavg": os.getloadavg()}), flush=True)


if __name__ == "__main__":
    main()
