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


def test_row_ranges_and_resumable_file_identical(client, collection, tmp_path):
    """all_pairs_dask(start, stop) == all_pairs(start, stop); the chunked file written on the
    cluster is byte for byte the one-process file, so a run may resume with or without Dask."""
    import functools
    import json

    from simvec.index.encode import encode_file
    from simvec.index.pairs import all_pairs_to_file

    kv, lists = collection
    x = encode(lists, kv)
    for a, b in ((1000, 2500), (300, 1324), (2400, 2400)):
        ref_idx, ref_val = all_pairs(x, 5, start=a, stop=b)
        idx, val = all_pairs_dask(x, client, 5, start=a, stop=b)
        np.testing.assert_array_equal(idx, ref_idx)
        np.testing.assert_array_equal(val, ref_val)
    with pytest.raises(SimvecValueError, match="outside the corpus"):
        all_pairs_dask(x, client, 5, start=10, stop=3000)

    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"id": f"d{i}", "keywords": kws}) + "\n"
                            for i, kws in enumerate(lists)))
    emb = encode_file(docs, kv, tmp_path / "e.npy", chunk_size=700,
                      encode_fn=functools.partial(encode_dask, model=kv, client=client))
    plain = encode_file(docs, kv, tmp_path / "p.npy", chunk_size=700)
    np.testing.assert_array_equal(np.asarray(emb.vectors), np.asarray(plain.vectors))
    assert emb.ids == plain.ids

    def stop(done, total):
        if done >= 1024:
            raise KeyboardInterrupt

    out, ref = tmp_path / "pairs.jsonl", tmp_path / "ref.jsonl"
    all_pairs_to_file(emb.path, ref, 5, chunk_rows=1024)
    with pytest.raises(KeyboardInterrupt):
        all_pairs_to_file(emb.path, out, 5, chunk_rows=1024, client=client, progress=stop)
    res = all_pairs_to_file(emb.path, out, 5, chunk_rows=1024, client=client)
    assert res["resumed_from"] == 1024
    assert out.read_bytes() == ref.read_bytes()


def test_cli_scheduler_option(client, collection, tmp_path):
    """``--scheduler ADDRESS`` on encode and index pairs, through the test cluster."""
    import json

    from typer.testing import CliRunner

    from simvec.cli.app import app

    kv, lists = collection
    vec = tmp_path / "v.txt"
    vec.write_text("".join(w + " " + " ".join(f"{x:.6f}" for x in row) + "\n"
                           for w, row in zip(kv.index_to_key, kv.vectors)))
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"id": f"d{i}", "keywords": kws}) + "\n"
                            for i, kws in enumerate(lists[:1500])))
    address = client.scheduler.address
    run = CliRunner().invoke
    res = run(app, ["encode", str(docs), "-o", str(tmp_path / "d.npy"), "-v", str(vec),
                    "--scheduler", address, "--chunk-size", "500", "-q"])
    assert res.exit_code == 0, res.output
    res = run(app, ["encode", str(docs), "-o", str(tmp_path / "s.npy"), "-v", str(vec), "-q"])
    assert res.exit_code == 0, res.output
    assert np.array_equal(np.load(tmp_path / "d.npy"), np.load(tmp_path / "s.npy"))
    res = run(app, ["index", "pairs", str(tmp_path / "d.npy"), "-o", str(tmp_path / "d.jsonl"),
                    "--scheduler", address, "-k", "3", "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["dask"] is True
    res = run(app, ["index", "pairs", str(tmp_path / "s.npy"), "-o", str(tmp_path / "s.jsonl"),
                    "-k", "3", "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "d.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()
    res = run(app, ["index", "pairs", str(tmp_path / "d.npy"), "-o", str(tmp_path / "w.jsonl"),
                    "--workers", "0", "-k", "3", "-q"])
    assert res.exit_code == 0 and "--workers is deprecated" in res.output
