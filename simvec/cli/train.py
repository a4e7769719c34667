"""The ``simvec train`` command: parse, call :class:`~simvec.word2vec.Word2Vec`, print a summary.

Registered on the Typer app in :mod:`simvec.cli.app`; heavy imports happen inside the command.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from simvec.cli.options import (OUTPUT_FORMATS, ToOpt, check_choice, deprecated_alias,
                                stdin_to_file, warn)
from simvec.cli.render import Table, write_output

__all__ = ["train"]

_FORMATS = ("native", "word2vec", "word2vec-binary", "glove", "fasttext")


def train(
    corpus: Annotated[str, typer.Argument(help="Corpus: a file (one sentence per line; .gz/.bz2 ok), a folder of files, or '-' for stdin.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output vector file; its extension chooses the format unless --to says (.txt word2vec, .bin word2vec-binary, .vec fasttext, .npy/none native).")] = None,
    to: ToOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Summary on stdout: table (a line on stderr), json or csv.")] = "table",
    out: Annotated[Optional[Path], typer.Option("--out", hidden=True, help="Deprecated: --output.")] = None,
    sg: Annotated[bool, typer.Option("--sg/--cbow", help="Skip-gram or CBOW (mean).")] = False,
    vector_size: Annotated[int, typer.Option(help="Vector dimensionality.")] = 100,
    window: Annotated[int, typer.Option(help="Maximum context distance (reduced randomly per word).")] = 5,
    min_count: Annotated[int, typer.Option(help="Ignore words seen fewer times.")] = 5,
    max_vocab_size: Annotated[Optional[int], typer.Option(help="Bound on distinct words while counting (word2vec.c pruning).")] = None,
    sample: Annotated[float, typer.Option(help="Subsampling threshold (0: off).")] = 1e-3,
    negative: Annotated[int, typer.Option(help="Noise words per example.")] = 5,
    ns_exponent: Annotated[float, typer.Option(help="Exponent of the unigram noise distribution.")] = 0.75,
    alpha: Annotated[float, typer.Option(help="Initial learning rate.")] = 0.025,
    min_alpha: Annotated[float, typer.Option(help="Final learning rate (linear decay over all epochs).")] = 0.0001,
    epochs: Annotated[int, typer.Option(help="Passes over the corpus.")] = 5,
    threads: Annotated[Optional[int], typer.Option("--threads", min=0, help="Training threads (word2vec's workers; default 0: min(4, CPUs)); 1 with --seed is bit-reproducible.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", hidden=True, help="Deprecated: --threads.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    shared_negatives: Annotated[bool, typer.Option("--shared-negatives", help="Skip-gram: share noise words across each window (faster, HogBatch-style; not gensim's algorithm).")] = False,
    tokenizer: Annotated[str, typer.Option(help="whitespace (pre-tokenised text), regex (simvec.tokenize) or jieba (Chinese); see simvec.text.tokenize.TOKENIZERS.")] = "whitespace",
    unicode_errors: Annotated[str, typer.Option(help="Invalid UTF-8 line: strict (stop, naming file and line), replace, ignore or skip.")] = "strict",
    checkpoint: Annotated[Optional[Path], typer.Option(help="Folder for the full training state (epoch ends, interval, interrupt).")] = None,
    checkpoint_interval: Annotated[Optional[float], typer.Option(help="Seconds between mid-epoch checkpoints.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from --checkpoint instead of starting afresh.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Keep the encoded corpus (4 bytes/token) in a memory-mapped file in this folder instead of RAM (corpora larger than memory).")] = None,
    save_model: Annotated[Optional[Path], typer.Option(help="Also save the full model (to train further) to this folder.")] = None,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No log messages on stderr.")] = False,
):
    """Train word2vec (CBOW or skip-gram, negative sampling) on CORPUS and write the vectors."""
    from simvec._util import check_output_path
    from simvec.errors import SimvecValueError
    from simvec.text.tokenize import TOKENIZERS
    from simvec.vectors.naming import resolve_save_format

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if fmt in _FORMATS:  # before 0.2, -f/--format was the vector format
        if to is not None:
            raise SimvecValueError(f"--format {fmt} is a vector format: give it once, as --to")
        warn(f"--format {fmt} for the vector file is deprecated and will be removed in the next "
             f"release: use --to {fmt} (--format is now the summary: table, json or csv)")
        to, fmt = fmt, "table"
    check_choice("--format", fmt, OUTPUT_FORMATS + _FORMATS)
    output = deprecated_alias("--out", "--output", out, output)
    if output is None:
        raise SimvecValueError("--output/-o FILE is required: where to write the vectors")
    threads = deprecated_alias("--workers", "--threads", workers, threads)
    threads = 0 if threads is None else threads
    check_choice("--tokenizer", tokenizer, TOKENIZERS)
    to, written = resolve_save_format(output, to)
    if resume and checkpoint is None:
        raise SimvecValueError("--resume needs --checkpoint FOLDER")
    if checkpoint_interval is not None and not checkpoint_interval > 0:
        raise SimvecValueError(
            f"--checkpoint-interval must be a positive number of seconds, got {checkpoint_interval}")
    check_output_path(output, "-o")  # every output is checked before the corpus is read
    for path, flag in ((checkpoint, "--checkpoint"), (save_model, "--save-model"),
                       (cache_dir, "--cache-dir")):
        if path is not None:
            check_output_path(path, flag, folder=True)
    stdin_tmp = None
    if str(corpus) == "-":
        stdin_tmp = corpus = stdin_to_file(".txt")
    else:
        check_input_file_or_folder(corpus)
    try:
        model, secs, run = _run(corpus, locals_=dict(
            sg=sg, vector_size=vector_size, window=window, min_count=min_count,
            max_vocab_size=max_vocab_size, sample=sample, negative=negative,
            ns_exponent=ns_exponent, alpha=alpha, min_alpha=min_alpha, epochs=epochs,
            workers=threads, seed=seed, shared_negatives=shared_negatives, cache_dir=cache_dir),
            tokenizer=tokenizer, unicode_errors=unicode_errors, checkpoint=checkpoint,
            checkpoint_interval=checkpoint_interval, progress=progress, resume=resume,
            output=output, to=to, save_model=save_model)
    finally:
        if stdin_tmp is not None:
            os.unlink(stdin_tmp)
    v = model.vocab
    # the rate of this run only: a resumed run counts the epochs and seconds it trained itself
    words_per_s = (v.raw_words * run["epochs"] / run["seconds"]
                   if run["epochs"] > 0 and run["seconds"] > 0 else None)
    rate = (f"{run['seconds']:.1f} s training, {words_per_s / 1e6:.2f}M words/s"
            if words_per_s is not None else "nothing left to train")
    message = (
        f"trained {'skip-gram' if model.config.sg else 'CBOW'}: {len(v)} words x "
        f"{model.config.vector_size}, {model.epoch} epoch(s) of {v.raw_words} tokens in "
        f"{secs:.1f} s ({rate}); loss per epoch "
        f"{', '.join(f'{x:.4g}' for x in model.loss_history)}; "
        f"wrote {' and '.join(map(str, written))} ({to})")
    typer.echo(message, err=True)
    if fmt != "table":
        payload = {
            "algorithm": "skip-gram" if model.config.sg else "cbow", "words": len(v),
            "vector_size": model.config.vector_size, "epochs": model.epoch,
            "tokens": v.raw_words, "seconds": secs, "train_seconds": run["seconds"],
            "epochs_this_run": run["epochs"],
            "words_per_second": words_per_s, "loss_history": list(model.loss_history),
            "format": to, "files": [str(p) for p in written],
        }
        write_output(payload, [Table("word2vec", ["property", "value"],
                                     [[k, v_] for k, v_ in payload.items()])], fmt)


class ReadProgress:
    """A re-iterable corpus that reports the tokens read by each pass over it.

    word2vec reads the corpus twice before the first epoch (counting the vocabulary, then
    encoding it); on a large corpus that takes minutes, so each pass reports its progress
    (:class:`simvec.cli.progress.Progress`: a Rich bar on a terminal, log lines when piped).
    """

    _TITLES = ("train: counting the vocabulary", "train: encoding the corpus")

    def __init__(self, corpus, *, quiet: bool = False, every: int = 10_000):
        self.corpus, self.quiet, self.every, self.passes = corpus, quiet, every, 0

    def __iter__(self):
        from simvec.cli.progress import Progress

        title = self._TITLES[self.passes] if self.passes < 2 else "train: reading the corpus"
        self.passes += 1
        tokens = 0
        with Progress(title, total=None, unit="tokens", quiet=self.quiet) as bar:
            for i, sentence in enumerate(self.corpus):
                tokens += len(sentence)
                if i % self.every == 0:
                    bar.update_to(tokens)
                yield sentence
            bar.update_to(tokens)


def check_input_file_or_folder(corpus) -> None:
    """Refuse a missing corpus before anything starts."""
    from simvec.errors import SimvecFileNotFoundError

    if not Path(corpus).exists():
        raise SimvecFileNotFoundError(f"no such corpus file or folder: {corpus}")


def _run(corpus, *, locals_, tokenizer, unicode_errors, checkpoint, checkpoint_interval,
         progress, resume, output, to, save_model):
    """Build the vocabulary, train (or resume), save; returns the model and the seconds."""
    from simvec.text.corpus import LineSentence, TextCorpus
    from simvec.word2vec.model import Word2Vec

    if tokenizer == "whitespace":
        sentences = LineSentence(corpus, unicode_errors=unicode_errors)
    else:
        sentences = TextCorpus(corpus, tokenizer=tokenizer, unicode_errors=unicode_errors)
    # the vocabulary and encoding passes read the whole corpus before training starts: report
    quiet = progress is False or logging.getLogger().level > logging.INFO
    sentences = ReadProgress(sentences, quiet=quiet)
    from simvec.cli.warmup import compile_notice

    compile_notice(("train",), quiet=logging.getLogger().level > logging.INFO)
    t = time.perf_counter()
    kw = dict(callbacks=(), checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
              progress=progress)
    if resume:  # Word2Vec.resume, with the state before recorded for the rate of this run
        model = Word2Vec.load(checkpoint)
        model.cache_dir = locals_["cache_dir"]
    else:
        model = Word2Vec(**locals_)
        model.build_vocab(sentences)
    epochs0, seconds0 = model.epochs_total, model.train_seconds
    model.train(sentences, **kw)
    model.save_vectors(output, format=to)
    if save_model is not None:
        model.save(save_model)
    run = {"epochs": model.epochs_total - epochs0, "seconds": model.train_seconds - seconds0}
    return model, time.perf_counter() - t, run
