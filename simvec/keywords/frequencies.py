"""Word-count tables: counting a corpus, reading and writing the table, the one simvec ships.

SIF weights ``a / (a + p(w))`` (:mod:`simvec.keywords.weighting`) need unigram probabilities
``p(w)``. Arora, Liang & Ma (2017) counted them on English Wikipedia; simvec ships a table counted
on the public unlabelled English text of its shared data (:data:`SHIPPED_COUNTS`):

* 318 Project Gutenberg books (Dickens, Twain, Doyle; public domain), 18.4M tokens;
* the 50,000 unlabelled IMDB reviews of Maas et al. (2011) (``aclImdb/train/unsup``; the
  labelled train and test reviews are left out), 12.2M tokens;
* the Lee news corpus (Lee, Pincombe & Welsh 2005, via gensim's test data), 65k tokens;

30,674,741 tokens in all, tokenised by :func:`simvec.text.tokenize.tokenize` (lowercased, the
GloVe 6B convention); the 73,354 tokens seen at least 5 times are listed (a rarer word has
``p(w) < 1.7e-7`` and a SIF weight above 0.9998 at ``a = 1e-3``, so the cut changes no weight by
more than 2e-4). ``python bench/word_frequencies.py`` rebuilds it from ``../shared/data``.

The file format (UTF-8, optionally gzip-compressed, ``.gz``): ``#`` lines are comments, of which
``# total_tokens<TAB>N`` gives the corpus size (without it the counts are summed); every other
non-blank line is ``word<TAB>count`` with a positive integer count, each word once.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError

__all__ = ["WordCounts", "SHIPPED_COUNTS", "count_words", "read_word_counts",
           "write_word_counts", "shipped_word_counts"]

#: The table simvec ships (see the module docstring for its sources).
SHIPPED_COUNTS = Path(__file__).resolve().parent / "data" / "word_counts_en.tsv.gz"

_TOTAL = "# total_tokens\t"


class WordCounts:
    """A word-count table: ``counts`` (word -> int) and the corpus size ``total``.

    Attributes
    ----------
    counts : dict of str -> int
    total : int
        Tokens in the corpus (at least the sum of ``counts``: a table cut at a minimum count
        keeps the full corpus size, so that ``counts[w] / total`` is the corpus probability).
    path : str
        The file read ("" for a table built in memory).
    """

    def __init__(self, counts: dict, total: int | None = None, path: str = ""):
        s = sum(counts.values())
        self.counts = dict(counts)
        self.total = int(s if total is None else total)
        self.path = path
        if self.total <= 0 or self.total < s:
            raise SimvecValueError(
                f"{path + ': ' if path else ''}total_tokens must be positive and at least the sum "
                f"of the counts ({s}), got {self.total}")

    def __len__(self) -> int:
        return len(self.counts)

    def probability(self, word: str) -> float:
        """``count / total`` (0.0 for a word not listed)."""
        return self.counts.get(word, 0) / self.total


def count_words(texts: Iterable[str], tokenizer: Callable[[str], list] | None = None) -> Counter:
    """Token counts of ``texts``.

    Parameters
    ----------
    texts : iterable of str
        Lines, sentences or documents.
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize` (lowercasing), the tokenizer the keyword
        and phrase methods use, so that the counted spellings are the looked-up ones.

    Returns
    -------
    collections.Counter
        token -> count.

    Raises
    ------
    SimvecValueError
        If an item of ``texts`` is not a str.
    """
    if tokenizer is None:
        from simvec.text.tokenize import tokenize as tokenizer
    c: Counter = Counter()
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise SimvecValueError(f"texts[{i}] must be a str, got {type(t).__name__}")
        c.update(tokenizer(t))
    return c


def _open_binary(name: str):
    return gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")


def read_word_counts(path) -> WordCounts:
    """Read a word-count table (format in the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        A ``word<TAB>count`` file, gzip-compressed when its name ends in ``.gz``.

    Returns
    -------
    WordCounts

    Raises
    ------
    SimvecFileNotFoundError
        If the file does not exist.
    InputFormatError
        Naming file and line: a line without exactly one tab, a count that is not a positive
        integer, a word listed twice, a malformed ``# total_tokens`` line, invalid UTF-8 or
        gzip data, or no word at all.
    """
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise SimvecFileNotFoundError(f"no such word-count file: {name}")
    counts: dict = {}
    total = None
    lineno = 0
    try:
        with _open_binary(name) as fh:
            for lineno, raw_line in enumerate(fh, 1):
                try:
                    line = raw_line.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError as exc:
                    raise InputFormatError(f"not valid UTF-8 ({exc.reason})", path=name,
                                           line=lineno) from None
                if lineno == 1:
                    line = line.removeprefix("\ufeff")
                if line.startswith(_TOTAL):
                    raw = line[len(_TOTAL):].strip()
                    if not raw.isdigit():
                        raise InputFormatError(f"total_tokens {raw!r} is not a positive integer",
                                               path=name, line=lineno)
                    total = int(raw)
                    continue
                if line.startswith("#") or not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) != 2 or not parts[0]:
                    raise InputFormatError(
                        f"expected 'word<TAB>count', got {len(parts)} field(s)", path=name,
                        line=lineno)
                word, raw = parts
                if not raw.strip().isdigit() or int(raw) <= 0:
                    raise InputFormatError(f"count {raw!r} of {word!r} is not a positive integer",
                                           path=name, line=lineno)
                if word in counts:
                    raise InputFormatError(f"word {word!r} is listed twice", path=name,
                                           line=lineno)
                counts[word] = int(raw)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise InputFormatError(f"unreadable ({exc})", path=name) from None
    if not counts:
        raise InputFormatError("no 'word<TAB>count' line", path=name)
    try:
        return WordCounts(counts, total, name)
    except SimvecValueError as exc:
        raise InputFormatError(str(exc).split(": ", 1)[-1], path=name) from None


def write_word_counts(path, counts, *, total: int | None = None, min_count: int = 1,
                      comments: Iterable[str] = ()) -> int:
    """Write a word-count table, most frequent first (ties by word), gzip when ``.gz``.

    Parameters
    ----------
    path : str or os.PathLike
    counts : mapping str -> int
    total : int, optional
        Corpus size written as ``# total_tokens``; default the sum of all ``counts`` (before
        the ``min_count`` cut).
    min_count : int, default 1
        Words counted fewer times are left out (``total`` still counts them).
    comments : iterable of str
        Lines written first, each prefixed by ``# `` (sources, tokenizer).

    Returns
    -------
    int
        The number of words written.

    Raises
    ------
    SimvecValueError
        If a word is empty or holds a tab or newline, or a count is not a positive integer.
    """
    total = sum(counts.values()) if total is None else int(total)
    rows = sorted(((w, n) for w, n in counts.items() if n >= min_count),
                  key=lambda x: (-x[1], x[0]))
    for w, n in rows:
        if not isinstance(w, str) or not w or any(ch in w for ch in "\t\r\n"):
            raise SimvecValueError(f"word {w!r} is empty or holds a tab or line break")
        if not isinstance(n, int) or n <= 0:
            raise SimvecValueError(f"count of {w!r} must be a positive integer, got {n!r}")
    name = os.fspath(path)
    opener = (lambda: gzip.GzipFile(name, "wb", compresslevel=9, mtime=0)) \
        if name.endswith(".gz") else (lambda: open(name, "wb"))
    body = "".join(f"# {c}\n" for c in comments) + f"{_TOTAL}{total}\n" + \
        "".join(f"{w}\t{n}\n" for w, n in rows)
    with opener() as fh:
        fh.write(body.encode("utf-8"))
    return len(rows)


@lru_cache(maxsize=1)
def shipped_word_counts() -> WordCounts:
    """The table simvec ships (:data:`SHIPPED_COUNTS`), read once per process (about 0.1 s).

    Returns
    -------
    WordCounts
        73,354 words, ``total`` 30,674,741 tokens (sources in the module docstring).
    """
    return read_word_counts(SHIPPED_COUNTS)
