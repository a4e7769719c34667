"""``simvec serve --index``: ``POST /search`` over an approximate index (two stages: the index's
candidates re-ranked with the request's method), its equality with the exact search of the same
collection, and the refusals (index of other vectors, index and collection together)."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("usearch")
pytest.importorskip("faiss")

from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from simvec.cli.app import app as cli  # noqa: E402
from simvec.errors import SimvecValueError  # noqa: E402
from simvec.index.ann import build_index, load_index  # noqa: E402
from simvec.index.encode import encode, encoder_info  # noqa: E402
from simvec.keywords.parse import jaccard  # noqa: E402
from simvec.keywords.topk import rank_collection  # noqa: E402
from simvec.serve import Collection, create_app  # noqa: E402
from simvec.vectors.keyed import KeyedVectors  # noqa: E402

WORDS = ["the", "cat", "kitten", "dog", "puppy", "car", "truck", "machine", "learning", "deep",
         "neural", "network", "king", "queen", "man", "woman"]
LISTS = [["cat", "dog"], ["car", "truck"], ["machine learning"], ["deep learning", "neural"],
         ["king", "queen"], ["man", "woman", "the"], ["kitten"], ["truck", "machine"]]
IDS = [f"d{i}" for i in range(len(LISTS))]


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(7)
    return KeyedVectors(rng.normal(size=(len(WORDS), 12)).astype(np.float32), WORDS)


@pytest.fixture(scope="module")
def index_dir(kv, tmp_path_factory):
    path = tmp_path_factory.mktemp("ix") / "toy.index"
    build_index(encode(LISTS, kv), IDS, encoder=encoder_info(kv), keyword_lists=LISTS).save(path)
    return path


def test_index_search_equals_the_exact_search_of_the_collection(kv, index_dir):
    # 8 documents, fewer than the default candidate count: every document is re-ranked, so the
    # two-stage answer must be the exact one
    queries = [["kitten", "puppy"], ["neural network", "deep"], ["zzz"]]
    with TestClient(create_app(kv, index=load_index(index_dir))) as c:
        got = c.post("/search", json={"queries": queries, "k": 3}).json()
        info = c.get("/info").json()["collection"]
    ref = rank_collection(queries, IDS, LISTS, kv, k=3)
    rows = [(x["query"], h["rank"], h["id"]) for x in got["results"] for h in x["neighbors"]]
    assert rows == [(q, rank, o) for q, rank, o, _, _ in ref.rows()]
    np.testing.assert_allclose([h["score"] for x in got["results"] for h in x["neighbors"]],
                               [s for *_, s, _ in ref.rows()], atol=1e-5)
    assert [h["jaccard"] for h in got["results"][0]["neighbors"]] == [
        jaccard(queries[0], LISTS[IDS.index(h["id"])]) for h in got["results"][0]["neighbors"]]
    assert got["no_vector"] == [2] and got["results"][2]["neighbors"] == []
    assert got["documents"] == 8 and got["method"] == "hybrid"
    assert info == {"name": "toy.index", "documents": 8, "skipped_lines": 0, "index": True,
                    "keywords": True}


def test_index_without_keyword_lists_answers_mean_only(kv, tmp_path):
    path = tmp_path / "bare.index"
    build_index(encode(LISTS, kv), IDS, encoder=encoder_info(kv)).save(path)
    with TestClient(create_app(kv, index=load_index(path))) as c:
        r = c.post("/search", json={"queries": [["kitten"]], "k": 2})
        assert r.status_code == 422 and r.json()["field"] == "method"
        assert "keyword lists" in r.json()["error"]
        got = c.post("/search", json={"queries": [["kitten"]], "k": 2, "method": "mean"}).json()
    ref = rank_collection([["kitten"]], IDS, LISTS, kv, k=2, method="mean")
    assert [h["id"] for h in got["results"][0]["neighbors"]] == [o for _, _, o, _, _ in ref.rows()]
    assert all(h["jaccard"] is None for h in got["results"][0]["neighbors"])


def test_index_of_other_vectors_or_with_a_collection_is_refused(kv, index_dir):
    other = KeyedVectors(kv.vectors[:, :6].copy(), WORDS)
    with pytest.raises(SimvecValueError, match="encode the queries with the index's model"):
        create_app(other, index=load_index(index_dir))
    with pytest.raises(SimvecValueError, match="not both"):
        create_app(kv, index=load_index(index_dir), collection=Collection(IDS, LISTS))


def test_cli_index_flag_checks(kv, index_dir, tmp_path):
    vec = tmp_path / "other.txt"
    KeyedVectors(kv.vectors[:, :6].copy(), WORDS).save(vec, format="word2vec")
    coll = tmp_path / "c.jsonl"
    coll.write_text('{"id": "x", "keywords": ["cat"]}\n')
    r = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert r.exit_code == 2 and "--index" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["serve", "--index", str(index_dir), "--collection", str(coll)])
    assert r.exit_code == 2 and "not both" in r.output
    r = CliRunner().invoke(cli, ["serve", "--index", str(index_dir), "--vectors", str(vec)])
    assert r.exit_code == 2 and "--index" in r.output and "dimension 6" in r.output


def test_app_from_env_loads_the_index(kv, index_dir, tmp_path, monkeypatch):
    from simvec.serve.app import CONFIG_ENV, app_from_env

    vec = tmp_path / "kv.txt"
    kv.save(vec, format="word2vec")
    monkeypatch.setenv(CONFIG_ENV, json.dumps({"vectors": str(vec), "index": str(index_dir)}))
    with TestClient(app_from_env()) as c:
        got = c.post("/search", json={"queries": [["cat"]], "k": 1}).json()
    assert got["documents"] == 8 and got["results"][0]["neighbors"][0]["id"] == "d0"
