"""Post-processing of word vectors: all-but-the-top (Mu & Viswanath 2018).

Pretrained word vectors share a large common mean vector and a few dominating directions that
encode word frequency more than meaning. :func:`all_but_the_top` removes both: it subtracts the
mean vector and the projections on the top ``D`` principal components of the centred vectors,
with ``D`` about ``d / 100`` as the paper recommends. The paper reports gains on word similarity
and on STS sentence similarity (with averaged vectors); simvec measured it on STS Benchmark
train / dev before using it (docs/phrase-quality.md).
"""

from __future__ import annotations

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["all_but_the_top", "abtt_components"]


def abtt_components(dim: int) -> int:
    """The number of top components all-but-the-top removes by default: ``max(1, round(d/100))``.

    Mu & Viswanath (2018) remove ``D ~ d / 100`` components (2-3 for 300-d vectors); at least one
    is removed, so 50-d GloVe loses 1.

    Raises
    ------
    SimvecValueError
        If ``dim`` is not a positive integer.
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise SimvecValueError(f"dim must be a positive integer, got {dim!r}")
    return max(1, int(round(dim / 100)))


def all_but_the_top(kv, n_components: int | None = None):
    """Word vectors with the common mean and the top principal directions removed.

    ``v'(w) = (v(w) - mu) - sum_{i<=D} (u_i . (v(w) - mu)) u_i``, ``mu`` the mean of all the
    vectors and ``u_1..u_D`` the top right singular vectors of the centred matrix (all rows
    weigh the same, as in the paper's Algorithm 1).

    Parameters
    ----------
    kv : KeyedVectors
        Any vectors; they are not changed.
    n_components : int, optional
        ``D``; default :func:`abtt_components` of the dimension (1 for 50-d vectors). 0 only
        centres the vectors.

    Returns
    -------
    KeyedVectors
        New vectors, float32, shape (V, d), the same words in the same rows (so row-rank word
        statistics such as :func:`simvec.keywords.weighting.zipf_probabilities` still apply).
        Memory: one float64 copy of the matrix while computing (400,000 x 50: 160 MB).

    Raises
    ------
    SimvecValueError
        If ``kv`` has fewer than 2 vectors, or ``n_components`` is negative or not below the
        dimension.

    References
    ----------
    Mu, J. & Viswanath, P. (2018), "All-but-the-top: simple and effective postprocessing for
    word representations", ICLR. https://openreview.net/forum?id=HkuGJ3kCb
    """
    from simvec.vectors.keyed import KeyedVectors

    vec = np.asarray(kv.vectors)
    if vec.ndim != 2 or len(vec) < 2:
        raise SimvecValueError(f"all_but_the_top needs at least 2 vectors, got shape {vec.shape}")
    d = vec.shape[1]
    k = abtt_components(d) if n_components is None else n_components
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < d:
        raise SimvecValueError(f"n_components must be an integer in [0, {d - 1}], got {k!r}")
    x = vec.astype(np.float64)
    x -= x.mean(axis=0)
    if k:
        # the top right singular vectors from the d x d Gram matrix (V x d is tall)
        evals, evecs = np.linalg.eigh(x.T @ x)
        top = evecs[:, np.argsort(evals)[::-1][:k]]
        x -= (x @ top) @ top.T
    return KeyedVectors(x.astype(np.float32), list(kv.index_to_key))
