"""``simvec encode``, ``simvec search``, ``simvec index build|add``: collections at scale.

Each command parses its options, calls :mod:`simvec.index`, prints through
:func:`simvec.cli.render.emit`. Registered on the Typer app in :mod:`simvec.cli.app`; heavy
imports happen inside the commands.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from simvec.cli.render import Table, emit

__all__ = ["encode", "index_add", "index_build", "index_pairs", "search"]

logger = logging.getLogger(__name__)

_VECTORS = Annotated[str, typer.Option(
    "--vectors", "-v", help="Named source or vector file; the encoder (must match the index's).")]
_ID = Annotated[str, typer.Option("--id-field", help="Id field / column.")]
_KW = Annotated[str, typer.Option("--keywords-field", help="Keywords field / column.")]
_FMT = Annotated[str, typer.Option("--format", "-f", help="Output: table, json or csv.")]
_QUIET = Annotated[bool, typer.Option("--quiet", "-q", help="No log messages on stderr.")]


def _setup(fmt: str, quiet: bool) -> None:
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"--format must be table, json or csv, got {fmt!r}")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _progress(quiet: bool, what: str):
    if quiet:
        return None
    return lambda done, part: logger.info("%s: %s lines", what, f"{done:,}")


def encode(
    docs: Annotated[Path, typer.Argument(help="Collection: JSONL, CSV or TSV (.gz ok), one record a line.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output EMB.npy (+ EMB.json with ids and encoder).")],
    vectors: _VECTORS = "glove-6B-50d",
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    chunk_size: Annotated[int, typer.Option(help="Lines per chunk (each saved, so a rerun resumes).")] = 50_000,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Skip malformed records instead of failing.")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Ignore finished chunks of an interrupted run.")] = False,
    fmt: _FMT = "table",
    quiet: _QUIET = False,
):
    """Encode DOCS once: one unit vector per document (mean of keyword vectors), memory-mapped."""
    import simvec
    from simvec.index.encode import encode_file

    _setup(fmt, quiet)
    kv = simvec.load(vectors)
    emb = encode_file(docs, kv, out, id_field=id_field, keywords_field=keywords_field,
                      chunk_size=chunk_size, on_error="skip" if skip_bad else "raise",
                      resume=not restart, progress=_progress(quiet, f"encode {docs}"))
    payload = {"out": str(out), "documents": len(emb.ids), "no_vector": len(emb.no_vector),
               "skipped": len(emb.skipped), "dimension": emb.dimension, "encoder": emb.encoder}
    emit(payload, [Table(f"encoded {docs}", ["out", "documents", "no vector", "skipped", "dim"],
                         [[str(out), len(emb.ids), len(emb.no_vector), len(emb.skipped),
                           emb.dimension]])], fmt)


def _emb_path(index: Path) -> Path:
    return index.with_name(index.name + ".emb.npy")


def index_build(
    docs: Annotated[Path, typer.Argument(help="Collection: JSONL, CSV or TSV, one record a line.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Index folder to write (replaced atomically).")],
    vectors: _VECTORS = "glove-6B-50d",
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    connectivity: Annotated[int, typer.Option(help="HNSW graph degree M.")] = 16,
    expansion_add: Annotated[int, typer.Option(help="HNSW candidate list while adding (efConstruction).")] = 128,
    expansion_search: Annotated[int, typer.Option(help="HNSW candidate list while searching (efSearch).")] = 256,
    keywords: Annotated[bool, typer.Option("--keywords/--no-keywords", help="Store the keyword lists (needed to re-rank with the default method).")] = True,
    fmt: _FMT = "table",
    quiet: _QUIET = False,
):
    """Build an approximate index (usearch HNSW) of DOCS; embeddings kept as OUT.emb.npy."""
    import simvec
    from simvec.index.ann import build_index
    from simvec.index.encode import encode_file

    _setup(fmt, quiet)
    kv = simvec.load(vectors)
    emb = encode_file(docs, kv, _emb_path(out), id_field=id_field,
                      keywords_field=keywords_field, progress=_progress(quiet, f"encode {docs}"))
    lists = None
    if keywords:
        from simvec.keywords.collection import read_collection

        ids, all_lists, _ = read_collection(docs, id_field=id_field,
                                            keywords_field=keywords_field)
        by_id = dict(zip(ids, all_lists))
        lists = [by_id[i] for i in emb.ids]
        del by_id, all_lists
    ix = build_index(emb, None, keyword_lists=lists, connectivity=connectivity,
                     expansion_add=expansion_add, expansion_search=expansion_search)
    ix.save(out)
    emit({"out": str(out), "documents": len(ix), "no_vector": len(emb.no_vector),
          "params": ix.params},
         [Table(f"index {out}", ["documents", "no vector", "M", "efC", "efS"],
                [[len(ix), len(emb.no_vector), connectivity, expansion_add, expansion_search]])],
         fmt)


def index_add(
    index: Annotated[Path, typer.Argument(help="Index folder (from `simvec index build`).")],
    docs: Annotated[Path, typer.Argument(help="New documents: JSONL, CSV or TSV.")],
    vectors: _VECTORS = "glove-6B-50d",
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    fmt: _FMT = "table",
    quiet: _QUIET = False,
):
    """Add the documents of DOCS to INDEX (ids must be new); the folder is replaced atomically."""
    import simvec
    from simvec.index.ann import load_index
    from simvec.index.encode import encode as encode_lists
    from simvec.index.encode import encoder_info
    from simvec.keywords.collection import read_collection

    _setup(fmt, quiet)
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
    keywords: Annotated[list[str] | None, typer.Argument(help="Query keyword lists, e.g. \"machine learning, robots\".")] = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="Query collection file (JSONL/CSV/TSV), or '-' for one list a line on stdin.")] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Results per query.")] = 10,
    rerank: Annotated[bool, typer.Option("--rerank/--no-rerank", help="Index only: re-rank candidates with the default keyword method (needs stored keyword lists).")] = True,
    candidates: Annotated[int, typer.Option(help="Index candidates re-ranked per query.")] = 50,
    vectors: _VECTORS = "glove-6B-50d",
    id_field: _ID = "id",
    keywords_field: _KW = "keywords",
    fmt: _FMT = "table",
    quiet: _QUIET = False,
):
    """The TOP_K documents most similar to each query keyword list."""
    import numpy as np

    import simvec
    from simvec.index.encode import encode as encode_lists
    from simvec.index.encode import encoder_info

    _setup(fmt, quiet)
    if queries is not None and keywords:
        raise typer.BadParameter("give query keywords or --queries FILE, not both")
    if queries is None and not keywords:
        raise typer.BadParameter("give query keywords or --queries FILE")
    if queries is None:
        qids, qlists = [f"q{i + 1}" for i in range(len(keywords))], list(keywords)
    elif str(queries) == "-":
        lines = [ln.strip() for ln in sys.stdin if ln.strip()]
        qids, qlists = [f"q{i + 1}" for i in range(len(lines))], lines
    else:
        from simvec.keywords.collection import read_collection

        qids, qlists, _ = read_collection(queries, id_field=id_field,
                                          keywords_field=keywords_field)
    kv = simvec.load(vectors)
    method = "mean"
    if index.is_dir():
        from simvec.index.ann import load_index

        ix = load_index(index)
        ids = ix.ids
        if rerank and ix.meta.get("has_keywords"):
            from simvec.index.rerank import rerank as two_stage

            res = two_stage(ix, qlists, kv, top_k, candidates=max(candidates, top_k))
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
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL: one line per document with its neighbours (written atomically).")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Neighbours per document.")] = 10,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://HOST:8786); workers must see EMB at the same path.")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Without --scheduler: local Dask workers (0: no Dask, one process).")] = 0,
    candidates: Annotated[int, typer.Option(help="Index folder only: candidates re-ranked per document.")] = 50,
    vectors: _VECTORS = "glove-6B-50d",
    fmt: _FMT = "table",
    quiet: _QUIET = False,
):
    """All-pairs top-k: exact on EMB.npy (optionally on Dask), or two stages on an index folder."""
    import json

    from simvec._util import atomic_write
    from simvec.index.encode import load_embeddings

    _setup(fmt, quiet)
    if emb.is_dir():
        if scheduler or workers > 0:
            raise typer.BadParameter("--scheduler / --workers apply to EMB.npy only",
                                     param_hint="--scheduler")
        import simvec
        from simvec.index.ann import load_index
        from simvec.index.rerank import rerank_all_pairs

        ix = load_index(emb)
        res = rerank_all_pairs(ix, simvec.load(vectors), top_k,
                               candidates=max(candidates, top_k),
                               progress=_progress(quiet, "re-ranked documents"))
        idx, val, ids = res.index, res.score, ix.ids
    elif scheduler or workers > 0:
        from simvec.index.dask import all_pairs_dask, get_client

        e = load_embeddings(emb)
        ids = e.ids
        client = get_client(scheduler, n_workers=max(workers, 1))
        try:
            idx, val = all_pairs_dask(e, client, top_k)
        finally:
            cluster = None if scheduler else client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        from simvec.index.search import all_pairs

        e = load_embeddings(emb)
        ids = e.ids
        idx, val = all_pairs(e, top_k)

    def write(f):
        for i, (ir, vr) in enumerate(zip(idx, val)):
            f.write((json.dumps({"id": ids[i], "neighbors": [
                {"id": ids[j], "score": round(float(s), 6)} for j, s in zip(ir, vr) if j >= 0]})
                + "\n").encode())

    atomic_write([(out, write)])
    emit({"out": str(out), "documents": len(ids), "top_k": top_k,
          "dask": bool(scheduler or workers > 0)},
         [Table(f"all pairs of {emb}", ["out", "documents", "top k"],
                [[str(out), len(ids), top_k]])], fmt)
