"""``simvec plot words`` and ``simvec serve``'s flag checks (tiny vectors; no server is run)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.serve.projection import project_words
from simvec.vectors.keyed import KeyedVectors

WORDS = ["king", "queen", "man", "woman", "paris", "france", "cat", "dog"]


@pytest.fixture(scope="module")
def vec_file(tmp_path_factory):
    rng = np.random.default_rng(5)
    kv = KeyedVectors(rng.normal(size=(len(WORDS), 6)).astype(np.float32), WORDS)
    path = tmp_path_factory.mktemp("vec") / "tiny.txt"
    kv.save(path, format="word2vec")
    return path, kv


def test_plot_words_writes_a_png(vec_file, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    path, _ = vec_file
    out = tmp_path / "map.png"
    r = CliRunner().invoke(app, ["plot", "words", "king", "queen", "cat", "dog", "zzz",
                                 "-o", str(out), "--vectors", str(path)])
    assert r.exit_code == 0, r.output
    assert "4 words" in r.output and "zzz" in r.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert not list(tmp_path.glob(".map.png*"))  # no temporary file left


@pytest.mark.parametrize("args, message", [
    (["king", "zzz"], "at least 2 distinct words"),
    (["king", "queen", "--method", "mds"], "--method must be one of pca, tsne, umap"),
    (["king", "queen", "-o", "map.jpg"], "--output must end in .png"),
    (["king", "queen", "-o", "no/such/dir/map.png"], "does not exist"),
])
def test_plot_words_rejects_bad_input(vec_file, tmp_path, monkeypatch, args, message):
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    path, _ = vec_file
    r = CliRunner().invoke(app, ["plot", "words", *args, "--vectors", str(path)])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output


def test_projections_separate_what_the_vectors_separate():
    pytest.importorskip("sklearn")
    # two tight clusters far apart: PCA keeps them apart
    vecs = np.array([[1, 0, 0], [0.98, 0.05, 0], [0.97, 0, 0.05],
                     [0, 1, 0], [0.05, 0.98, 0], [0, 0.97, 0.05]], np.float32)
    kv = KeyedVectors(vecs, ["a1", "a2", "a3", "b1", "b2", "b3"])
    p = project_words(kv, kv.index_to_key + ["zzz", "a1"], "pca")
    assert p.words == kv.index_to_key and p.oov == ["zzz"]
    assert p.coords.shape == (6, 2) and np.isfinite(p.coords).all()
    ca, cb = p.coords[:3].mean(0), p.coords[3:].mean(0)
    spread = max(np.linalg.norm(p.coords[:3] - ca, axis=1).max(),
                 np.linalg.norm(p.coords[3:] - cb, axis=1).max())
    assert np.linalg.norm(ca - cb) > 5 * spread
    with pytest.raises(ValueError, match="tsne needs at least 3"):
        project_words(kv, ["a1", "b1"], "tsne")
    with pytest.raises(ValueError, match="method must be one of"):
        project_words(kv, ["a1", "b1"], "mds")


@pytest.mark.slow  # scikit-learn's t-SNE: 4-17 s for six points on the loaded 2-core machine
def test_tsne_map_from_the_cli(vec_file, tmp_path):
    pytest.importorskip("sklearn")
    path, _ = vec_file
    out = tmp_path / "tsne.png"
    r = CliRunner().invoke(app, ["plot", "words", *WORDS, "--method", "tsne", "-o", str(out),
                                 "--vectors", str(path)])
    assert r.exit_code == 0, r.output
    assert "tsne map of 8 words" in r.output and out.read_bytes()[:4] == b"\x89PNG"


def test_serve_rejects_bad_flags_before_loading(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    r = CliRunner().invoke(app, ["serve", "--collection", str(tmp_path / "none.jsonl")])
    assert r.exit_code == 2 and "--collection" in r.output and "none.jsonl" in r.output
    r = CliRunner().invoke(app, ["serve", "--max-keywords", "0"])
    assert r.exit_code == 2 and "--max-keywords must be a positive" in r.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "keywords": ["x"]}\n{"id": "a", "keywords": ["y"]}\n')
    r = CliRunner().invoke(app, ["serve", "--collection", str(bad)])
    assert r.exit_code == 2 and "bad.jsonl" in r.output and "Traceback" not in r.output


def test_serve_help_shows_the_defaults():
    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0
    for flag in ("--host", "127.0.0.1", "--collection", "--cors-origin", "--time-limit",
                 "--max-body-bytes"):
        assert flag in r.output, flag


def test_app_from_env_builds_the_app_workers_run(vec_file, tmp_path, monkeypatch):
    pytest.importorskip("fastapi")
    import json

    from fastapi.testclient import TestClient

    from simvec.serve.app import CONFIG_ENV, app_from_env

    path, _ = vec_file
    coll = tmp_path / "c.jsonl"
    coll.write_text('{"id": "x", "keywords": ["cat"]}\n{"id": "y", "keywords": ["paris"]}\n')
    monkeypatch.setenv(CONFIG_ENV, json.dumps({
        "vectors": str(path), "collection": str(coll), "limits": {"max_top_k": 7}}))
    with TestClient(app_from_env()) as c:
        info = c.get("/info").json()
        assert info["count"] == len(WORDS) and info["limits"]["max_top_k"] == 7
        assert info["collection"]["documents"] == 2
        hits = c.post("/search", json={"queries": [["dog"]], "k": 2}).json()["results"][0]
        assert sorted(h["id"] for h in hits["neighbors"]) == ["x", "y"]
    monkeypatch.setenv(CONFIG_ENV, "{not json")
    with pytest.raises(ValueError, match="SIMVEC_SERVE_CONFIG is not valid JSON"):
        app_from_env()
    monkeypatch.delenv(CONFIG_ENV)
    with pytest.raises(ValueError, match="'vectors' field"):
        app_from_env()


def test_convert_to_tensorboard_writes_the_projector_files(vec_file, tmp_path):
    path, kv = vec_file
    out = tmp_path / "proj"
    r = CliRunner().invoke(app, ["convert", str(path), str(out), "--to", "tensorboard",
                                 "--limit", "5"])
    assert r.exit_code == 0, r.output
    rows = [line.split("\t") for line in (out / "vectors.tsv").read_text().splitlines()]
    assert len(rows) == 5 and all(len(row) == 6 for row in rows)
    np.testing.assert_allclose(np.array(rows, dtype=np.float32), kv.vectors[:5], rtol=1e-5)
    assert (out / "metadata.tsv").read_text().splitlines() == WORDS[:5]
    assert 'tensor_path: "vectors.tsv"' in (out / "projector_config.pbtxt").read_text()
    r = CliRunner().invoke(app, ["convert", str(path), str(tmp_path / "no" / "dir"),
                                 "--to", "tensorboard"])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_projector_files_keep_rows_aligned_with_odd_keys(tmp_path):
    from simvec.serve.projection import write_projector_files

    kv = KeyedVectors(np.eye(3, dtype=np.float32), ["a\tb", "c\nd", "e\\f"])
    write_projector_files(kv, tmp_path / "p")
    assert (tmp_path / "p" / "metadata.tsv").read_text().splitlines() == [
        "a\\tb", "c\\nd", "e\\\\f"]
    with pytest.raises(ValueError, match="limit must be a positive integer"):
        write_projector_files(kv, tmp_path / "q", limit=0)
