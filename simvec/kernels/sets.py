"""Set kernels (numba) over sorted id runs: the size of an intersection by a sorted merge.

Used by the Jaccard kernels of :mod:`simvec.keywords.topk` (neighbour Jaccard of the all-pairs
table) and :mod:`simvec.index.rerank` (the token Jaccard of ``hybrid`` from token tables).
"""

from __future__ import annotations

from numba import njit

__all__ = ["sorted_intersection_size"]


@njit(nogil=True, cache=True, inline="always")
def sorted_intersection_size(a, a0, a1, b, b0, b1):  # pragma: no cover - numba
    """``|{a[a0:a1]} ∩ {b[b0:b1]}|`` of two ascending runs of distinct ids (a sorted merge).

    Parameters
    ----------
    a, b : 1-D integer arrays
    a0, a1, b0, b1 : int
        The runs ``a[a0:a1]`` and ``b[b0:b1]``, each sorted ascending without repeats.

    Returns
    -------
    int
        The number of ids in both runs; ``O(len_a + len_b)``.
    """
    inter = 0
    while a0 < a1 and b0 < b1:
        x = a[a0]
        y = b[b0]
        if x == y:
            inter += 1
            a0 += 1
            b0 += 1
        elif x < y:
            a0 += 1
        else:
            b0 += 1
    return inter
