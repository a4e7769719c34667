"""All-pairs top-k written to a file chunk by chunk, with a progress record: resumable.

Every document's ``k`` nearest others are computed ``chunk_rows`` documents at a time and
appended to ``OUT.partial``; after each chunk the file is flushed to disk and a progress record
``OUT.progress.json`` (rows done, bytes written, and what is being computed) replaces the old
one atomically. Memory holds one chunk's results.

If the run stops (Ctrl-C, SIGKILL, a crash, a full disk), running it again with the same input
and options finds the record, cuts ``OUT.partial`` back to the recorded length (dropping a chunk
half written when the process died) and goes on from the recorded row. Chunk boundaries are
fixed multiples of ``chunk_rows`` and each chunk is computed the same way whether or not the
run was interrupted, so the finished ``OUT`` is byte for byte the file of an uninterrupted run.
When the last chunk is written, ``OUT.partial`` is renamed to ``OUT`` and the record removed.
A different input (size or modification time), ``k``, method, candidate count or chunk size
starts over.

The output is JSON lines, one document a line in the input's row order::

    {"id": "doc1", "neighbors": [{"id": "doc7", "score": 0.912345}, ...]}

(scores rounded to 6 decimals, best first; documents the input holds no vector for are not
listed).

Two kinds of input:

* an encoded collection (``EMB.npy`` from :func:`simvec.index.encode.encode_file`): exact
  top-k of the ``mean`` vectors (:func:`simvec.index.search.all_pairs`), optionally on a Dask
  cluster (:func:`simvec.index.dask.all_pairs_dask`, identical results);
* an index folder with keyword lists (:func:`simvec.index.ann.load_index`): two stages, index
  candidates re-ranked with a keyword method (:func:`simvec.index.rerank.rerank_all_pairs`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from simvec._util import atomic_write, check_positive_int
from simvec.errors import SimvecFileNotFoundError, SimvecValueError

__all__ = ["DEFAULT_CHUNK_ROWS", "all_pairs_to_file", "progress_path", "write_pairs"]

logger = logging.getLogger(__name__)

FORMAT = "simvec-pairs-progress"
#: Documents per chunk: a multiple of the exact search's query chunk (1,024 rows), so that the
#: file's rows equal those of one :func:`simvec.index.search.all_pairs` call over everything.
DEFAULT_CHUNK_ROWS = 65_536


def progress_path(out) -> Path:
    """The progress record of an all-pairs output ``out``: ``OUT.progress.json``."""
    out = Path(out)
    return out.with_name(out.name + ".progress.json")


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def _read_record(path: Path):
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and rec.get("format") == FORMAT else None


def _write_record(path: Path, rec: dict) -> None:
    data = json.dumps(rec, ensure_ascii=False).encode("utf-8")
    atomic_write([(path, lambda f: f.write(data))])


def write_pairs(out, ids, compute: Callable[[int, int], tuple], *, chunk_rows: int,
                manifest: dict, resume: bool = True,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Write all-pairs results chunk by chunk to ``out`` with a progress record (resumable).

    Parameters
    ----------
    out : str or os.PathLike
        The JSONL file to write; ``OUT.partial`` and ``OUT.progress.json`` live beside it while
        the run is under way.
    ids : sequence of str, length N
        Document ids; row ``i`` of the results is ``ids[i]``.
    compute : callable (start, stop) -> (index, score)
        The neighbours of rows ``start:stop``: ``index`` int (stop - start, k) rows of ``ids``
        (-1 pads), ``score`` float (same shape; ignored where ``index`` is -1). It must give the
        same result for the same rows every time (the resumed file equals the uninterrupted
        one only then).
    chunk_rows : int
        Rows per chunk.
    manifest : dict (JSON-serialisable)
        What is computed (input identity, k, method, ...): a record with another manifest is
        discarded and the run starts over.
    resume : bool, default True
        False ignores (and replaces) an existing record.
    progress : callable (rows_done, N), optional
        Called after each chunk, once the progress record is on disk (also once at the start
        of a resumed run).

    Returns
    -------
    dict
        ``{"out", "documents", "resumed_from"}``: the row the run started from (0 if fresh).

    Raises
    ------
    SimvecFileNotFoundError
        If the folder of ``out`` does not exist.
    SimvecValueError
        If ``chunk_rows`` is not a positive integer or ``compute`` returns the wrong rows.
    """
    out = Path(out)
    chunk_rows = check_positive_int("chunk_rows", chunk_rows)
    if not out.parent.is_dir():
        raise SimvecFileNotFoundError(f"cannot write {out}: folder {out.parent} does not exist")
    n = len(ids)
    rec_path, part = progress_path(out), _partial_path(out)
    manifest = dict(manifest, chunk_rows=chunk_rows, documents=n)
    rec = _read_record(rec_path) if resume else None
    start, size = 0, 0
    if rec is not None and rec.get("manifest") == manifest and part.is_file() \
            and part.stat().st_size >= rec.get("bytes", -1) >= 0:
        start, size = int(rec["rows"]), int(rec["bytes"])
        logger.info("%s: resuming at document %s of %s", out, f"{start:,}", f"{n:,}")
    elif rec is not None or part.exists():
        logger.info("%s: starting over (%s)", out, "resume=False" if not resume
                    else "the input or the options changed, or the partial file is short")
    if rec is not None and rec.get("manifest") == manifest and rec.get("rows") == n \
            and not part.exists() and out.is_file() and out.stat().st_size == rec.get("bytes"):
        rec_path.unlink(missing_ok=True)  # the last run died between the rename and this
        return {"out": str(out), "documents": n, "resumed_from": n}
    resumed_from = start
    if start == 0:
        size = 0
        _write_record(rec_path, {"format": FORMAT, "manifest": manifest, "rows": 0, "bytes": 0})
    mode = "r+b" if start and part.is_file() else "wb"
    with open(part, mode) as f:
        f.truncate(size)  # drop a chunk half written when the last run died
        f.seek(size)
        if progress is not None and start:
            progress(start, n)
        for r0 in range(start, n, chunk_rows):
            r1 = min(n, r0 + chunk_rows)
            idx, val = compute(r0, r1)
            idx = np.asarray(idx)
            if idx.ndim != 2 or len(idx) != r1 - r0:
                raise SimvecValueError(f"compute({r0}, {r1}) returned {idx.shape[0]} rows")
            lines = []
            for i, (ir, vr) in enumerate(zip(idx.tolist(), np.asarray(val).tolist()), r0):
                nb = [{"id": ids[j], "score": round(float(s), 6)}
                      for j, s in zip(ir, vr) if j >= 0]
                lines.append(json.dumps({"id": ids[i], "neighbors": nb}, ensure_ascii=False))
            data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            size += len(data)
            _write_record(rec_path, {"format": FORMAT, "manifest": manifest, "rows": r1,
                                     "bytes": size})
            if progress is not None:
                progress(r1, n)
    os.replace(part, out)
    rec_path.unlink(missing_ok=True)
    return {"out": str(out), "documents": n, "resumed_from": resumed_from}


def _identity(*paths: Path) -> list:
    return [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in paths]


def all_pairs_to_file(source, out, top_k: int = 10, *, kv=None, candidates: int | None = None,
                      method: str | None = None, client=None,
                      chunk_rows: int = DEFAULT_CHUNK_ROWS, resume: bool = True,
                      progress: Callable[[int, int], None] | None = None) -> dict:
    """Every document's ``top_k`` nearest others, written resumably to ``out`` (JSONL).

    Parameters
    ----------
    source : str or os.PathLike
        ``EMB.npy`` (+ ``EMB.json``) from :func:`simvec.index.encode.encode_file`: exact
        top-k of the vectors; or an index folder saved with keyword lists: two stages
        (index candidates re-ranked by ``method``).
    out : str or os.PathLike
        The JSONL file (see the module docstring).
    top_k : int, default 10
    kv : KeyedVectors
        Index folder only (required there): the index's word vectors (checked).
    candidates : int, optional
        Index folder only: candidates re-ranked per document (default
        :data:`simvec.index.rerank.DEFAULT_CANDIDATES`); at least ``top_k``.
    method : str, optional
        Index folder only: the re-ranking method (default the keyword default).
    client : dask.distributed.Client, optional
        ``EMB.npy`` only: compute each chunk on the cluster (workers memory-map ``EMB.npy`` at
        the same path). Results are identical to one process, so a run may be resumed with or
        without Dask.
    chunk_rows : int, default 65,536
    resume : bool, default True
    progress : callable (rows_done, N), optional

    Returns
    -------
    dict
        As :func:`write_pairs`, plus ``"mode"`` (``"exact"`` or ``"two-stage"``), ``"top_k"``.

    Raises
    ------
    SimvecFileNotFoundError
        A missing input or output folder.
    SimvecValueError
        Bad ``top_k`` / ``candidates`` / ``chunk_rows``; Dask with an index folder; an index
        folder without ``kv`` or keyword lists; another encoder.
    """
    source = Path(source)
    top_k = check_positive_int("top_k", top_k)
    if source.is_dir():
        from simvec.index.ann import load_index
        from simvec.index.rerank import DEFAULT_CANDIDATES, rerank_all_pairs
        from simvec.keywords.methods import DEFAULT_METHOD, get_method

        if client is not None:
            raise SimvecValueError("Dask (a client / scheduler) applies to an encoded "
                                   "collection (EMB.npy), not to an index folder")
        if kv is None:
            raise SimvecValueError("kv (the index's word vectors) is required to re-rank "
                                   "an index's candidates")
        ix = load_index(source)
        if not ix.meta.get("has_keywords"):
            raise SimvecValueError(f"index {source} holds no keyword lists (build it with "
                                   "keywords to re-rank); give its EMB.npy for exact pairs")
        candidates = DEFAULT_CANDIDATES if candidates is None else candidates
        candidates = check_positive_int("candidates", candidates)
        if candidates < top_k:
            raise SimvecValueError(f"candidates ({candidates}) must be at least top_k "
                                   f"({top_k})")
        method = method or DEFAULT_METHOD
        get_method(method)
        if method in ("sif_best_match", "hybrid"):
            from simvec.index.encode import encoder_info
            from simvec.index.tokens import index_token_table

            ix.check_encoder(encoder_info(kv))
            # every document parsed once, kept in the index folder for a resumed run
            index_token_table(ix, kv, save=True)
        ids = ix.ids
        manifest = {"mode": "two-stage", "input": _identity(source / "meta.json",
                                                           ix.index_file),
                    "top_k": top_k, "candidates": candidates, "method": method}

        # the documents' vectors as encoded for the index (INDEX.emb.npy beside the folder, as
        # `simvec index build` writes it), instead of re-encoding each chunk's keyword lists
        vectors = None
        emb_path = source.with_name(source.name + ".emb.npy")
        if emb_path.is_file():
            from simvec.errors import SimvecError
            from simvec.index.encode import load_embeddings

            try:
                emb = load_embeddings(emb_path)
            except SimvecError:
                emb = None
            if emb is not None and emb.ids == ids and emb.encoder == ix.encoder:
                vectors = emb.vectors

        def compute(r0, r1):
            res = rerank_all_pairs(ix, kv, top_k, candidates=candidates, method=method,
                                   vectors=vectors, start=r0, stop=r1)
            return res.index, res.score
    else:
        from simvec.index.encode import load_embeddings

        emb = load_embeddings(source)
        ids = emb.ids
        manifest = {"mode": "exact", "input": _identity(source, source.with_suffix(".json")),
                    "top_k": top_k}
        if client is not None:
            from simvec.index.dask import all_pairs_dask

            def compute(r0, r1):
                return all_pairs_dask(emb, client, top_k, start=r0, stop=r1)
        else:
            from simvec.index.search import all_pairs

            def compute(r0, r1):
                return all_pairs(emb, top_k, start=r0, stop=r1)
    res = write_pairs(out, ids, compute, chunk_rows=chunk_rows, manifest=manifest,
                      resume=resume, progress=progress)
    res.update(mode=manifest["mode"], top_k=top_k)
    return res
