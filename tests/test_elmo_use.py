"""ELMo in use: keyword similarity (alone / in context), `simvec similar --model elmo:`, `simvec elmo embed`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import data_path, importorskip

torch = importorskip("torch")
h5py = importorskip("h5py")

from simvec.cli.app import app  # noqa: E402
from simvec.elmo.embedder import ElmoEmbedder  # noqa: E402
from simvec.elmo.keywords import elmo_keyword_similarity, keyword_vectors  # noqa: E402
from simvec.errors import SimvecValueError  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def paths():
    return data_path("elmo", "fixture", "options.json"), data_path("elmo", "fixture", "lm_weights.hdf5")


@pytest.fixture(scope="module")
def emb(paths):
    return ElmoEmbedder(*paths, device="cpu", num_threads=1)


def test_keyword_vector_alone_is_mean_of_its_tokens(emb):
    vecs, found = keyword_vectors(["machine learning", "学习"], emb)
    assert vecs.shape == (2, 32) and vecs.dtype == np.float32 and found == [False, False]
    tokens = emb.embed([["machine", "learning"]])[0]
    np.testing.assert_allclose(vecs[0], tokens.mean(0), atol=1e-6)


def test_keyword_in_context_uses_its_occurrences(emb):
    ctx = "We used Machine Learning for the river bank data ."
    vecs, found = keyword_vectors(["machine learning", "bank", "zebra"], emb, context=ctx)
    assert found == [True, True, False]
    full = emb.embed([ctx.split()])[0]
    np.testing.assert_allclose(vecs[0], full[2:4].mean(0), atol=1e-6)
    np.testing.assert_allclose(vecs[1], full[7], atol=1e-6)
    alone, _ = keyword_vectors(["bank"], emb)
    assert np.abs(alone[0] - vecs[1]).max() > 1e-3  # context changes the vector


def test_elmo_keyword_similarity_beside_jaccard(emb):
    same = elmo_keyword_similarity("river, bank", ["bank", "river"], emb)
    assert same.jaccard == 1.0 and same.score == pytest.approx(1.0, abs=1e-5)
    r = elmo_keyword_similarity("机器学习, 数据", "深度学习", emb, method="best_match",
                                context_a="我们 用 机器学习 处理 数据", context_b="没有")
    assert r.jaccard == 0.0 and r.score == pytest.approx(0.892147, abs=1e-5)  # measured
    assert r.not_in_context == ["深度学习"]
    assert [m.keyword for m in r.alignment["a"]] == ["机器学习", "数据"]
    with pytest.raises(SimvecValueError, match="keyword list b is empty"):
        elmo_keyword_similarity("a", " , ", emb)


def test_cli_similar_with_elmo_model(paths):
    spec = f"elmo:{paths[0]},{paths[1]}"
    res = runner.invoke(app, ["similar", "river, bank", "bank, river", "--model", spec,
                              "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    # each keyword is embedded inside its list: "river" first and "river" after "bank ," differ
    assert out["jaccard"] == 1.0 and out["mean_cosine"] == pytest.approx(0.99533, abs=1e-4)
    assert out["encoder"] == "elmo" and out["method"] == "hybrid"
    bad = runner.invoke(app, ["similar", "a", "b", "--model", "elmo:only-one.json"])
    assert bad.exit_code == 2 and "two paths" in bad.output


def test_cli_elmo_embed_npy_and_h5(paths, tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("the cat sat\n\n学习 is fun today\n", encoding="utf-8")
    common = ["elmo", "embed", str(src), "--options", str(paths[0]), "--weights", str(paths[1]),
              "--threads", "1", "--quiet"]
    res = runner.invoke(app, common + ["--output", "default", "-o", str(tmp_path / "d.npy")])
    assert res.exit_code == 0, res.output
    d = np.load(tmp_path / "d.npy")
    assert d.shape == (2, 32)
    res = runner.invoke(app, common + ["-o", str(tmp_path / "e.npy")])
    e = np.load(tmp_path / "e.npy")
    assert e.shape == (2, 4, 32) and not e[0, 3:].any()
    np.testing.assert_allclose(d[1], e[1].mean(0), atol=1e-5)  # default = mean of elmo
    res = runner.invoke(app, common + ["--output", "lstm_outputs2", "-o", str(tmp_path / "l.h5")])
    assert res.exit_code == 0, res.output
    with h5py.File(tmp_path / "l.h5", "r") as f:
        assert f["0"].shape == (3, 32) and f["1"].shape == (4, 32)
    res = runner.invoke(app, common + ["--output", "nope", "-o", str(tmp_path / "x.npy")])
    assert res.exit_code == 2 and "output must be one of" in res.output
    assert not (tmp_path / "x.npy").exists()
