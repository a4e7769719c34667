"""The scoring functions behind the keyword methods of :mod:`simvec.keywords.methods`.

Each method of the registry points here for its scorers; nothing else should call them directly.
They work on a :class:`~simvec.keywords.parse.ParsedCollection` (a collection parsed once):

* **matrix** scorers return the (N, N) float32 similarity of every pair of documents;
* **block** scorers (:class:`Blocks` and subclasses) give the scores of a block of documents
  against all documents in bounded memory, for the top-k driver of :mod:`simvec.keywords.topk`;
* **pairwise** scorers score pair ``t = (doc t, doc P + t)`` of a pair file, ``t < P``, in float64
  (used by :func:`simvec.eval.phrases.evaluate_text_pairs`);
* **vector** scorers (:func:`mean_cosine`, :func:`best_match_alignment`) compare two sides given
  as keyword vectors, whatever encoder made them (static vectors, ELMo).

The methods, their formulas and sources are documented on the registry
(:mod:`simvec.keywords.methods`). A document none of whose tokens has a vector gets NaN scores
from the embedding scorers (never a made-up 0).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from simvec._util import normalize_rows
from simvec.errors import SimvecValueError
from simvec.kernels.best_match import BestMatch
from simvec.kernels.topk import dot_topk
from simvec.keywords.parse import ParsedCollection
from simvec.keywords.weighting import idf_weights

__all__ = [
    "jaccard_sets", "mean_matrix", "idf_mean_matrix", "sif_matrix", "soft_cosine_matrix",
    "wmd_matrix", "keyword_best_match", "token_best_match", "Blocks", "MatrixBlocks",
    "BestMatchBlocks", "HybridBlocks", "MeanBlocks", "pairwise_jaccard_tokens", "pairwise_mean",
    "pairwise_sif", "pairwise_sif_best_match", "mean_cosine", "best_match_alignment",
    "token_best_match_alignment", "pairwise_hybrid",
    "sif_common_component",
    "LEXICAL_FIRST_MIN_SCALE", "lexical_first_scale", "lexical_first_matrix",
    "LexicalFirstBlocks",
    "USIF_COMPONENTS", "usif_mean_length", "usif_text_vectors", "usif_components",
    "usif_remove_components", "usif_matrix", "pairwise_usif",
]


# --------------------------------------------------------------------------- lexical


def _incidence(sets: list) -> sp.csr_matrix:
    """(N, U) 0/1 incidence of N sets over their U distinct members, float32."""
    vocab: dict = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for x in s:
            rows.append(i)
            cols.append(vocab.setdefault(x, len(vocab)))
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                         shape=(len(sets), max(len(vocab), 1)))


def _jaccard_from_counts(inter: np.ndarray, size_a, size_b) -> np.ndarray:
    union = size_a[:, None] + size_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def jaccard_sets(sets: list) -> np.ndarray:
    """(N, N) float32 Jaccard of sets via a sparse incidence matrix; two empty sets give 0.

    A few sets (a pair of lists: ``keyword_similarity``, the server) are compared directly,
    without building sparse matrices (the same values)."""
    if len(sets) <= 16:
        n = len(sets)
        out = np.zeros((n, n), dtype=np.float32)
        for i in range(n):
            for j in range(i, n):
                union = len(sets[i] | sets[j])
                out[i, j] = out[j, i] = len(sets[i] & sets[j]) / union if union else 0.0
        return out
    inc = _incidence(sets)
    inter = (inc @ inc.T).toarray().astype(np.float32)
    size = np.array([len(s) for s in sets], dtype=np.float32)
    return _jaccard_from_counts(inter, size, size)


# --------------------------------------------------------------------------- vector means


def _cosine_of_rows(doc: np.ndarray, valid: np.ndarray) -> np.ndarray:
    u = normalize_rows(doc)
    s = np.clip(u @ u.T, -1.0, 1.0)
    s[~valid, :] = np.nan
    s[:, ~valid] = np.nan
    return s


def _weighted_token_means(docs: ParsedCollection, weight_of: Callable[[np.ndarray], np.ndarray],
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


def mean_matrix(docs: ParsedCollection) -> np.ndarray:
    """``mean``: cosine of the mean keyword vectors (each the mean of its token vectors)."""
    d = docs.vectors.shape[1]
    doc = np.zeros((docs.n, d), dtype=np.float32)
    valid = np.array([bool(k) for k in docs.kw_rows])
    for i, kws in enumerate(docs.kw_rows):
        if kws:
            doc[i] = np.mean([docs.vectors[list(r)].mean(axis=0, dtype=np.float32) for r in kws],
                             axis=0)
    return _cosine_of_rows(doc, valid)


def idf_mean_matrix(docs: ParsedCollection) -> np.ndarray:
    """``idf_mean``: cosine of IDF-weighted mean token vectors, IDF from the collection."""
    idf = idf_weights(docs.tok_rows)
    doc, valid = _weighted_token_means(
        docs, lambda r: np.fromiter((idf[x] for x in r.tolist()), np.float64, len(r)), True)
    return _cosine_of_rows(doc, valid)


def sif_matrix(docs: ParsedCollection, weights: np.ndarray, remove_pc: bool) -> np.ndarray:
    """``sif``: SIF-weighted token means, the common component removed (Arora et al. 2017)."""
    doc, valid = _weighted_token_means(docs, lambda r: weights[r], False)
    if remove_pc and valid.sum() >= 2:
        # Arora et al.: u = first singular vector of the (uncentred) sentence-vector matrix
        _, _, vt = np.linalg.svd(doc[valid], full_matrices=False)
        pc = vt[0]
        doc = doc - np.outer(doc @ pc, pc)
    return _cosine_of_rows(doc, valid)


# --------------------------------------------------------------------------- best match


def keyword_best_match(docs: ParsedCollection) -> BestMatch:
    """``best_match``: keyword vectors (means of token vectors) aligned keyword to keyword."""
    table, groups, weights = [], [], []
    for kws in docs.kw_rows:
        start = len(table)
        table.extend(docs.vectors[list(r)].mean(axis=0, dtype=np.float32) for r in kws)
        groups.append(np.arange(start, len(table), dtype=np.int64))
        weights.append(np.ones(len(kws), np.float32))
    vecs = np.stack(table) if table else np.zeros((0, docs.vectors.shape[1]), np.float32)
    return BestMatch(groups, weights, vecs)


def _token_bags(docs: ParsedCollection, weights: np.ndarray):
    """Per document: unique token rows and weight = count x SIF weight."""
    groups, ws = [], []
    for rows in docs.tok_rows:
        c = Counter(rows)
        g = np.fromiter(c.keys(), np.int64, len(c))
        groups.append(g)
        ws.append(np.fromiter(c.values(), np.float32, len(c)) * weights[g] if len(g) else
                  np.zeros(0, np.float32))
    return groups, ws


def token_best_match(docs: ParsedCollection, weights: np.ndarray) -> BestMatch:
    """``sif_best_match``: token vectors aligned token to token, SIF-weighted."""
    groups, ws = _token_bags(docs, weights)
    return BestMatch(groups, ws, docs.vectors)


# --------------------------------------------------------------------------- soft cosine, WMD


def soft_cosine_matrix(docs: ParsedCollection, weights: np.ndarray, power: float) -> np.ndarray:
    """``soft_cosine``: Sidorov et al. (2014) over SIF-weighted token bags."""
    groups, ws = _token_bags(docs, weights)
    uniq = np.unique(np.concatenate(groups)) if any(len(g) for g in groups) else np.zeros(0, int)
    n = docs.n
    out = np.full((n, n), np.nan, dtype=np.float32)
    if not len(uniq):
        return out
    e = normalize_rows(np.asarray(docs.vectors[uniq], dtype=np.float32))
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


def wmd_matrix(docs: ParsedCollection, progress=None) -> np.ndarray:
    """``wmd``: 1 / (1 + Word Mover's Distance), solved exactly by POT's ``ot.emd2``."""
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


# --------------------------------------------------------------------------- blocks for top-k


class Blocks:
    """Scores of blocks of documents against every document with a representation.

    Subclasses set ``valid`` (bool, (N,)), ``pos`` (the valid positions, ascending) and
    implement :meth:`block`; :meth:`topk` may be overridden by a faster fused search. Row and
    column indices ``r`` are positions in ``pos``.
    """

    valid: np.ndarray
    pos: np.ndarray
    rows_per_block = 256

    def row_blocks(self, start: int = 0, stop: int | None = None):
        """Yield ``(r0, r1)`` row ranges covering ``start``..``stop`` of ``pos``."""
        stop = len(self.pos) if stop is None else stop
        for r0 in range(start, stop, self.rows_per_block):
            yield r0, min(stop, r0 + self.rows_per_block)

    def block(self, r0: int, r1: int) -> np.ndarray:
        """float32 (r1 - r0, len(pos)): scores of rows r0..r1-1 against all valid documents."""
        raise NotImplementedError

    def topk(self, r0: int, r1: int, k: int, exclude: np.ndarray):
        """Best ``k`` columns of rows r0..r1-1, ``exclude`` (int, (r1 - r0, E)) left out.

        Returns ``(order, score, found)``: column positions (int64), their scores (float32,
        decreasing; ties in column order; NaN never selected) and where a column was found.
        """
        blk = np.nan_to_num(self.block(r0, r1), nan=-np.inf)
        np.put_along_axis(blk, exclude, -np.inf, axis=1)
        order = np.argsort(-blk, axis=1, kind="stable")[:, :k]
        val = np.take_along_axis(blk, order, axis=1)
        return order, val, np.isfinite(val)


class MatrixBlocks(Blocks):
    """Blocks cut from a full (N, N) score matrix (methods without a blocked scorer)."""

    def __init__(self, scores: np.ndarray):
        n = len(scores)
        self.valid = ~np.all(np.isnan(scores), axis=1) if n else np.zeros(0, bool)
        self.pos = np.flatnonzero(self.valid)
        self._sub = scores[np.ix_(self.pos, self.pos)]

    def block(self, r0: int, r1: int) -> np.ndarray:
        return self._sub[r0:r1]


class BestMatchBlocks(Blocks):
    """Best-match blocks from :class:`simvec.kernels.best_match.BestMatch` (bounded memory)."""

    def __init__(self, bm: BestMatch):
        self.bm = bm
        self.valid, self.pos = bm.valid, bm.pos

    def row_blocks(self, start: int = 0, stop: int | None = None):
        yield from self.bm.row_blocks(start, stop)

    def block(self, r0: int, r1: int) -> np.ndarray:
        return self.bm.block(r0, r1)


class HybridBlocks(BestMatchBlocks):
    """``alpha * jaccard_tokens + (1 - alpha) * sif_best_match``, block by block."""

    def __init__(self, bm: BestMatch, lex: list, alpha: float):
        super().__init__(bm)
        self.alpha = alpha
        self.inc = _incidence([lex[i] for i in self.pos])
        self.size = np.asarray(self.inc.sum(axis=1)).ravel()

    def block(self, r0: int, r1: int) -> np.ndarray:
        inter = (self.inc[r0:r1] @ self.inc.T).toarray()
        jac = _jaccard_from_counts(inter, self.size[r0:r1], self.size)
        return (self.alpha * jac + (1 - self.alpha) * self.bm.block(r0, r1)).astype(np.float32)


def _mean_rows(table: np.ndarray, groups: list, dim: int) -> np.ndarray:
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


class VectorBlocks(Blocks):
    """One vector per document, searched by :func:`dot_topk` (cosine; (N, N) never built).

    Parameters
    ----------
    doc_vectors : ndarray, float32, shape (N, d)
    valid : ndarray, bool, shape (N,)
        Documents with a vector; the others take no part.
    chunk_size : int
        Query rows per block.
    """

    def __init__(self, doc_vectors: np.ndarray, valid: np.ndarray, chunk_size: int = 1024):
        self.valid = np.asarray(valid, dtype=bool)
        self.pos = np.flatnonzero(self.valid)
        self.matrix = normalize_rows(np.asarray(doc_vectors[self.pos], dtype=np.float32))
        self.rows_per_block = chunk_size
        self._block_rows = min(chunk_size, 256)

    def block(self, r0: int, r1: int) -> np.ndarray:
        return np.clip(self.matrix[r0:r1] @ self.matrix.T, -1.0, 1.0)

    def topk(self, r0: int, r1: int, k: int, exclude: np.ndarray):
        idx, val = dot_topk(self.matrix[r0:r1], self.matrix, k, exclude=exclude,
                            block_rows=self._block_rows)
        found = idx >= 0
        return np.maximum(idx, 0), np.clip(val, -1.0, 1.0), found


class JoinedBlocks(VectorBlocks):
    """``joined`` at scale: each list's vector from its encoder (``list_vectors``)."""

    def __init__(self, docs: ParsedCollection, chunk_size: int = 1024):
        super().__init__(*docs.encoder.list_vectors(docs), chunk_size=chunk_size)


def joined_matrix(docs: ParsedCollection) -> np.ndarray:
    """``joined``: cosine of the encoder's list vectors, float32 (N, N), NaN without one."""
    vec, valid = docs.encoder.list_vectors(docs)
    return _cosine_of_rows(vec, valid).astype(np.float32)


class MeanBlocks(VectorBlocks):
    """``mean`` at scale: one unit vector per document, searched by :func:`dot_topk`.

    Each distinct keyword spelling's vector is the mean of its raw token vectors, each
    document's the mean of its in-vocabulary keyword vectors (an (N, U) sparse average), so
    the score equals :func:`mean_matrix`'s cosine. Blocks of queries are compared with the whole
    collection by BLAS-like products fused with a parallel top-k merge; the (N, N) matrix never
    exists.
    """

    def __init__(self, docs: ParsedCollection, chunk_size: int = 1024):
        n = docs.n
        spell_id: dict[str, int] = {}
        spell_rows: list[tuple] = []
        sids, ok, ptr = [], [], np.zeros(n + 1, dtype=np.int64)
        contextual = docs.encoder.contextual  # a keyword's rows depend on its list
        for i, (items, rows) in enumerate(zip(docs.items, docs.rows_per_item())):
            for (kw, _), r in zip(items, rows):
                s = None if contextual else spell_id.get(kw)
                if s is None:
                    s = len(spell_rows)
                    if not contextual:
                        spell_id[kw] = s
                    spell_rows.append(r)
                sids.append(s)
                ok.append(bool(spell_rows[s]))
            ptr[i + 1] = len(sids)
        d = docs.vectors.shape[1]
        kw_vec = _mean_rows(docs.vectors, spell_rows, d)
        sids = np.array(sids, dtype=np.int64)
        ok = np.array(ok, dtype=bool)
        doc_of = np.repeat(np.arange(n), np.diff(ptr))
        per_doc = np.bincount(doc_of[ok], minlength=n)  # keywords with a vector per document
        weights = ok / np.repeat(np.maximum(per_doc, 1), np.diff(ptr))
        avg = sp.csr_matrix((weights.astype(np.float32), sids, ptr), shape=(n, len(kw_vec)))
        super().__init__(np.asarray(avg @ kw_vec, dtype=np.float32), per_doc > 0, chunk_size)


# --------------------------------------------------------------------------- pairwise (P pairs)


def pairwise_jaccard_tokens(docs: ParsedCollection, p: int, weights=None) -> np.ndarray:
    """Pair t: Jaccard of the token sets of documents t and p + t (float64, (p,))."""
    out = np.full(p, np.nan)
    for i in range(p):
        a, b = docs.lex[i], docs.lex[p + i]
        u = len(a | b)
        out[i] = len(a & b) / u if u else 0.0
    return out


def _pairwise_means(docs: ParsedCollection, p: int, weights, sif: bool,
                    component=None) -> np.ndarray:
    rows, vec = docs.tok_rows, docs.vectors
    d = np.zeros((2 * p, vec.shape[1]))
    ok = np.array([bool(r) for r in rows])
    for j, r in enumerate(rows):
        if r:
            r = np.asarray(r)
            w = weights[r].astype(np.float64) if sif else np.ones(len(r))
            d[j] = w @ np.asarray(vec[r], np.float64) / len(r)
    if sif and component is not None:  # estimated elsewhere (sif_common_component)
        pc = np.asarray(component, dtype=np.float64)
        d = d - np.outer(d @ pc, pc)
    elif sif and ok.sum() >= 2:  # common component over all texts of the file
        pc = np.linalg.svd(d[ok], full_matrices=False)[2][0]
        d = d - np.outer(d @ pc, pc)
    u = normalize_rows(d, dtype=None)
    res = np.einsum("ij,ij->i", u[:p], u[p:])
    return np.where(ok[:p] & ok[p:], res, np.nan)


def pairwise_mean(docs: ParsedCollection, p: int, weights=None) -> np.ndarray:
    """Pair t: cosine of the mean token vectors of documents t and p + t (float64)."""
    return _pairwise_means(docs, p, weights, sif=False)


def pairwise_sif(docs: ParsedCollection, p: int, weights, component=None) -> np.ndarray:
    """Pair t: SIF, the common component of all 2p texts removed (Arora et al.'s STS setup).

    ``component`` (unit vector, shape (d,)): remove this one instead, e.g. estimated on other
    texts by :func:`sif_common_component`.
    """
    return _pairwise_means(docs, p, weights, sif=True, component=component)


def pairwise_hybrid(docs: ParsedCollection, p: int, weights, alpha: float = 0.2) -> np.ndarray:
    """Pair t: ``alpha * jaccard_tokens + (1 - alpha) * sif_best_match`` of documents t and
    p + t (float64, (p,); NaN where ``sif_best_match`` is). ``alpha`` is ``hybrid``'s default
    weight (:class:`~simvec.keywords.methods.MethodParams`)."""
    return (alpha * pairwise_jaccard_tokens(docs, p)
            + (1 - alpha) * pairwise_sif_best_match(docs, p, weights))


def pairwise_sif_best_match(docs: ParsedCollection, p: int, weights) -> np.ndarray:
    """Pair t: SIF-weighted token best match of documents t and p + t, in float64."""
    rows, vec = docs.tok_rows, docs.vectors
    out = np.full(p, np.nan)
    for i in range(p):
        a, b = rows[i], rows[p + i]
        if not a or not b:
            continue
        a, b = np.asarray(a), np.asarray(b)
        g = (normalize_rows(np.asarray(vec[a], np.float64), dtype=None)
             @ normalize_rows(np.asarray(vec[b], np.float64), dtype=None).T)
        wa, wb = weights[a], weights[b]
        out[i] = ((wa @ g.max(axis=1)) / wa.sum() + (wb @ g.max(axis=0)) / wb.sum()) / 2
    return out


# --------------------------------------------------------------------------- keyword vectors


def mean_cosine(va: np.ndarray, vb: np.ndarray) -> float:
    """Cosine of the mean of ``va`` ((A, d)) and the mean of ``vb`` ((B, d))."""
    a = normalize_rows(va.mean(axis=0)[None, :])
    b = normalize_rows(vb.mean(axis=0)[None, :])
    return float(np.clip(a @ b.T, -1.0, 1.0)[0, 0])


def best_match_alignment(va: np.ndarray, vb: np.ndarray):
    """Symmetric best-match alignment of two sides' vectors (Mihalcea et al. 2006).

    Returns
    -------
    score : float
        ``(mean_i max_j cos(a_i, b_j) + mean_j max_i cos(a_i, b_j)) / 2``.
    best_b, max_a : ndarray, shape (A,)
        For each row of ``va``, its partner in ``vb`` and their cosine.
    best_a, max_b : ndarray, shape (B,)
        For each row of ``vb``, its partner in ``va`` and their cosine.
    """
    sims = np.clip(normalize_rows(va) @ normalize_rows(vb).T, -1.0, 1.0)
    best_b = sims.argmax(axis=1)
    best_a = sims.argmax(axis=0)
    max_a = sims[np.arange(len(va)), best_b]
    max_b = sims[best_a, np.arange(len(vb))]
    score = float((max_a.mean(dtype=np.float64) + max_b.mean(dtype=np.float64)) / 2)
    return score, best_b, max_a, best_a, max_b


def token_best_match_alignment(docs: ParsedCollection, weights: np.ndarray, i: int = 0,
                               j: int = 1):
    """The token alignment behind ``sif_best_match`` for documents ``i`` and ``j``.

    Every token occurrence of document i is aligned with its most similar token of document j
    (cosine of word vectors) and vice versa, as :func:`token_best_match` scores them; each
    side's maxima are averaged with the tokens' SIF weights. A token that occurs in two
    keywords of a side is listed once per occurrence, each with its own weight, which gives the
    same average as :func:`token_best_match`'s one unit weighted by its count. Computed in
    float64 (the collection scorers use float32; the two agree to about 1e-7).

    Parameters
    ----------
    docs : ParsedCollection
        Parsed with word vectors.
    weights : ndarray, float, shape (V,)
        Weight of each vocabulary row (SIF ``a / (a + p(w))``,
        :meth:`~simvec.keywords.methods.MethodParams.weights`).
    i, j : int
        The two documents; both must have at least one in-vocabulary token.

    Returns
    -------
    score : float
        ``(sum_t w_t max_u cos(t, u) / sum_t w_t + sum_u w_u max_t cos(t, u) / sum_u w_u) / 2``.
    side_i, side_j : dict
        Per side, parallel sequences over its token occurrences, in keyword order:
        ``"token"`` (vocabulary key), ``"keyword"`` (the keyword it belongs to), ``"weight"``
        (float64, the SIF weight normalised to sum 1 over the side), ``"partner"`` (int, the
        position of the most similar occurrence on the other side; the first on ties) and
        ``"cosine"`` (float64, their cosine, clipped to [-1, 1]).

    Raises
    ------
    SimvecValueError
        If a document has no in-vocabulary token.

    References
    ----------
    Mihalcea, Corley & Strapparava (2006), AAAI; Arora, Liang & Ma (2017), ICLR.
    """
    sides = []
    item_rows = docs.rows_per_item()
    per_doc = {}
    for d, rows_of in enumerate(item_rows):
        if d in (i, j):
            per_doc[d] = rows_of
        if len(per_doc) == len({i, j}):
            break
    for d in (i, j):
        rows, toks, kws = [], [], []
        for (kw, _), r in zip(docs.items[d], per_doc[d]):
            if r:
                rows.extend(r)
                toks.extend(docs.encoder.row_names(kw, r))
                kws.extend([kw] * len(r))
        if not rows:
            raise SimvecValueError(f"document {d} has no token in the vocabulary")
        sides.append((np.asarray(rows, np.int64), toks, kws))
    (ra, ta, ka), (rb, tb, kb) = sides
    g = np.clip(normalize_rows(np.asarray(docs.vectors[ra], np.float64), dtype=None)
                @ normalize_rows(np.asarray(docs.vectors[rb], np.float64), dtype=None).T,
                -1.0, 1.0)
    best_b, best_a = g.argmax(axis=1), g.argmax(axis=0)
    wa = np.asarray(weights[ra], np.float64)
    wb = np.asarray(weights[rb], np.float64)
    side_i = {"token": ta, "keyword": ka, "weight": wa / wa.sum(), "partner": best_b,
              "cosine": g[np.arange(len(ra)), best_b]}
    side_j = {"token": tb, "keyword": kb, "weight": wb / wb.sum(), "partner": best_a,
              "cosine": g[best_a, np.arange(len(rb))]}
    score = float((side_i["weight"] @ side_i["cosine"] + side_j["weight"] @ side_j["cosine"]) / 2)
    return score, side_i, side_j


# --------------------------------------------------------------------------- SIF component


def sif_common_component(docs: ParsedCollection, weights: np.ndarray) -> np.ndarray:
    """First singular vector of the SIF text vectors of ``docs`` (Arora et al. 2017).

    Each document's vector is ``sum_w weights[w] v(w) / n`` over its n in-vocabulary tokens,
    as :func:`pairwise_sif` builds them; the uncentred (N, d) matrix's first right singular
    vector is the "common component" that SIF removes.

    Returns
    -------
    ndarray of float64, shape (d,)
        Unit length (its sign is arbitrary and does not matter for the removal).

    Raises
    ------
    SimvecValueError
        If fewer than 2 documents have an in-vocabulary token.
    """
    vec = docs.vectors
    d = [weights[np.asarray(r)].astype(np.float64) @ np.asarray(vec[np.asarray(r)], np.float64)
         / len(r) for r in docs.tok_rows if r]
    if len(d) < 2:
        raise SimvecValueError(
            f"the common component needs at least 2 texts with an in-vocabulary token, got {len(d)}")
    return np.linalg.svd(np.stack(d), full_matrices=False)[2][0]


# --------------------------------------------------------------------------- lexical first

#: Smallest scale of ``lexical_first`` (see :func:`lexical_first_scale`).
LEXICAL_FIRST_MIN_SCALE = float(2 ** 21)


def lexical_first_scale(lex: list) -> float:
    """The factor L of ``lexical_first``'s key ``L * jaccard + (1 + sif_best_match) / 2``.

    Two different Jaccard values ``p1/q1 != p2/q2`` differ by at least ``1 / (q1 q2)``, and a
    union q is at most ``2 m`` tokens, m the largest token set of the collection; so with
    ``L >= 2 (2 m)^2`` different Jaccard values are at least 2 apart after scaling, more than
    the tie-break term (in [0, 1]) can move them. L is the smallest power of two that is at
    least that and at least 2**21 (enough for lists of up to 512 distinct tokens), so that a
    pair of ordinary lists gets the same L as the collection holding them.

    Parameters
    ----------
    lex : list of set
        The token sets of the documents (:attr:`ParsedCollection.lex`).

    Returns
    -------
    float
        A power of two (exact in float64, so ``L * jaccard`` adds no rounding).
    """
    m = max((len(s) for s in lex), default=0)
    need = 2 * (2 * m) ** 2
    return max(LEXICAL_FIRST_MIN_SCALE, float(1 << max(need - 1, 0).bit_length()))


def _lexical_first_key(jac: np.ndarray, sem: np.ndarray, scale: float) -> np.ndarray:
    """``scale * jac + (1 + sem) / 2`` in float64; NaN where ``sem`` is NaN (no vector)."""
    return scale * jac + (1.0 + np.clip(sem.astype(np.float64), -1.0, 1.0)) / 2.0


def _jaccard64(inc_a: sp.csr_matrix, size_a: np.ndarray, inc_b: sp.csr_matrix,
               size_b: np.ndarray) -> np.ndarray:
    """Exact Jaccard in float64: integer counts (exact in float32 below 2**24) divided once."""
    inter = np.asarray((inc_a @ inc_b.T).toarray(), dtype=np.float64)
    return _jaccard_from_counts(inter, size_a, size_b)


def lexical_first_matrix(docs: ParsedCollection, weights: np.ndarray) -> np.ndarray:
    """``lexical_first``: token Jaccard first, ties ordered by ``sif_best_match``.

    Returns the float64 key ``L * J + (1 + S) / 2`` (L from :func:`lexical_first_scale`),
    which orders pairs exactly as the lexicographic order of (J, S): J decides when the
    Jaccard values differ, S (in float32 precision) when they are equal, including the many
    pairs that share no token (J = 0). NaN where ``sif_best_match`` is NaN.
    """
    sem = token_best_match(docs, weights).matrix(docs.n)
    inc = _incidence(docs.lex)
    size = np.array([len(s) for s in docs.lex], dtype=np.float64)
    return _lexical_first_key(_jaccard64(inc, size, inc, size), sem,
                              lexical_first_scale(docs.lex))


class LexicalFirstBlocks(BestMatchBlocks):
    """``lexical_first`` block by block: the key of :func:`lexical_first_matrix` in float64.

    The top-k driver ranks on the float64 key, so the order is exact; the scores it stores are
    float32, which keep J (``score / L``) and about two decimals of the tie-break.
    """

    def __init__(self, bm: BestMatch, lex: list):
        super().__init__(bm)
        self.scale = lexical_first_scale(lex)
        self.inc = _incidence([lex[i] for i in self.pos])
        self.size = np.asarray(self.inc.sum(axis=1), dtype=np.float64).ravel()

    def block(self, r0: int, r1: int) -> np.ndarray:
        jac = _jaccard64(self.inc[r0:r1], self.size[r0:r1], self.inc, self.size)
        return _lexical_first_key(jac, self.bm.block(r0, r1), self.scale)


# --------------------------------------------------------------------------- uSIF

#: Common discourse vectors uSIF removes: m = 5 (Ethayarajh 2018; the reference code's default).
USIF_COMPONENTS = 5


def usif_mean_length(docs: ParsedCollection) -> float:
    """Average number of in-vocabulary token occurrences of the texts that have one.

    uSIF's ``n`` (the expected random-walk length, :func:`~simvec.keywords.weighting.usif_parameter`)
    estimated on ``docs``: the reference code uses 11, "the avg sentence length, which should be
    estimated from a large representative sample".

    Returns
    -------
    float
        Tokens per text (>= 1).

    Raises
    ------
    SimvecValueError
        If no text has an in-vocabulary token.
    """
    lengths = [len(r) for r in docs.tok_rows if r]
    if not lengths:
        raise SimvecValueError("the average sentence length needs a text with an "
                               "in-vocabulary token, got none")
    return float(np.mean(lengths))


def usif_text_vectors(docs: ParsedCollection, weights: np.ndarray) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """uSIF text vectors before the common components are removed (Ethayarajh 2018).

    ``v_s = (1 / |s|) sum_{t in s} weights[t] v(t) / |v(t)|`` over the text's in-vocabulary
    token occurrences: unit word vectors (the paper's model makes word-vector length a
    confound it removes), weighted by uSIF's ``a / (a/2 + p(w))``, averaged.

    Parameters
    ----------
    docs : ParsedCollection
        With word vectors.
    weights : ndarray of float, shape (R,)
        Weight of every row of ``docs.vectors``
        (:func:`~simvec.keywords.weighting.usif_word_weights`).

    Returns
    -------
    vectors : ndarray of float64, shape (N, d)
        Zero rows for texts without an in-vocabulary token.
    valid : ndarray of bool, shape (N,)
        Texts with at least one in-vocabulary token.

    Notes
    -----
    The reference code (github.com/kawine/usif, ``uSIF._to_vec``) writes
    ``v_t * (1.0 / np.linalg.norm(v_t, axis=0))``, which divides each *dimension* by its norm
    over the sentence's tokens rather than each word vector by its length; simvec scales each
    word vector to unit length (docs/phrase-quality.md measures both).
    """
    vec = docs.vectors
    out = np.zeros((docs.n, vec.shape[1]), dtype=np.float64)
    valid = np.zeros(docs.n, dtype=bool)
    for i, rows in enumerate(docs.tok_rows):
        if not rows:
            continue
        r = np.asarray(rows, dtype=np.int64)
        u = normalize_rows(np.asarray(vec[r], np.float64), dtype=None)
        out[i] = np.asarray(weights[r], np.float64) @ u / len(r)
        valid[i] = True
    return out, valid


def usif_components(vectors: np.ndarray, m: int = USIF_COMPONENTS) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """uSIF's common discourse vectors and their weights, from a set of text vectors.

    The first ``k = min(m, N, d)`` right singular vectors ``u_i`` of the uncentred (N, d)
    matrix of text vectors, each with the weight ``lambda_i = s_i^2 / sum_{j<=k} s_j^2`` (its
    singular value's share), as the reference code computes them (``uSIF.embed``, with
    scikit-learn's ``TruncatedSVD``; simvec uses the exact SVD).

    Parameters
    ----------
    vectors : array_like of float, shape (N, d)
        Text vectors (:func:`usif_text_vectors`, valid rows only).
    m : int, default 5
        Components (positive).

    Returns
    -------
    components : ndarray of float64, shape (k, d)
        Unit rows.
    lambdas : ndarray of float64, shape (k,)
        Non-negative, summing to 1.

    Raises
    ------
    SimvecValueError
        If ``m`` is not a positive integer, ``vectors`` is not 2-D with at least 2 rows, or
        they are all zero.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise SimvecValueError(f"m must be a positive integer, got {m!r}")
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise SimvecValueError(
            f"uSIF's common components need at least 2 text vectors, got shape {x.shape}")
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    k = min(int(m), len(s))
    energy = s[:k] ** 2
    if not energy.sum() > 0:
        raise SimvecValueError("uSIF's common components: every text vector is zero")
    return vt[:k], energy / energy.sum()


def usif_remove_components(vectors: np.ndarray, components: np.ndarray,
                           lambdas: np.ndarray) -> np.ndarray:
    """``v - sum_i lambda_i (u_i . v) u_i`` for every row ``v`` (float64, shape of ``vectors``)."""
    x = np.asarray(vectors, dtype=np.float64)
    c = np.asarray(components, dtype=np.float64)
    return x - ((x @ c.T) * np.asarray(lambdas, dtype=np.float64)) @ c


def usif_matrix(docs: ParsedCollection, weights: np.ndarray,
                m: int = USIF_COMPONENTS) -> np.ndarray:
    """``usif``: cosine of uSIF text vectors, the collection's common components removed.

    The components are estimated on the documents with a vector when there are more than
    ``m`` of them; with fewer (one pair of lists) none is removed, as the reference code's
    README advises (``m = 0`` without a sizable set of sentences).

    Returns
    -------
    ndarray of float32, shape (N, N)
        NaN where a document has no in-vocabulary token.
    """
    doc, valid = usif_text_vectors(docs, weights)
    if valid.sum() > m:
        doc[valid] = usif_remove_components(doc[valid], *usif_components(doc[valid], m))
    return _cosine_of_rows(doc, valid).astype(np.float32)


def pairwise_usif(docs: ParsedCollection, p: int, weights: np.ndarray, components=None,
                  m: int = USIF_COMPONENTS) -> np.ndarray:
    """Pair t: cosine of the uSIF vectors of documents t and p + t (float64, (p,)).

    The ``m`` common components are those of all 2p texts (the reference code's STS setup:
    each file's sentences embedded together) unless ``components`` (the
    ``(components, lambdas)`` of :func:`usif_components`, e.g. from other texts) is given;
    ``m = 0`` removes none (the reference code's ``m = 0``). NaN where a text has no
    in-vocabulary token.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
        raise SimvecValueError(f"m must be a non-negative integer, got {m!r}")
    d, ok = usif_text_vectors(docs, weights)
    if components is not None:
        d = usif_remove_components(d, *components)
    elif m and ok.sum() >= 2:
        d[ok] = usif_remove_components(d[ok], *usif_components(d[ok], m))
    u = normalize_rows(d, dtype=None)
    res = np.clip(np.einsum("ij,ij->i", u[:p], u[p:]), -1.0, 1.0)
    return np.where(ok[:p] & ok[p:], res, np.nan)
