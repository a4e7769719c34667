"""Word weights for weighted keyword vectors: SIF (Arora et al. 2017) and IDF.

* :func:`zipf_probabilities` estimates unigram probabilities from vocabulary ranks with Zipf's
  law. Pretrained vocabularies (GloVe, word2vec, fastText ``.vec``) are stored most frequent first
  (GloVe 6B's row 0 is ``the``), so a word's row is its frequency rank; no corpus is needed.
* :func:`corpus_probabilities` gives the vocabulary rows the probabilities of a word-count table
  counted on a corpus: by default the one simvec ships
  (:data:`simvec.keywords.frequencies.SHIPPED_COUNTS`, 30.7M tokens of public unlabelled English
  text), Arora et al.'s own recipe (they counted English Wikipedia).
* :func:`sif_weights` turns probabilities into the smooth inverse frequency weights
  ``a / (a + p(w))`` of Arora, Liang & Ma (2017).
* :func:`idf_weights` is scikit-learn's smoothed inverse document frequency over a collection.
* :func:`usif_parameter`, :func:`usif_weights` and :func:`usif_word_weights` are the weights
  ``a / (a/2 + p(w))`` of uSIF (Ethayarajh 2018), whose ``a`` is computed from the vocabulary's
  probabilities and the average sentence length instead of being chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["zipf_probabilities", "corpus_probabilities", "word_probabilities", "sif_weights",
           "zipf_sif_weights", "idf_weights", "SIF_A", "PROBABILITY_SOURCES", "usif_parameter",
           "usif_weights", "usif_word_weights"]

#: Names :func:`word_probabilities` accepts besides arrays and files.
PROBABILITY_SOURCES = ("zipf", "corpus")

#: Arora et al. (2017)'s recommended SIF smoothing constant (they report a in [1e-4, 1e-3] works).
SIF_A = 1e-3

_EULER_GAMMA = 0.5772156649015329


def zipf_probabilities(n: int) -> np.ndarray:
    """Unigram probabilities of a frequency-sorted vocabulary of ``n`` words, by Zipf's law.

    Zipf's law with exponent 1 gives the word of rank ``r`` (1-based) the probability
    ``p(r) = 1 / (r * H_n)``, where ``H_n = sum_{i=1..n} 1/i`` (computed as
    ``ln n + gamma + 1/(2n)``) makes the probabilities sum to 1. Row ``i`` of the vectors has
    rank ``i + 1``. This holds for vocabularies saved most frequent first, as GloVe 6B (the
    default vectors), word2vec and fastText ``.vec`` files are; for any other order pass real
    probabilities to :func:`sif_weights`.

    Parameters
    ----------
    n : int
        Vocabulary size (positive).

    Returns
    -------
    ndarray of float64, shape (n,)
        Decreasing probabilities summing to 1 (to within 1e-6).

    Raises
    ------
    SimvecValueError
        If ``n`` is not a positive integer.

    References
    ----------
    Zipf, G. K. (1949), *Human Behavior and the Principle of Least Effort*.
    Piantadosi, S. T. (2014), "Zipf's word frequency law in natural language", Psychonomic
    Bulletin & Review 21(5) (rank-frequency exponent close to 1 for English).

    Examples
    --------
    >>> p = zipf_probabilities(400_000)
    >>> round(float(p.sum()), 6), bool(p[0] > p[1] > p[-1])
    (1.0, True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SimvecValueError(f"n must be a positive integer, got {n!r}")
    harmonic = np.log(n) + _EULER_GAMMA + 1.0 / (2 * n)
    return 1.0 / (np.arange(1, n + 1, dtype=np.float64) * harmonic)


def corpus_probabilities(vocabulary, counts=None) -> np.ndarray:
    """Unigram probabilities of every vocabulary row from a word-count table.

    ``p(w) = count(w) / total``, the table's corpus size as denominator. A word the table does
    not list gets ``p = 0`` (SIF weight 1), as in Arora et al.'s reference code
    (PrincetonML/SIF, ``data_io.getWeight``); the shipped table leaves out words seen fewer than
    5 times in 30.7M tokens, whose weight would be above 0.9998 anyway.

    Parameters
    ----------
    vocabulary : KeyedVectors, sequence of str, or mapping str -> int
        The rows' words: ``kv.index_to_key`` is read from vectors, a sequence gives row ``i``
        the word ``vocabulary[i]``, a mapping gives each word its row (rows ``0..len-1``).
    counts : WordCounts, str, os.PathLike or mapping str -> int, optional
        A table (:class:`~simvec.keywords.frequencies.WordCounts`), a file for
        :func:`~simvec.keywords.frequencies.read_word_counts`, or plain counts (the corpus size
        is then their sum). Default: the table simvec ships
        (:func:`~simvec.keywords.frequencies.shipped_word_counts`). Words are looked up as
        spelled in ``vocabulary`` (the shipped table is lowercased, like GloVe 6B).

    Returns
    -------
    ndarray of float64, shape (V,)
        Probabilities in [0, 1], V = the vocabulary size.

    Raises
    ------
    SimvecValueError
        If ``vocabulary`` is empty, a mapping's rows are not ``0..len-1``, or ``counts`` is of
        another type.
    InputFormatError, SimvecFileNotFoundError
        From reading a table file.

    References
    ----------
    Arora, S., Liang, Y. & Ma, T. (2017), "A simple but tough-to-beat baseline for sentence
    embeddings", ICLR (word frequencies counted on English Wikipedia).

    Examples
    --------
    >>> p = corpus_probabilities(["the", "of", "serendipity"])
    >>> bool(p[0] > p[1] > p[2] > 0)
    True
    """
    import os

    from simvec.keywords import frequencies as fq

    if counts is None:
        table = fq.shipped_word_counts()
    elif isinstance(counts, fq.WordCounts):
        table = counts
    elif isinstance(counts, (str, os.PathLike)):
        table = fq.read_word_counts(counts)
    elif isinstance(counts, Mapping):
        table = fq.WordCounts(counts)
    else:
        raise SimvecValueError(
            "counts must be a WordCounts, a word-count file or a mapping word -> count, got "
            f"{type(counts).__name__}")
    if hasattr(vocabulary, "index_to_key"):
        vocabulary = vocabulary.index_to_key
    if isinstance(vocabulary, Mapping):
        rows = np.fromiter(vocabulary.values(), np.int64, len(vocabulary))
        if len(rows) and (rows.min() < 0 or rows.max() >= len(rows)
                          or len(np.unique(rows)) != len(rows)):
            raise SimvecValueError("a vocabulary mapping must give its words the rows 0..len-1")
        words = [None] * len(rows)
        for w, r in vocabulary.items():
            words[r] = w
    else:
        words = list(vocabulary)
    if not words:
        raise SimvecValueError("the vocabulary is empty")
    get, total = table.counts.get, float(table.total)
    return np.fromiter((get(w, 0) for w in words), np.float64, len(words)) / total


def word_probabilities(source, vocabulary) -> np.ndarray | None:
    """The probabilities a ``word_probabilities`` option names, for ``vocabulary``'s rows.

    Parameters
    ----------
    source : None, "zipf", "corpus", str / os.PathLike (a word-count file), or array_like
        ``None`` and ``"zipf"``: ``None`` (the caller uses :func:`zipf_probabilities`);
        ``"corpus"``: :func:`corpus_probabilities` with the shipped table; a path: with that
        table; an array: returned as float64.
    vocabulary : KeyedVectors, sequence of str or mapping str -> int
        As for :func:`corpus_probabilities` (not read for ``None``, ``"zipf"`` or an array).

    Returns
    -------
    ndarray of float64, shape (V,), or None

    Raises
    ------
    SimvecValueError
        A string that is neither a source name nor an existing file.
    """
    import os

    if source is None or (isinstance(source, str) and source == "zipf"):
        return None
    if isinstance(source, str) and source == "corpus":
        return corpus_probabilities(vocabulary)
    if isinstance(source, (str, os.PathLike)):
        if not os.path.isfile(source):
            raise SimvecValueError(
                f"word_probabilities must be one of {', '.join(PROBABILITY_SOURCES)}, a "
                f"word-count file or an array; no such file: {os.fspath(source)}")
        return corpus_probabilities(vocabulary, source)
    return np.asarray(source, dtype=np.float64)


def sif_weights(n_or_probabilities, a: float = SIF_A) -> np.ndarray:
    """Smooth inverse frequency weights ``a / (a + p(w))`` for every vocabulary row.

    Arora, Liang & Ma (2017) weight each word vector of a sentence by ``a / (a + p(w))`` before
    averaging: frequent words (``p(w) >> a``) are damped, rare words weigh about 1.

    Parameters
    ----------
    n_or_probabilities : int or array_like of float, shape (V,)
        A vocabulary size (probabilities then come from :func:`zipf_probabilities`, i.e. the
        vocabulary is assumed sorted most frequent first), or the unigram probabilities of
        every row, e.g. corpus counts divided by their sum.
    a : float, default 1e-3
        Smoothing constant (positive); Arora et al. recommend 1e-4 to 1e-3.

    Returns
    -------
    ndarray of float32, shape (V,)
        Weights in (0, 1].

    Raises
    ------
    SimvecValueError
        If ``a`` is not positive, or probabilities are not a 1-D array of values in [0, 1].

    References
    ----------
    Arora, S., Liang, Y. & Ma, T. (2017), "A simple but tough-to-beat baseline for sentence
    embeddings", ICLR. https://openreview.net/forum?id=SyK00v5xx

    Examples
    --------
    >>> w = sif_weights(400_000)
    >>> bool(w[0] < 0.05 < 0.99 < w[-1])      # "the" is damped, rare words are not
    True
    """
    if not (isinstance(a, (int, float, np.floating)) and a > 0):
        raise SimvecValueError(f"a must be a positive number, got {a!r}")
    if isinstance(n_or_probabilities, (int, np.integer)) and not isinstance(
        n_or_probabilities, bool
    ):
        return _zipf_sif_weights(int(n_or_probabilities), float(a)).copy()
    else:
        p = np.asarray(n_or_probabilities, dtype=np.float64)
        if p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1)):
            raise SimvecValueError(
                "probabilities must be a non-empty 1-D array of values in [0, 1], got shape "
                f"{p.shape}"
            )
    return (a / (a + p)).astype(np.float32)


def zipf_sif_weights(n: int, a: float = SIF_A) -> np.ndarray:
    """:func:`sif_weights` of a Zipf vocabulary of ``n`` words, cached per ``(n, a)`` and
    returned **read-only** without a copy (the scorers' hot path; ``a`` must be positive).

    Returns
    -------
    ndarray of float32, shape (n,), not writeable
    """
    return _zipf_sif_weights(int(n), float(a))


@lru_cache(maxsize=8)
def _zipf_sif_weights(n: int, a: float) -> np.ndarray:
    """SIF weights of a Zipf vocabulary of ``n`` words, computed once per (n, a): 400,000
    words take ~18 ms, most of a single ``keyword_similarity`` call (read-only array)."""
    w = (a / (a + zipf_probabilities(n))).astype(np.float32)
    w.flags.writeable = False
    return w


def idf_weights(documents: Iterable[Iterable]) -> dict:
    """Smoothed inverse document frequency of every term of a collection.

    ``idf(t) = ln((1 + N) / (1 + df(t))) + 1``, scikit-learn's ``TfidfVectorizer(smooth_idf=True)``
    formula: N documents, ``df(t)`` the number of documents containing ``t`` (a term repeated in
    one document counts once). Every weight is >= 1, so no term is dropped.

    Parameters
    ----------
    documents : iterable of iterable of hashable
        Each document's terms (tokens, vocabulary rows, keywords).

    Returns
    -------
    dict
        ``{term: idf}`` (float) for every term seen.

    References
    ----------
    Spärck Jones, K. (1972), "A statistical interpretation of term specificity and its
    application in retrieval", Journal of Documentation 28(1).
    scikit-learn ``TfidfVectorizer``, https://scikit-learn.org/stable/modules/feature_extraction.html

    Examples
    --------
    >>> w = idf_weights([["cat", "dog"], ["cat"], ["cat", "cat"]])
    >>> round(w["cat"], 3), round(w["dog"], 3)
    (1.0, 1.693)
    """
    df: dict = {}
    n = 0
    for doc in documents:
        n += 1
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    return {t: float(np.log((1 + n) / (1 + c)) + 1.0) for t, c in df.items()}


# --------------------------------------------------------------------------- uSIF


def usif_parameter(probabilities, n: float) -> float:
    """uSIF's smoothing constant ``a``, computed from the vocabulary and the sentence length.

    Ethayarajh (2018) derives ``a`` instead of tuning it: with ``|V|`` the vocabulary size and
    ``n`` the expected sentence length (the random walk's length),
    ``threshold = 1 - (1 - 1/|V|)^n``, ``alpha`` the fraction of the vocabulary whose
    probability exceeds the threshold, ``Z = |V| / 2`` and ``a = (1 - alpha) / (alpha Z)``.
    This is ``uSIF.__init__`` of the reference code (github.com/kawine/usif, ``usif.py``),
    where the vocabulary is that of the word-probability table.

    Parameters
    ----------
    probabilities : array_like of float, shape (V,)
        The probability of every word of the vocabulary (a word-count table's counts divided
        by its corpus size, or :func:`zipf_probabilities`); ``|V| = V``.
    n : float
        Average sentence length in tokens (positive). The reference code uses 11 for the STS
        tasks and says it should be estimated on a representative sample of the sentences.

    Returns
    -------
    float
        ``a`` (positive).

    Raises
    ------
    SimvecValueError
        If ``probabilities`` is not a non-empty 1-D array of values in [0, 1], ``n`` is not a
        positive finite number, or no word (or every word) is above the threshold, which
        leaves ``a`` undefined (infinite or 0).

    References
    ----------
    Ethayarajh, K. (2018), "Unsupervised random walk sentence embeddings: a strong but simple
    baseline", Proceedings of the 3rd Workshop on Representation Learning for NLP
    (RepL4NLP), ACL. https://aclanthology.org/W18-3012

    Examples
    --------
    >>> a = usif_parameter(zipf_probabilities(400_000), 11)
    >>> bool(1e-5 < a < 1e-2)
    True
    """
    p = _probability_array(probabilities)
    if isinstance(n, bool) or not isinstance(n, (int, float, np.integer, np.floating)) \
            or not np.isfinite(n) or n <= 0:
        raise SimvecValueError(f"n (the average sentence length) must be a positive number, "
                               f"got {n!r}")
    v = float(len(p))
    threshold = 1.0 - (1.0 - 1.0 / v) ** float(n)
    alpha = float(np.count_nonzero(p > threshold)) / v
    if not 0.0 < alpha < 1.0:
        raise SimvecValueError(
            f"uSIF's a is undefined: {'no' if alpha == 0 else 'every'} word of the {len(p)} has "
            f"a probability above the threshold {threshold:.3g} (n = {n}); the vocabulary of "
            "the probabilities must hold frequent and rare words")
    return (1.0 - alpha) / (alpha * 0.5 * v)


def usif_weights(probabilities, a: float) -> np.ndarray:
    """uSIF word weights ``a / (a/2 + p(w))`` (Ethayarajh 2018).

    Parameters
    ----------
    probabilities : array_like of float, shape (V,)
        Unigram probability of every vocabulary row, in [0, 1].
    a : float
        Positive; normally :func:`usif_parameter`'s.

    Returns
    -------
    ndarray of float64, shape (V,)
        Weights in (0, 2].

    Raises
    ------
    SimvecValueError
        If ``a`` is not positive, or the probabilities are not a 1-D array of values in [0, 1].

    References
    ----------
    Ethayarajh (2018), RepL4NLP; reference code github.com/kawine/usif (``uSIF.weight``).

    Examples
    --------
    >>> usif_weights([0.0, 0.001], 0.001).round(3).tolist()
    [2.0, 0.667]
    """
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) \
            or not np.isfinite(a) or a <= 0:
        raise SimvecValueError(f"a must be a positive number, got {a!r}")
    return float(a) / (0.5 * float(a) + _probability_array(probabilities))


def usif_word_weights(vocabulary, n: float, word_probabilities=None) -> tuple[np.ndarray, float]:
    """uSIF weights of every vocabulary row and the ``a`` behind them, from one probability source.

    ``a`` comes from :func:`usif_parameter` over the source's own vocabulary, as in the
    reference code (its ``word2prob`` table): the word-count table's words for ``"corpus"`` or
    a file, the vector rows for Zipf's law or an array. A row the table does not list gets the
    table's smallest probability, as ``word2prob.__getitem__`` does (not 0 as for SIF: its
    weight is then just under ``2``, the largest).

    Parameters
    ----------
    vocabulary : KeyedVectors, sequence of str or mapping str -> int
        The rows' words (as for :func:`corpus_probabilities`); only its length is read for
        Zipf's law or an array.
    n : float
        Average sentence length in tokens (:func:`usif_parameter`).
    word_probabilities : None, "zipf", "corpus", str / os.PathLike, or array_like, shape (V,)
        As for :func:`word_probabilities`: ``None`` / ``"zipf"`` Zipf's law on the row rank
        (:func:`zipf_probabilities`), ``"corpus"`` the table simvec ships, a path a word-count
        file, an array the rows' probabilities (zeros are raised to its smallest positive one).

    Returns
    -------
    weights : ndarray of float64, shape (V,)
        ``a / (a/2 + p(w))`` per row.
    a : float

    Raises
    ------
    SimvecValueError
        As for :func:`word_probabilities` and :func:`usif_parameter`; an array of the wrong
        length or without a positive value.
    InputFormatError, SimvecFileNotFoundError
        From reading a word-count file.

    References
    ----------
    Ethayarajh (2018), RepL4NLP; reference code github.com/kawine/usif (``word2prob``,
    ``uSIF.__init__``).

    Examples
    --------
    >>> w, a = usif_word_weights(["the", "of", "serendipity"], 11, "corpus")
    >>> bool(w[0] < w[1] < w[2] <= 2)
    True
    """
    import os

    size = len(vocabulary.index_to_key) if hasattr(vocabulary, "index_to_key") \
        else len(vocabulary)
    src = word_probabilities
    if src is None or (isinstance(src, str) and src == "zipf"):
        p = zipf_probabilities(size)
        a = _named_parameter(p, n)
        return usif_weights(p, a), a
    if isinstance(src, (str, os.PathLike)):
        from simvec.keywords import frequencies as fq

        if isinstance(src, str) and src == "corpus":
            table = fq.shipped_word_counts()
        elif os.path.isfile(src):
            table = fq.read_word_counts(src)
        else:
            raise SimvecValueError(
                f"word_probabilities must be one of {', '.join(PROBABILITY_SOURCES)}, a "
                f"word-count file or an array; no such file: {os.fspath(src)}")
        listed = np.fromiter(table.counts.values(), np.float64, len(table)) / float(table.total)
        a = _named_parameter(listed, n)
        p = corpus_probabilities(vocabulary, table)
        p[p == 0] = listed.min()
        return usif_weights(p, a), a
    p = _probability_array(src).copy()
    if len(p) != size:
        raise SimvecValueError(
            f"word_probabilities has {len(p)} values for a vocabulary of {size}")
    if not np.any(p > 0):
        raise SimvecValueError("word_probabilities has no positive value")
    a = _named_parameter(p, n)
    p[p == 0] = p[p > 0].min()
    return usif_weights(p, a), a


def _named_parameter(p: np.ndarray, n: float) -> float:
    """:func:`usif_parameter`, an undefined ``a`` blamed on ``word_probabilities``."""
    try:
        return usif_parameter(p, n)
    except SimvecValueError as exc:
        if "undefined" in str(exc):
            raise SimvecValueError(f"word_probabilities: {exc}") from None
        raise


def _probability_array(probabilities) -> np.ndarray:
    """``probabilities`` as a float64 1-D array of values in [0, 1], else SimvecValueError."""
    try:
        p = np.asarray(probabilities, dtype=np.float64)
    except (TypeError, ValueError):
        raise SimvecValueError("probabilities must be a 1-D array of numbers in [0, 1], got "
                               f"{type(probabilities).__name__}") from None
    if p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1)):
        raise SimvecValueError(
            "probabilities must be a non-empty 1-D array of values in [0, 1], got shape "
            f"{p.shape}")
    return p
