"""simvec's native vector format: ``BASE.npy`` (float32 matrix) with a JSON sidecar ``BASE.json``.

The sidecar holds the keys (``index_to_key``), ``count``, ``vector_size``, ``format_version``, a
fingerprint of the matrix and the ``source``; nothing is pickled. Both files are written in one
atomic step (:func:`simvec._util.atomic_write`) and the loader checks that they agree. This module
reads and writes plain arrays and keys; :func:`simvec.vectors.formats.load_vectors` and
``save_vectors`` are the public entry points.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

from simvec._util import atomic_write
from simvec.errors import SimvecFileNotFoundError, VectorFormatError

__all__ = [
    "NATIVE_FORMAT_VERSION", "native_paths", "is_native", "load_native", "write_native",
    "fingerprint",
]

#: Version written into native sidecars; newer versions are refused on load.
NATIVE_FORMAT_VERSION = 1
_NATIVE_MARK = "simvec.KeyedVectors"


def native_paths(path) -> tuple[Path, Path]:
    """``(BASE.npy, BASE.json)`` for ``path`` given as ``BASE``, ``BASE.npy`` or ``BASE.json``."""
    p = Path(path)
    base = p.with_suffix("") if p.suffix in (".npy", ".json") else p
    return base.with_name(base.name + ".npy"), base.with_name(base.name + ".json")


def is_native(path) -> bool:
    """True if both files of the pair exist and the sidecar bears simvec's marker."""
    npy, sidecar = native_paths(path)
    if not (npy.is_file() and sidecar.is_file()):
        return False
    try:
        with open(sidecar, "rb") as f:
            return _NATIVE_MARK.encode() in f.read(256)
    except OSError:
        return False


def load_native(path, limit, mmap) -> tuple[np.ndarray, list]:
    """``(vectors, keys)`` of a native pair, checked against its sidecar.

    The keys were validated (unique, non-empty) when the pair was written, so callers may
    build their index lazily. ``mmap`` memory-maps the matrix (read-only).
    """
    npy, sidecar = native_paths(path)
    for p in (npy, sidecar):
        if not p.is_file():
            raise SimvecFileNotFoundError(f"native vectors need {npy} and {sidecar}; {p} is missing")
    try:
        with open(sidecar, encoding="utf-8") as f:
            meta = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VectorFormatError(f"sidecar is not valid JSON: {exc}", str(sidecar)) from None
    if not isinstance(meta, dict) or meta.get("format") != _NATIVE_MARK:
        raise VectorFormatError(f"not a simvec sidecar (no \"format\": \"{_NATIVE_MARK}\")", str(sidecar))
    version = meta.get("format_version")
    if not isinstance(version, int) or version > NATIVE_FORMAT_VERSION:
        raise VectorFormatError(
            f"format_version {version!r} is not one this simvec reads (1 to "
            f"{NATIVE_FORMAT_VERSION}); upgrade simvec", str(sidecar),
        )
    keys = meta.get("index_to_key")
    try:
        vectors = np.load(npy, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise VectorFormatError(f"cannot read the .npy matrix: {exc}", str(npy)) from None
    shape = (meta.get("count"), meta.get("vector_size"))
    if vectors.dtype != np.float32 or vectors.shape != shape or not isinstance(keys, list) \
            or len(keys) != shape[0]:
        raise VectorFormatError(
            f"matrix {vectors.dtype} {vectors.shape} and {len(keys or [])} keys do not match the "
            f"sidecar {sidecar.name} (count, vector_size) = {shape}, float32; the pair is "
            "inconsistent (interrupted save?)", str(npy),
        )
    if meta.get("fingerprint") not in (None, fingerprint(vectors)):
        raise VectorFormatError(
            f"the matrix is not the one the sidecar {sidecar.name} was written with (fingerprint "
            "differs); the pair is inconsistent (interrupted save?)", str(npy),
        )
    if limit is not None:
        vectors, keys = vectors[:limit], keys[:limit]
    return vectors, keys


def fingerprint(vectors: np.ndarray) -> str:
    """CRC32 of the first and last 64 KiB of the matrix bytes: cheap even memory-mapped."""
    flat = np.ascontiguousarray(vectors).reshape(-1).view(np.uint8)
    k = 1 << 16
    crc = zlib.crc32(flat[:k])
    crc = zlib.crc32(flat[max(flat.shape[0] - k, 0):], crc)
    return f"crc32-ends:{crc:08x}"


def write_native(vectors, keys, path, source) -> None:
    """Write ``vectors`` (as float32) and ``keys`` as the pair for ``path``, atomically."""
    npy, sidecar = native_paths(path)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    meta = {
        "format": _NATIVE_MARK, "format_version": NATIVE_FORMAT_VERSION,
        "count": int(vectors.shape[0]), "vector_size": int(vectors.shape[1]), "dtype": "float32",
        "vectors_file": npy.name, "fingerprint": fingerprint(vectors), "source": source,
        "index_to_key": list(keys),
    }
    payload = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    atomic_write([
        (npy, lambda f: np.save(f, vectors, allow_pickle=False)),
        (sidecar, lambda f: f.write(payload)),
    ])
