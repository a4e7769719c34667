"""Bootstrap intervals of Spearman (simvec.eval.bootstrap) and all-but-the-top vectors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from simvec.errors import SimvecValueError
from simvec.eval.bootstrap import spearman_difference_interval, spearman_interval
from simvec.vectors.keyed import KeyedVectors
from simvec.vectors.postprocess import abtt_components, all_but_the_top


@pytest.fixture
def tied():
    rng = np.random.default_rng(3)
    gold = np.round(rng.uniform(0, 5, 300), 0)            # heavy ties, as STS scores have
    return gold, np.round(gold + rng.normal(0, 2, 300), 1), np.round(gold + rng.normal(0, 6, 300))


def test_interval_equals_spearmanr_on_each_resample(tied):
    gold, a, _ = tied
    ci = spearman_interval(a, gold, n_resamples=250, seed=7)
    assert ci.estimate == pytest.approx(spearmanr(a, gold)[0], abs=1e-12)
    # the same resamples drawn by hand, each ranked by scipy (average ranks for ties)
    rng = np.random.default_rng(7)
    direct = []
    for start in range(0, 250, 100):
        idx = rng.integers(0, 300, size=(min(100, 250 - start), 300))
        direct += [spearmanr(a[i], gold[i])[0] for i in idx]
    lo, hi = np.percentile(direct, [2.5, 97.5])
    assert (ci.low, ci.high) == pytest.approx((lo, hi), abs=1e-12)
    assert ci.resamples == 250 and ci.pairs == 300 and ci.contains(ci.estimate)
    again = spearman_interval(a, gold, n_resamples=250, seed=7)
    assert again == ci                                        # fixed seed: reproducible
    assert spearman_interval(a, gold, n_resamples=250, seed=8) != ci


def test_difference_interval(tied):
    gold, a, b = tied
    d = spearman_difference_interval(a, b, gold, n_resamples=300)
    assert d.estimate == pytest.approx(spearmanr(a, gold)[0] - spearmanr(b, gold)[0])
    assert 0 < d.low < d.estimate < d.high                    # a (less noise) is better
    same = spearman_difference_interval(a, a, gold, n_resamples=50)
    assert (same.estimate, same.low, same.high) == (0.0, 0.0, 0.0)
    # NaN pairs are left out of both correlations
    a2 = a.copy()
    a2[:10] = np.nan
    d2 = spearman_difference_interval(a2, b, gold, n_resamples=50)
    assert d2.pairs == 290
    assert d2.estimate == pytest.approx(spearmanr(a[10:], gold[10:])[0]
                                        - spearmanr(b[10:], gold[10:])[0])


def test_bootstrap_bad_input(tied):
    gold, a, _ = tied
    with pytest.raises(SimvecValueError, match="same length"):
        spearman_interval(a[:5], gold)
    with pytest.raises(SimvecValueError, match="n_resamples must be a positive integer"):
        spearman_interval(a, gold, n_resamples=0)
    with pytest.raises(SimvecValueError, match="confidence must be in"):
        spearman_interval(a, gold, confidence=95)
    with pytest.raises(SimvecValueError, match="at least 3 pairs"):
        spearman_interval([1.0, np.nan, 2.0], [1.0, 2.0, 3.0])


def test_all_but_the_top_toy():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(500, 8))
    base[:, 0] *= 10                                          # one dominating direction
    kv = KeyedVectors((base + 5).astype(np.float32), [f"w{i}" for i in range(500)])
    out = all_but_the_top(kv, 1)
    v = out.vectors.astype(np.float64)
    assert out.index_to_key == kv.index_to_key
    np.testing.assert_allclose(v.mean(axis=0), 0, atol=1e-4)  # mean removed
    top = np.linalg.svd(base - base.mean(0), full_matrices=False)[2][0]
    np.testing.assert_allclose(v @ top, 0, atol=1e-3)         # top direction removed
    assert out.vectors.dtype == np.float32 and kv.vectors[0, 0] > 3  # input untouched
    np.testing.assert_allclose(all_but_the_top(kv, 0).vectors, kv.vectors - kv.vectors.mean(0),
                               atol=1e-4)
    assert abtt_components(50) == 1 and abtt_components(300) == 3 and abtt_components(8) == 1
    with pytest.raises(SimvecValueError, match=r"n_components must be an integer in \[0, 7\]"):
        all_but_the_top(kv, 8)
    with pytest.raises(SimvecValueError, match="at least 2 vectors"):
        all_but_the_top(KeyedVectors(np.ones((1, 3), np.float32), ["a"]))
    with pytest.raises(SimvecValueError, match="dim must be a positive integer"):
        abtt_components(0)
