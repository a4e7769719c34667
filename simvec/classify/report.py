"""Reports for text classifiers: metrics, a confusion matrix, training-curve plots and JSON.

:func:`classification_metrics` computes accuracy, per-class and averaged precision/recall/F1 and
the confusion matrix with scikit-learn and returns them as a JSON-serialisable dict;
:func:`format_metrics` renders that dict as a plain-text table for terminals. :func:`plot_history`
and :func:`plot_histories` draw training-versus-validation accuracy and loss from Keras
``History.history`` dicts, :func:`plot_confusion_matrix` draws a heatmap, and :func:`write_json`
saves any report. Every file is written to a temporary file beside the destination and then
renamed with :func:`os.replace`, so a failure never leaves a half-written file.

scikit-learn and matplotlib are imported inside the functions that need them; plots use
:class:`matplotlib.figure.Figure` directly, so no pyplot state and no backend switch are involved.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import numpy as np

from simvec._util import atomic_write, import_optional
from simvec.errors import SimvecValueError

__all__ = [
    "classification_metrics",
    "format_metrics",
    "plot_history",
    "plot_histories",
    "plot_confusion_matrix",
    "write_json",
]

logger = logging.getLogger("simvec.classify.report")

_DPI = 100
_FIG_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
# Keras 1 and old tf.keras wrote "acc"/"val_acc"; Keras 2.3+ writes "accuracy"/"val_accuracy".
_ALIASES = {"accuracy": ("accuracy", "acc"), "acc": ("acc", "accuracy")}


# ------------------------------------------------------------------------------- atomic writes
def _write_file(path, writer, binary: bool) -> Path:
    """Call ``writer(fh)`` on a temporary file beside ``path``, then rename it onto ``path``
    (:func:`simvec._util.atomic_write`): on any error ``path`` is left as it was."""

    def write(fb):
        if binary:
            writer(fb)
            return
        fh = io.TextIOWrapper(fb, encoding="utf-8", newline="\n")
        writer(fh)
        fh.flush()
        fh.detach()

    atomic_write([(path, write)])
    return Path(path)


def _save_figure(fig, path) -> Path:
    fmt = _FIG_FORMATS.get(Path(path).suffix.lower(), "png")
    return _write_file(path, lambda fh: fig.savefig(fh, format=fmt, dpi=_DPI), binary=True)


# ------------------------------------------------------------------------------------- metrics
def _class_indices(y, name: str, k: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise SimvecValueError(f"`{name}` must be 1-D (one class index per text), got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise SimvecValueError(
            f"`{name}` must hold integer class indices, got dtype {arr.dtype}; map label names to "
            f"indices with label_names.index(name)")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SimvecValueError(
                f"`{name}` must hold integer class indices, got {arr[i]!r} at position {i}")
    out_of_range = (arr < 0) | (arr >= k)
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        v = arr[i].item()
        raise SimvecValueError(
            f"`{name}` holds class index {int(v) if float(v).is_integer() else v} at position {i}, "
            f"outside the valid range 0..{k - 1} (range({k}), one index per label name); "
            f"{int(out_of_range.sum())} value(s) out of range in all")
    return arr.astype(np.int64)


def _prf(precision, recall, f1) -> dict:
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def classification_metrics(y_true, y_pred, label_names) -> dict:
    """Accuracy, precision, recall, F1 and the confusion matrix of a classifier's predictions.

    Per-class and averaged scores come from :func:`sklearn.metrics.precision_recall_fscore_support`
    [1]_ and the matrix from :func:`sklearn.metrics.confusion_matrix` [2]_, both called with
    ``labels=range(K)`` so every class is reported, in label order, even one absent from both
    arrays. A score whose denominator is zero (a class never predicted has no precision, a class
    absent from ``y_true`` no recall) is 0 (``zero_division=0``), as in scikit-learn's
    ``classification_report``. ``"macro"`` is the unweighted mean over all ``K`` classes,
    ``"weighted"`` the mean weighted by support.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
        True class index of each text, in ``range(K)``.
    y_pred : array_like of int, shape (n,)
        Predicted class index of each text, in ``range(K)`` (e.g. ``probs.argmax(axis=1)``).
        Floats holding whole numbers are accepted.
    label_names : sequence of str, length K
        ``label_names[k]`` is the name of class ``k``; names must be distinct.

    Returns
    -------
    dict
        JSON-serialisable (built-in types only)::

            {"accuracy": float,                 # fraction of texts with y_pred == y_true
             "n": int,                          # number of texts
             "labels": [str, ...],              # label_names
             "macro": {"precision", "recall", "f1"},      # floats in [0, 1]
             "weighted": {"precision", "recall", "f1"},
             "per_class": {name: {"precision", "recall", "f1", "support"}},  # support: int
             "confusion_matrix": [[int, ...], ...]}       # K x K

        ``confusion_matrix[i][j]`` counts texts of true class ``i`` predicted as class ``j``
        (rows = true class, columns = predicted class).

    Raises
    ------
    SimvecValueError
        If ``y_true`` and ``y_pred`` differ in length, are empty or not 1-D, hold a value that is
        not an integer class index or lies outside ``range(K)``, or ``label_names`` is empty or
        holds a name twice.

    References
    ----------
    .. [1] scikit-learn, ``sklearn.metrics.precision_recall_fscore_support``.
       https://scikit-learn.org/stable/modules/generated/sklearn.metrics.precision_recall_fscore_support.html
    .. [2] scikit-learn, ``sklearn.metrics.confusion_matrix``.
       https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html

    Examples
    --------
    >>> m = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], ["neg", "pos"])
    >>> m["accuracy"], m["per_class"]["pos"]["precision"], m["confusion_matrix"]
    (0.75, 0.6666666666666666, [[1, 1], [0, 2]])
    """
    skm = import_optional("sklearn.metrics", package="scikit-learn", extra="classify",
                          needed_by="classification_metrics")

    names = [str(s) for s in label_names]
    k = len(names)
    if k == 0:
        raise SimvecValueError("`label_names` is empty; pass one name per class")
    if len(set(names)) != k:
        dup = sorted({s for s in names if names.count(s) > 1})
        raise SimvecValueError(f"`label_names` must be distinct, got {dup} more than once")
    n_true, n_pred = len(np.asarray(y_true).reshape(-1)), len(np.asarray(y_pred).reshape(-1))
    if n_true != n_pred:
        raise SimvecValueError(
            f"y_true and y_pred differ in length: {n_true} true labels, {n_pred} predictions")
    yt = _class_indices(y_true, "y_true", k)
    yp = _class_indices(y_pred, "y_pred", k)
    if yt.size == 0:
        raise SimvecValueError("y_true and y_pred are empty; there is nothing to score")

    labels = list(range(k))
    p, r, f, s = skm.precision_recall_fscore_support(yt, yp, labels=labels, average=None, zero_division=0)
    averaged = {}
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = skm.precision_recall_fscore_support(yt, yp, labels=labels, average=avg,
                                                        zero_division=0)
        averaged[avg] = _prf(ap, ar, af)
    cm = skm.confusion_matrix(yt, yp, labels=labels)
    return {
        "accuracy": float(skm.accuracy_score(yt, yp)),
        "n": int(yt.size),
        "labels": names,
        "macro": averaged["macro"],
        "weighted": averaged["weighted"],
        "per_class": {name: {**_prf(p[i], r[i], f[i]), "support": int(s[i])}
                      for i, name in enumerate(names)},
        "confusion_matrix": [[int(v) for v in row] for row in cm],
    }


def format_metrics(metrics: dict) -> str:
    """A plain-text report of :func:`classification_metrics` for terminals.

    Lays out, like scikit-learn's ``classification_report``: one row per class with precision,
    recall, F1 and support, the macro and weighted averages, the accuracy over ``n`` texts, then
    the confusion matrix with the true class down the rows and the predicted class across.

    Parameters
    ----------
    metrics : dict
        As returned by :func:`classification_metrics` (or read back from its JSON).

    Returns
    -------
    str
        Lines separated by ``"\\n"``, no trailing newline.

    Raises
    ------
    SimvecValueError
        If ``metrics`` lacks one of the keys :func:`classification_metrics` writes.

    Examples
    --------
    >>> m = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], ["neg", "pos"])
    >>> print(format_metrics(m).splitlines()[0])
    class         precision  recall      f1  support
    """
    need = ("accuracy", "n", "labels", "macro", "weighted", "per_class", "confusion_matrix")
    missing = [key for key in need if key not in metrics]
    if missing:
        raise SimvecValueError(
            f"metrics lacks key(s) {missing} (has {sorted(metrics)}); pass the dict returned by "
            f"classification_metrics")
    names = [str(s) for s in metrics["labels"]]
    w = max([len("weighted avg"), len("class")] + [len(s) for s in names])
    head = f"{'class':<{w}}  {'precision':>9}  {'recall':>6}  {'f1':>6}  {'support':>7}"
    lines = [head, "-" * len(head)]

    def row(label, d, support):
        return (f"{label:<{w}}  {d['precision']:>9.4f}  {d['recall']:>6.4f}  {d['f1']:>6.4f}  "
                f"{support:>7}")

    for name in names:
        d = metrics["per_class"][name]
        lines.append(row(name, d, int(d["support"])))
    lines.append("-" * len(head))
    n = int(metrics["n"])
    lines.append(row("macro avg", metrics["macro"], n))
    lines.append(row("weighted avg", metrics["weighted"], n))
    lines.append(f"accuracy {metrics['accuracy']:.4f} on {n} texts")
    lines.append("")
    cm = [[int(v) for v in r] for r in metrics["confusion_matrix"]]
    corner = "true \\ pred"
    rw = max(len(corner), *(len(s) for s in names))
    cw = max(max(len(s) for s in names), max((len(str(v)) for r in cm for v in r), default=1))
    lines.append("confusion matrix (rows: true class, columns: predicted class)")
    lines.append(f"{corner:<{rw}}  " + "  ".join(f"{s:>{cw}}" for s in names))
    for name, r in zip(names, cm):
        lines.append(f"{name:<{rw}}  " + "  ".join(f"{v:>{cw}}" for v in r))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------- plots
def _as_history(h, where: str) -> dict:
    h = getattr(h, "history", h)  # a keras.callbacks.History itself is accepted too
    if not isinstance(h, dict):
        raise SimvecValueError(
            f"{where} must be a dict of per-epoch lists like History.history, got {type(h).__name__}")
    return h


def _series(h: dict, name: str, where: str):
    """``(key, values as float array)`` of metric ``name`` in history ``h``, or ``(None, None)``."""
    for key in _ALIASES.get(name, (name,)):
        if key in h:
            vals = np.asarray(h[key], dtype=np.float64).reshape(-1)
            if vals.size == 0:
                raise SimvecValueError(f"{where}: {key!r} holds no values (no epoch was recorded)")
            return key, vals
    return None, None


def _val_series(h: dict, train_key: str, where: str, n_train: int):
    key, vals = _series(h, "val_" + train_key, where)
    if key is None and train_key in _ALIASES:  # "accuracy" with "val_acc", or the reverse
        for alt in _ALIASES[train_key]:
            key, vals = _series(h, "val_" + alt, where)
            if key is not None:
                break
    if key is not None and vals.size != n_train:
        logger.warning("%s: %r has %d values but %r has %d; plotted at epochs 1..%d",
                       where, key, vals.size, train_key, n_train, vals.size)
    return key, vals


def _epochs(vals) -> np.ndarray:
    return np.arange(1, vals.size + 1)


def _figure_class():
    """matplotlib's ``Figure`` (no pyplot: no display, no global state)."""
    figure = import_optional("matplotlib.figure", extra="classify", needed_by="simvec.classify plots")
    return figure.Figure


def _style_axis(ax, label: str, n_epochs: int) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.set_title(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if n_epochs == 1:
        ax.set_xlim(0.5, 1.5)
    ax.grid(True, alpha=0.3)
    ax.legend()


def plot_history(history: dict, path, title: str | None = None) -> Path:
    """Plot training and validation accuracy and loss per epoch, as in Chollet's figures.

    Two panels side by side, accuracy (when recorded) then loss, against the 1-based epoch;
    training values are drawn as dots and validation values as a solid line, the style of the
    Keras tutorial "Text classification from scratch" [1]_ and of *Deep Learning with Python*
    [2]_. Without ``val_*`` keys only the training values are drawn.

    Parameters
    ----------
    history : dict of str to sequence of float
        A Keras ``History.history`` dict (or the ``History`` object): ``{"loss": [...],
        "accuracy": [...], "val_loss": [...], "val_accuracy": [...]}``, one value per epoch.
        ``"acc"``/``"val_acc"`` (older Keras) are read as accuracy. ``"loss"`` is required; other
        keys are ignored.
    path : str or Path
        Destination; PNG at 100 dpi, or PDF/SVG when the suffix is ``.pdf``/``.svg``. Its folder
        must exist. Written atomically (temporary file, then :func:`os.replace`).
    title : str, optional
        Figure title (suptitle).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SimvecValueError
        If ``history`` has no ``"loss"`` (the message names the keys it has) or a series is empty.
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist.

    References
    ----------
    .. [1] Chollet, F. "Text classification from scratch", Keras code examples.
       https://keras.io/examples/nlp/text_classification_from_scratch/
    .. [2] Chollet, F. (2021). *Deep Learning with Python*, 2nd ed., Manning; section 4.1
       (IMDB), figures of training and validation loss and accuracy.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> h = {"loss": [0.7, 0.5, 0.4], "accuracy": [0.5, 0.7, 0.8], "val_loss": [0.6, 0.5, 0.5]}
    >>> out = plot_history(h, pathlib.Path(tempfile.mkdtemp()) / "curves.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    Figure = _figure_class()

    h = _as_history(history, "history")
    if "loss" not in h:
        raise SimvecValueError(
            f"history has no 'loss' key (has {sorted(h)}); pass History.history from model.fit")
    panels = []
    for name, label in (("accuracy", "accuracy"), ("loss", "loss")):
        key, vals = _series(h, name, "history")
        if key is not None:
            panels.append((key, vals, label))
    fig = Figure(figsize=(5.5 * len(panels), 4.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (key, vals, label) in zip(axes, panels):
        ax.plot(_epochs(vals), vals, "o", color="C0", label=f"training {label}")
        vkey, vvals = _val_series(h, key, "history", vals.size)
        if vkey is not None:
            ax.plot(_epochs(vvals), vvals, "-", color="C0", label=f"validation {label}")
        _style_axis(ax, label, max(vals.size, 0 if vvals is None else vvals.size))
    if title:
        fig.suptitle(title)
    return _save_figure(fig, path)


def plot_histories(histories: dict, path, title: str | None = None,
                   metric_names=("accuracy", "loss")) -> Path:
    """Compare the training curves of several runs on shared panels.

    One panel per name in ``metric_names``, against the 1-based epoch; each run gets one colour
    (matplotlib's ``C0``, ``C1``, ... cycle), training drawn solid and validation dashed, so e.g.
    a model with learned embeddings can be set against one with frozen GloVe vectors.

    Parameters
    ----------
    histories : dict of str to dict
        ``{run name: History.history}`` (or ``History`` objects), in legend order, e.g.
        ``{"learned": h1, "frozen GloVe": h2}``.
    path : str or Path
        Destination; PNG at 100 dpi, or PDF/SVG by suffix; written atomically.
    title : str, optional
        Figure title.
    metric_names : sequence of str, default ("accuracy", "loss")
        Training keys to plot, one panel each; ``"val_" + name`` is the validation series.
        ``"acc"`` and ``"accuracy"`` stand for each other. A run lacking a metric is left out of
        that panel.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SimvecValueError
        If ``histories`` or ``metric_names`` is empty, a history is not a dict, or no run records
        one of ``metric_names`` (the message names the keys the runs have).
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist.

    References
    ----------
    .. [1] Chollet, F. (2021). *Deep Learning with Python*, 2nd ed., Manning; chapter 11 compares
       learned embeddings with pretrained GloVe embeddings on IMDB.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> runs = {"a": {"loss": [0.7, 0.5], "accuracy": [0.5, 0.7]},
    ...         "b": {"loss": [0.6, 0.4], "accuracy": [0.6, 0.8], "val_loss": [0.6, 0.5]}}
    >>> plot_histories(runs, pathlib.Path(tempfile.mkdtemp()) / "cmp.png").stat().st_size > 0
    True
    """
    Figure = _figure_class()

    if not histories:
        raise SimvecValueError("`histories` is empty; pass {run name: History.history}")
    metric_names = [str(m) for m in metric_names]
    if not metric_names:
        raise SimvecValueError("`metric_names` is empty; pass e.g. ('accuracy', 'loss')")
    runs = {str(name): _as_history(h, f"histories[{name!r}]") for name, h in histories.items()}
    for metric in metric_names:
        if all(_series(h, metric, f"histories[{n!r}]")[0] is None for n, h in runs.items()):
            keys = sorted({key for h in runs.values() for key in h})
            raise SimvecValueError(
                f"no run in `histories` records {metric!r}; their keys are {keys}")
    fig = Figure(figsize=(5.5 * len(metric_names), 4.2), layout="constrained")
    axes = fig.subplots(1, len(metric_names), squeeze=False)[0]
    for ax, metric in zip(axes, metric_names):
        n_epochs = 0
        for i, (run, h) in enumerate(runs.items()):
            where = f"histories[{run!r}]"
            key, vals = _series(h, metric, where)
            if key is None:
                continue
            colour = f"C{i % 10}"
            ax.plot(_epochs(vals), vals, "-", color=colour, marker=".", label=f"{run} (training)")
            n_epochs = max(n_epochs, vals.size)
            vkey, vvals = _val_series(h, key, where, vals.size)
            if vkey is not None:
                ax.plot(_epochs(vvals), vvals, "--", color=colour, label=f"{run} (validation)")
                n_epochs = max(n_epochs, vvals.size)
        _style_axis(ax, metric, n_epochs)
    if title:
        fig.suptitle(title)
    return _save_figure(fig, path)


def plot_confusion_matrix(matrix, label_names, path, normalize: bool = False,
                          title: str | None = None) -> Path:
    """Draw a confusion matrix as a heatmap with the value written in each cell.

    Rows are the true class and columns the predicted class, as returned by
    :func:`sklearn.metrics.confusion_matrix` [1]_ and :func:`classification_metrics`; the layout
    follows scikit-learn's ``ConfusionMatrixDisplay``.

    Parameters
    ----------
    matrix : array_like, shape (K, K)
        Non-negative counts, ``matrix[i][j]`` = texts of true class ``i`` predicted as ``j``
        (e.g. ``metrics["confusion_matrix"]``).
    label_names : sequence of str, length K
        Class names, in index order.
    path : str or Path
        Destination; PNG at 100 dpi, or PDF/SVG by suffix; written atomically.
    normalize : bool, default False
        Show each row divided by its sum (the recall of each class on the diagonal), as fractions
        with two decimals; a row summing to 0 stays 0. Otherwise show the counts.
    title : str, optional
        Axes title; default ``"confusion matrix"`` (``"(row-normalised)"`` added when
        ``normalize``).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SimvecValueError
        If ``matrix`` is not square, its size differs from ``len(label_names)``, or it holds a
        negative or non-finite value.
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist.

    References
    ----------
    .. [1] scikit-learn, ``sklearn.metrics.confusion_matrix`` and
       ``sklearn.metrics.ConfusionMatrixDisplay``.
       https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = plot_confusion_matrix([[5, 1], [2, 7]], ["neg", "pos"],
    ...                             pathlib.Path(tempfile.mkdtemp()) / "cm.png", normalize=True)
    >>> out.suffix
    '.png'
    """
    Figure = _figure_class()

    m = np.asarray(matrix, dtype=np.float64)
    names = [str(s) for s in label_names]
    k = len(names)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise SimvecValueError(f"`matrix` must be square (K, K), got shape {m.shape}")
    if m.shape[0] != k:
        raise SimvecValueError(
            f"`matrix` is {m.shape[0]} x {m.shape[1]} but there are {k} label names {names}")
    if k == 0:
        raise SimvecValueError("`matrix` is empty; pass at least one class")
    if not np.isfinite(m).all() or (m < 0).any():
        raise SimvecValueError("`matrix` must hold non-negative finite counts")
    if normalize:
        sums = m.sum(axis=1, keepdims=True)
        shown = np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)
        cells = [[f"{v:.2f}" for v in r] for r in shown]
    else:
        shown = m
        cells = [[f"{int(v)}" if float(v).is_integer() else f"{v:.3g}" for v in r] for r in m]

    side = max(4.0, 0.6 * k + 2.5)
    fig = Figure(figsize=(side + 1.0, side), layout="constrained")
    ax = fig.subplots()
    vmax = 1.0 if normalize else max(float(shown.max()), 1.0)
    im = ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=vmax, interpolation="nearest")
    fig.colorbar(im, ax=ax, label="fraction of true class" if normalize else "texts")
    font = max(6, 12 - k // 3)
    for i in range(k):
        for j in range(k):
            dark = shown[i, j] > 0.5 * vmax
            ax.text(j, i, cells[i][j], ha="center", va="center", fontsize=font,
                    color="white" if dark else "black")
    ax.set_xticks(range(k), labels=names, rotation=45 if max(map(len, names)) > 4 else 0,
                  ha="right" if max(map(len, names)) > 4 else "center")
    ax.set_yticks(range(k), labels=names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or ("confusion matrix (row-normalised)" if normalize else "confusion matrix"))
    return _save_figure(fig, path)


# ---------------------------------------------------------------------------------------- JSON
def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"object of type {type(obj).__name__} is not JSON serializable: {obj!r}")


def write_json(path, obj) -> Path:
    """Write ``obj`` as indented JSON, atomically.

    numpy scalars become ``int``/``float``/``bool`` and numpy arrays nested lists (``tolist``),
    :class:`pathlib.Path` becomes ``str``; keys keep their insertion order (``sort_keys=False``),
    non-ASCII text is written as UTF-8. ``obj`` is serialised in memory first, then written to a
    temporary file beside ``path`` and renamed onto it with :func:`os.replace`, so an error leaves
    an existing ``path`` untouched and no temporary file behind.

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    obj : object
        Built-in JSON types, numpy scalars and arrays, nested freely.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TypeError
        If ``obj`` holds something JSON cannot represent (from :func:`json.dumps`).
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = write_json(pathlib.Path(tempfile.mkdtemp()) / "m.json", {"acc": np.float32(0.5)})
    >>> json.loads(p.read_text())
    {'acc': 0.5}
    """
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False, default=_json_default)
    return _write_file(path, lambda fh: fh.write(text + "\n"), binary=False)
