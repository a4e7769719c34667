"""An approximate nearest-neighbour index over encoded documents: usearch HNSW, with metadata.

The library and its settings were chosen by measurement (``bench/scale.py choose``, figures in
docs/benchmarks.md) on GloVe-mean document vectors of a Zipf keyword collection: faiss IVF-PQ
stayed below 0.9 recall@10 even with a refine step; faiss HNSW and usearch HNSW both reach 0.95
with M=16 and a search list of 128. At equal settings usearch gave the higher recall (0.963 vs
0.950 at 30k documents) while faiss built 1.5x and answered 1.8x faster on this loaded 2-core
machine; usearch was kept for its recall, its keyed incremental ``add``, and ``view()``, which
memory-maps a saved index instead of reading it. The default search list is 256: at 100,000
documents 128 gave recall@10 0.927, 256 gave 0.959 (p50 1.1 ms).

An index is a folder::

    INDEX/
      meta.json        format, library and version, encoder (simvec.index.encode.encoder_info),
                       method, dimension, HNSW settings, ids (row i has key i)
      hnsw.usearch     the usearch graph + vectors (memory-mapped on load unless writable)
      keywords.jsonl   optional: each document's keyword list, one JSON list a line, row order
      offsets.npy      byte offset of each line of keywords.jsonl (random access for re-ranking)
      tokens.json, tokens_*.npy
                       optional: the keyword lists parsed once (simvec.index.tokens), written
                       when the index holds a token table; memory-mapped for re-ranking

Saving writes a new folder beside the old and swaps them (the old one is removed afterwards), so
a crash leaves either the old or the new index, never a mixture. Queries must come from the
encoder the index was built with: :meth:`AnnIndex.query` and :meth:`AnnIndex.search` refuse
others.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simvec._util import check_positive_int, import_optional
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.index.encode import encode, encoder_info, read_metadata
from simvec.index.search import as_matrix

__all__ = ["DEFAULT_HNSW", "AnnIndex", "build_index", "load_index"]

FORMAT = "simvec-ann"
VERSION = 1
#: HNSW settings: graph degree, candidate list while adding and while searching.
DEFAULT_HNSW = {"connectivity": 16, "expansion_add": 128, "expansion_search": 256,
                "dtype": "f32"}


def _usearch():
    return import_optional("usearch.index", needed_by="simvec.index.ann", extra="index")


class AnnIndex:
    """Approximate top-k search over unit document vectors (inner product = cosine).

    Build one with :func:`build_index`, open one with :func:`load_index`.

    Attributes
    ----------
    ids : list of str
        Row i's document id.
    encoder : dict
        :func:`simvec.index.encode.encoder_info` of the model that encoded the documents.
    method : str
        The keyword method the vectors compute (``"mean"``), or ``"sentence-encoder"``.
    dimension : int
    params : dict
        HNSW settings (:data:`DEFAULT_HNSW`).
    token_table : simvec.index.tokens.TokenTable or None
        The keyword lists parsed once, for re-ranking (set by
        :func:`simvec.index.tokens.index_token_table`); saved with the index.
    """

    def __init__(self, index, meta: dict, path: Path | None = None, keywords=None):
        self._index = index
        self.meta = meta
        self.path = path
        self._keywords = keywords  # list of lists (in memory) or None
        self._id_set = None
        self.token_table = None

    # -- properties
    @property
    def ids(self) -> list:
        return self.meta["ids"]

    @property
    def encoder(self) -> dict:
        return self.meta["encoder"]

    @property
    def method(self) -> str:
        return self.meta["method"]

    @property
    def dimension(self) -> int:
        return int(self.meta["dimension"])

    @property
    def params(self) -> dict:
        return self.meta["params"]

    def __len__(self) -> int:
        return len(self.meta["ids"])

    # -- queries
    def check_encoder(self, info: dict | None) -> None:
        """Raise unless ``info`` (an ``encoder_info``) is the index's encoder (``None`` passes).

        Raises
        ------
        SimvecValueError
            Naming both encoders.
        """
        if info is not None and info != self.encoder:
            raise SimvecValueError(
                f"queries were encoded with {info['kind']} {info['fingerprint']} "
                f"(dimension {info['dimension']}) but the index {self.path or ''} was built with "
                f"{self.encoder['kind']} {self.encoder['fingerprint']} (dimension "
                f"{self.encoder['dimension']}): encode the queries with the index's model")

    def search(self, queries, k: int = 10, *, encoder: dict | None = None,
               expansion_search: int | None = None):
        """Approximate top-k rows for query vectors.

        Parameters
        ----------
        queries : array_like float32, shape (Q, d) or (d,), or Embeddings
            Unit rows from the index's encoder. An ``Embeddings`` carries its encoder, which is
            checked.
        k : int, default 10
        encoder : dict, optional
            The queries' ``encoder_info``; checked against the index's.
        expansion_search : int, optional
            HNSW candidate list for this search (default ``params["expansion_search"]``);
            larger is slower and more exact.

        Returns
        -------
        index : ndarray of int64, shape (Q, min(k, len(self)))
            Rows (positions in :attr:`ids`), best first; -1 where fewer were found.
        score : ndarray of float32, same shape
            Inner products (cosines); ``-inf`` where ``index`` is -1.

        Raises
        ------
        SimvecValueError
            Wrong dimension, another encoder, bad ``k``.
        """
        k = check_positive_int("k", k)
        self.check_encoder(encoder if encoder is not None else getattr(queries, "encoder", None))
        q = np.ascontiguousarray(as_matrix(queries, "queries"))
        if q.shape[1] != self.dimension:
            raise SimvecValueError(f"queries have dimension {q.shape[1]} but the index has "
                                   f"{self.dimension}")
        kk = min(k, len(self))
        if kk == 0 or len(q) == 0:
            return np.full((len(q), kk), -1, np.int64), np.full((len(q), kk), -np.inf, np.float32)
        if expansion_search is not None:
            self._index.expansion_search = check_positive_int("expansion_search",
                                                              expansion_search)
        try:
            res = self._index.search(q, kk, threads=os.cpu_count() or 1)
        finally:
            self._index.expansion_search = self.params["expansion_search"]
        keys = np.zeros((len(q), kk), np.uint64)
        dist = np.zeros((len(q), kk), np.float32)
        if hasattr(res, "counts"):  # BatchMatches
            counts = np.asarray(res.counts).reshape(len(q))
            keys[:] = np.asarray(res.keys).reshape(len(q), -1)[:, :kk]
            dist[:] = np.asarray(res.distances).reshape(len(q), -1)[:, :kk]
        else:  # one query: Matches, only the found ones
            counts = np.array([len(res.keys)])
            keys[0, :counts[0]] = res.keys
            dist[0, :counts[0]] = res.distances
        found = np.arange(kk)[None, :] < counts[:, None]
        idx = np.where(found, keys.astype(np.int64), -1)
        return idx, np.where(found, 1.0 - dist, -np.inf).astype(np.float32)

    def query(self, keyword_lists: Sequence, model, k: int = 10, **kwargs):
        """Encode keyword lists with ``model`` (which must be the index's encoder) and search.

        Returns the same as :meth:`search`; a query without any in-vocabulary keyword gets no
        result (-1 / -inf).
        """
        self.check_encoder(encoder_info(model))
        q = encode(keyword_lists, model)
        idx, val = self.search(q, k, **kwargs)
        empty = ~np.any(q != 0, axis=1)
        idx[empty], val[empty] = -1, -np.inf
        return idx, val

    def keywords(self, rows) -> list:
        """Keyword lists of the documents at ``rows`` (needs an index saved with keywords).

        Raises
        ------
        SimvecValueError
            If the index holds no keyword lists.
        """
        if self._keywords is not None:
            return [self._keywords[int(r)] for r in rows]
        if self.path is None or not (self.path / "offsets.npy").is_file():
            raise SimvecValueError("this index holds no keyword lists (build it from a "
                                   "collection file, or pass keyword_lists)")
        off = np.load(self.path / "offsets.npy", mmap_mode="r")
        out = []
        with open(self.path / "keywords.jsonl", "rb") as f:
            for r in rows:
                f.seek(int(off[int(r)]))
                out.append(json.loads(f.readline()))
        return out

    # -- growth and persistence
    def add(self, vectors, ids: Sequence[str], *, keyword_lists: Sequence | None = None,
            encoder: dict | None = None) -> None:
        """Add documents (incremental): their unit vectors and ids (new rows at the end).

        Parameters
        ----------
        vectors : array_like float32 (M, d), or Embeddings (its encoder is checked)
        ids : sequence of str, length M
            Must not be in the index already.
        keyword_lists : sequence, length M, optional
            Required when the index holds keyword lists (for re-ranking), ignored otherwise.
        encoder : dict, optional
            The vectors' ``encoder_info``; checked.

        Raises
        ------
        SimvecValueError
            Another encoder, a dimension mismatch, duplicate ids, a length mismatch, or an index
            opened read-only (memory-mapped: :func:`load_index` with ``writable=False``).
        """
        self.check_encoder(encoder if encoder is not None else getattr(vectors, "encoder", None))
        v = np.ascontiguousarray(as_matrix(vectors, "vectors"))
        ids = list(ids)
        if len(v) != len(ids):
            raise SimvecValueError(f"{len(v)} vectors but {len(ids)} ids")
        if v.shape[1] != self.dimension:
            raise SimvecValueError(f"vectors have dimension {v.shape[1]} but the index has "
                                   f"{self.dimension}")
        if self.meta.get("read_only"):
            raise SimvecValueError("this index was opened memory-mapped (read-only): "
                                   "load_index(path, writable=True) to add to it")
        if self._id_set is None:
            self._id_set = set(self.ids)
        dup = [i for i in ids if i in self._id_set]
        if dup or len(set(ids)) != len(ids):
            raise SimvecValueError(f"duplicate ids: {(dup or ids)[:5]}")
        has_kw = self.meta.get("has_keywords", False)
        if has_kw and keyword_lists is None:
            raise SimvecValueError("this index holds keyword lists: pass keyword_lists")
        if has_kw and len(keyword_lists) != len(ids):
            raise SimvecValueError(f"{len(keyword_lists)} keyword lists for {len(ids)} ids")
        n0 = len(self)
        if len(v):
            self._index.add(np.arange(n0, n0 + len(v), dtype=np.uint64), v,
                            threads=os.cpu_count() or 1)
        self.meta["ids"] = self.ids + ids
        self._id_set.update(ids)
        if has_kw:
            if self._keywords is None:
                self._keywords = self.keywords(range(n0))
            self._keywords = list(self._keywords) + [list(x) for x in keyword_lists]

    def save(self, path) -> None:
        """Write the index folder atomically (a new folder swapped in; see the module doc).

        Raises
        ------
        SimvecFileNotFoundError
            If the parent folder does not exist.
        """
        path = Path(path)
        if not path.parent.is_dir():
            raise SimvecFileNotFoundError(f"cannot write {path}: folder {path.parent} does "
                                          f"not exist")
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.tmp-"))
        try:
            self._index.save(str(tmp / "hnsw.usearch"))
            if self.meta.get("has_keywords"):
                kws = self._keywords if self._keywords is not None else self.keywords(
                    range(len(self)))
                offsets = np.empty(len(kws), dtype=np.int64)
                with open(tmp / "keywords.jsonl", "wb") as f:
                    pos = 0
                    for i, kw in enumerate(kws):
                        line = (json.dumps(list(kw), ensure_ascii=False) + "\n").encode()
                        offsets[i] = pos
                        f.write(line)
                        pos += len(line)
                np.save(tmp / "offsets.npy", offsets)
                if self.token_table is not None and self.token_table.n == len(self):
                    from simvec.index.tokens import save_token_table

                    save_token_table(self.token_table, tmp, encoder=self.encoder,
                                     keywords_bytes=pos)
            meta = {k: v for k, v in self.meta.items() if k != "read_only"}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False),
                                           encoding="utf-8")
            for f in tmp.iterdir():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
            os.chmod(tmp, 0o777 & ~_umask())
            old = None
            if path.exists():
                old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old-"))
                os.rmdir(old)
                os.replace(path, old)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.path = path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def build_index(vectors, ids: Sequence[str], *, encoder: dict | None = None,
                method: str | None = None, keyword_lists: Sequence | None = None,
                connectivity: int = DEFAULT_HNSW["connectivity"],
                expansion_add: int = DEFAULT_HNSW["expansion_add"],
                expansion_search: int = DEFAULT_HNSW["expansion_search"],
                dtype: str = DEFAULT_HNSW["dtype"]) -> AnnIndex:
    """Build an HNSW index (usearch) over unit document vectors.

    Parameters
    ----------
    vectors : array_like float32 (N, d), or Embeddings
        An ``Embeddings`` (:func:`simvec.index.encode.load_embeddings`) also gives ``ids``
        (pass ``None``), ``encoder`` and ``method``.
    ids : sequence of str, length N, or None
    encoder : dict, optional
        ``encoder_info`` of the model (required unless ``vectors`` is an Embeddings); queries
        from any other encoder are refused.
    method : str, optional
        Default ``"mean"``.
    keyword_lists : sequence, length N, optional
        Stored for two-stage re-ranking (:mod:`simvec.index.rerank`).
    connectivity, expansion_add, expansion_search : int
        HNSW's M, efConstruction and efSearch (Malkov & Yashunin 2018).
    dtype : {"f32", "f16"}
        Stored precision (f16 halves the memory).

    Returns
    -------
    AnnIndex

    Raises
    ------
    MissingDependencyError
        Without usearch (``pip install 'simvec[index]'``).
    SimvecValueError
        Missing encoder, length mismatches, duplicate ids, bad settings.

    References
    ----------
    Malkov & Yashunin (2018), "Efficient and robust approximate nearest neighbor search using
    Hierarchical Navigable Small World graphs", IEEE TPAMI. usearch: Unum Cloud,
    https://github.com/unum-cloud/usearch.
    """
    ui = _usearch()
    if ids is None:
        ids = getattr(vectors, "ids", None)
        if ids is None:
            raise SimvecValueError("ids are required (one per vector)")
    encoder = encoder if encoder is not None else getattr(vectors, "encoder", None)
    if encoder is None:
        raise SimvecValueError("encoder is required: pass encoder=encoder_info(model)")
    method = method or getattr(vectors, "method", None) or "mean"
    if dtype not in ("f32", "f16"):
        raise SimvecValueError(f"dtype must be 'f32' or 'f16', got {dtype!r}")
    params = {"connectivity": check_positive_int("connectivity", connectivity),
              "expansion_add": check_positive_int("expansion_add", expansion_add),
              "expansion_search": check_positive_int("expansion_search", expansion_search),
              "dtype": dtype}
    d = as_matrix(vectors, "vectors").shape[1]
    index = ui.Index(ndim=d, metric="ip", **params)
    import usearch

    meta = {"format": FORMAT, "version": VERSION, "library": "usearch",
            "library_version": usearch.__version__, "encoder": encoder, "method": method,
            "dimension": int(d), "params": params, "ids": [],
            "has_keywords": keyword_lists is not None}
    ann = AnnIndex(index, meta, keywords=[] if keyword_lists is not None else None)
    ann.add(vectors, list(ids), keyword_lists=keyword_lists)
    return ann


def load_index(path, *, writable: bool = False) -> AnnIndex:
    """Open an index folder written by :meth:`AnnIndex.save`.

    Parameters
    ----------
    path : str or os.PathLike
    writable : bool, default False
        ``False`` memory-maps the graph (fast, shared, read-only); ``True`` loads it into
        memory so that :meth:`AnnIndex.add` works.

    Raises
    ------
    SimvecFileNotFoundError
        If the folder or its files are missing.
    InputFormatError
        If ``meta.json`` is not a simvec index or disagrees with the graph.
    """
    ui = _usearch()
    path = Path(path)
    meta_path, graph = path / "meta.json", path / "hnsw.usearch"
    meta = read_metadata(meta_path, FORMAT, (meta_path, graph),
                         f"index file {{}} not found (build an index with "
                         f"`simvec index build DOCS -o {path}`)")
    for key in ("encoder", "method", "dimension", "params", "ids"):
        if key not in meta:
            raise InputFormatError(f"field {key!r} is missing", str(meta_path))
    p = meta["params"]
    index = ui.Index(ndim=meta["dimension"], metric="ip", **p)
    if writable:
        index.load(str(graph))
    else:
        index.view(str(graph))
        meta["read_only"] = True
    if len(index) != len(meta["ids"]):
        raise InputFormatError(f"field 'ids' has {len(meta['ids'])} ids but the graph holds "
                               f"{len(index)} vectors", str(meta_path))
    return AnnIndex(index, meta, path)
