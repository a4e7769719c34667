"""Text-classification targets of simvec.classify: train each recipe, print a table of results.

Each configuration is exactly what ``simvec classify train`` runs with the printed options; the
run folders (model, report.json, history.png, confusion_matrix.png) go under ``--out``.

    .venv/bin/python bench/classify.py --only imdb-embedding imdb-pretrained-bilstm
    .venv/bin/python bench/classify.py --only small-data          # 200 IMDB reviews, both curves
    .venv/bin/python bench/classify.py --only elmo --elmo runs/elmo-mini-5m

Figures go to docs/benchmarks.md (accuracy on the test split; fit seconds are wall-clock on a
shared 2-core machine, 1 torch thread unless ``--threads``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

# (name, data, train_size, overrides); the CLI equivalent is printed with each result
CONFIGS = [
    ("imdb-embedding", "imdb", None, {"recipe": "embedding", "head": "average"}),
    ("imdb-pretrained-bilstm", "imdb", None,
     {"recipe": "pretrained", "head": "bilstm", "vectors": "glove-6B-50d"}),
    ("imdb-pretrained-cnn", "imdb", None,
     {"recipe": "pretrained", "head": "cnn", "vectors": "glove-6B-50d"}),
    ("imdb-pretrained-average", "imdb", None,
     {"recipe": "pretrained", "head": "average", "vectors": "glove-6B-50d"}),
    # SST-2 trains on phrases (short) but is evaluated on whole sentences: a fixed length of 64
    ("sst2-pretrained-finetuned-bilstm", "sst2", None,
     {"recipe": "pretrained-finetuned", "head": "bilstm", "vectors": "glove-6B-50d",
      "sequence_length": 64}),
    ("sst2-pretrained-bilstm", "sst2", None,
     {"recipe": "pretrained", "head": "bilstm", "vectors": "glove-6B-50d",
      "sequence_length": 64}),
    ("agnews-embedding", "agnews", None, {"recipe": "embedding", "head": "average"}),
    ("agnews-pretrained-finetuned", "agnews", None,
     {"recipe": "pretrained-finetuned", "head": "average", "vectors": "glove-6B-50d"}),
    ("chnsenticorp-embedding", "chnsenticorp", None,
     {"recipe": "embedding", "head": "average", "tokenizer": "jieba"}),
]
SMALL = [  # the tutorials' small-data case: 200 training reviews, Flatten head, length 100
    ("small-data-learned", "imdb", 200,
     {"recipe": "embedding", "head": "flatten", "sequence_length": 100, "embedding_dim": 50,
      "epochs": 10, "patience": 10, "dropout": 0.0}),
    ("small-data-glove-frozen", "imdb", 200,
     {"recipe": "pretrained", "head": "flatten", "sequence_length": 100,
      "vectors": "glove-6B-50d", "epochs": 10, "patience": 10, "dropout": 0.0}),
]
ELMO = [  # ELMo recipes 3-5 on SST-2 (a sample: ELMo on this CPU is slow), with --elmo DIR
    ("sst2-elmo-default", "sst2", 4000,
     {"recipe": "elmo-default", "epochs": 5, "sequence_length": 64}),
    ("sst2-elmo", "sst2", 4000, {"recipe": "elmo", "epochs": 5, "sequence_length": 64}),
    ("sst2-elmo+embedding", "sst2", 4000,
     {"recipe": "elmo+embedding", "epochs": 5, "sequence_length": 64}),
    ("sst2-embedding-4000", "sst2", 4000,  # the same sample without ELMo, for comparison
     {"recipe": "embedding", "epochs": 5, "sequence_length": 64}),
]


def _cli(data, train_size, overrides, validation_size=None) -> str:
    opts = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in overrides.items())
    size = f" --train-size {train_size}" if train_size else ""
    size += f" --validation-size {validation_size}" if validation_size else ""
    return f"simvec classify train --data {data}{size} {opts}"


def main(argv=None) -> int:
    import os

    # the loaders read the data home; this repository's copies are in ../shared/data
    os.environ.setdefault("SIMVEC_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None,
                    help="names (or prefixes) of configurations; 'small-data', 'elmo'")
    ap.add_argument("--out", type=Path, default=Path("runs/classify"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=900.0,
                    help="training budget per recipe in seconds (the issue's 15 minutes): stop before an "
                         "epoch that would end past it")
    ap.add_argument("--elmo", type=Path, default=None,
                    help="folder of a trained biLM (options.json, weights.hdf5) for the ELMo recipes")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from simvec.classify import ClassifierConfig, load_dataset, train_classifier
    from simvec.classify.report import plot_histories

    configs = CONFIGS + SMALL + (ELMO if args.elmo else [])
    if args.only:
        configs = [c for c in configs if any(c[0].startswith(p) for p in args.only)]
    rows = []
    cache = {}
    for name, data, train_size, overrides in configs:
        overrides = dict(overrides)
        if overrides["recipe"].startswith("elmo"):
            overrides.update(elmo_options=str(args.elmo / "options.json"),
                             elmo_weights=str(args.elmo / "weights.hdf5"))
        if data not in cache:
            cache[data] = load_dataset(data)
        splits = cache[data]
        validation = None
        if train_size and name.startswith("small-data"):
            # as the tutorial: 200 training reviews, 10,000 others for validation, all 25,000
            # test reviews for the figure
            from simvec.classify import DatasetSplits, split_dataset, subsample

            inner = split_dataset(splits.train, 10000 / len(splits.train), 0, name="imdb train")
            validation = inner.test
            splits = DatasetSplits(subsample(inner.train, train_size, 0), splits.test,
                                   name=splits.name, notes=splits.notes + (
                                       f"training texts: a stratified sample of {train_size}; "
                                       f"validation: 10,000 other training reviews. "))
        elif train_size:
            splits = splits.sample_train(train_size, 0)
        config = ClassifierConfig(threads=args.threads, time_limit=args.time_limit, **overrides)
        t0 = time.perf_counter()
        clf = train_classifier(splits, config, run_dir=args.out / name, verbose=2,
                               validation=validation)
        r = clf.report
        rows.append((name, r["test_split"], r["test"]["accuracy"], r["test"]["macro"]["f1"],
                     r["best_epoch"], r["epochs_run"], r["seconds"]["fit"],
                     time.perf_counter() - t0,
                     _cli(data, train_size, overrides,
                          None if validation is None else len(validation))))
        print(f"{name}: {r['test_split']} accuracy {r['test']['accuracy']:.4f}", flush=True)
    small = [n for n, *_ in SMALL if (args.out / n / "report.json").exists()]
    if len(small) == 2:
        import json

        hists = {("learned Embedding" if "learned" in n else "frozen GloVe 6B 50d"):
                 json.loads((args.out / n / "report.json").read_text())["history"] for n in small}
        out = plot_histories(hists, args.out / "small-data-curves.png",
                             title="IMDB, 200 training reviews: learned vs frozen GloVe")
        print(f"wrote {out}")
    print("\n| run | split | accuracy | macro F1 | best epoch / run | fit s | total s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, split, acc, f1, best, ran, fit, total, _ in rows:
        print(f"| {name} | {split} | {acc:.4f} | {f1:.4f} | {best} / {ran} | {fit:.0f} | {total:.0f} |")
    print()
    for name, *_, cli in rows:
        print(f"{name}: {cli}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
