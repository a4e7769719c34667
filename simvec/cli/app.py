"""The ``simvec`` command line: each command parses, calls one library function, prints.

Commands follow fastText's verbs: ``similar``, ``neighbors``, ``analogy``, ``evaluate``,
``keywords``, ``convert``, ``info``. Every command takes ``--vectors NAME_OR_PATH`` (default
``glove-6B-50d``) and ``--format table|json|csv``; ``-`` reads standard input.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from simvec.cli.render import Table, emit
from simvec.errors import SimvecFileNotFoundError
from simvec.keywords.methods import COMPARED_BY_DEFAULT, DEFAULT_METHOD, METHOD_NAMES, METHODS

__all__ = ["app", "main"]

DEFAULT_VECTORS = "glove-6B-50d"

app = typer.Typer(
    name="simvec",
    help="Word and text embeddings and semantic similarity: compare keyword lists by meaning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

VectorsOpt = Annotated[
    str,
    typer.Option(
        "--vectors", "-v",
        help="Named source (see `simvec info --sources`) or a vector file (word2vec text/binary, "
        "GloVe, fastText .vec, native .npy; .gz/.bz2 ok).",
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Output: table, json or csv.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No log messages on stderr.")]


def _setup(fmt: str, quiet: bool) -> None:
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"--format must be table, json or csv, got {fmt!r}")
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _fail_cleanly(fn):
    """Turn simvec's errors (and missing files) into one line on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from simvec.errors import SimvecError

        try:
            return fn(*args, **kwargs)
        except (SimvecError, FileNotFoundError) as exc:
            typer.echo(f"simvec: error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _load(vectors: str):
    import simvec

    return simvec.load(vectors)


def _stdin_lines() -> list[str]:
    return [line.rstrip("\r\n") for line in sys.stdin if line.strip()]


@app.command()
@_fail_cleanly
def similar(
    a: Annotated[str, typer.Argument(help="First keyword list, comma-separated ('-': read a line from stdin).")],
    b: Annotated[str, typer.Argument(help="Second keyword list, comma-separated ('-': read a line from stdin).")],
    vectors: VectorsOpt = DEFAULT_VECTORS,
    model: Annotated[Optional[str], typer.Option(
        "--model", help="Contextual model instead of --vectors: elmo:OPTIONS.json,WEIGHTS.hdf5.")] = None,
    context_a: Annotated[Optional[str], typer.Option(
        help="With --model elmo: text the keywords of A occur in (embedded in context).")] = None,
    context_b: Annotated[Optional[str], typer.Option(
        help="With --model elmo: text the keywords of B occur in.")] = None,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Compare two keyword lists: default-method score, Jaccard, mean and best-match cosines."""
    from simvec.cli.keywords import similar_payload

    _setup(fmt, quiet)
    if "-" in (a, b):
        lines = iter(_stdin_lines())
        a = next(lines, "") if a == "-" else a
        b = next(lines, "") if b == "-" else b
    if model is not None:
        from simvec.cli.keywords import elmo_similar_payload

        payload, tables = elmo_similar_payload(a, b, model, context_a=context_a, context_b=context_b)
    else:
        payload, tables = similar_payload(a, b, _load(vectors), vectors)
    emit(payload, tables, fmt)


@app.command()
@_fail_cleanly
def neighbors(
    words: Annotated[List[str], typer.Argument(help="Query words ('-': one per line from stdin).")],
    topn: Annotated[int, typer.Option("--topn", "-k", help="Neighbours per word.")] = 10,
    restrict_vocab: Annotated[
        Optional[int], typer.Option(help="Search only the N most frequent words.")
    ] = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Nearest neighbours of each word by cosine (batched)."""
    from simvec.cli.vectors import neighbors_payload

    _setup(fmt, quiet)
    if words == ["-"]:
        words = _stdin_lines()
    payload, tables = neighbors_payload(words, _load(vectors), topn, restrict_vocab)
    emit(payload, tables, fmt)


@app.command()
@_fail_cleanly
def analogy(
    a: Annotated[str, typer.Argument(help="A in 'A is to B as C is to ?'.")],
    b: Annotated[str, typer.Argument(help="B.")],
    c: Annotated[str, typer.Argument(help="C.")],
    topn: Annotated[int, typer.Option("--topn", "-k", help="Answers to show.")] = 5,
    method: Annotated[str, typer.Option(help="3cosadd or 3cosmul.")] = "3cosadd",
    restrict_vocab: Annotated[Optional[int], typer.Option(help="Search only the N most frequent words.")] = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Solve 'A is to B as C is to ?' (e.g. man king woman -> queen)."""
    _setup(fmt, quiet)
    kv = _load(vectors)
    answers = kv.analogy(a, b, c, topn=topn, method=method, restrict_vocab=restrict_vocab)
    payload = {
        "question": [a, b, c], "method": method,
        "answers": [{"word": w, "score": s} for w, s in answers],
    }
    emit(payload, [Table(f"{a} : {b} :: {c} : ?  ({method})", ["rank", "word", "score"],
                         [[i + 1, w, s] for i, (w, s) in enumerate(answers)])], fmt)


@app.command()
@_fail_cleanly
def evaluate(
    files: Annotated[List[Path], typer.Argument(help="Word-pair files (w1 TAB w2 TAB score), analogy files (': section' format), or phrase/sentence-pair files (BiRD: header with term1, term2, relatedness score; STS Benchmark rows).")],
    restrict_vocab: Annotated[int, typer.Option(help="Use only the N most frequent words.")] = 300000,
    method: Annotated[str, typer.Option(help="Analogy objective: 3cosadd or 3cosmul.")] = "3cosadd",
    case_sensitive: Annotated[bool, typer.Option(help="Do not fold case.")] = False,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Evaluate vectors on word-similarity and phrase/sentence-pair files (Pearson, Spearman) and analogy files (accuracy)."""
    from simvec.cli.evaluate import evaluate_payload

    _setup(fmt, quiet)
    for path in files:  # fail before the vectors load
        if not path.is_file():
            raise SimvecFileNotFoundError(f"no such evaluation file: {path}")
    payload, tables = evaluate_payload(
        files, _load(vectors), restrict_vocab=restrict_vocab, method=method,
        case_insensitive=not case_sensitive,
    )
    emit(payload, tables, fmt)


@app.command()
@_fail_cleanly
def keywords(
    docs: Annotated[str, typer.Argument(help="Collection: JSONL ({\"id\":..., \"keywords\": [...]}) or CSV; '-' for stdin (JSONL).")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Neighbours per document.")] = 10,
    method: Annotated[str, typer.Option(help="Keyword-list similarity: " + ", ".join(METHOD_NAMES) + " (see `simvec evaluate-keywords --help`); 'mean' scales to millions of documents.")] = DEFAULT_METHOD,
    id_field: Annotated[str, typer.Option(help="Field (JSONL) or column (CSV) holding the id.")] = "id",
    keywords_field: Annotated[str, typer.Option(help="Field or column holding the keywords.")] = "keywords",
    on_error: Annotated[str, typer.Option(help="Unreadable line: 'raise' stops, 'skip' reports and goes on.")] = "raise",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "csv",
    quiet: QuietOpt = False,
):
    """All-pairs top-k: each document's most similar documents, Jaccard and cosine side by side."""
    from simvec.cli.keywords import keywords_run

    _setup(fmt, quiet)
    keywords_run(
        docs, _load(vectors), top_k=top_k, method=method, id_field=id_field,
        keywords_field=keywords_field, on_error=on_error, output=output, fmt=fmt,
    )


@app.command("evaluate-keywords")
@_fail_cleanly
def evaluate_keywords(
    docs: Annotated[str, typer.Argument(help="Labelled collection: JSONL or CSV with id, keywords and label fields; '-' for stdin (JSONL).")],
    label: Annotated[str, typer.Option("--label", "-l", help="Field or column holding the topic label.")],
    method: Annotated[Optional[List[str]], typer.Option(
        "--method", "-m", help="Method to evaluate (repeat for several; 'all' for every one): "
        + ", ".join(METHOD_NAMES) + ". Default: " + ", ".join(COMPARED_BY_DEFAULT) + ".")] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Rank cut-off of MAP@k.")] = 10,
    id_field: Annotated[str, typer.Option(help="Field (JSONL) or column (CSV) holding the id.")] = "id",
    keywords_field: Annotated[str, typer.Option(help="Field or column holding the keywords.")] = "keywords",
    on_error: Annotated[str, typer.Option(help="Unreadable line: 'raise' stops, 'skip' reports and goes on.")] = "raise",
    on_missing_label: Annotated[str, typer.Option(help="Document without label: 'skip' reports its line and goes on, 'raise' stops.")] = "skip",
    seed: Annotated[int, typer.Option(help="Seed of the tie-breaking for MAP@k.")] = 0,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Rank every document's neighbours by keyword similarity; precision@1 and MAP@k of the label per method."""
    from simvec.cli.keywords import evaluate_keywords_payload

    _setup(fmt, quiet)
    methods = method or list(COMPARED_BY_DEFAULT)
    lexical_only = all(m in METHODS and not METHODS[m].needs_vectors for m in methods)
    payload, tables = evaluate_keywords_payload(
        docs, None if lexical_only else _load(vectors), label=label, methods=methods,
        id_field=id_field, keywords_field=keywords_field, on_error=on_error,
        on_missing_label=on_missing_label, k=top_k, seed=seed,
    )
    payload["vectors"] = None if lexical_only else vectors
    emit(payload, tables, fmt)


@app.command()
@_fail_cleanly
def convert(
    src: Annotated[str, typer.Argument(help="Input vectors: a file or a named source.")],
    dst: Annotated[Path, typer.Argument(help="Output file (.gz/.bz2 compress text formats).")],
    to: Annotated[str, typer.Option("--to", help="word2vec, word2vec-binary, glove, fasttext or native.")] = "native",
    limit: Annotated[Optional[int], typer.Option(help="Keep only the first N vectors.")] = None,
    quiet: QuietOpt = False,
):
    """Convert vectors between formats (written atomically)."""
    import simvec
    from simvec.vectors.formats import save_vectors

    _setup("table", quiet)
    kv = simvec.load(src, limit=limit) if limit is not None else simvec.load(src)
    save_vectors(kv, dst, format=to)
    typer.echo(f"wrote {len(kv)} vectors of size {kv.vector_size} to {dst} ({to})", err=True)


@app.command()
@_fail_cleanly
def info(
    src: Annotated[Optional[str], typer.Argument(help="Vector file or named source.")] = None,
    sources: Annotated[bool, typer.Option("--sources", help="List the named sources.")] = False,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Describe a vector file (format guessed, size, dimension) or list named sources."""
    from simvec.cli.vectors import info_payload

    _setup(fmt, quiet)
    payload, tables = info_payload(src, sources)
    emit(payload, tables, fmt)


elmo_app = typer.Typer(name="elmo", help="ELMo contextual embeddings (original bilm-tf / AllenNLP weights).",
                       no_args_is_help=True)
app.add_typer(elmo_app, name="elmo")


@elmo_app.command("embed")
@_fail_cleanly
def elmo_embed(
    file: Annotated[str, typer.Argument(help="Sentences, one per line, tokens separated by spaces ('-': stdin).")],
    options: Annotated[Path, typer.Option("--options", help="ELMo options.json.")],
    weights: Annotated[Path, typer.Option("--weights", help="ELMo weights HDF5 (original layout).")],
    output: Annotated[str, typer.Option(
        "--output", help="elmo, default, word_emb, lstm_outputs1 or lstm_outputs2.")] = "elmo",
    out: Annotated[Path, typer.Option("-o", "--out", help="OUT.npy or OUT.h5 (one dataset per sentence).")] = Path("elmo.npy"),
    batch_size: Annotated[int, typer.Option(help="Sentences per batch (sorted by length).")] = 64,
    threads: Annotated[Optional[int], typer.Option(help="torch threads (1 is often fastest on a busy CPU).")] = None,
    quiet: QuietOpt = False,
):
    """Embed the sentences of FILE with ELMo and write one output (TF-Hub names) to .npy or .h5."""
    from simvec.cli.elmo import embed_file

    _setup("table", quiet)
    msg = embed_file(file, options, weights, output=output, out=out, batch_size=batch_size,
                     num_threads=threads)
    typer.echo(msg, err=True)


from simvec.cli.train import train as _train  # noqa: E402

app.command("train")(_fail_cleanly(_train))

from simvec.cli import classify as _classify  # noqa: E402

classify_app = typer.Typer(
    name="classify", no_args_is_help=True,
    help="Text classification with learned, pretrained (GloVe) or ELMo embeddings (Keras).")
app.add_typer(classify_app, name="classify")
for _name in ("train", "evaluate", "predict"):
    classify_app.command(_name)(_fail_cleanly(getattr(_classify, _name)))


from simvec.cli import index as _index  # noqa: E402

app.command("encode")(_fail_cleanly(_index.encode))
app.command("search")(_fail_cleanly(_index.search))
index_app = typer.Typer(name="index", no_args_is_help=True, help="Approximate index of a collection.")
app.add_typer(index_app, name="index")
index_app.command("build")(_fail_cleanly(_index.index_build))
index_app.command("add")(_fail_cleanly(_index.index_add))
index_app.command("pairs")(_fail_cleanly(_index.index_pairs))

def main() -> None:
    """Entry point of the ``simvec`` console script."""
    app()
