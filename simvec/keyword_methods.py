"""Keyword-list similarity methods, computed for every pair of documents of a collection.

:func:`similarity_matrix` scores all pairs of a collection of keyword lists with one of
:data:`METHODS`; :func:`simvec.similarity.keyword_similarity` scores one pair with the same code,
and :func:`simvec.collection.all_pairs_topk` keeps the top k of each row. The methods, each with
its source:

``"jaccard_phrases"``
    Jaccard overlap of the sets of whole keywords (normalised: lowercased, whitespace
    collapsed). Jaccard (1912).
``"jaccard_tokens"``
    Jaccard overlap of the sets of word tokens of all keywords (:func:`simvec.text.tokenize`),
    so ``"deep learning"`` and ``"machine learning"`` share ``learning``.
``"mean"``
    Cosine of the mean keyword vectors (each keyword the mean of its token vectors): the
    additive composition of Mitchell & Lapata (2010), the classic recipe.
``"idf_mean"``
    Cosine of IDF-weighted mean token vectors, IDF from the collection itself
    (:func:`simvec.weighting.idf_weights`). Needs a collection; not available for one pair.
``"sif"``
    Smooth inverse frequency (Arora, Liang & Ma 2017): token vectors weighted by
    ``a / (a + p(w))`` and averaged, then the projection on the collection's first singular
    vector (the "common component") removed. ``p(w)`` comes from the vocabulary rank by Zipf's
    law (:func:`simvec.weighting.zipf_probabilities`) unless ``word_probabilities`` are given.
    For a single pair the common component cannot be estimated and is not removed.
``"best_match"``
    Each keyword aligned with its most similar keyword on the other side; the maxima averaged
    over each side and the two averages averaged (Mihalcea, Corley & Strapparava 2006).
``"sif_best_match"`` (the default, :data:`DEFAULT_METHOD`)
    The same alignment at the level of word tokens, each token's maximum weighted by its SIF
    weight: Mihalcea et al. (2006)'s word-to-word measure, whose IDF weights are replaced by
    Arora et al. (2017)'s ``a / (a + p(w))`` so that no collection statistics are needed.
``"soft_cosine"``
    Sidorov et al. (2014)'s soft cosine of the SIF-weighted token bags,
    ``x^T S y / sqrt(x^T S x * y^T S y)``, with the token similarity ``S_ij = max(0, cos)^p``
    (``p=2``, the exponent of Charlet & Damnati 2017).
``"hybrid"``
    Lexical plus semantic: ``alpha * jaccard_tokens + (1 - alpha) * sif_best_match``
    (``alpha=0.2``); NaN where ``sif_best_match`` is.
``"wmd"``
    Word Mover's Distance (Kusner et al. 2015) between the normalised token bags, Euclidean
    cost between raw vectors, solved exactly by POT's ``ot.emd2`` (optional dependency
    ``POT``); reported as the similarity ``1 / (1 + WMD)``.

Keywords are tokenised as in :func:`~simvec.similarity.keyword_similarity` (a hyphenated token
the vocabulary lacks falls back to its parts). A document none of whose tokens is in the
vocabulary has no vector: embedding methods give it NaN scores (never a made-up 0).
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from simvec._best_match import _BestMatch
from simvec.errors import SimvecValueError
from simvec.weighting import SIF_A, idf_weights, sif_weights

logger = logging.getLogger(__name__)

__all__ = [
    "METHODS", "DEFAULT_METHOD", "PAIR_METHODS", "similarity_matrix", "topk_neighbors",
    "method_info",
]

METHODS = (
    "jaccard_phrases", "jaccard_tokens", "mean", "idf_mean", "sif", "best_match",
    "sif_best_match", "soft_cosine", "hybrid", "wmd",
)
#: Chosen from the retrieval evaluation in docs/keyword-quality.md: the only method that beats
#: token Jaccard on precision@1 on both 500N-KPCrowd and SemEval-2010.
DEFAULT_METHOD = "sif_best_match"
#: Methods that can score one pair without a collection (all but ``idf_mean``).
PAIR_METHODS = tuple(m for m in METHODS if m != "idf_mean")

_INFO = {
    "jaccard_phrases": "Jaccard of whole normalised keywords (Jaccard 1912)",
    "jaccard_tokens": "Jaccard of word-token sets",
    "mean": "cosine of mean keyword vectors (Mitchell & Lapata 2010)",
    "idf_mean": "cosine of IDF-weighted mean token vectors, IDF from the collection",
    "sif": "SIF weights a/(a+p(w)), Zipf p(w) from vocabulary rank, common component removed "
           "(Arora et al. 2017)",
    "best_match": "keyword-to-keyword best-match alignment (Mihalcea et al. 2006)",
    "sif_best_match": "token best-match alignment weighted by SIF (Mihalcea et al. 2006; "
                      "Arora et al. 2017)",
    "soft_cosine": "soft cosine of SIF-weighted token bags, S=max(0,cos)^2 (Sidorov et al. 2014)",
    "hybrid": "0.2 x jaccard_tokens + 0.8 x sif_best_match",
    "wmd": "1/(1+Word Mover's Distance), POT ot.emd2 (Kusner et al. 2015)",
}


def method_info(method: str) -> str:
    """One-line description and source of a method (as shown by the CLI)."""
    _check_method(method, METHODS)
    return _INFO[method]


def _check_method(method, allowed) -> None:
    if method not in allowed:
        raise SimvecValueError(f"method must be one of {', '.join(allowed)}; got {method!r}")


# --------------------------------------------------------------------------- preparation


@dataclass
class _Docs:
    """A collection parsed once: keyword keys, lexical tokens and vocabulary rows per document."""

    keys: list[set]            # normalised keywords
    lex: list[set]             # word tokens (any, in or out of vocabulary)
    kw_rows: list[list[tuple]]  # rows of each in-vocabulary keyword's tokens
    tok_rows: list[list[int]]  # all token rows (occurrences), keywords concatenated
    vectors: np.ndarray        # kv.vectors (float32, may be a memory map)
    n_keywords: int = 0
    n_oov_keywords: int = 0

    @property
    def n(self) -> int:
        return len(self.keys)


def _prepare(keyword_lists: Sequence, kv, tokenizer) -> _Docs:
    from simvec.similarity import _keyword_list, _KeywordEncoder

    enc = _KeywordEncoder(kv, tokenizer)
    keys, lex, kw_rows, tok_rows = [], [], [], []
    n_kw = n_oov = 0
    lex_cache: dict[str, list[str]] = {}
    for i, kws in enumerate(keyword_lists):
        items = _keyword_list(kws, f"keyword_lists[{i}]")
        keys.append({k for _, k in items})
        toks: set = set()
        rows_i, flat = [], []
        for kw, _ in items:
            t = lex_cache.get(kw)
            if t is None:
                t = lex_cache[kw] = enc.tokenizer(kw)
            toks.update(t)
            r = enc.rows(kw)
            if r:
                rows_i.append(r)
                flat.extend(r)
            else:
                n_oov += 1
        n_kw += len(items)
        lex.append(toks)
        kw_rows.append(rows_i)
        tok_rows.append(flat)
    return _Docs(keys, lex, kw_rows, tok_rows, enc.vectors, n_kw, n_oov)


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- lexical


def _jaccard_sets(sets: list[set]) -> np.ndarray:
    """(N, N) Jaccard of sets via a sparse incidence matrix; two empty sets give 0."""
    vocab: dict = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for x in s:
            rows.append(i)
            cols.append(vocab.setdefault(x, len(vocab)))
    n = len(sets)
    inc = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                        shape=(n, max(len(vocab), 1)))
    inter = (inc @ inc.T).toarray().astype(np.float32)
    size = np.array([len(s) for s in sets], dtype=np.float32)
    union = size[:, None] + size[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


# --------------------------------------------------------------------------- vector means


def _cosine_of_rows(doc: np.ndarray, valid: np.ndarray) -> np.ndarray:
    u = _unit(doc.astype(np.float32, copy=False))
    s = np.clip(u @ u.T, -1.0, 1.0)
    s[~valid, :] = np.nan
    s[:, ~valid] = np.nan
    return s


def _weighted_token_means(docs: _Docs, weight_of: Callable[[np.ndarray], np.ndarray],
                          normalise_by_weight: bool) -> tuple[np.ndarray, np.ndarray]:
    d = docs.vectors.shape[1]
    out = np.zeros((docs.n, d), dtype=np.float64)
    valid = np.zeros(docs.n, dtype=bool)
    for i, rows in enumerate(docs.tok_rows):
        if not rows:
            continue
        r = np.asarray(rows, dtype=np.int64)
        w = weight_of(r).astype(np.float64)
        out[i] = w @ np.asarray(docs.vectors[r], dtype=np.float64)
        out[i] /= w.sum() if normalise_by_weight else len(r)
        valid[i] = True
    return out, valid


def _mean(docs: _Docs) -> np.ndarray:
    d = docs.vectors.shape[1]
    doc = np.zeros((docs.n, d), dtype=np.float32)
    valid = np.array([bool(k) for k in docs.kw_rows])
    for i, kws in enumerate(docs.kw_rows):
        if kws:
            doc[i] = np.mean([docs.vectors[list(r)].mean(axis=0, dtype=np.float32) for r in kws],
                             axis=0)
    return _cosine_of_rows(doc, valid)


def _idf_mean(docs: _Docs) -> np.ndarray:
    idf = idf_weights(docs.tok_rows)
    doc, valid = _weighted_token_means(
        docs, lambda r: np.fromiter((idf[x] for x in r.tolist()), np.float64, len(r)), True)
    return _cosine_of_rows(doc, valid)


def _sif(docs: _Docs, weights: np.ndarray, remove_pc: bool) -> np.ndarray:
    doc, valid = _weighted_token_means(docs, lambda r: weights[r], False)
    if remove_pc and valid.sum() >= 2:
        # Arora et al.: u = first singular vector of the (uncentred) sentence-vector matrix
        _, _, vt = np.linalg.svd(doc[valid], full_matrices=False)
        pc = vt[0]
        doc = doc - np.outer(doc @ pc, pc)
    return _cosine_of_rows(doc, valid)


# --------------------------------------------------------------------------- best match


def _keyword_best_match(docs: _Docs) -> _BestMatch:
    # keyword vectors are means of token vectors: build them as extra "rows" of a small table
    table, groups, weights = [], [], []
    for kws in docs.kw_rows:
        start = len(table)
        table.extend(docs.vectors[list(r)].mean(axis=0, dtype=np.float32) for r in kws)
        groups.append(np.arange(start, len(table), dtype=np.int64))
        weights.append(np.ones(len(kws), np.float32))
    vecs = np.stack(table) if table else np.zeros((0, docs.vectors.shape[1]), np.float32)
    return _BestMatch(groups, weights, vecs)


def _token_bags(docs: _Docs, weights: np.ndarray):
    """Per document: unique token rows and weight = count x SIF weight."""
    groups, ws = [], []
    for rows in docs.tok_rows:
        c = Counter(rows)
        g = np.fromiter(c.keys(), np.int64, len(c))
        groups.append(g)
        ws.append(np.fromiter(c.values(), np.float32, len(c)) * weights[g] if len(g) else
                  np.zeros(0, np.float32))
    return groups, ws


def _sif_best_match(docs: _Docs, weights: np.ndarray) -> _BestMatch:
    groups, ws = _token_bags(docs, weights)
    return _BestMatch(groups, ws, docs.vectors)


# --------------------------------------------------------------------------- soft cosine, WMD


def _soft_cosine(docs: _Docs, weights: np.ndarray, power: float) -> np.ndarray:
    groups, ws = _token_bags(docs, weights)
    uniq = np.unique(np.concatenate(groups)) if any(len(g) for g in groups) else np.zeros(0, int)
    n = docs.n
    out = np.full((n, n), np.nan, dtype=np.float32)
    if not len(uniq):
        return out
    e = _unit(np.asarray(docs.vectors[uniq], dtype=np.float32))
    cols = np.concatenate([np.searchsorted(uniq, g) for g in groups])
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum([len(g) for g in groups], out=ptr[1:])
    x = sp.csr_matrix((np.concatenate(ws), cols, ptr), shape=(n, len(uniq)))
    xs = np.empty((n, len(uniq)), dtype=np.float32)  # x @ S, S built 2048 columns at a time
    for c0 in range(0, len(uniq), 2048):
        s = np.clip(e @ e[c0:c0 + 2048].T, 0.0, None) ** power
        xs[:, c0:c0 + 2048] = x @ s
    g = np.asarray(x @ xs.T, dtype=np.float64)  # (n, n) x S x^T (S symmetric)
    g = (g + g.T) / 2
    d = np.sqrt(np.clip(np.diag(g), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        res = g / d[:, None] / d[None, :]
    out[:] = np.clip(res, -1.0, 1.0)
    valid = d > 0
    out[~valid, :] = np.nan
    out[:, ~valid] = np.nan
    return out


def _wmd(docs: _Docs, progress=None) -> np.ndarray:
    try:
        ot = importlib.import_module("ot")
    except ImportError:
        raise SimvecValueError(
            "method 'wmd' needs the POT library (Python Optimal Transport): pip install POT"
        ) from None
    n = docs.n
    bags = []
    for rows in docs.tok_rows:
        c = Counter(rows)
        if not c:
            bags.append(None)
            continue
        g = np.fromiter(c.keys(), np.int64, len(c))
        w = np.fromiter(c.values(), np.float64, len(c))
        bags.append((np.asarray(docs.vectors[g], dtype=np.float64), w / w.sum()))
    out = np.full((n, n), np.nan, dtype=np.float32)
    for i in range(n):
        if bags[i] is None:
            continue
        vi, wi = bags[i]
        out[i, i] = 1.0
        for j in range(i + 1, n):
            if bags[j] is None:
                continue
            vj, wj = bags[j]
            cost = ot.dist(vi, vj, metric="euclidean")
            out[i, j] = out[j, i] = 1.0 / (1.0 + float(ot.emd2(wi, wj, cost)))
        if progress is not None:
            progress(i + 1, n)
    return out


# --------------------------------------------------------------------------- entry point


def similarity_matrix(
    keyword_lists: Sequence,
    kv=None,
    method: str = DEFAULT_METHOD,
    *,
    tokenizer: Callable[[str], list[str]] | None = None,
    sif_a: float = SIF_A,
    word_probabilities=None,
    remove_pc: bool = True,
    alpha: float = 0.2,
    soft_cosine_power: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Similarity of every pair of keyword lists of a collection, with one method.

    See the module docstring for the methods and their sources. Keyword lists are parsed as by
    :func:`~simvec.similarity.keyword_similarity` (a str is split on ``,``/``;``; keywords equal
    after normalisation count once).

    Parameters
    ----------
    keyword_lists : sequence of (list of str or str), length N
        Empty lists are allowed: lexical scores are 0, embedding scores NaN.
    kv : KeyedVectors, optional
        Word vectors; not needed for ``jaccard_phrases`` / ``jaccard_tokens``. SIF weights
        assume its rows are sorted most frequent first (true for GloVe, word2vec, fastText)
        unless ``word_probabilities`` is given.
    method : str, default "sif_best_match"
        One of :data:`METHODS`.
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize` (lowercasing).
    sif_a : float, default 1e-3
        SIF smoothing constant ``a`` (``sif``, ``sif_best_match``, ``soft_cosine``, ``hybrid``).
    word_probabilities : array_like of float, shape (len(kv),), optional
        Unigram probabilities of the vocabulary rows, replacing the Zipf estimate.
    remove_pc : bool, default True
        ``sif`` only: remove the common component (needs at least two documents with vectors).
    alpha : float, default 0.2
        ``hybrid`` only: weight of token Jaccard, in [0, 1].
    soft_cosine_power : float, default 2.0
        ``soft_cosine`` only: exponent ``p`` of ``S_ij = max(0, cos)^p``.
    progress : callable (done, total), optional
        ``wmd`` only: called after each row.

    Returns
    -------
    ndarray of float32, shape (N, N)
        ``res[i, j]`` = similarity of lists i and j, symmetric; higher is more similar. NaN
        where an embedding method has no vector for i or j. Memory is N² floats (10,000
        documents: 400 MB); use :func:`simvec.collection.all_pairs_topk` for large collections.

    Raises
    ------
    SimvecValueError
        Unknown ``method``, missing ``kv`` for an embedding method, bad parameters, a keyword
        list holding non-strings, or ``wmd`` without POT installed.

    References
    ----------
    Arora, Liang & Ma (2017), "A simple but tough-to-beat baseline for sentence embeddings", ICLR.
    Charlet & Damnati (2017), "SimBow at SemEval-2017 Task 3", SemEval.
    Kusner, Sun, Kolkin & Weinberger (2015), "From word embeddings to document distances", ICML.
    Mihalcea, Corley & Strapparava (2006), "Corpus-based and knowledge-based measures of text
    semantic similarity", AAAI.
    Mitchell & Lapata (2010), "Composition in distributional models of semantics", Cognitive
    Science 34(8).
    Sidorov, Gelbukh, Gómez-Adorno & Pinto (2014), "Soft similarity and soft cosine measure:
    similarity of features in vector space model", Computación y Sistemas 18(3).

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> similarity_matrix([["cat"], ["kitten"], ["car"]], kv, "best_match").round(3)
    array([[1.   , 0.994, 0.   ],
           [0.994, 1.   , 0.11 ],
           [0.   , 0.11 , 1.   ]], dtype=float32)
    """
    _check_method(method, METHODS)
    if not 0.0 <= alpha <= 1.0:
        raise SimvecValueError(f"alpha must be in [0, 1], got {alpha!r}")
    if not soft_cosine_power > 0:
        raise SimvecValueError(f"soft_cosine_power must be positive, got {soft_cosine_power!r}")
    lexical = method in ("jaccard_phrases", "jaccard_tokens")
    if kv is None and not lexical:
        raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
    if kv is None:
        from simvec.similarity import _keyword_list
        from simvec.text.tokenize import tokenize

        tok = tokenize if tokenizer is None else tokenizer
        items = [_keyword_list(k, f"keyword_lists[{i}]") for i, k in enumerate(keyword_lists)]
        if method == "jaccard_phrases":
            return _jaccard_sets([{k for _, k in it} for it in items])
        return _jaccard_sets([{t for kw, _ in it for t in tok(kw)} for it in items])
    docs = _prepare(keyword_lists, kv, tokenizer)
    if method == "jaccard_phrases":
        return _jaccard_sets(docs.keys)
    if method == "jaccard_tokens":
        return _jaccard_sets(docs.lex)
    if method == "mean":
        return _mean(docs)
    if method == "idf_mean":
        return _idf_mean(docs)
    if method == "best_match":
        return _keyword_best_match(docs).matrix(docs.n)
    if method == "wmd":
        return _wmd(docs, progress)
    weights = sif_weights(len(docs.vectors) if word_probabilities is None
                          else word_probabilities, sif_a)
    if len(weights) != len(docs.vectors):
        raise SimvecValueError(
            f"word_probabilities has {len(weights)} values for {len(docs.vectors)} vectors"
        )
    if method == "sif":
        return _sif(docs, weights, remove_pc)
    if method == "soft_cosine":
        return _soft_cosine(docs, weights, soft_cosine_power)
    sem = _sif_best_match(docs, weights).matrix(docs.n)
    if method == "sif_best_match":
        return sem
    return (alpha * _jaccard_sets(docs.lex) + (1 - alpha) * sem).astype(np.float32)  # hybrid


_BLOCKED = ("best_match", "sif_best_match", "hybrid")


def _topk_rows(blk: np.ndarray, self_cols: np.ndarray, k: int):
    """Top-k columns of each row (self excluded, NaN last, ties in column order)."""
    blk = np.nan_to_num(blk, nan=-np.inf)
    blk[np.arange(len(blk)), self_cols] = -np.inf
    order = np.argsort(-blk, axis=1, kind="stable")[:, :k]
    val = np.take_along_axis(blk, order, axis=1)
    return order, val


def topk_neighbors(keyword_lists: Sequence, kv, method: str = DEFAULT_METHOD, k: int = 10, *,
                   tokenizer=None, sif_a: float = SIF_A, word_probabilities=None,
                   alpha: float = 0.2, progress: Callable[[int, int], None] | None = None,
                   **params):
    """For every document, the k most similar others with ``method`` (used by all_pairs_topk).

    ``best_match``, ``sif_best_match`` and ``hybrid`` are computed in blocks of query documents
    (memory bounded; time grows with the product of token counts, see
    :class:`_BestMatch`); the other methods build the (N, N) matrix of
    :func:`similarity_matrix` first.

    Returns
    -------
    index : ndarray of int64, shape (N, k)
        Positions of the neighbours, most similar first; -1 pads.
    score : ndarray of float32, shape (N, k)
        Their scores; NaN where ``index`` is -1.
    valid : ndarray of bool, shape (N,)
        Documents with a representation (all True for the Jaccard methods).
    """
    _check_method(method, METHODS)
    n = len(keyword_lists)
    index = np.full((n, k), -1, dtype=np.int64)
    score = np.full((n, k), np.nan, dtype=np.float32)
    if method not in _BLOCKED:
        s = similarity_matrix(keyword_lists, kv, method, tokenizer=tokenizer, sif_a=sif_a,
                              word_probabilities=word_probabilities, alpha=alpha, **params)
        valid = ~np.all(np.isnan(s), axis=1) if n else np.zeros(0, bool)
        pos = np.flatnonzero(valid)
        sub = s[np.ix_(pos, pos)]
        blocks = [(r0, min(len(pos), r0 + 256)) for r0 in range(0, len(pos), 256)]
        get = lambda r0, r1: sub[r0:r1]  # noqa: E731
    else:
        if kv is None:
            raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
        docs = _prepare(keyword_lists, kv, tokenizer)
        if method == "best_match":
            bm = _keyword_best_match(docs)
        else:
            w = sif_weights(len(docs.vectors) if word_probabilities is None
                            else word_probabilities, sif_a)
            bm = _sif_best_match(docs, w)
        valid, pos = bm.valid, bm.pos
        if float(len(bm.rows)) ** 2 > 1e10:  # ~10^10 cosine look-ups: minutes to hours
            logger.warning(
                "%s on %d documents (%d keyword/token items) compares every item with every "
                "other item: this will be slow; method='mean' scales to millions of documents",
                method, n, len(bm.rows))
        blocks = list(bm.row_blocks())
        inc = None
        if method == "hybrid":
            vocab: dict = {}
            rows, cols = [], []
            for r, i in enumerate(pos):
                for x in docs.lex[i]:
                    rows.append(r)
                    cols.append(vocab.setdefault(x, len(vocab)))
            inc = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                shape=(len(pos), max(1, len(vocab))))
            size = np.asarray(inc.sum(axis=1)).ravel()

        def get(r0, r1):
            blk = bm.block(r0, r1)
            if inc is not None:
                inter = (inc[r0:r1] @ inc.T).toarray()
                union = size[r0:r1, None] + size[None, :] - inter
                jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
                blk = (alpha * jac + (1 - alpha) * blk).astype(np.float32)
            return blk
    kk = min(k, len(pos) - 1)
    for r0, r1 in blocks if kk > 0 else ():
        order, val = _topk_rows(get(r0, r1), np.arange(r0, r1), kk)
        found = np.isfinite(val)
        docs_ = pos[r0:r1]
        index[docs_, :kk] = np.where(found, pos[order], -1)
        score[docs_, :kk] = np.where(found, val, np.nan)
        if progress is not None:
            progress(r1, len(pos))
    return index, score, valid
