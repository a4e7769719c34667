"""``simvec encode``, ``simvec search``, ``simvec index build|add|pairs``: collections at scale.

Each command parses its options, calls :mod:`simvec.index`, prints through
:func:`simvec.cli.render.emit`. Registered on the Typer app in :mod:`simvec.cli.app`; heavy
imports happen inside the commands.

Options are the command line's shared ones (:mod:`simvec.cli.options`): ``--output/-o``,
``--format/-f``, ``--quiet/-q``, ``--threads``, ``--vectors/-v``, and ``--top-k/-k`` spelt as
everywhere. The Dask options are one pair used by every command that can run on Dask
(``encode``, ``index build``, ``index pairs``): ``--scheduler ADDRESS`` (an existing cluster) or
``--dask-workers N`` (a local cluster). Old spellings still work for one release, with a
warning: ``--out`` (now ``--output/-o``), ``index pairs --workers`` (now ``--dask-workers``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from simvec.cli.options import (
    DEFAULT_VECTORS, FormatOpt, OutputOpt, QuietOpt, ThreadsOpt, VectorsOpt, apply_threads,
    check_input_file, check_vectors, deprecated_alias,
)
from simvec.cli.render import Table, emit
from simvec.errors import SimvecValueError

__all__ = ["encode", "index_add", "index_build", "index_pairs", "search"]

logger = logging.getLogger(__name__)

_ID = Annotated[str, typer.Option("--id-field", help="Id field / column.")]
_KW = Annotated[str, typer.Option("--keywords-field", help="Keywords field / column (Parquet: list<string> or a comma-separated string).")]
#: ``--top-k/-k``, spelt and checked as in every other command.
TopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, help="Results per query / neighbours per document.")]
#: The deprecated ``--out`` (now ``--output/-o``).
OutHidden = Annotated[Optional[Path], typer.Option("--out", hidden=True, help="Deprecated: --output.")]
#: The Dask options, one object for every command that can run on Dask.
SchedulerOpt = Annotated[Optional[str], typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="Run on this Dask cluster (tcp://HOST:8786); workers load --vectors themselves and "
         "must see the files at the same paths.")]
DaskWorkersOpt = Annotated[int, typer.Option(
    "--dask-workers", min=0, help="Without --scheduler: run on a local Dask cluster of N "
                                  "one-thread workers (0: no Dask, this process).")]
WorkersHidden = Annotated[Optional[int], typer.Option("--workers", hidden=True, min=0, help="Deprecated: --dask-workers.")]

COLLECTION_HELP = "Collection: JSONL or CSV/TSV (one record a line, .gz ok), or Parquet (.parquet/.pq)."


def _setup(quiet: bool, threads: int | None = None) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    apply_threads(threads)


def _output(output: Path | None, out: Path | None) -> Path:
    """``--output/-o`` (or the deprecated ``--out``), required."""
    output = deprecated_alias("--out", "--output", out, output)
    if output is None:
        raise SimvecValueError("--output/-o is required")
    return Path(output)


def _progress(quiet: bool, what: str):
    if quiet:
        return None
    return lambda done, part: logger.info("%s: %s records", what, f"{done:,}")


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A Dask client for ``--scheduler`` / ``--dask-workers``, or ``None`` without them; a local
    cluster started here is closed on exit."""
    if not scheduler and workers <= 0:
        yield None
        return
    from simvec.index.dask import get_client

    client = get_client(scheduler, n_workers=max(workers, 1))
    try:
        yield client
    finally:
        cluster = None if scheduler else client.cluster
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_encode_fn(client, vectors: str):
    """Chunk encoder on the cluster: each worker loads ``vectors`` (a name or a path)."""
    if client is None:
        return None
    import functools
    import os

    from simvec.index.dask import encode_dask

    spec = vectors if not os.path.exists(vectors) else os.path.abspath(vectors)
    return functools.partial(encode_dask, model=spec, client=client)


def encode(
    docs: Annotated[Path, typer.Argument(help=COLLECTION_HELP)],
    output: OutputOpt = None,
    out: OutHidden = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    chunk_size: Annotated[int, typer.Option(min=1, help="Records per chunk (each saved, so a rerun resumes).")] = 50_000,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Skip malformed records instead of failing.")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Ignore finished chunks of an interrupted run.")] = False,
    scheduler: SchedulerOpt = None,
    dask_workers: DaskWorkersOpt = 0,
    fmt: FormatOpt = "table",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Encode DOCS once: one unit vector per document (mean of keyword vectors), memory-mapped."""
    import simvec
    from simvec.index.encode import encode_file

    _setup(quiet, threads)
    output = _output(output, out)
    check_input_file(docs, "collection")
    check_vectors(vectors)
    kv = simvec.load(vectors)
    with dask_client(scheduler, dask_workers) as client:
        emb = encode_file(docs, kv, output, id_field=id_field, keywords_field=keywords_field,
                          chunk_size=chunk_size, on_error="skip" if skip_bad else "raise",
                          resume=not restart, progress=_progress(quiet, f"encode {docs}"),
                          encode_fn=_dask_encode_fn(client, vectors))
    payload = {"out": str(output), "documents": len(emb.ids), "no_vector": len(emb.no_vector),
               "skipped": len(emb.skipped), "dimension": emb.dimension, "encoder": emb.encoder}
    emit(payload, [Table(f"encoded {docs}", ["out", "documents", "no vector", "skipped", "dim"],
                         [[str(output), len(emb.ids), len(emb.no_vector), len(emb.skipped),
                           emb.dimension]])], fmt)


def index_build(
    docs: Annotated[Path, typer.Argument(help=COLLECTION_HELP)],
    output: OutputOpt = None,
    out: OutHidden = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    kind: Annotated[str, typer.Option("--kind", help="ivf (faiss IVF-Flat, the default: fastest to build and query at scale) or hnsw (usearch graph).")] = "ivf",
    nlist: Annotated[Optional[int], typer.Option(min=1, help="IVF lists (default 4 sqrt(N), one below 10,000 documents).")] = None,
    nprobe: Annotated[Optional[int], typer.Option(min=1, help="IVF lists searched (default 2 sqrt(nlist)).")] = None,
    connectivity: Annotated[int, typer.Option(min=1, help="HNSW graph degree M.")] = 16,
    expansion_add: Annotated[int, typer.Option(min=1, help="HNSW candidate list while adding (efConstruction).")] = 128,
    expansion_search: Annotated[int, typer.Option(min=1, help="HNSW candidate list while searching (efSearch).")] = 256,
    keywords: Annotated[bool, typer.Option("--keywords/--no-keywords", help="Store the keyword lists (needed to re-rank with the default method).")] = True,
    scheduler: SchedulerOpt = None,
    dask_workers: DaskWorkersOpt = 0,
    fmt: FormatOpt = "table",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Build an approximate index (faiss IVF-Flat, or usearch HNSW) of DOCS; embeddings kept as
    OUTPUT.emb.npy."""
    import simvec
    from simvec.index.ann import build_index_file

    _setup(quiet, threads)
    output = _output(output, out)
    if kind not in ("ivf", "hnsw"):
        raise typer.BadParameter(f"must be ivf or hnsw, got {kind!r}", param_hint="--kind")
    check_input_file(docs, "collection")
    check_vectors(vectors)
    kv = simvec.load(vectors)
    from simvec.errors import SimvecValueError

    with dask_client(scheduler, dask_workers) as client:
        try:
            ix = build_index_file(docs, kv, output, id_field=id_field,
                                  keywords_field=keywords_field, keywords=keywords,
                                  progress=_progress(quiet, f"encode {docs}"),
                                  encode_fn=_dask_encode_fn(client, vectors), kind=kind,
                                  nlist=nlist, nprobe=nprobe, connectivity=connectivity,
                                  expansion_add=expansion_add, expansion_search=expansion_search)
        except SimvecValueError as exc:
            hint = "--nlist" if "nlist" in str(exc) else None
            raise typer.BadParameter(str(exc), param_hint=hint) from None
    settings = ", ".join(f"{k} {v}" for k, v in ix.params.items() if k != "kind")
    emit({"out": str(output), "documents": len(ix), "no_vector": ix.meta["no_vector"],
          "kind": ix.kind, "params": ix.params},
         [Table(f"index {output}", ["documents", "no vector", "kind", "settings"],
                [[len(ix), ix.meta["no_vector"], ix.kind, settings]])],
         fmt)


def index_add(
    index: Annotated[Path, typer.Argument(help="Index folder (from `simvec index build`).")],
    docs: Annotated[Path, typer.Argument(help="New documents: " + COLLECTION_HELP)],
    vectors: VectorsOpt = DEFAULT_VECTORS,
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    fmt: FormatOpt = "table",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """Add the documents of DOCS to INDEX (ids must be new); the folder is replaced atomically."""
    import simvec
    from simvec.index.ann import load_index
    from simvec.index.encode import encode as encode_lists
    from simvec.index.encode import encoder_info
    from simvec.keywords.collection import read_collection

    _setup(quiet, threads)
    check_input_file(docs, "collection")
    check_vectors(vectors)
    kv = simvec.load(vectors)
    ix = load_index(index, writable=True)
    ix.check_encoder(encoder_info(kv))
    ids, lists, _ = read_collection(docs, id_field=id_field, keywords_field=keywords_field)
    vec = encode_lists(lists, kv)
    ok = vec.any(axis=1)
    keep = [i for i, g in enumerate(ok) if g]
    n0 = len(ix)
    ix.add(vec[ok], [ids[i] for i in keep],
           keyword_lists=[lists[i] for i in keep] if ix.meta.get("has_keywords") else None,
           encoder=encoder_info(kv))
    ix.save(index)
    emit({"index": str(index), "added": len(ix) - n0, "no_vector": int((~ok).sum()),
          "documents": len(ix)},
         [Table(f"index {index}", ["added", "no vector", "documents"],
                [[len(ix) - n0, int((~ok).sum()), len(ix)]])], fmt)


def search(
    index: Annotated[Path, typer.Argument(help="Index folder, or EMB.npy from `simvec encode` (exact search).")],
    keywords: Annotated[Optional[list[str]], typer.Argument(help="Query keyword lists, e.g. \"machine learning, robots\".")] = None,
    queries: Annotated[Optional[Path], typer.Option("--queries", help="Query collection file (JSONL/CSV/TSV/Parquet), or '-' for one list a line on stdin.")] = None,
    top_k: TopKOpt = 10,
    rerank: Annotated[bool, typer.Option("--rerank/--no-rerank", help="Index only: re-rank candidates with the default keyword method (needs stored keyword lists).")] = True,
    candidates: Annotated[Optional[int], typer.Option(min=1, help="Index candidates re-ranked per query (default: simvec.index.rerank.DEFAULT_CANDIDATES).")] = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    fmt: FormatOpt = "table",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """The TOP_K documents most similar to each query keyword list."""
    import numpy as np

    import simvec
    from simvec.index.encode import encode as encode_lists
    from simvec.index.encode import encoder_info

    _setup(quiet, threads)
    if queries is not None and keywords:
        raise typer.BadParameter("give query keywords or --queries FILE, not both")
    if queries is None and not keywords:
        raise typer.BadParameter("give query keywords or --queries FILE")
    check_vectors(vectors)
    if queries is None:
        qids, qlists = [f"q{i + 1}" for i in range(len(keywords))], list(keywords)
    elif str(queries) == "-":
        lines = [ln.strip() for ln in sys.stdin if ln.strip()]
        qids, qlists = [f"q{i + 1}" for i in range(len(lines))], lines
    else:
        from simvec.keywords.collection import read_collection

        check_input_file(queries, "query collection")
        qids, qlists, _ = read_collection(queries, id_field=id_field,
                                          keywords_field=keywords_field)
    kv = simvec.load(vectors)
    method = "mean"
    if index.is_dir():
        from simvec.index.ann import load_index

        ix = load_index(index)
        ids = ix.ids
        if rerank and ix.meta.get("has_keywords"):
            from simvec.index.rerank import DEFAULT_CANDIDATES
            from simvec.index.rerank import rerank as two_stage

            c = DEFAULT_CANDIDATES if candidates is None else candidates
            res = two_stage(ix, qlists, kv, top_k, candidates=max(c, top_k))
            idx, val, method = res.index, res.score, res.method
        else:
            idx, val = ix.query(qlists, kv, top_k)
    else:
        from simvec.index.encode import load_embeddings
        from simvec.index.search import search as exact

        emb = load_embeddings(index)
        if emb.encoder != encoder_info(kv):
            raise typer.BadParameter(
                f"--vectors {vectors} is not the encoder of {index} "
                f"({emb.encoder['kind']} {emb.encoder['fingerprint']})", param_hint="--vectors")
        ids = emb.ids
        q = encode_lists(qlists, kv)
        idx, val = exact(q, emb, top_k)
        idx[~q.any(axis=1)] = -1
    rows = [[qid, r + 1, ids[j], float(s)] for qid, ir, vr in zip(qids, idx, val)
            for r, (j, s) in enumerate(zip(ir, vr)) if j >= 0]
    payload = {"method": method, "top_k": top_k,
               "results": [{"query": qid, "neighbors": [{"id": ids[j], "score": float(s)}
                                                        for j, s in zip(ir, vr) if j >= 0]}
                           for qid, ir, vr in zip(qids, idx, val)]}
    emit(payload, [Table(f"top {top_k} ({method})", ["query", "rank", "id", "score"], rows)],
         fmt)
    if not np.any(idx >= 0):
        logger.warning("no query had an in-vocabulary keyword")


def index_pairs(
    emb: Annotated[Path, typer.Argument(help="EMB.npy from `simvec encode` (exact, mean method), or an index folder with keyword lists (two stages: default method on --candidates).")],
    output: OutputOpt = None,
    out: OutHidden = None,
    top_k: TopKOpt = 10,
    candidates: Annotated[Optional[int], typer.Option(min=1, help="Index folder only: candidates re-ranked per document (default: simvec.index.rerank.DEFAULT_CANDIDATES).")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Documents per chunk: each chunk is appended to OUTPUT.partial and recorded in OUTPUT.progress.json, so an interrupted run resumes there.")] = 65_536,
    restart: Annotated[bool, typer.Option("--restart", help="Ignore the progress of an interrupted run.")] = False,
    scheduler: SchedulerOpt = None,
    dask_workers: DaskWorkersOpt = 0,
    workers: WorkersHidden = None,
    vectors: VectorsOpt = DEFAULT_VECTORS,
    fmt: FormatOpt = "table",
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
):
    """All-pairs top-k, resumable: exact on EMB.npy (optionally on Dask), or two stages on an index folder.

    OUTPUT is JSON lines, one document a line: {"id": ..., "neighbors": [{"id": ..., "score": ...}]}.
    Interrupt it (Ctrl-C, a kill) and run the same command again: it goes on from the last
    finished chunk, and the final file equals an uninterrupted run's."""
    from simvec.cli.progress import Progress
    from simvec.index.pairs import all_pairs_to_file

    _setup(quiet, threads)
    output = _output(output, out)
    dask_workers = deprecated_alias("--workers", "--dask-workers", workers, dask_workers,
                                    default=0)
    use_dask = bool(scheduler) or dask_workers > 0
    if not emb.exists():
        from simvec.errors import SimvecFileNotFoundError

        raise SimvecFileNotFoundError(f"no such embeddings file or index folder: {emb}")
    kv = None
    if emb.is_dir():
        if use_dask:
            raise typer.BadParameter("--scheduler / --dask-workers apply to EMB.npy only",
                                     param_hint="--scheduler")
        import simvec

        check_vectors(vectors)
        kv = simvec.load(vectors)
    with dask_client(scheduler, dask_workers) as client, \
            Progress(f"pairs {emb}", None, "documents", quiet=quiet) as bar:
        res = all_pairs_to_file(emb, output, top_k, kv=kv, candidates=candidates,
                                client=client, chunk_rows=chunk_size, resume=not restart,
                                progress=bar.update_to)
    emit({"out": str(output), "documents": res["documents"], "top_k": top_k,
          "mode": res["mode"], "resumed_from": res["resumed_from"], "dask": use_dask},
         [Table(f"all pairs of {emb}", ["out", "documents", "top k", "mode", "resumed from"],
                [[str(output), res["documents"], top_k, res["mode"], res["resumed_from"]]])],
         fmt)
