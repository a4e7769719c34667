"""SIF / Zipf / IDF weights (simvec.keywords.weighting)."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.errors import SimvecValueError
from simvec.keywords.weighting import idf_weights, sif_weights, zipf_probabilities


def test_zipf_sums_to_one_and_follows_rank():
    p = zipf_probabilities(1000)
    assert p.sum() == pytest.approx(1.0, abs=1e-3)
    assert p[0] / p[9] == pytest.approx(10.0)  # p(r) proportional to 1/r
    assert np.all(np.diff(p) < 0)


def test_sif_weights_damp_frequent_words():
    w = sif_weights(400_000)
    p = zipf_probabilities(400_000)
    assert w.dtype == np.float32 and w.shape == (400_000,)
    np.testing.assert_allclose(w[:5], 1e-3 / (1e-3 + p[:5]), rtol=1e-6)
    assert w[0] == pytest.approx(0.0132972, rel=1e-5) and w[-1] == pytest.approx(0.9998145, rel=1e-6)
    # explicit probabilities (e.g. from corpus counts) replace the Zipf estimate
    np.testing.assert_allclose(sif_weights([0.5, 0.001, 0.0], a=0.001), [0.001 / 0.501, 0.5, 1.0],
                               rtol=1e-6)


@pytest.mark.parametrize("bad", [dict(n_or_probabilities=0), dict(n_or_probabilities=10, a=0),
                                 dict(n_or_probabilities=[1.5]), dict(n_or_probabilities=[])])
def test_bad_arguments(bad):
    with pytest.raises(SimvecValueError):
        sif_weights(**bad)


def test_idf_matches_sklearn_formula():
    docs = [["a", "b", "b"], ["a"], ["c"]]
    w = idf_weights(docs)
    assert w["a"] == pytest.approx(np.log(4 / 3) + 1)
    assert w["b"] == pytest.approx(np.log(4 / 2) + 1)  # counted once in its document
    assert set(w) == {"a", "b", "c"}
