"""Byte plumbing for the vector file formats: compressed reading, row writing, progress.

Knows bytes, arrays and keys, not ``KeyedVectors``. Private: the public API is
:func:`simvec.vectors.formats.load_vectors` / ``save_vectors``.
"""

from __future__ import annotations

import bz2
import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from simvec._util import atomic_write
from simvec.errors import SimvecValueError, VectorFormatError
from simvec.vectors import _parse

__all__ = [
    "NeedMore", "Reader", "Progress", "compression", "read_head", "plain_suffix", "write_rows",
]

_CHUNK = 16 << 20
_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2"}
_BAD_KEY_BYTES = np.array([9, 10, 13, 32], dtype=np.uint8)


class NeedMore(Exception):
    """Raised by a parser that needs more of the file than the reader holds."""


def compression(path) -> str | None:
    """``"gz"``, ``"bz2"`` or ``None``, from the file's magic bytes."""
    with open(path, "rb") as f:
        head = f.read(3)
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def _open(path, comp):
    if comp == "gz":
        return gzip.open(path, "rb")
    if comp == "bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def read_head(path, n: int) -> bytes:
    """The first ``n`` bytes of the (decompressed) file."""
    comp = compression(path)
    with _open(path, comp) as f:
        try:
            return f.read(n)
        except _decompress_errors() as exc:
            if comp is None:
                raise
            raise VectorFormatError(
                f"cannot decompress ({comp}): {exc}; the file is damaged or truncated", str(path)
            ) from None


def plain_suffix(path) -> str:
    """The suffix under any ``.gz`` / ``.bz2`` (``"a.vec.gz"`` -> ``".vec"``), lower case."""
    p = Path(path)
    if p.suffix.lower() in (".gz", ".bz2"):
        p = p.with_suffix("")
    return p.suffix.lower()


class Progress:
    """Rich progress bars for reading and parsing, or nothing when ``show`` is false."""

    def __init__(self, show: bool, path, size: int):
        self.show, self.path, self.size = bool(show), path, size
        self._bar = None
        self._tasks = {}

    def __enter__(self):
        if self.show:
            from rich.progress import Progress as _RichProgress

            self._bar = _RichProgress(transient=True)
            self._bar.__enter__()
            name = Path(self.path).name
            self._tasks["read"] = self._bar.add_task(f"reading {name}", total=self.size)
            self._tasks["parse"] = self._bar.add_task(f"parsing {name}", total=None)
        return self

    def advance(self, task: str, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._tasks[task], n)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False


def _decompress_errors():
    return (EOFError, zlib.error, gzip.BadGzipFile, OSError)


class Reader:
    """The (decompressed) bytes of a file as ``uint8``: all at once, or growing on demand.

    Attributes
    ----------
    buf : ndarray, uint8
        The bytes read so far.
    eof : bool
        True once ``buf`` holds the whole file.
    """

    def __init__(self, path, progress: Progress):
        self.path = path
        self.progress = progress
        self.comp = compression(path)
        self.buf = np.empty(0, dtype=np.uint8)
        self.eof = False
        self._chunks: list[bytes] = []
        self._next = 1 << 20
        self._f = None

    def __enter__(self):
        self._f = _open(self.path, self.comp)
        return self

    def __exit__(self, *exc):
        self._f.close()
        return False

    def _raw_pos(self) -> int:
        raw = getattr(self._f, "fileobj", None) or getattr(self._f, "_fp", None) or self._f
        try:
            return raw.tell()
        except (OSError, ValueError, AttributeError):
            return 0

    def _read(self, n: int) -> bytes:
        try:
            return self._f.read(n)
        except _decompress_errors() as exc:
            if self.comp is None:
                raise
            raise VectorFormatError(
                f"cannot decompress ({self.comp}): {exc}; the file is damaged or truncated",
                str(self.path),
            ) from None

    def read_all(self) -> None:
        """Read the whole file (uncompressed files straight into one preallocated array)."""
        if self.comp is None:
            size = os.fstat(self._f.fileno()).st_size
            arr = np.empty(size, dtype=np.uint8)
            view = memoryview(arr)
            got = 0
            while got < size:
                n = self._f.readinto(view[got : got + _CHUNK])
                if not n:
                    break
                got += n
                self.progress.advance("read", n)
            self.buf, self.eof = arr[:got], True
            return
        data = bytearray()
        last = 0
        while True:
            chunk = self._read(_CHUNK)
            if not chunk:
                break
            data += chunk
            pos = self._raw_pos()
            self.progress.advance("read", pos - last)
            last = pos
        self.buf, self.eof = np.frombuffer(data, dtype=np.uint8), True

    def read_some(self, limit: int) -> None:
        """Read a first chunk sized for ``limit`` rows."""
        self._next = max(1 << 20, min(int(limit) * 256, 64 << 20))
        self.more()

    def more(self) -> None:
        """Read the next chunk (twice the previous one); sets ``eof`` at the end."""
        if self.eof:
            return
        want = self._next
        chunk = self._read(want)
        self._next *= 2
        self._chunks.append(chunk)
        self.progress.advance("read", len(chunk))
        if len(chunk) < want:
            self.eof = True
        self.buf = np.frombuffer(bytearray(b"".join(self._chunks)), dtype=np.uint8)


def _compressed(dest: Path, inner):
    suffix = dest.suffix.lower()
    if suffix == ".gz":
        def writer(f):
            with gzip.GzipFile(filename=dest.with_suffix("").name, mode="wb", fileobj=f,
                               compresslevel=6, mtime=0) as g:
                inner(g)
        return writer
    if suffix == ".bz2":
        def writer(f):
            with bz2.BZ2File(f, "wb") as g:
                inner(g)
        return writer
    return inner


def _encode_keys(keys, binary: bool):
    """UTF-8 key bytes concatenated, with offsets (n + 1,); refuses keys a file cannot hold."""
    enc = []
    for k in keys:
        try:
            enc.append(k.encode("utf-8"))
        except (UnicodeEncodeError, AttributeError):
            raise SimvecValueError(f"key {k!r} cannot be written as UTF-8 text") from None
    lengths = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
    offsets = np.zeros(len(enc) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    blob = np.frombuffer(b"".join(enc), dtype=np.uint8)
    bad = np.flatnonzero(lengths == 0)
    where = np.flatnonzero(np.isin(blob, _BAD_KEY_BYTES[1:2] if binary else _BAD_KEY_BYTES))
    if binary:
        where = np.union1d(where, np.flatnonzero(blob == 32))
    if bad.size or where.size:
        i = int(bad[0]) if bad.size else int(np.searchsorted(offsets, where[0], "right") - 1)
        raise SimvecValueError(
            f"key {keys[i]!r} (row {i}) cannot be written: vector files separate keys from "
            "values with whitespace, so a key must be non-empty and hold no space, tab, \\r or \\n"
        )
    return enc, blob, offsets


def write_rows(vectors, keys, path, binary: bool, header: bool, block: int = 1 << 16) -> None:
    """Write rows ``key v1 ... vd`` as word2vec text / GloVe text (``header=False``) / word2vec
    binary, atomically, compressed by a ``.gz`` / ``.bz2`` suffix of ``path``."""
    dest = Path(path)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    enc, blob, offsets = _encode_keys(keys, binary)

    def body(f):
        if header:
            f.write(f"{n} {d}\n".encode("ascii"))
        for a in range(0, n, block):
            b = min(a + block, n)
            if binary:
                le = vectors[a:b].astype("<f4", copy=False)
                f.write(b"".join(enc[i] + b" " + le[i - a].tobytes() + b"\n" for i in range(a, b)))
            else:
                with _parse.dynamic_chunks(1024):
                    f.write(_parse.format_text_rows(vectors[a:b], blob, offsets[a : b + 1]))

    atomic_write([(dest, _compressed(dest, body))])
