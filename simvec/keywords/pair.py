"""Two keyword lists compared: :func:`keyword_similarity`, its result and its alignment.

Scores come from the method registry (:mod:`simvec.keywords.methods`): methods with a
keyword-vector scorer (``mean``, ``best_match``) compare the two sides' keyword vectors, any
other method scores the two lists as a collection of two. :func:`score_keyword_vectors` is the
same comparison for keyword vectors made by any encoder (``simvec.elmo.keywords`` uses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.keywords import scorers
from simvec.keywords.language import coverage_reason
from simvec.keywords.methods import (
    DEFAULT_METHOD, get_method, similarity_matrix,
)
from simvec.keywords.parse import jaccard_keys, parse_collection

__all__ = ["keyword_similarity", "keyword_similarities", "KeywordSimilarity", "KeywordMatch",
           "score_keyword_vectors", "similarity_report", "REPORT_KEYS"]

#: Keys of :func:`similarity_report` (``simvec similar --format json``, ``POST /similar``), the
#: same whatever the model (static vectors or ELMo).
REPORT_KEYS = ("vectors", "model", "method", "score", "a", "b", "jaccard", "mean_cosine",
               "best_match_cosine", "oov_a", "oov_b", "reason", "context", "note", "alignment")


@dataclass(frozen=True)
class KeywordMatch:
    """One keyword's best partner on the other side (``method="best_match"``).

    Attributes
    ----------
    keyword : str
    partner : str
        The in-vocabulary keyword of the other list with the highest cosine.
    cosine : float
    """

    keyword: str
    partner: str
    cosine: float


@dataclass(frozen=True)
class KeywordSimilarity:
    """Result of :func:`keyword_similarity`.

    Attributes
    ----------
    score : float or None
        Similarity, higher is more similar (cosine-based methods in [-1, 1]); ``None`` when
        undefined (see ``reason``), never NaN.
    method : str
        The method used (see :func:`keyword_similarity`).
    jaccard : float
        :func:`~simvec.keywords.parse.jaccard` of the two lists, for comparison.
    used_a, used_b : list of str
        Keywords that entered the score (at least one token in the vocabulary), duplicates
        merged, in input order.
    oov_a, oov_b : list of str
        Keywords skipped because none of their tokens is in the vocabulary.
    alignment : dict or None
        For ``"best_match"``: ``{"a": [KeywordMatch, ...], "b": [...]}``, one entry per used
        keyword of that side with its best partner on the other side; ``None`` for the other
        methods or when the score is undefined.
    reason : str or None
        Why ``score`` is ``None``; ``None`` when there is a score.
    """

    score: float | None
    method: str
    jaccard: float
    used_a: list[str] = field(default_factory=list)
    used_b: list[str] = field(default_factory=list)
    oov_a: list[str] = field(default_factory=list)
    oov_b: list[str] = field(default_factory=list)
    alignment: dict[str, list[KeywordMatch]] | None = None
    reason: str | None = None


def score_keyword_vectors(used_a: list[str], used_b: list[str], va: np.ndarray, vb: np.ndarray,
                          method: str):
    """Score two sides given as keyword vectors with a method that has a vector scorer.

    Parameters
    ----------
    used_a, used_b : list of str
        The keywords, one per row of ``va`` / ``vb``.
    va, vb : ndarray, float32, shapes (A, d) and (B, d)
        Their vectors, from any encoder.
    method : {"mean", "best_match"}
        A method whose registry record has a ``vectors`` scorer.

    Returns
    -------
    score : float
    alignment : dict or None
        For ``best_match``, ``{"a": [KeywordMatch, ...], "b": [...]}``.

    Raises
    ------
    SimvecValueError
        If the method has no vector scorer.
    """
    m = get_method(method)
    if m.vectors is None:
        raise SimvecValueError(f"method {method!r} cannot score keyword vectors; use one of "
                               "mean, best_match")
    if method != "best_match":
        return m.vectors(va, vb), None
    score, best_b, max_a, best_a, max_b = scorers.best_match_alignment(va, vb)
    alignment = {
        "a": [KeywordMatch(used_a[i], used_b[j], float(s))
              for i, (j, s) in enumerate(zip(best_b, max_a))],
        "b": [KeywordMatch(used_b[j], used_a[i], float(s))
              for j, (i, s) in enumerate(zip(best_a, max_b))],
    }
    return score, alignment


def keyword_similarity(
    a,
    b,
    kv,
    method: str = DEFAULT_METHOD,
    tokenizer: Callable[[str], list[str]] | None = None,
    **method_params,
) -> KeywordSimilarity:
    """Similarity of two keyword lists through word vectors, with the Jaccard overlap beside it.

    Each keyword (possibly a phrase) is tokenised with ``tokenizer``; its vector is the mean of
    the **raw** (not unit-normalised) vectors of its in-vocabulary tokens. OOV tokens inside a
    phrase are skipped; a hyphenated token the vocabulary lacks falls back to its parts; a
    keyword with no in-vocabulary token is skipped and reported in ``oov_a`` / ``oov_b``.
    Keywords equal after :func:`~simvec.text.tokenize.normalize_keyword` count once.

    ``method="sif_best_match"`` (default)
        Every word token of list a is aligned with its most similar token of list b (cosine of
        word vectors) and vice versa; each side's maxima are averaged with SIF weights
        ``a / (a + p(w))`` (Arora et al. 2017; ``p(w)`` from the vocabulary rank by Zipf's
        law, see :mod:`simvec.keywords.weighting`), and the two sides averaged. Chosen as the
        default because it is the method that beats token Jaccard on precision@1 on both real
        keyword collections measured (docs/keyword-quality.md).
    ``method="mean"``
        The classic averaged-embedding recipe: each list's vector is the mean of its raw
        keyword vectors, and the score is the cosine of the two means. Raw vectors are averaged
        (as in the recipe, and as :func:`all_pairs_topk` does), so frequent, well-estimated
        words with longer vectors weigh a little more.
    ``method="best_match"``
        Each keyword is aligned with its most similar keyword on the other side (cosine of
        keyword vectors); the maxima are averaged over side a and over side b, and the two
        averages are averaged, so the score is symmetric. ``alignment`` lists the pairs.
    other methods
        ``"jaccard_phrases"``, ``"jaccard_tokens"``, ``"sif"`` (without the common-component
        removal, which needs a collection), ``"soft_cosine"``, ``"hybrid"``, ``"wmd"``: see
        :mod:`simvec.keywords.methods`, which also scores whole collections
        (``similarity_matrix``). The Jaccard methods give a score even when every keyword is
        out of vocabulary.

    Parameters
    ----------
    a, b : str or list of str
        Keyword lists; a str is split on ``,`` and ``;``
        (:func:`~simvec.text.tokenize.split_keywords`).
    kv : KeyedVectors
        Word vectors (e.g. ``simvec.load("glove-6B-50d")``).
    method : str, default "sif_best_match"
        A name of :data:`simvec.keywords.methods.PAIR_METHODS` (every method but ``idf_mean``).
    tokenizer : callable str -> list of str, optional
        Default :func:`~simvec.text.tokenize.tokenize` (lowercasing, for uncased vectors such as
        GloVe 6B); pass ``lambda s: tokenize(s, lowercase=False)`` for cased vectors.
    **method_params
        Passed to :func:`simvec.keywords.methods.similarity_matrix` (``sif_a``,
        ``word_probabilities``, ``alpha``, ``soft_cosine_power``).

    Returns
    -------
    KeywordSimilarity
        ``score`` is ``None`` with a ``reason`` when no keyword of a side is in the vocabulary.

    Raises
    ------
    SimvecValueError
        If a keyword list is empty ("keyword list a is empty"), holds non-strings, or
        ``method`` is unknown.

    References
    ----------
    Mikolov et al. (2013), "Distributed representations of words and phrases and their
    compositionality", NIPS (additive composition of phrase vectors).
    Mihalcea, Corley & Strapparava (2006), "Corpus-based and knowledge-based measures of text
    semantic similarity", AAAI (best-match alignment averaged over both directions).

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [1, 0.2], [0, 1]], np.float32),
    ...                   ["cat", "dog", "car"])
    >>> r = keyword_similarity("cat, car", ["dog", "unicorn"], kv, method="mean")
    >>> round(r.score, 3), r.jaccard, r.oov_b
    (0.832, 0.0, ['unicorn'])
    >>> r = keyword_similarity(["cat", "car"], ["dog"], kv, method="best_match")
    >>> [(m.keyword, m.partner) for m in r.alignment["a"]]
    [('cat', 'dog'), ('car', 'dog')]
    """
    return keyword_similarities(a, b, kv, (method,), tokenizer, **method_params)[method]


def keyword_similarities(a, b, kv, methods=(DEFAULT_METHOD,),
                         tokenizer: Callable[[str], list[str]] | None = None,
                         **method_params) -> dict[str, KeywordSimilarity]:
    """:func:`keyword_similarity` with several methods, the two lists parsed once.

    Parameters
    ----------
    a, b, kv, tokenizer, **method_params
        As in :func:`keyword_similarity`.
    methods : sequence of str
        Names of :data:`simvec.keywords.methods.PAIR_METHODS`.

    Returns
    -------
    dict of str to KeywordSimilarity
        One result per method, in the order given.

    Raises
    ------
    SimvecValueError
        As :func:`keyword_similarity`.
    """
    for method in methods:
        m = get_method(method)
        if m.needs_collection:
            raise SimvecValueError(
                f"method {method!r} needs IDF from a collection; use "
                f"simvec.keywords.methods.similarity_matrix(keyword_lists, kv, {method!r})"
            )
        if kv is None and m.needs_vectors:
            raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
    docs = parse_collection([a, b], kv, tokenizer, names=["a", "b"])
    for name, items in zip("ab", docs.items):
        if not items:
            raise SimvecValueError(f"keyword list {name} is empty")
    return {method: _score(docs, method, method_params, kv) for method in methods}


def _score(docs, method: str, method_params: dict, kv=None) -> KeywordSimilarity:
    m = get_method(method)
    (used_a, used_b), (oov_a, oov_b) = docs.used, docs.oov
    common = dict(method=method, jaccard=jaccard_keys(*docs.keys), used_a=used_a,
                  used_b=used_b, oov_a=oov_a, oov_b=oov_b)
    empty = [n for n, used in zip("ab", docs.used) if not used]
    if empty and m.needs_vectors:
        sides = " and ".join(empty)
        # a list in a script the vocabulary lacks says so (simvec.keywords.language)
        why = coverage_reason(oov_a + oov_b, len(oov_a + oov_b + used_a + used_b), kv) \
            if kv is not None else None
        return KeywordSimilarity(
            score=None,
            reason=why or f"no keyword of list {sides} is in the vocabulary "
            f"(all of them are out of vocabulary), so the similarity is undefined",
            **common,
        )
    if m.vectors is not None:
        enc = docs.encoder
        va = np.stack([enc.vector(kw) for kw in used_a])
        vb = np.stack([enc.vector(kw) for kw in used_b])
        score, alignment = score_keyword_vectors(used_a, used_b, va, vb, method)
        return KeywordSimilarity(score=score, alignment=alignment, **common)
    if method == "sif":  # one pair: the common component cannot be estimated
        method_params = {**method_params, "remove_pc": False}
    s = similarity_matrix(None, None, method, parsed=docs, **method_params)[0, 1]
    return KeywordSimilarity(score=None if np.isnan(s) else float(s), **common)


def similarity_report(a, b, kv, *, vectors: str | None = None, method: str = DEFAULT_METHOD,
                      tokenizer: Callable[[str], list[str]] | None = None,
                      **method_params) -> dict:
    """Everything ``simvec similar`` reports on two keyword lists, as a JSON-able dict.

    The lists are parsed once and scored with ``method`` (default the default method), the
    mean-vector cosine and the keyword best-match alignment, Jaccard beside them.

    Parameters
    ----------
    a, b : str or list of str
        Keyword lists (a str is split on ``,`` and ``;``).
    kv : KeyedVectors
    vectors : str, optional
        The vectors' name, reported as is.
    method : str, default "sif_best_match"
    tokenizer, **method_params
        As in :func:`keyword_similarity`.

    Returns
    -------
    dict
        Keys :data:`REPORT_KEYS`: ``score`` of ``method``, ``mean_cosine``,
        ``best_match_cosine`` (None when undefined, with ``reason``), ``a`` / ``b`` (the
        keywords, de-duplicated), ``oov_a`` / ``oov_b``, ``alignment``
        (``{"a": [{"keyword", "partner", "cosine"}], "b": [...]}``); ``model``, ``context`` and
        ``note`` are None (they are filled for ELMo), but ``note`` says when keywords are out of
        vocabulary because of their script (:mod:`simvec.keywords.language`).

    Raises
    ------
    SimvecValueError
        As :func:`keyword_similarity`.
    """
    wanted = tuple(dict.fromkeys((method, "mean", "best_match")))
    res = keyword_similarities(a, b, kv, wanted, tokenizer, **method_params)  # parsed once
    chosen, mean, best = res[method], res["mean"], res["best_match"]
    # keywords in a script the vocabulary lacks, named with the vectors (simvec.keywords.language)
    oov, reason = mean.oov_a + mean.oov_b, chosen.reason or mean.reason or best.reason
    why = coverage_reason(oov, len(oov + mean.used_a + mean.used_b), kv, vectors)
    return {
        "vectors": vectors, "model": None, "method": chosen.method, "score": chosen.score,
        "a": mean.used_a + mean.oov_a, "b": mean.used_b + mean.oov_b, "jaccard": mean.jaccard,
        "mean_cosine": mean.score, "best_match_cosine": best.score,
        "oov_a": mean.oov_a, "oov_b": mean.oov_b,
        "reason": why if reason and why else reason, "context": None,
        "note": None if reason else why,
        "alignment": {side: [{"keyword": m.keyword, "partner": m.partner, "cosine": m.cosine}
                             for m in matches]
                      for side, matches in (best.alignment or {}).items()},
    }
