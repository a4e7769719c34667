"""Encode a keyword collection once: one unit vector per document, on disk, memory-mapped.

:func:`encode` turns keyword lists (or texts) into an (N, d) float32 matrix of unit rows;
:func:`encode_file` streams a JSONL / CSV / TSV collection through it chunk by chunk and writes
``OUT.npy`` (the rows, memory-mappable) beside ``OUT.json`` (ids, encoder, method, dimension).
Each finished chunk is saved atomically under ``OUT.npy.parts/``, so an interrupted run resumes
where it stopped; the final files are written through a temporary file and renamed.

The encoders:

* word vectors (a :class:`~simvec.vectors.keyed.KeyedVectors`): the ``mean`` method of
  :mod:`simvec.keywords.methods` (Mitchell & Lapata 2010): each keyword is the mean of its token
  vectors, each document the mean of its in-vocabulary keyword vectors, normalised to unit
  length; computed by :class:`simvec.keywords.scorers.MeanBlocks`, so ``dot`` of two rows equals
  the ``mean`` method's score.
* any object with ``encode(list of str) -> (N, d)`` (a sentence-transformers model): the
  keywords joined with ``", "`` are encoded and normalised.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simvec._util import (
    atomic_write,
    atomic_write_path,
    check_positive_int,
    normalize_rows,
)
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError

__all__ = ["Embeddings", "encode", "encode_file", "encoder_info", "load_embeddings",
           "read_metadata"]

logger = logging.getLogger(__name__)

FORMAT = "simvec-embeddings"
VERSION = 1


def encoder_info(model) -> dict:
    """What identifies an encoder: kind, dimension and a fingerprint of its weights.

    Two encodings are comparable only when their ``encoder_info`` are equal; the index refuses
    queries encoded otherwise.

    Parameters
    ----------
    model : KeyedVectors or object with ``encode``
        Word vectors (fingerprint: sha256 of the vocabulary size, dimension, the first 1,000
        words and every 997th row of the matrix) or a sentence-transformers-like model
        (fingerprint: its class and ``name_or_path`` / ``model_card_data.base_model``).

    Returns
    -------
    dict
        ``{"kind": "word-vectors-mean" | "sentence-encoder", "dimension": d, "fingerprint": str}``.

    Raises
    ------
    SimvecValueError
        If ``model`` is neither.
    """
    if hasattr(model, "vectors") and hasattr(model, "key_to_index"):
        vec = model.vectors
        h = hashlib.sha256(f"{vec.shape[0]}x{vec.shape[1]}".encode())
        keys = getattr(model, "index_to_key", None) or list(model.key_to_index)
        h.update("\n".join(map(str, keys[:1000])).encode())
        h.update(np.ascontiguousarray(vec[::997], dtype=np.float32).tobytes())
        return {"kind": "word-vectors-mean", "dimension": int(vec.shape[1]),
                "fingerprint": h.hexdigest()[:16]}
    if callable(getattr(model, "encode", None)):
        name = getattr(model, "name_or_path", None) or getattr(
            getattr(model, "model_card_data", None), "base_model", None) or ""
        dim = getattr(model, "get_sentence_embedding_dimension", lambda: None)()
        h = hashlib.sha256(f"{type(model).__qualname__}:{name}:{dim}".encode())
        return {"kind": "sentence-encoder", "dimension": None if dim is None else int(dim),
                "fingerprint": h.hexdigest()[:16]}
    raise SimvecValueError(
        f"model must be word vectors (KeyedVectors) or have an encode() method, "
        f"got {type(model).__name__}")


def encode(keyword_lists_or_texts: Sequence, model, *, tokenizer=None,
           batch_size: int = 256) -> np.ndarray:
    """One unit vector per document: (N, d) float32.

    Parameters
    ----------
    keyword_lists_or_texts : sequence of (list of str or str), length N
        Keyword lists; a str is split on ``,`` / ``;`` (as everywhere in
        :mod:`simvec.keywords`). For a sentence encoder a str is encoded as it is.
    model : KeyedVectors or object with ``encode``
        See the module docstring.
    tokenizer : callable str -> list of str, optional
        Word vectors only; default :func:`simvec.text.tokenize.tokenize`.
    batch_size : int, default 256
        Sentence encoders only.

    Returns
    -------
    ndarray of float32, shape (N, d)
        Unit rows; a document with no in-vocabulary keyword (or no keyword) gets a zero row,
        so it scores 0 against everything. With word vectors ``res[i] @ res[j]`` equals
        ``similarity_matrix(lists, kv, "mean")[i, j]`` (to float32 rounding).

    Raises
    ------
    SimvecValueError
        If a list is not a str or a list of str, or ``model`` is not an encoder.

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0, 1]], np.float32), ["cat", "car"])
    >>> encode([["cat"], ["cat", "car"], ["dog"]], kv).round(3)
    array([[1.   , 0.   ],
           [0.707, 0.707],
           [0.   , 0.   ]], dtype=float32)
    """
    info = encoder_info(model)
    n = len(keyword_lists_or_texts)
    if info["kind"] == "word-vectors-mean":
        from simvec.keywords.parse import parse_collection
        from simvec.keywords.scorers import MeanBlocks

        d = info["dimension"]
        out = np.zeros((n, d), dtype=np.float32)
        if n == 0:
            return out
        mb = MeanBlocks(parse_collection(keyword_lists_or_texts, model, tokenizer))
        out[mb.pos] = mb.matrix
        return out
    texts = [x if isinstance(x, str) else ", ".join(x) for x in keyword_lists_or_texts]
    emb = np.asarray(model.encode(texts, batch_size=batch_size), dtype=np.float32)
    if emb.ndim != 2 or len(emb) != n:
        raise SimvecValueError(f"model.encode returned shape {emb.shape} for {n} texts")
    return normalize_rows(emb)


# --------------------------------------------------------------------------- files


@dataclass
class Embeddings:
    """An encoded collection read by :func:`load_embeddings`.

    Attributes
    ----------
    vectors : ndarray (memory map), float32, shape (N, d)
        Unit rows of the documents that have a vector, in file order.
    ids : list of str, length N
        Their ids (``ids[i]`` is row i).
    no_vector : list of str
        Ids of documents without any in-vocabulary keyword (not in ``vectors``).
    encoder : dict
        :func:`encoder_info` of the model that encoded them.
    method : str
        ``"mean"`` for word vectors, ``"sentence-encoder"`` otherwise.
    path : pathlib.Path
    skipped : list of [line, reason]
        Malformed records skipped with ``on_error="skip"``.
    """

    vectors: np.ndarray
    ids: list
    no_vector: list
    encoder: dict
    method: str
    path: Path
    skipped: list = field(default_factory=list)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def read_metadata(meta_path: Path, fmt: str, files, missing: str) -> dict:
    """The JSON metadata of an embeddings file or an index, checked for its ``format`` field.

    Parameters
    ----------
    meta_path : Path
        The JSON file.
    fmt : str
        The value its ``format`` field must have.
    files : iterable of Path
        Files that must all exist (the metadata included).
    missing : str
        Message for a missing file; its first ``{}`` is replaced by the path.

    Raises
    ------
    SimvecFileNotFoundError
        If a file is missing.
    InputFormatError
        If the metadata is not JSON, not an object, or of another format (names the file).
    """
    for p in files:
        if not p.is_file():
            raise SimvecFileNotFoundError(missing.replace("{}", str(p), 1))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputFormatError(f"not JSON ({exc})", str(meta_path)) from None
    if not isinstance(meta, dict) or meta.get("format") != fmt:
        raise InputFormatError(f"field 'format' must be {fmt!r}", str(meta_path))
    return meta


def load_embeddings(path, *, mmap: bool = True) -> Embeddings:
    """Read ``EMB.npy`` + ``EMB.json`` written by :func:`encode_file`.

    Raises
    ------
    SimvecFileNotFoundError
        If either file is missing.
    InputFormatError
        If the sidecar is not simvec's or disagrees with the matrix (rows, dimension).
    """
    path = Path(path)
    side = _sidecar(path)
    meta = read_metadata(side, FORMAT, (path, side),
                         f"embeddings file {{}} not found (write it with "
                         f"`simvec encode DOCS -o {path}`)")
    vec = np.load(path, mmap_mode="r" if mmap else None)
    if vec.ndim != 2 or vec.dtype != np.float32:
        raise InputFormatError(f"expected a 2-D float32 matrix, got {vec.dtype} {vec.shape}",
                               str(path))
    if len(meta["ids"]) != len(vec) or meta["dimension"] != vec.shape[1]:
        raise InputFormatError(
            f"field 'ids' has {len(meta['ids'])} ids and 'dimension' is {meta['dimension']}, "
            f"but {path.name} is {vec.shape[0]} x {vec.shape[1]}", str(side))
    return Embeddings(vec, meta["ids"], meta["no_vector"], meta["encoder"], meta["method"],
                      path, meta.get("skipped", []))


def _chunks(source: Path, fmt: str, chunk_size: int):
    """Yield ``(first_line, text)``: blocks of ``chunk_size`` lines (CSV/TSV: header prepended)."""
    import gzip

    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8-sig", newline="") as f:
        header = f.readline() if fmt in ("csv", "tsv") else ""
        line0 = 2 if header else 1
        while True:
            lines = []
            for line in f:
                lines.append(line)
                if len(lines) == chunk_size:
                    break
            if not lines:
                return
            yield line0, header + "".join(lines)
            line0 += len(lines)


def _format_of(source: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in ("jsonl", "csv", "tsv", "parquet"):
            raise SimvecValueError(
                f"format must be 'jsonl', 'csv', 'tsv' or 'parquet', got {fmt!r}")
        return fmt
    name = source.name.removesuffix(".gz")
    ext = os.path.splitext(name)[1].lower()
    known = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
             ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
    if ext not in known:
        raise SimvecValueError(f"cannot tell the format of {source} from its extension: "
                               f"pass format='jsonl', 'csv', 'tsv' or 'parquet'")
    return known[ext]


def _records(source: Path, fmt: str, chunk_size: int, id_field: str, keywords_field: str,
             on_error: str):
    """Yield ``(n_records, parse)`` per chunk; ``parse()`` gives ``(ids, lists, skipped)`` with
    file line (text) or row (Parquet) numbers. Reading a reused chunk skips ``parse``."""
    if fmt == "parquet":
        from simvec.keywords.collection import iter_parquet_collection

        for _, n, _, ids, lists, skipped in iter_parquet_collection(
                source, id_field=id_field, keywords_field=keywords_field, on_error=on_error,
                batch_size=chunk_size):
            yield n, lambda r=(ids, lists, [list(x) for x in skipped]): r
        return
    from simvec.keywords.collection import read_collection

    for line0, text in _chunks(source, fmt, chunk_size):
        def parse(line0=line0, text=text):
            offset = line0 - (2 if fmt in ("csv", "tsv") else 1)
            try:
                ids, lists, report = read_collection(
                    io.StringIO(text), id_field=id_field, keywords_field=keywords_field,
                    on_error=on_error, format=fmt)
            except InputFormatError as exc:
                msg = str(exc).split(": ", 1)[-1] if exc.path is not None else str(exc)
                raise InputFormatError(msg, str(source),
                                       None if exc.line is None else exc.line + offset) from None
            return ids, lists, [[ln + offset, why] for ln, why in report.skipped]

        yield text.count("\n") + (0 if text.endswith("\n") else 1), parse


def encode_file(source, model, out, *, id_field: str = "id", keywords_field: str = "keywords",
                format: str | None = None, on_error: str = "raise", chunk_size: int = 50_000,
                resume: bool = True, tokenizer=None,
                progress: Callable[[int, int], None] | None = None,
                encode_fn: Callable[[list], np.ndarray] | None = None) -> Embeddings:
    """Encode a collection file into ``out`` (``.npy``) + its ``.json`` sidecar, chunk by chunk.

    The file is read ``chunk_size`` lines at a time (one record per line: JSONL, or CSV/TSV with
    a header and no line breaks inside cells), each chunk parsed by
    :func:`simvec.keywords.collection.read_collection` and encoded by :func:`encode`; a Parquet
    file (``.parquet`` / ``.pq``) is read ``chunk_size`` rows at a time, two columns only, by
    :func:`simvec.keywords.collection.iter_parquet_collection`. Each chunk is saved
    atomically as ``out.parts/part_NNNNNN.npy`` + ``.json``. When every chunk is done the parts
    are copied into ``out`` (written to a temporary file, then renamed), the sidecar is written
    the same way, and the parts folder is removed. Memory holds one chunk at a time.

    If the run is interrupted, running it again with the same source, model and ``chunk_size``
    reuses the finished parts (``resume=True``); a changed source file (size or modification
    time), encoder or chunk size starts over.

    Parameters
    ----------
    source : str or os.PathLike
        JSONL / CSV / TSV collection (optionally ``.gz``), or Parquet.
    model : KeyedVectors or object with ``encode``
    out : str or os.PathLike
        Destination ``.npy``; the sidecar is ``out`` with suffix ``.json``.
    id_field, keywords_field, format, on_error
        As for :func:`~simvec.keywords.collection.read_collection`; errors name the file and
        line. Ids must be unique over the whole file.
    chunk_size : int, default 50,000
        Lines (Parquet: rows) per chunk.
    resume : bool, default True
    tokenizer : callable, optional
    progress : callable (lines_done, chunk_index), optional
        Called after each chunk (whether encoded or reused); Parquet: rows done.
    encode_fn : callable (list of keyword lists) -> ndarray (n, d), optional
        Encodes a chunk instead of ``encode(lists, model)``, e.g. on a Dask cluster
        (``functools.partial(simvec.index.dask.encode_dask, model="glove-6B-50d",
        client=client)``). It must compute what ``encode(lists, model)`` computes: ``model``
        still gives the encoder's fingerprint.

    Returns
    -------
    Embeddings
        The written files, memory-mapped.

    Raises
    ------
    SimvecFileNotFoundError
        If ``source`` or the folder of ``out`` does not exist.
    InputFormatError
        A malformed record (with ``on_error="raise"``) or a duplicate id, naming file and line
        (Parquet: row).
    SimvecValueError
        Bad ``chunk_size``, ``format`` or ``on_error``.
    """
    source, out = Path(source), Path(out)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    if on_error not in ("raise", "skip"):
        raise SimvecValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if not source.is_file():
        raise SimvecFileNotFoundError(f"collection file {source} not found")
    if not out.parent.is_dir():
        raise SimvecFileNotFoundError(f"cannot write {out}: folder {out.parent} does not exist")
    fmt = _format_of(source, format)
    info = encoder_info(model)
    st = source.stat()
    manifest = {"source": str(source.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                "chunk_size": chunk_size, "encoder": info, "id_field": id_field,
                "keywords_field": keywords_field, "format": fmt, "on_error": on_error}
    parts = out.with_name(out.name + ".parts")
    man_path = parts / "manifest.json"
    if parts.is_dir():
        old = None
        try:
            old = json.loads(man_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        if not resume or old != manifest:
            logger.info("%s: starting over (%s)", parts,
                        "resume=False" if not resume else "source, encoder or options changed")
            shutil.rmtree(parts)
    if not parts.is_dir():
        parts.mkdir()
        _write_json(man_path, manifest)

    seen: set = set()
    part_meta = []
    n_lines = 0
    for c, (n_records, parse) in enumerate(_records(source, fmt, chunk_size, id_field,
                                                    keywords_field, on_error)):
        stem = parts / f"part_{c:06d}"
        meta = None
        if stem.with_suffix(".json").is_file() and stem.with_suffix(".npy").is_file():
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        if meta is None:
            ids, lists, skipped = parse()
            vec = encode(lists, model, tokenizer=tokenizer) if encode_fn is None else \
                np.asarray(encode_fn(lists), dtype=np.float32)
            if vec.shape[0] != len(lists):
                raise SimvecValueError(f"encode_fn returned {vec.shape[0]} rows for "
                                       f"{len(lists)} documents")
            ok = np.any(vec != 0, axis=1)
            meta = {"ids": [i for i, g in zip(ids, ok) if g],
                    "no_vector": [i for i, g in zip(ids, ok) if not g],
                    "skipped": skipped, "first_record": n_lines + 1}
            rows = np.ascontiguousarray(vec[ok])
            atomic_write([(stem.with_suffix(".npy"), lambda f, r=rows: np.save(f, r))])
            _write_json(stem.with_suffix(".json"), meta)
        for doc_id in meta["ids"] + meta["no_vector"]:
            if doc_id in seen:
                if fmt == "parquet":
                    raise InputFormatError(
                        f"row {_row_of(source, id_field, doc_id)}: duplicate id {doc_id!r} "
                        f"(ids must be unique)", str(source))
                raise InputFormatError(f"duplicate id {doc_id!r} (ids must be unique)",
                                       str(source), _line_of(source, doc_id))
            seen.add(doc_id)
        part_meta.append(meta)
        n_lines += n_records
        if progress is not None:
            progress(n_lines, c)
    del seen

    ids = [i for m in part_meta for i in m["ids"]]
    d = info["dimension"]
    if d is None:  # sentence encoder without a declared dimension: read it from a part
        d = int(np.load(parts / "part_000000.npy", mmap_mode="r").shape[1]) if part_meta else 0

    def write_matrix(tmp):
        mm = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(len(ids), d))
        r = 0
        for c in range(len(part_meta)):
            blk = np.load(parts / f"part_{c:06d}.npy", mmap_mode="r")
            mm[r:r + len(blk)] = blk
            r += len(blk)
        mm.flush()
        del mm

    atomic_write_path(out, write_matrix, suffix=".npy")
    sidecar = {"format": FORMAT, "version": VERSION, "encoder": info,
               "method": "mean" if info["kind"] == "word-vectors-mean" else "sentence-encoder",
               "dimension": d, "count": len(ids), "source": str(source),
               "ids": ids, "no_vector": [i for m in part_meta for i in m["no_vector"]],
               "skipped": [s for m in part_meta for s in m["skipped"]]}
    _write_json(_sidecar(out), sidecar)
    shutil.rmtree(parts)
    logger.info("%s: %d documents encoded (%d without vector)", out, len(ids),
                len(sidecar["no_vector"]))
    return load_embeddings(out)


def _write_json(path: Path, obj) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    atomic_write([(path, lambda f: f.write(data))])


def _line_of(source: Path, doc_id: str) -> int | None:
    """Line of the second occurrence of ``doc_id`` (for the duplicate-id error); a rare path."""
    hits = 0
    # a plain scan: the id as a JSON string or CSV cell on the line
    import gzip

    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8-sig") as f:
        for ln, line in enumerate(f, 1):
            if doc_id in line:
                hits += 1
                if hits == 2:
                    return ln
    return None


def _row_of(source: Path, id_field: str, doc_id: str) -> int | None:
    """1-based Parquet row of the second occurrence of ``doc_id`` (duplicate-id error)."""
    import pyarrow.parquet as pq

    hits, row = 0, 0
    for batch in pq.ParquetFile(source).iter_batches(columns=[id_field]):
        for v in batch.column(0).to_pylist():
            row += 1
            if v is not None and str(v).strip() == doc_id:
                hits += 1
                if hits == 2:
                    return row
    return None
