"""Tests of the blocked top-k kernel simvec.kernels.topk against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.kernels.topk import dot_topk, topk_rows


def _brute(q, m, k, exclude=None):
    s = q.astype(np.float64) @ m.astype(np.float64).T
    if exclude is not None:
        for i, row in enumerate(exclude):
            s[i, row[row >= 0]] = -np.inf
    s[np.isnan(s)] = -np.inf
    order = np.argsort(-s, axis=1, kind="stable")[:, : min(k, m.shape[0])]
    return order, np.take_along_axis(s, order, 1)


@pytest.mark.parametrize("n, m, d, k, e", [
    (1, 5, 3, 10, 0), (7, 1000, 50, 10, 2), (300, 5000, 13, 5, 3), (5, 3, 4, 3, 1),
    (513, 2049, 50, 1, 1), (64, 700, 8, 700, 0),
])
@pytest.mark.parametrize("blocks", [(256, 256), (3, 7), (1000, 100000)])
def test_dot_topk_equals_brute_force(n, m, d, k, e, blocks):
    rng = np.random.default_rng(n * 31 + m)
    q = rng.standard_normal((n, d)).astype(np.float32)
    mat = rng.standard_normal((m, d)).astype(np.float32)
    ex = rng.integers(-1, m, (n, e)) if e else None
    idx, val = dot_topk(q, mat, k, exclude=ex, block_rows=blocks[0], block_cols=blocks[1])
    ref_idx, ref_val = _brute(q, mat, k, ex)
    assert idx.shape == val.shape == ref_idx.shape
    assert idx.dtype == np.int64 and val.dtype == np.float32
    found = np.isfinite(ref_val)
    np.testing.assert_array_equal(np.where(found, idx, -1), np.where(found, ref_idx, -1))
    assert (idx[~found] == -1).all() and np.isneginf(val[~found]).all()
    np.testing.assert_allclose(val[found], ref_val[found], atol=2e-5)
    if ex is not None:
        assert not any(set(a[a >= 0]) & set(b[b >= 0]) for a, b in zip(idx, ex))


def test_ties_go_to_the_lower_row_and_nan_is_never_selected():
    mat = np.array([[1, 0], [1, 0], [0, 1], [np.nan, 0], [1, 0], [-1, 0]], dtype=np.float32)
    for reps in (1, 20):  # 2 queries take the serial path, 40 the parallel one
        q = np.tile(np.array([[1, 0], [2, 0]], dtype=np.float32), (reps, 1))
        for cols in (1, 2, 256):
            idx, val = dot_topk(q, mat, 5, block_cols=cols)
            assert idx.tolist() == [[0, 1, 4, 2, 5]] * (2 * reps)
            assert val[1].tolist() == [2, 2, 2, 0, -2]
    idx, val = topk_rows(np.array([[1, 3, 2, np.nan, 3]], dtype=np.float32), 4)
    assert idx.tolist() == [[1, 4, 2, 0]] and val.tolist() == [[3, 3, 2, 1]]


def test_edge_cases_and_memmap(tmp_path):
    rng = np.random.default_rng(0)
    mat = rng.standard_normal((300, 6)).astype(np.float32)
    q = rng.standard_normal((40, 6)).astype(np.float32)
    idx, val = dot_topk(q[:0], mat, 3)
    assert idx.shape == (0, 3) and val.shape == (0, 3)
    idx, val = dot_topk(q, mat, 0)
    assert idx.shape == (40, 0)
    np.save(tmp_path / "m.npy", mat)
    mm = np.load(tmp_path / "m.npy", mmap_mode="r")
    for qq in (q[:4], q):  # serial and parallel paths
        a = dot_topk(qq, mm, 7)
        b = dot_topk(qq, mat, 7)
        c = dot_topk(qq, np.asfortranarray(mat).astype(np.float64), 7)  # other layout, dtype
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(c[0], b[0])
    with pytest.raises(ValueError, match="columns"):
        dot_topk(q[:, :5], mat, 3)


def test_thread_count_does_not_change_results():
    import numba

    rng = np.random.default_rng(5)
    mat = rng.standard_normal((3000, 16)).astype(np.float32)
    q = rng.standard_normal((50, 16)).astype(np.float32)
    ref = dot_topk(q, mat, 10)
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = dot_topk(q, mat, 10)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(one[0], ref[0])
    np.testing.assert_array_equal(one[1], ref[1])
