"""Keyword collections: read them (JSONL / CSV) and build their all-pairs top-k similarity table.

A collection is a set of documents, each with an id and a keyword list. :func:`read_collection`
reads one, reporting malformed lines by number; :func:`all_pairs_topk` finds, for every document,
the ``k`` other documents whose averaged keyword vectors are closest by cosine, with the Jaccard
overlap of the keyword sets beside it. The table is built in blocks (one sgemm plus a parallel
top-k merge per block, :func:`simvec._topk.dot_topk`), so memory stays bounded: 100,000
documents take well under a gigabyte beyond the word vectors.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from simvec._topk import dot_topk
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.similarity import _KeywordEncoder, _unit
from simvec.text.tokenize import normalize_keyword, split_keywords

__all__ = ["read_collection", "CollectionReport", "all_pairs_topk", "AllPairsTopK"]

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
        :func:`simvec.retrieval.read_labeled_collection` (``on_missing_label="skip"``); they are
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


def _jsonl_records(stream, id_field, keywords_field, label_field=None):
    """Yield (line, id, keywords, label) or (line, None, reason, None) for every non-blank line.

    ``label`` is None without ``label_field``, ``_NO_LABEL`` when the record has none.
    """
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"invalid JSON ({exc.msg} at column {exc.colno})", None
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
        if not isinstance(kws, list) or not all(isinstance(k, str) for k in kws):
            what = type(kws).__name__ if not isinstance(kws, list) else "a list with non-strings"
            yield lineno, None, (
                f"field {keywords_field!r} must be a list of strings, got {what}"
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
        other fields are ignored, blank lines skipped. The keywords field must be a JSON list of
        strings.
    CSV (``.csv``) / TSV (``.tsv``)
        A header row naming the columns, then one row per document; the keywords cell holds the
        keywords separated by any character of ``sep`` (default ``;`` or ``,``; quote the cell
        when it contains the column delimiter). Other columns are ignored.

    The format follows the extension (a trailing ``.gz`` is decompressed) unless ``format`` is
    given; standard input (``"-"``) and file objects without a telling name are read as JSONL.
    Files are read as UTF-8 (a BOM is ignored). Ids are returned as strings (JSON integers are
    converted) and must be unique.

    A malformed record (invalid JSON, not an object, a missing field, keywords not a list of
    strings, an empty or duplicate id, a short CSV row) raises with ``on_error="raise"``; with
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
    format : {"jsonl", "csv", "tsv"}, optional
        Overrides the extension.
    sep : str, default ",;"
        CSV/TSV only: characters separating keywords inside the keywords cell.

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
            records = _jsonl_records(stream, id_field, keywords_field, label_field)
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
    if report.skipped:
        logger.warning(
            "%s: skipped %d malformed record(s), first on line %d: %s",
            name, len(report.skipped), *report.skipped[0],
        )
    return ids, lists, labels, report


# --------------------------------------------------------------------------- all-pairs top-k


@dataclass
class AllPairsTopK:
    """The all-pairs top-k table of a keyword collection (result of :func:`all_pairs_topk`).

    Attributes
    ----------
    ids : list, length N
        Document ids, in input order.
    index : ndarray of int64, shape (N, k)
        ``index[i, r]`` is the position in ``ids`` of document i's (r+1)-th most similar other
        document; ``-1`` pads rows with fewer than k neighbours (documents without vector).
    cosine : ndarray of float32, shape (N, k)
        Score of the method (for ``"mean"`` the cosine of the mean keyword vectors), decreasing
        along each row; NaN where ``index`` is -1.
    jaccard : ndarray of float32, shape (N, k), or None
        Jaccard overlap of the keyword sets of the same pairs (None if not requested).
    no_vector : list
        Ids of documents with no in-vocabulary keyword (or no keyword); they have no neighbours
        and are nobody's neighbour.
    k : int
    method : str
    n_keywords, n_oov_keywords : int
        Keyword occurrences over all documents (after de-duplication within a document), and
        how many of them had no in-vocabulary token.
    """

    ids: list
    index: np.ndarray
    cosine: np.ndarray
    jaccard: np.ndarray | None
    no_vector: list
    k: int
    method: str = "sif_best_match"
    n_keywords: int = 0
    n_oov_keywords: int = 0

    def rows(self) -> Iterator[tuple]:
        """Yield ``(doc_id, rank, other_id, cosine, jaccard)`` for every neighbour.

        ``rank`` is 1-based; ``jaccard`` is None when it was not computed.
        """
        for i in range(len(self.ids)):
            yield from _rows_of(self, i)

    __iter__ = rows

    def neighbors(self, doc_id) -> list[tuple]:
        """``[(other_id, cosine, jaccard), ...]`` of one document, most similar first."""
        try:
            i = self.ids.index(doc_id)
        except ValueError:
            raise SimvecValueError(f"no document with id {doc_id!r}") from None
        return [(other, c, j) for _, _, other, c, j in _rows_of(self, i)]


def _rows_of(res: AllPairsTopK, i: int):
    for r in range(res.index.shape[1]):
        j = int(res.index[i, r])
        if j < 0:
            return
        yield (res.ids[i], r + 1, res.ids[j], float(res.cosine[i, r]),
               None if res.jaccard is None else float(res.jaccard[i, r]))


def _mean_rows(table: np.ndarray, groups: list[Sequence[int]], dim: int) -> np.ndarray:
    """Row g = mean of ``table[groups[g]]`` (zeros for an empty group), float32 (G, dim)."""
    lens = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter((x for g in groups for x in g), dtype=np.int64, count=int(lens.sum()))
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(lens, out=ptr[1:])
    weights = np.repeat(1.0 / np.maximum(lens, 1), lens).astype(np.float32)
    uniq = np.unique(flat)  # gather only the rows used (table may be a memory map)
    sub = np.asarray(table[uniq], dtype=np.float32).reshape(len(uniq), dim)
    cols = np.searchsorted(uniq, flat)
    avg = sp.csr_matrix((weights, cols, ptr), shape=(len(groups), len(uniq)))
    return np.asarray(avg @ sub, dtype=np.float32).reshape(len(groups), dim)


@njit(nogil=True, parallel=True, cache=True)
def _jaccard_pairs(ptr, keys, docs, nbrs, out):  # pragma: no cover - numba
    """``out[t, r]``: Jaccard of the key sets of ``docs[t]`` and ``nbrs[t, r]`` (NaN where -1)."""
    n, k = nbrs.shape
    for t in prange(n):
        a0 = ptr[docs[t]]
        a1 = ptr[docs[t] + 1]
        for r in range(k):
            j = nbrs[t, r]
            if j < 0:
                out[t, r] = np.nan
                continue
            b0 = ptr[j]
            b1 = ptr[j + 1]
            p = a0
            q = b0
            inter = 0
            while p < a1 and q < b1:
                x = keys[p]
                y = keys[q]
                if x == y:
                    inter += 1
                    p += 1
                    q += 1
                elif x < y:
                    p += 1
                else:
                    q += 1
            union = (a1 - a0) + (b1 - b0) - inter
            out[t, r] = inter / union if union > 0 else 0.0


def all_pairs_topk(
    ids: Sequence,
    keyword_lists: Sequence,
    kv,
    k: int = 10,
    method: str = "sif_best_match",
    chunk_size: int = 1024,
    include_jaccard: bool = True,
    tokenizer: Callable[[str], list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    **method_params,
) -> AllPairsTopK:
    """For every document, its ``k`` most similar other documents by keyword-list similarity.

    The default ``method="sif_best_match"`` (SIF-weighted token best-match alignment, the
    default of :func:`~simvec.similarity.keyword_similarity`, chosen in docs/keyword-quality.md)
    and any other method of :mod:`simvec.keyword_methods` go through
    :func:`simvec.keyword_methods.topk_neighbors`: the best-match methods in memory-bounded
    blocks whose time grows with the product of the collection's token counts (500 news
    articles of ~50 keyphrases: about 10 s on 2 cores), the others through the (N, N) matrix.
    ``method="mean"`` is the scalable path described next (100,000 documents in seconds).

    With ``method="mean"`` each document's vector is computed once, exactly as in
    :func:`~simvec.similarity.keyword_similarity` with ``method="mean"``: the mean of its raw
    keyword vectors, each the mean of its in-vocabulary token vectors (so the cosine here
    equals ``keyword_similarity(a, b, kv, method="mean").score``). Unit document vectors are
    then compared in blocks of ``chunk_size`` query documents against the whole collection with
    :func:`simvec._topk.dot_topk` (BLAS sgemm + a parallel top-k merge), the document itself
    excluded; the (N, N) score matrix never exists. The Jaccard overlap of the keyword sets is
    computed only for the k neighbours found.

    Documents with no in-vocabulary keyword get no neighbours and are listed in ``no_vector``.
    Ties in cosine keep input order.

    Parameters
    ----------
    ids : sequence, length N
        Unique document ids.
    keyword_lists : sequence of (list of str or str), length N
        Keyword lists; a str is split on ``,`` / ``;``. Empty lists are allowed (no vector).
    kv : KeyedVectors
    k : int, default 10
        Neighbours per document (fewer when the collection is smaller; rows are padded).
    method : str, default "sif_best_match"
        One of :data:`simvec.keyword_methods.METHODS`; ``"mean"`` scales to millions of pairs.
    chunk_size : int, default 1024
        Query documents per block (``progress`` is called after each). Scores are computed
        ``min(chunk_size, 256)`` rows by at most 65,536 columns at a time, so the score buffer
        never exceeds 64 MiB; with the keyword tables, 100,000 documents peak at about 0.5 GB
        of resident memory including GloVe 6B 50d (see ``bench/all_pairs.py``).
    include_jaccard : bool, default True
    tokenizer : callable, optional
        As in :func:`~simvec.similarity.keyword_similarity`.
    progress : callable (done, total), optional
        Called after each block with the number of documents (among those with a vector)
        scored so far and their total.
    **method_params
        Passed to :func:`simvec.keyword_methods.similarity_matrix` (``sif_a``, ``alpha``, ...).

    Returns
    -------
    AllPairsTopK
        Arrays ``index``, ``cosine``, ``jaccard`` of shape (N, k); iterate it (or call
        ``.rows()``) for ``(doc_id, rank, other_id, cosine, jaccard)`` tuples.

    Raises
    ------
    SimvecValueError
        If the lengths differ, an id repeats, ``k`` or ``chunk_size`` is not positive,
        ``method`` is not ``"mean"``, or a keyword list holds non-strings.

    References
    ----------
    Mitchell & Lapata (2010), "Composition in distributional models of semantics",
    Cognitive Science 34(8) (additive composition: averaging word vectors).
    Johnson, Douze & Jégou (2019), "Billion-scale similarity search with GPUs", IEEE Trans. Big
    Data (exact k-NN as blocked matrix products with a running top-k, the scheme used here).

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> res = all_pairs_topk(["d1", "d2", "d3"], [["cat"], ["kitten", "cat"], ["car"]], kv, k=1,
    ...                      method="mean")
    >>> [(d, o, round(c, 3), j) for d, _, o, c, j in res]
    [('d1', 'd2', 0.999, 0.5), ('d2', 'd1', 0.999, 0.5), ('d3', 'd2', 0.053, 0.0)]
    """
    from simvec.keyword_methods import METHODS, topk_neighbors

    if method not in METHODS:
        raise SimvecValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    ids = list(ids)
    n = len(ids)
    if len(keyword_lists) != n:
        raise SimvecValueError(
            f"{n} ids but {len(keyword_lists)} keyword lists; they must have the same length"
        )
    for name, value in (("k", k), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SimvecValueError(f"{name} must be a positive integer, got {value!r}")
    if len(set(ids)) != n:
        seen = set()
        dup = next(x for x in ids if x in seen or seen.add(x))
        raise SimvecValueError(f"document ids must be unique; {dup!r} repeats")
    k = int(k)
    enc = _KeywordEncoder(kv, tokenizer)

    # 1. Keyword vocabulary of the collection. Each distinct raw keyword is normalised once:
    #    spelling (whitespace collapsed, case kept) -> vector id; normalised key -> set id.
    #    Within a document, keywords with the same key count once (first spelling kept), exactly
    #    as in keyword_similarity.
    spell_id: dict[str, int] = {}
    key_id: dict[str, int] = {}
    raw: dict[str, tuple[int, int]] = {}
    doc_ptr = np.zeros(n + 1, dtype=np.int64)
    sids: list[int] = []  # vector id of every (document, keyword), documents concatenated
    kids: list[int] = []  # set id of the same entries, sorted within each document
    for i, kws in enumerate(keyword_lists):
        if isinstance(kws, str):
            kws = split_keywords(kws)
        elif not isinstance(kws, Iterable):
            raise SimvecValueError(
                f"keyword_lists[{i}] must be a str or a list of str, got {type(kws).__name__}"
            )
        seen: dict[int, int] = {}
        for kw in kws:
            e = raw.get(kw) if isinstance(kw, str) else None
            if e is None:
                if not isinstance(kw, str):
                    raise SimvecValueError(
                        f"keyword_lists[{i}] must hold str, got {type(kw).__name__} {kw!r}"
                    )
                key = normalize_keyword(kw)
                e = raw[kw] = (
                    (spell_id.setdefault(" ".join(kw.split()), len(spell_id)),
                     key_id.setdefault(key, len(key_id))) if key else (-1, -1)
                )
            if e[1] >= 0 and e[1] not in seen:
                seen[e[1]] = e[0]
        sids.extend(seen.values())
        kids.extend(sorted(seen))
        doc_ptr[i + 1] = len(sids)
    spellings = list(spell_id)
    del raw, spell_id, key_id
    doc_sids = np.array(sids, dtype=np.int64)
    doc_kids = np.array(kids, dtype=np.int64)
    del sids, kids

    # 2. Keyword vectors: mean of the raw vectors of the in-vocabulary tokens.
    kw_rows = [enc.rows(s) for s in spellings]
    kw_ok = np.fromiter((bool(r) for r in kw_rows), dtype=bool, count=len(kw_rows))
    if method != "mean":  # every other method: simvec.keyword_methods, then Jaccard of the top k
        index, score, valid = topk_neighbors(keyword_lists, kv, method, k, tokenizer=tokenizer,
                                             progress=progress, **method_params)
        jac = None
        if include_jaccard:
            jac = np.empty(index.shape, dtype=np.float32)
            _jaccard_pairs(doc_ptr, doc_kids, np.arange(n, dtype=np.int64), index, jac)
        return AllPairsTopK(
            ids=ids, index=index, cosine=score, jaccard=jac,
            no_vector=[ids[i] for i in np.flatnonzero(~valid)], k=k, method=method,
            n_keywords=len(doc_sids), n_oov_keywords=int(len(doc_sids) - kw_ok[doc_sids].sum()),
        )
    kw_vec = _mean_rows(enc.vectors, kw_rows, enc.vectors.shape[1])
    del kw_rows, spellings, enc

    # 3. Document vectors: mean of the in-vocabulary keyword vectors (an (N, U) sparse average).
    ok = kw_ok[doc_sids]
    n_keywords = len(doc_sids)
    n_oov = int(n_keywords - ok.sum())
    doc_of = np.repeat(np.arange(n), np.diff(doc_ptr))
    per_doc = np.bincount(doc_of[ok], minlength=n)  # in-vocabulary keywords per document
    valid = per_doc > 0
    valid_pos = np.flatnonzero(valid)  # row r of the matrix is document valid_pos[r]
    m = len(valid_pos)
    weights = ok / np.repeat(np.maximum(per_doc, 1), np.diff(doc_ptr))
    avg = sp.csr_matrix((weights.astype(np.float32), doc_sids, doc_ptr),
                        shape=(n, len(kw_vec)))[valid_pos]
    matrix = _unit(np.asarray(avg @ kw_vec, dtype=np.float32))
    del avg, weights, ok, doc_sids, kw_vec
    no_vector = [ids[i] for i in np.flatnonzero(~valid)]
    if no_vector:
        logger.info("all_pairs_topk: %d of %d documents have no in-vocabulary keyword",
                    len(no_vector), n)

    # 4. Blocked top-k, self excluded, then Jaccard of the neighbours found.
    index = np.full((n, k), -1, dtype=np.int64)
    cosine = np.full((n, k), np.nan, dtype=np.float32)
    jac = np.full((n, k), np.nan, dtype=np.float32) if include_jaccard else None
    kk = min(k, m - 1)
    for c0 in range(0, m, chunk_size) if kk > 0 else ():
        c1 = min(m, c0 + chunk_size)
        self_rows = np.arange(c0, c1, dtype=np.int64)[:, None]
        idx, val = dot_topk(matrix[c0:c1], matrix, kk, exclude=self_rows,
                            block_rows=min(chunk_size, 256))
        docs = valid_pos[c0:c1]
        found = idx >= 0
        nbrs = np.where(found, valid_pos[np.maximum(idx, 0)], -1)
        index[docs, :kk] = nbrs
        cosine[docs, :kk] = np.where(found, np.clip(val, -1.0, 1.0), np.nan)
        if include_jaccard:
            out = np.empty(nbrs.shape, dtype=np.float32)
            _jaccard_pairs(doc_ptr, doc_kids, docs, nbrs, out)
            jac[docs, :kk] = out
        if progress is not None:
            progress(c1, m)
    return AllPairsTopK(
        ids=ids, index=index, cosine=cosine, jaccard=jac, no_vector=no_vector, k=k,
        method=method, n_keywords=n_keywords, n_oov_keywords=n_oov,
    )
