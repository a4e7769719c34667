"""Weighted best-match alignment of every document of a collection against every other.

The kernel behind ``best_match``, ``sif_best_match`` and ``hybrid`` in
:mod:`simvec.keywords.scorers`: document i owns unit vectors (keywords or tokens) with weights,
and ``score(i, j) = (A_ij + A_ji) / 2`` with ``A_ij = sum_t w_t max_u cos(t, u) / sum_t w_t``
(Mihalcea, Corley & Strapparava 2006). Two strategies, same result:

* a Gram matrix of the distinct items, gathered by a parallel numba kernel over the upper
  triangle (``matrix``, when there are at most 16,384 distinct items);
* blocks of query documents against memory-bounded chunks of column documents, one sgemm and
  one numba reduction per chunk (``block``; used for top-k rows and large vocabularies).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simvec._util import normalize_rows

__all__ = ["BestMatch"]  # private package: used through simvec.keywords.scorers


@njit(nogil=True, parallel=True, fastmath=True, cache=True)
def _best_match_reduce(g, qptr, cptr, wq, wc, out_a, out_b):  # pragma: no cover - numba
    """For each (query doc, column doc) block of ``g``: weighted sums of row and column maxima.

    ``out_a[i, j] = sum_t wq[t] max_u g[t, u]`` over i's rows t and j's columns u;
    ``out_b[i, j] = sum_u wc[u] max_t g[t, u]``. One pass over each block.
    """
    nq = len(qptr) - 1
    nc = len(cptr) - 1
    for i in prange(nq):
        t0 = qptr[i]
        t1 = qptr[i + 1]
        colmax = np.empty(g.shape[1], dtype=np.float32)
        for j in range(nc):
            u0 = cptr[j]
            u1 = cptr[j + 1]
            for u in range(u0, u1):
                colmax[u] = -np.inf
            sa = 0.0
            for t in range(t0, t1):
                mx = -np.inf
                for u in range(u0, u1):
                    x = g[t, u]
                    if x > mx:
                        mx = x
                    if x > colmax[u]:
                        colmax[u] = x
                sa += wq[t] * mx
            sb = 0.0
            for u in range(u0, u1):
                sb += wc[u] * colmax[u]
            out_a[i, j] = sa
            out_b[i, j] = sb


@njit(nogil=True, parallel=True, fastmath=True, cache=True)
def _best_match_gather(gram, ids, ptr, w, wsum, out):  # pragma: no cover - numba
    """Symmetric best-match scores of all documents from a Gram matrix of the distinct items.

    ``gram[x, y]`` is the cosine of distinct items x and y; document i owns items
    ``ids[ptr[i]:ptr[i+1]]`` with weights ``w``. Rows are processed in pairs (t, n-1-t) so that
    the triangular work is balanced over threads.
    """
    n = len(ptr) - 1
    maxlen = 0
    for i in range(n):
        maxlen = max(maxlen, ptr[i + 1] - ptr[i])
    half = (n + 1) // 2
    for tp in prange(half):
        t = np.int64(tp)  # a signed index: n - 1 - t must stay an integer
        colmax = np.empty(maxlen, dtype=np.float32)
        for side in range(2):
            i = t if side == 0 else n - 1 - t
            if side == 1 and i == t:
                break
            for j in range(i, n):
                u0 = ptr[j]
                u1 = ptr[j + 1]
                for u in range(u1 - u0):
                    colmax[u] = -np.inf
                sa = 0.0
                for a in range(ptr[i], ptr[i + 1]):
                    row = gram[ids[a]]
                    mx = -np.inf
                    for u in range(u0, u1):
                        x = row[ids[u]]
                        if x > mx:
                            mx = x
                        if x > colmax[u - u0]:
                            colmax[u - u0] = x
                    sa += w[a] * mx
                sb = 0.0
                for u in range(u0, u1):
                    sb += w[u] * colmax[u - u0]
                v = (sa / wsum[i] + sb / wsum[j]) / 2
                out[i, j] = v
                out[j, i] = v


class BestMatch:
    """Weighted best-match alignment of every document against every other, in blocks.

    Document i owns the unit vectors ``vecs[ptr[i]:ptr[i+1]]`` with weights ``w``. The score
    of (i, j) is ``(A_ij + A_ji) / 2`` with ``A_ij = sum_t w_t max_u cos(t, u) / sum_t w_t``,
    t over i's items and u over j's. Blocks of query documents are scored against chunks of
    column documents so that no score buffer exceeds ``2**23`` floats (32 MiB).
    """

    _BUDGET = 1 << 23

    _GRAM_MAX = 16384  # distinct items up to which matrix() uses a Gram matrix (1 GiB)

    def __init__(self, groups: list[np.ndarray], weights: list[np.ndarray], vectors):
        self.valid = np.array([len(g) > 0 for g in groups])
        self.pos = np.flatnonzero(self.valid)
        lens = np.array([len(groups[i]) for i in self.pos], dtype=np.int64)
        self.ptr = np.zeros(len(self.pos) + 1, dtype=np.int64)
        np.cumsum(lens, out=self.ptr[1:])
        self._source = vectors
        if len(self.pos):
            self.rows = np.concatenate([groups[i] for i in self.pos]).astype(np.int64)
            self.w = np.concatenate([weights[i] for i in self.pos]).astype(np.float32)
            self.vecs = normalize_rows(np.asarray(vectors[self.rows], dtype=np.float32))
        else:
            self.rows = np.zeros(0, np.int64)
            self.w = np.zeros(0, np.float32)
            self.vecs = np.zeros((0, 1), np.float32)
        self.wsum = np.add.reduceat(self.w, self.ptr[:-1]) if len(self.pos) else self.w

    def _chunk_end(self, start: int, budget_items: int) -> int:
        end = int(np.searchsorted(self.ptr, self.ptr[start] + budget_items, side="right")) - 1
        return min(len(self.pos), max(end, start + 1))

    def block(self, r0: int, r1: int, c_start: int = 0) -> np.ndarray:
        """Scores of valid documents r0..r1-1 against valid documents c_start.., float32."""
        m = len(self.pos)
        p, w, v = self.ptr, self.w, self.vecs
        qa, qb = p[r0], p[r1]
        q, wq = v[qa:qb], w[qa:qb]
        out = np.empty((r1 - r0, m - c_start), dtype=np.float32)
        c0 = c_start
        while c0 < m:
            c1 = self._chunk_end(c0, max(1, self._BUDGET // max(1, qb - qa)))
            ca, cb = p[c0], p[c1]
            g = q @ v[ca:cb].T
            a = np.empty((r1 - r0, c1 - c0), dtype=np.float32)
            b = np.empty_like(a)
            _best_match_reduce(g, p[r0:r1 + 1] - qa, p[c0:c1 + 1] - ca, wq, w[ca:cb], a, b)
            out[:, c0 - c_start:c1 - c_start] = (a / self.wsum[r0:r1, None]
                                                 + b / self.wsum[None, c0:c1]) / 2
            c0 = c1
        return np.clip(out, -1.0, 1.0, out=out)

    def row_blocks(self, start: int = 0, stop: int | None = None):
        """Yield (r0, r1) ranges of valid documents start..stop-1 of at most ~4096 items."""
        stop = len(self.pos) if stop is None else stop
        r0 = start
        while r0 < stop:
            r1 = min(stop, self._chunk_end(r0, 4096))
            yield r0, r1
            r0 = r1

    def matrix(self, n: int) -> np.ndarray:
        out = np.full((n, n), np.nan, dtype=np.float32)
        m = len(self.pos)
        uniq, ids = np.unique(self.rows, return_inverse=True)
        if 0 < len(uniq) <= self._GRAM_MAX:  # small vocabulary: one Gram matrix, gathered
            e = normalize_rows(np.asarray(self._source[uniq], dtype=np.float32))
            sub = np.empty((m, m), dtype=np.float32)
            _best_match_gather(e @ e.T, ids.astype(np.int64), self.ptr, self.w,
                               self.wsum.astype(np.float32), sub)
            out[np.ix_(self.pos, self.pos)] = np.clip(sub, -1.0, 1.0)
            return out
        sub = np.zeros((m, m), dtype=np.float32)
        for r0, r1 in self.row_blocks():  # the score is symmetric: upper block-triangle only
            sub[r0:r1, r0:] = self.block(r0, r1, c_start=r0)
        low = np.tril_indices(m, -1)
        sub[low] = sub.T[low]
        out[np.ix_(self.pos, self.pos)] = sub
        return out
