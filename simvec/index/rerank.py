"""Two stages: candidates from the approximate index, re-ranked by a keyword method.

The default keyword method (``hybrid``, :data:`simvec.keywords.methods.DEFAULT_METHOD`)
aligns tokens pair by pair and cannot be indexed; the ``mean`` document vectors can. So a query
is answered in two stages, the classic retrieve-then-re-rank pipeline:

1. the index (:class:`simvec.index.ann.AnnIndex`, mean vectors) returns ``candidates``
   documents (default :data:`DEFAULT_CANDIDATES`, 200);
2. each (query, candidate) pair is scored by the method, only those pairs, never the
   collection, and the best ``k`` are kept. ``hybrid`` (the default) and ``sif_best_match`` go
   through parallel numba kernels over token tables (:func:`score_table_pairs`; the index's
   documents parsed once, :mod:`simvec.index.tokens`), with the same scores as the pair kernel
   on parsed documents (:func:`score_pairs_sif_best_match`, equal to the registry's pairwise
   scorer to 1e-6); any other method with a pairwise scorer in the registry
   (:attr:`simvec.keywords.methods.Method.pairwise`) through :func:`score_pairs`.

The default of 200 candidates follows a rule stated before the grid was measured (the figures
of an earlier, coarser grid were known; ``bench/scale.py rerank``, docs/benchmarks.md): on each collection, the smallest measured
count (10, 20, 30, 50, 75, 100, 150, 200) from which every larger count keeps the two-stage
precision@1 within 0.005 of the exact default's; each collection's choice is scored on the other
collection, and the default is the largest choice. For the default method ``hybrid``: on
500N-KPCrowd that count is 50 (P@1 0.650 two-stage and exact at 50 to 250), which misses on
SemEval-2010 (0.856 against 0.885); on SemEval-2010 it is 200 (0.877 at 100 and 150, 0.885 =
exact at 200), which gives 500N-KPCrowd's exact P@1. (For the previous default,
``sif_best_match``, the same rule gave 150; docs/benchmarks.md keeps that grid.) The mean vectors of
long scientific keyphrase lists are weak candidate generators: raise ``candidates`` for such
collections, lower it where re-ranking time matters more than the last 0.01 of P@1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from simvec._util import check_positive_int, normalize_rows
from simvec.errors import SimvecValueError
from simvec.index.encode import encode, encoder_info
from simvec.keywords.methods import DEFAULT_METHOD, PHRASE_METHODS, MethodParams, get_method
from simvec.index.tokens import TokenTable, build_token_table, index_token_table
from simvec.kernels.sets import sorted_intersection_size
from simvec.keywords.parse import KeywordEncoder, parse_collection

__all__ = [
    "DEFAULT_CANDIDATES",
    "Reranked",
    "rerank",
    "rerank_all_pairs",
    "score_pairs",
    "score_pairs_sif_best_match",
    "score_table_pairs",
]


#: Index candidates re-ranked per query by default (see the module docstring for the rule).
DEFAULT_CANDIDATES = 200


@dataclass
class Reranked:
    """Result of :func:`rerank` / :func:`rerank_all_pairs`.

    Attributes
    ----------
    index : ndarray of int64, shape (Q, k)
        Rows of the index (positions in ``ids``), best first by the method's score; -1 pads.
    score : ndarray of float32, shape (Q, k)
        The method's scores; NaN where ``index`` is -1.
    ids : list of str
        The index's document ids (``ids[index[i, r]]``).
    method : str
    candidates : int
    """

    index: np.ndarray
    score: np.ndarray
    ids: list
    method: str
    candidates: int

    def neighbors(self, i: int) -> list[tuple[str, float]]:
        """``[(doc_id, score), ...]`` of query i, best first."""
        return [(self.ids[j], float(s)) for j, s in zip(self.index[i], self.score[i]) if j >= 0]


def score_pairs(a_lists: Sequence, b_lists: Sequence, kv, method: str = DEFAULT_METHOD, *,
                params: MethodParams | None = None, encoder: KeywordEncoder | None = None
                ) -> np.ndarray:
    """The method's score of each pair ``(a_lists[t], b_lists[t])``, through the registry.

    Parameters
    ----------
    a_lists, b_lists : sequence of keyword lists, same length P
    kv : KeyedVectors
    method : str
        A method with a pairwise scorer (``mean``, ``sif``, ``sif_best_match``,
        ``jaccard_tokens``).
    params : MethodParams, optional
    encoder : KeywordEncoder, optional
        Reused across calls so that each distinct keyword is tokenised once.

    Returns
    -------
    ndarray of float64, shape (P,)
        NaN where a side has no in-vocabulary keyword.

    Raises
    ------
    SimvecValueError
        Unknown method, a method without a pairwise scorer, or lengths that differ.
    """
    m = get_method(method)
    if m.pairwise is None:
        raise SimvecValueError(f"method {method!r} cannot score single pairs; use one of "
                               f"{', '.join(PHRASE_METHODS)}")
    if len(a_lists) != len(b_lists):
        raise SimvecValueError(f"{len(a_lists)} left lists but {len(b_lists)} right lists")
    params = params or MethodParams()
    enc = encoder if encoder is not None else KeywordEncoder(kv)
    docs = parse_collection(list(a_lists) + list(b_lists), encoder=enc)
    weights = params.weights(docs) if docs.vectors is not None else None
    if method == "hybrid":  # the pairwise record uses the default weight: pass this one
        from simvec.keywords.scorers import pairwise_hybrid

        return np.asarray(pairwise_hybrid(docs, len(a_lists), weights, params.alpha),
                          dtype=np.float64)
    return np.asarray(m.pairwise(docs, len(a_lists), weights), dtype=np.float64)


@njit(nogil=True, parallel=True, cache=True)
def _sif_best_match_pairs(U, ptr, tok, w, pa, pb, out):  # pragma: no cover - numba
    """``out[t]``: SIF-weighted token best match of bags ``pa[t]`` and ``pb[t]`` (NaN if empty)."""
    d = U.shape[1]
    for t in prange(len(pa)):
        a0, a1 = ptr[pa[t]], ptr[pa[t] + 1]
        b0, b1 = ptr[pb[t]], ptr[pb[t] + 1]
        if a0 == a1 or b0 == b1:
            out[t] = np.nan
            continue
        colmax = np.full(b1 - b0, -np.inf)
        sa = 0.0
        wa = 0.0
        for i in range(a0, a1):
            x = U[tok[i]]
            mx = -np.inf
            for j in range(b0, b1):
                y = U[tok[j]]
                g = 0.0
                for c in range(d):
                    g += x[c] * y[c]
                mx = max(mx, g)
                colmax[j - b0] = max(colmax[j - b0], g)
            sa += w[i] * mx
            wa += w[i]
        sb = 0.0
        wb = 0.0
        for j in range(b0, b1):
            sb += w[j] * colmax[j - b0]
            wb += w[j]
        out[t] = (sa / wa + sb / wb) / 2


def score_pairs_sif_best_match(docs, pa, pb, weights) -> np.ndarray:
    """``sif_best_match`` of documents ``pa[t]`` and ``pb[t]`` of a parsed collection (numba).

    The same score as the registry's pairwise scorer (token best match, each token occurrence
    weighted by its SIF weight; Mihalcea et al. 2006, Arora et al. 2017), computed only for the
    given pairs, in parallel, float64 accumulation over float64 unit token vectors.

    Parameters
    ----------
    docs : ParsedCollection
    pa, pb : array_like of int, shape (P,)
        Document positions in ``docs``.
    weights : ndarray, shape (V,)
        SIF weights of the vocabulary rows (:meth:`MethodParams.weights`).

    Returns
    -------
    ndarray of float64, shape (P,)
        NaN where a side has no in-vocabulary token.
    """
    rows = docs.tok_rows
    lens = np.fromiter((len(r) for r in rows), np.int64, len(rows))
    ptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lens, out=ptr[1:])
    flat = np.fromiter((x for r in rows for x in r), np.int64, int(ptr[-1]))
    uniq, tok = np.unique(flat, return_inverse=True)
    U = normalize_rows(np.asarray(docs.vectors[uniq], np.float64), dtype=None)
    w = np.asarray(weights, np.float64)[flat]
    out = np.empty(len(pa), np.float64)
    _sif_best_match_pairs(U, ptr, tok.astype(np.int64), w, np.asarray(pa, np.int64),
                          np.asarray(pb, np.int64), out)
    return out


@njit(nogil=True, parallel=True, cache=True)
def _sif_best_match_groups(U, w, Ux, wx, aptr, atok, bptr, btok, pa, pb, gptr,
                           out):  # pragma: no cover - numba
    """``out[t]``: :func:`_sif_best_match_pairs` of document ``pa[t]`` of table a and ``pb[t]``
    of table b (NaN if a side is empty), the pairs grouped by query (pairs ``gptr[g]`` to
    ``gptr[g + 1]`` share ``pa``).

    Token ids below ``len(U)`` index ``U`` and ``w`` (unit vectors and weights of the compact
    ids), a-side ids past them ``Ux`` and ``wx`` (rows a query table added). Each group computes
    the dot products of its query's tokens with each distinct token of its candidates once (a
    Zipf vocabulary repeats tokens across candidates), each a sequential sum as in the pair
    kernel, and the sums of weighted maxima in the pair kernel's order: the same bits."""
    nb = U.shape[0]
    d = U.shape[1]
    ng = len(gptr) - 1
    nch = min(ng, 64)
    for ch in prange(nch):
        slot = np.full(nb, -1, np.int64)
        for g in range(ng * ch // nch, ng * (ch + 1) // nch):
            s0, s1 = gptr[g], gptr[g + 1]
            a0, a1 = aptr[pa[s0]], aptr[pa[s0] + 1]
            m = a1 - a0
            tot = 0
            for t in range(s0, s1):
                tot += bptr[pb[t] + 1] - bptr[pb[t]]
            touched = np.empty(tot, np.int64)
            nt = 0
            for t in range(s0, s1):
                for j in range(bptr[pb[t]], bptr[pb[t] + 1]):
                    tk = btok[j]
                    if slot[tk] < 0:
                        slot[tk] = nt
                        touched[nt] = tk
                        nt += 1
            # G[u, i] = <x_i, y_u>, each a sequential sum over c as in the pair kernel; the
            # query's tokens side by side (XT) give independent sums the CPU overlaps
            XT = np.empty((d, m))
            for i in range(m):
                ti = atok[a0 + i]
                x = U[ti] if ti < nb else Ux[ti - nb]
                for c in range(d):
                    XT[c, i] = x[c]
            G = np.zeros((nt, m))
            for u in range(nt):
                y = U[touched[u]]
                gu = G[u]
                for c in range(d):
                    yc = y[c]
                    for i in range(m):
                        gu[i] += XT[c, i] * yc
            wq = np.empty(m)
            for i in range(m):
                ti = atok[a0 + i]
                wq[i] = w[ti] if ti < nb else wx[ti - nb]
            rowmax = np.empty(m)
            for t in range(s0, s1):
                b0, b1 = bptr[pb[t]], bptr[pb[t] + 1]
                if m == 0 or b0 == b1:
                    out[t] = np.nan
                    continue
                rowmax[:] = -np.inf
                sb = 0.0
                wb = 0.0
                for j in range(b0, b1):  # maxima are exact: any order gives the same bits
                    gu = G[slot[btok[j]]]
                    cm = -np.inf
                    for i in range(m):
                        gv = gu[i]
                        rowmax[i] = max(rowmax[i], gv)
                        cm = max(cm, gv)
                    wj = w[btok[j]]
                    sb += wj * cm
                    wb += wj
                sa = 0.0
                wa = 0.0
                for i in range(m):
                    sa += wq[i] * rowmax[i]
                    wa += wq[i]
                out[t] = (sa / wa + sb / wb) / 2
            for u in range(nt):
                slot[touched[u]] = -1


@njit(nogil=True, parallel=True, cache=True)
def _jaccard_table(aptr, alex, bptr, blex, pa, pb, out):  # pragma: no cover - numba
    """``out[t]``: ``|A ∩ B| / |A ∪ B|`` of the sorted distinct id runs of document ``pa[t]``
    of table a and ``pb[t]`` of table b (a sorted-merge intersection); 0.0 when both are empty
    (:func:`simvec.keywords.parse.jaccard_keys`)."""
    for t in prange(len(pa)):
        i, i1 = aptr[pa[t]], aptr[pa[t] + 1]
        j, j1 = bptr[pb[t]], bptr[pb[t] + 1]
        inter = sorted_intersection_size(alex, i, i1, blex, j, j1)
        union = (i1 - i) + (j1 - j) - inter
        out[t] = inter / union if union else 0.0


def score_table_pairs(a: TokenTable, b: TokenTable, pa, pb, vectors, weights,
                      method: str = DEFAULT_METHOD, alpha: float = 0.2) -> np.ndarray:
    """``sif_best_match`` or ``hybrid`` of document ``pa[t]`` of table ``a`` and ``pb[t]`` of
    table ``b`` (numba, parallel over pairs), from parsed token tables.

    The same scores as :func:`score_pairs_sif_best_match` on the parsed documents (same
    arithmetic in the same order: float64 unit token vectors, float64 sums of the SIF weights of
    each token occurrence; Mihalcea et al. 2006, Arora et al. 2017) and, for ``hybrid``,
    ``alpha x`` token Jaccard (:func:`simvec.keywords.parse.jaccard_keys` of the documents'
    token sets, here a sorted-merge intersection of their lexical ids) ``+ (1 - alpha) x``
    ``sif_best_match``, as :func:`simvec.keywords.scorers.pairwise_hybrid`.

    Parameters
    ----------
    a, b : TokenTable
        ``b`` a table of its own (an index's); ``a`` either ``b`` itself or a table built with
        ``base=b`` (:func:`simvec.index.tokens.build_token_table`).
    pa, pb : array_like of int, shape (P,)
        Document positions in ``a`` and ``b``.
    vectors : array_like, shape (V, d)
        The encoder's row table (:attr:`simvec.keywords.parse.KeywordEncoder.vectors`).
    weights : ndarray, shape (V,)
        SIF weights of the rows (:meth:`MethodParams.weights`).
    method : {"sif_best_match", "hybrid"}
    alpha : float, default 0.2
        ``hybrid`` only: weight of the token Jaccard.

    Returns
    -------
    ndarray of float64, shape (P,)
        NaN where a side has no in-vocabulary token.

    Raises
    ------
    SimvecValueError
        Another method, or an ``a`` whose ids are not ``b``'s.
    """
    if method not in ("sif_best_match", "hybrid"):
        raise SimvecValueError(f"method must be 'sif_best_match' or 'hybrid', got {method!r}")
    if b.vocab_offset or (a is not b and a.vocab_offset != len(b.vocab)):
        raise SimvecValueError("table a must be table b or built with base=b")
    pa = np.asarray(pa, np.int64)
    pb = np.asarray(pb, np.int64)
    U = b.unit_vectors(vectors)
    w = b.row_weights(weights)
    if a is b or not len(a.vocab):
        Ux, wx = np.zeros((0, U.shape[1])), np.zeros(0)
    else:
        Ux, wx = a.unit_vectors(vectors), a.row_weights(weights)
    out = np.empty(len(pa), np.float64)
    if len(pa):  # runs of pairs with the same query share their dot products
        gptr = np.flatnonzero(np.concatenate([[True], pa[1:] != pa[:-1], [True]]))
        _sif_best_match_groups(U, w, Ux, wx, np.asarray(a.ptr), np.asarray(a.tok),
                               np.asarray(b.ptr), np.asarray(b.tok), pa, pb, gptr, out)
    if method == "hybrid":  # alpha x token Jaccard + (1 - alpha) x sif_best_match
        jac = np.empty(len(pa), np.float64)
        _jaccard_table(np.asarray(a.lex_ptr), np.asarray(a.lex), np.asarray(b.lex_ptr),
                       np.asarray(b.lex), pa, pb, jac)
        out = alpha * jac + (1 - alpha) * out
    return out


def _rerank_rows(index, query_lists, cand, kv, k, method, params, enc, table=None,
                 query_rows=None):
    """Top-k of each query among its candidates ``cand`` (rows of the index, -1 pads).

    ``sif_best_match`` / ``hybrid`` score from token tables: the index's ``table`` when given
    (queries that are index documents, ``query_rows``, take their rows from it; other queries
    are parsed once into a table on the index's ids), else one table parsed for this batch
    (queries and candidates). Other methods go through the registry (:func:`score_pairs`).
    """
    q, c = cand.shape
    if method in ("sif_best_match", "hybrid"):  # numba kernels over the candidate pairs only
        ii, rr = np.nonzero(cand >= 0)
        s = np.full((q, c), -np.inf)
        if len(ii):
            if table is not None:
                b, pb = table, cand[ii, rr]
                if query_rows is not None:
                    a, pa = table, np.asarray(query_rows, np.int64)[ii]
                else:
                    a, pa = build_token_table(list(query_lists), enc, base=table), ii
            else:
                rows = np.unique(cand[cand >= 0])
                a = b = build_token_table(list(query_lists) + index.keywords(rows), enc)
                pa, pb = ii, len(query_lists) + np.searchsorted(rows, cand[ii, rr])
            docs = parse_collection([], encoder=enc)  # the weights see every row added so far
            sc = score_table_pairs(a, b, pa, pb, docs.vectors, params.weights(docs), method,
                                   params.alpha)
            s[ii, rr] = np.nan_to_num(sc, nan=-np.inf)
        return _top_of(s, cand, k)
    rows = np.unique(cand[cand >= 0])
    lists = dict(zip(rows.tolist(), index.keywords(rows)))
    a, b, where = [], [], []
    for i in range(q):
        for r in range(c):
            j = int(cand[i, r])
            if j >= 0:
                a.append(query_lists[i])
                b.append(lists[j])
                where.append((i, r))
    s = np.full((q, c), -np.inf)
    if a:
        sc = score_pairs(a, b, kv, method, params=params, encoder=enc)
        ii, rr = np.array(where).T
        s[ii, rr] = np.nan_to_num(sc, nan=-np.inf)
    return _top_of(s, cand, k)


def _top_of(s, cand, k):
    # best score first, ties in the index's (approximate) order
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    val = np.take_along_axis(s, order, 1)
    idx = np.where(np.isfinite(val), np.take_along_axis(cand, order, 1), -1)
    return idx, np.where(idx >= 0, val, np.nan).astype(np.float32)


def rerank(index, query_lists: Sequence, kv, k: int = 10, *, candidates: int = DEFAULT_CANDIDATES,
           method: str = DEFAULT_METHOD, params: MethodParams | None = None,
           batch_size: int = 1024, table: bool | None = None) -> Reranked:
    """Top-k documents of an index for new keyword lists, in two stages.

    Parameters
    ----------
    index : AnnIndex
        Built from ``kv``'s mean vectors with the documents' keyword lists
        (``build_index(..., keyword_lists=...)`` or ``simvec index build``).
    query_lists : sequence of keyword lists, length Q
    kv : KeyedVectors
        The index's encoder (checked).
    k : int, default 10
    candidates : int, default DEFAULT_CANDIDATES
        Documents taken from the index per query and re-scored (``>= k``).
    method : str, default DEFAULT_METHOD
    params : MethodParams, optional
    batch_size : int
        Queries per stage-1 batch.
    table : bool or None, default None
        ``sif_best_match`` / ``hybrid``: score the candidates from the index's token table
        (:func:`simvec.index.tokens.index_token_table`; the queries are parsed once per batch).
        None: use the table when the index has one (kept in memory or saved in its folder), and
        build it when the queries will read at least as many candidate lists as the index
        holds (``len(query_lists) x candidates >= len(index)``); else parse each batch's
        candidates. True: always (build it if needed); False: never. The scores are the same.

    Returns
    -------
    Reranked

    Raises
    ------
    SimvecValueError
        Another encoder, an index without keyword lists, ``candidates < k``, bad method.
    """
    k = check_positive_int("k", k)
    candidates = check_positive_int("candidates", candidates)
    if candidates < k:
        raise SimvecValueError(f"candidates ({candidates}) must be at least k ({k})")
    get_method(method)
    index.check_encoder(encoder_info(kv))
    enc = KeywordEncoder(kv)
    params = params or MethodParams()
    query_lists = list(query_lists)
    tab = None
    if method in ("sif_best_match", "hybrid") and table is not False and len(query_lists):
        build = table is True or len(query_lists) * candidates >= len(index)
        tab = index_token_table(index, kv, build=build)
    kk = min(k, len(index))
    out_i = np.full((len(query_lists), kk), -1, np.int64)
    out_s = np.full((len(query_lists), kk), np.nan, np.float32)
    for q0 in range(0, len(query_lists), batch_size):
        sub = query_lists[q0:q0 + batch_size]
        qv = encode(sub, kv)
        cand, _ = index.search(qv, candidates)
        cand[~np.any(qv != 0, axis=1)] = -1
        out_i[q0:q0 + len(sub)], out_s[q0:q0 + len(sub)] = _rerank_rows(
            index, sub, cand, kv, kk, method, params, enc, tab)
    return Reranked(out_i, out_s, index.ids, method, candidates)


def rerank_all_pairs(index, kv, k: int = 10, *, candidates: int = DEFAULT_CANDIDATES,
                     method: str = DEFAULT_METHOD, params: MethodParams | None = None,
                     vectors=None, batch_size: int = 1024, start: int = 0,
                     stop: int | None = None, progress=None, table: bool = True) -> Reranked:
    """Two-stage top-k of every document of the index among the others (itself excluded).

    Parameters
    ----------
    index : AnnIndex
        With keyword lists.
    kv : KeyedVectors
    k, candidates, method, params
        As for :func:`rerank`.
    vectors : array_like (N, d), optional
        The documents' vectors (as encoded for the index); default: re-encoded from the stored
        keyword lists.
    batch_size : int, default 1024
        Documents per batch (index search + re-ranking), counted from ``start``.
    start, stop : int
        Only documents ``start:stop`` (default all), e.g. one chunk of
        :func:`simvec.index.pairs.all_pairs_to_file`.
    progress : callable (done, total), optional
    table : bool, default True
        ``sif_best_match`` / ``hybrid``: score from the index's token table (every document
        parsed once, :func:`simvec.index.tokens.index_token_table`: kept on the index, read
        from its folder, or built on first use); False parses each batch's queries and
        candidates again (the scores are the same). Word vectors with subword vectors always
        parse per batch.

    Returns
    -------
    Reranked
        Row i is document ``start + i``.

    Raises
    ------
    SimvecValueError
        As :func:`rerank`; rows outside the index.
    """
    k = check_positive_int("k", k)
    candidates = check_positive_int("candidates", candidates)
    batch_size = check_positive_int("batch_size", batch_size)
    if candidates < k:
        raise SimvecValueError(f"candidates ({candidates}) must be at least k ({k})")
    index.check_encoder(encoder_info(kv))
    enc = KeywordEncoder(kv)
    params = params or MethodParams()
    n = len(index)
    stop = n if stop is None else stop
    if not 0 <= start <= stop <= n:
        raise SimvecValueError(f"rows {start}:{stop} are outside the index (0:{n})")
    kk = min(k, max(n - 1, 0))
    out_i = np.full((stop - start, kk), -1, np.int64)
    out_s = np.full((stop - start, kk), np.nan, np.float32)
    tab = None
    if method in ("sif_best_match", "hybrid") and table and stop > start:
        tab = index_token_table(index, kv)
    for r0 in range(start, stop, batch_size):
        r1 = min(stop, r0 + batch_size)
        lists = index.keywords(range(r0, r1)) if vectors is None or tab is None else None
        qv = encode(lists, kv) if vectors is None else np.asarray(vectors[r0:r1], np.float32)
        cand, _ = index.search(qv, candidates + 1)
        cand[cand == np.arange(r0, r1)[:, None]] = -1  # itself
        cand[~np.any(qv != 0, axis=1)] = -1
        out_i[r0 - start:r1 - start], out_s[r0 - start:r1 - start] = _rerank_rows(
            index, lists, cand, kv, kk, method, params, enc, tab, np.arange(r0, r1))
        if progress is not None:
            progress(r1 - start, stop - start)
    return Reranked(out_i, out_s, index.ids, method, candidates)
