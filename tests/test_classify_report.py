"""Tests of simvec.classify.report: metrics, text report, plots and atomic JSON/PNG writes."""

from __future__ import annotations

import doctest
import json
import os

import numpy as np
import pytest

from conftest import importorskip
from simvec.classify import report
from simvec.classify.report import (
    classification_metrics,
    format_metrics,
    plot_confusion_matrix,
    plot_histories,
    plot_history,
    write_json,
)
from simvec.errors import SimvecFileNotFoundError, SimvecValueError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# 3 classes, 8 texts; class "c" is never predicted.
#   true a: predicted a, a, b    true b: predicted b, a    true c: predicted b, b, a
Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 1, 1, 0, 1, 1, 0]
NAMES = ["a", "b", "c"]

HISTORY = {"loss": [0.69, 0.52, 0.41, 0.35], "accuracy": [0.52, 0.71, 0.80, 0.85],
           "val_loss": [0.60, 0.50, 0.47, 0.49], "val_accuracy": [0.66, 0.76, 0.79, 0.78]}


def _listing(folder):
    return sorted(os.listdir(folder))


def _check_png(path, min_bytes=5_000):
    mpimg = importorskip("matplotlib.image")
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > min_bytes
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[2] in (3, 4)
    assert img.shape[0] >= 200 and img.shape[1] >= 200
    # a blank canvas would be one colour: a real plot has many (each 8-bit RGB(A) pixel packed
    # into one integer: np.unique(..., axis=0) on the rows takes seconds)
    channels = np.round(np.asarray(img, dtype=np.float64) * 255).astype(np.uint32)
    packed = sum(channels[..., c] << (8 * c) for c in range(img.shape[2]))
    assert np.unique(packed).size > 10
    return img


# ------------------------------------------------------------------------------------ metrics
def test_metrics_hand_computed():
    m = classification_metrics(np.array(Y_TRUE), np.array(Y_PRED), NAMES)
    assert m["n"] == 8
    assert m["labels"] == NAMES
    assert m["accuracy"] == pytest.approx(3 / 8)
    assert m["confusion_matrix"] == [[2, 1, 0], [1, 1, 0], [1, 2, 0]]
    pc = m["per_class"]
    assert list(pc) == NAMES
    assert pc["a"]["precision"] == pytest.approx(2 / 4)
    assert pc["a"]["recall"] == pytest.approx(2 / 3)
    assert pc["a"]["f1"] == pytest.approx(4 / 7)
    assert pc["b"]["precision"] == pytest.approx(1 / 4)
    assert pc["b"]["recall"] == pytest.approx(1 / 2)
    assert pc["b"]["f1"] == pytest.approx(1 / 3)
    # never predicted: precision 0 (zero_division=0), not NaN and no warning needed
    assert pc["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}
    assert [pc[n]["support"] for n in NAMES] == [3, 2, 3]
    assert m["macro"]["precision"] == pytest.approx(0.25)
    assert m["macro"]["recall"] == pytest.approx(7 / 18)
    assert m["macro"]["f1"] == pytest.approx(19 / 63)
    assert m["weighted"]["precision"] == pytest.approx((3 * 0.5 + 2 * 0.25) / 8)
    assert m["weighted"]["recall"] == pytest.approx(3 / 8)
    assert m["weighted"]["f1"] == pytest.approx((3 * 4 / 7 + 2 / 3) / 8)


def test_metrics_json_serialisable_builtin_types():
    m = classification_metrics(np.array(Y_TRUE, dtype=np.int32), np.array(Y_PRED, dtype=np.uint8),
                               NAMES)
    assert json.loads(json.dumps(m)) == m  # plain json, no default= hook needed
    assert type(m["accuracy"]) is float and type(m["n"]) is int
    assert all(type(v) is int for row in m["confusion_matrix"] for v in row)
    assert type(m["per_class"]["a"]["support"]) is int
    assert type(m["macro"]["f1"]) is float


def test_metrics_class_absent_from_both_keeps_its_row_and_column():
    m = classification_metrics([0, 1, 1, 0], [0, 1, 0, 0], ["x", "y", "unused"])
    assert m["confusion_matrix"] == [[2, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert m["per_class"]["unused"]["support"] == 0
    assert m["per_class"]["x"]["precision"] == pytest.approx(2 / 3)
    assert m["macro"]["recall"] == pytest.approx((1 + 0.5 + 0) / 3)  # mean over all K classes


def test_metrics_perfect_and_float_indices():
    m = classification_metrics(np.array([0.0, 1.0, 2.0]), [0, 1, 2], NAMES)
    assert m["accuracy"] == 1.0
    assert m["macro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_metrics_length_mismatch():
    with pytest.raises(SimvecValueError, match=r"differ in length.*3.*2"):
        classification_metrics([0, 1, 2], [0, 1], NAMES)


def test_metrics_empty():
    with pytest.raises(SimvecValueError, match="empty"):
        classification_metrics([], [], NAMES)


def test_metrics_out_of_range_names_value_and_range():
    with pytest.raises(SimvecValueError, match=r"y_pred.*class index 3 .*position 2.*0\.\.2"):
        classification_metrics([0, 1, 2], [0, 1, 3], NAMES)
    with pytest.raises(SimvecValueError, match=r"y_true.*class index -1 .*0\.\.2"):
        classification_metrics([-1, 1, 2], [0, 1, 2], NAMES)


def test_metrics_other_bad_input():
    with pytest.raises(SimvecValueError, match="integer class indices"):
        classification_metrics([0, 1.5], [0, 1], NAMES)
    with pytest.raises(SimvecValueError, match="integer class indices"):
        classification_metrics(["a", "b"], [0, 1], NAMES)
    with pytest.raises(SimvecValueError, match="distinct"):
        classification_metrics([0, 1], [0, 1], ["a", "a"])
    with pytest.raises(SimvecValueError, match="label_names"):
        classification_metrics([0], [0], [])
    # SimvecValueError is also a ValueError
    with pytest.raises(ValueError):
        classification_metrics([0, 1], [0], NAMES)


def test_format_metrics_table():
    m = classification_metrics(Y_TRUE, Y_PRED, ["neg", "neutral", "pos"])
    text = format_metrics(m)
    lines = text.splitlines()
    assert lines[0].split() == ["class", "precision", "recall", "f1", "support"]
    table = lines[:lines.index("")]  # the metrics table ends at the blank line
    row = {ln.split()[0]: ln.split() for ln in table if ln.split()}
    assert row["neg"][1:] == ["0.5000", "0.6667", "0.5714", "3"]
    assert row["pos"][1:] == ["0.0000", "0.0000", "0.0000", "3"]
    macro = next(ln for ln in lines if ln.startswith("macro avg")).split()
    assert macro[2:] == ["0.2500", "0.3889", "0.3016", "8"]
    assert "accuracy 0.3750 on 8 texts" in text
    i = lines.index("confusion matrix (rows: true class, columns: predicted class)")
    assert lines[i + 1].split()[-3:] == ["neg", "neutral", "pos"]
    assert lines[i + 2].split() == ["neg", "2", "1", "0"]
    assert lines[i + 4].split() == ["pos", "1", "2", "0"]
    assert not text.endswith("\n")


def test_format_metrics_bad_dict():
    with pytest.raises(SimvecValueError, match="confusion_matrix"):
        format_metrics({k: v for k, v in classification_metrics(Y_TRUE, Y_PRED, NAMES).items()
                        if k != "confusion_matrix"})


# -------------------------------------------------------------------------------------- plots
def test_plot_history_png(tmp_path):
    importorskip("matplotlib")
    out = plot_history(HISTORY, tmp_path / "curves.png", title="IMDB, learned embeddings")
    assert out == tmp_path / "curves.png"
    img = _check_png(out)
    assert img.shape[1] > img.shape[0]  # two panels side by side
    assert _listing(tmp_path) == ["curves.png"]  # no temporary file left


def test_plot_history_training_only_and_old_keras_keys(tmp_path):
    importorskip("matplotlib")
    _check_png(plot_history({"loss": [0.7, 0.6, 0.5], "accuracy": [0.5, 0.6, 0.7]},
                            tmp_path / "train_only.png"))
    _check_png(plot_history({"loss": [0.7], "acc": [0.5], "val_loss": [0.6], "val_acc": [0.55]},
                            str(tmp_path / "one_epoch.png")))
    # loss only: one panel, narrower than the two-panel figure
    a = _check_png(plot_history({"loss": [0.7, 0.6]}, tmp_path / "loss_only.png"))
    b = _check_png(tmp_path / "train_only.png")
    assert a.shape[1] < b.shape[1]
    assert _listing(tmp_path) == ["loss_only.png", "one_epoch.png", "train_only.png"]


def test_plot_history_accepts_history_object(tmp_path):
    importorskip("matplotlib")

    class History:  # stands in for keras.callbacks.History
        history = HISTORY

    _check_png(plot_history(History(), tmp_path / "h.png"))


def test_plot_history_without_loss_raises_naming_keys(tmp_path):
    importorskip("matplotlib")
    with pytest.raises(SimvecValueError, match=r"'loss'.*\['accuracy', 'val_accuracy'\]"):
        plot_history({"accuracy": [0.5], "val_accuracy": [0.6]}, tmp_path / "x.png")
    with pytest.raises(SimvecValueError, match="no values"):
        plot_history({"loss": []}, tmp_path / "x.png")
    with pytest.raises(SimvecValueError, match="dict"):
        plot_history([0.5, 0.4], tmp_path / "x.png")
    assert _listing(tmp_path) == []


def test_plot_missing_folder(tmp_path):
    importorskip("matplotlib")
    with pytest.raises(SimvecFileNotFoundError, match="does not exist"):
        plot_history(HISTORY, tmp_path / "nope" / "x.png")


def test_plot_histories(tmp_path):
    importorskip("matplotlib")
    frozen = {"loss": [0.68, 0.60, 0.55], "accuracy": [0.55, 0.66, 0.71]}  # no validation
    out = plot_histories({"learned": HISTORY, "frozen GloVe": frozen}, tmp_path / "cmp.png",
                         title="learned vs frozen")
    _check_png(out)
    one = plot_histories({"learned": HISTORY}, tmp_path / "one.png", metric_names=("loss",))
    _check_png(one)
    assert _listing(tmp_path) == ["cmp.png", "one.png"]


def test_plot_histories_errors(tmp_path):
    importorskip("matplotlib")
    with pytest.raises(SimvecValueError, match="empty"):
        plot_histories({}, tmp_path / "x.png")
    with pytest.raises(SimvecValueError, match=r"'auc'.*\['accuracy', 'loss'"):
        plot_histories({"a": HISTORY}, tmp_path / "x.png", metric_names=("auc", "loss"))
    assert _listing(tmp_path) == []


def test_plot_confusion_matrix(tmp_path):
    importorskip("matplotlib")
    m = classification_metrics(Y_TRUE, Y_PRED, NAMES)
    counts = _check_png(plot_confusion_matrix(m["confusion_matrix"], NAMES, tmp_path / "cm.png"))
    frac = _check_png(plot_confusion_matrix(np.array(m["confusion_matrix"]), NAMES,
                                            tmp_path / "cm_norm.png", normalize=True,
                                            title="row-normalised"))
    assert counts.shape == frac.shape
    assert not np.array_equal(counts, frac)  # different numbers in the cells
    # an all-zero row does not divide by zero
    _check_png(plot_confusion_matrix([[3, 0], [0, 0]], ["x", "y"], tmp_path / "zero_row.png",
                                     normalize=True))
    assert _listing(tmp_path) == ["cm.png", "cm_norm.png", "zero_row.png"]


def test_plot_confusion_matrix_errors(tmp_path):
    importorskip("matplotlib")
    with pytest.raises(SimvecValueError, match="square"):
        plot_confusion_matrix([[1, 2, 3], [4, 5, 6]], ["a", "b"], tmp_path / "x.png")
    with pytest.raises(SimvecValueError, match="3 label names"):
        plot_confusion_matrix([[1, 2], [3, 4]], NAMES, tmp_path / "x.png")
    with pytest.raises(SimvecValueError, match="non-negative"):
        plot_confusion_matrix([[1, -2], [3, 4]], ["a", "b"], tmp_path / "x.png")
    assert _listing(tmp_path) == []


def test_failed_plot_leaves_existing_file_and_no_temp(tmp_path, monkeypatch):
    importorskip("matplotlib")
    from matplotlib.figure import Figure

    dest = tmp_path / "curves.png"
    dest.write_bytes(b"old contents")

    def broken_savefig(self, fh, **kw):
        fh.write(b"\x89PNG half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(RuntimeError, match="disk full"):
        plot_history(HISTORY, dest)
    assert dest.read_bytes() == b"old contents"
    assert _listing(tmp_path) == ["curves.png"]


# --------------------------------------------------------------------------------------- JSON
def test_write_json_roundtrips_numpy(tmp_path):
    obj = {"accuracy": np.float32(0.75), "n": np.int64(8), "ok": np.bool_(True),
           "matrix": np.array([[2, 1], [0, 3]], dtype=np.int32),
           "probs": np.array([0.25, 0.5]), "name": "résumé", "z": 1, "a": [np.int16(3)]}
    out = write_json(tmp_path / "report.json", obj)
    assert out == tmp_path / "report.json"
    back = json.loads(out.read_text(encoding="utf-8"))
    assert back == {"accuracy": 0.75, "n": 8, "ok": True, "matrix": [[2, 1], [0, 3]],
                    "probs": [0.25, 0.5], "name": "résumé", "z": 1, "a": [3]}
    assert list(back) == list(obj)  # insertion order kept, not sorted
    text = out.read_text(encoding="utf-8")
    assert text.startswith('{\n  "accuracy": 0.75')  # indent 2
    assert _listing(tmp_path) == ["report.json"]


def test_write_json_metrics_roundtrip_and_overwrite(tmp_path):
    m = classification_metrics(Y_TRUE, Y_PRED, NAMES)
    p = tmp_path / "m.json"
    write_json(p, {"old": True})
    write_json(p, m)
    assert json.loads(p.read_text()) == m
    assert format_metrics(json.loads(p.read_text())) == format_metrics(m)
    assert _listing(tmp_path) == ["m.json"]


def test_write_json_failure_leaves_existing_file(tmp_path):
    p = tmp_path / "report.json"
    p.write_text('{"keep": 1}\n')
    with pytest.raises(TypeError, match="set"):
        write_json(p, {"bad": {1, 2}})
    with pytest.raises(TypeError):
        write_json(p, {"bad": object()})
    assert p.read_text() == '{"keep": 1}\n'
    assert _listing(tmp_path) == ["report.json"]
    with pytest.raises(SimvecFileNotFoundError):
        write_json(tmp_path / "missing" / "r.json", {})


def test_write_failure_mid_write_removes_temp(tmp_path, monkeypatch):
    p = tmp_path / "r.json"
    p.write_text("old")

    def failing_replace(src, dst):
        raise OSError("rename failed")

    import simvec._util as util

    monkeypatch.setattr(util.os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        write_json(p, {"a": 1})
    assert p.read_text() == "old"
    assert _listing(tmp_path) == ["r.json"]


# ------------------------------------------------------------------------------ module hygiene
def test_public_api_and_docstring_examples(tmp_path, monkeypatch):
    assert set(report.__all__) == {"classification_metrics", "format_metrics", "plot_history",
                                   "plot_histories", "plot_confusion_matrix", "write_json"}
    assert report.__doc__ and all(getattr(report, n).__doc__ for n in report.__all__)
    importorskip("matplotlib")
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the examples' mkdtemp() lands here
    result = doctest.testmod(report, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0


@pytest.mark.fresh_interpreter(
    "import sys; import simvec.classify.report as r; "
    "print(sorted(m for m in ('matplotlib', 'matplotlib.pyplot', 'sklearn') if m in sys.modules))")
def test_import_has_no_side_effects(fresh_interpreter):
    assert fresh_interpreter.returncode == 0, fresh_interpreter.stderr
    assert fresh_interpreter.stdout.strip() == "[]"
