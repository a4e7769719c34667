"""Word weights for weighted keyword vectors: SIF (Arora et al. 2017) and IDF.

* :func:`zipf_probabilities` estimates unigram probabilities from vocabulary ranks with Zipf's
  law. Pretrained vocabularies (GloVe, word2vec, fastText ``.vec``) are stored most frequent first
  (GloVe 6B's row 0 is ``the``), so a word's row is its frequency rank; no corpus is needed.
* :func:`sif_weights` turns probabilities into the smooth inverse frequency weights
  ``a / (a + p(w))`` of Arora, Liang & Ma (2017).
* :func:`idf_weights` is scikit-learn's smoothed inverse document frequency over a collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from simvec.errors import SimvecValueError

__all__ = ["zipf_probabilities", "sif_weights", "idf_weights", "SIF_A"]

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
