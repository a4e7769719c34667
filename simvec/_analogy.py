"""Batched analogy solver: 3CosAdd and 3CosMul over a whole question set at once.

Private helper of :mod:`simvec.evaluation`. Solving one question "a : b :: c : ?" with 3CosAdd is a
(M, d) x (d,) product over the vocabulary and an argmax; gensim does that question by question (a
``gemv`` plus a full argsort each, ~6 ms on GloVe 6B). Here every score a question needs is a
cosine between one of its three words and a vocabulary word, and an analogy set reuses few words
(the Google set: 19,544 questions, 905 distinct words). So, for each block of vocabulary columns,
one ``sgemm`` computes ``S = W_u @ V_block.T`` for the distinct question words ``W_u`` only, and a
parallel numba kernel combines three rows of ``S`` per question and keeps the running best:

* 3CosAdd (Mikolov et al. 2013): ``S[b] + S[c] - S[a]`` = ``v . (b + c - a)`` for unit ``v``, which
  has the same argmax as gensim's ``cos(v, unit(b + c - a))``;
* 3CosMul (Levy & Goldberg 2014): ``cb' * cc' / (ca' + 1e-6)`` with ``c' = (1 + cos) / 2``, the
  formula of gensim's ``most_similar_cosmul``.

Each 64-score group is first reduced by a vectorised max and only inspected score by score (for
the excluded rows) when that max beats the question's best so far, so the inner loop is 3 loads
and 2 adds per score.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["solve_analogies"]

# Fast-math flags that let the group max vectorise, without approximate reciprocals or FMA
# contraction, so that the grouped max and the per-score scan compute the same values.
_FLAGS = {"nnan", "ninf", "nsz", "reassoc"}
_GROUP = 64


@njit(nogil=True, parallel=True, cache=True, fastmath=_FLAGS)
def _best_add(S, la, lb, lc, exclude, col_offset, best_val, best_idx):  # pragma: no cover - numba
    n = la.shape[0]
    m = S.shape[1]
    n_ex = exclude.shape[1]
    for i in prange(n):
        sa = S[la[i]]
        sb = S[lb[i]]
        sc = S[lc[i]]
        best = best_val[i]
        arg = best_idx[i]
        for j0 in range(0, m, _GROUP):
            j1 = min(m, j0 + _GROUP)
            mx = -np.inf
            for j in range(j0, j1):
                mx = max(mx, (sb[j] + sc[j]) - sa[j])
            if not mx > best:
                continue
            for j in range(j0, j1):
                v = (sb[j] + sc[j]) - sa[j]
                if v > best:
                    g = j + col_offset
                    skip = False
                    for e in range(n_ex):
                        if exclude[i, e] == g:
                            skip = True
                    if not skip:
                        best = v
                        arg = g
        best_val[i] = best
        best_idx[i] = arg


@njit(nogil=True, parallel=True, cache=True, fastmath=_FLAGS)
def _best_mul(S, la, lb, lc, exclude, col_offset, best_val, best_idx):  # pragma: no cover - numba
    n = la.shape[0]
    m = S.shape[1]
    n_ex = exclude.shape[1]
    for i in prange(n):
        sa = S[la[i]]
        sb = S[lb[i]]
        sc = S[lc[i]]
        best = best_val[i]
        arg = best_idx[i]
        for j0 in range(0, m, _GROUP):
            j1 = min(m, j0 + _GROUP)
            mx = -np.inf
            for j in range(j0, j1):
                v = ((np.float32(1.0) + sb[j]) * np.float32(0.5)) * (
                    (np.float32(1.0) + sc[j]) * np.float32(0.5)
                ) / ((np.float32(1.0) + sa[j]) * np.float32(0.5) + np.float32(1e-6))
                mx = max(mx, v)
            if not mx > best:
                continue
            for j in range(j0, j1):
                v = ((np.float32(1.0) + sb[j]) * np.float32(0.5)) * (
                    (np.float32(1.0) + sc[j]) * np.float32(0.5)
                ) / ((np.float32(1.0) + sa[j]) * np.float32(0.5) + np.float32(1e-6))
                if v > best:
                    g = j + col_offset
                    skip = False
                    for e in range(n_ex):
                        if exclude[i, e] == g:
                            skip = True
                    if not skip:
                        best = v
                        arg = g
        best_val[i] = best
        best_idx[i] = arg


def solve_analogies(matrix, qa, qb, qc, exclude=None, method="3cosadd", batch_size=32768,
                    block_bytes=8 << 20):
    """Best row of ``matrix`` for every question "a : b :: c : ?".

    Parameters
    ----------
    matrix : ndarray, float32, shape (M, d)
        Unit-length rows (the searched vocabulary, e.g. the first ``restrict_vocab`` words).
    qa, qb, qc : ndarray of int, shape (N,)
        Rows of ``matrix`` holding the question words a, b, c.
    exclude : ndarray of int64, shape (N, E), optional
        Rows never predicted for question i (``-1`` pads); normally ``qa, qb, qc`` themselves.
    method : {"3cosadd", "3cosmul"}
    batch_size : int
        Questions solved per pass over the vocabulary; bounds the memory held for the distinct
        words of a pass (``4 * n_distinct * block columns`` bytes).
    block_bytes : int
        Target size of one block of scores ``S``; columns per block = ``block_bytes / (4 *
        n_distinct)``, clipped to [512, 16384].

    Returns
    -------
    idx : ndarray of int64, shape (N,)
        Predicted row per question, ``-1`` where every row was excluded.
    score : ndarray of float32, shape (N,)
        The objective at ``idx``: ``cos(matrix[idx], unit(b + c - a))`` for 3CosAdd, the 3CosMul
        value for 3CosMul (``-inf`` where ``idx`` is ``-1``).
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    qa, qb, qc = (np.asarray(x, dtype=np.int64) for x in (qa, qb, qc))
    n = qa.shape[0]
    m = matrix.shape[0]
    if exclude is None:
        exclude = np.stack([qa, qb, qc], axis=1)
    exclude = np.ascontiguousarray(exclude, dtype=np.int64)
    kernel = {"3cosadd": _best_add, "3cosmul": _best_mul}[method]
    best_val = np.full(n, -np.inf, dtype=np.float32)
    best_idx = np.full(n, -1, dtype=np.int64)
    for q0 in range(0, n, max(1, int(batch_size))):
        q1 = min(n, q0 + max(1, int(batch_size)))
        words, local = np.unique(np.concatenate([qa[q0:q1], qb[q0:q1], qc[q0:q1]]),
                                 return_inverse=True)
        local = local.reshape(3, q1 - q0).astype(np.int64)
        la, lb, lc = (np.ascontiguousarray(x) for x in local)
        w = np.ascontiguousarray(matrix[words])
        cols = int(np.clip(block_bytes // (4 * len(words)), 512, 16384))
        bv, bi, ex = best_val[q0:q1], best_idx[q0:q1], exclude[q0:q1]
        for c0 in range(0, m, cols):
            c1 = min(m, c0 + cols)
            scores = w @ matrix[c0:c1].T
            kernel(scores, la, lb, lc, ex, c0, bv, bi)
    found = best_idx >= 0
    if method == "3cosadd":
        # report the cosine to the normalised query direction, as gensim's most_similar does
        q = matrix[qb] + matrix[qc] - matrix[qa]
        norms = np.linalg.norm(q, axis=1)
        norms[norms == 0] = 1.0
        rows = matrix[np.where(found, best_idx, 0)]
        best_val = np.where(found, np.einsum("ij,ij->i", rows, q) / norms, -np.inf)
    return best_idx, best_val.astype(np.float32)
