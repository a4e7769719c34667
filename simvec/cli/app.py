"""The ``simvec`` command line: each command parses, calls one library function, prints.

Commands follow fastText's verbs: ``similar``, ``neighbors``, ``analogy``, ``evaluate``,
``keywords``, ``convert``, ``info``, ``train``, ``elmo embed``, ``classify``. They share one
vocabulary of options (:mod:`simvec.cli.options`, docs/cli.md): ``--vectors/-v``,
``--format/-f`` (table, json, csv), ``--output/-o``, ``--top-k/-k``, ``--method/-m``, ``--to``,
``--input-format``, ``--tokenizer``, ``--threads``, ``--quiet/-q``; ``-`` reads standard input.
Every error, usage errors included, is one line ``simvec: error: ...`` on stderr and exit
status 2.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from simvec.cli.options import (
    DEFAULT_VECTORS, ConvertToOpt, FormatOpt, InputFormatOpt, OutputOpt, QuietOpt, ThreadsOpt,
    ModelOpt, TokenizerOpt, VectorsOpt, apply_threads, check_choice, check_input_file, check_vectors,
    cli_terms, deprecated_alias, stdin_to_file,
)
from simvec.cli.render import Table, write_output
from simvec.cli.usage import OneLineErrors, version_callback
from simvec.errors import SimvecValueError
from simvec.keywords.methods import (
    COMPARED_BY_DEFAULT, DEFAULT_METHOD, METHOD_NAMES, METHODS, PAIR_METHODS, PHRASE_METHODS,
)

__all__ = ["app", "main", "EXAMPLES"]

#: One runnable example per command, shown at the end of its ``--help``.
EXAMPLES = {
    "similar": 'simvec similar "machine learning, neural network" '
               '"deep learning, artificial intelligence" -f json',
    "neighbors": "simvec neighbors frog king -k 5",
    "analogy": "simvec analogy man king woman -k 3",
    "evaluate": "simvec evaluate EN-WS-353-ALL.txt questions-words.txt -f csv",
    "keywords": "simvec keywords docs.jsonl -k 5 -o top5.csv",
    "evaluate-keywords": "simvec evaluate-keywords docs.jsonl --label category -m all",
    "convert": "simvec convert glove-6B-50d glove50.txt --limit 1000",
    "info": "simvec info glove50.txt",
    "warmup": "simvec warmup",
    "train": "simvec train corpus.txt -o vectors.txt --sg --epochs 5",
    "elmo embed": "simvec elmo embed sentences.txt --options options.json "
                  "--weights weights.hdf5 -o elmo.h5",
    "classify train": "simvec classify train --data imdb --limit 200 -o runs/imdb",
    "classify evaluate": "simvec classify evaluate runs/imdb --data imdb -f json",
    "classify predict": 'simvec classify predict runs/imdb "A dull, far too long film."',
    "serve": "simvec serve --port 8000",
    "plot words": "simvec plot words king queen man woman paris france cat dog -o map.png",
    "encode": "simvec encode docs.jsonl -o docs.emb.npy",
    "search": 'simvec search docs.idx "machine learning, robots" -k 5',
    "index build": "simvec index build docs.jsonl -o docs.idx",
    "index add": "simvec index add docs.idx new_docs.jsonl",
    "index pairs": "simvec index pairs docs.idx -o pairs.jsonl -k 10",
}


def _example(name: str) -> str:
    return f"Example: {EXAMPLES[name]}"


app = typer.Typer(
    name="simvec",
    cls=OneLineErrors,
    help="Word and text embeddings and semantic similarity: compare keyword lists by meaning.",
    epilog='Example: simvec similar "machine learning" "deep learning"',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Print simvec's version and exit.")] = None,
):
    """Word and text embeddings and semantic similarity: compare keyword lists by meaning."""


def _setup(quiet: bool) -> None:
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
        except (SimvecError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            typer.echo(f"simvec: error: {cli_terms(str(exc))}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _load(vectors: str, input_format: str | None = None):
    """Load ``--vectors`` (``-``: standard input, spooled to a temporary file)."""
    import simvec
    from simvec.cli.warmup import compile_notice

    compile_notice(("search", "keywords") if vectors in _named_sources() else
                   ("read", "search", "keywords"),
                   quiet=logging.getLogger().level > logging.INFO)
    kw = {} if input_format is None else {"format": input_format}
    if vectors == "-":
        tmp = stdin_to_file()
        try:
            return simvec.load_vectors(tmp, **kw)
        finally:
            os.unlink(tmp)
    return simvec.load(vectors, **kw)


def _load_vectors(vectors: str, input_format: str | None):
    """``_load(vectors)``, with ``input_format`` only when given (tests replace ``_load`` by a
    one-argument function returning the session's GloVe)."""
    return _load(vectors) if input_format is None else _load(vectors, input_format)


def _named_sources():
    from simvec.vectors.sources import list_sources

    return list_sources()


def _stdin_lines() -> list[str]:
    return [line.rstrip("\r\n") for line in sys.stdin if line.strip()]


TopKHidden = Annotated[Optional[int], typer.Option(
    "--topn", hidden=True, min=1, help="Deprecated spelling of --top-k.")]
RestrictOpt = Annotated[Optional[int], typer.Option(
    "--restrict-vocab", min=1, help="Search only the N most frequent words.")]


def _method_help() -> str:
    return ("Keyword-list similarity: " + "; ".join(
        f"{name}{' (default)' if name == DEFAULT_METHOD else ''}" for name in METHOD_NAMES)
        + ". See `simvec evaluate-keywords` to compare them.")


def _tokenizer(name):
    if name is None:
        return None
    from simvec.text.tokenize import TOKENIZERS, get_tokenizer

    return get_tokenizer(check_choice("--tokenizer", name, TOKENIZERS))


ELMO_METHODS = ("mean", "best_match")


@app.command(epilog=_example("similar"))
@_fail_cleanly
def similar(
    a: Annotated[str, typer.Argument(help="First keyword list, comma-separated ('-': read a line from stdin).")],
    b: Annotated[str, typer.Argument(help="Second keyword list, comma-separated ('-': read a line from stdin).")],
    method: Annotated[Optional[str], typer.Option("--method", "-m", help=_method_help() + " With a sentence-transformer --model the default is joined; with --context-a/-b: mean or best_match (default).", show_default=False)] = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    model: ModelOpt = None,
    context_a: Annotated[Optional[str], typer.Option(
        help="With --model elmo: text the keywords of A occur in (embedded in context; otherwise each list is its own context).")] = None,
    context_b: Annotated[Optional[str], typer.Option(
        help="With --model elmo: text the keywords of B occur in.")] = None,
    tokenizer: TokenizerOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    plot: Annotated[Optional[Path], typer.Option(
        "--plot", help="Also draw a keyword-by-keyword cosine heat map of the two lists into "
        "this PNG (best partners framed).")] = None,
    quiet: QuietOpt = False,
):
    """Compare two keyword lists: the method's score, Jaccard, mean and best-match cosines, and
    the alignment behind the score."""
    from simvec.cli.keywords import similar_payload

    from simvec.cli.keywords import check_model

    _setup(quiet)
    in_context = context_a is not None or context_b is not None
    if model is not None:
        if in_context and check_model(model) != "elmo":
            raise typer.BadParameter("--context-a/--context-b need --model elmo:...",
                                     param_hint="--context-a")
        if in_context and method is not None:
            check_choice("--method (with --context-a/-b)", method, ELMO_METHODS)
        elif not in_context and method is not None:
            check_choice("--method", method, PAIR_METHODS)
    else:
        if in_context:
            raise typer.BadParameter("--context-a/--context-b need --model elmo:...",
                                     param_hint="--context-a")
        if method is not None:
            check_choice("--method", method, METHOD_NAMES)
        check_vectors(vectors, input_format=input_format)
    if plot is not None:
        _check_plot_path(plot, model)
    tok = _tokenizer(tokenizer)
    if "-" in (a, b):
        lines = iter(_stdin_lines())
        a = next(lines, "") if a == "-" else a
        b = next(lines, "") if b == "-" else b
    if model is not None and in_context:
        from simvec.cli.keywords import elmo_similar_payload

        if tok is not None:  # ELMo reads whitespace tokens: segment as its training text was
            from simvec.text.tokenize import split_keywords

            a, b = ([" ".join(tok(k)) for k in split_keywords(x)] for x in (a, b))
            context_a, context_b = (None if c is None else " ".join(tok(c))
                                    for c in (context_a, context_b))
        payload, tables = elmo_similar_payload(
            a, b, model, context_a=context_a, context_b=context_b,
            method=method or "best_match")
    elif model is not None:
        from simvec.cli.keywords import load_model

        payload, tables = similar_payload(a, b, load_model(model, tok), None, method=method,
                                          tokenizer=tok)
        payload["model"] = model
    else:
        kv = _load_vectors(vectors, input_format)
        payload, tables = similar_payload(a, b, kv, vectors, method=method, tokenizer=tok)
    heatmap = None
    if plot is not None:  # computed before anything is printed: a failure prints nothing
        from simvec.serve.projection import keyword_heatmap

        try:
            heatmap = keyword_heatmap(a, b, kv, tokenizer=tok)
        except SimvecValueError as exc:
            raise SimvecValueError(f"--plot: {exc}") from None
    write_output(payload, tables, fmt, output)
    if heatmap is not None:
        from simvec.serve.projection import plot_keyword_heatmap

        plot_keyword_heatmap(heatmap, plot)
        if not quiet:
            typer.echo(f"wrote a {len(heatmap.rows)} x {len(heatmap.cols)} keyword heat map to "
                       f"{plot}", err=True)


def _check_plot_path(plot: Path, model) -> None:
    """``simvec similar --plot``: a writable .png path, with static vectors, checked before
    the vectors load."""
    from simvec._util import check_output_path

    if model is not None:
        raise SimvecValueError("--plot needs static word vectors (--vectors); it is not "
                               "available with --model")
    if plot.suffix.lower() != ".png":
        raise SimvecValueError(f"--plot must end in .png, got {plot}")
    check_output_path(plot, "--plot")


@app.command(epilog=_example("neighbors"))
@_fail_cleanly
def neighbors(
    words: Annotated[List[str], typer.Argument(help="Query words ('-': one per line from stdin); with --tokenizer a query may be several words (searched by their mean direction).")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="Neighbours per word.")] = 10,
    topn: TopKHidden = None,
    restrict_vocab: RestrictOpt = None,
    tokenizer: TokenizerOpt = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Nearest neighbours of each word by cosine (batched)."""
    from simvec.cli.vectors import neighbors_payload

    _setup(quiet)
    apply_threads(threads)
    top_k = deprecated_alias("--topn", "--top-k", topn, top_k, default=10)
    tok = _tokenizer(tokenizer)
    check_vectors(vectors, input_format=input_format)
    if words == ["-"]:
        words = _stdin_lines()
    payload, tables = neighbors_payload(words, _load_vectors(vectors, input_format), top_k,
                                        restrict_vocab, tokenizer=tok)
    write_output(payload, tables, fmt, output)


@app.command(epilog=_example("analogy"))
@_fail_cleanly
def analogy(
    a: Annotated[str, typer.Argument(help="A in 'A is to B as C is to ?'.")],
    b: Annotated[str, typer.Argument(help="B.")],
    c: Annotated[str, typer.Argument(help="C.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="Answers to show.")] = 5,
    topn: TopKHidden = None,
    method: Annotated[str, typer.Option("--method", "-m", help="3cosadd (Mikolov et al. 2013) or 3cosmul (Levy and Goldberg 2014).")] = "3cosadd",
    restrict_vocab: RestrictOpt = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    quiet: QuietOpt = False,
):
    """Solve 'A is to B as C is to ?' (e.g. man king woman -> queen)."""
    _setup(quiet)
    top_k = deprecated_alias("--topn", "--top-k", topn, top_k, default=5)
    check_choice("--method", method, ("3cosadd", "3cosmul"))
    check_vectors(vectors, input_format=input_format)
    kv = _load_vectors(vectors, input_format)
    answers = kv.analogy(a, b, c, topn=top_k, method=method, restrict_vocab=restrict_vocab)
    payload = {
        "question": [a, b, c], "method": method,
        "answers": [{"word": w, "score": s} for w, s in answers],
    }
    write_output(payload, [Table(f"{a} : {b} :: {c} : ?  ({method})", ["rank", "word", "score"],
                                 [[i + 1, w, s] for i, (w, s) in enumerate(answers)])],
                 fmt, output)


@app.command(epilog=_example("evaluate"))
@_fail_cleanly
def evaluate(
    files: Annotated[List[str], typer.Argument(help="Word-pair files (w1 TAB w2 TAB score), analogy files (': section' format), or phrase/sentence-pair files (BiRD: header with term1, term2, relatedness score; STS Benchmark rows); '-' reads one file from stdin.")],
    restrict_vocab: Annotated[int, typer.Option(min=1, help="Use only the N most frequent words.")] = 300000,
    method: Annotated[str, typer.Option("--method", "-m", help="Analogy objective: 3cosadd or 3cosmul.")] = "3cosadd",
    case_sensitive: Annotated[bool, typer.Option(help="Do not fold case.")] = False,
    word_frequencies: Annotated[str, typer.Option(help="Phrase/sentence pairs: where SIF's word probabilities p(w) come from: 'zipf' (vocabulary rank), 'corpus' (the word counts simvec ships, 30.7M tokens) or a word<TAB>count file.")] = "zipf",
    all_but_the_top: Annotated[bool, typer.Option("--all-but-the-top", help="Remove the mean and the top d/100 principal components of the vectors first (Mu & Viswanath 2018).")] = False,
    sif_reference: Annotated[Optional[str], typer.Option(help="Phrase/sentence pairs: estimate SIF's common component (and uSIF's components and mean length) on the texts of this pair file instead of on each evaluated file.")] = None,
    bootstrap: Annotated[int, typer.Option(min=0, help="Phrase/sentence pairs: resamples for the 95% interval of each Spearman (0: none).")] = 1000,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Evaluate vectors on word-similarity and phrase/sentence-pair files (Pearson, Spearman) and analogy files (accuracy); low vocabulary coverage is warned about and flagged."""
    from simvec.cli.evaluate import check_word_frequencies, evaluate_payload

    _setup(quiet)
    apply_threads(threads)
    check_choice("--method", method, ("3cosadd", "3cosmul"))
    if files.count("-") > 1:
        raise typer.BadParameter("'-' (stdin) can be given once", param_hint="FILES")
    for path in files:  # fail before the vectors load
        check_input_file(path, "evaluation file")
    check_word_frequencies(word_frequencies)
    if sif_reference is not None:
        check_input_file(sif_reference, "--sif-reference file")
    check_vectors(vectors, input_format=input_format)
    tmp = stdin_to_file(".txt") if "-" in files else None
    try:
        paths = [tmp if f == "-" else Path(f) for f in files]
        kv = _load_vectors(vectors, input_format)
        if all_but_the_top:
            from simvec.vectors.postprocess import all_but_the_top as abtt

            kv = abtt(kv)
        payload, tables = evaluate_payload(
            paths, kv, restrict_vocab=restrict_vocab, method=method,
            case_insensitive=not case_sensitive, names=files, word_frequencies=word_frequencies,
            sif_reference=sif_reference, bootstrap=bootstrap, all_but_the_top=all_but_the_top,
        )
    finally:
        if tmp is not None:
            os.unlink(tmp)
    write_output(payload, tables, fmt, output)


OnErrorOpt = Annotated[str, typer.Option(help="Unreadable line: 'raise' stops, 'skip' reports and goes on.")]
IdFieldOpt = Annotated[str, typer.Option(help="Field (JSONL) or column (CSV) holding the id.")]
KeywordsFieldOpt = Annotated[str, typer.Option(help="Field or column holding the keywords.")]


@app.command(epilog=_example("keywords"))
@_fail_cleanly
def keywords(
    docs: Annotated[str, typer.Argument(help="Collection: JSONL ({\"id\":..., \"keywords\": [...]}) or CSV; '-' for stdin (JSONL).")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="Neighbours per document.")] = 10,
    method: Annotated[Optional[str], typer.Option("--method", "-m", help=_method_help() + " With a sentence-transformer --model the default is joined. 'mean' scales to millions of documents.", show_default=False)] = None,
    id_field: IdFieldOpt = "id",
    keywords_field: KeywordsFieldOpt = "keywords",
    on_error: OnErrorOpt = "raise",
    tokenizer: TokenizerOpt = None,
    output: OutputOpt = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    model: ModelOpt = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="Through an approximate index, for large collections: INDEX is a folder from `simvec index build DOCS` (built here first if it does not exist); each document's candidates are re-ranked with the method and written to --output as JSON lines, resumably (run the same command again after an interruption).")] = None,
    candidates: Annotated[Optional[int], typer.Option("--candidates", min=1, help="With --index: candidates re-ranked per document (default: simvec.index.rerank.DEFAULT_CANDIDATES).")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="With --index: ignore the progress of an interrupted run.")] = False,
    fmt: FormatOpt = "csv",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """All-pairs top-k: each document's most similar documents, the method's score and Jaccard side by side."""
    from simvec.cli.keywords import check_model, keywords_index_run, keywords_run, load_model

    _setup(quiet)
    apply_threads(threads)
    if method is not None:
        check_choice("--method", method, METHOD_NAMES)
    check_choice("--on-error", on_error, ("raise", "skip"))
    tok = _tokenizer(tokenizer)
    check_input_file(docs, "collection")
    needs_vectors = method is None or METHODS[method].needs_vectors
    if model is not None:
        check_model(model)
    elif needs_vectors:
        check_vectors(vectors, input_format=input_format)

    def load():
        if not needs_vectors:
            return None
        return load_model(model, tok) if model is not None else _load_vectors(vectors, input_format)

    if index is not None:
        if model is not None or tok is not None:
            raise typer.BadParameter("--index works with word vectors (--vectors) and the "
                                     "default tokenizer", param_hint="--index")
        if method is not None and METHODS[method].pairwise is None:  # before the index build
            raise typer.BadParameter(f"{method} cannot re-rank single pairs; use "
                                     f"{', '.join(PHRASE_METHODS)}", param_hint="--method")
        res = keywords_index_run(docs, index, load, top_k=top_k, method=method,
                                 candidates=candidates, id_field=id_field,
                                 keywords_field=keywords_field, output=output, restart=restart,
                                 quiet=quiet)
        typer.echo(f"keywords: top-{top_k} of {res['documents']:,} documents through {index} "
                   f"-> {output}" + (f" (resumed at {res['resumed_from']:,})"
                                     if res.get("resumed_from") else ""), err=True)
        return
    if candidates is not None or restart:
        raise typer.BadParameter("applies with --index only",
                                 param_hint="--candidates" if candidates is not None else "--restart")
    keywords_run(
        docs, load, top_k=top_k,
        method=method, id_field=id_field, keywords_field=keywords_field, on_error=on_error,
        output=output, fmt=fmt, tokenizer=tok, quiet=quiet,
    )


@app.command("evaluate-keywords", epilog=_example("evaluate-keywords"))
@_fail_cleanly
def evaluate_keywords(
    docs: Annotated[str, typer.Argument(help="Labelled collection: JSONL or CSV with id, keywords and label fields; '-' for stdin (JSONL).")],
    label: Annotated[str, typer.Option("--label", "-l", help="Field or column holding the topic label.")],
    method: Annotated[Optional[List[str]], typer.Option(
        "--method", "-m", help="Method to evaluate (repeat for several; 'all' for every one): "
        + ", ".join(METHOD_NAMES) + ". Default: " + ", ".join(COMPARED_BY_DEFAULT) + ".")] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="Rank cut-off of MAP@k.")] = 10,
    id_field: IdFieldOpt = "id",
    keywords_field: KeywordsFieldOpt = "keywords",
    on_error: OnErrorOpt = "raise",
    on_missing_label: Annotated[str, typer.Option(help="Document without label: 'skip' reports its line and goes on, 'raise' stops.")] = "skip",
    seed: Annotated[int, typer.Option(help="Seed of the tie-breaking for MAP@k.")] = 0,
    tokenizer: TokenizerOpt = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    input_format: InputFormatOpt = None,
    model: ModelOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Rank every document's neighbours by keyword similarity; precision@1 and MAP@k of the label per method."""
    from simvec.cli.keywords import evaluate_keywords_payload

    _setup(quiet)
    apply_threads(threads)
    methods = method or list(COMPARED_BY_DEFAULT)
    for m in methods:
        if m != "all":
            check_choice("--method", m, METHOD_NAMES + ("all",))
    check_choice("--on-error", on_error, ("raise", "skip"))
    check_choice("--on-missing-label", on_missing_label, ("raise", "skip"))
    tok = _tokenizer(tokenizer)
    check_input_file(docs, "collection")
    lexical_only = all(m in METHODS and not METHODS[m].needs_vectors for m in methods)
    if model is not None:
        from simvec.cli.keywords import check_model, load_model

        check_model(model)
        load = (lambda: load_model(model))  # noqa: E731
    elif not lexical_only:
        check_vectors(vectors, input_format=input_format)
        load = (lambda: _load_vectors(vectors, input_format))  # noqa: E731
    payload, tables = evaluate_keywords_payload(
        docs, None if lexical_only else load, label=label,
        methods=methods, id_field=id_field, keywords_field=keywords_field, on_error=on_error,
        on_missing_label=on_missing_label, k=top_k, seed=seed, quiet=quiet, tokenizer=tok,
    )
    payload["vectors"] = None if lexical_only or model is not None else vectors
    payload["model"] = model
    write_output(payload, tables, fmt, output)


@app.command(epilog=_example("convert"))
@_fail_cleanly
def convert(
    src: Annotated[Optional[str], typer.Argument(help="Input vectors: a file or a named source ('-': stdin); or --vectors.")] = None,
    dst: Annotated[Optional[Path], typer.Argument(help="Output file (.gz/.bz2 compress text formats); or --output.")] = None,
    to: ConvertToOpt = None,
    vectors: Annotated[Optional[str], typer.Option("--vectors", "-v", help="Input vectors (instead of SRC).")] = None,
    output: OutputOpt = None,
    input_format: InputFormatOpt = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Keep only the first N vectors.")] = None,
    quiet: QuietOpt = False,
):
    """Convert vectors between formats (written atomically); the format follows DST's extension unless --to says."""
    import simvec
    from simvec.vectors.naming import resolve_save_format

    _setup(quiet)
    if src is not None and vectors is not None:
        raise typer.BadParameter("give the input once: SRC or --vectors", param_hint="SRC")
    if dst is not None and output is not None:
        raise typer.BadParameter("give the output once: DST or --output", param_hint="DST")
    src = src if src is not None else vectors
    dst = dst if dst is not None else output
    if src is None or dst is None:
        raise typer.BadParameter("needs an input (SRC or --vectors) and an output (DST or -o)",
                                 param_hint="SRC DST")
    check_vectors(src, "SRC", input_format=input_format)
    if to != "tensorboard":
        fmt, files = resolve_save_format(dst, to)
    written = "tensorboard" if to == "tensorboard" else fmt
    if src not in _named_sources() or written not in ("native", "word2vec-binary", "tensorboard"):
        from simvec.cli.warmup import compile_notice  # the text parser / writer kernels

        compile_notice(("read",), quiet=logging.getLogger().level > logging.INFO)
    kw = {} if limit is None else {"limit": limit}
    if input_format is not None:
        kw["format"] = input_format
    if src == "-":
        tmp = stdin_to_file()
        try:
            kv = simvec.load_vectors(tmp, **kw)
        finally:
            os.unlink(tmp)
    else:
        kv = simvec.load(src, **kw)
    if to == "tensorboard":  # TSV pair + projector config (simvec.serve.projection)
        from simvec.serve.projection import write_projector_files

        write_projector_files(kv, dst)
        typer.echo(f"wrote {len(kv)} vectors of size {kv.vector_size} to {dst}/vectors.tsv "
                   f"and metadata.tsv (tensorboard)", err=True)
        return
    kv.save(dst, format=fmt)
    typer.echo(f"wrote {len(kv)} vectors of size {kv.vector_size} as {fmt} to "
               f"{' and '.join(map(str, files))}", err=True)


@app.command(epilog=_example("info"))
@_fail_cleanly
def info(
    src: Annotated[Optional[str], typer.Argument(help="Vector file or named source ('-': stdin); or --vectors.")] = None,
    vectors: Annotated[Optional[str], typer.Option("--vectors", "-v", help="Vector file or named source (instead of SRC).")] = None,
    input_format: InputFormatOpt = None,
    sources: Annotated[bool, typer.Option("--sources", help="List the named sources.")] = False,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    quiet: QuietOpt = False,
):
    """Describe a vector file (format guessed, size, dimension) or list named sources."""
    from simvec.cli.vectors import info_payload

    _setup(quiet)
    if src is not None and vectors is not None:
        raise typer.BadParameter("give the input once: SRC or --vectors", param_hint="SRC")
    src = src if src is not None else vectors
    if src is not None and not sources:
        check_vectors(src, "SRC", input_format=input_format)
    if src == "-" and not sources:
        tmp = stdin_to_file()
        try:
            payload, tables = info_payload(str(tmp), False, input_format=input_format, name="-")
        finally:
            os.unlink(tmp)
    else:
        payload, tables = info_payload(src, sources, input_format=input_format)
    write_output(payload, tables, fmt, output)


@app.command(epilog=_example("warmup"))
@_fail_cleanly
def warmup(
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Compile simvec's numba kernels now (they are cached on disk), so that the first real command does not wait; prints the seconds per step."""
    from simvec.cli.warmup import kernels_to_compile, warmup as _warmup

    _setup(quiet)
    stale = kernels_to_compile()
    seconds = _warmup()
    payload = {"compiled": stale, "seconds": seconds}
    write_output(payload, [Table("warmup (seconds)", ["step", "seconds"],
                                 [[k, v] for k, v in seconds.items()],
                                 caption=f"{len(stale)} kernel module(s) needed compiling")], fmt)


elmo_app = typer.Typer(name="elmo", help="ELMo contextual embeddings (original bilm-tf / AllenNLP weights).",
                       no_args_is_help=True)
app.add_typer(elmo_app, name="elmo")

ELMO_LAYERS = ("elmo", "default", "word_emb", "lstm_outputs1", "lstm_outputs2")


def _elmo_layer_and_file(layer: str, values: list[str]):
    """Before 0.2 ``--output`` named the layer and ``-o/--out`` the file; now ``--output/-o`` is
    the file and ``--layer`` the layer. A value without a suffix that is not the last one given,
    or that names a layer, is the old spelling (warned about)."""
    from simvec.cli.options import warn

    files = []
    for i, v in enumerate(values):
        last = i == len(values) - 1
        if v in ELMO_LAYERS and not Path(v).suffix or (not last and not Path(v).suffix):
            if v not in ELMO_LAYERS:
                raise SimvecValueError(
                    f"--output {v!r}: an ELMo output must be one of {', '.join(ELMO_LAYERS)} "
                    "(name it with --layer; --output/-o names the .npy/.h5 file)")
            warn(f"--output {v} names a layer: that spelling is deprecated and will be removed "
                 "in the next release; use --layer (and --output/-o for the file)")
            layer = v
        else:
            files.append(v)
    if len(files) > 1:
        raise SimvecValueError(f"--output/-o given {len(files)} files ({', '.join(files)}): "
                               "give one")
    return layer, files[0] if files else None


@elmo_app.command("embed", epilog=_example("elmo embed"))
@_fail_cleanly
def elmo_embed(
    file: Annotated[str, typer.Argument(help="Sentences, one per line, tokens separated by spaces ('-': stdin).")],
    options: Annotated[Path, typer.Option("--options", help="ELMo options.json.")],
    weights: Annotated[Path, typer.Option("--weights", help="ELMo weights HDF5 (original layout).")],
    layer: Annotated[str, typer.Option(
        "--layer", help="Output (TF-Hub names): " + ", ".join(ELMO_LAYERS) + ".")] = "elmo",
    output: Annotated[Optional[List[str]], typer.Option(
        "--output", "-o", help="OUT.npy or OUT.h5 (one dataset per sentence). Default elmo.npy.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", hidden=True, help="Deprecated: --output.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentences per batch (sorted by length).")] = 64,
    threads: Annotated[int, typer.Option("--threads", min=1, help=(
        "torch threads. Default 1: measured fastest (150 sentences: 1.0-1.2 s with 1 "
        "thread vs 10-33 s with torch's default of 2 on a shared 2-core machine; "
        "docs/benchmarks.md)."))] = 1,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Embed the sentences of FILE with ELMo and write one output (TF-Hub names) to .npy or .h5."""
    from simvec.cli.elmo import embed_file

    _setup(quiet)
    layer, output = _elmo_layer_and_file(layer, output or [])
    check_choice("--layer", layer, ELMO_LAYERS)
    output = deprecated_alias("--out", "--output", out, output)
    dest = Path(output) if output is not None else Path("elmo.npy")
    check_input_file(file, "sentence file")
    check_input_file(options, "ELMo options file")
    check_input_file(weights, "ELMo weights file")
    summary = embed_file(file, options, weights, output=layer, out=dest, batch_size=batch_size,
                         num_threads=threads, quiet=quiet)
    if fmt == "table":
        typer.echo(summary["message"], err=True)
    else:
        write_output(summary, [Table("elmo embed", ["property", "value"],
                                     [[k, v] for k, v in summary.items()])], fmt)


from simvec.cli.data import data_app  # noqa: E402

for _cmd in data_app.registered_commands:
    _cmd.callback = _fail_cleanly(_cmd.callback)
app.add_typer(data_app, name="data")

from simvec.cli.train import train as _train  # noqa: E402

app.command("train", epilog=_example("train"))(_fail_cleanly(_train))

from simvec.cli import classify as _classify  # noqa: E402

classify_app = typer.Typer(
    name="classify", no_args_is_help=True,
    help="Text classification with learned, pretrained (GloVe) or ELMo embeddings (Keras).")
app.add_typer(classify_app, name="classify")
for _name in ("train", "evaluate", "predict"):
    classify_app.command(_name, epilog=_example(f"classify {_name}"))(
        _fail_cleanly(getattr(_classify, _name)))

from simvec.cli import serve as _serve  # noqa: E402

app.command("serve", epilog=_example("serve"))(_fail_cleanly(_serve.serve))
_serve.plot_app.command("words", epilog=_example("plot words"))(_serve.plot_words)
app.add_typer(_serve.plot_app, name="plot")


from simvec.cli import index as _index  # noqa: E402

app.command("encode", epilog=_example("encode"))(_fail_cleanly(_index.encode))
app.command("search", epilog=_example("search"))(_fail_cleanly(_index.search))
index_app = typer.Typer(name="index", no_args_is_help=True, help="Approximate index of a collection.")
app.add_typer(index_app, name="index")
index_app.command("build", epilog=_example("index build"))(_fail_cleanly(_index.index_build))
index_app.command("add", epilog=_example("index add"))(_fail_cleanly(_index.index_add))
index_app.command("pairs", epilog=_example("index pairs"))(_fail_cleanly(_index.index_pairs))

def main() -> None:
    """Entry point of the ``simvec`` console script."""
    app()
