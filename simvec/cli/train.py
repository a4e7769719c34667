"""The ``simvec train`` command: parse, call :class:`~simvec.word2vec.Word2Vec`, print a summary.

Registered on the Typer app in :mod:`simvec.cli.app`; heavy imports happen inside the command.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["train"]

_FORMATS = ("native", "word2vec", "word2vec-binary", "glove", "fasttext")


def train(
    corpus: Annotated[Path, typer.Argument(help="Corpus: a file (one sentence per line; .gz/.bz2 ok) or a folder of files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output vector file.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Vector format: native, word2vec, word2vec-binary, glove or fasttext.")] = "native",
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
    workers: Annotated[int, typer.Option(help="Training threads (0: min(4, CPUs)); 1 with --seed is bit-reproducible.")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    shared_negatives: Annotated[bool, typer.Option("--shared-negatives", help="Skip-gram: share noise words across each window (faster, HogBatch-style; not gensim's algorithm).")] = False,
    tokenizer: Annotated[str, typer.Option(help="whitespace (pre-tokenised text), regex (simvec.tokenize) or jieba (Chinese).")] = "whitespace",
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
    from simvec.text.corpus import LineSentence, TextCorpus
    from simvec.word2vec.model import Word2Vec

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if fmt not in _FORMATS:
        raise SimvecValueError(f"--format must be one of {', '.join(_FORMATS)}, got {fmt!r}")
    if resume and checkpoint is None:
        raise SimvecValueError("--resume needs --checkpoint FOLDER")
    if checkpoint_interval is not None and not checkpoint_interval > 0:
        raise SimvecValueError(
            f"--checkpoint-interval must be a positive number of seconds, got {checkpoint_interval}")
    check_output_path(out, "-o")  # every output is checked before the corpus is read
    for path, flag in ((checkpoint, "--checkpoint"), (save_model, "--save-model"),
                       (cache_dir, "--cache-dir")):
        if path is not None:
            check_output_path(path, flag, folder=True)
    if tokenizer == "whitespace":
        sentences = LineSentence(corpus, unicode_errors=unicode_errors)
    else:
        sentences = TextCorpus(corpus, tokenizer=tokenizer, unicode_errors=unicode_errors)
    t = time.perf_counter()
    kw = dict(callbacks=(), checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
              progress=progress)
    if resume:
        model = Word2Vec.resume(checkpoint, sentences, cache_dir=cache_dir, **kw)
    else:
        model = Word2Vec(sg=sg, vector_size=vector_size, window=window, min_count=min_count,
                         max_vocab_size=max_vocab_size, sample=sample, negative=negative,
                         ns_exponent=ns_exponent, alpha=alpha, min_alpha=min_alpha,
                         epochs=epochs, workers=workers, seed=seed,
                         shared_negatives=shared_negatives, cache_dir=cache_dir)
        model.build_vocab(sentences)
        model.train(sentences, **kw)
    model.save_vectors(out, format=fmt)
    if save_model is not None:
        model.save(save_model)
    secs = time.perf_counter() - t
    v = model.vocab
    typer.echo(
        f"trained {'skip-gram' if model.config.sg else 'CBOW'}: {len(v)} words x "
        f"{model.config.vector_size}, {model.epoch} epoch(s) of {v.raw_words} tokens in "
        f"{secs:.1f} s ({model.train_seconds:.1f} s training, "
        f"{v.raw_words * len(model.loss_history) / max(model.train_seconds, 1e-9) / 1e6:.2f}M "
        f"words/s); loss per epoch {', '.join(f'{x:.4g}' for x in model.loss_history)}; "
        f"wrote {out} ({fmt})", err=True)
