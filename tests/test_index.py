"""simvec.index: encode (in memory and streamed to disk, resumable) and exact search."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_path

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.index.encode import encode, encode_file, encoder_info, load_embeddings
from simvec.index.search import all_pairs, search
from simvec.keywords.collection import read_collection
from simvec.keywords.methods import similarity_matrix
from simvec.keywords.topk import all_pairs_topk
from simvec.vectors.keyed import KeyedVectors


def _brute(q, m, k, exclude_self=False):
    s = q.astype(np.float64) @ m.astype(np.float64).T
    if exclude_self:
        np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(s, order, 1)


@pytest.fixture(scope="module")
def kpcrowd():
    ids, lists, _ = read_collection(data_path("keywords", "kpcrowd500n_labeled.jsonl"),
                                    id_field="doc_id", keywords_field="keyphrases")
    return ids, lists


@pytest.fixture(scope="module")
def kp_emb(kpcrowd, glove50):
    return encode(kpcrowd[1], glove50)


def test_encode_unit_rows_equal_mean_method(kpcrowd, kp_emb, glove50):
    ids, lists = kpcrowd
    assert kp_emb.shape == (len(ids), 50) and kp_emb.dtype == np.float32
    norms = np.linalg.norm(kp_emb, axis=1)
    np.testing.assert_allclose(norms[norms > 0], 1.0, atol=1e-5)
    sub = lists[:60]
    ref = similarity_matrix(sub, glove50, "mean")
    got = kp_emb[:60] @ kp_emb[:60].T
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(got[ok], ref[ok], atol=2e-5)


def test_encode_zero_row_without_vector_and_bad_input(glove50):
    v = encode([["machine learning"], ["qqqzzzxx"], []], glove50)
    assert np.linalg.norm(v[0]) == pytest.approx(1, abs=1e-6)
    assert not v[1].any() and not v[2].any()
    with pytest.raises(SimvecValueError, match="keyword_lists\\[1\\]"):
        encode([["a"], 5], glove50)
    with pytest.raises(SimvecValueError, match="encode"):
        encode([["a"]], object())


def test_encode_sentence_encoder_protocol():
    class Fake:
        def encode(self, texts, batch_size=32):
            return np.array([[len(t), 1.0] for t in texts])

    v = encode(["ab", ["x", "y"]], Fake())
    np.testing.assert_allclose(v, [[2 / 5 ** 0.5, 1 / 5 ** 0.5], [4 / 17 ** 0.5, 1 / 17 ** 0.5]],
                               rtol=1e-6)
    assert encoder_info(Fake())["kind"] == "sentence-encoder"


def test_search_is_exact_on_real_vectors(kp_emb):
    q = kp_emb[::7]
    idx, val = search(q, kp_emb, top_k=10, query_chunk_size=13)
    ref_idx, ref_val = _brute(q, kp_emb, 10)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(val, ref_val, atol=2e-5)


def test_search_few_and_many_queries_agree_and_memmap(kp_emb, tmp_path):
    np.save(tmp_path / "c.npy", kp_emb)
    mm = np.load(tmp_path / "c.npy", mmap_mode="r")
    a = search(kp_emb[:5], mm, 4)        # serial path (< 32 queries)
    b = search(kp_emb[:100], mm, 4)      # parallel path
    np.testing.assert_array_equal(a[0], b[0][:5])
    i1, _ = search(kp_emb[3], kp_emb, 1)  # a 1-D query is one row
    assert i1.shape == (1, 1) and i1[0, 0] == 3


def test_all_pairs_equals_keyword_topk_mean(kpcrowd, kp_emb, glove50):
    ids, lists = kpcrowd
    ref = all_pairs_topk(ids, lists, glove50, k=10, method="mean", include_jaccard=False)
    assert not ref.no_vector  # every kpcrowd document has a vector
    idx, val = all_pairs(kp_emb, 10)
    np.testing.assert_array_equal(idx, ref.index)
    np.testing.assert_allclose(val, ref.score, atol=1e-6)
    part_idx, _ = all_pairs(kp_emb, 10, start=100, stop=150)
    np.testing.assert_array_equal(part_idx, idx[100:150])


def test_search_bad_inputs(kp_emb):
    with pytest.raises(SimvecValueError, match="dimension 3 but the corpus has 50"):
        search(np.ones((2, 3), np.float32), kp_emb)
    with pytest.raises(SimvecValueError, match="top_k"):
        search(kp_emb[:2], kp_emb, 0)
    with pytest.raises(SimvecValueError, match="2-D"):
        search(np.ones((2, 2, 2)), kp_emb)
    with pytest.raises(SimvecValueError, match="exclude"):
        search(kp_emb[:2], kp_emb, 3, exclude=np.zeros((3, 1)))
    with pytest.raises(SimvecValueError, match="outside"):
        all_pairs(kp_emb, 3, start=10, stop=5000)


# --------------------------------------------------------------------------- encode_file


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def small_kv():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    return KeyedVectors(rng.standard_normal((40, 8)).astype(np.float32), words)


def _docs(n, seed=1):
    rng = np.random.default_rng(seed)
    return [{"id": f"d{i}", "keywords": [f"w{j}" for j in rng.integers(0, 40, 3)]}
            for i in range(n)]


def test_encode_file_roundtrip_and_no_vector(tmp_path, small_kv):
    rows = _docs(25) + [{"id": "empty", "keywords": ["nothing here"]}]
    _write_jsonl(tmp_path / "docs.jsonl", rows)
    emb = encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "emb.npy", chunk_size=7)
    assert isinstance(emb.vectors, np.memmap)
    assert emb.ids == [f"d{i}" for i in range(25)] and emb.no_vector == ["empty"]
    np.testing.assert_array_equal(np.asarray(emb.vectors),
                                  encode([r["keywords"] for r in rows[:25]], small_kv))
    assert emb.encoder == encoder_info(small_kv) and emb.method == "mean"
    assert not (tmp_path / "emb.npy.parts").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl", "emb.json", "emb.npy"]


def test_encode_file_interrupted_then_resumed(tmp_path, small_kv):
    _write_jsonl(tmp_path / "docs.jsonl", _docs(50))
    full = encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "full.npy", chunk_size=10)

    calls = []

    def stop_after_two(done, chunk):
        calls.append(chunk)
        if chunk == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "emb.npy", chunk_size=10,
                    progress=stop_after_two)
    assert not (tmp_path / "emb.npy").exists()
    parts = sorted(p.name for p in (tmp_path / "emb.npy.parts").glob("part_*.npy"))
    assert parts == ["part_000000.npy", "part_000001.npy"]

    import simvec.index.encode as enc

    encoded = []
    real = enc.encode
    enc.encode = lambda lists, *a, **kw: encoded.append(len(lists)) or real(lists, *a, **kw)
    try:
        emb = encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "emb.npy", chunk_size=10)
    finally:
        enc.encode = real
    assert encoded == [10, 10, 10]  # chunks 0 and 1 were reused
    assert emb.ids == full.ids
    np.testing.assert_array_equal(np.asarray(emb.vectors), np.asarray(full.vectors))


def test_encode_file_changed_source_starts_over(tmp_path, small_kv):
    _write_jsonl(tmp_path / "docs.jsonl", _docs(20))

    def stop(done, chunk):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "emb.npy", chunk_size=10,
                    progress=stop)
    _write_jsonl(tmp_path / "docs.jsonl", _docs(20, seed=9) + _docs(1, seed=2)[:0])
    import os
    os.utime(tmp_path / "docs.jsonl", ns=(1, 1))
    emb = encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "emb.npy", chunk_size=10)
    np.testing.assert_array_equal(
        np.asarray(emb.vectors), encode([r["keywords"] for r in _docs(20, seed=9)], small_kv))


def test_encode_file_errors_name_file_and_line(tmp_path, small_kv):
    rows = [json.dumps(r) for r in _docs(12)]
    rows[9] = "{not json"
    (tmp_path / "bad.jsonl").write_text("\n".join(rows) + "\n")
    with pytest.raises(InputFormatError, match=r"bad.jsonl, line 10: invalid JSON"):
        encode_file(tmp_path / "bad.jsonl", small_kv, tmp_path / "e.npy", chunk_size=4)
    emb = encode_file(tmp_path / "bad.jsonl", small_kv, tmp_path / "e.npy", chunk_size=4,
                      on_error="skip", resume=False)
    assert len(emb.ids) == 11 and emb.skipped[0][0] == 10

    dup = _docs(6)
    dup[5]["id"] = "d1"
    _write_jsonl(tmp_path / "dup.jsonl", dup)
    with pytest.raises(InputFormatError, match=r"dup.jsonl, line 6: duplicate id 'd1'"):
        encode_file(tmp_path / "dup.jsonl", small_kv, tmp_path / "d.npy", chunk_size=4)
    with pytest.raises(SimvecFileNotFoundError, match="missing.jsonl"):
        encode_file(tmp_path / "missing.jsonl", small_kv, tmp_path / "m.npy")
    with pytest.raises(SimvecValueError, match="chunk_size"):
        encode_file(tmp_path / "dup.jsonl", small_kv, tmp_path / "m.npy", chunk_size=0)


def test_encode_file_csv(tmp_path, small_kv):
    (tmp_path / "docs.csv").write_text(
        "id,keywords\n" + "".join(f"c{i},w{i}; w{i + 1}\n" for i in range(9)))
    emb = encode_file(tmp_path / "docs.csv", small_kv, tmp_path / "c.npy", chunk_size=4)
    assert emb.ids == [f"c{i}" for i in range(9)]
    np.testing.assert_array_equal(np.asarray(emb.vectors),
                                  encode([[f"w{i}", f"w{i + 1}"] for i in range(9)], small_kv))


def test_load_embeddings_rejects_inconsistent_sidecar(tmp_path, small_kv):
    _write_jsonl(tmp_path / "docs.jsonl", _docs(5))
    encode_file(tmp_path / "docs.jsonl", small_kv, tmp_path / "e.npy")
    meta = json.loads((tmp_path / "e.json").read_text())
    meta["ids"] = meta["ids"][:3]
    (tmp_path / "e.json").write_text(json.dumps(meta))
    with pytest.raises(InputFormatError, match="e.json.*3 ids"):
        load_embeddings(tmp_path / "e.npy")
    with pytest.raises(SimvecFileNotFoundError):
        load_embeddings(tmp_path / "nope.npy")


def test_lazy_top_level_names():
    import simvec

    assert simvec.encode is encode and simvec.search is search
