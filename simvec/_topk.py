"""Blocked dot-product + top-k selection, the kernel behind every nearest-neighbour search.

``most_similar``, analogies, the all-pairs keyword table and the analogy benchmark all reduce to:
for each query row q, the k rows v of a matrix with the largest ``q . v``, some rows excluded.
Materialising the full (N, M) score matrix for N = 20,000 analogy questions and M = 300,000 words
would take 24 GB, and ``numpy.argpartition`` costs ~10 ms a row, so scores are computed in blocks
with BLAS (``sgemm``) and reduced with a parallel numba kernel that keeps a sorted top-k buffer
per row (one compare per score in the common case).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["dot_topk", "topk_rows"]


@njit(nogil=True, cache=True, fastmath=True)
def _block_max(row, j0, j1):  # pragma: no cover - numba
    mx = row[j0]
    for j in range(j0 + 1, j1):
        v = row[j]
        mx = v if v > mx else mx
    return mx


@njit(nogil=True, parallel=True, cache=True)
def _merge_topk(scores, col_offset, exclude, best_val, best_idx):  # pragma: no cover - numba
    """Fold a (n, m) block of scores into running per-row top-k buffers (sorted, descending).

    Rows are scanned 32 scores at a time: a vectorised max over the group is compared with the
    current k-th best, and only groups that beat it are inspected score by score.  NaN scores are
    never selected.
    """
    n, m = scores.shape
    k = best_val.shape[1]
    n_excl = exclude.shape[1]
    for i in prange(n):
        bv = best_val[i]
        bi = best_idx[i]
        row = scores[i]
        thresh = bv[k - 1]
        for j0 in range(0, m, 32):
            j1 = min(m, j0 + 32)
            if not _block_max(row, j0, j1) > thresh:
                continue
            for j in range(j0, j1):
                s = row[j]
                if not s > thresh:
                    continue
                gj = j + col_offset
                skip = False
                for e in range(n_excl):
                    if exclude[i, e] == gj:
                        skip = True
                        break
                if skip:
                    continue
                # insertion into the sorted buffer
                p = k - 1
                while p > 0 and bv[p - 1] < s:
                    bv[p] = bv[p - 1]
                    bi[p] = bi[p - 1]
                    p -= 1
                bv[p] = s
                bi[p] = gj
                thresh = bv[k - 1]
    return best_val, best_idx


def dot_topk(queries, matrix, k, exclude=None, block_rows=256, block_cols=65536):
    """Top-k rows of ``matrix`` by dot product with each query row.

    Parameters
    ----------
    queries : ndarray, float32, shape (N, d)
    matrix : ndarray, float32, shape (M, d)
    k : int
        Number of results per query; capped at ``M``.
    exclude : ndarray of int64, shape (N, E), optional
        Row indices of ``matrix`` never returned for query i (``-1`` pads).
    block_rows, block_cols : int
        Block sizes: scores are computed ``block_rows x block_cols`` at a time (memory bound:
        ``4 * block_rows * block_cols`` bytes).

    Returns
    -------
    idx : ndarray of int64, shape (N, k)
        ``idx[i, r]`` is the row of the r-th best match of query i, ``-1`` where fewer than k rows
        were eligible.
    val : ndarray of float32, shape (N, k)
        ``val[i, r] = queries[i] . matrix[idx[i, r]]`` (``-inf`` where ``idx`` is ``-1``).
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    n = queries.shape[0]
    m = matrix.shape[0]
    k = int(min(k, m))
    if exclude is None:
        exclude = np.full((n, 0), -1, dtype=np.int64)
    exclude = np.ascontiguousarray(exclude, dtype=np.int64)
    best_val = np.full((n, max(k, 1)), -np.inf, dtype=np.float32)
    best_idx = np.full((n, max(k, 1)), -1, dtype=np.int64)
    if k <= 0 or n == 0:
        return best_idx[:, :k], best_val[:, :k]
    for r0 in range(0, n, block_rows):
        r1 = min(n, r0 + block_rows)
        q = queries[r0:r1]
        bv = best_val[r0:r1]
        bi = best_idx[r0:r1]
        ex = exclude[r0:r1]
        for c0 in range(0, m, block_cols):
            c1 = min(m, c0 + block_cols)
            scores = q @ np.asarray(matrix[c0:c1], dtype=np.float32).T
            _merge_topk(np.ascontiguousarray(scores), c0, ex, bv, bi)
    return best_idx, best_val


def topk_rows(scores, k, exclude=None):
    """Top-k columns of each row of a precomputed score matrix.

    Parameters
    ----------
    scores : ndarray, float32, shape (N, M)
    k : int
    exclude : ndarray of int64, shape (N, E), optional
        Columns never returned for row i (``-1`` pads).

    Returns
    -------
    idx : ndarray of int64, shape (N, k)
    val : ndarray of float32, shape (N, k)
        Sorted by decreasing score.
    """
    scores = np.ascontiguousarray(scores, dtype=np.float32)
    n, m = scores.shape
    k = int(min(k, m))
    if exclude is None:
        exclude = np.full((n, 0), -1, dtype=np.int64)
    best_val = np.full((n, max(k, 1)), -np.inf, dtype=np.float32)
    best_idx = np.full((n, max(k, 1)), -1, dtype=np.int64)
    if k <= 0 or n == 0:
        return best_idx[:, :k], best_val[:, :k]
    _merge_topk(scores, 0, np.ascontiguousarray(exclude, dtype=np.int64), best_val, best_idx)
    return best_idx, best_val
