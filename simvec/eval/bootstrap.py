"""Bootstrap confidence intervals of Spearman correlations and of their differences.

A benchmark figure such as "Spearman 0.594 on BiRD" comes from one sample of pairs; resampling
the pairs with replacement (the nonparametric bootstrap) shows how much it would move with
another sample of the same size. :func:`spearman_interval` gives the percentile interval of one
method's Spearman; :func:`spearman_difference_interval` the interval of the difference between
two methods scored on the same pairs, both computed on the *same* resamples (a paired
bootstrap), which is what says whether one method beats another beyond noise: an interval of
the difference that contains 0 means "within noise".

Resamples are drawn with :func:`numpy.random.default_rng` from a fixed seed, so a run is
reproducible.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["Interval", "spearman_interval", "spearman_difference_interval", "DEFAULT_RESAMPLES"]

#: Resamples drawn by default (Efron & Tibshirani recommend at least 1,000 for percentile
#: intervals).
DEFAULT_RESAMPLES = 1000
_CHUNK = 100


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap percentile interval.

    Attributes
    ----------
    estimate : float
        On all the pairs.
    low, high : float
        The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of the resampled
        estimates.
    confidence : float
    resamples : int
        Resamples with a defined estimate (a resample whose scores are all tied has none).
    pairs : int
        Pairs used (both scores defined).
    """

    estimate: float
    low: float
    high: float
    confidence: float
    resamples: int
    pairs: int

    def to_dict(self) -> dict:
        return asdict(self)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in ``[low, high]``."""
        return bool(self.low <= value <= self.high)


def _check(arrays, n_resamples, confidence):
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    n = len(arrays[0])
    for a in arrays:
        if a.ndim != 1 or len(a) != n:
            raise SimvecValueError(
                "scores must be 1-D arrays of the same length, got shapes "
                + ", ".join(str(x.shape) for x in arrays))
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) \
            or n_resamples < 1:
        raise SimvecValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise SimvecValueError(f"confidence must be in (0, 1), got {confidence!r}")
    ok = np.all([~np.isnan(a) for a in arrays], axis=0)
    if ok.sum() < 3:
        raise SimvecValueError(f"at least 3 pairs with defined scores are needed, got {ok.sum()}")
    return [a[ok] for a in arrays]


class _Ranker:
    """Average ranks of one score column in any resample, from the resample's multiplicities.

    A resample is a count ``c_i`` per original pair. Pair i's average rank in it is the number
    of resampled values below its own plus ``(m + 1) / 2``, m the resampled copies of its value
    (ties ranked by their average, as :func:`scipy.stats.rankdata` does), so ranks come from
    one cumulative sum over the original sort order: O(n) per resample, no sorting.
    """

    def __init__(self, x: np.ndarray):
        self.order = np.argsort(x, kind="stable")
        xs = x[self.order]
        self.starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
        self.sizes = np.diff(np.r_[self.starts, len(x)])

    def ranks(self, counts: np.ndarray) -> np.ndarray:
        """(B, n) average ranks (1-based) of every original pair in each resample."""
        g = np.add.reduceat(counts[:, self.order], self.starts, axis=1)
        below = np.cumsum(g, axis=1) - g
        r = np.empty(counts.shape, dtype=np.float64)
        r[:, self.order] = np.repeat(below + (g + 1) / 2, self.sizes, axis=1)
        return r


def _weighted_corr(rx: np.ndarray, ry: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation of ``rx`` and ``ry`` with weights ``w`` (all (B, n))."""
    n = w.sum(axis=1, keepdims=True)
    dx = rx - (w * rx).sum(axis=1, keepdims=True) / n
    dy = ry - (w * ry).sum(axis=1, keepdims=True) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w * dx * dy).sum(axis=1) / np.sqrt((w * dx * dx).sum(axis=1)
                                                   * (w * dy * dy).sum(axis=1))


def _resampled(columns, n_resamples, seed):
    """Spearman of each score column with the last column (gold), per resample: (B, C-1)."""
    n = len(columns[0])
    rankers = [_Ranker(c) for c in columns]
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, n_resamples, _CHUNK):
        b = min(_CHUNK, n_resamples - start)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + n * np.arange(b)[:, None]).ravel(),
                             minlength=b * n).reshape(b, n).astype(np.float64)
        gold = rankers[-1].ranks(counts)
        out.append(np.stack([_weighted_corr(r.ranks(counts), gold, counts)
                             for r in rankers[:-1]], axis=1))
    return np.concatenate(out)


def _interval(est, samples, confidence, pairs):
    ok = samples[~np.isnan(samples)]
    if not len(ok):
        return Interval(est, float("nan"), float("nan"), confidence, 0, pairs)
    lo, hi = np.percentile(ok, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    return Interval(float(est), float(lo), float(hi), float(confidence), int(len(ok)), pairs)


def _spearman(x, y) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y)[0])


def spearman_interval(scores, gold, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
                      confidence: float = 0.95) -> Interval:
    """Spearman correlation of ``scores`` with ``gold`` and its bootstrap percentile interval.

    Pairs are resampled with replacement ``n_resamples`` times; the interval is the
    ``confidence`` central range of the resampled correlations (the percentile method).

    Parameters
    ----------
    scores, gold : array_like of float, shape (P,)
        A method's scores and the human scores; pairs where either is NaN are left out.
    n_resamples : int, default 1000
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.
    confidence : float, default 0.95

    Returns
    -------
    Interval
        ``estimate`` equals :func:`scipy.stats.spearmanr` on the pairs used.

    Raises
    ------
    SimvecValueError
        Arrays of different lengths or not 1-D, fewer than 3 defined pairs, ``n_resamples`` not
        a positive integer, ``confidence`` outside (0, 1).

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993), *An Introduction to the Bootstrap*, Chapman & Hall,
    ch. 13 (percentile intervals).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = rng.normal(size=200)
    >>> ci = spearman_interval(g + rng.normal(size=200), g)
    >>> bool(ci.low < ci.estimate < ci.high)
    True
    """
    s, g = _check([scores, gold], n_resamples, confidence)
    samples = _resampled([s, g], n_resamples, seed)[:, 0]
    return _interval(_spearman(s, g), samples, confidence, len(s))


def spearman_difference_interval(scores_a, scores_b, gold, *,
                                 n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
                                 confidence: float = 0.95) -> Interval:
    """Spearman of ``scores_a`` minus Spearman of ``scores_b`` (same gold), paired bootstrap.

    Both correlations are computed on each resample of the pairs, so the interval accounts for
    their correlation; an interval containing 0 means the two methods differ within noise.

    Parameters
    ----------
    scores_a, scores_b, gold : array_like of float, shape (P,)
        Pairs where any of the three is NaN are left out (of both correlations).
    n_resamples, seed, confidence
        As for :func:`spearman_interval`.

    Returns
    -------
    Interval
        ``estimate`` = rho(a, gold) - rho(b, gold) on the pairs used.

    Raises
    ------
    SimvecValueError
        As for :func:`spearman_interval`.

    References
    ----------
    Efron & Tibshirani (1993), ch. 13; the paired design as in Koehn (2004), "Statistical
    significance tests for machine translation evaluation", EMNLP.
    """
    a, b, g = _check([scores_a, scores_b, gold], n_resamples, confidence)
    samples = _resampled([a, b, g], n_resamples, seed)
    return _interval(_spearman(a, g) - _spearman(b, g), samples[:, 0] - samples[:, 1],
                     confidence, len(g))
