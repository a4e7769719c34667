"""Read and write vector files as a matrix and keys: detection, the text and binary formats.

The machinery behind :mod:`simvec.vectors.formats` (whose docstring describes the formats) and
``KeyedVectors.load`` / ``save``: :func:`read_vectors` parses any format into ``(vectors, keys)``
and hands them to the ``make`` it is given (the ``KeyedVectors`` class), :func:`write_vectors`
writes a matrix and keys. Bytes come from :mod:`._io`, the numba kernels from :mod:`._parse`, the
native pair from :mod:`.native`. Log records go to the ``simvec.vectors.formats`` logger.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from simvec.errors import SimvecFileNotFoundError, SimvecValueError, VectorFormatError
from simvec.vectors import _io, _parse, native
from simvec.vectors.native import NATIVE_FORMAT_VERSION

__all__ = [
    "FORMATS", "READ_FORMATS", "NATIVE_FORMAT_VERSION", "detect_format", "read_vectors",
    "write_vectors",
]

logger = logging.getLogger("simvec.vectors.formats")

#: Format names accepted by ``format=`` when writing (and reading).
FORMATS = ("word2vec", "word2vec-binary", "glove", "fasttext", "native")
#: Format names accepted by ``format=`` when reading: also fastText's ``.bin`` models
#: (:mod:`simvec.vectors.fasttext`), which simvec reads but does not write.
READ_FORMATS = FORMATS + ("fasttext-bin",)
# int32 793712314 little-endian: the first bytes of a fastText .bin model
# (simvec.vectors.fasttext.FASTTEXT_MAGIC; that module imports this one, not the reverse)
_FASTTEXT_MAGIC = b"\xba\x16\x4f\x2f"
_UNICODE_ERRORS = ("fallback", "strict", "replace", "ignore")
_ON_DUPLICATE = ("first", "last", "error")
_HEADER = re.compile(rb"^[ \t]*(\d+)[ \t]+(\d+)[ \t\r]*$")
_SEP = re.compile(rb"[ \t]+")
_SURROGATE = re.compile("[\udc80-\udcff]")
# bytes cp1252 leaves undefined decode to the same code point (as latin-1 does)
_CP1252_HOLES = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


# ---------------------------------------------------------------------------- detection
def _numeric(fields) -> bool:
    try:
        for t in fields:
            float(t)
    except ValueError:
        return False
    return True


def detect_format(path) -> tuple[str, str]:
    """Guess the format of a vector file from its name and first bytes.

    Rules, in order: a native pair ``BASE.npy`` + ``BASE.json`` (with simvec's marker) is
    ``"native"``; fastText's magic number in bytes 0-3 is ``"fasttext-bin"`` (checked before
    any text rule: a ``.bin`` name says nothing, word2vec binary uses it too); a first line of two integers followed by a line holding a key and that many
    numbers is ``"word2vec"`` (``"fasttext"`` for a ``.vec`` name), and so is the same header
    followed by rows that each hold a key and one same number of numbers other than the
    header's (a wrong ``vector_size``: the reader uses the rows' and warns); the same header
    followed by non-text bytes is ``"word2vec-binary"``; no header and a constant number (>= 2) of fields,
    all numeric but the first, over the first lines is ``"glove"``.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    (format, reason) : (str, str)
        One of :data:`READ_FORMATS` and a sentence saying why.

    Raises
    ------
    SimvecFileNotFoundError
        If the file does not exist.
    VectorFormatError
        If the file is empty or matches no format.

    Examples
    --------
    >>> detect_format("glove.6B.50d.txt")                      # doctest: +SKIP
    ('glove', 'no header line; lines 1-20 each hold a key and 50 numbers')
    """
    p = Path(path)
    if native.is_native(p):
        npy, sidecar = native.native_paths(p)
        return "native", f"found {npy.name} with the simvec sidecar {sidecar.name}"
    if not p.is_file() or p.suffix.lower() in (".npy", ".json"):
        npy, sidecar = native.native_paths(p)
        if npy.is_file() and sidecar.is_file():
            raise VectorFormatError(
                f"{npy.name} has a sidecar {sidecar.name}, but it does not bear simvec's marker "
                "(\"format\": \"simvec.KeyedVectors\"): it is damaged or not simvec's",
                str(sidecar),
            )
    if not p.is_file():
        raise SimvecFileNotFoundError(f"no such vector file: {p}")
    if p.suffix.lower() == ".npy":
        raise VectorFormatError(
            f"a bare .npy holds no keys: native vectors need the sidecar "
            f"{native.native_paths(p)[1].name} written by save_vectors", str(p),
        )
    sample = 1 << 20
    head = _io.read_head(p, sample)
    ext = _io.plain_suffix(p)
    if head.startswith(_FASTTEXT_MAGIC):
        version = int.from_bytes(head[4:8], "little", signed=True) if len(head) >= 8 else None
        return "fasttext-bin", (f"bytes 0-3 hold fastText's magic number 793712314 "
                                f"(model version {version})")
    if head.startswith(_BOM):
        head = head[3:]
    if not head.strip():
        raise VectorFormatError("file is empty", str(p))
    cut = len(head) >= sample - 3  # the sample may end inside a line
    lines = head.split(b"\n")
    complete = lines if not cut or len(lines) == 1 else lines[:-1]
    header = _HEADER.match(lines[0])
    if header and len(header.group(2).lstrip(b"0")) <= 15:
        d = int(header.group(2))
        first = lines[0].decode("ascii").strip()
        if _text_rows_follow(lines[1:], d, cut):
            name = "fasttext" if ext == ".vec" else "word2vec"
            return name, (f"line 1 is a header '{first}' and the first row holds a key and "
                          f"{d} numbers")
        w = _rows_width(complete[1:21])
        if w:  # read at the rows' width, with a warning (see _parse_text)
            name = "fasttext" if ext == ".vec" else "word2vec"
            return name, (f"line 1 is a header '{first}' and the first rows each hold a key and "
                          f"{w} numbers (not {d}: the header's vector_size is wrong)")
        return "word2vec-binary", f"line 1 is a header '{first}' and what follows is not text rows"
    rows = [ln for ln in complete[:20] if ln.strip()]
    counts = {len(_SEP.split(ln.strip(b" \t\r"))) for ln in rows}
    if len(counts) == 1 and min(counts) >= 2 and all(
        _numeric(_SEP.split(ln.strip(b" \t\r"))[1:]) for ln in rows
    ):
        d = counts.pop() - 1
        return "glove", f"no header line; lines 1-{len(rows)} each hold a key and {d} numbers"
    raise VectorFormatError(
        "cannot tell the vector format: line 1 is not a 'count vector_size' header and the first "
        f"lines are not 'key v1 ... vd' rows; pass format= one of {', '.join(READ_FORMATS)}",
        str(p),
    )


def _rows_width(lines) -> int:
    """The common number of values of the non-blank ``lines`` if each is a key followed by
    numbers only and there is at least one; else 0."""
    widths = {_numeric_row_width(ln) for ln in lines if ln.strip(b" \t\r")}
    return widths.pop() if len(widths) == 1 and 0 not in widths else 0


def _text_rows_follow(lines, d: int, cut: bool) -> bool:
    """Whether the first non-blank line after a header reads as a text row of ``d`` values.

    Blank lines after the header are skipped; a row cut off by the end of the sample (a line
    over 1 MiB) counts when every complete token after the key is a number and there are at
    most ``d`` of them. Raw float32 bytes practically never read so.
    """
    for i, line in enumerate(lines):
        last = cut and i == len(lines) - 1
        line = line.strip(b" \t\r")
        if not line:
            if last:
                return False
            continue
        fields = _SEP.split(line)
        if last:
            values = fields[1:-1]  # the last token may be cut
            return len(fields) >= 2 and len(values) <= d and _numeric(values)
        return len(fields) == d + 1 and _numeric(fields[1:])
    return False


# ---------------------------------------------------------------------------- keys
def _decode_keys(blob: np.ndarray, n: int, unicode_errors: str, path: str, where, unit: str):
    """Decode ``n`` ``\\n``-joined keys by the ``unicode_errors`` policy (see load_vectors)."""
    if n == 0:
        return []
    text = blob.tobytes().decode("utf-8", "surrogateescape")
    keys = text.split("\n")
    if text.isascii() or not _SURROGATE.search(text):
        return keys
    bad = []
    for i, k in enumerate(keys):
        if k.isascii() or not _SURROGATE.search(k):
            continue
        raw = k.encode("utf-8", "surrogateescape")
        if unicode_errors == "strict":
            msg = f"key {raw!r} is not valid UTF-8"
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                msg = (
                    f"key {raw!r} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                    f"{exc.start}); pass unicode_errors='fallback' to read it as cp1252, or "
                    "'replace' / 'ignore'"
                )
            if unit != "line":
                msg = f"{unit} {where[i]}: {msg}"
            raise VectorFormatError(msg, path, int(where[i]) if unit == "line" else None)
        if unicode_errors == "fallback":
            keys[i] = raw.decode("cp1252", "surrogateescape").translate(_CP1252_HOLES)
        else:
            keys[i] = raw.decode("utf-8", unicode_errors)
        bad.append(int(where[i]))
    how = "as cp1252" if unicode_errors == "fallback" else f"with errors={unicode_errors!r}"
    logger.warning(
        "%s: %d keys are not valid UTF-8 (%ss %s%s); decoded them %s",
        path, len(bad), unit, ", ".join(map(str, bad[:5])), ", ..." if len(bad) > 5 else "", how,
    )
    return keys


def _dedupe(keys, vectors, where, on_duplicate: str, path: str, unit: str):
    """Apply the duplicate-key rule to keys known to repeat; returns ``(keys, vectors)``."""
    first: dict[str, int] = {}
    drop = []
    for i, k in enumerate(keys):
        j = first.get(k)
        if j is None:
            first[k] = i
            continue
        if on_duplicate == "error":
            raise VectorFormatError(
                f"key {k!r} appears twice: {unit} {where[j]} and {unit} {where[i]}; pass "
                "on_duplicate='first' or 'last' to keep one",
                path, int(where[i]) if unit == "line" else None,
            )
        if on_duplicate == "first":
            drop.append(i)
        else:
            drop.append(j)
            first[k] = i
    drop.sort()
    keep = np.ones(len(keys), dtype=bool)
    keep[drop] = False
    named = list(dict.fromkeys(keys[i] for i in drop))
    logger.warning(
        "%s: %d duplicate keys (%s%s); kept the %s occurrence, dropped %ss %s%s",
        path, len(drop), ", ".join(map(repr, named[:5])), ", ..." if len(named) > 5 else "",
        on_duplicate, unit, ", ".join(str(where[i]) for i in drop[:5]),
        ", ..." if len(drop) > 5 else "",
    )
    return [k for k, ok in zip(keys, keep) if ok], vectors[keep]


def _warn_nonfinite(vectors: np.ndarray, path: str) -> None:
    bad = int(vectors.size - np.count_nonzero(np.isfinite(vectors)))
    if bad:
        rows = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
        logger.warning("%s: %d values are nan or inf (rows %s)", path, bad, rows[:5].tolist())


# ---------------------------------------------------------------------------- text
def _python_row(line: bytes, d: int, path: str, lineno: int) -> np.ndarray:
    """Parse one unusual row with Python's float(); raise the precise error if it is bad."""
    fields = _SEP.split(line.rstrip(b" \t\r"))
    key = fields[0].decode("utf-8", "replace")
    if not fields[0]:
        raise VectorFormatError("line starts with a space or tab, so its key is empty", path, lineno)
    _check_count(len(fields) - 1, d, key, path, lineno)
    out = np.empty(d, dtype=np.float32)
    with np.errstate(over="ignore"):
        for i, tok in enumerate(fields[1:]):
            try:
                out[i] = np.float32(float(tok))
            except ValueError:
                tok = tok.decode("utf-8", "replace")
                raise VectorFormatError(
                    f"value {i + 1} of key {key!r} is {tok!r}, not a number", path, lineno
                ) from None
    return out


def _check_count(got: int, d: int, key: str, path: str, lineno: int) -> None:
    if got != d:
        hint = " (does the key contain a space?)" if got > d else ""
        raise VectorFormatError(
            f"key {key!r} has {got} values, expected {d}{hint}", path, lineno
        )


_BOM = b"\xef\xbb\xbf"
_BLOCK_LINES = 1 << 20  # lines looked at per step when the row count is not known


def _skip_bom(buf, path: str) -> int:
    """3 if ``buf`` starts with a UTF-8 byte-order mark (logged, never glued to a key), else 0."""
    if buf.shape[0] >= 3 and buf[:3].tobytes() == _BOM:
        logger.warning("%s: skipped a UTF-8 byte-order mark at the start of the file", path)
        return 3
    return 0


def _parse_text(reader, path: str, header: bool, limit, progress):
    """Parse a text format from ``reader``: returns ``(vectors, key_blob, n, linenos)``.

    Blank lines are dropped before any row is parsed or allocated for (one serial pass over
    them), and a row too short to hold ``d`` values is refused before the ``(rows, d)`` matrix
    is allocated, so memory stays within a small multiple of the file's size whatever its
    header claims.
    """
    buf = reader.buf
    size = buf.shape[0]
    if size == 0 and reader.eof:
        raise VectorFormatError("file is empty", path)
    pos, lineno, count, d = _skip_bom(buf, path), 1, None, None
    lie = None  # header files: () once the first row agrees with the header, else
    #             (header's vector_size, the rows' width, the first row's line number)
    if header:
        nl = _parse.find_newlines(buf, pos, 1)
        if nl.shape[0] == 0 and not reader.eof:
            raise _io.NeedMore
        end = int(nl[0]) if nl.shape[0] else size
        m = _HEADER.match(buf[pos:end].tobytes())
        if not m:
            got = buf[pos:min(end, pos + 80)].tobytes()
            raise VectorFormatError(f"expected a header 'count vector_size', got {got!r}", path, 1)
        count, d = _header_sizes(m, path)
        pos, lineno = min(end + 1, size), 2
    wanted = count if limit is None else (limit if count is None else min(limit, count))
    parts, got = [], 0
    ask = _BLOCK_LINES if wanted is None else wanted
    while wanted is None or got < wanted:
        ends = _parse.find_newlines(buf, pos, ask)
        complete = ends.shape[0] == ask  # the file goes on after these lines
        if not complete:
            if not reader.eof:
                raise _io.NeedMore
            if (int(ends[-1]) + 1 if ends.shape[0] else pos) < size:  # last line, no newline
                ends = np.append(ends, size)
        if ends.shape[0] == 0:
            break
        starts = np.empty_like(ends)
        starts[0] = pos
        starts[1:] = ends[:-1] + 1
        rows = np.flatnonzero(~_parse.blank_rows(buf, starts, ends))
        if wanted is not None and rows.shape[0] >= wanted - got:
            rows = rows[: wanted - got]
            last = int(rows[-1]) + 1 if rows.shape[0] else 0  # lines consumed
            starts, ends, complete = starts[:last], ends[:last], False
        if rows.shape[0]:
            if d is None:
                d = _first_row_size(buf, starts[rows[:1]], ends[rows[:1]], path,
                                    lineno + int(rows[0]))
            elif header and lie is None:  # the first row: does it agree with the header's vector_size?
                i = int(rows[0])
                w = _numeric_row_width(buf[starts[i]:ends[i]].tobytes())
                lie = (d, w, lineno + i) if w and w != d else ()
                d = w if lie else d
            try:
                part = _parse_block(buf, starts[rows], ends[rows], d, path, lineno + rows,
                                    progress)
            except VectorFormatError as exc:
                if not lie:
                    raise
                raise _lying_header_error(exc, lie, buf, starts[rows], ends[rows],
                                          lineno + rows, path) from None
            parts.append(part)
            got += part[0].shape[0]
        if ends.shape[0]:
            lineno += ends.shape[0]
            pos = int(ends[-1]) + 1
        if not complete:
            break
        # blank lines took the place of rows: look further, twice as far each time (linear)
        ask = _BLOCK_LINES if wanted is None else max(wanted - got, 2 * ask)
    if d is None:
        raise VectorFormatError("file is empty (no vector rows)", path)
    if len(parts) == 1:
        vectors, starts, wend, lines = parts[0]
    elif parts:
        vectors, starts, wend, lines = (np.concatenate(x) for x in zip(*parts))
    else:
        vectors, starts, wend, lines = np.empty((0, d), np.float32), *(np.empty(0, np.int64),) * 3
    n = vectors.shape[0]
    if count is not None and n < wanted:
        raise VectorFormatError(
            f"the header says {count} vectors but the file holds only {n} rows (truncated?)",
            path, lineno - 1,
        )
    if count is not None and (limit is None or limit > count):
        rest = buf[pos:].tobytes() if pos < size else b""
        if rest.strip():
            extra = lineno + rest[: len(rest) - len(rest.lstrip())].count(b"\n")
            raise VectorFormatError(
                f"the header says {count} vectors but there are more rows: line {extra} holds "
                f"row {count + 1} (fix the header, or pass limit={count} to read {count})",
                path, extra,
            )
        if not reader.eof:
            raise _io.NeedMore
    if lie:
        logger.warning(
            "%s: the header (line 1) gives vector_size %d but every row holds %d values (the "
            "first at line %d); read the rows as vector_size %d", path, lie[0], lie[1], lie[2],
            lie[1],
        )
    return vectors, _parse.gather_keys(buf, starts, wend), n, lines


def _numeric_row_width(line: bytes) -> int:
    """The number of values of a row whose every token after the key is a number, else 0."""
    fields = _SEP.split(line.strip(b" \t\r"))
    if len(fields) < 2 or not fields[0] or not _numeric(fields[1:]):
        return 0
    return len(fields) - 1


def _lying_header_error(exc, lie, buf, starts, ends, lines, path):
    """The error to raise when rows read at the first row's width ``lie[1]`` (the header said
    ``lie[0]``) disagree: if the failing row holds the header's count, the header was right and
    the first row is the odd one (reported as before); otherwise the rows disagree among
    themselves, and ``exc`` is reported with the header's claim beside it."""
    header_d, width, first = lie
    i = int(np.searchsorted(lines, exc.line)) if exc.line is not None else lines.shape[0]
    if i < lines.shape[0] and int(lines[i]) == exc.line:
        fields = _SEP.split(buf[starts[i]:ends[i]].tobytes().strip(b" \t\r"))
        if len(fields) - 1 == header_d:
            j = int(np.searchsorted(lines, first))
            key = _SEP.split(buf[starts[j]:ends[j]].tobytes().strip(b" \t\r"))[0]
            return VectorFormatError(
                f"key {key.decode('utf-8', 'replace')!r} has {width} values, expected "
                f"{header_d}", path, first,
            )
    prefix = f"{path}, line {exc.line}: " if exc.line is not None else f"{path}: "
    msg = str(exc)[len(prefix):] if str(exc).startswith(prefix) else str(exc)
    return VectorFormatError(
        f"{msg}; the header says vector_size {header_d} and the first row (line {first}) has "
        f"{width} values",
        path, exc.line,
    )


def _header_sizes(match, path):
    if len(match.group(1).lstrip(b"0")) > 15 or len(match.group(2).lstrip(b"0")) > 15:
        raise VectorFormatError(
            f"the header claims {match.group(1)[:20].decode()} vectors of size "
            f"{match.group(2)[:20].decode()}: more than any file holds (damaged header?)", path, 1,
        )
    count, d = int(match.group(1)), int(match.group(2))
    if d < 1:
        raise VectorFormatError(f"the header gives vector_size {d}; it must be positive", path, 1)
    return count, d


def _first_row_size(buf, starts, ends, path, lineno):
    """Number of values on the first non-blank line (GloVe has no header), or None."""
    for i in range(starts.shape[0]):
        line = buf[starts[i]:ends[i]].tobytes().rstrip(b" \t\r")
        if line:  # blank means spaces, tabs and \r only, as for the row parser
            fields = _SEP.split(line)
            if not fields[0]:
                raise VectorFormatError(
                    "line starts with a space or tab, so its key is empty", path, lineno + i
                )
            if len(fields) < 2:
                raise VectorFormatError("the first row has a key but no values", path, lineno + i)
            return len(fields) - 1
    return None


def _parse_block(buf, starts, ends, d, path, lines, progress):
    """Run the numba row parser over non-blank lines; resolve unusual rows in Python.

    ``lines`` holds the 1-based line number of each row. A row shorter than ``2 d + 1`` bytes
    cannot hold a key and ``d`` values: the first such row is reported before the ``(n, d)``
    matrix is allocated, so a header's ``vector_size`` never allocates more than about twice
    the bytes of the rows. Returns ``(vectors, starts, key_ends, line_numbers)``.
    """
    n = starts.shape[0]
    short = np.flatnonzero(ends - starts < 2 * d + 1)
    if short.shape[0]:
        i = int(short[0])
        _python_row(buf[starts[i]:ends[i]].tobytes(), d, path, int(lines[i]))  # raises
        raise VectorFormatError(f"the row is too short for {d} values", path, int(lines[i]))
    out = np.empty((n, d), dtype=np.float32)
    wend = np.empty(n, dtype=np.int64)
    status = np.empty(n, dtype=np.int8)
    nvals = np.empty(n, dtype=np.int64)
    step = 1 << 17
    with _parse.dynamic_chunks():
        for a in range(0, n, step):
            b = min(a + step, n)
            _parse.parse_text_rows(buf, starts[a:b], ends[a:b], d, out[a:b], wend[a:b],
                                   status[a:b], nvals[a:b])
            progress.advance("parse", b - a)
    odd = np.flatnonzero(status != _parse.OK)
    if odd.shape[0] == 0:
        return out, starts, wend, lines
    blank = np.zeros(n, dtype=bool)
    for i in odd:
        st, lineno = status[i], int(lines[i])
        if st == _parse.BLANK:
            blank[i] = True
            continue
        line = buf[starts[i]:ends[i]].tobytes()
        if st == _parse.COUNT:
            key = line[: wend[i] - starts[i]].decode("utf-8", "replace")
            _check_count(int(nvals[i]), d, key, path, lineno)
        out[i] = _python_row(line, d, path, lineno)
    if blank.any():
        keep = ~blank
        return out[keep], starts[keep], wend[keep], lines[keep]
    return out, starts, wend, lines


def _parse_binary(reader, path: str, limit, progress):
    """Parse word2vec binary from ``reader``: returns ``(vectors, key_blob, n, records)``."""
    buf = reader.buf
    bom = _skip_bom(buf, path)
    nl = _parse.find_newlines(buf, bom, 1)
    end = int(nl[0]) if nl.shape[0] else buf.shape[0]
    m = _HEADER.match(buf[bom: min(end, bom + 200)].tobytes())
    if not m:
        got = buf[bom:min(end, bom + 80)].tobytes()
        raise VectorFormatError(f"expected a header 'count vector_size', got {got!r}", path, 1)
    count, d = _header_sizes(m, path)
    wanted = count if limit is None else min(limit, count)
    # each record takes at least 4 d + 2 bytes: never allocate for more than the data can hold
    room = min(wanted, (buf.shape[0] - end) // (4 * d + 2) + 1)
    n, pos, starts, wend, voff, code = _parse.scan_binary(buf, end + 1, room, d)
    if not reader.eof and (n < wanted or limit is None or limit > count):
        raise _io.NeedMore
    if code == 4:
        raise VectorFormatError(
            f"record {n + 1} (byte offset {pos}): its key holds a line break "
            f"{buf[pos:pos + 20].tobytes().split(b' ')[0]!r}; the file is not valid word2vec "
            "binary (were its line endings converted to CRLF, e.g. by a text-mode copy?)", path,
        )
    if code == 2 or code == 3 or (code == 1 and n < wanted):
        what = {1: "the file ends", 2: "the file is cut off inside it", 3: "its key is empty"}[code]
        raise VectorFormatError(
            f"the header says {count} vectors of size {d} but record {n + 1} is incomplete: "
            f"{what} (byte offset {pos}); the file is truncated or not word2vec binary", path,
        )
    if limit is None or limit > count:
        tail = buf[pos:].tobytes()
        if tail.strip(b"\n\r \t"):
            raise VectorFormatError(
                f"the header says {count} vectors but data follows record {count} at byte "
                f"{pos}; fix the header or pass limit={count}", path,
            )
    out = np.empty((n, 4 * d), dtype=np.uint8)
    _parse.copy_binary(buf, voff[:n], out)
    progress.advance("parse", n)
    vectors = out.view("<f4").astype(np.float32, copy=False).reshape(n, d)
    blob = _parse.gather_keys(buf, starts[:n], wend[:n])
    return vectors, blob, n, np.arange(1, n + 1, dtype=np.int64)


# ---------------------------------------------------------------------------- read and write
def read_vectors(path, format=None, *, limit=None, mmap=False, unicode_errors="fallback",
                 on_duplicate="first", progress=None, make, read_fasttext=None):
    """Read a vector file and return ``make(vectors, keys)``.

    The arguments and errors are those of :func:`simvec.vectors.formats.load_vectors`.
    A fastText ``.bin`` model is handed to ``read_fasttext(path, limit=..., unicode_errors=...,
    on_duplicate=..., progress=...)`` (:func:`simvec.vectors.fasttext.load_fasttext_bin`, passed
    in by ``load_vectors``: that module builds on this one); without it such a file is refused
    with a message saying what reads it.
    ``make(vectors, keys, lazy_index=False)`` builds the result (the ``KeyedVectors`` class); it
    must raise :class:`SimvecValueError` for repeated keys, which are then resolved by
    ``on_duplicate`` (keys are looked at for repeats only then: no 400k-key set on every load).
    Native pairs were validated when written and get ``lazy_index=True``.
    """
    if format is not None and format not in READ_FORMATS:
        raise SimvecValueError(f"format must be one of {', '.join(READ_FORMATS)}, got {format!r}")
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 0):
        raise SimvecValueError(f"limit must be a non-negative integer or None, got {limit!r}")
    if unicode_errors not in _UNICODE_ERRORS:
        raise SimvecValueError(f"unicode_errors must be one of {_UNICODE_ERRORS}, got {unicode_errors!r}")
    if on_duplicate not in _ON_DUPLICATE:
        raise SimvecValueError(f"on_duplicate must be one of {_ON_DUPLICATE}, got {on_duplicate!r}")
    path = os.fspath(path)
    if format is None:
        format, reason = detect_format(path)
        logger.info("%s: format %r guessed: %s", path, format, reason)
    t0 = time.perf_counter()
    if format == "native":
        vectors, keys, unique = native.load_native(path, limit, mmap)
        if not unique:  # a damaged or hand-edited sidecar: the duplicate rule of text files
            sidecar = str(native.native_paths(path)[1])
            keys, vectors = _dedupe(keys, vectors, range(len(keys)), on_duplicate, sidecar,
                                    "row")
            if mmap:
                vectors = np.asarray(vectors)
                logger.warning("%s: the kept rows were copied into memory (not memory-mapped)",
                               sidecar)
        kv = make(vectors, keys, lazy_index=True)  # keys checked by load_native / _dedupe
        logger.info("%s: loaded %d x %d native vectors%s in %.3f s", path, len(keys),
                    vectors.shape[1], " (memory-mapped)" if mmap else "", time.perf_counter() - t0)
        return kv
    if mmap:
        raise SimvecValueError(
            f"mmap=True needs the native format, not {format!r}; convert once with "
            "save_vectors(kv, base) and load base with mmap=True"
        )
    if not os.path.isfile(path):
        raise SimvecFileNotFoundError(f"no such vector file: {path}")
    if format == "fasttext-bin":
        if read_fasttext is None:
            raise SimvecValueError(
                f"{path} is a fastText .bin model: read it with simvec.load(path), "
                "load_vectors(path) or FastTextKeyedVectors.load(path) (it also holds subword "
                "vectors), not KeyedVectors.load")
        return read_fasttext(path, limit=limit, unicode_errors=unicode_errors,
                             on_duplicate=on_duplicate, progress=progress)
    size = os.path.getsize(path)
    if size > 100 << 20:
        logger.info("%s: reading %.0f MB as %s", path, size / 1e6, format)
    show = progress if progress is not None else (size > 1 << 30 and sys.stderr.isatty())
    with _io.Progress(show, path, size) as bar, _io.Reader(path, bar) as reader:
        if limit is None:
            reader.read_all()
        else:
            reader.read_some(limit)
        probe = 1 if limit == 0 else limit  # limit=0 still reads one row for vector_size
        while True:
            try:
                if format == "word2vec-binary":
                    vectors, blob, n, where = _parse_binary(reader, path, probe, bar)
                else:
                    vectors, blob, n, where = _parse_text(reader, path, format != "glove", probe, bar)
                break
            except _io.NeedMore:
                reader.more()
    if limit == 0:
        vectors, blob, n, where = vectors[:0], blob[:0], 0, where[:0]
    unit = "record" if format == "word2vec-binary" else "line"
    keys = _decode_keys(blob, n, unicode_errors, path, where, unit)
    _warn_nonfinite(vectors, path)
    try:  # make() refuses repeated keys; look for them only then (saves a 400k-key set)
        kv = make(vectors, keys)
    except SimvecValueError as exc:
        if len(set(keys)) == len(keys):
            raise VectorFormatError(str(exc), path) from None
        keys, vectors = _dedupe(keys, vectors, where, on_duplicate, path, unit)
        kv = make(vectors, keys)
    logger.info("%s: loaded %d x %d %s vectors (%.1f MB) in %.3f s", path, len(keys),
                vectors.shape[1], format, size / 1e6, time.perf_counter() - t0)
    return kv


def write_vectors(vectors, keys, path, format: str = "native", *, source: str | None = None) -> None:
    """Write ``vectors`` (rows) and ``keys`` to ``path`` atomically.

    The arguments and errors are those of :func:`simvec.vectors.formats.save_vectors`.
    """
    if format not in FORMATS:
        raise SimvecValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    t0 = time.perf_counter()
    if format == "glove" and len(keys) == 0:
        raise SimvecValueError(
            f"cannot write 0 vectors as GloVe to {os.fspath(path)}: GloVe text has no header, so "
            "an empty file would not record vector_size and could not be read back; write "
            "word2vec or native instead"
        )
    if format == "native":
        native.write_native(vectors, keys, path, source)
    else:
        _io.write_rows(vectors, keys, path, binary=format == "word2vec-binary",
                       header=format != "glove")
    logger.info("%s: wrote %d x %d vectors as %s in %.2f s", path, len(keys), vectors.shape[1],
                format, time.perf_counter() - t0)
