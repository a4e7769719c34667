"""simvec.index.dask on a LocalCluster(n_workers=2, threads_per_worker=1): identical results."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dask.distributed")

from simvec.errors import SimvecValueError
from simvec.index.dask import all_pairs_dask, encode_dask, get_client, partitions
from simvec.index.encode import encode
from simvec.index.search import all_pairs
from simvec.vectors.keyed import KeyedVectors


@pytest.fixture(scope="module")
def client():
    c = get_client(n_workers=2, threads_per_worker=1)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def collection():
    rng = np.random.default_rng(7)
    kv = KeyedVectors(rng.standard_normal((300, 16)).astype(np.float32),
                      [f"w{i}" for i in range(300)])
    lists = [[" ".join(f"w{j}" for j in rng.integers(0, 320, rng.integers(1, 4)))
              for _ in range(rng.integers(1, 8))] for _ in range(2500)]
    return kv, lists


def test_partitions_align_to_chunks():
    assert partitions(5000, 2) == [(0, 3072), (3072, 5000)]
    assert partitions(2500, 8) == [(0, 1024), (1024, 2048), (2048, 2500)]
    assert partitions(100, 4) == [(0, 100)]
    assert partitions(0, 3) == []
    with pytest.raises(SimvecValueError, match="n_partitions"):
        partitions(10, 0)


def test_encode_and_all_pairs_identical_to_single_process(client, collection, tmp_path):
    kv, lists = collection
    assert len(client.nthreads()) == 2

    def numba_threads():
        import numba

        return numba.get_num_threads()

    assert set(client.run(numba_threads).values()) == {1}  # one core per worker
    single = encode(lists, kv)
    dist = encode_dask(lists, kv, client, n_partitions=3)
    np.testing.assert_array_equal(dist, single)

    ref_idx, ref_val = all_pairs(single, 10)
    idx, val = all_pairs_dask(single, client, 10, n_partitions=4)  # array, broadcast
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(val, ref_val)

    np.save(tmp_path / "emb.npy", single)
    done = []
    idx2, val2 = all_pairs_dask(tmp_path / "emb.npy", client, 10,
                                progress=lambda d, t: done.append((d, t)))  # memory-mapped
    np.testing.assert_array_equal(idx2, ref_idx)
    np.testing.assert_array_equal(val2, ref_val)
    assert done[-1][0] == done[-1][1] == len(partitions(2500, 8))


def test_bad_inputs(client):
    with pytest.raises(SimvecValueError, match="k"):
        all_pairs_dask(np.ones((4, 3), np.float32), client, 0)
    with pytest.raises(SimvecValueError, match="2-D"):
        all_pairs_dask(np.ones(4, np.float32), client, 2)
