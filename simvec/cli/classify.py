"""``simvec classify train|evaluate|predict``: thin Typer commands over
:mod:`simvec.classify.classifier`.

Registered on the ``classify`` sub-app in :mod:`simvec.cli.app`; heavy imports (Keras, torch)
happen inside the commands. ``--data`` is a named data set (``imdb``, ``sst2``, ``agnews``, ``chnsenticorp``)
or a CSV / TSV / JSONL file with ``--text-column`` / ``--label-column``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from simvec.cli.options import deprecated_alias
from simvec.cli.render import Table, emit

__all__ = ["train", "evaluate", "predict", "load_data", "metrics_tables", "run_name",
           "hold_out_validation"]

DataOpt = Annotated[str, typer.Option(
    "--data", "-d", help="imdb, sst2, agnews, chnsenticorp, or a CSV/TSV/JSONL file.")]
TextColOpt = Annotated[str, typer.Option(help="Text column of a data file.")]
LabelColOpt = Annotated[str, typer.Option(help="Label column of a data file.")]
LimitOpt = Annotated[Optional[int], typer.Option(
    help="IMDB only: at most this many reviews per split (balanced), e.g. 200 for the "
    "small-data case.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: table, json or csv.")]


#: torch's default (one thread per core) spin-waits on these small models: a 2-epoch fit on
#: 1,500 AG News texts took 5.0-6.3 s with one thread against 54.5-55.2 s with torch's default
#: of 2 (bench/threads.py on a shared 2-core machine; docs/benchmarks.md).
THREADS_HELP = ("torch threads. Default 1: measured fastest for these small models (AG News fit "
                "5-6 s with 1 thread vs 55 s with torch's default of 2 on a shared 2-core "
                "machine; docs/benchmarks.md). Raise it only on an idle many-core machine.")


def _setup(fmt: str) -> None:
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"--format must be table, json or csv, got {fmt!r}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def load_data(data: str, text_column: str = "text", label_column: str = "label",
              limit: int | None = None):
    """The :class:`DatasetSplits` of ``--data``: a name, a table file, or the IMDB archive
    (``aclImdb_v1.tar.gz``) or its unpacked ``aclImdb`` folder.

    A name is read from the data home, where ``simvec data fetch NAME`` puts it (the
    loaders' default: :func:`simvec.classify.locate.default_data_path`; archives unpacked once).
    """
    from simvec.classify.datasets import load_dataset, load_imdb

    p = Path(data)
    if p.exists() and (p.name.endswith((".tar.gz", ".tgz")) or p.is_dir()):
        return load_imdb(p, limit=limit)  # the IMDB archive itself, or its folder
    kw = {}
    if data.lower() == "imdb" and limit:
        kw["limit"] = limit
    elif limit:
        raise typer.BadParameter("--limit applies to --data imdb only")
    if Path(data).is_file():
        kw.update(text_column=text_column, label_column=label_column)
    return load_dataset(data, **kw)


def hold_out_validation(splits, validation_size: int, train_size: int | None, seed: int):
    """``(splits, validation)``: ``validation_size`` training texts held out (stratified,
    seeded), the training split the rest or a ``train_size`` sample of it; the test split
    stays whole. This is what ``bench/classify.py`` runs for its small-data figures."""
    from simvec.classify import DatasetSplits, split_dataset, subsample
    from simvec.errors import SimvecValueError

    n = len(splits.train)
    if validation_size >= n:
        raise SimvecValueError(f"--validation-size {validation_size} leaves no training text "
                               f"(the training split has {n})")
    inner = split_dataset(splits.train, validation_size / n, seed, name=f"{splits.name} train")
    train = subsample(inner.train, train_size, seed) if train_size else inner.train
    note = (f"training texts: a stratified sample of {len(train)}; " if train_size else "")
    note += f"validation: {len(inner.test)} other training texts. "
    return (DatasetSplits(train, splits.test, name=splits.name, test_name=splits.test_name,
                          notes=splits.notes + note), inner.test)


def run_name(recipe: str, head: str) -> str:
    """``"pretrained (cnn)"``; ELMo recipes have their own architecture, so no head is named."""
    from simvec.classify.recipes import WORD_RECIPES

    return f"{recipe} ({head})" if recipe in WORD_RECIPES else recipe


def metrics_tables(metrics: dict, title: str) -> list:
    """Per-class table and confusion matrix of a metrics dict, for :func:`emit`."""
    rows = [[name, m["precision"], m["recall"], m["f1"], m["support"]]
            for name, m in metrics["per_class"].items()]
    mac = metrics["macro"]
    rows.append(["macro avg", mac["precision"], mac["recall"], mac["f1"], metrics["n"]])
    per_class = Table(f"{title}: accuracy {metrics['accuracy']:.4f} on {metrics['n']} texts",
                      ["class", "precision", "recall", "f1", "support"], rows)
    labels = metrics["labels"]
    cm = Table("confusion matrix (rows: true, columns: predicted)", ["true \\ predicted", *labels],
               [[name, *row] for name, row in zip(labels, metrics["confusion_matrix"])])
    return [per_class, cm]


def train(
    data: DataOpt,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Run folder: model, report.json, plots.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", hidden=True, help="Deprecated: --output.")] = None,
    recipe: Annotated[str, typer.Option(help="embedding, pretrained, pretrained-finetuned, elmo+embedding, elmo or elmo-default.")] = "embedding",
    head: Annotated[str, typer.Option(help="Word recipes: average, max, flatten, cnn or bilstm.")] = "average",
    vectors: Annotated[Optional[str], typer.Option("--vectors", "-v", help="Pretrained recipes: a named source (glove-6B-50d) or a vector file.")] = None,
    elmo_options: Annotated[Optional[Path], typer.Option(help="ELMo recipes: options.json.")] = None,
    elmo_weights: Annotated[Optional[Path], typer.Option(help="ELMo recipes: weights HDF5.")] = None,
    elmo_cache_mb: Annotated[float, typer.Option(help="ELMo recipes: MiB of frozen-biLM activations kept per sentence between epochs (0: off).")] = 2048.0,
    epochs: Annotated[int, typer.Option(help="At most this many epochs (early stopping on validation loss).")] = 10,
    batch_size: Annotated[int, typer.Option(help="Texts per batch.")] = 32,
    max_tokens: Annotated[int, typer.Option(help="Vocabulary size (padding and OOV included).")] = 20000,
    sequence_length: Annotated[Optional[int], typer.Option(help="Tokens per text (default: 90th percentile of training lengths, at most --max-sequence-length).")] = None,
    max_sequence_length: Annotated[int, typer.Option(help="Cap of the automatic sequence length.")] = 400,
    embedding_dim: Annotated[int, typer.Option(help="Width of a learned Embedding.")] = 64,
    dropout: Annotated[float, typer.Option(help="Dropout after the head.")] = 0.3,
    learning_rate: Annotated[float, typer.Option(help="Adam learning rate.")] = 1e-3,
    patience: Annotated[int, typer.Option(help="Early-stopping patience in epochs.")] = 2,
    validation_split: Annotated[float, typer.Option(help="Share of training texts held out for early stopping.")] = 0.1,
    time_limit: Annotated[Optional[float], typer.Option(help="Training budget in seconds: stop before an epoch that would end past it.")] = None,
    tokenizer: Annotated[str, typer.Option(help="regex (lowercase words) or jieba (Chinese).")] = "regex",
    limit: LimitOpt = None,
    train_size: Annotated[Optional[int], typer.Option(help="Train on a stratified, seeded sample of this many training texts (e.g. 200: the tutorials' small-data case); the test split stays whole.")] = None,
    validation_size: Annotated[Optional[int], typer.Option(min=1, help="Hold out this many training texts (stratified, seeded) for early stopping, taken before --train-size samples from the rest: the tutorials' small-data set-up (200 to train, 10,000 to validate). Default: --validation-split of the training texts.")] = None,
    text_column: TextColOpt = "text",
    label_column: LabelColOpt = "label",
    seed: Annotated[int, typer.Option(help="Random seed (split, weights, shuffling).")] = 0,
    threads: Annotated[int, typer.Option("--threads", min=1, help=THREADS_HELP)] = 1,
    fmt: FormatOpt = "table",
):
    """Train a recipe on the training split, evaluate on the test (dev) split, save the run."""
    from simvec._util import check_output_path
    from simvec.classify.classifier import ClassifierConfig, train_classifier

    _setup(fmt)
    out = deprecated_alias("--out", "--output", out, output)
    if out is None:
        from simvec.errors import SimvecValueError

        raise SimvecValueError("--output/-o FOLDER is required: where to save the run")
    check_output_path(out, "-o", folder=True)  # before hours of training, not after
    if data.lower() in ("chnsenticorp",) and tokenizer == "regex":
        tokenizer = "jieba"
    config = ClassifierConfig(
        recipe=recipe, head=head, vectors=vectors,
        elmo_options=None if elmo_options is None else str(elmo_options),
        elmo_weights=None if elmo_weights is None else str(elmo_weights),
        elmo_cache_mb=elmo_cache_mb, epochs=epochs,
        batch_size=batch_size, max_tokens=max_tokens, sequence_length=sequence_length,
        max_sequence_length=max_sequence_length, embedding_dim=embedding_dim, dropout=dropout,
        learning_rate=learning_rate, patience=patience, validation_split=validation_split,
        time_limit=time_limit, tokenizer=tokenizer, seed=seed, threads=threads)
    splits = load_data(data, text_column, label_column, limit)
    validation = None
    if validation_size:
        splits, validation = hold_out_validation(splits, validation_size, train_size, seed)
    elif train_size:
        splits = splits.sample_train(train_size, seed)
    with contextlib.redirect_stdout(sys.stderr):  # Keras' progress must not mix with the result
        clf = train_classifier(splits, config, run_dir=out, validation=validation)
    r = clf.report
    title = (f"{run_name(recipe, head)} on {r['dataset']} {r['test_split']}, best epoch "
             f"{r['best_epoch']} of {r['epochs_run']}, fit {r['seconds']['fit']:.0f} s")
    emit({"run_dir": str(out), **r}, metrics_tables(r["test"], title), fmt)
    typer.echo(f"saved the run to {out}", err=True)


def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `simvec classify train`.")],
    data: DataOpt,
    split: Annotated[str, typer.Option(help="test (the data set's test/dev split) or train.")] = "test",
    limit: LimitOpt = None,
    text_column: TextColOpt = "text",
    label_column: LabelColOpt = "label",
    fmt: FormatOpt = "table",
):
    """Evaluate a trained run on a data set: accuracy, per-class P/R/F1, confusion matrix."""
    from simvec.classify.classifier import Classifier
    from simvec.errors import SimvecValueError

    _setup(fmt)
    if split not in ("test", "train"):
        raise SimvecValueError(f"--split must be test or train, got {split!r}")
    clf = Classifier.load(run_dir)
    splits = load_data(data, text_column, label_column, limit)
    part = splits.test if split == "test" else splits.train
    metrics = clf.evaluate(part)
    emit({"run_dir": str(run_dir), "dataset": splits.name, "split": split, **metrics},
         metrics_tables(metrics, f"{clf.config.recipe} on {splits.name} {split}"), fmt)


def predict(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `simvec classify train`.")],
    texts: Annotated[Optional[List[str]], typer.Argument(help="Texts to classify ('-' or none: one per line from stdin).")] = None,
    fmt: FormatOpt = "table",
):
    """Predict the class of each text, with its probability."""
    from simvec.classify.classifier import Classifier
    from simvec.errors import SimvecValueError

    _setup(fmt)
    if not texts or texts == ["-"]:
        texts = [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    if not texts:
        raise SimvecValueError("no text to classify: give texts as arguments or on stdin")
    clf = Classifier.load(run_dir)
    proba = clf.predict_proba(texts)
    best = proba.argmax(axis=1)
    rows = [{"text": t, "label": clf.label_names[k], "probability": float(p[k]),
             "probabilities": dict(zip(clf.label_names, map(float, p)))}
            for t, k, p in zip(texts, best, proba)]
    table = Table(f"{clf.config.recipe} predictions", ["text", "label", "probability"],
                  [[r["text"][:80], r["label"], r["probability"]] for r in rows])
    emit({"run_dir": str(run_dir), "predictions": rows}, [table], fmt)
