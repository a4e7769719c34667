"""simvec serve's HTTP API on tiny vectors: payloads equal the library's (and the CLI's JSON),
limits and bad input answer JSON 4xx naming the field, CORS is off unless configured."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from simvec.errors import SimvecValueError  # noqa: E402
from simvec.keywords.methods import DEFAULT_METHOD  # noqa: E402
from simvec.keywords.pair import keyword_similarities  # noqa: E402
from simvec.keywords.topk import rank_collection  # noqa: E402
from simvec.serve import Collection, Limits, create_app, load_collection  # noqa: E402
from simvec.serve.app import STATIC_DIR  # noqa: E402
from simvec.vectors.keyed import KeyedVectors  # noqa: E402

WORDS = ["the", "cat", "kitten", "dog", "puppy", "car", "truck", "machine", "learning", "deep",
         "neural", "network", "king", "queen", "man", "woman"]


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(7)
    return KeyedVectors(rng.normal(size=(len(WORDS), 12)).astype(np.float32), WORDS)


@pytest.fixture(scope="module")
def coll():
    return Collection(ids=["d1", "d2", "d3"],
                      keyword_lists=[["cat", "dog"], ["car", "truck"], ["machine learning"]],
                      name="toy.jsonl")


@pytest.fixture(scope="module")
def client(kv, coll):
    with TestClient(create_app(kv, vectors_name="toy", collection=coll,
                               limits=Limits(max_keywords=4, max_lists=3, max_top_k=5,
                                             max_string_length=20, max_body_bytes=2000))) as c:
        yield c


@pytest.fixture(scope="module")
def bare(kv):
    with TestClient(create_app(kv, vectors_name="toy")) as c:
        yield c


def _error(r, status, field=None, text=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "field", "detail"}
    assert "Traceback" not in r.text
    if field is not None:
        assert body["field"] == field, body
    if text is not None:
        assert re.search(text, body["error"]), body
    return body


def test_health_and_info(client, kv):
    assert client.get("/health").json() == {"status": "ok"}
    info = client.get("/info").json()
    assert (info["vectors"], info["count"], info["vector_size"]) == ("toy", 16, 12)
    assert info["collection"] == {"name": "toy.jsonl", "documents": 3, "skipped_lines": 0,
                                  "index": False}
    assert info["limits"]["max_keywords"] == 4 and "pca" in info["map_methods"]


def test_similar_equals_the_library_and_the_cli_payload(client, kv):
    from simvec.cli.keywords import similar_payload

    a, b = ["cat", "neural network", "unicorn"], ["kitten", "deep learning"]
    r = client.post("/similar", json={"a": a, "b": b})
    assert r.status_code == 200, r.text
    got = r.json()
    ref = keyword_similarities(a, b, kv, (DEFAULT_METHOD, "mean", "best_match"))
    assert got["score"] == pytest.approx(ref[DEFAULT_METHOD].score, abs=1e-6)
    assert got["mean_cosine"] == pytest.approx(ref["mean"].score, abs=1e-6)
    assert got["best_match_cosine"] == pytest.approx(ref["best_match"].score, abs=1e-6)
    assert got["oov_a"] == ["unicorn"] and got["oov_b"] == []
    cli, _ = similar_payload(", ".join(a), ", ".join(b), kv, "toy")
    got.pop("heatmap")
    assert set(got) == set(cli)  # the CLI's --format json field names
    for key in cli:
        if isinstance(cli[key], float):
            assert got[key] == pytest.approx(cli[key], abs=1e-6), key
        else:
            assert got[key] == cli[key], key


def test_similar_reports_the_token_alignment_behind_the_score(client, kv):
    a, b = ["cat", "neural network", "unicorn"], ["kitten", "deep learning"]
    got = client.post("/similar", json={"a": a, "b": b}).json()
    ref = keyword_similarities(a, b, kv, (DEFAULT_METHOD,))[DEFAULT_METHOD].alignment
    assert (got["alignment_method"], got["alignment_level"]) == ("sif_best_match", "token")
    assert [m["token"] for m in got["alignment"]["a"]] == ["cat", "neural", "network"]
    for side in "ab":
        assert [(m["token"], m["partner_token"], m["keyword"], m["partner"])
                for m in got["alignment"][side]] == [
            (m.token, m.partner_token, m.keyword, m.partner) for m in ref[side]]
        np.testing.assert_allclose([m["weight"] for m in got["alignment"][side]],
                                   [m.weight for m in ref[side]], atol=1e-12)
    recomputed = sum(sum(m["weight"] * m["cosine"] for m in got["alignment"][s])
                     for s in "ab") / 2
    assert recomputed == pytest.approx(got["alignment_score"], abs=1e-6)
    # hybrid: the lists share no token, so the score is 0.8 x its sif_best_match part
    assert got["method"] == "hybrid"
    assert got["score"] == pytest.approx(0.8 * got["alignment_score"], abs=1e-6)


def test_similar_heatmap_is_the_keyword_cosines(client, kv):
    r = client.post("/similar", json={"a": ["cat", "car"], "b": ["dog", "truck", "zzz"],
                                      "heatmap": True})
    hm = r.json()["heatmap"]
    assert hm["rows"] == ["cat", "car"] and hm["cols"] == ["dog", "truck"]
    expect = [[kv.similarity(x, y) for y in hm["cols"]] for x in hm["rows"]]
    np.testing.assert_allclose(hm["cosine"], expect, atol=1e-4)


def test_similar_all_oov_has_no_score_and_a_reason(client):
    got = client.post("/similar", json={"a": ["zzz"], "b": ["cat"]}).json()
    assert got["score"] is None and "out of vocabulary" in got["reason"]


def test_neighbors_equal_most_similar(client, kv):
    r = client.get("/neighbors", params={"word": ["cat", "nope", "king"], "topn": 3})
    got = r.json()
    assert got["oov"] == ["nope"]
    for w in ("cat", "king"):
        ref = kv.most_similar(w, topn=3)
        assert [n["word"] for n in got["neighbors"][w]] == [n for n, _ in ref]
        np.testing.assert_allclose([n["cosine"] for n in got["neighbors"][w]],
                                   [s for _, s in ref], atol=1e-6)
    _error(client.get("/neighbors", params={"word": "nope"}), 404, "word", "nope")


def test_analogy_equals_the_library(client, kv):
    got = client.post("/analogy", json={"a": "man", "b": "king", "c": "woman", "topn": 2}).json()
    ref = kv.analogy("man", "king", "woman", topn=2)
    assert got["question"] == ["man", "king", "woman"] and got["method"] == "3cosadd"
    assert [x["word"] for x in got["answers"]] == [w for w, _ in ref]
    _error(client.post("/analogy", json={"a": "man", "b": "king", "c": "zzz"}), 404, "c", "zzz")
    _error(client.post("/analogy", json={"a": "man", "b": "king", "c": "woman",
                                         "method": "3coswhat"}), 422, "method")


def test_search_ranks_the_collection_like_rank_collection(client, kv, coll):
    queries = [["kitten", "puppy"], ["neural network"]]
    got = client.post("/search", json={"queries": queries, "k": 2}).json()
    ref = rank_collection(queries, coll.ids, coll.keyword_lists, kv, k=2)
    rows = [(x["query"], h["rank"], h["id"], h["score"])
            for x in got["results"] for h in x["neighbors"]]
    assert [r[:3] for r in rows] == [(q, rank, o) for q, rank, o, _, _ in ref.rows()]
    np.testing.assert_allclose([r[3] for r in rows], [s for *_, s, _ in ref.rows()], atol=1e-6)
    assert got["documents"] == 3 and got["method"] == DEFAULT_METHOD


def test_search_without_a_collection_says_none_is_loaded(bare):
    _error(bare.post("/search", json={"queries": [["cat"]]}), 404, "collection",
           "no collection is loaded.*--collection")
    assert bare.get("/info").json()["collection"] is None


def test_map_gives_coordinates_and_reports_oov(client):
    got = client.post("/map", json={"words": ["cat", "dog", "car", "zzz", "cat"]}).json()
    assert got["words"] == ["cat", "dog", "car"] and got["oov"] == ["zzz"]
    assert len(got["x"]) == len(got["y"]) == 3 and np.all(np.isfinite(got["x"]))
    _error(client.post("/map", json={"words": ["cat", "zzz"]}), 422, None, "at least 2")


@pytest.mark.parametrize("body, field", [
    ({"a": ["cat"] * 5, "b": ["dog"]}, "a"),                       # keywords per list
    ({"a": ["x" * 21], "b": ["dog"]}, "a.0"),                      # string length
    ({"a": [], "b": ["dog"]}, "a"),                                # empty list
    ({"a": ["cat"]}, "b"),                                         # missing field
    ({"a": ["cat"], "b": ["dog"], "file": "/etc/passwd"}, "file"),  # unknown field
    ({"a": "cat", "b": ["dog"]}, "a"),                             # wrong type
    ({"a": ["  "], "b": ["dog"]}, None),                            # blank keyword only
])
def test_bad_similar_requests_name_the_field(client, body, field):
    _error(client.post("/similar", json=body), 422, field)


def test_bad_search_and_neighbors_requests(client):
    _error(client.post("/search", json={"queries": [["cat"]] * 4}), 422, "queries")
    _error(client.post("/search", json={"queries": [["cat"]], "k": 6}), 422, "k")
    _error(client.post("/search", json={"queries": [["cat"]], "method": "wmd"}), 422, "method")
    _error(client.get("/neighbors", params={"word": "cat", "topn": 0}), 422, "topn")
    _error(client.get("/neighbors", params={"word": ["cat"] * 4}), 422, "word")
    _error(client.get("/neighbors"), 422, "word")
    _error(client.get("/neighbors", params={"word": "x" * 21}), 422, "word.0")
    _error(client.get("/neighbors", params={"word": "cat", "restrict_vocab": 17}), 422,
           "restrict_vocab")


def test_body_limit_malformed_json_and_unknown_routes(client):
    body = _error(client.post("/similar", content=b'{"a": ["' + b"x" * 3000 + b'"]}',
                              headers={"content-type": "application/json"}), 413, "body")
    assert "2000 bytes" in body["error"]

    def chunks():  # no Content-Length: the limit holds on the bytes actually received
        for _ in range(5):
            yield b" " * 600

    _error(client.post("/similar", content=chunks(),
                       headers={"content-type": "application/json"}), 413, "body")
    _error(client.post("/similar", content=b'{"a": [', headers={"content-type":
                                                                 "application/json"}), 422)
    _error(client.get("/nowhere"), 404)
    _error(client.delete("/similar"), 405)


def test_time_limit_answers_503(kv):
    class Slow(KeyedVectors):
        def most_similar_batch(self, *a, **k):
            time.sleep(0.6)
            return super().most_similar_batch(*a, **k)

    slow = Slow(kv.vectors, kv.index_to_key)
    with TestClient(create_app(slow, limits=Limits(time_limit_s=0.1))) as c:
        t = time.perf_counter()
        _error(c.get("/neighbors", params={"word": "cat"}), 503, None, "time limit of 0.1 s")
        assert time.perf_counter() - t < 0.5
        assert c.get("/health").status_code == 200  # the event loop was never blocked


def test_small_similar_is_inline_and_large_goes_to_the_worker_under_the_time_limit(
        kv, monkeypatch):
    import threading

    import simvec.keywords.pair as pair
    from simvec.serve.app import INLINE_MAX_CHARS

    seen, real = [], pair.similarity_report

    def traced(*a, **k):
        seen.append(threading.current_thread().name)
        if sum(map(len, a[0])) > INLINE_MAX_CHARS // 2:  # the large request is slow
            time.sleep(0.6)
        return real(*a, **k)

    monkeypatch.setattr(pair, "similarity_report", traced)
    small = {"a": ["cat", "dog"], "b": ["kitten"]}
    long_kw = " ".join(["cat"] * 49)  # 195 characters
    large = {"a": [long_kw] * 6, "b": ["kitten"]}  # 1,176 characters: over the bound
    assert sum(map(len, large["a"])) > INLINE_MAX_CHARS
    with TestClient(create_app(kv, limits=Limits(time_limit_s=0.1))) as c:
        r = c.post("/similar", json=small)
        assert r.status_code == 200 and r.json()["score"] == pytest.approx(
            real(small["a"], small["b"], kv)["score"], abs=1e-6)
        assert not seen[-1].startswith("simvec-serve")  # answered on the event loop
        _error(c.post("/similar", json=large), 503, None, "time limit of 0.1 s")
        assert seen[-1].startswith("simvec-serve")  # the worker thread, under the time limit


def test_cors_is_off_unless_configured(kv, bare):
    origin = {"Origin": "http://elsewhere.example"}
    assert "access-control-allow-origin" not in bare.get("/health", headers=origin).headers
    with TestClient(create_app(kv, cors_origins=["http://elsewhere.example"])) as c:
        r = c.get("/health", headers=origin)
        assert r.headers["access-control-allow-origin"] == "http://elsewhere.example"


def test_no_endpoint_takes_a_file_path(bare):
    schema = bare.get("/openapi.json").json()
    names = [p["name"] for ops in schema["paths"].values() for op in ops.values()
             for p in op.get("parameters", [])]
    names += [n for s in schema["components"]["schemas"].values()
              for n in s.get("properties", {}) if s["title"].endswith("Request")]
    assert names and not [n for n in names if re.search("path|file|dir", n, re.I)]


def test_page_is_served_with_no_outside_resource(bare):
    r = bare.get("/")
    assert r.status_code == 200 and "<title>simvec" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for name in ("index.html", "app.js", "style.css", "favicon.svg"):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), name
        assert not re.search(r"""(fetch|import)\(\s*["'`]https?:""", text), name
        assert bare.get(f"/static/{name}").status_code == 200


def test_limits_and_collection_loading_reject_bad_input(tmp_path):
    with pytest.raises(SimvecValueError, match="max_keywords must be a positive"):
        Limits(max_keywords=0)
    with pytest.raises(SimvecValueError, match="time_limit_s"):
        Limits(time_limit_s=-1)
    good = tmp_path / "c.jsonl"
    good.write_text('{"id": "a", "keywords": ["cat"]}\n{"id": 2, "keywords": ["dog"]}\n')
    c = load_collection(good)
    assert (c.ids, c.keyword_lists, c.name) == (["a", "2"], [["cat"], ["dog"]], "c.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "keywords": ["cat"]}\n{"id": "b"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl.*2|line 2"):
        load_collection(bad)


def test_openapi_lists_every_endpoint_with_the_limits(client):
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/health", "/info", "/similar", "/neighbors", "/analogy",
                                    "/search", "/map"}
    req = schema["components"]["schemas"]["SimilarRequest"]["properties"]["a"]
    assert (req["maxItems"], req["items"]["maxLength"]) == (4, 20)  # the configured Limits
    assert client.get("/docs").status_code == 200
