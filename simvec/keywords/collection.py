"""Keyword collections: read them from JSONL / CSV / TSV, with or without a label per document.

A collection is a set of documents, each with an id and a keyword list (and, for evaluation, a
label). :func:`read_collection` reads one, :func:`read_labeled_collection` one with labels; both
report malformed lines by number. The similarity tables of a collection are built by
:mod:`simvec.keywords.topk`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import sys
from dataclasses import dataclass, field

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.text.tokenize import split_keywords

__all__ = ["read_collection", "read_labeled_collection", "CollectionReport",
           "is_parquet", "iter_parquet_collection", "read_parquet_collection"]

logger = logging.getLogger(__name__)

_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}


# --------------------------------------------------------------------------- reading


@dataclass
class CollectionReport:
    """What :func:`read_collection` read and skipped.

    Attributes
    ----------
    source : str
        The file name (``"<stdin>"`` for standard input).
    format : str
        ``"jsonl"``, ``"csv"`` or ``"tsv"``.
    n_documents : int
        Documents returned.
    skipped : list of (int, str)
        ``(line number, reason)`` of every record skipped with ``on_error="skip"``; 1-based
        physical line numbers (for CSV, the line where the record starts).
    missing_label : list of int
        Line numbers of records without a label, skipped by
        :func:`read_labeled_collection` (``on_missing_label="skip"``); they are
        also listed in ``skipped``.
    """

    source: str
    format: str
    n_documents: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    missing_label: list[int] = field(default_factory=list)

    @property
    def n_skipped(self) -> int:
        """Number of records skipped."""
        return len(self.skipped)


def _open_text(source, fmt: str | None):
    """(text stream, display name, format, whether we opened it)."""
    if source == "-" or source is sys.stdin:
        stream = sys.stdin
        name = "<stdin>"
        return stream, name, fmt or "jsonl", False
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<stream>"))
        stream = source
        if isinstance(source.read(0), bytes):
            stream = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
        return stream, name, fmt or _format_of(name, default="jsonl"), False
    path = os.fspath(source)
    if not os.path.exists(path):
        raise SimvecFileNotFoundError(f"keyword collection {path!r} does not exist")
    fmt = fmt or _format_of(path, default=None)
    if fmt is None:
        raise SimvecValueError(
            f"cannot tell the format of {path!r} from its extension; name it .jsonl, .csv or "
            ".tsv (optionally .gz), or pass format='jsonl' | 'csv' | 'tsv'"
        )
    if path.endswith(".gz"):
        stream = gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    else:
        stream = open(path, encoding="utf-8-sig", newline="")
    return stream, path, fmt, True


def _format_of(name: str, default):
    base = name[:-3] if name.endswith(".gz") else name
    return _FORMATS.get(os.path.splitext(base)[1].lower(), default)


def _check_id(value, id_field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(
            f"field {id_field!r} must be a string or an integer, got {type(value).__name__}"
        )
    value = str(value)
    if not value.strip():
        raise ValueError(f"field {id_field!r} is empty")
    return value


_NO_LABEL = object()


def _label_of(value, label_field):
    """A label as str; ``_NO_LABEL`` for None / blank; ValueError for other types."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _NO_LABEL
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(
            f"field {label_field!r} must be a string or an integer, got {type(value).__name__}"
        )
    return str(value).strip()


def _jsonl_records(stream, id_field, keywords_field, label_field=None, sep=",;"):
    """Yield (line, id, keywords, label) or (line, None, reason, None) for every non-blank line.

    ``label`` is None without ``label_field``, ``_NO_LABEL`` when the record has none. A keywords
    field holding one string is split with :func:`split_keywords` on ``sep``.
    """
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"invalid JSON ({exc.msg} at column {exc.colno})", None
            continue
        except ValueError as exc:  # an integer of over 4,300 digits (int_max_str_digits)
            yield lineno, None, f"invalid JSON ({str(exc).split(';')[0]})", None
            continue
        except RecursionError:
            yield lineno, None, "invalid JSON (nested too deeply)", None
            continue
        if not isinstance(rec, dict):
            yield lineno, None, f"expected a JSON object, got {type(rec).__name__}", None
            continue
        missing = [f for f in (id_field, keywords_field) if f not in rec]
        if missing:
            yield lineno, None, (
                f"missing field {missing[0]!r} (fields present: {', '.join(map(repr, rec))}); "
                "set id_field / keywords_field to the names this file uses"
            ), None
            continue
        kws = rec[keywords_field]
        if isinstance(kws, str):  # "a, b; c": split as similar and the API split a string
            kws = split_keywords(kws, sep=sep)
        elif not isinstance(kws, list) or not all(isinstance(k, str) for k in kws):
            what = type(kws).__name__ if not isinstance(kws, list) else "a list with non-strings"
            yield lineno, None, (
                f"field {keywords_field!r} must be a list of strings or one string of "
                f"keywords separated by {' or '.join(repr(c) for c in sep)}, got {what}"
            ), None
            continue
        try:
            doc_id = _check_id(rec[id_field], id_field)
            label = None if label_field is None else _label_of(rec.get(label_field), label_field)
        except ValueError as exc:
            yield lineno, None, str(exc), None
            continue
        yield lineno, doc_id, kws, label


def _csv_records(stream, id_field, keywords_field, delimiter, name, sep, label_field=None):
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputFormatError(f"unreadable CSV header ({exc})", path=name, line=1) from None
    header = [h.strip() for h in header]
    wanted = (id_field, keywords_field) + (() if label_field is None else (label_field,))
    missing = [f for f in wanted if f not in header]
    if missing:
        raise InputFormatError(
            f"no column {missing[0]!r} in the header (columns: {', '.join(map(repr, header))}); "
            "set id_field / keywords_field / label_field to the names this file uses",
            path=name, line=1,
        )
    i_id, i_kw = header.index(id_field), header.index(keywords_field)
    i_lab = None if label_field is None else header.index(label_field)
    need = max(i_id, i_kw) + 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"unreadable CSV record ({exc})", None
            continue
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < need:
            yield start, None, (
                f"{len(row)} fields, expected at least {need} (header has {len(header)})"
            ), None
            continue
        try:
            doc_id = _check_id(row[i_id].strip(), id_field)
        except ValueError as exc:
            yield start, None, str(exc), None
            continue
        label = None
        if i_lab is not None:
            label = _label_of(row[i_lab] if i_lab < len(row) else None, label_field)
        yield start, doc_id, split_keywords(row[i_kw], sep=sep), label


def read_collection(
    source,
    *,
    id_field: str = "id",
    keywords_field: str = "keywords",
    on_error: str = "raise",
    format: str | None = None,
    sep: str = ",;",
) -> tuple[list[str], list[list[str]], CollectionReport]:
    """Read a keyword collection: one document per JSONL line or CSV row.

    JSONL (``.jsonl``, ``.ndjson``, ``.json``)
        One JSON object per line, e.g. ``{"id": "d1", "keywords": ["machine learning", "AI"]}``;
        other fields are ignored, blank lines skipped. The keywords field is a JSON list of
        strings, or one string of keywords separated by any character of ``sep``
        (``{"id": "d2", "keywords": "machine learning, AI"}``), split by
        :func:`simvec.text.tokenize.split_keywords` as ``simvec similar`` and
        :func:`~simvec.keywords.pair.keyword_similarity` split a string.
    CSV (``.csv``) / TSV (``.tsv``)
        A header row naming the columns, then one row per document; the keywords cell holds the
        keywords separated by any character of ``sep`` (default ``;`` or ``,``; quote the cell
        when it contains the column delimiter). Other columns are ignored.

    The format follows the extension (a trailing ``.gz`` is decompressed) unless ``format`` is
    given; standard input (``"-"``) and file objects without a telling name are read as JSONL.
    Files are read as UTF-8 (a BOM is ignored). Ids are returned as strings (JSON integers are
    converted) and must be unique.

    A malformed record (invalid JSON, including integers of over 4,300 digits and nesting deeper
    than Python's recursion limit, not an object, a missing field, keywords neither a list of
    strings nor a string, an empty or duplicate id, a short CSV row) raises with ``on_error="raise"``; with
    ``on_error="skip"`` it is skipped, logged, and listed in ``report.skipped`` with its line
    number and reason. A CSV header lacking a named column always raises.

    Parameters
    ----------
    source : str, os.PathLike, file object or "-"
        The file; ``"-"`` reads standard input.
    id_field, keywords_field : str
        Names of the id and keywords fields / columns (the real collections in
        ``shared/data/keywords`` use ``doc_id`` and ``keyphrases``).
    on_error : {"raise", "skip"}
    format : {"jsonl", "csv", "tsv", "parquet"}, optional
        Overrides the extension. Parquet (``.parquet``, ``.pq``) is read by
        :func:`read_parquet_collection` (rows instead of lines).
    sep : str, default ",;"
        Characters separating keywords inside a CSV/TSV keywords cell or a JSONL keywords
        string (a JSON list is taken as it is).

    Returns
    -------
    ids : list of str, length N
    keyword_lists : list of list of str, length N
        Keywords as written (case kept, CSV cells split and whitespace-collapsed).
    report : CollectionReport

    Raises
    ------
    InputFormatError
        (a ``ValueError``) naming the file and line of the first malformed record when
        ``on_error="raise"``, or of a CSV header lacking a column.
    SimvecFileNotFoundError
        If ``source`` names a missing file.
    SimvecValueError
        If ``on_error`` or ``format`` is unknown, or the format cannot be told.

    Examples
    --------
    >>> import io
    >>> f = io.StringIO('{"doc_id": "a", "keyphrases": ["AI"]}\\nnot json\\n')
    >>> ids, kws, report = read_collection(f, id_field="doc_id", keywords_field="keyphrases",
    ...                                    on_error="skip")
    >>> ids, kws, report.skipped
    (['a'], [['AI']], [(2, 'invalid JSON (Expecting value at column 1)')])
    """
    if is_parquet(source, format):  # columnar: its own reader (see the Parquet section)
        return read_parquet_collection(source, id_field=id_field,
                                       keywords_field=keywords_field, on_error=on_error, sep=sep)
    ids, lists, _, report = _read(source, id_field, keywords_field, on_error, format, sep)
    return ids, lists, report


def _read(source, id_field, keywords_field, on_error, format, sep, label_field=None,
          on_missing_label="skip"):
    """read_collection's work; with ``label_field`` also the labels (see read_labeled_collection)."""
    if on_error not in ("raise", "skip"):
        raise SimvecValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if on_missing_label not in ("raise", "skip"):
        raise SimvecValueError(
            f"on_missing_label must be 'raise' or 'skip', got {on_missing_label!r}"
        )
    if format is not None and format not in ("jsonl", "csv", "tsv"):
        raise SimvecValueError(f"format must be 'jsonl', 'csv' or 'tsv', got {format!r}")
    stream, name, fmt, close = _open_text(source, format)
    report = CollectionReport(source=name, format=fmt)
    ids: list[str] = []
    lists: list[list[str]] = []
    labels: list[str] = []
    first_line: dict[str, int] = {}
    try:
        if fmt == "jsonl":
            records = _jsonl_records(stream, id_field, keywords_field, label_field, sep)
        else:
            delim = "\t" if fmt == "tsv" else ","
            records = _csv_records(stream, id_field, keywords_field, delim, name, sep,
                                   label_field)
        for lineno, doc_id, payload, label in records:
            if doc_id is not None and doc_id in first_line:
                doc_id, payload = None, (
                    f"duplicate id {doc_id!r} (first on line {first_line[doc_id]})"
                )
            if doc_id is None:
                if on_error == "raise":
                    raise InputFormatError(
                        payload + "; fix the record or pass on_error='skip'",
                        path=name, line=lineno,
                    )
                report.skipped.append((lineno, payload))
                continue
            if label is _NO_LABEL:
                why = f"no label: field {label_field!r} is missing or empty"
                if on_missing_label == "raise":
                    raise InputFormatError(
                        why + "; add it or pass on_missing_label='skip'", path=name, line=lineno
                    )
                report.skipped.append((lineno, why))
                report.missing_label.append(lineno)
                continue
            first_line[doc_id] = lineno
            ids.append(doc_id)
            lists.append(payload)
            labels.append(label)
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"not valid UTF-8 ({exc.reason})", path=name) from None
    finally:
        if close:
            stream.close()
    report.n_documents = len(ids)
    if label_field is not None and not ids and report.missing_label \
            and len(report.missing_label) == len(report.skipped):
        raise InputFormatError(
            f"no record has a label in field {label_field!r} ({len(report.missing_label)} "
            f"records, first on line {report.missing_label[0]}); is the label field named "
            "differently in this file?", path=name,
        )
    if report.skipped:
        logger.warning(
            "%s: skipped %d malformed record(s), first on line %d: %s",
            name, len(report.skipped), *report.skipped[0],
        )
    return ids, lists, labels, report


def read_labeled_collection(source, label_field: str, *, id_field: str = "id",
                            keywords_field: str = "keywords", on_error: str = "raise",
                            on_missing_label: str = "skip", format: str | None = None,
                            sep: str = ",;"):
    """Read a keyword collection with a label per document.

    As :func:`read_collection` (same formats, same handling of malformed
    records), plus the label field. A label must be a string or an integer (returned as str);
    a record whose label is absent, ``null`` or blank is skipped and reported in
    ``report.missing_label`` and ``report.skipped`` with its line number
    (``on_missing_label="skip"``), or raises (``"raise"``).

    Parameters
    ----------
    source : str, os.PathLike, file object or "-"
    label_field : str
        Field / column holding the label (``category`` in 500N-KPCrowd, ``acm_class`` in
        SemEval-2010).
    id_field, keywords_field, on_error, format, sep
        As in :func:`read_collection`.
    on_missing_label : {"skip", "raise"}, default "skip"

    Returns
    -------
    ids : list of str, length N
    keyword_lists : list of list of str, length N
    labels : list of str, length N
    report : CollectionReport

    Raises
    ------
    InputFormatError
        Naming file and line: a malformed record with ``on_error="raise"``, a record without a
        label with ``on_missing_label="raise"``, a label that is neither str nor int, a CSV
        header without one of the columns, or records none of which has a label (the label
        field is most likely misnamed; the message names it).
    SimvecFileNotFoundError, SimvecValueError
        As in :func:`read_collection`.

    Examples
    --------
    >>> import io
    >>> f = io.StringIO('{"id": 1, "keywords": ["a"], "topic": "x"}\\n{"id": 2, "keywords": []}\\n')
    >>> ids, kws, labels, report = read_labeled_collection(f, "topic")
    >>> ids, labels, report.missing_label
    (['1'], ['x'], [2])
    """
    if not isinstance(label_field, str) or not label_field:
        raise SimvecValueError(f"label_field must be a non-empty str, got {label_field!r}")
    return _read(source, id_field, keywords_field, on_error, format, sep,
                 label_field=label_field, on_missing_label=on_missing_label)


# --------------------------------------------------------------------------- Parquet
#
# A separate reader: Parquet is columnar and binary, so it shares nothing with the line readers
# above except the record checks. read_collection hands a Parquet source here (one branch at the
# top of its body).

PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet(source, format: str | None = None) -> bool:
    """Whether ``source`` is to be read as Parquet: ``format="parquet"``, or a path ending in
    ``.parquet`` / ``.pq`` with no other ``format`` given."""
    if format is not None:
        return format == "parquet"
    if isinstance(source, (str, os.PathLike)) and source != "-":
        return os.fspath(source).lower().endswith(PARQUET_SUFFIXES)
    return False


def _parquet_file(source, id_field: str, keywords_field: str):
    """(ParquetFile, display name), the two columns checked."""
    from simvec._util import import_optional

    pq = import_optional("pyarrow.parquet", needed_by="Parquet collections", package="pyarrow")
    path = os.fspath(source)
    if not os.path.exists(path):
        raise SimvecFileNotFoundError(f"keyword collection {path!r} does not exist")
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow.ArrowInvalid and OSError subclasses, by version
        raise InputFormatError(f"not a readable Parquet file ({exc})", path=path) from None
    names = pf.schema_arrow.names
    for f in (id_field, keywords_field):
        if f not in names:
            raise InputFormatError(
                f"no column {f!r} (columns: {', '.join(map(repr, names))}); set id_field / "
                "keywords_field to the names this file uses", path=path)
    return pf, path


def _parquet_keywords(value, keywords_field: str, sep: str):
    if isinstance(value, str):
        return split_keywords(value, sep=sep)
    if isinstance(value, list) and all(isinstance(k, str) for k in value):
        return value
    what = ("null" if value is None else "a list with non-strings" if isinstance(value, list)
            else type(value).__name__)
    raise ValueError(f"column {keywords_field!r} must be a list of strings or a "
                     f"comma-separated string, got {what}")


def iter_parquet_collection(source, *, id_field: str = "id", keywords_field: str = "keywords",
                            on_error: str = "raise", sep: str = ",;",
                            batch_size: int = 65_536):
    """Stream a Parquet keyword collection batch by batch (bounded memory).

    Only the two columns are read, ``batch_size`` rows at a time (pyarrow's
    ``ParquetFile.iter_batches``: one row group is decoded at a time), and each batch is checked
    as :func:`read_collection` checks a JSONL record. Ids are not checked for uniqueness across
    batches (:func:`read_parquet_collection` does; ``simvec.index.encode.encode_file`` too).

    Parameters
    ----------
    source : str or os.PathLike
        A Parquet file with an id column (string or integer) and a keywords column:
        ``list<string>`` (or ``large_list``), or a string of keywords separated by any character
        of ``sep`` (as a CSV cell).
    id_field, keywords_field : str
        Column names.
    on_error : {"raise", "skip"}
        A bad record (null or empty id, id neither string nor integer, keywords null or not
        strings): raise, or skip it and list it in the batch's ``skipped``.
    sep : str, default ",;"
        Separators of a string keywords column.
    batch_size : int, default 65,536
        Rows per batch.

    Yields
    ------
    first_row : int
        1-based row number of the batch's first row in the file.
    n_rows : int
        Rows in the batch (skipped ones included).
    rows : list of int
        1-based file row of each returned document.
    ids : list of str
    keyword_lists : list of list of str
    skipped : list of (int, str)
        ``(row, reason)`` of the records skipped, 1-based file rows.

    Raises
    ------
    InputFormatError
        Naming the file and row: a file pyarrow cannot read, a missing column (always), a bad
        record with ``on_error="raise"``.
    SimvecFileNotFoundError
        If the file does not exist.
    SimvecValueError
        Bad ``on_error`` or ``batch_size``.

    References
    ----------
    Apache Parquet format; reader: pyarrow ``pyarrow.parquet.ParquetFile.iter_batches``.
    """
    from simvec._util import check_positive_int

    if on_error not in ("raise", "skip"):
        raise SimvecValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    batch_size = check_positive_int("batch_size", batch_size)
    pf, name = _parquet_file(source, id_field, keywords_field)
    row0 = 1
    try:
        batches = pf.iter_batches(batch_size=batch_size, columns=[id_field, keywords_field])
        for batch in batches:
            id_col = batch.column(0).to_pylist()
            kw_col = batch.column(1).to_pylist()
            rows, ids, lists, skipped = [], [], [], []
            for r, (doc_id, kws) in enumerate(zip(id_col, kw_col), start=row0):
                try:
                    if doc_id is None:
                        raise ValueError(f"column {id_field!r} is null")
                    doc_id = _check_id(doc_id.strip() if isinstance(doc_id, str) else doc_id,
                                       id_field)
                    kws = _parquet_keywords(kws, keywords_field, sep)
                except ValueError as exc:
                    if on_error == "raise":
                        raise InputFormatError(
                            f"row {r}: {exc}; fix the record or pass on_error='skip'",
                            path=name) from None
                    skipped.append((r, str(exc)))
                    continue
                rows.append(r)
                ids.append(doc_id)
                lists.append(kws)
            yield row0, len(id_col), rows, ids, lists, skipped
            row0 += len(id_col)
    except InputFormatError:
        raise
    except (OSError, ValueError) as exc:  # a truncated or corrupt file, found while decoding
        raise InputFormatError(f"unreadable Parquet data near row {row0} ({exc})",
                               path=name) from None


def read_parquet_collection(source, *, id_field: str = "id", keywords_field: str = "keywords",
                            on_error: str = "raise", sep: str = ",;"
                            ) -> tuple[list[str], list[list[str]], CollectionReport]:
    """Read a whole Parquet keyword collection (what :func:`read_collection` does for a
    ``.parquet`` / ``.pq`` file or ``format="parquet"``).

    Streams through :func:`iter_parquet_collection` and checks ids for uniqueness across the
    file. The report's ``skipped`` holds ``(row, reason)`` with 1-based row numbers and its
    ``format`` is ``"parquet"``.

    Parameters
    ----------
    source : str or os.PathLike
    id_field, keywords_field, on_error, sep
        As in :func:`iter_parquet_collection`.

    Returns
    -------
    ids : list of str, length N
    keyword_lists : list of list of str, length N
    report : CollectionReport

    Raises
    ------
    InputFormatError, SimvecFileNotFoundError, SimvecValueError
        As in :func:`iter_parquet_collection`; also a duplicate id (naming both rows).

    Examples
    --------
    >>> import os, tempfile
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> path = os.path.join(tempfile.mkdtemp(), "docs.parquet")
    >>> pq.write_table(pa.table({"id": ["a", "b"], "keywords": [["AI", "robots"], ["ML"]]}), path)
    >>> read_parquet_collection(path)[:2]
    (['a', 'b'], [['AI', 'robots'], ['ML']])
    """
    report = CollectionReport(source=os.fspath(source), format="parquet")
    ids: list[str] = []
    lists: list[list[str]] = []
    first_row: dict[str, int] = {}
    for _, _, b_rows, b_ids, b_lists, skipped in iter_parquet_collection(
            source, id_field=id_field, keywords_field=keywords_field, on_error=on_error, sep=sep):
        report.skipped.extend(skipped)
        for r, doc_id, kws in zip(b_rows, b_ids, b_lists):
            if doc_id in first_row:
                why = f"duplicate id {doc_id!r} (first on row {first_row[doc_id]})"
                if on_error == "raise":
                    raise InputFormatError(f"row {r}: {why}; fix the record or pass "
                                           "on_error='skip'", path=report.source)
                report.skipped.append((r, why))
                continue
            first_row[doc_id] = r
            ids.append(doc_id)
            lists.append(kws)
    report.n_documents = len(ids)
    if report.skipped:
        logger.warning("%s: skipped %d malformed record(s): %s", report.source,
                       len(report.skipped), report.skipped[0][1])
    return ids, lists, report
