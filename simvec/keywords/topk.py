"""One top-k driver for keyword collections: all pairs, or queries against a collection.

:func:`all_pairs_topk` finds, for every document of a collection, the ``k`` most similar other
documents; :func:`rank_collection` finds them for query keyword lists that are not part of the
collection. Both parse the lists once (:func:`~simvec.keywords.parse.parse_collection`), take
the method's block scorer from the registry (:func:`~simvec.keywords.methods.method_blocks`) and
run the same driver, :func:`topk_blocks`: blocks of query documents are scored against the
collection and only the best ``k`` of each row are kept, so memory stays bounded. The Jaccard
overlap of the keyword sets is computed for the neighbours found only.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from simvec._util import check_positive_int
from simvec.errors import SimvecValueError
from simvec.keywords.encoders import get_encoder
from simvec.keywords.methods import (
    DEFAULT_METHOD, MethodParams, default_method, get_method, method_blocks,
)
from simvec.keywords.parse import ParsedCollection, parse_collection
from simvec.keywords.scorers import Blocks, BestMatchBlocks
from simvec.keywords.weighting import SIF_A
from simvec.kernels.sets import sorted_intersection_size

__all__ = ["topk_blocks", "all_pairs_topk", "AllPairsTopK", "rank_collection"]

logger = logging.getLogger(__name__)


def topk_blocks(scorer: Blocks, k: int, *, n_queries: int | None = None,
                progress: Callable[[int, int], None] | None = None):
    """Run a block scorer: for each query document, its ``k`` best-scoring documents.

    Parameters
    ----------
    scorer : simvec.keywords.scorers.Blocks
        Over N documents (``scorer.valid``, shape (N,)).
    k : int
        Neighbours per query (fewer when there are fewer candidates; rows are padded).
    n_queries : int, optional
        ``None``: all pairs, every document is a query and a candidate, itself excluded.
        Otherwise documents ``0 .. n_queries-1`` are the queries and the rest the candidates.
    progress : callable (done, total), optional
        Called after each block with the number of query documents (with a representation)
        scored so far and their total.

    Returns
    -------
    index : ndarray of int64, shape (Q, k)
        Document positions of the neighbours, best first (ties in position order); -1 pads.
        Q is N for all pairs, ``n_queries`` otherwise.
    score : ndarray of float32, shape (Q, k)
        Their scores; NaN where ``index`` is -1.
    valid : ndarray of bool, shape (N,)
        Documents with a representation.
    """
    valid, pos = scorer.valid, scorer.pos
    n = len(valid)
    n_rows = n if n_queries is None else n_queries
    index = np.full((n_rows, k), -1, dtype=np.int64)
    score = np.full((n_rows, k), np.nan, dtype=np.float32)
    # rows r < q_end are queries; in query mode columns r < q_end are excluded
    q_end = len(pos) if n_queries is None else int(np.searchsorted(pos, n_queries))
    n_cand = len(pos) - 1 if n_queries is None else len(pos) - q_end
    kk = min(k, n_cand)
    for r0, r1 in scorer.row_blocks(0, q_end) if kk > 0 else ():
        if n_queries is None:
            exclude = np.arange(r0, r1, dtype=np.int64)[:, None]
        else:
            exclude = np.broadcast_to(np.arange(q_end, dtype=np.int64), (r1 - r0, q_end))
        order, val, found = scorer.topk(r0, r1, kk, np.ascontiguousarray(exclude))
        docs = pos[r0:r1]
        index[docs, :kk] = np.where(found, pos[order], -1)
        score[docs, :kk] = np.where(found, val, np.nan)
        if progress is not None:
            progress(r1, q_end)
    return index, score, valid


@njit(nogil=True, parallel=True, cache=True)
def _jaccard_pairs(ptr, keys, docs, nbrs, out):  # pragma: no cover - numba
    """``out[t, r]``: Jaccard of the key sets of ``docs[t]`` and ``nbrs[t, r]`` (NaN where -1)."""
    n, k = nbrs.shape
    for t in prange(n):
        a0 = ptr[docs[t]]
        a1 = ptr[docs[t] + 1]
        for r in range(k):
            j = nbrs[t, r]
            if j < 0:
                out[t, r] = np.nan
                continue
            b0 = ptr[j]
            b1 = ptr[j + 1]
            inter = sorted_intersection_size(keys, a0, a1, keys, b0, b1)
            union = (a1 - a0) + (b1 - b0) - inter
            out[t, r] = inter / union if union > 0 else 0.0


def _neighbour_jaccard(docs: ParsedCollection, index: np.ndarray) -> np.ndarray:
    """Jaccard of the keyword sets of row t's document and each of its neighbours."""
    key_id: dict[str, int] = {}
    ptr = np.zeros(docs.n + 1, dtype=np.int64)
    ids: list[int] = []
    for i, items in enumerate(docs.items):  # keys are unique within a document
        ids.extend(sorted(key_id.setdefault(k, len(key_id)) for _, k in items))
        ptr[i + 1] = len(ids)
    out = np.empty(index.shape, dtype=np.float32)
    _jaccard_pairs(ptr, np.array(ids, dtype=np.int64), np.arange(len(index), dtype=np.int64),
                   index, out)
    return out


@dataclass
class AllPairsTopK:
    """The top-k table of a keyword collection (result of :func:`all_pairs_topk`).

    Attributes
    ----------
    ids : list, length N
        Document ids (query ids for :func:`rank_collection`), in input order.
    index : ndarray of int64, shape (N, k)
        ``index[i, r]`` is the position in ``neighbor_ids`` of row i's (r+1)-th most similar
        document; ``-1`` pads rows with fewer than k neighbours (documents without vector).
    score : ndarray of float32, shape (N, k)
        Score of the method (for ``"mean"`` the cosine of the mean keyword vectors; for the
        default ``hybrid`` a blend of an alignment score and Jaccard, not a cosine), decreasing along each
        row; NaN where ``index`` is -1. ``cosine`` is a deprecated alias (one release).
    jaccard : ndarray of float32, shape (N, k), or None
        Jaccard overlap of the keyword sets of the same pairs (None if not requested).
    no_vector : list
        Ids of documents with no in-vocabulary keyword (or no keyword); they have no neighbours
        and are nobody's neighbour.
    k : int
    method : str
    n_keywords, n_oov_keywords : int
        Keyword occurrences over all documents (after de-duplication within a document), and
        how many of them had no in-vocabulary token.
    neighbor_ids : list or None
        Ids the ``index`` refers to; ``None`` means ``ids`` (all pairs).
    """

    ids: list
    index: np.ndarray
    score: np.ndarray
    jaccard: np.ndarray | None
    no_vector: list
    k: int
    method: str = DEFAULT_METHOD
    n_keywords: int = 0
    n_oov_keywords: int = 0
    neighbor_ids: list | None = None

    @property
    def cosine(self) -> np.ndarray:
        """Deprecated alias of :attr:`score` (the scores are not all cosines)."""
        warnings.warn("AllPairsTopK.cosine is deprecated (the scores are not all cosines); "
                      "use .score", DeprecationWarning, stacklevel=2)
        return self.score

    def rows(self) -> Iterator[tuple]:
        """Yield ``(doc_id, rank, other_id, score, jaccard)`` for every neighbour.

        ``rank`` is 1-based; ``jaccard`` is None when it was not computed.
        """
        for i in range(len(self.ids)):
            yield from self._rows_of(i)

    __iter__ = rows

    def neighbors(self, doc_id) -> list[tuple]:
        """``[(other_id, score, jaccard), ...]`` of one document, most similar first."""
        try:
            i = self.ids.index(doc_id)
        except ValueError:
            raise SimvecValueError(f"no document with id {doc_id!r}") from None
        return [(other, c, j) for _, _, other, c, j in self._rows_of(i)]

    def _rows_of(self, i: int):
        others = self.ids if self.neighbor_ids is None else self.neighbor_ids
        for r in range(self.index.shape[1]):
            j = int(self.index[i, r])
            if j < 0:
                return
            yield (self.ids[i], r + 1, others[j], float(self.score[i, r]),
                   None if self.jaccard is None else float(self.jaccard[i, r]))


def _check_ids(ids, n_lists: int, what: str) -> list:
    ids = list(ids)
    if n_lists != len(ids):
        raise SimvecValueError(
            f"{len(ids)} {what} but {n_lists} keyword lists; they must have the same length"
        )
    if len(set(ids)) != len(ids):
        seen: set = set()
        dup = next(x for x in ids if x in seen or seen.add(x))
        raise SimvecValueError(f"document ids must be unique; {dup!r} repeats")
    return ids


def all_pairs_topk(
    ids: Sequence,
    keyword_lists: Sequence,
    kv,
    k: int = 10,
    method: str | None = None,
    chunk_size: int = 1024,
    include_jaccard: bool = True,
    tokenizer: Callable[[str], list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    parsed: ParsedCollection | None = None,
    sif_a: float = SIF_A,
    word_probabilities=None,
    alpha: float = 0.2,
    **method_params,
) -> AllPairsTopK:
    """For every document, its ``k`` most similar other documents by keyword-list similarity.

    Any method of :data:`simvec.keywords.methods.METHODS` runs through one driver
    (:func:`topk_blocks`). The default ``hybrid`` (token Jaccard blended with the SIF-weighted token
    best-match alignment, chosen in docs/keyword-quality.md), ``best_match`` and ``hybrid`` are scored in
    memory-bounded blocks whose time grows with the product of the collection's token counts
    (500 news articles of ~50 keyphrases: about 10 s on 2 cores); ``mean`` computes each
    document's vector once (the mean of its raw keyword vectors, each the mean of its
    in-vocabulary token vectors, so the score equals
    ``keyword_similarity(a, b, kv, method="mean").score``) and compares blocks of
    ``chunk_size`` unit vectors with the whole collection by
    :func:`simvec.kernels.topk.dot_topk` (100,000 documents in seconds); the other methods cut
    blocks from their (N, N) matrix.

    Documents with no in-vocabulary keyword get no neighbours and are listed in ``no_vector``.
    Ties keep input order.

    Parameters
    ----------
    ids : sequence, length N
        Unique document ids.
    keyword_lists : sequence of (list of str or str), length N
        Keyword lists; a str is split on ``,`` / ``;``. Empty lists are allowed (no vector).
    kv : KeyedVectors or None
        Word vectors (``None`` only for the Jaccard methods).
    k : int, default 10
        Neighbours per document (fewer when the collection is smaller; rows are padded).
    method : str, optional
        Default :func:`~simvec.keywords.methods.default_method` of the encoder (``"hybrid"``
        for word vectors, ``"joined"`` for a sentence-transformer).
        A name of :data:`simvec.keywords.methods.METHODS`; ``"mean"`` scales to millions of
        documents.
    chunk_size : int, default 1024
        ``mean``: query documents per block (``progress`` is called after each). Scores are
        computed ``min(chunk_size, 256)`` rows by at most 65,536 columns at a time, so the
        score buffer never exceeds 64 MiB; with the keyword tables, 100,000 documents peak at
        about 0.5 GB of resident memory including GloVe 6B 50d (see ``bench/all_pairs.py``).
    include_jaccard : bool, default True
    tokenizer : callable, optional
        As in :func:`~simvec.keywords.pair.keyword_similarity`.
    progress : callable (done, total), optional
        Called after each block with the number of documents (among those with a vector)
        scored so far and their total.
    parsed : ParsedCollection, optional
        ``keyword_lists`` already parsed with the same ``kv`` and ``tokenizer``.
    sif_a, word_probabilities, alpha, **method_params
        See :class:`simvec.keywords.methods.MethodParams`.

    Returns
    -------
    AllPairsTopK
        Arrays ``index``, ``score``, ``jaccard`` of shape (N, k); iterate it (or call
        ``.rows()``) for ``(doc_id, rank, other_id, score, jaccard)`` tuples.

    Raises
    ------
    SimvecValueError
        If the collection is empty, the lengths differ, an id repeats, ``k`` or ``chunk_size``
        is not positive, ``method`` is unknown, or a keyword list holds non-strings.

    References
    ----------
    Mitchell & Lapata (2010), "Composition in distributional models of semantics",
    Cognitive Science 34(8) (additive composition: averaging word vectors).
    Johnson, Douze & Jégou (2019), "Billion-scale similarity search with GPUs", IEEE Trans. Big
    Data (exact k-NN as blocked matrix products with a running top-k, the scheme used here).

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> res = all_pairs_topk(["d1", "d2", "d3"], [["cat"], ["kitten", "cat"], ["car"]], kv, k=1,
    ...                      method="mean")
    >>> [(d, o, round(c, 3), j) for d, _, o, c, j in res]
    [('d1', 'd2', 0.999, 0.5), ('d2', 'd1', 0.999, 0.5), ('d3', 'd2', 0.053, 0.0)]
    """
    if method is not None:
        get_method(method)  # fail before parsing
    ids = _check_ids(ids, len(keyword_lists), "ids")
    if not ids:
        raise SimvecValueError(
            "the collection has no documents (an empty file, empty input, or every record "
            "skipped): nothing to compare"
        )
    k = check_positive_int("k", k)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    params = MethodParams(sif_a=sif_a, word_probabilities=word_probabilities, alpha=alpha,
                          **method_params)
    if parsed is None and kv is not None:
        kv = get_encoder(kv, tokenizer=tokenizer)
    docs = parsed if parsed is not None else parse_collection(keyword_lists, kv, tokenizer)
    method = method or default_method(docs.encoder)
    scorer = method_blocks(docs, method, params, chunk_size)
    if isinstance(scorer, BestMatchBlocks) and float(len(scorer.bm.rows)) ** 2 > 1e10:
        logger.warning(  # ~10^10 cosine look-ups: minutes to hours
            "%s on %d documents (%d keyword/token items) compares every item with every "
            "other item: this will be slow; method='mean' scales to millions of documents",
            method, docs.n, len(scorer.bm.rows))
    index, score, valid = topk_blocks(scorer, k, progress=progress)
    no_vector = [ids[i] for i in np.flatnonzero(~valid)]
    if no_vector:
        logger.info("all_pairs_topk: %d of %d documents have no in-vocabulary keyword",
                    len(no_vector), docs.n)
    return AllPairsTopK(
        ids=ids, index=index, score=score,
        jaccard=_neighbour_jaccard(docs, index) if include_jaccard else None,
        no_vector=no_vector, k=k, method=method, n_keywords=docs.n_keywords,
        n_oov_keywords=docs.n_oov_keywords,
    )


def rank_collection(
    queries: Sequence,
    ids: Sequence,
    keyword_lists: Sequence,
    kv,
    k: int = 10,
    method: str | None = None,
    *,
    query_ids: Sequence | None = None,
    include_jaccard: bool = True,
    tokenizer: Callable[[str], list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    **method_params,
) -> AllPairsTopK:
    """For each query keyword list, the ``k`` most similar documents of a collection.

    The queries and the collection are parsed together once and scored by the same driver and
    block scorers as :func:`all_pairs_topk`, so a query's scores equal those it would get as a
    member of the collection (for methods without collection statistics, i.e. all but
    ``idf_mean`` and ``sif``'s common component, which are estimated over queries and
    collection together).

    Parameters
    ----------
    queries : sequence of (str or list of str), length Q
    ids : sequence, length N
        Unique ids of the collection's documents.
    keyword_lists : sequence of (str or list of str), length N
    kv : KeyedVectors or None
    k : int, default 10
    method : str, optional
        Default :func:`~simvec.keywords.methods.default_method` of the encoder (``"hybrid"``
        for word vectors, ``"joined"`` for a sentence-transformer).
    query_ids : sequence, length Q, optional
        Default ``0 .. Q-1``.
    include_jaccard, tokenizer, progress, **method_params
        As in :func:`all_pairs_topk`.

    Returns
    -------
    AllPairsTopK
        One row per query: ``ids`` are the query ids, ``neighbor_ids`` the collection's ids,
        ``index`` positions in the collection; ``no_vector`` lists queries without a vector.

    Raises
    ------
    SimvecValueError
        As :func:`all_pairs_topk`.

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> res = rank_collection([["kitten"]], ["d1", "d2"], [["car"], ["cat"]], kv, k=1)
    >>> [(q, o) for q, _, o, _, _ in res]
    [(0, 'd2')]
    """
    if method is not None:
        get_method(method)  # fail before parsing
    ids = _check_ids(ids, len(keyword_lists), "ids")
    queries = list(queries)
    query_ids = list(range(len(queries))) if query_ids is None else _check_ids(
        query_ids, len(queries), "query ids")
    k = check_positive_int("k", k)
    q = len(queries)
    if kv is not None:
        kv = get_encoder(kv, tokenizer=tokenizer)
    docs = parse_collection(
        queries + list(keyword_lists), kv, tokenizer,
        names=[f"queries[{i}]" for i in range(q)]
        + [f"keyword_lists[{i}]" for i in range(len(ids))])
    method = method or default_method(docs.encoder)
    scorer = method_blocks(docs, method, MethodParams(**method_params))
    index, score, valid = topk_blocks(scorer, k, n_queries=q, progress=progress)
    index = np.where(index >= 0, index - q, -1)
    jac = None
    if include_jaccard:
        jac = _neighbour_jaccard(docs, np.where(index >= 0, index + q, -1))
    return AllPairsTopK(
        ids=query_ids, index=index, score=score, jaccard=jac,
        no_vector=[query_ids[i] for i in np.flatnonzero(~valid[:q])], k=k, method=method,
        n_keywords=docs.n_keywords, n_oov_keywords=docs.n_oov_keywords, neighbor_ids=ids,
    )
