"""Vocabulary for word2vec: counts, ``min_count``, ``max_vocab_size`` pruning, subsampling, noise.

Everything here mirrors word2vec.c (Mikolov et al. 2013) and gensim's ``Word2Vec`` vocabulary:

* words are counted in one streaming pass; when ``max_vocab_size`` is set and the number of
  distinct words exceeds it, every word seen at most ``min_reduce`` times is dropped and
  ``min_reduce`` grows by one (word2vec.c ``ReduceVocab``; checked after every sentence);
* words seen fewer than ``min_count`` times are dropped; the rest are sorted by count, most
  frequent first (ties keep first-seen order, as gensim);
* subsampling keeps an occurrence of word ``w`` with probability
  ``min(1, (sqrt(c_w / (s * T)) + 1) * (s * T) / c_w)`` with ``s = sample`` and ``T`` the number
  of retained tokens (word2vec.c's formula, also gensim's);
* negatives are drawn from ``c_w ** ns_exponent`` (0.75 by default), here with Walker's alias
  method: O(1) per draw from two arrays of vocabulary size (word2vec.c uses a 1e8-entry table,
  gensim a cumulative table with binary search; all sample the same distribution).

References
----------
Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations of Words and
Phrases and their Compositionality", NIPS. word2vec.c, https://code.google.com/archive/p/word2vec/.
gensim ``gensim/models/word2vec.py`` (``prepare_vocab``, ``make_cum_table``).
Walker (1977), "An efficient method for generating discrete random variables with general
distributions", ACM TOMS 3(3).
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["Vocabulary", "encode_corpus", "alias_table"]

log = logging.getLogger(__name__)

_CHUNK_WORDS = 1 << 20


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker / Vose alias table for sampling index ``i`` with probability ``weights[i] / sum``.

    Draw: ``i`` uniform in ``[0, n)``, ``u`` uniform 32-bit integer; the sample is ``i`` if
    ``u < threshold[i]`` else ``alias[i]``.

    Parameters
    ----------
    weights : ndarray, float, shape (n,)
        Non-negative, not all zero.

    Returns
    -------
    threshold : ndarray, int64, shape (n,)
        Acceptance thresholds in ``[0, 2**32]``.
    alias : ndarray, int32, shape (n,)

    Raises
    ------
    SimvecValueError
        If ``weights`` is empty, negative somewhere or sums to zero.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = w.size
    if n == 0 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise SimvecValueError("alias_table needs finite non-negative weights with a positive sum")
    prob = w * (n / w.sum())
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if prob[i] < 1.0]
    large = [i for i in range(n) if prob[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large[-1]
        alias[s] = g
        prob[g] -= 1.0 - prob[s]
        if prob[g] < 1.0:
            large.pop()
            small.append(g)
    for i in large + small:  # numerical leftovers are (close to) 1
        prob[i] = 1.0
    threshold = np.minimum(np.round(prob * 2.0**32), 2.0**32).astype(np.int64)
    return threshold, alias


class Vocabulary:
    """Word counts of a corpus after ``min_count`` / ``max_vocab_size``, most frequent first.

    Build it with :meth:`build` (one streaming pass over the corpus) or :meth:`from_counts`.

    Parameters
    ----------
    index_to_key : list of str
        Retained words, most frequent first.
    counts : array_like of int, shape (n_words,)
        Their counts.
    raw_words : int
        Tokens seen in the corpus, all words (also those dropped).
    sentences : int
        Non-empty sentences seen.
    min_count : int
        The threshold that was applied.

    Attributes
    ----------
    key_to_index : dict of str to int
    counts : ndarray, int64, shape (n_words,)
    retained_words : int
        Sum of ``counts``: tokens of the corpus that are in the vocabulary.
    """

    def __init__(self, index_to_key, counts, raw_words: int, sentences: int, min_count: int = 1):
        self.index_to_key = list(index_to_key)
        self.counts = np.asarray(counts, dtype=np.int64)
        if self.counts.shape != (len(self.index_to_key),):
            raise SimvecValueError(
                f"{len(self.index_to_key)} words but counts of shape {self.counts.shape}")
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}
        self.raw_words = int(raw_words)
        self.sentences = int(sentences)
        self.min_count = int(min_count)

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def __repr__(self) -> str:
        return (f"Vocabulary({len(self)} words, {self.retained_words} of {self.raw_words} tokens "
                f"retained, min_count={self.min_count})")

    @property
    def retained_words(self) -> int:
        return int(self.counts.sum())

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_counts(cls, counts: dict, min_count: int = 5, raw_words: int | None = None,
                    sentences: int = 0) -> "Vocabulary":
        """Apply ``min_count`` to a ``{word: count}`` mapping and sort by count (stable).

        Raises
        ------
        SimvecValueError
            If ``counts`` is empty ("empty corpus"), or no word reaches ``min_count`` (the
            message names the threshold and the largest count seen).
        """
        _check_int("min_count", min_count, 1)
        if not counts:
            raise SimvecValueError("the corpus is empty: it has no tokens to build a vocabulary from")
        words = [w for w, c in counts.items() if c >= min_count]
        if not words:
            top, top_c = max(counts.items(), key=lambda kv: kv[1])
            raise SimvecValueError(
                f"no word occurs min_count={min_count} times or more (the most frequent, {top!r}, "
                f"occurs {top_c} time(s)); lower min_count or give a larger corpus")
        c = np.fromiter((counts[w] for w in words), dtype=np.int64, count=len(words))
        order = np.argsort(-c, kind="stable")
        total = int(sum(counts.values())) if raw_words is None else raw_words
        return cls([words[i] for i in order], c[order], total, sentences, min_count)

    @classmethod
    def build(cls, corpus: Iterable[list[str]], min_count: int = 5,
              max_vocab_size: int | None = None, progress=None) -> "Vocabulary":
        """Count the words of ``corpus`` in one pass and apply ``max_vocab_size`` / ``min_count``.

        Parameters
        ----------
        corpus : iterable of list of str
            Sentences (e.g. :class:`simvec.text.corpus.LineSentence`).
        min_count : int, default 5
            Drop words seen fewer times.
        max_vocab_size : int, optional
            Bound on distinct words held while counting (word2vec.c pruning, see module
            docstring); ``None`` means no bound.
        progress : callable, optional
            Called as ``progress(words_so_far)`` every ~1M words.

        Returns
        -------
        Vocabulary

        Raises
        ------
        SimvecValueError
            Invalid ``min_count`` / ``max_vocab_size``, an empty corpus, or no word reaching
            ``min_count``.
        TypeError
            If a sentence is a ``str`` instead of a list of tokens.
        """
        _check_int("min_count", min_count, 1)
        if max_vocab_size is not None:
            _check_int("max_vocab_size", max_vocab_size, 1)
        t0 = time.perf_counter()
        counts: Counter = Counter()
        raw = 0
        sentences = 0
        min_reduce = 1
        pending: list[str] = []
        next_report = _CHUNK_WORDS
        for sent in corpus:
            if isinstance(sent, str):
                raise TypeError(
                    "a corpus yields lists of tokens, got a str; wrap raw text in TextCorpus "
                    "or split it first")
            if not sent:
                continue
            sentences += 1
            raw += len(sent)
            if max_vocab_size is None:
                pending.extend(sent)
                if len(pending) >= _CHUNK_WORDS:
                    counts.update(pending)
                    pending = []
            else:
                counts.update(sent)
                if len(counts) > max_vocab_size:
                    before = len(counts)
                    for w in [w for w, c in counts.items() if c <= min_reduce]:
                        del counts[w]
                    log.debug("pruned %d words seen <= %d times", before - len(counts), min_reduce)
                    min_reduce += 1
            if progress is not None and raw >= next_report:
                progress(raw)
                next_report = raw + _CHUNK_WORDS
        counts.update(pending)
        vocab = cls.from_counts(counts, min_count=min_count, raw_words=raw, sentences=sentences)
        log.info("vocabulary: %d words of %d distinct (min_count=%d), %d of %d tokens retained, "
                 "%d sentences, %.1f s", len(vocab), len(counts), min_count,
                 vocab.retained_words, raw, sentences, time.perf_counter() - t0)
        return vocab

    # ------------------------------------------------------------------ sampling tables
    def keep_probability(self, sample: float) -> np.ndarray:
        """Probability of keeping each occurrence under subsampling (word2vec.c's formula).

        Parameters
        ----------
        sample : float
            ``0`` disables subsampling (all probabilities 1).

        Returns
        -------
        ndarray, float64, shape (n_words,)
        """
        if not sample >= 0:
            raise SimvecValueError(f"sample must be >= 0, got {sample}")
        c = self.counts.astype(np.float64)
        if sample == 0:
            return np.ones_like(c)
        thr = sample * self.retained_words
        p = (np.sqrt(c / thr) + 1.0) * thr / c
        return np.minimum(p, 1.0)

    def sample_ints(self, sample: float) -> np.ndarray:
        """:meth:`keep_probability` as 32-bit thresholds (keep when ``threshold >= rand32``).

        Returns
        -------
        ndarray, int64, shape (n_words,), values in ``[0, 2**32]``.
        """
        return np.round(self.keep_probability(sample) * 2.0**32).astype(np.int64)

    def noise_distribution(self, ns_exponent: float = 0.75) -> np.ndarray:
        """The negative-sampling distribution ``c_w ** ns_exponent / sum``, float64 (n_words,)."""
        w = self.counts.astype(np.float64) ** float(ns_exponent)
        return w / w.sum()

    def noise_table(self, ns_exponent: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
        """Alias table (threshold int64, alias int32) of :meth:`noise_distribution`."""
        return alias_table(self.noise_distribution(ns_exponent))

    # ------------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        """JSON-able dict (words, counts and totals) for the model's sidecar file."""
        return {"index_to_key": self.index_to_key, "counts": self.counts.tolist(),
                "raw_words": self.raw_words, "sentences": self.sentences,
                "min_count": self.min_count}

    @classmethod
    def from_json(cls, d: dict) -> "Vocabulary":
        """Inverse of :meth:`to_json`, checking every field.

        Raises
        ------
        SimvecValueError
            A field is missing or has the wrong type or value (``vocab.counts[3] must be a
            non-negative integer``); words must be distinct non-empty strings, one count each.
        """
        if not isinstance(d, dict):
            raise SimvecValueError(f"vocab must be a JSON object, got {type(d).__name__}")
        for key in ("index_to_key", "counts", "raw_words", "sentences", "min_count"):
            if key not in d:
                raise SimvecValueError(f"vocab.{key} is missing")
        words, counts = d["index_to_key"], d["counts"]
        if not isinstance(words, list) or not isinstance(counts, list):
            raise SimvecValueError("vocab.index_to_key and vocab.counts must be lists")
        if len(words) != len(counts):
            raise SimvecValueError(
                f"vocab has {len(words)} words but {len(counts)} counts")
        for i, w in enumerate(words):
            if not isinstance(w, str) or not w:
                raise SimvecValueError(f"vocab.index_to_key[{i}] must be a non-empty string, "
                                       f"got {w!r:.60}")
        if len(set(words)) != len(words):
            seen = set()
            dup = next(w for w in words if w in seen or seen.add(w))
            raise SimvecValueError(f"vocab.index_to_key holds {dup!r:.60} twice")
        for i, c in enumerate(counts):
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < 2**63:
                raise SimvecValueError(
                    f"vocab.counts[{i}] must be a non-negative integer, got {c!r:.60}")
        for key, lo in (("raw_words", 0), ("sentences", 0), ("min_count", 1)):
            v = d[key]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v < 2**63:
                raise SimvecValueError(f"vocab.{key} must be an integer >= {lo}, got {v!r:.60}")
        return cls(words, counts, d["raw_words"], d["sentences"], d["min_count"])


def encode_corpus(corpus: Iterable[list[str]], vocab: Vocabulary, progress=None,
                  cache_dir=None):
    """Map a corpus to word ids, dropping out-of-vocabulary tokens (as gensim and word2vec.c do).

    Parameters
    ----------
    corpus : iterable of list of str
    vocab : Vocabulary
    progress : callable, optional
        ``progress(raw_words_so_far)`` every ~1M words.
    cache_dir : str or Path, optional
        Write the ids to an anonymous (already unlinked) file in this directory and return a
        memory map of it, so the operating system keeps in RAM only what fits: corpora larger
        than memory can be trained. The disk space (4 bytes per in-vocabulary token) is
        reserved up front, so a full disk raises ``OSError`` here rather than crashing later.
        ``None``: an ordinary in-memory array.

    Returns
    -------
    ids : ndarray, int32, shape (n_tokens,)
        In-vocabulary tokens of all sentences, concatenated (memory-mapped with ``cache_dir``).
    starts : ndarray, int64, shape (n_sentences + 1,)
        Sentence ``s`` is ``ids[starts[s]:starts[s + 1]]``; sentences left empty are dropped.
    raw_words : int
        All tokens read, in-vocabulary or not.
    """
    get = vocab.key_to_index.get
    # the vocabulary's counts give the exact size for the corpus it was built from: fill one
    # array in place (no concatenation peak); grow it if the corpus turns out larger
    def alloc(n):
        return np.empty(n, dtype=np.int32) if cache_dir is None else _file_array(cache_dir, n)

    out = alloc(max(vocab.retained_words, 1))
    n_out = 0
    len_parts: list[np.ndarray] = []
    words: list[str] = []
    lens: list[int] = []
    raw = 0
    next_report = _CHUNK_WORDS

    def flush():
        nonlocal out, n_out
        ids = np.fromiter(map(get, words, repeat(-1)), dtype=np.int32, count=len(words))
        ln = np.asarray(lens, dtype=np.int64)
        keep = ids >= 0
        sent = np.repeat(np.arange(ln.size), ln)
        kept = np.bincount(sent[keep], minlength=ln.size)
        ids = ids[keep]
        if n_out + ids.size > out.size:
            bigger = alloc(max(2 * out.size, n_out + ids.size))
            bigger[:n_out] = out[:n_out]
            out = bigger
        out[n_out:n_out + ids.size] = ids
        n_out += ids.size
        len_parts.append(kept[kept > 0])
        words.clear()
        lens.clear()

    for sent in corpus:
        if isinstance(sent, str):
            raise TypeError("a corpus yields lists of tokens, got a str")
        if not sent:
            continue
        words.extend(sent)
        lens.append(len(sent))
        if len(words) >= _CHUNK_WORDS:
            raw += len(words)
            flush()
            if progress is not None and raw >= next_report:
                progress(raw)
                next_report = raw + _CHUNK_WORDS
    raw += len(words)
    flush()
    if cache_dir is not None:
        ids = out[:n_out]  # a view of the map; the unused tail of the file costs disk only
    else:
        ids = out[:n_out] if n_out == out.size else out[:n_out].copy()
    lengths = np.concatenate(len_parts) if len_parts else np.zeros(0, np.int64)
    starts = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return ids, starts, raw


def _file_array(directory, size: int) -> np.ndarray:
    """A writable int32 array of ``size`` backed by an unlinked file in ``directory``."""
    import mmap
    import tempfile

    directory = Path(directory)
    if not directory.is_dir():
        raise SimvecValueError(f"cache_dir {str(directory)!r} is not a directory")
    nbytes = 4 * int(size)
    fd, name = tempfile.mkstemp(prefix="simvec-ids-", suffix=".int32", dir=directory)
    try:
        os.unlink(name)  # nothing is left behind, whatever happens to the process
        try:
            os.posix_fallocate(fd, 0, nbytes)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise OSError(exc.errno, f"cannot reserve {nbytes / 2**20:.0f} MiB for the "
                              f"encoded corpus in {directory}: {exc.strerror}") from None
            os.ftruncate(fd, nbytes)  # file system without fallocate: a sparse file
        buf = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)  # the map keeps the file alive
    return np.frombuffer(buf, dtype=np.int32)


def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SimvecValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
