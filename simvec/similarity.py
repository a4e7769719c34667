"""Cosine similarity of vectors, Jaccard overlap of keyword sets, and keyword-list similarity.

The main job of simvec: two documents each have a keyword list. The Jaccard overlap of the lists
is mostly 0 and cannot rank; averaging the keywords' word vectors and taking the cosine can.

* :func:`cos_sim` / :func:`pairwise_cos_sim` mirror sentence-transformers' ``util.cos_sim`` and
  ``util.pairwise_cos_sim`` (numpy in, float32 numpy out; zero vectors give 0, not NaN).
* :func:`jaccard` is the set overlap of two keyword lists.
* :func:`keyword_similarity` scores two keyword lists with word vectors (default
  ``"sif_best_match"``; ``"mean"``, ``"best_match"`` and the other methods of
  :mod:`simvec.keyword_methods`) and reports what it used and skipped.
* :func:`all_pairs_topk` and :func:`read_collection` (defined in :mod:`simvec.collection`,
  re-exported here) build the top-k table of a whole keyword collection.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.text.tokenize import normalize_keyword, split_keywords, tokenize

__all__ = [
    "cos_sim",
    "pairwise_cos_sim",
    "jaccard",
    "keyword_similarity",
    "KeywordSimilarity",
    "KeywordMatch",
    "all_pairs_topk",
    "read_collection",
]

# keyword_similarity's methods: simvec.keyword_methods.PAIR_METHODS (kept in step by a test);
# the default is simvec.keyword_methods.DEFAULT_METHOD.
METHODS = (
    "jaccard_phrases", "jaccard_tokens", "mean", "sif", "best_match", "sif_best_match",
    "soft_cosine", "hybrid", "wmd",
)
DEFAULT_METHOD = "sif_best_match"

# --------------------------------------------------------------------------- vector cosine


def _as_matrix(x, name: str) -> np.ndarray:
    """``x`` as a float32 (N, d) array: lists, ndarrays and torch-like tensors; 1-D is one row."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        x = x.detach().cpu()
        if hasattr(x, "float"):  # bfloat16 / half have no numpy dtype
            x = x.float()
        x = x.numpy()
    try:
        arr = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise SimvecValueError(
            f"{name} must be a numeric array of shape (N, d) or (d,), "
            f"got {type(x).__name__} ({exc})"
        ) from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise SimvecValueError(f"{name} must be 1-D (d,) or 2-D (N, d), got shape {arr.shape}")
    return arr


def _unit(m: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm, float32; all-zero rows stay zero."""
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


def cos_sim(a, b) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    Mirrors sentence-transformers' ``util.cos_sim``: rows are scaled to unit length and
    multiplied, ``res[i, j] = cos(a[i], b[j]) = a[i] . b[j] / (|a[i]| |b[j]|)``. A zero row has
    cosine 0 with everything (not NaN). Results are clipped to [-1, 1] against rounding.

    Parameters
    ----------
    a : array_like, shape (N, d) or (d,)
        A list, numpy array or tensor (any object with ``.detach().cpu().numpy()``, e.g. a torch
        tensor; torch is never imported). A 1-D input is one row.
    b : array_like, shape (M, d) or (d,)

    Returns
    -------
    ndarray, float32, shape (N, M)
        ``res[i, j] = cos(a[i], b[j])``.

    Raises
    ------
    SimvecValueError
        (a ``ValueError``) if an input is not numeric, not 1-D/2-D, or the vector sizes differ;
        the message names both shapes.

    References
    ----------
    sentence-transformers ``util.cos_sim``, https://sbert.net/docs/package_reference/util.html

    Examples
    --------
    >>> cos_sim([[1, 0], [0, 2]], [[3, 0], [1, 1], [0, 0]]).round(3)
    array([[1.   , 0.707, 0.   ],
           [0.   , 0.707, 0.   ]], dtype=float32)
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    if a.shape[1] != b.shape[1]:
        raise SimvecValueError(
            f"cos_sim: a has shape {a.shape} and b has shape {b.shape}; "
            "the vector sizes (last dimensions) must match"
        )
    res = _unit(a) @ _unit(b).T
    return np.clip(res, -1.0, 1.0, out=res)


def pairwise_cos_sim(a, b) -> np.ndarray:
    """Cosine similarity of row i of ``a`` with row i of ``b``, for every i.

    Mirrors sentence-transformers' ``util.pairwise_cos_sim``: the diagonal of :func:`cos_sim`
    without computing the rest. Zero rows give 0.

    Parameters
    ----------
    a : array_like, shape (N, d) or (d,)
        List, ndarray or tensor; a 1-D input is one row.
    b : array_like, same shape as ``a``

    Returns
    -------
    ndarray, float32, shape (N,)
        ``res[i] = cos(a[i], b[i])``, clipped to [-1, 1].

    Raises
    ------
    SimvecValueError
        If the shapes differ (both are named) or an input is not numeric 1-D/2-D.

    Examples
    --------
    >>> pairwise_cos_sim([[1, 0], [1, 1], [0, 0]], [[2, 0], [-1, -1], [1, 0]]).round(4)
    array([ 1., -1.,  0.], dtype=float32)
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    if a.shape != b.shape:
        raise SimvecValueError(
            f"pairwise_cos_sim: a has shape {a.shape} and b has shape {b.shape}; "
            "they must be equal"
        )
    res = np.einsum("ij,ij->i", _unit(a), _unit(b)).astype(np.float32, copy=False)
    return np.clip(res, -1.0, 1.0, out=res)


# --------------------------------------------------------------------------- keyword lists


def _keyword_list(x, name: str, sep: str = ",;") -> list[tuple[str, str]]:
    """``(keyword, normalised key)`` pairs of a str or list input, blanks and duplicates dropped.

    The keyword keeps its case (whitespace collapsed) for tokenisation; the key is
    :func:`normalize_keyword`'s form, under which duplicates are merged (first spelling kept).
    """
    if isinstance(x, str):
        items = split_keywords(x, sep=sep)
    elif isinstance(x, Iterable):
        items = list(x)
    else:
        raise SimvecValueError(
            f"keyword list {name} must be a str or a list of str, got {type(x).__name__}"
        )
    out, seen = [], set()
    for kw in items:
        if not isinstance(kw, str):
            raise SimvecValueError(
                f"keyword list {name} must hold str, got {type(kw).__name__} {kw!r}"
            )
        key = normalize_keyword(kw)
        if key and key not in seen:
            seen.add(key)
            out.append((" ".join(kw.split()), key))
    return out


def _jaccard_keys(a: set, b: set) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def jaccard(a, b) -> float:
    """Jaccard overlap ``|A ∩ B| / |A ∪ B|`` of two keyword lists.

    Keywords are compared in their normalised form (:func:`simvec.text.tokenize.normalize_keyword`:
    Unicode NFC, lowercased, runs of whitespace collapsed to one space, stripped), so
    ``"Machine  Learning"`` equals ``"machine learning"``; blank keywords are ignored and a list
    is a set (duplicates count once). Phrases are compared whole: ``"deep learning"`` and
    ``"learning"`` do not overlap.

    Parameters
    ----------
    a, b : str or iterable of str
        A keyword list, or a string of keywords separated by ``,`` or ``;``.

    Returns
    -------
    float
        In [0, 1]. When both lists are empty (after normalisation) the overlap is defined as
        ``0.0``: there is no evidence of similarity, and a ranking table stays numeric.

    Raises
    ------
    SimvecValueError
        If an input is neither a str nor an iterable of str.

    References
    ----------
    Jaccard, P. (1912), "The distribution of the flora in the alpine zone", New Phytologist 11.

    Examples
    --------
    >>> jaccard("Machine Learning, neural network", ["machine  learning", "statistics"])
    0.3333333333333333
    >>> jaccard([], [])
    0.0
    """
    ka = {k for _, k in _keyword_list(a, "a")}
    kb = {k for _, k in _keyword_list(b, "b")}
    return _jaccard_keys(ka, kb)


class _KeywordEncoder:
    """Keyword -> vector-row lookup with a cache, shared by pair scoring and the all-pairs table.

    A keyword is tokenised; each token is looked up in the vocabulary, and a hyphenated token the
    vocabulary lacks is replaced by its in-vocabulary parts (``web-service`` -> ``web``,
    ``service``). The keyword vector is the mean of the raw vectors of its tokens; a keyword
    with no in-vocabulary token is OOV.
    """

    def __init__(self, kv, tokenizer: Callable[[str], list[str]] | None = None):
        try:
            self.key_to_index = kv.key_to_index
            self.vectors = kv.vectors
        except AttributeError:
            raise SimvecValueError(
                f"kv must be a KeyedVectors (with .vectors and .key_to_index), "
                f"got {type(kv).__name__}"
            ) from None
        self.tokenizer = tokenize if tokenizer is None else tokenizer
        self._cache: dict[str, tuple[int, ...]] = {}

    def rows(self, keyword: str) -> tuple[int, ...]:
        """Vocabulary rows of the keyword's tokens (empty if the keyword is OOV)."""
        rows = self._cache.get(keyword)
        if rows is None:
            k2i = self.key_to_index
            found = []
            for tok in self.tokenizer(keyword):
                i = k2i.get(tok)
                if i is not None:
                    found.append(i)
                elif "-" in tok:
                    found.extend(k2i[p] for p in tok.split("-") if p in k2i)
            rows = self._cache[keyword] = tuple(found)
        return rows

    def vector(self, keyword: str) -> np.ndarray | None:
        """Mean raw token vector, float32 (d,), or None if OOV."""
        rows = self.rows(keyword)
        if not rows:
            return None
        return self.vectors[list(rows)].mean(axis=0, dtype=np.float32)


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
        Cosine-based similarity in [-1, 1]; ``None`` when undefined (see ``reason``), never NaN.
    method : str
        The method used (see :func:`keyword_similarity`).
    jaccard : float
        :func:`jaccard` of the two lists, for comparison.
    used_a, used_b : list of str
        Keywords that entered the score (at least one token in the vocabulary), duplicates
        merged, in input order.
    oov_a, oov_b : list of str
        Keywords skipped because none of their tokens is in the vocabulary.
    alignment : dict or None
        For ``"best_match"``: ``{"a": [KeywordMatch, ...], "b": [...]}``, one entry per used
        keyword of that side with its best partner on the other side; ``None`` for ``"mean"``
        or when the score is undefined.
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


def _encode_side(enc: _KeywordEncoder, items):
    used, oov, vecs = [], [], []
    for kw, _ in items:
        v = enc.vector(kw)
        if v is None:
            oov.append(kw)
        else:
            used.append(kw)
            vecs.append(v)
    return used, oov, vecs


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
        law, see :mod:`simvec.weighting`), and the two sides averaged. Chosen as the default
        because it is the method that beats token Jaccard on precision@1 on both real keyword
        collections measured (docs/keyword-quality.md).
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
        :mod:`simvec.keyword_methods`, which also scores whole collections
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
        One of ``simvec.similarity.METHODS``.
    tokenizer : callable str -> list of str, optional
        Default :func:`~simvec.text.tokenize.tokenize` (lowercasing, for uncased vectors such as
        GloVe 6B); pass ``lambda s: tokenize(s, lowercase=False)`` for cased vectors.
    **method_params
        Passed to :func:`simvec.keyword_methods.similarity_matrix` (``sif_a``,
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
    if method == "idf_mean":
        raise SimvecValueError(
            "method 'idf_mean' needs IDF from a collection; use "
            "simvec.keyword_methods.similarity_matrix(keyword_lists, kv, 'idf_mean')"
        )
    if method not in METHODS:
        raise SimvecValueError(f"method must be one of {METHODS}, got {method!r}")
    items_a = _keyword_list(a, "a")
    items_b = _keyword_list(b, "b")
    for name, items in (("a", items_a), ("b", items_b)):
        if not items:
            raise SimvecValueError(f"keyword list {name} is empty")
    jac = _jaccard_keys({k for _, k in items_a}, {k for _, k in items_b})
    enc = _KeywordEncoder(kv, tokenizer)
    used_a, oov_a, vecs_a = _encode_side(enc, items_a)
    used_b, oov_b, vecs_b = _encode_side(enc, items_b)
    common = dict(method=method, jaccard=jac, used_a=used_a, used_b=used_b,
                  oov_a=oov_a, oov_b=oov_b)
    empty = [n for n, v in (("a", vecs_a), ("b", vecs_b)) if not v]
    if empty and method.startswith("jaccard"):
        return KeywordSimilarity(score=_pair_score(items_a, items_b, None, method, tokenizer,
                                                   method_params), **common)
    if empty:
        sides = " and ".join(empty)
        return KeywordSimilarity(
            score=None,
            reason=f"no keyword of list {sides} is in the vocabulary "
            f"(all of them are out of vocabulary), so the similarity is undefined",
            **common,
        )
    va = np.stack(vecs_a)
    vb = np.stack(vecs_b)
    if method == "mean":
        score = float(cos_sim(va.mean(axis=0), vb.mean(axis=0))[0, 0])
        return KeywordSimilarity(score=score, **common)
    if method != "best_match":
        return KeywordSimilarity(score=_pair_score(items_a, items_b, kv, method, tokenizer,
                                                   method_params), **common)
    sims = cos_sim(va, vb)
    best_b = sims.argmax(axis=1)  # for each keyword of a, its partner in b
    best_a = sims.argmax(axis=0)  # for each keyword of b, its partner in a
    max_a = sims[np.arange(len(used_a)), best_b]
    max_b = sims[best_a, np.arange(len(used_b))]
    score = float((max_a.mean(dtype=np.float64) + max_b.mean(dtype=np.float64)) / 2)
    alignment = {
        "a": [KeywordMatch(used_a[i], used_b[j], float(s))
              for i, (j, s) in enumerate(zip(best_b, max_a))],
        "b": [KeywordMatch(used_b[j], used_a[i], float(s))
              for j, (i, s) in enumerate(zip(best_a, max_b))],
    }
    return KeywordSimilarity(score=score, alignment=alignment, **common)


def _pair_score(items_a, items_b, kv, method, tokenizer, params) -> float | None:
    """One pair through simvec.keyword_methods.similarity_matrix (SIF: no common component)."""
    from simvec.keyword_methods import similarity_matrix

    if method == "sif":
        params = {**params, "remove_pc": False}
    s = similarity_matrix([[kw for kw, _ in items_a], [kw for kw, _ in items_b]], kv, method,
                          tokenizer=tokenizer, **params)[0, 1]
    return None if np.isnan(s) else float(s)


# ------------------------------------------------------------- collection names, re-exported

_FROM_COLLECTION = ("all_pairs_topk", "read_collection")


def __getattr__(name: str):
    # simvec.collection imports this module, so its names are re-exported lazily (PEP 562).
    if name in _FROM_COLLECTION:
        return getattr(importlib.import_module("simvec.collection"), name)
    raise AttributeError(f"module 'simvec.similarity' has no attribute {name!r}")
