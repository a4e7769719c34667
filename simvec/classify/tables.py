"""Reading CSV, TSV and JSONL tables of labelled texts, line by line, so that every way the
bytes can be wrong (invalid UTF-8, a damaged ``.gz``, an over-long field, JSON nested too deeply, a
text that is not a string, a label that is no scalar) raises
:class:`~simvec.errors.InputFormatError` naming the file and the line.

Used by :func:`simvec.classify.datasets.load_table`.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import zlib
from pathlib import Path

from simvec.errors import InputFormatError, SimvecValueError

__all__ = ["read_rows", "check_label_spellings", "MAX_FIELD_CHARS"]


class _Lines:
    """Lines of a UTF-8 (or ``.gz``) file decoded one at a time, so that invalid UTF-8 is
    reported at its own line; a leading byte-order mark is dropped. A context manager and an
    iterator of ``str`` (line endings kept, as ``newline=""`` does)."""

    def __init__(self, p: Path):
        self.path = p
        self.f = gzip.open(p, "rb") if p.suffix == ".gz" else open(p, "rb")
        self.lineno = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def __iter__(self):
        for raw in self.f:
            self.lineno += 1
            if self.lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputFormatError(
                    f"invalid UTF-8 at byte {exc.start} of the line ({exc.reason}); save the "
                    "file as UTF-8", path=str(self.path), line=self.lineno) from None


#: the largest CSV/TSV field accepted (the csv module's default limit is 131,072 characters)
MAX_FIELD_CHARS = 1 << 28


def _json_label(label, p: Path, lineno: int) -> str:
    """A JSONL label as the string that names its class: integral numbers written as integers
    (``1`` and ``1.0`` are one class), booleans and non-finite numbers refused."""
    if isinstance(label, bool) or label is None or isinstance(label, (dict, list)):
        raise InputFormatError(f"label {label!r:.60} is not a string or a number",
                               path=str(p), line=lineno)
    if isinstance(label, float):
        if not math.isfinite(label):
            raise InputFormatError(f"label {label!r} is not a finite number", path=str(p),
                                   line=lineno)
        if label.is_integer():
            return str(int(label))
    return str(label)


def read_rows(p: Path, fmt: str, text_column: str, label_column: str) -> tuple:
    """(texts, raw labels as str) from a CSV/TSV with header or a JSONL file.

    Every way the bytes can be wrong (invalid UTF-8, a damaged .gz, a CSV field over
    :data:`MAX_FIELD_CHARS`, JSON nested too deeply, a text that is not a string) raises
    InputFormatError naming the file and the line."""
    where = {"line": 0}
    try:
        return _read_rows_unchecked(p, fmt, text_column, label_column, where)
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"invalid UTF-8 ({exc.reason}); save the file as UTF-8",
                               path=str(p), line=where["line"] + 1) from None
    except csv.Error as exc:
        raise InputFormatError(f"malformed CSV: {exc}", path=str(p),
                               line=where["line"] + 1) from None
    except (EOFError, OSError, zlib.error) as exc:
        raise InputFormatError(f"cannot read the file ({exc or type(exc).__name__}); is the .gz "
                               "truncated?", path=str(p), line=where["line"] + 1) from None


def _read_rows_unchecked(p: Path, fmt: str, text_column: str, label_column: str,
                         where: dict) -> tuple:
    texts, labels = [], []
    if fmt not in ("csv", "tsv", "jsonl"):
        raise SimvecValueError(f"`format` must be 'csv', 'tsv' or 'jsonl', got {fmt!r}")
    with _Lines(p) as fh:
        if fmt == "jsonl":
            for lineno, line in enumerate(fh, 1):
                where["line"] = lineno - 1
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputFormatError(f"invalid JSON: {exc.msg}", path=str(p), line=lineno) from exc
                except RecursionError:
                    raise InputFormatError("the JSON is nested too deeply", path=str(p),
                                           line=lineno) from None
                except ValueError as exc:  # e.g. an integer of too many digits
                    raise InputFormatError(f"invalid JSON: {str(exc)[:200]}", path=str(p),
                                           line=lineno) from None
                if not isinstance(obj, dict):
                    raise InputFormatError("each line must be a JSON object", path=str(p), line=lineno)
                missing = [c for c in (text_column, label_column) if c not in obj]
                if missing:
                    raise InputFormatError(
                        f"no column(s) {missing}; this record has {sorted(obj)[:20]}",
                        path=str(p), line=lineno)
                text = obj[text_column]
                if text is not None and not isinstance(text, str):
                    raise InputFormatError(
                        f"the text ({text_column!r}) is a JSON {type(text).__name__}, not a "
                        "string", path=str(p), line=lineno)
                texts.append(text)
                labels.append(_json_label(obj[label_column], p, lineno))
            return texts, labels
        if fmt == "csv":
            reader = csv.reader(fh)
        else:  # GLUE-style TSV: tab-separated, no quoting
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        old_limit = csv.field_size_limit()
        csv.field_size_limit(MAX_FIELD_CHARS)
        try:
            try:
                header = next(reader)
            except StopIteration:
                raise InputFormatError("the file is empty (expected a header row)", path=str(p), line=1) from None
            header = [h.strip() for h in header]
            missing = [c for c in (text_column, label_column) if c not in header]
            if missing:
                raise InputFormatError(
                    f"no column(s) {missing}; the header has columns {header[:20]}", path=str(p),
                    line=1)
            ti, li = header.index(text_column), header.index(label_column)
            need = max(ti, li)
            for row in reader:
                where["line"] = reader.line_num
                if not row:
                    continue
                if len(row) <= need:
                    raise InputFormatError(
                        f"{len(row)} field(s), expected at least {need + 1} (header {header[:20]})",
                        path=str(p), line=reader.line_num)
                texts.append(row[ti])
                labels.append(row[li].strip())
        finally:
            csv.field_size_limit(old_limit)
    return texts, labels


def check_label_spellings(raw, p: Path) -> None:
    """Refuse two label strings that are the same number written differently (``1``, ``1.0``):
    they would silently become two classes."""
    seen = {}
    for r in set(raw):
        try:
            v = float(r)
        except ValueError:
            continue
        if math.isfinite(v) and v in seen and seen[v] != r:
            a, b = sorted((seen[v], r))
            raise InputFormatError(
                f"labels {a!r} and {b!r} are the same number written two ways; write every "
                "label of a class the same way", path=str(p))
        seen[v] = r
