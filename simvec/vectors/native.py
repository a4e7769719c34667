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

from simvec._util import atomic_write, read_npy_header
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


def load_native(path, limit, mmap) -> tuple[np.ndarray, list, bool]:
    """``(vectors, keys, unique)`` of a native pair, checked against its sidecar.

    Parameters
    ----------
    path : str or os.PathLike
        ``BASE``, ``BASE.npy`` or ``BASE.json``.
    limit : int or None
        Keep only the first ``limit`` rows and keys.
    mmap : bool
        Memory-map the matrix (read-only).

    Returns
    -------
    vectors : numpy.ndarray
        float32, shape ``(count, vector_size)`` (or ``limit`` rows); a read-only ``np.memmap``
        with ``mmap``.
    keys : list of str
        ``index_to_key``, each a non-empty string that encodes as UTF-8.
    unique : bool
        Whether ``keys`` are distinct. A sidecar written by simvec always has distinct keys;
        a damaged or hand-edited one may repeat some, which the caller resolves by its
        duplicate rule (:func:`simvec.vectors.formats.load_vectors`'s ``on_duplicate``) with
        the sidecar named. Callers may build their key index lazily when ``unique``.

    Raises
    ------
    VectorFormatError
        Naming the ``.npy`` or the sidecar, checked before anything is allocated: invalid
        JSON, damaged or lying ``.npy`` header, a shape or dtype that disagrees with the
        sidecar or the file's size, keys that are not a list of non-empty encodable strings,
        or a fingerprint mismatch.
    SimvecFileNotFoundError
        If either file of the pair is missing.
    """
    npy, sidecar = native_paths(path)
    for p in (npy, sidecar):
        if not p.is_file():
            raise SimvecFileNotFoundError(f"native vectors need {npy} and {sidecar}; {p} is missing")
    try:
        with open(sidecar, encoding="utf-8") as f:
            meta = json.load(f)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, ints of > 4,300 digits
        raise VectorFormatError(f"sidecar is not valid JSON: {exc}", str(sidecar)) from None
    except RecursionError:
        raise VectorFormatError("sidecar is not valid JSON: nested too deeply",
                                str(sidecar)) from None
    if not isinstance(meta, dict) or meta.get("format") != _NATIVE_MARK:
        raise VectorFormatError(f"not a simvec sidecar (no \"format\": \"{_NATIVE_MARK}\")", str(sidecar))
    version = meta.get("format_version")
    if not isinstance(version, int) or version > NATIVE_FORMAT_VERSION:
        raise VectorFormatError(
            f"format_version {version!r} is not one this simvec reads (1 to "
            f"{NATIVE_FORMAT_VERSION}); upgrade simvec", str(sidecar),
        )
    keys = meta.get("index_to_key")
    shape = (meta.get("count"), meta.get("vector_size"))
    unique = _check_keys(keys, sidecar)
    _check_npy_header(npy, shape, sidecar.name)  # before np.load allocates what it claims
    try:
        vectors = np.load(npy, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise VectorFormatError(f"cannot read the .npy matrix: {exc}", str(npy)) from None
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
        unique = unique or len(set(keys)) == len(keys)
    return vectors, keys, unique


def _check_keys(keys, sidecar: Path) -> bool:
    """Refuse an ``index_to_key`` that is not a list of non-empty, encodable strings; return
    whether the keys are distinct (repeats are the caller's to resolve).

    Every check runs at C speed on the valid path (one join, one encode, one set: about 0.1 s
    for 400,000 keys); the offending key is looked for only once something is wrong.
    """
    where = str(sidecar)
    if not isinstance(keys, list):
        raise VectorFormatError(
            f"\"index_to_key\" must be a list of strings, got {type(keys).__name__}", where
        )
    try:
        "\n".join(keys).encode("utf-8")
        unique = set(keys)
    except (TypeError, UnicodeEncodeError):
        unique = None
    if unique is None or "" in unique:
        bad = next(i for i, k in enumerate(keys) if type(k) is not str or not k
                   or not _encodable(k))
        what = ("holds a lone surrogate (not text); the sidecar is damaged"
                if type(keys[bad]) is str and keys[bad] else
                "not a non-empty string: every key must be one")
        raise VectorFormatError(f"index_to_key[{bad}] is {keys[bad]!r}: {what}", where)
    return len(unique) == len(keys)


def _encodable(key: str) -> bool:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_npy_header(npy: Path, shape, sidecar_name: str) -> None:
    """Read the ``.npy`` header and refuse it unless it describes a C- or Fortran-ordered
    float32 matrix of the sidecar's shape whose data the file really holds (a header lying
    about its shape would otherwise make ``np.load`` allocate what it claims)."""
    hshape, _fortran, dtype, offset, size = read_npy_header(npy)
    if len(hshape) != 2 or not all(0 <= x < 2**53 for x in hshape):
        raise VectorFormatError(f"the .npy header gives shape {hshape}, not a matrix's",
                                str(npy))
    if dtype != np.float32 or hshape != shape:
        raise VectorFormatError(
            f"matrix {dtype} {hshape} and the sidecar {sidecar_name} do not match: (count, "
            f"vector_size) = {shape}, float32; the pair is inconsistent (interrupted save?)",
            str(npy),
        )
    need = offset + 4 * int(np.prod(hshape, dtype=object))
    if size != need:
        raise VectorFormatError(
            f"the .npy header describes a {hshape[0]} x {hshape[1]} float32 matrix "
            f"({need} bytes with the header) but the file has {size} bytes; it is "
            f"{'truncated' if size < need else 'damaged'}", str(npy),
        )


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
