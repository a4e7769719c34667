"""Scale out on Dask: encode and all-pairs top-k over partitions of a collection.

simvec writes no scheduler: the work is cut into partitions and handed to a
``dask.distributed.Client`` (a ``LocalCluster`` on one machine, or any running cluster by its
scheduler address). Each task runs the same single-machine code on its partition:

* :func:`encode_dask`: :func:`simvec.index.encode.encode` of a slice of the keyword lists. A
  document's vector depends only on its own keywords, so the result equals ``encode`` of the
  whole collection bit for bit.
* :func:`all_pairs_dask`: :func:`simvec.index.search.all_pairs` for rows ``start:stop`` of the
  encoded collection against all of it. Partition boundaries are multiples of the query chunk
  (1,024 rows), so every row is scored by exactly the same kernel calls as in the single-process
  run and the neighbours and scores are identical (tests assert equality).

Word vectors travel to the workers once: a source name or path (``"glove-6B-50d"``) is loaded
by each worker (and cached there); a ``KeyedVectors`` object is scattered (once; workers fetch it from each other). The
encoded matrix is read by the workers from a ``.npy`` path when given one (it must be on a file
system every worker sees, e.g. NFS or object storage mounted at the same path), otherwise it is
scattered.

Requires the extra ``dask`` (``pip install 'simvec[dask]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from simvec._util import check_positive_int, import_optional
from simvec.errors import SimvecValueError

__all__ = ["all_pairs_dask", "encode_dask", "get_client", "partitions"]

#: Rows per query chunk of :func:`simvec.index.search.search`; partitions are multiples of it.
CHUNK = 1024


def get_client(scheduler: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1):
    """A ``dask.distributed.Client``: to ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``) or to a new ``LocalCluster`` bound to 127.0.0.1.

    The local workers get ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS`` and
    ``OPENBLAS_NUM_THREADS`` set to ``threads_per_worker``, so that N workers use N x
    threads_per_worker cores instead of each spreading numba's threads over every core.

    Raises
    ------
    MissingDependencyError
        Without ``dask[distributed]`` (``pip install 'simvec[dask]'``).
    """
    distributed = import_optional("dask.distributed", needed_by="simvec.index.dask",
                                  extra="dask")
    if scheduler:
        return distributed.Client(scheduler)
    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                                       host="127.0.0.1", dashboard_address=None,
                                       processes=True, env={
                                           name: str(threads_per_worker) for name in (
                                               "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
                                               "OPENBLAS_NUM_THREADS")})
    return distributed.Client(cluster)


def partitions(n: int, n_partitions: int) -> list[tuple[int, int]]:
    """``n_partitions`` row ranges covering ``0:n``, boundaries at multiples of 1,024.

    Fewer ranges come back when ``n`` is too small to give each one a chunk.

    Raises
    ------
    SimvecValueError
        If ``n_partitions`` is not a positive integer.
    """
    n_partitions = check_positive_int("n_partitions", n_partitions)
    chunks = -(-n // CHUNK)
    per = max(1, -(-chunks // n_partitions))
    return [(c * CHUNK, min(n, (c + per) * CHUNK)) for c in range(0, chunks, per)]


@lru_cache(maxsize=2)
def _load_kv(spec: str):
    import simvec

    return simvec.load(spec)


def _encode_part(lists, model):
    from simvec.index.encode import encode

    if isinstance(model, (str, Path)):
        model = _load_kv(str(model))
    return encode(lists, model)


def encode_dask(keyword_lists: Sequence, model, client, *, n_partitions: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """:func:`simvec.index.encode.encode` over partitions on a Dask cluster.

    Parameters
    ----------
    keyword_lists : sequence of keyword lists, length N
    model : str, os.PathLike or KeyedVectors
        A source name / vector file path (each worker loads it) or word vectors (broadcast).
    client : dask.distributed.Client
    n_partitions : int, optional
        Default: two per worker thread.
    progress : callable (done, total), optional
        Called as partitions finish (in partitions).

    Returns
    -------
    ndarray of float32, shape (N, d)
        Equal to ``encode(keyword_lists, model)``.
    """
    distributed = import_optional("dask.distributed", needed_by="simvec.index.dask",
                                  extra="dask")
    n = len(keyword_lists)
    if n_partitions is None:
        n_partitions = 2 * max(1, sum(client.nthreads().values()))
    parts = partitions(n, n_partitions)
    if not isinstance(model, (str, Path)):
        # not broadcast: a broadcast scatter hung once on the test cluster (both workers
        # spinning in their event loops); workers fetch the data from each other on demand
        [model] = client.scatter([model])
    else:
        model = str(model)
    futures = [client.submit(_encode_part, list(keyword_lists[a:b]), model, pure=False)
               for a, b in parts]
    out = None
    index_of = {f.key: i for i, f in enumerate(futures)}
    results = distributed.as_completed(futures, with_results=True)
    for done, (fut, arr) in enumerate(results, 1):
        a, b = parts[index_of[fut.key]]
        if out is None:
            out = np.empty((n, arr.shape[1]), dtype=np.float32)
        out[a:b] = arr
        if progress is not None:
            progress(done, len(parts))
    if out is None:  # no documents
        out = _encode_part([], model if isinstance(model, str) else model.result())
    return out


def _all_pairs_part(corpus, k, start, stop):
    from simvec.index.search import all_pairs

    if isinstance(corpus, str):
        corpus = np.load(corpus, mmap_mode="r")
    return all_pairs(corpus, k, start=start, stop=stop)


def all_pairs_dask(corpus, client, k: int = 10, *, n_partitions: int | None = None,
                   start: int = 0, stop: int | None = None,
                   progress: Callable[[int, int], None] | None = None):
    """Exact all-pairs top-k (itself excluded) of an encoded collection, over partitions.

    Parameters
    ----------
    corpus : str or os.PathLike (``.npy``), ndarray (N, d), or Embeddings
        A path (or an Embeddings, which has one) is memory-mapped by each worker; an array is
        broadcast to the workers.
    client : dask.distributed.Client
    k : int, default 10
    n_partitions : int, optional
        Default: four per worker thread.
    start, stop : int
        Only the query rows ``start:stop`` (default all); partitions begin at ``start`` plus
        multiples of 1,024, as the query chunks of ``all_pairs(corpus, k, start=start,
        stop=stop)`` do.
    progress : callable (done, total), optional

    Returns
    -------
    index : ndarray of int64, shape (stop - start, min(k, N - 1))
    score : ndarray of float32, same shape
        Identical to :func:`simvec.index.search.all_pairs` (same ``start``, ``stop``) on one
        machine.

    Raises
    ------
    SimvecValueError
        Bad ``k`` or ``n_partitions``, or a corpus that is not 2-D.
    """
    distributed = import_optional("dask.distributed", needed_by="simvec.index.dask",
                                  extra="dask")
    k = check_positive_int("k", k)
    path = getattr(corpus, "path", None)
    if path is None and isinstance(corpus, (str, Path)):
        path = corpus
    if path is not None:
        shape = np.load(path, mmap_mode="r").shape
        payload = str(Path(path).resolve())
    else:
        arr = np.ascontiguousarray(np.asarray(corpus, dtype=np.float32))
        shape = arr.shape
        [payload] = client.scatter([arr])  # not broadcast (see encode_dask)
    if len(shape) != 2:
        raise SimvecValueError(f"corpus must be 2-D (N, d), got shape {shape}")
    n = shape[0]
    stop = n if stop is None else stop
    if not 0 <= start <= stop <= n:
        raise SimvecValueError(f"rows {start}:{stop} are outside the corpus (0:{n})")
    if n_partitions is None:
        n_partitions = 4 * max(1, sum(client.nthreads().values()))
    parts = [(start + a, start + b) for a, b in partitions(stop - start, n_partitions)]
    kk = min(k, max(n - 1, 0))
    index = np.full((stop - start, kk), -1, np.int64)
    score = np.full((stop - start, kk), -np.inf, np.float32)
    futures = [client.submit(_all_pairs_part, payload, kk, a, b, pure=False) for a, b in parts]
    index_of = {f.key: i for i, f in enumerate(futures)}
    results = distributed.as_completed(futures, with_results=True)
    for done, (fut, (idx, val)) in enumerate(results, 1):
        a, b = parts[index_of[fut.key]]
        index[a - start:b - start], score[a - start:b - start] = idx, val
        if progress is not None:
            progress(done, len(parts))
    return index, score
