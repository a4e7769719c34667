"""Checks of a saved Word2Vec model / checkpoint folder (``model.json``, ``syn0.npy``,
``syn1neg.npy``): the metadata checksum, the state's fields, and the matrices read from their
``.npy`` headers with the shape checked before anything is allocated.

Private to :mod:`simvec.word2vec` (used by :meth:`simvec.word2vec.Word2Vec.load`).
"""

from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import numpy as np

from simvec._util import read_npy_header
from simvec.errors import SimvecValueError, VectorFormatError

__all__ = ["meta_crc", "read_matrix", "check_state"]


def meta_crc(meta: dict) -> str:
    """CRC32 of the canonical JSON of config, state and vocabulary (what the matrices' CRCs
    do not cover), so that a damaged or edited model.json is refused rather than trusted."""
    body = {k: meta.get(k) for k in ("config", "state", "vocab")}
    text = json.dumps(body, sort_keys=True, ensure_ascii=True, allow_nan=True)
    return f"{zlib.crc32(text.encode('ascii')):08x}"


def read_matrix(path: Path, shape: tuple) -> np.ndarray:
    """A float32 ``.npy`` matrix of exactly ``shape`` (checked against the header and the file
    size before anything is allocated); VectorFormatError naming the file otherwise."""
    hshape, fortran, dtype, offset, size = read_npy_header(path)
    if dtype != np.dtype(np.float32) or fortran or hshape != tuple(shape):
        raise VectorFormatError(
            f"holds a {'Fortran-order ' if fortran else ''}{dtype} array of shape "
            f"{hshape}; model.json implies float32 {tuple(shape)}", str(path))
    need = offset + 4 * math.prod(shape)
    if size != need:
        raise VectorFormatError(
            f"has {size} bytes but a float32 {tuple(shape)} array needs {need}; the "
            "file is truncated or damaged", str(path))
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            out = np.fromfile(f, dtype=np.float32, count=math.prod(shape))
    except OSError as exc:
        raise VectorFormatError(f"not a valid .npy file ({type(exc).__name__}: {exc})",
                                str(path)) from None
    return out.reshape(shape)


def check_state(st, n_epochs_cfg: int) -> dict:
    """The ``state`` of model.json with every field's type and range checked."""
    if not isinstance(st, dict):
        raise SimvecValueError(f"state must be a JSON object, got {type(st).__name__}")

    def intfield(key, lo, hi=2**62, default=None):
        v = st.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise SimvecValueError(f"state.{key} must be an integer in [{lo}, {hi}], got {v!r:.60}")
        return v

    def numfield(key, default=None):
        v = st.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v < 0:
            raise SimvecValueError(f"state.{key} must be a finite number >= 0, got {v!r:.60}")
        return float(v)

    out = {"schedule": intfield("schedule", 1, max(n_epochs_cfg, 10_000))}
    out["epoch"] = intfield("epoch", 0, out["schedule"])
    out["job"] = intfield("job", 0)
    out["epochs_total"] = intfield("epochs_total", out["epoch"])
    out["running_examples"] = intfield("running_examples", 0, default=0)
    out["running_training_loss"] = numfield("running_training_loss")
    out["train_seconds"] = numfield("train_seconds", 0.0)
    hist = st.get("loss_history")
    if not isinstance(hist, list) or len(hist) > out["epochs_total"]:
        raise SimvecValueError("state.loss_history must be a list of at most state.epochs_total "
                               "numbers")
    for i, v in enumerate(hist):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise SimvecValueError(f"state.loss_history[{i}] must be a finite number, got {v!r:.60}")
    out["loss_history"] = [float(v) for v in hist]
    if out["epoch"] == out["schedule"] and out["job"]:
        raise SimvecValueError("state.job must be 0 once the schedule is finished")
    return out
