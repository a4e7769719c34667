"""Streaming corpus readers: one sentence per line, raw text with a tokenizer, .gz/.bz2, folders.

A corpus is anything that can be iterated *more than once* and yields lists of ``str`` tokens
(gensim's convention). The readers here stream from disk on every pass and never hold the corpus
in memory whole; :func:`build_benchmark_corpus` writes the ~42M-word English corpus the word2vec
benchmark runs on.

Decoding policy (``unicode_errors``): ``"strict"`` (default) raises
:class:`~simvec.errors.InputFormatError` naming the file, the 1-based line number and the byte
offset of the bad byte; ``"replace"`` decodes the bad bytes to U+FFFD; ``"ignore"`` drops them;
``"skip"`` drops the whole line. With the last three, the number of affected lines and the first
one are logged once per file at WARNING level.
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import re
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from simvec._util import atomic_write
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.text.tokenize import get_tokenizer

__all__ = [
    "LineSentence",
    "TextCorpus",
    "open_text",
    "corpus_files",
    "build_benchmark_corpus",
]

log = logging.getLogger(__name__)

_POLICIES = ("strict", "replace", "ignore", "skip")


def open_text(path) -> io.BufferedIOBase:
    """Open ``path`` for binary reading, decompressing gzip / bzip2 (detected by magic bytes).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    binary file object

    Raises
    ------
    SimvecFileNotFoundError
        (a ``FileNotFoundError``) if ``path`` does not exist.
    """
    p = Path(path)
    if not p.is_file():
        raise SimvecFileNotFoundError(f"no such corpus file: {p}")
    with open(p, "rb") as f:
        head = f.read(3)
    if head.startswith(b"\x1f\x8b"):
        return gzip.open(p, "rb")
    if head.startswith(b"BZh"):
        return bz2.open(p, "rb")
    return open(p, "rb")


def corpus_files(source) -> list[Path]:
    """The files of a corpus source: a file, or every regular file (recursively, sorted) of a folder.

    Hidden files (name starting with ``.``) in a folder are left out.

    Raises
    ------
    SimvecFileNotFoundError
        If ``source`` does not exist.
    SimvecValueError
        If a folder holds no files.
    """
    p = Path(source)
    if p.is_file():
        return [p]
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        if not files:
            raise SimvecValueError(f"corpus folder {p} holds no files")
        return files
    raise SimvecFileNotFoundError(f"no such corpus file or folder: {p}")


def _check_policy(unicode_errors: str) -> None:
    if unicode_errors not in _POLICIES:
        raise SimvecValueError(
            f"unicode_errors must be one of {', '.join(_POLICIES)}, got {unicode_errors!r}"
        )


#: what a damaged compressed stream raises while it is read
_DECOMPRESS_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, OSError, ValueError)


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of one file; a truncated or corrupt ``.gz`` / ``.bz2`` stream
    raises :class:`InputFormatError` naming the file and the line where reading stopped."""
    lineno = 0
    with open_text(path) as f:
        it = iter(f)
        while True:
            try:
                raw = next(it)
            except StopIteration:
                return
            except _DECOMPRESS_ERRORS as exc:
                kind = "bzip2" if isinstance(f, bz2.BZ2File) else "gzip"
                raise InputFormatError(
                    f"the compressed ({kind}) data is truncated or corrupt after {lineno} "
                    f"complete line(s): {exc or type(exc).__name__}", path=str(path),
                    line=lineno + 1) from None
            lineno += 1
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte-order mark is not part of the first word
            yield lineno, raw


def _lines(path: Path, unicode_errors: str) -> Iterator[str]:
    """Decoded lines of one file under the decoding policy (line terminators stripped)."""
    bad = 0
    first = None
    for lineno, raw in _raw_lines(path):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if unicode_errors == "strict":
                raise InputFormatError(
                    f"invalid UTF-8 at byte {exc.start} of the line ({exc.reason}); pass "
                    "unicode_errors='replace', 'ignore' or 'skip' to read past it",
                    path=str(path), line=lineno,
                ) from None
            bad += 1
            first = first or lineno
            if unicode_errors == "skip":
                continue
            line = raw.decode("utf-8", errors=unicode_errors)
        yield line.rstrip("\r\n")
    if bad:
        log.warning("%s: %d line(s) with invalid UTF-8 (first: line %d), policy %r",
                    path, bad, first, unicode_errors)


class LineSentence:
    """A corpus of one sentence per line, tokens separated by whitespace (word2vec.c's input).

    Re-iterable: each ``for`` opens the files again and streams them; nothing is kept in memory.
    Mirrors gensim's ``LineSentence`` / ``PathLineSentences``: a folder means all its files in
    sorted order; long lines are cut into pieces of at most ``max_sentence_length`` tokens.

    Parameters
    ----------
    source : str, path-like, or list of them
        A text file (plain, ``.gz`` or ``.bz2``; compression detected from the bytes) or a folder.
    max_sentence_length : int, default 10000
        Lines longer than this are yielded as several sentences (gensim's ``MAX_WORDS_IN_BATCH``).
    limit : int, optional
        Read only the first ``limit`` lines of each file.
    unicode_errors : {"strict", "replace", "ignore", "skip"}, default "strict"
        What to do with a line that is not valid UTF-8 (see the module docstring).

    Yields
    ------
    list of str
        The tokens of one line; blank lines yield nothing.

    Raises
    ------
    SimvecFileNotFoundError
        If a file or folder does not exist (raised at construction).
    InputFormatError
        While iterating, for invalid UTF-8 under ``unicode_errors="strict"``, naming file and line.

    References
    ----------
    Mikolov et al. (2013), word2vec.c (``ReadWord``); gensim ``gensim.models.word2vec.LineSentence``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "c.txt")
    >>> _ = open(p, "w").write("the cat sat\\n\\nthe dog\\n")
    >>> list(LineSentence(p))
    [['the', 'cat', 'sat'], ['the', 'dog']]
    """

    def __init__(self, source, max_sentence_length: int = 10000, limit: int | None = None,
                 unicode_errors: str = "strict"):
        sources = source if isinstance(source, (list, tuple)) else [source]
        self.files = [f for s in sources for f in corpus_files(s)]
        if max_sentence_length < 1:
            raise SimvecValueError(
                f"max_sentence_length must be a positive integer, got {max_sentence_length}")
        _check_policy(unicode_errors)
        self.max_sentence_length = int(max_sentence_length)
        self.limit = limit
        self.unicode_errors = unicode_errors

    def __repr__(self) -> str:
        return f"LineSentence({len(self.files)} file(s), first {str(self.files[0])!r})"

    def _split(self, line: str) -> list[str]:
        return line.split()

    def __iter__(self) -> Iterator[list[str]]:
        m = self.max_sentence_length
        for path in self.files:
            for i, line in enumerate(_lines(path, self.unicode_errors)):
                if self.limit is not None and i >= self.limit:
                    break
                if not line or line.isspace():
                    continue
                toks = self._split(line)
                if not toks:
                    continue
                if len(toks) <= m:
                    yield toks
                else:
                    for k in range(0, len(toks), m):
                        yield toks[k:k + m]


class TextCorpus(LineSentence):
    """Raw text, one sentence / paragraph / document per line, split by a tokenizer.

    Like :class:`LineSentence` but each line goes through ``tokenizer`` instead of a whitespace
    split: by default :func:`simvec.text.tokenize.tokenize` (NFC, lowercase, regex words with
    inner hyphens and apostrophes), or ``"jieba"`` for Chinese (optional extra, imported on
    first use), or any callable ``str -> list[str]``.

    Parameters
    ----------
    source : str, path-like, or list of them
        File(s) or folder(s); ``.gz`` / ``.bz2`` are decompressed.
    tokenizer : {"regex", "jieba", "whitespace"} or callable, default "regex"
    lowercase : bool, default True
        Passed to the built-in tokenizers (ignored for a callable).
    max_sentence_length, limit, unicode_errors
        As in :class:`LineSentence`.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "raw.txt")
    >>> _ = open(p, "w").write("The Cat's toy, a state-of-the-art one!\\n")
    >>> list(TextCorpus(p))
    [['the', 'cat', "'s", 'toy', 'a', 'state-of-the-art', 'one']]
    """

    def __init__(self, source, tokenizer="regex", lowercase: bool = True,
                 max_sentence_length: int = 10000, limit: int | None = None,
                 unicode_errors: str = "strict"):
        super().__init__(source, max_sentence_length, limit, unicode_errors)
        self._tok = get_tokenizer(tokenizer, lowercase)

    def _split(self, line: str) -> list[str]:
        return self._tok(line)


# ---------------------------------------------------------------------------- benchmark corpus
_AZ = re.compile(r"[a-z]+")
_BR = re.compile(r"<br\s*/?>", re.I)


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    buf: list[str] = []
    for line in lines:
        if line.strip():
            buf.append(line)
        elif buf:
            yield " ".join(buf)
            buf = []
    if buf:
        yield " ".join(buf)


def _norm(text: str) -> str:
    return " ".join(_AZ.findall(text.lower()))


def build_benchmark_corpus(data_dir, out, progress: bool = False) -> dict:
    """Write the word2vec benchmark corpus: Gutenberg books + all 100k IMDB reviews, ``[a-z]+``.

    Reads ``corpus/gutenberg_en.txt.gz`` (paragraphs = runs of non-blank lines) and every review
    of ``imdb/aclImdb_labeled.tar.gz`` and ``imdb/aclImdb_unsup.tar.gz`` (``<br />`` tags
    removed), lowercases, keeps the tokens matching ``[a-z]+`` and writes one paragraph or review
    per line (lines without tokens are dropped), about 42M words and 250 MB. The file is written
    atomically (temporary file, then rename).

    Parameters
    ----------
    data_dir : str or path-like
        The shared data folder (``../shared/data``).
    out : str or path-like
        Output text file; its folder must exist.
    progress : bool, default False
        Log a line per input part.

    Returns
    -------
    dict
        ``{"path", "lines", "words", "gutenberg_words", "imdb_reviews"}``.

    Raises
    ------
    SimvecFileNotFoundError
        If an input file is missing.
    """
    data = Path(data_dir)
    gut = data / "corpus" / "gutenberg_en.txt.gz"
    tars = [data / "imdb" / "aclImdb_labeled.tar.gz", data / "imdb" / "aclImdb_unsup.tar.gz"]
    for p in [gut, *tars]:
        if not p.is_file():
            raise SimvecFileNotFoundError(f"benchmark corpus input missing: {p}")
    stats = {"path": str(out), "lines": 0, "words": 0, "gutenberg_words": 0, "imdb_reviews": 0}

    def emit(f, text: str) -> int:
        norm = _norm(text)
        if not norm:
            return 0
        f.write(norm.encode("ascii"))
        f.write(b"\n")
        stats["lines"] += 1
        n = norm.count(" ") + 1
        stats["words"] += n
        return n

    def writer(f):
        with gzip.open(gut, "rt", encoding="utf-8", errors="replace") as g:
            for para in _paragraphs(g):
                stats["gutenberg_words"] += emit(f, para)
        if progress:
            log.info("gutenberg: %d words", stats["gutenberg_words"])
        for tar in tars:
            with tarfile.open(tar, "r:gz") as t:
                for m in t:
                    if not (m.isfile() and m.name.endswith(".txt") and "/" in m.name
                            and m.name.split("/")[-2] in ("pos", "neg", "unsup")):
                        continue
                    text = t.extractfile(m).read().decode("utf-8", errors="replace")
                    emit(f, _BR.sub(" ", text))
                    stats["imdb_reviews"] += 1
            if progress:
                log.info("%s: %d reviews so far", tar.name, stats["imdb_reviews"])

    atomic_write([(Path(out), writer)])
    return stats
