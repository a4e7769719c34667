"""Labelled text data sets for classification: IMDB, SST-2, AG News, ChnSentiCorp and any table.

Every loader returns a :class:`DatasetSplits` (a training and an evaluation :class:`TextDataset`)
whose labels are ``int64`` class indices into ``label_names``. Empty texts are reported through
``logging``, skipped and counted in ``notes`` / ``n_skipped``; nothing is silently dropped.

Without a path, a loader reads the data set from the data home (``$SIMVEC_DATA``, else the user
cache directory; :func:`simvec.data.data_home`), where ``simvec data fetch NAME`` puts it; see
:func:`simvec.classify.locate.default_data_path` for the files looked for.

References
----------
.. [1] Maas, A. L. et al. (2011). Learning Word Vectors for Sentiment Analysis. ACL (IMDB).
.. [2] Socher, R. et al. (2013). Recursive Deep Models for Semantic Compositionality Over a
   Sentiment Treebank. EMNLP (SST-2, as distributed by GLUE).
.. [3] Zhang, X., Zhao, J. and LeCun, Y. (2015). Character-level Convolutional Networks for Text
   Classification. NeurIPS (AG News).
.. [4] Tan, S. and Zhang, J. (2008). An empirical study of sentiment analysis for Chinese documents.
   Expert Systems with Applications (ChnSentiCorp; hotel subset from SophonPlus/ChineseNlpCorpus).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import re
import tarfile
from pathlib import Path

import numpy as np

from simvec.classify.splits import (  # noqa: F401  (re-exported)
    DatasetSplits,
    TextDataset,
    _drop_empty,
    _skip_note,
    split_dataset,
)
from simvec.classify.tables import check_label_spellings, read_rows
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError

__all__ = [  # the containers and the split are re-exported from .splits
    "TextDataset",
    "DatasetSplits",
    "load_imdb",
    "load_sst2",
    "load_agnews",
    "load_chnsenticorp",
    "load_table",
    "load_dataset",
    "split_dataset",
]

logger = logging.getLogger(__name__)

AGNEWS_CLASSES = ["World", "Sports", "Business", "Sci/Tech"]
SENTIMENT_CLASSES = ["negative", "positive"]


# ------------------------------------------------------------------------------------- helpers
def _existing(path, name: str) -> Path:
    """``path`` if it exists; with ``path=None`` the data set's place in the data home."""
    if path is None:
        from simvec.classify.locate import default_data_path

        return default_data_path(name)
    p = Path(path)
    if not p.exists():
        raise SimvecFileNotFoundError(f"data set path {str(p)!r} does not exist")
    return p


_IMDB_MEMBER = re.compile(r"(?:^|/)(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def load_imdb(path=None, limit: int | None = None, strip_html: bool = True) -> DatasetSplits:
    """The Large Movie Review Dataset (IMDB), 25,000 training and 25,000 test reviews [1]_.

    Reads ``aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`` straight from the ``.tar.gz``
    (streamed with :mod:`tarfile`, never unpacked) or from an unpacked ``aclImdb`` folder.
    Each split holds 12,500 negative (rating <= 4) and 12,500 positive (rating >= 7) reviews.

    Parameters
    ----------
    path : str or Path, optional
        The archive or the unpacked folder (``aclImdb`` itself or its parent). Default: the
        data home's copy (``simvec data fetch imdb``; :func:`simvec.classify.locate.default_data_path`).
    limit : int, optional
        At most this many reviews per split, ``limit // 2`` per class (the lowest review ids, so
        the subset is balanced and the same on every run). For quick tests and small-data runs.
    strip_html : bool, default True
        Replace the ``<br />`` line breaks the reviews carry with a space.

    Returns
    -------
    DatasetSplits
        ``train`` and ``test``; labels ``int64``, ``0 = neg``, ``1 = pos``; texts ordered by
        (class, review id).

    Raises
    ------
    SimvecFileNotFoundError
        If ``path`` does not exist, or (no ``path``) the data set is not in the data home: the
        message says to run ``simvec data fetch NAME``.
    InputFormatError
        If no review files are found there.

    References
    ----------
    .. [1] Maas, A. L., Daly, R. E., Pham, P. T., Huang, D., Ng, A. Y. and Potts, C. (2011).
       Learning Word Vectors for Sentiment Analysis. ACL, 142-150.

    Examples
    --------
    >>> from simvec.classify import load_imdb
    >>> imdb = load_imdb(limit=100)  # doctest: +SKIP
    >>> imdb.sizes  # doctest: +SKIP
    {'train': 100, 'test': 100}
    """
    p = _existing(path, "imdb")
    if limit is not None and (int(limit) != limit or limit < 2):
        raise SimvecValueError(f"`limit` must be an integer >= 2 (reviews per split), got {limit!r}")
    per_class = None if limit is None else int(limit) // 2
    found: dict = {}  # (split, label) -> list of (id, text)

    def add(name: str, read) -> None:
        m = _IMDB_MEMBER.search(name.replace(os.sep, "/"))
        if m is None:
            return
        split, pol, rid = m.group(1), m.group(2), int(m.group(3))
        found.setdefault((split, int(pol == "pos")), []).append((rid, read))

    if p.is_dir():
        root = p / "aclImdb" if (p / "aclImdb").is_dir() else p
        for split in ("train", "test"):
            for pol in ("neg", "pos"):
                d = root / split / pol
                if d.is_dir():
                    for f in d.iterdir():
                        add(f"{split}/{pol}/{f.name}", f)
        texts_of = lambda item: item.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    else:
        try:
            with tarfile.open(p, mode="r|*") as tar:  # streaming: one pass over the archive
                for member in tar:
                    if member.isfile() and _IMDB_MEMBER.search(member.name):
                        data = tar.extractfile(member).read()
                        add(member.name, data.decode("utf-8", errors="replace"))
        except tarfile.TarError as exc:
            raise InputFormatError(f"not a readable tar archive: {exc}", path=str(p)) from exc
        texts_of = lambda item: item  # noqa: E731

    splits = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for lab in (0, 1):
            items = sorted(found.get((split, lab), []), key=lambda t: t[0])
            if not items:
                raise InputFormatError(
                    f"no reviews under aclImdb/{split}/{('neg', 'pos')[lab]}/ "
                    f"(expected <id>_<rating>.txt files)", path=str(p))
            if per_class is not None:
                items = items[:per_class]
            for _, item in items:
                t = texts_of(item)
                if strip_html:
                    t = t.replace("<br />", " ").replace("<br/>", " ")
                texts.append(t)
                labels.append(lab)
        texts, labels, n_skip = _drop_empty(texts, labels, f"{p} ({split})")
        note = (f"IMDB {split} split (Maas et al. 2011)"
                + (f", limited to the {per_class} lowest ids per class" if per_class else "")
                + (", <br /> replaced by spaces" if strip_html else "") + ". " + _skip_note(n_skip))
        splits[split] = TextDataset(texts, labels, list(SENTIMENT_CLASSES), source=f"{p}:{split}",
                                    notes=note, n_skipped=n_skip)
    return DatasetSplits(splits["train"], splits["test"], name="imdb",
                         notes="the original IMDB train/test split")


# ------------------------------------------------------------------------------------- tables
def _open_text(p: Path):
    if p.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8-sig", newline="")
    return open(p, encoding="utf-8-sig", newline="")


def _guess_format(p: Path) -> str:
    suffixes = [s.lower() for s in p.suffixes if s.lower() != ".gz"]
    ext = suffixes[-1] if suffixes else ""
    fmt = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(ext)
    if fmt is None:
        raise SimvecValueError(
            f"cannot tell the format of {str(p)!r} from its name: pass format='csv', 'tsv' or 'jsonl'")
    return fmt


def _label_order(names) -> list:
    names = set(names)
    try:
        return sorted(names, key=lambda s: (float(s), s))
    except ValueError:
        return sorted(names)


def load_table(path, text_column: str, label_column: str, format: str | None = None,
               label_names=None) -> TextDataset:
    """Any CSV, TSV or JSONL file with a text column and a label column, as one :class:`TextDataset`.

    CSV and TSV files need a header row naming the columns; TSV is read without quoting (as GLUE
    ships it: fields hold no tabs or newlines). JSONL holds one object per line. ``.gz`` files are
    read compressed. Rows whose text is empty are logged, skipped and counted.

    Parameters
    ----------
    path : str or Path
        The file.
    text_column, label_column : str
        Names of the text and label columns (JSON keys for JSONL).
    format : {'csv', 'tsv', 'jsonl'}, optional
        Default: from the file's suffix (``.csv``, ``.tsv``/``.tab``, ``.jsonl``/``.ndjson``).
    label_names : list of str, optional
        Class order to use; default: the label values found, in sorted order (numerically when all
        of them are numbers, so ``"2" < "10"``). Label ``k`` of the result is ``label_names[k]``.

    Returns
    -------
    TextDataset
        ``labels`` of shape (n,), dtype int64.

    Raises
    ------
    SimvecFileNotFoundError
        If ``path`` does not exist.
    InputFormatError
        If a named column is missing (the message lists the columns the file has), a row is too
        short, a JSON line is invalid, or a label is not in ``label_names``; names file and line.
    SimvecValueError
        If the format cannot be guessed.
    """
    p = Path(path)
    if not p.exists():
        raise SimvecFileNotFoundError(f"data file {str(p)!r} does not exist")
    fmt = (format or _guess_format(p)).lower()
    texts, raw = read_rows(p, fmt, text_column, label_column)
    texts, raw, n_skip = _drop_empty(texts, raw, str(p))
    if label_names is None:
        check_label_spellings(raw, p)
    names = [str(n) for n in label_names] if label_names is not None else _label_order(raw)
    index = {n: k for k, n in enumerate(names)}
    unknown = sorted(set(raw) - set(index))
    if unknown:
        raise InputFormatError(f"label(s) {unknown[:10]} not among label_names {names}", path=str(p))
    labels = np.fromiter((index[r] for r in raw), dtype=np.int64, count=len(raw))
    return TextDataset(list(texts), labels, names, source=str(p),
                       notes=_skip_note(n_skip), n_skipped=n_skip)


# ------------------------------------------------------------------------------------- SST-2
def load_sst2(path=None) -> DatasetSplits:
    """SST-2, the binary Stanford Sentiment Treebank as distributed by GLUE [1]_.

    ``train.tsv`` (67,349 phrases and sentences) and ``dev.tsv`` (872 sentences), TSV with a header;
    the text column is found from the header (``sentence`` in train, ``content`` in dev). The
    labelled ``test.tsv`` (1,821) is not used here; read it with :func:`load_table`.

    Parameters
    ----------
    path : str or Path, optional
        The folder holding ``train.tsv`` and ``dev.tsv``. Default: the data home's copy
        (``simvec data fetch sst2``, unpacked once; :func:`simvec.classify.locate.default_data_path`).

    Returns
    -------
    DatasetSplits
        ``train`` and ``test`` (= ``dev``, ``test_name="dev"``); labels int64,
        ``0 = negative``, ``1 = positive``.

    Raises
    ------
    SimvecFileNotFoundError
        If the folder or one of its two files does not exist, or (no ``path``) the data set is
        not in the data home: the message says to run ``simvec data fetch sst2``.
    InputFormatError
        If a header lacks a ``label`` column or a text column.

    References
    ----------
    .. [1] Socher, R., Perelygin, A., Wu, J., Chuang, J., Manning, C. D., Ng, A. and Potts, C.
       (2013). Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank. EMNLP.
    """
    root = _existing(path, "sst2")
    parts = {}
    for split in ("train", "dev"):
        f = root / f"{split}.tsv"
        if not f.exists():
            raise SimvecFileNotFoundError(f"SST-2 file {str(f)!r} does not exist")
        with open(f, encoding="utf-8-sig", newline="") as fh:
            header = [h.strip() for h in fh.readline().rstrip("\r\n").split("\t")]
        text_col = next((c for c in ("sentence", "content", "text") if c in header), None)
        if "label" not in header or text_col is None:
            raise InputFormatError(
                f"expected a 'label' column and a 'sentence'/'content'/'text' column; the header has "
                f"columns {header}", path=str(f), line=1)
        ds = load_table(f, text_col, "label", format="tsv", label_names=["0", "1"])
        ds.label_names = list(SENTIMENT_CLASSES)
        ds.notes = f"SST-2 {split} (GLUE; Socher et al. 2013). " + ds.notes
        parts[split] = ds
    return DatasetSplits(parts["train"], parts["dev"], name="sst2", test_name="dev",
                         notes="GLUE train/dev split; dev is the evaluation split")


# ------------------------------------------------------------------------------------- AG News
def load_agnews(path=None, seed: int = 0) -> DatasetSplits:
    """AG News [1]_, 4 topic classes; here a stratified 80/20 split of its 7,600-row test split.

    Only the official test split (1,900 rows per class) is available locally, so it is split
    6,080 / 1,520 (1,520 / 380 per class) with a seeded, stratified
    :func:`sklearn.model_selection.train_test_split`. Figures on it are not comparable to
    published AG News results, which train on the 120,000-row train split.

    The CSV has no header: ``class (1-4), title, description``. The text is
    ``title + " " + description``, with the backslashes the corpus uses for line breaks replaced
    by spaces.

    Parameters
    ----------
    path : str or Path, optional
        The CSV file. Default: the data home's ``test.csv`` (``simvec data fetch agnews``,
        unpacked once; :func:`simvec.classify.locate.default_data_path`).
    seed : int, default 0
        Seed of the split.

    Returns
    -------
    DatasetSplits
        Labels int64 ``0..3`` = World, Sports, Business, Sci/Tech.

    Raises
    ------
    SimvecFileNotFoundError
        If ``path`` does not exist, or (no ``path``) the data set is not in the data home: the
        message says to run ``simvec data fetch NAME``.
    InputFormatError
        If a row does not have 3 fields or its class is not 1-4 (names file and line).

    References
    ----------
    .. [1] Zhang, X., Zhao, J. and LeCun, Y. (2015). Character-level Convolutional Networks for
       Text Classification. NeurIPS.
    """
    p = _existing(path, "agnews")
    texts, labels = [], []
    with _open_text(p) as fh:
        reader = csv.reader(fh)
        for row in reader:
            if not row:
                continue
            if len(row) != 3 or row[0].strip() not in ("1", "2", "3", "4"):
                raise InputFormatError(
                    f"expected 3 fields `class(1-4),title,description`, got {row[:3]!r}",
                    path=str(p), line=reader.line_num)
            text = (row[1].strip() + " " + row[2].strip()).replace("\\", " ").strip()
            texts.append(text)
            labels.append(int(row[0]) - 1)
    texts, labels, n_skip = _drop_empty(texts, labels, str(p))
    ds = TextDataset(texts, labels, list(AGNEWS_CLASSES), source=str(p),
                     notes="AG News test split only (Zhang et al. 2015). " + _skip_note(n_skip),
                     n_skipped=n_skip)
    return split_dataset(ds, 0.2, seed, name="agnews",
                         notes="only the 7,600-row AG News test split is available; the 80/20 split "
                               "is derived from it. ")


# ------------------------------------------------------------------------------------- ChnSentiCorp
def load_chnsenticorp(path=None, seed: int = 0) -> DatasetSplits:
    """ChnSentiCorp hotel reviews (Chinese, 7,766 rows), stratified, seeded 80/20 split.

    CSV with header ``label,review``, ``1 = positive``. The texts are raw Chinese; tokenise them
    (jieba) downstream. Rows with an empty review are logged, skipped and counted in ``notes``.

    Parameters
    ----------
    path : str or Path, optional
        The CSV. Default: ``zh/ChnSentiCorp_htl_all.csv`` in the data home
        (:func:`simvec.classify.locate.default_data_path`).
    seed : int, default 0
        Seed of the split.

    Returns
    -------
    DatasetSplits
        Labels int64, ``0 = negative``, ``1 = positive``.

    Raises
    ------
    SimvecFileNotFoundError
        If ``path`` does not exist, or (no ``path``) the CSV is not in the data home.
    InputFormatError
        If the header lacks ``label`` or ``review`` (the message lists the columns).

    References
    ----------
    .. [1] Tan, S. and Zhang, J. (2008). An empirical study of sentiment analysis for Chinese
       documents. Expert Systems with Applications 34(4). Hotel subset as published in
       SophonPlus/ChineseNlpCorpus.
    """
    p = _existing(path, "chnsenticorp")
    ds = load_table(p, "review", "label", format="csv", label_names=["0", "1"])
    ds.label_names = list(SENTIMENT_CLASSES)
    ds.notes = "ChnSentiCorp hotel reviews. " + ds.notes
    return split_dataset(ds, 0.2, seed, name="chnsenticorp",
                         notes="no official split; the 80/20 split is derived here. ")


# ------------------------------------------------------------------------------------- dispatch
_NAMED = {"imdb": load_imdb, "sst2": load_sst2, "sst-2": load_sst2, "agnews": load_agnews,
          "ag_news": load_agnews, "chnsenticorp": load_chnsenticorp}


def load_dataset(name_or_path, **kw) -> DatasetSplits:
    """Load a named data set or a table file, as a :class:`DatasetSplits`.

    Parameters
    ----------
    name_or_path : str or Path
        ``"imdb"``, ``"sst2"``, ``"agnews"``, ``"chnsenticorp"`` (case-insensitive), or a CSV/TSV/JSONL
        file, which is read with :func:`load_table` and split with :func:`split_dataset`.
    **kw
        Passed to the named loader; for a file: ``text_column`` (default ``"text"``),
        ``label_column`` (default ``"label"``), ``format``, ``label_names``, ``test_size``
        (default 0.2) and ``seed`` (default 0).

    Returns
    -------
    DatasetSplits

    Raises
    ------
    SimvecFileNotFoundError
        If it is neither a known name nor an existing file (the message lists the names).
    """
    key = str(name_or_path).lower()
    if key in _NAMED and not Path(str(name_or_path)).is_file():
        return _NAMED[key](**kw)
    p = Path(name_or_path)
    if not p.exists():
        raise SimvecFileNotFoundError(
            f"{str(name_or_path)!r} is neither a known data set ({', '.join(sorted(set(_NAMED)))}) nor "
            f"an existing file")
    test_size = kw.pop("test_size", 0.2)
    seed = kw.pop("seed", 0)
    ds = load_table(p, kw.pop("text_column", "text"), kw.pop("label_column", "label"), **kw)
    return split_dataset(ds, test_size, seed, name=p.name)
