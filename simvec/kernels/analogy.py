"""Batched analogy solver: 3CosAdd and 3CosMul over a whole question set at once.

Private helper of :mod:`simvec.eval.words` (which also takes the question-file reader and the
exclusion lists from here). Solving one question "a : b :: c : ?" with 3CosAdd is a
(M, d) x (d,) product over the vocabulary and an argmax; gensim does that question by question (a
``gemv`` plus a full argsort each, ~6 ms on GloVe 6B). Here every score a question needs is a
cosine between one of its three words and a vocabulary word, and an analogy set reuses few words
(the Google set: 19,544 questions, 905 distinct words). So, for each block of ``_COLS`` vocabulary
columns, one matrix product computes ``S = W_u @ V_block.T`` for the distinct question words
``W_u`` only, and every question combines three rows of ``S`` and keeps its running best:

* 3CosAdd (Mikolov et al. 2013): ``S[b] + S[c] - S[a]`` = ``v . (b + c - a)`` for unit ``v``, which
  has the same argmax as gensim's ``cos(v, unit(b + c - a))``;
* 3CosMul (Levy & Goldberg 2014): ``cb' * cc' / (ca' + 1e-6)`` with ``c' = (1 + cos) / 2``, the
  formula of gensim's ``most_similar_cosmul``.

Design notes (measured on a 2-core AMD EPYC shared with other jobs):

* One numba parallel region per batch: thread ``t`` takes column blocks ``t, t + T, ...``, keeps
  its own block of scores (``n_words x 256`` floats, L2-resident) and its own best-so-far per
  question; the per-thread winners are merged at the end. No BLAS call sits between parallel
  regions, so OpenBLAS's spinning threads never compete with numba's (that interplay made a
  sgemm + kernel-per-block version 3-5x slower on a loaded machine).
* The block product is a numba kernel (4 rows x 4 k unrolled, ~80 GFLOPS a core, as fast as
  OpenBLAS on these shapes).
* Each 128-score group is first tested with a vectorised "does any score beat the best so far"
  (an OR reduction; numba does not vectorise float max reductions); only groups with a hit are
  scanned score by score, where the excluded a, b, c rows are checked. Loops run over slices
  indexed from 0, so numba emits plain vector loads instead of wrap-around gathers.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

from simvec.kernels.topk import _block_scores, _load_columns  # shared numba block product
from simvec.errors import InputFormatError

__all__ = ["solve_analogies", "read_questions", "exclusions"]

# Fast-math flags that let the group test vectorise, without approximate reciprocals, so that
# the group test and the per-score scan compute the same values; error_model="numpy" drops the
# division-by-zero check that would stop the 3CosMul loop from vectorising.
_FLAGS = {"nnan", "ninf", "nsz", "reassoc"}
_GROUP = 128
_COLS = 256


@njit(inline="always", fastmath=_FLAGS, error_model="numpy")
def _add(a, b, c):  # pragma: no cover - numba
    return (b + c) - a


@njit(inline="always", fastmath=_FLAGS, error_model="numpy")
def _mul(a, b, c):  # pragma: no cover - numba
    one = np.float32(1.0)
    half = np.float32(0.5)
    return ((one + b) * half) * ((one + c) * half) / ((one + a) * half + np.float32(1e-6))


def _make_reduce(score):
    @njit(inline="always", nogil=True, fastmath=_FLAGS, error_model="numpy")
    def reduce(S, width, la, lb, lc, exclude, col_offset, best_val, best_idx):  # pragma: no cover
        """Fold columns [0, width) of a score block into every question's running best."""
        n_ex = exclude.shape[1]
        for i in range(la.shape[0]):
            sa = S[la[i]]
            sb = S[lb[i]]
            sc = S[lc[i]]
            best = best_val[i]
            arg = best_idx[i]
            for j0 in range(0, width, _GROUP):
                j1 = min(width, j0 + _GROUP)
                a = sa[j0:j1]
                b = sb[j0:j1]
                c = sc[j0:j1]
                hit = False
                for j in range(a.shape[0]):  # vectorised: does any score beat the best?
                    hit |= score(a[j], b[j], c[j]) > best
                if not hit:
                    continue
                for j in range(a.shape[0]):
                    v = score(a[j], b[j], c[j])
                    if v > best:
                        g = j0 + j + col_offset
                        skip = False
                        for e in range(n_ex):
                            if exclude[i, e] == g:
                                skip = True
                        if not skip:
                            best = v
                            arg = g
            best_val[i] = best
            best_idx[i] = arg

    return reduce


_reduce_add = _make_reduce(_add)
_reduce_mul = _make_reduce(_mul)


@njit(nogil=True, parallel=True, cache=True, fastmath=_FLAGS, error_model="numpy")
def _solve(W, M, la, lb, lc, exclude, mul, n_threads):  # pragma: no cover - numba
    """Per-thread best (value, row) of every question over the thread's column blocks."""
    n = la.shape[0]
    m, d = M.shape
    n_u = W.shape[0]
    best_val = np.full((n_threads, n), -np.inf, dtype=np.float32)
    best_idx = np.full((n_threads, n), -1, dtype=np.int64)
    n_blocks = (m + _COLS - 1) // _COLS
    for t in prange(n_threads):
        S = np.empty((n_u, _COLS), dtype=np.float32)
        VT = np.zeros((d, _COLS), dtype=np.float32)
        bv = best_val[t]
        bi = best_idx[t]
        for blk in range(t, n_blocks, n_threads):
            c0 = blk * _COLS
            width = _load_columns(M, c0, VT)
            _block_scores(W, VT, S)
            if mul:
                _reduce_mul(S, width, la, lb, lc, exclude, c0, bv, bi)
            else:
                _reduce_add(S, width, la, lb, lc, exclude, c0, bv, bi)
    return best_val, best_idx


def solve_analogies(matrix, qa, qb, qc, exclude=None, method="3cosadd", batch_size=32768):
    """Best row of ``matrix`` for every question "a : b :: c : ?".

    Parameters
    ----------
    matrix : ndarray, float32, shape (M, d)
        Unit-length rows (the searched vocabulary, e.g. the first ``restrict_vocab`` words).
    qa, qb, qc : ndarray of int, shape (N,)
        Rows of ``matrix`` holding the question words a, b, c.
    exclude : ndarray of int64, shape (N, E), optional
        Rows never predicted for question i (``-1`` pads); default ``qa, qb, qc`` themselves.
    method : {"3cosadd", "3cosmul"}
    batch_size : int
        Questions solved per pass over the vocabulary; bounds the memory held for the distinct
        words of a pass (``4 * 256 * n_distinct`` bytes a thread).

    Returns
    -------
    idx : ndarray of int64, shape (N,)
        Predicted row per question, ``-1`` where every row was excluded. Exact float ties go
        to the lower row.
    score : ndarray of float32, shape (N,)
        The objective at ``idx``: ``cos(matrix[idx], unit(b + c - a))`` for 3CosAdd, the 3CosMul
        value for 3CosMul (``-inf`` where ``idx`` is ``-1``).
    """
    if method not in ("3cosadd", "3cosmul"):
        raise ValueError(f"method must be '3cosadd' or '3cosmul', got {method!r}")
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    qa, qb, qc = (np.asarray(x, dtype=np.int64) for x in (qa, qb, qc))
    n = qa.shape[0]
    if exclude is None:
        exclude = np.stack([qa, qb, qc], axis=1)
    exclude = np.ascontiguousarray(exclude, dtype=np.int64)
    best_val = np.full(n, -np.inf, dtype=np.float32)
    best_idx = np.full(n, -1, dtype=np.int64)
    n_threads = get_num_threads()
    step = max(1, int(batch_size))
    for q0 in range(0, n, step):
        q1 = min(n, q0 + step)
        words, local = np.unique(np.concatenate([qa[q0:q1], qb[q0:q1], qc[q0:q1]]),
                                 return_inverse=True)
        la, lb, lc = (np.ascontiguousarray(x) for x in local.reshape(3, q1 - q0).astype(np.int64))
        vals, idxs = _solve(np.ascontiguousarray(matrix[words]), matrix, la, lb, lc,
                            exclude[q0:q1], method == "3cosmul", n_threads)
        # merge the threads' winners: highest value, then lowest row
        idxs = np.where(idxs < 0, np.iinfo(np.int64).max, idxs)
        order = np.lexsort((idxs, -vals), axis=0)[0]
        cols = np.arange(q1 - q0)
        best_val[q0:q1] = vals[order, cols]
        best_idx[q0:q1] = np.where(np.isfinite(best_val[q0:q1]), idxs[order, cols], -1)
    if method == "3cosadd":
        # report the cosine to the normalised query direction, as gensim's most_similar does
        found = best_idx >= 0
        q = matrix[qb] + matrix[qc] - matrix[qa]
        norms = np.linalg.norm(q, axis=1)
        norms[norms == 0] = 1.0
        rows = matrix[np.where(found, best_idx, 0)]
        best_val = np.where(found, np.einsum("ij,ij->i", rows, q) / norms, -np.inf)
    return best_idx, best_val.astype(np.float32)


def read_questions(lines, path):
    """``[(section_name, [(line, a, b, c, d), ...]), ...]`` from a word2vec analogy file.

    ``lines`` yields ``(line_number, text)``; blank lines and ``#`` comments are skipped;
    malformed lines raise InputFormatError naming ``path`` and the line.
    """
    sections: list[tuple[str, list]] = []
    for no, text in lines:
        s = text.strip()
        if not s or s[0] == "#":
            continue
        if s[0] == ":":
            name = s[1:].strip()
            if not name:
                raise InputFormatError("section header ':' without a name",
                                       path=path, line=no)
            sections.append((name, []))
            continue
        words = s.split()
        if len(words) != 4:
            raise InputFormatError(
                f"expected a question of 4 words 'a b c d', got {len(words)}: {s[:80]!r}",
                path=path, line=no)
        if not sections:
            raise InputFormatError(
                "question before the first ': section' header; start the file with a line "
                "such as ': capital-common-countries'", path=path, line=no)
        sections[-1][1].append((no, *words))
    if not any(q for _, q in sections):
        raise InputFormatError("no analogy questions found", path=path)
    return sections


def exclusions(rows, forms, variants):
    """(N, E) int64 rows never predicted: a, b, c and every row sharing their form (-1 pads)."""
    base = np.ascontiguousarray(rows[:, :3])
    extra = {}
    for qi, f in enumerate(forms) if variants else ():
        for x in f[:3]:
            v = variants.get(x)
            if v:
                extra.setdefault(qi, set()).update(v)
    if not extra:
        return base
    extra = {qi: sorted(v - set(base[qi].tolist())) for qi, v in extra.items()}
    out = np.full((len(base), 3 + max(len(v) for v in extra.values())), -1, dtype=np.int64)
    out[:, :3] = base
    for qi, v in extra.items():
        out[qi, 3:3 + len(v)] = v
    return out
