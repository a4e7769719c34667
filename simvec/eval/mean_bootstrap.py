"""Bootstrap confidence intervals of a mean over queries, and of a paired difference of means.

The retrieval counterpart of :mod:`simvec.eval.bootstrap` (Spearman correlations of pair
files): here the statistic is a mean of per-query values, so a resample's statistic is the mean
of the resampled values.

Retrieval figures (precision@1, MAP@10) are means over queries; how far they would move on
other queries from the same source is estimated by resampling the queries with replacement
(Efron & Tibshirani 1993). Two methods scored on the same queries are compared by the *paired*
bootstrap: each resample draws query indices once and takes the mean of the per-query
differences, so the interval reflects the noise of the difference, not of each figure.

The intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13): the 2.5th and 97.5th
percentiles of the resampled means for a 95 % interval. numpy only; a fixed seed makes every
interval reproducible.

References
----------
Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, Chapman & Hall, ch. 6 (the
bootstrap estimate), ch. 13 (percentile intervals); the paired (matched) design of ch. 15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["BOOTSTRAP_RESAMPLES", "BootstrapInterval", "bootstrap_mean",
           "paired_bootstrap_difference", "resample_indices", "check_bootstrap_settings"]

#: Resamples used unless told otherwise (Efron & Tibshirani recommend at least 1,000 for
#: percentile intervals).
BOOTSTRAP_RESAMPLES = 2000

_CHUNK = 1 << 22  # indices drawn per chunk: 4M int64 = 32 MiB


@dataclass(frozen=True)
class BootstrapInterval:
    """A statistic with its bootstrap percentile interval.

    Attributes
    ----------
    estimate : float
        The statistic on the original sample (the mean, or the mean difference).
    low, high : float
        Bounds of the percentile interval.
    level : float
        Coverage, e.g. 0.95.
    n : int
        Sample size (queries).
    resamples : int
    seed : int
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int
    resamples: int
    seed: int

    @property
    def excludes_zero(self) -> bool:
        """Whether 0 lies outside ``[low, high]`` (for a difference: not within noise)."""
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict:
        return {"estimate": self.estimate, "low": self.low, "high": self.high,
                "level": self.level, "n": self.n, "resamples": self.resamples,
                "seed": self.seed}


def _check(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise SimvecValueError(f"{name} must be one-dimensional (one value per query), "
                               f"got shape {x.shape}")
    if len(x) == 0:
        raise SimvecValueError(f"{name} is empty: no query to resample")
    if not np.all(np.isfinite(x)):
        i = int(np.flatnonzero(~np.isfinite(x))[0])
        raise SimvecValueError(f"{name}[{i}] is {x[i]}: per-query values must be finite")
    return x


def check_bootstrap_settings(resamples, level) -> None:
    """Raise :class:`~simvec.errors.SimvecValueError` unless ``resamples`` is a positive
    integer and ``level`` lies in (0, 1) (to fail before a long computation)."""
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) \
            or resamples < 1:
        raise SimvecValueError(f"resamples must be a positive integer, got {resamples!r}")
    if not 0.0 < level < 1.0:
        raise SimvecValueError(f"level must be in (0, 1), got {level!r}")


def resample_indices(n: int, resamples: int, seed: int = 0):
    """Yield blocks of bootstrap index rows: int64 arrays of shape (b, n), b rows per block.

    Row r of the concatenated blocks is resample r: ``n`` indices drawn uniformly with
    replacement from ``0 .. n-1`` by ``numpy.random.default_rng(seed)``; the same ``(n,
    resamples, seed)`` always gives the same rows, whatever the block size.
    """
    rng = np.random.default_rng(seed)
    per = max(1, _CHUNK // max(n, 1))
    for r0 in range(0, resamples, per):
        yield rng.integers(0, n, size=(min(per, resamples - r0), n))


def _bootstrap_means(x: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    return np.concatenate([x[idx].mean(axis=1) for idx in resample_indices(len(x), resamples,
                                                                           seed)])


def _interval(est: float, means: np.ndarray, level: float, n: int, resamples: int,
              seed: int) -> BootstrapInterval:
    lo, hi = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return BootstrapInterval(float(est), float(lo), float(hi), float(level), int(n),
                             int(resamples), int(seed))


def bootstrap_mean(values, *, resamples: int = BOOTSTRAP_RESAMPLES, level: float = 0.95,
                   seed: int = 0) -> BootstrapInterval:
    """The mean of per-query values with its bootstrap percentile interval.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per query (e.g. precision@1 or AP@10 of each query), finite.
    resamples : int, default 2000
        Bootstrap resamples (queries drawn with replacement, n per resample).
    level : float, default 0.95
        Coverage of the interval, in (0, 1).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same interval.

    Returns
    -------
    BootstrapInterval
        ``estimate`` is the plain mean; ``low`` / ``high`` the ``(1 - level) / 2`` and
        ``(1 + level) / 2`` quantiles of the resampled means.

    Raises
    ------
    SimvecValueError
        If ``values`` is empty, not 1-D or not finite, ``resamples`` is not a positive
        integer, or ``level`` is not in (0, 1).

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13 (percentile
    interval).

    Examples
    --------
    >>> ci = bootstrap_mean([1, 0, 1, 1, 0, 1, 1, 1], resamples=1000)
    >>> ci.estimate, ci.low <= 0.75 <= ci.high
    (0.75, True)
    """
    x = _check(values, "values")
    check_bootstrap_settings(resamples, level)
    return _interval(x.mean(), _bootstrap_means(x, resamples, seed), level, len(x),
                     resamples, seed)


def paired_bootstrap_difference(a, b, *, resamples: int = BOOTSTRAP_RESAMPLES,
                                level: float = 0.95, seed: int = 0) -> BootstrapInterval:
    """Mean of ``a - b`` over the same queries, with its paired bootstrap interval.

    Each resample draws n query indices with replacement once and averages ``a[i] - b[i]``
    over them, so the variation both methods share (hard and easy queries) cancels.

    Parameters
    ----------
    a, b : array_like of float, shape (n,)
        Per-query values of two methods on the same queries, in the same order.
    resamples, level, seed
        As in :func:`bootstrap_mean`.

    Returns
    -------
    BootstrapInterval
        ``estimate = mean(a) - mean(b)``; the difference is within noise at this level when
        the interval contains 0 (``not excludes_zero``).

    Raises
    ------
    SimvecValueError
        If the lengths differ, or as :func:`bootstrap_mean`.

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13 and 15 (paired
    comparisons by resampling the matched pairs).

    Examples
    --------
    >>> d = paired_bootstrap_difference([1, 1, 1, 0, 1], [0, 1, 1, 0, 1], resamples=1000)
    >>> round(d.estimate, 2), d.low >= 0
    (0.2, True)
    """
    x, y = _check(a, "a"), _check(b, "b")
    if len(x) != len(y):
        raise SimvecValueError(f"a has {len(x)} values and b {len(y)}: a paired comparison "
                               "needs the same queries in the same order")
    check_bootstrap_settings(resamples, level)
    d = x - y
    return _interval(d.mean(), _bootstrap_means(d, resamples, seed), level, len(d),
                     resamples, seed)
