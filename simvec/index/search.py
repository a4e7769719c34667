"""Exact top-k search of query vectors against a corpus of vectors, in bounded memory.

:func:`search` is sentence-transformers' ``util.semantic_search`` for unit vectors at scale:
the corpus (an array, a memory map or an encoded collection from
:func:`simvec.index.encode.encode_file`) is read block by block by the fused product + top-k
kernel :func:`simvec.kernels.topk.dot_topk`, queries are taken ``query_chunk_size`` at a time,
and the (Q, N) score matrix never exists: memory is O(query_chunk_size x (k + block)) besides
the inputs. :func:`all_pairs` runs it with every corpus row as a query, itself excluded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simvec._util import check_positive_int
from simvec.errors import SimvecValueError

__all__ = ["all_pairs", "as_matrix", "search"]


def as_matrix(x, name: str) -> np.ndarray:
    """A 2-D float32 array (memory maps stay memory maps) from an array or :class:`Embeddings`.

    Raises
    ------
    SimvecValueError
        If ``x`` is not 2-D (a 1-D array is taken as one row).
    """
    x = getattr(x, "vectors", x)
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise SimvecValueError(f"{name} must be a 2-D array (n, d), got shape {x.shape}")
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    return x


def search(queries, corpus, top_k: int = 10, *, query_chunk_size: int = 1024,
           exclude=None, progress: Callable[[int, int], None] | None = None):
    """The ``top_k`` corpus rows with the largest dot product with each query: exact.

    Mirrors ``sentence_transformers.util.semantic_search`` (query chunks against the corpus,
    top-k kept per chunk) but returns arrays, not lists of dicts, so that ten million queries fit
    in memory. For unit rows (what :func:`simvec.index.encode.encode` returns) the dot product is
    the cosine.

    Parameters
    ----------
    queries : array_like, float32, shape (Q, d) or (d,)
    corpus : array_like or memory map, float32, shape (N, d), or Embeddings
        Read in blocks; a memory map is never loaded whole.
    top_k : int, default 10
        Results per query (capped at N).
    query_chunk_size : int, default 1024
        Queries per call of the kernel; bounds the working memory. Results do not depend on it.
    exclude : array_like of int, shape (Q, E), optional
        Corpus rows never returned for query i (``-1`` pads), e.g. the query itself.
    progress : callable (done, total), optional
        Called after each chunk of queries.

    Returns
    -------
    index : ndarray of int64, shape (Q, min(top_k, N))
        ``index[i, r]``: corpus row of query i's r-th best match; -1 where none is left.
    score : ndarray of float32, shape (Q, min(top_k, N))
        ``score[i, r] = queries[i] . corpus[index[i, r]]``, decreasing; ties go to the lower row.

    Raises
    ------
    SimvecValueError
        If ``top_k`` or ``query_chunk_size`` is not a positive integer, the inputs are not 2-D,
        their dimensions differ, or ``exclude`` has the wrong number of rows.

    References
    ----------
    Reimers & Gurevych (2019), sentence-transformers, ``util.semantic_search``.

    Examples
    --------
    >>> import numpy as np
    >>> corpus = np.eye(3, dtype=np.float32)
    >>> idx, val = search(np.array([[0.6, 0.8, 0]], np.float32), corpus, top_k=2)
    >>> idx, val.round(2)
    (array([[1, 0]]), array([[0.8, 0.6]], dtype=float32))
    """
    from simvec.kernels.topk import dot_topk

    top_k = check_positive_int("top_k", top_k)
    query_chunk_size = check_positive_int("query_chunk_size", query_chunk_size)
    q = as_matrix(queries, "queries")
    m = as_matrix(corpus, "corpus")
    if q.shape[1] != m.shape[1]:
        raise SimvecValueError(
            f"queries have dimension {q.shape[1]} but the corpus has {m.shape[1]}: "
            f"encode both with the same model")
    if exclude is not None:
        exclude = np.asarray(exclude, dtype=np.int64)
        if exclude.ndim != 2 or len(exclude) != len(q):
            raise SimvecValueError(
                f"exclude must have shape ({len(q)}, E), got {exclude.shape}")
    k = min(top_k, len(m))
    index = np.full((len(q), k), -1, dtype=np.int64)
    score = np.full((len(q), k), -np.inf, dtype=np.float32)
    for q0 in range(0, len(q), query_chunk_size):
        q1 = min(len(q), q0 + query_chunk_size)
        ex = None if exclude is None else exclude[q0:q1]
        idx, val = dot_topk(q[q0:q1], m, k, exclude=ex)
        index[q0:q1], score[q0:q1] = idx, val
        if progress is not None:
            progress(q1, len(q))
    return index, score


def all_pairs(corpus, top_k: int = 10, *, start: int = 0, stop: int | None = None,
              query_chunk_size: int = 1024, progress=None):
    """Exact top-k of every corpus row (rows ``start:stop``) among the others, itself excluded.

    Parameters
    ----------
    corpus : array_like or memory map, float32, shape (N, d), or Embeddings
    top_k : int
    start, stop : int
        The query rows (a partition, for :mod:`simvec.index.dask`); default all.

    Returns
    -------
    index, score : ndarray, shape (stop - start, min(top_k, N - 1))
        As :func:`search`; ``index`` holds corpus rows.
    """
    m = as_matrix(corpus, "corpus")
    stop = len(m) if stop is None else stop
    if not 0 <= start <= stop <= len(m):
        raise SimvecValueError(f"rows {start}:{stop} are outside the corpus (0:{len(m)})")
    top_k = check_positive_int("top_k", top_k)
    k = min(top_k, max(len(m) - 1, 0))
    if k == 0:
        return (np.full((stop - start, 0), -1, np.int64), np.zeros((stop - start, 0), np.float32))
    own = np.arange(start, stop, dtype=np.int64)[:, None]
    return search(m[start:stop], m, k, query_chunk_size=query_chunk_size, exclude=own,
                  progress=progress)
