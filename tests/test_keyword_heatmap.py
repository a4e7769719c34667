"""Keyword-by-keyword cosine heat maps: simvec.serve.projection.keyword_heatmap /
plot_keyword_heatmap and ``simvec similar A B --plot FILE.png``, on GloVe 6B 50d."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from typer.testing import CliRunner

import simvec.cli.app as cli_app
from simvec.cli.app import app
from simvec.errors import SimvecValueError
from simvec.keywords.pair import keyword_similarity
from simvec.serve.projection import heatmap_figsize, keyword_heatmap, plot_keyword_heatmap

AI = "machine learning, neural network"
OTHERS = "neural network, football, deep learning, artificial intelligence"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_heatmap_cells_are_the_keyword_cosines_best_match_aligns(glove50):
    hm = keyword_heatmap(AI + ", qqzzxq", OTHERS, glove50)
    assert hm.rows == ["machine learning", "neural network"] and hm.oov_a == ["qqzzxq"]
    assert hm.cols == ["neural network", "football", "deep learning", "artificial intelligence"]
    # measured on GloVe 6B 50d
    np.testing.assert_allclose(hm.cosine, [[0.633952, 0.309252, 0.782601, 0.640141],
                                           [1.0, 0.144146, 0.598498, 0.658841]], atol=1e-5)
    assert hm.best_col.tolist() == [2, 0] and hm.best_row.tolist() == [1, 0, 0, 1]
    al = keyword_similarity(AI, OTHERS, glove50, method="best_match").alignment
    np.testing.assert_allclose(hm.cosine.max(axis=1), [m.cosine for m in al["a"]], atol=1e-6)
    assert [hm.cols[j] for j in hm.best_col] == [m.partner for m in al["a"]]


def test_heatmap_needs_a_keyword_with_a_vector_on_each_side(glove50):
    with pytest.raises(SimvecValueError, match="no keyword of list b is in the vocabulary"):
        keyword_heatmap(AI, "qqzzxq, wwvvkkq", glove50)
    with pytest.raises(SimvecValueError, match="keyword list a is empty"):
        keyword_heatmap(" , ", AI, glove50)


def test_plot_is_a_png_shaped_like_the_lists(glove50, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    wide = keyword_heatmap("cat", "dog, car, cow, pig", glove50)  # 1 x 4, short labels
    tall = keyword_heatmap("dog, car, cow, pig", "cat", glove50)  # 4 x 1
    sizes = {}
    for name, hm in (("wide", wide), ("tall", tall)):
        out = tmp_path / f"{name}.png"
        w, h = plot_keyword_heatmap(hm, out, dpi=100)
        assert _png_size(out) == (w, h)
        fig_w, fig_h = heatmap_figsize(len(hm.rows), len(hm.cols), max(map(len, hm.rows)),
                                       max(map(len, hm.cols)))
        assert w == pytest.approx(fig_w * 100, abs=1) and h == pytest.approx(fig_h * 100, abs=1)
        img = matplotlib.image.imread(out)  # decodes: a valid PNG
        assert img.shape[:2] == (h, w) and img.std() > 0.05  # not blank
        sizes[name] = (w, h)
    assert sizes["wide"][0] / sizes["wide"][1] > 2.5  # four columns: wider than tall
    assert sizes["tall"][0] / sizes["tall"][1] < 0.8  # four rows: taller than wide
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_plot_into_a_missing_folder_writes_nothing(glove50, tmp_path):
    pytest.importorskip("matplotlib")
    hm = keyword_heatmap(AI, OTHERS, glove50)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_keyword_heatmap(hm, tmp_path / "no" / "map.png")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ the CLI

runner = CliRunner()


@pytest.fixture
def loads(monkeypatch, glove50):
    """Patch the CLI's vector loading: the session's GloVe, and a count of the loads."""
    calls = []

    def load(*args, **kwargs):
        calls.append(args)
        return glove50

    monkeypatch.setattr(cli_app, "_load", load)
    return calls


def test_similar_plot_writes_the_heat_map_beside_the_report(loads, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "heat.png"
    res = runner.invoke(app, ["similar", AI, OTHERS, "--plot", str(out), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert f"wrote a 2 x 4 keyword heat map to {out}" in res.stderr
    report = json.loads(res.stdout)  # stdout is still the report alone
    assert report["alignment_level"] == "token"
    w, h = _png_size(out)
    fig_w, fig_h = heatmap_figsize(2, 4, len("machine learning"), len("artificial intelligence"))
    assert w == pytest.approx(fig_w * 120, abs=1) and h == pytest.approx(fig_h * 120, abs=1)
    assert [p.name for p in tmp_path.iterdir()] == ["heat.png"]


@pytest.mark.parametrize("args, message", [
    (["--plot", "heat.jpg"], "simvec: error: --plot must end in .png, got heat.jpg"),
    (["--plot", "no/such/heat.png"], "simvec: error: --plot no/such/heat.png: folder no/such "
                                     "does not exist"),
    (["--plot", "folder.png"], "simvec: error: --plot folder.png: this is a folder"),
    (["--plot", "heat.png", "--model", "elmo:o.json,w.hdf5"],
     "simvec: error: --plot needs static word vectors (--vectors)"),
])
def test_similar_plot_bad_paths_fail_before_the_vectors_load(args, message, loads, tmp_path,
                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.png").mkdir()
    res = runner.invoke(app, ["similar", AI, OTHERS, *args])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(message) and len(res.stderr.strip().splitlines()) == 1
    assert loads == [] and res.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.png"]


def test_similar_plot_of_an_all_oov_side_prints_nothing(loads, tmp_path):
    out = tmp_path / "heat.png"
    res = runner.invoke(app, ["similar", AI, "qqzzxq", "--plot", str(out)])
    assert res.exit_code == 2
    assert res.stderr.strip() == ("simvec: error: --plot: no keyword of list b is in the "
                                  "vocabulary, so there is no heat map to draw")
    assert res.stdout == "" and not out.exists()
