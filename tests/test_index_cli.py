"""``simvec encode``, ``simvec search``, ``simvec index build|add`` end to end on small files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("usearch")
pytest.importorskip("faiss")

from simvec.cli.app import app

runner = CliRunner()


def _run(*args):
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(80)]
    vec = rng.standard_normal((80, 8)).astype(np.float32)
    (tmp_path / "v.txt").write_text(
        "".join(w + " " + " ".join(f"{x:.5f}" for x in row) + "\n" for w, row in zip(words, vec)))
    docs = [{"id": f"d{i}", "keywords": [f"w{j}" for j in rng.integers(0, 80, 4)]}
            for i in range(120)]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs[:100]))
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs[100:]))
    (tmp_path / "other.txt").write_text("w1 1 0\nw2 0 1\n")
    return tmp_path, docs


def test_encode_search_build_add(files):
    tmp, docs = files
    v = tmp / "v.txt"
    code, out = _run("encode", tmp / "docs.jsonl", "-o", tmp / "emb.npy", "-v", v, "-q",
                     "-f", "json")
    assert code == 0, out
    assert json.loads(out)["documents"] == 100
    q = ", ".join(docs[7]["keywords"])
    code, out = _run("search", tmp / "emb.npy", q, "-v", v, "-k", "3", "-f", "json", "-q")
    assert code == 0, out
    res = json.loads(out)["results"][0]["neighbors"]
    assert res[0]["id"] == "d7" and res[0]["score"] == pytest.approx(1.0, abs=1e-5)

    code, out = _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "ix", "-v", v, "-q")
    assert code == 0, out
    code, out = _run("search", tmp / "ix", q, "-v", v, "-k", "3", "-f", "json", "-q")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["method"] == "hybrid"
    assert payload["results"][0]["neighbors"][0]["id"] == "d7"

    code, out = _run("index", "add", tmp / "ix", tmp / "new.jsonl", "-v", v, "-q", "-f", "json")
    assert code == 0, out
    assert json.loads(out)["documents"] == 120
    q2 = ", ".join(docs[110]["keywords"])
    (tmp / "q.jsonl").write_text(json.dumps({"id": "x", "keywords": docs[110]["keywords"]}) + "\n")
    code, out = _run("search", tmp / "ix", "--queries", tmp / "q.jsonl", "-v", v, "-k", "2",
                     "--no-rerank", "-f", "json", "-q")
    assert code == 0, out
    assert json.loads(out)["results"][0]["neighbors"][0]["id"] == "d110"
    assert q2


def test_errors_exit_2_with_a_message(files):
    tmp, _ = files
    v = tmp / "v.txt"
    assert _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "ix", "-v", v, "-q")[0] == 0
    code, out = _run("search", tmp / "ix", "w1, w2", "-v", tmp / "other.txt", "-q")
    assert code == 2 and "encode the queries with the index's model" in out
    code, out = _run("index", "add", tmp / "ix", tmp / "docs.jsonl", "-v", v, "-q")
    assert code == 2 and "duplicate ids" in out
    code, out = _run("encode", tmp / "missing.jsonl", "-o", tmp / "e.npy", "-v", v, "-q")
    assert code == 2 and "missing.jsonl" in out
    code, out = _run("search", tmp / "ix", "-v", v, "-q")
    assert code != 0 and "--queries" in out


def test_index_build_kinds_and_their_settings(files):
    tmp, docs = files
    v = tmp / "v.txt"
    code, out = _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "ivf", "-v", v, "-q",
                     "--nlist", "4", "--nprobe", "4", "-f", "json")
    assert code == 0, out
    res = json.loads(out)
    assert res["kind"] == "ivf" and res["params"] == {"kind": "ivf", "nlist": 4, "nprobe": 4}
    assert (tmp / "ivf" / "ivf.faiss").is_file()
    code, out = _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "h", "-v", v, "-q",
                     "--kind", "hnsw", "-f", "json")
    assert code == 0, out
    assert json.loads(out)["params"]["connectivity"] == 16 and (tmp / "h" / "hnsw.usearch").is_file()
    q = ", ".join(docs[7]["keywords"])
    for ix in ("ivf", "h"):
        code, out = _run("search", tmp / ix, q, "-v", v, "-k", "1", "-f", "json", "-q")
        assert code == 0 and json.loads(out)["results"][0]["neighbors"][0]["id"] == "d7"
    code, out = _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "x", "-v", v, "-q",
                     "--kind", "pq")
    assert code == 2 and "--kind" in out and "ivf or hnsw" in out and not (tmp / "x").exists()
    code, out = _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "x", "-v", v, "-q",
                     "--nlist", "1000")
    assert code == 2 and "--nlist" in out and "cannot exceed" in out and not (tmp / "x").exists()


def test_index_pairs_one_process(files):
    tmp, _ = files
    v = tmp / "v.txt"
    assert _run("encode", tmp / "docs.jsonl", "-o", tmp / "emb.npy", "-v", v, "-q")[0] == 0
    code, out = _run("index", "pairs", tmp / "emb.npy", "-o", tmp / "p.jsonl", "-k", "3", "-q")
    assert code == 0, out
    lines = [json.loads(x) for x in (tmp / "p.jsonl").read_text().splitlines()]
    assert len(lines) == 100 and all(len(x["neighbors"]) == 3 for x in lines)
    assert all(x["id"] not in {n["id"] for n in x["neighbors"]} for x in lines)
    from simvec.index.encode import load_embeddings
    from simvec.index.search import all_pairs

    idx, _ = all_pairs(load_embeddings(tmp / "emb.npy"), 3)
    assert [n["id"] for n in lines[5]["neighbors"]] == [f"d{j}" for j in idx[5]]


def test_index_pairs_two_stages_on_an_index(files):
    tmp, docs = files
    v = tmp / "v.txt"
    assert _run("index", "build", tmp / "docs.jsonl", "-o", tmp / "ix", "-v", v, "-q")[0] == 0
    code, out = _run("index", "pairs", tmp / "ix", "-o", tmp / "p.jsonl", "-k", "2",
                     "--candidates", "99", "-v", v, "-q")
    assert code == 0, out
    lines = [json.loads(x) for x in (tmp / "p.jsonl").read_text().splitlines()]
    from simvec.keywords.topk import all_pairs_topk
    from simvec.vectors.formats import load_vectors

    kv = load_vectors(v, format="glove")
    exact = all_pairs_topk([d["id"] for d in docs[:100]], [d["keywords"] for d in docs[:100]],
                           kv, k=2, include_jaccard=False)
    top1 = [x["neighbors"][0]["id"] for x in lines]
    assert np.mean([a == exact.ids[b[0]] for a, b in zip(top1, exact.index)]) >= 0.97
    code, out = _run("index", "pairs", tmp / "ix", "-o", tmp / "p.jsonl", "--workers", "2",
                     "-v", v, "-q")
    assert code != 0 and "EMB.npy only" in out


@pytest.mark.parametrize("cmd", [["encode"], ["search"], ["index", "build"], ["index", "add"],
                                 ["index", "pairs"]], ids=" ".join)
def test_help_uses_the_shared_options(cmd):
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for opt in ("--vectors", "--format", "--quiet", "--threads"):
        assert opt in res.output, (cmd, opt)
    if cmd[-1] in ("encode", "build", "pairs"):
        assert "--output" in res.output and "--scheduler" in res.output
        assert "--dask-workers" in res.output
    if cmd[-1] in ("search", "pairs"):
        assert "--top-k" in res.output
    for old in ("--out ", "--workers "):
        assert old not in res.output  # hidden deprecated spellings


def test_encode_old_out_spelling_warns(files):
    tmp, _ = files
    res = runner.invoke(app, ["encode", str(tmp / "docs.jsonl"), "--out", str(tmp / "e.npy"),
                              "-v", str(tmp / "v.txt"), "-q"])
    assert res.exit_code == 0, res.output
    assert "--out is deprecated" in res.output and (tmp / "e.npy").is_file()
    res = runner.invoke(app, ["encode", str(tmp / "docs.jsonl"), "--out", str(tmp / "e.npy"),
                              "-o", str(tmp / "f.npy"), "-v", str(tmp / "v.txt"), "-q"])
    assert res.exit_code == 2 and "give only --output" in res.output
