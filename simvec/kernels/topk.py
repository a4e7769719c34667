"""Blocked dot-product + top-k selection, the kernel behind every nearest-neighbour search.

``most_similar``, analogies, the all-pairs keyword table and the analogy benchmark all reduce to:
for each query row q, the k rows v of a matrix with the largest ``q . v``, some rows excluded.
Materialising the full (N, M) score matrix for N = 20,000 queries and M = 300,000 words would
take 24 GB, and ``numpy.argpartition`` costs ~10 ms a row, so scores are computed in small blocks
and folded into per-query sorted top-k buffers.

How (measured on a 2-core AMD EPYC shared with other jobs):

* One numba parallel region for the whole search: thread ``t`` takes column blocks ``t, t + T,
  ...`` of ``block_cols`` matrix rows, computes the scores of every query against its block with
  a numba block product (4 rows x 4 k unrolled, about OpenBLAS's speed on these thin shapes) into
  an L2-sized buffer, and keeps its own top-k per query; the threads' lists are merged at the
  end. An earlier version alternated OpenBLAS ``sgemm`` with a parallel numba merge per block;
  OpenBLAS's threads spin after each call and stole the cores from numba's, which cost 2-3x.
* Each 128-score group is tested with a vectorised "does any score beat the k-th best" (an OR
  reduction over slices indexed from 0, so numba emits plain vector loads); only groups with a
  hit are scanned and inserted score by score. NaN scores are never selected.
* Fewer than 32 queries (a single ``most_similar``) take a serial path instead: BLAS products
  over 65,536-row blocks and the same merge on the calling thread (transposing the matrix
  blocks for the parallel path would cost more than the products).
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

__all__ = ["dot_topk", "topk_rows"]

_GROUP = 128
_FEW_QUERIES = 32
_GEMM_FLAGS = {"nnan", "ninf", "nsz", "reassoc", "contract"}


@njit(nogil=True, cache=True)
def _load_columns(M, c0, VT):  # pragma: no cover - numba
    """Copy rows ``M[c0:c0 + C]`` transposed into ``VT`` (d, C), zero-padded; return the count."""
    d, C = VT.shape
    width = min(M.shape[0], c0 + C) - c0
    if width < C:
        VT[:, :] = 0
    for j in range(width):
        row = M[c0 + j]
        for k in range(d):
            VT[k, j] = row[k]
    return width


@njit(nogil=True, cache=True, fastmath=_GEMM_FLAGS)
def _block_scores(Q, VT, S):  # pragma: no cover - numba
    """``S[u, :] = Q[u] @ VT`` for Q (n, d), VT (d, C), S (n, C), all C-contiguous."""
    n, d = Q.shape
    C = VT.shape[1]
    S[:, :] = 0
    d4 = d - d % 4
    for u0 in range(0, n - n % 4, 4):
        s0 = S[u0]
        s1 = S[u0 + 1]
        s2 = S[u0 + 2]
        s3 = S[u0 + 3]
        for k in range(0, d4, 4):
            v0 = VT[k]
            v1 = VT[k + 1]
            v2 = VT[k + 2]
            v3 = VT[k + 3]
            a0, a1, a2, a3 = Q[u0, k], Q[u0, k + 1], Q[u0, k + 2], Q[u0, k + 3]
            b0, b1, b2, b3 = Q[u0 + 1, k], Q[u0 + 1, k + 1], Q[u0 + 1, k + 2], Q[u0 + 1, k + 3]
            c0, c1, c2, c3 = Q[u0 + 2, k], Q[u0 + 2, k + 1], Q[u0 + 2, k + 2], Q[u0 + 2, k + 3]
            e0, e1, e2, e3 = Q[u0 + 3, k], Q[u0 + 3, k + 1], Q[u0 + 3, k + 2], Q[u0 + 3, k + 3]
            for j in range(C):
                x0 = v0[j]
                x1 = v1[j]
                x2 = v2[j]
                x3 = v3[j]
                s0[j] += (a0 * x0 + a1 * x1) + (a2 * x2 + a3 * x3)
                s1[j] += (b0 * x0 + b1 * x1) + (b2 * x2 + b3 * x3)
                s2[j] += (c0 * x0 + c1 * x1) + (c2 * x2 + c3 * x3)
                s3[j] += (e0 * x0 + e1 * x1) + (e2 * x2 + e3 * x3)
        for k in range(d4, d):
            v0 = VT[k]
            a0, b0, c0, e0 = Q[u0, k], Q[u0 + 1, k], Q[u0 + 2, k], Q[u0 + 3, k]
            for j in range(C):
                x0 = v0[j]
                s0[j] += a0 * x0
                s1[j] += b0 * x0
                s2[j] += c0 * x0
                s3[j] += e0 * x0
    for u in range(n - n % 4, n):
        s0 = S[u]
        for k in range(d):
            v0 = VT[k]
            a0 = Q[u, k]
            for j in range(C):
                s0[j] += a0 * v0[j]


@njit(nogil=True, cache=True)
def _merge_row(row, width, col_offset, excl, bv, bi):  # pragma: no cover - numba
    """Fold ``row[:width]`` (columns ``col_offset + j``) into the sorted top-k ``bv`` / ``bi``."""
    k = bv.shape[0]
    n_excl = excl.shape[0]
    thresh = bv[k - 1]
    for j0 in range(0, width, _GROUP):
        g = row[j0:min(width, j0 + _GROUP)]
        hit = False
        for j in range(g.shape[0]):  # vectorised OR: does any score beat the k-th best?
            hit |= g[j] > thresh
        if not hit:
            continue
        for j in range(g.shape[0]):
            s = g[j]
            if not s > thresh:  # also rejects NaN
                continue
            gj = j0 + j + col_offset
            skip = False
            for e in range(n_excl):
                if excl[e] == gj:
                    skip = True
                    break
            if skip:
                continue
            p = k - 1
            while p > 0 and bv[p - 1] < s:
                bv[p] = bv[p - 1]
                bi[p] = bi[p - 1]
                p -= 1
            bv[p] = s
            bi[p] = gj
            thresh = bv[k - 1]


@njit(nogil=True, cache=True)
def _merge_serial(scores, col_offset, exclude, best_val, best_idx):  # pragma: no cover - numba
    """``_merge_topk`` on the calling thread only (for a few queries)."""
    for i in range(scores.shape[0]):
        _merge_row(scores[i], scores.shape[1], col_offset, exclude[i], best_val[i], best_idx[i])


@njit(nogil=True, parallel=True, cache=True)
def _merge_topk(scores, col_offset, exclude, best_val, best_idx):  # pragma: no cover - numba
    """Fold a (n, m) block of scores into running per-row top-k buffers (sorted, descending)."""
    n, m = scores.shape
    for i in prange(n):
        _merge_row(scores[i], m, col_offset, exclude[i], best_val[i], best_idx[i])
    return best_val, best_idx


@njit(nogil=True, parallel=True, cache=True)
def _dot_topk(Q, M, k, exclude, n_threads, rows, cols):  # pragma: no cover - numba
    """Per-thread top-k of ``Q @ M.T``: arrays (n_threads, n, k), each thread its column blocks."""
    n, d = Q.shape
    m = M.shape[0]
    best_val = np.full((n_threads, n, k), -np.inf, dtype=np.float32)
    best_idx = np.full((n_threads, n, k), -1, dtype=np.int64)
    n_blocks = (m + cols - 1) // cols
    for t in prange(n_threads):
        S = np.empty((rows, cols), dtype=np.float32)
        VT = np.zeros((d, cols), dtype=np.float32)
        bv = best_val[t]
        bi = best_idx[t]
        for blk in range(t, n_blocks, n_threads):
            c0 = blk * cols
            width = _load_columns(M, c0, VT)
            for r0 in range(0, n, rows):
                r1 = min(n, r0 + rows)
                Sr = S[: r1 - r0]
                _block_scores(Q[r0:r1], VT, Sr)
                for i in range(r1 - r0):
                    _merge_row(Sr[i], width, c0, exclude[r0 + i], bv[r0 + i], bi[r0 + i])
    return best_val, best_idx


def dot_topk(queries, matrix, k, exclude=None, block_rows=256, block_cols=256):
    """Top-k rows of ``matrix`` by dot product with each query row.

    Parameters
    ----------
    queries : ndarray, float32, shape (N, d)
    matrix : ndarray, float32, shape (M, d)
        May be a memory map; it is read block by block.
    k : int
        Number of results per query; capped at ``M``.
    exclude : ndarray of int64, shape (N, E), optional
        Row indices of ``matrix`` never returned for query i (``-1`` pads).
    block_rows, block_cols : int
        Scores are computed ``block_rows x block_cols`` at a time into a per-thread buffer
        (``4 * block_rows * block_cols`` bytes; the defaults keep it in a 256 KiB L2 slice).
        Results do not depend on them.

    Returns
    -------
    idx : ndarray of int64, shape (N, k)
        ``idx[i, r]`` is the row of the r-th best match of query i, ``-1`` where fewer than k rows
        were eligible. Exact ties go to the lower row.
    val : ndarray of float32, shape (N, k)
        ``val[i, r] = queries[i] . matrix[idx[i, r]]`` (``-inf`` where ``idx`` is ``-1``), in
        decreasing order. Computed in float32 (summation order may differ from BLAS by an ulp).
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    matrix = np.asarray(matrix)
    if matrix.dtype != np.float32:
        matrix = matrix.astype(np.float32)
    n = queries.shape[0]
    m = matrix.shape[0]
    k = int(min(k, m))
    if exclude is None:
        exclude = np.full((n, 0), -1, dtype=np.int64)
    exclude = np.ascontiguousarray(exclude, dtype=np.int64)
    if k <= 0 or n == 0:
        return (np.full((n, max(k, 0)), -1, dtype=np.int64),
                np.full((n, max(k, 0)), -np.inf, dtype=np.float32))
    if queries.shape[1] != matrix.shape[1]:
        raise ValueError(f"queries have {queries.shape[1]} columns, matrix {matrix.shape[1]}")
    if n < _FEW_QUERIES:
        # a few queries: BLAS products over big column blocks and a serial merge; the parallel
        # path would spend more on transposing the matrix blocks than on the products
        best_val = np.full((n, k), -np.inf, dtype=np.float32)
        best_idx = np.full((n, k), -1, dtype=np.int64)
        for c0 in range(0, m, 65536):
            scores = queries @ np.asarray(matrix[c0:c0 + 65536], dtype=np.float32).T
            _merge_serial(np.ascontiguousarray(scores), c0, exclude, best_val, best_idx)
        return best_idx, best_val
    if not matrix.flags.c_contiguous:
        matrix = np.ascontiguousarray(matrix)
    n_threads = max(1, min(get_num_threads(), -(-m // int(block_cols))))
    vals, idxs = _dot_topk(queries, matrix, k, exclude, n_threads,
                           int(max(1, min(block_rows, n))), int(max(1, block_cols)))
    if n_threads == 1:
        return idxs[0], vals[0]
    # merge the threads' lists: highest value first, ties to the lower row, empty slots last
    vals = vals.transpose(1, 0, 2).reshape(n, -1)
    idxs = idxs.transpose(1, 0, 2).reshape(n, -1)
    order = np.lexsort((np.where(idxs < 0, np.iinfo(np.int64).max, idxs), -vals), axis=1)[:, :k]
    return np.take_along_axis(idxs, order, 1), np.take_along_axis(vals, order, 1)


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
