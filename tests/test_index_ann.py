"""simvec.index.ann: recall on real vectors, save/load with metadata, add, mismatched encoder."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("usearch")
pytest.importorskip("faiss")

from simvec._util import normalize_rows
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.index.ann import IVF_MIN_DOCS, build_index, ivf_settings, load_index
from simvec.index.encode import encode, encode_file, encoder_info, load_embeddings
from simvec.index.search import search
from simvec.vectors.keyed import KeyedVectors


def _recall(found, exact):
    k = exact.shape[1]
    return np.mean([len(set(a) & set(b)) / k for a, b in zip(found, exact)])


@pytest.fixture(scope="module")
def real_rows(glove50):
    """20,000 real GloVe vectors (rows 1,000-21,000), unit length: a clustered set (IVF: 512
    lists, 46 searched)."""
    return normalize_rows(np.asarray(glove50.vectors[1000:21000]))


@pytest.fixture(scope="module")
def real_index(real_rows, glove50):
    ids = [f"w{i}" for i in range(len(real_rows))]
    return build_index(real_rows, ids, encoder=encoder_info(glove50))


def test_recall_at_10_on_real_vectors(real_rows, real_index):
    q = real_rows[::40]  # 200 queries from the set
    exact, _ = search(q, real_rows, 10)
    idx, val = real_index.search(q, 10)
    assert _recall(idx, exact) >= 0.95
    np.testing.assert_allclose(val, np.einsum("ij,ikj->ik", q, real_rows[idx]), atol=1e-5)
    assert (idx[:, 0] == np.arange(0, len(real_rows), 40)).mean() >= 0.99  # itself first


def test_save_load_roundtrip_and_metadata(real_rows, real_index, glove50, tmp_path):
    real_index.save(tmp_path / "ix")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]  # no temporary left
    ix = load_index(tmp_path / "ix")
    assert ix.ids == real_index.ids and ix.encoder == encoder_info(glove50)
    assert ix.dimension == 50 and ix.method == "mean" and len(ix) == len(real_rows)
    q = real_rows[5:25]
    np.testing.assert_array_equal(ix.search(q, 10)[0], real_index.search(q, 10)[0])
    mapped = load_index(tmp_path / "ix", mmap=True)  # faiss's memory-mapped inverted lists
    np.testing.assert_array_equal(mapped.search(q, 10)[0], real_index.search(q, 10)[0])
    with pytest.raises(SimvecValueError, match="read-only"):
        mapped.add(real_rows[:1], ["new"])
    with pytest.raises(SimvecValueError, match="read-only"):
        ix.add(real_rows[:1], ["new"])
    # saving again over an existing index replaces it whole
    real_index.save(tmp_path / "ix")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]


def test_mismatched_encoder_and_dimension_refused(real_index, real_rows):
    other = KeyedVectors(np.eye(50, dtype=np.float32), [f"x{i}" for i in range(50)])
    with pytest.raises(SimvecValueError, match="built with word-vectors-mean"):
        real_index.query([["x1"]], other)
    with pytest.raises(SimvecValueError, match="encode the queries with the index's model"):
        real_index.search(real_rows[:2], 5, encoder=encoder_info(other))
    with pytest.raises(SimvecValueError, match="dimension 3 but the index has 50"):
        real_index.search(np.ones((1, 3), np.float32), 5)
    with pytest.raises(SimvecValueError, match="k"):
        real_index.search(real_rows[:1], 0)


def _kv():
    rng = np.random.default_rng(3)
    return KeyedVectors(rng.standard_normal((60, 8)).astype(np.float32),
                        [f"w{i}" for i in range(60)])


def test_build_from_embeddings_with_keywords_then_add(tmp_path):
    kv = _kv()
    rng = np.random.default_rng(0)
    docs = [{"id": f"d{i}", "keywords": [f"w{j}" for j in rng.integers(0, 60, 4)]}
            for i in range(300)]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs[:200]))
    emb = encode_file(tmp_path / "a.jsonl", kv, tmp_path / "a.npy")
    ix = build_index(emb, None, keyword_lists=[d["keywords"] for d in docs[:200]])
    ix.save(tmp_path / "ix")
    ix = load_index(tmp_path / "ix", writable=True)
    assert ix.keywords([3, 150]) == [docs[3]["keywords"], docs[150]["keywords"]]
    new = encode([d["keywords"] for d in docs[200:]], kv)
    with pytest.raises(SimvecValueError, match="keyword_lists"):
        ix.add(new, [d["id"] for d in docs[200:]])
    with pytest.raises(SimvecValueError, match="duplicate ids"):
        ix.add(new[:1], ["d0"], keyword_lists=[["w1"]])
    ix.add(new, [d["id"] for d in docs[200:]], keyword_lists=[d["keywords"] for d in docs[200:]],
           encoder=encoder_info(kv))
    ix.save(tmp_path / "ix")
    ix2 = load_index(tmp_path / "ix")
    assert len(ix2) == 300 and ix2.ids[250] == "d250"
    assert ix2.keywords([250]) == [docs[250]["keywords"]]
    allv = np.vstack([np.asarray(emb.vectors), new])
    exact, _ = search(allv[::10], allv, 5)
    # 300 documents: one IVF list, an exact scan
    assert ix2.params["nlist"] == 1
    assert _recall(ix2.search(allv[::10], 5)[0], exact) == 1.0
    idx, _ = ix2.query([docs[250]["keywords"]], kv, 1)
    assert ix2.ids[idx[0, 0]] == "d250"


def test_load_errors(tmp_path, real_index):
    with pytest.raises(SimvecFileNotFoundError, match="meta.json"):
        load_index(tmp_path / "none")
    real_index.save(tmp_path / "ix")
    meta = json.loads((tmp_path / "ix" / "meta.json").read_text())
    meta["ids"] = meta["ids"][:10]
    (tmp_path / "ix" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(InputFormatError, match="meta.json.*10 ids"):
        load_index(tmp_path / "ix")
    (tmp_path / "ix" / "meta.json").write_text('{"format": "other"}')
    with pytest.raises(InputFormatError, match="format"):
        load_index(tmp_path / "ix")
    with pytest.raises(SimvecValueError, match="encoder is required"):
        build_index(np.ones((2, 3), np.float32), ["a", "b"])
    with pytest.raises(SimvecValueError, match="2 vectors but 1 ids"):
        build_index(np.ones((2, 3), np.float32), ["a"], encoder=encoder_info(_kv()))
    assert load_embeddings  # imported for the build-from-file path above


def test_ivf_settings_follow_the_rules_and_nlist_probes_is_exact(real_rows, real_index):
    assert real_index.kind == "ivf"
    assert real_index.params == {"kind": "ivf", "nlist": 512, "nprobe": 46}  # 20,000 // 39
    assert ivf_settings(1_000_000) == {"kind": "ivf", "nlist": 4000, "nprobe": 127}
    assert ivf_settings(IVF_MIN_DOCS - 1)["nlist"] == 1  # an exact scan below 10,000
    q = real_rows[7::97]
    exact_i, exact_s = search(q, real_rows, 10)
    idx, val = real_index.search(q, 10, nprobe=512)  # every list: exact
    np.testing.assert_allclose(val, exact_s, atol=1e-5)  # the same scores, in order
    assert _recall(idx, exact_i) >= 0.995  # ids differ only where two scores tie to 1e-6
    with pytest.raises(SimvecValueError, match="expansion_search applies to kind 'hnsw'"):
        real_index.search(q, 10, expansion_search=64)
    with pytest.raises(SimvecValueError, match="nprobe"):
        real_index.search(q, 10, nprobe=0)
    with pytest.raises(SimvecValueError, match="kind must be one of ivf, hnsw"):
        build_index(real_rows[:5], list("abcde"), encoder=real_index.encoder, kind="pq")
    with pytest.raises(SimvecValueError, match="nlist .20. cannot exceed the number of docu"):
        build_index(real_rows[:5], list("abcde"), encoder=real_index.encoder, nlist=20)
    with pytest.raises(SimvecValueError, match="trained on its first vectors"):
        build_index(np.empty((0, 50), np.float32), [], encoder=real_index.encoder)


def test_hnsw_kind_and_indexes_saved_before_kinds(real_rows, real_index, tmp_path):
    x = real_rows[:4000]
    ids = [f"w{i}" for i in range(len(x))]
    ix = build_index(x, ids, encoder=real_index.encoder, kind="hnsw")
    assert ix.kind == "hnsw" and ix.params["connectivity"] == 16
    q = x[::40]
    exact, _ = search(q, x, 10)
    assert _recall(ix.search(q, 10)[0], exact) >= 0.95
    with pytest.raises(SimvecValueError, match="nprobe applies to kind 'ivf'"):
        ix.search(q, 10, nprobe=4)
    ix.save(tmp_path / "h")
    assert (tmp_path / "h" / "hnsw.usearch").is_file()
    # an index saved before kinds existed: params without "kind" read as HNSW
    meta = json.loads((tmp_path / "h" / "meta.json").read_text())
    del meta["params"]["kind"]
    (tmp_path / "h" / "meta.json").write_text(json.dumps(meta))
    old = load_index(tmp_path / "h")
    assert old.kind == "hnsw" and old.index_file == tmp_path / "h" / "hnsw.usearch"
    np.testing.assert_array_equal(old.search(q, 10)[0], ix.search(q, 10)[0])
    meta["params"]["kind"] = "lsh"
    (tmp_path / "h" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(InputFormatError, match="no index kind simvec reads"):
        load_index(tmp_path / "h")
    (tmp_path / "h" / "hnsw.usearch").unlink()
    meta["params"]["kind"] = "hnsw"
    (tmp_path / "h" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(SimvecFileNotFoundError, match="hnsw.usearch"):
        load_index(tmp_path / "h")


def test_keyword_lists_given_as_strings_are_kept_whole(tmp_path):
    kv = _kv()
    lists = ["w1; w2", ["w3", "w4"], "w5, w6 w7"]
    ix = build_index(encode(lists, kv), ["a", "b", "c"], encoder=encoder_info(kv),
                     keyword_lists=lists)
    ix.add(encode(["w8; w9"], kv), ["d"], keyword_lists=["w8; w9"])
    assert ix.keywords([0, 3]) == ["w1; w2", "w8; w9"]  # not split into characters
    ix.save(tmp_path / "ix")
    assert load_index(tmp_path / "ix").keywords(range(4)) == lists + ["w8; w9"]
