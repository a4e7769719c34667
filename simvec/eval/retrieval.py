"""Judge keyword-list similarity by retrieval: do a document's nearest documents share its label?

A labelled keyword collection (each document has keywords and a topic label, as the
500N-KPCrowd and SemEval-2010 collections in ``shared/data/keywords``) measures how well a
similarity method ranks: for every document, all other documents are ranked by the similarity of
their keyword lists alone, and a neighbour is relevant when it has the same label.

* :func:`simvec.keywords.collection.read_labeled_collection` reads such a collection (JSONL /
  CSV), reporting documents without a label by line number (skipped) or raising, as asked.
* :func:`retrieval_metrics` computes precision@1 and MAP@k from a score matrix.
* :func:`evaluate_keyword_retrieval` runs several methods of
  :mod:`simvec.keywords.methods` side by side, timing each, with bootstrap 95 % intervals of
  each figure and paired bootstrap intervals of each method's difference from a baseline
  (:mod:`simvec.eval.mean_bootstrap`; Efron & Tibshirani 1993).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.eval.mean_bootstrap import (
    BOOTSTRAP_RESAMPLES, BootstrapInterval, bootstrap_mean, check_bootstrap_settings,
    paired_bootstrap_difference,
)
from simvec.keywords.collection import read_labeled_collection
from simvec.keywords.methods import (
    DEFAULT_METHOD, METHOD_NAMES, get_method, method_info, similarity_matrix,
)
from simvec.keywords.parse import parse_collection

__all__ = [
    "read_labeled_collection",  # re-exported from simvec.keywords.collection
    "retrieval_metrics",
    "RetrievalMetrics",
    "evaluate_keyword_retrieval",
    "MethodResult",
    "MethodDifference",
    "KeywordRetrievalReport",
]

_TIE = 1e-6  # scores this close to the best count as tied


@dataclass(frozen=True)
class RetrievalMetrics:
    """Result of :func:`retrieval_metrics`.

    Attributes
    ----------
    precision_at_1 : float
        Mean over queries of the expected share of relevant documents among those tied for
        the highest score (a random tie-break in expectation).
    map_at_k : float
        Mean average precision over the top ``k`` (see :func:`retrieval_metrics`).
    k : int
    n_queries : int
    query_index : ndarray of int64, shape (n_queries,)
        Rows of ``scores`` evaluated as queries, ascending (queries without a candidate are
        left out).
    precision_at_1_per_query, ap_at_k_per_query : ndarray of float64, shape (n_queries,)
        Each query's precision@1 and AP@k, in the order of ``query_index``; their means are
        ``precision_at_1`` and ``map_at_k``. The input of the bootstrap intervals
        (:mod:`simvec.eval.mean_bootstrap`).
    """

    precision_at_1: float
    map_at_k: float
    k: int
    n_queries: int
    query_index: np.ndarray = field(default=None, repr=False, compare=False)
    precision_at_1_per_query: np.ndarray = field(default=None, repr=False, compare=False)
    ap_at_k_per_query: np.ndarray = field(default=None, repr=False, compare=False)


def retrieval_metrics(scores, labels: Sequence, k: int = 10, *, queries=None, candidates=None,
                      seed: int = 0, map_normalization: str = "retrieved") -> RetrievalMetrics:
    """Precision@1 and MAP@k of ranking every candidate for every query, the query excluded.

    For query i, candidates j != i are ranked by ``scores[i, j]`` (NaN ranks last, as the
    lowest score); j is relevant when ``labels[j] == labels[i]``.

    * precision@1: share of relevant documents among the candidates tied (within 1e-6) for the
      best score, i.e. the expected precision@1 under random tie-breaking, so a method that
      scores 0 for most pairs (Jaccard) is neither rewarded nor punished by input order.
    * AP@k: ties broken by a random permutation (seeded with ``seed``, so reruns agree), then
      ``AP@k = sum_{r <= k} P@r * rel_r / Z``; with ``map_normalization="retrieved"`` (the
      default, the convention of the measured table in the keyword-quality issue) Z is the
      number of relevant documents among the top k (AP is 0 when there is none); with
      ``"min_k_r"`` Z is ``min(k, R)``, R the relevant candidates (trec_eval's truncated AP).
      MAP@k is the mean over queries.

    Parameters
    ----------
    scores : array_like of float, shape (N, N)
        Higher is more similar; the diagonal is ignored.
    labels : sequence, length N
    k : int, default 10
    queries : array_like of bool, shape (N,), optional
        Documents evaluated as queries (default all).
    candidates : array_like of bool, shape (N,), optional
        Documents that can be retrieved (default all).
    seed : int, default 0
    map_normalization : {"retrieved", "min_k_r"}

    Returns
    -------
    RetrievalMetrics

    Raises
    ------
    SimvecValueError
        If shapes disagree, ``k`` is not positive, or the normalisation is unknown.

    References
    ----------
    Manning, Raghavan & Schütze (2008), *Introduction to Information Retrieval*, ch. 8
    (precision at k, mean average precision).

    Examples
    --------
    >>> s = [[1, .9, .1], [.9, 1, .2], [.1, .2, 1]]
    >>> retrieval_metrics(s, ["a", "a", "b"], k=2)
    RetrievalMetrics(precision_at_1=0.6666666666666666, map_at_k=0.6666666666666666, k=2, n_queries=3)
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=object)
    n = len(y)
    if s.shape != (n, n):
        raise SimvecValueError(f"scores must have shape ({n}, {n}) for {n} labels, got {s.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise SimvecValueError(f"k must be a positive integer, got {k!r}")
    if map_normalization not in ("retrieved", "min_k_r"):
        raise SimvecValueError(
            f"map_normalization must be 'retrieved' or 'min_k_r', got {map_normalization!r}"
        )
    q = np.ones(n, bool) if queries is None else np.asarray(queries, bool)
    c = np.ones(n, bool) if candidates is None else np.asarray(candidates, bool)
    _, codes = np.unique(y.astype(str), return_inverse=True)
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, k + 1, dtype=np.float64)
    p1, aps, qi = [], [], []
    for i in np.flatnonzero(q):
        cand = np.flatnonzero(c)
        cand = cand[cand != i]
        if not len(cand):
            continue
        row = np.nan_to_num(s[i, cand], nan=-np.inf, posinf=np.inf, neginf=-np.inf)
        rel = codes[cand] == codes[i]
        best = row.max()
        tied = row >= best - _TIE if np.isfinite(best) else np.ones(len(row), bool)
        qi.append(i)
        p1.append(rel[tied].mean())
        perm = rng.permutation(len(row))
        order = perm[np.argsort(-row[perm], kind="stable")][:k]
        r = rel[order]
        hits = np.cumsum(r)
        num = float(np.sum(r * hits / ranks[:len(r)]))
        z = hits[-1] if map_normalization == "retrieved" else min(k, int(rel.sum()))
        aps.append(num / z if z else 0.0)
    p1, aps, qi = (np.asarray(p1, np.float64), np.asarray(aps, np.float64),
                   np.asarray(qi, np.int64))
    if not len(p1):
        return RetrievalMetrics(float("nan"), float("nan"), int(k), 0, qi, p1, aps)
    return RetrievalMetrics(float(np.mean(p1)), float(np.mean(aps)), int(k), len(p1), qi, p1,
                            aps)


@dataclass
class MethodResult:
    """One method's figures in a :class:`KeywordRetrievalReport`.

    Attributes
    ----------
    method : str
    description : str
        The method and its source (:func:`simvec.keywords.methods.method_info`).
    precision_at_1, map_at_k : float
    seconds : float
        Wall-clock time of scoring all pairs (tokenising the keywords and building the
        similarity matrix), not of the ranking.
    no_vector : int
        Documents the method could not represent (no in-vocabulary token); they score NaN.
    precision_at_1_ci, map_at_k_ci : BootstrapInterval or None
        Bootstrap percentile intervals of the two figures, queries resampled
        (:func:`simvec.eval.mean_bootstrap.bootstrap_mean`).
    precision_at_1_per_query, ap_at_k_per_query : list of float
        Each query's precision@1 and AP@k, in the order of the report's ``query_ids``.
    """

    method: str
    description: str
    precision_at_1: float
    map_at_k: float
    seconds: float
    no_vector: int = 0
    precision_at_1_ci: BootstrapInterval | None = None
    map_at_k_ci: BootstrapInterval | None = None
    precision_at_1_per_query: list = field(default_factory=list, repr=False)
    ap_at_k_per_query: list = field(default_factory=list, repr=False)


@dataclass
class MethodDifference:
    """A method's figures minus a baseline's on the same queries, with paired intervals.

    Attributes
    ----------
    method, baseline : str
    precision_at_1, map_at_k : BootstrapInterval
        ``estimate`` = method's figure - baseline's; the interval from the paired bootstrap
        (:func:`simvec.eval.mean_bootstrap.paired_bootstrap_difference`). A difference whose
        interval contains 0 is within noise at that level.
    """

    method: str
    baseline: str
    precision_at_1: BootstrapInterval
    map_at_k: BootstrapInterval


@dataclass
class KeywordRetrievalReport:
    """Result of :func:`evaluate_keyword_retrieval`.

    Attributes
    ----------
    methods : list of MethodResult
        In the order asked.
    k : int
    n_documents : int
        Documents given.
    n_queries : int
        Documents evaluated as queries: keyword list not empty and label not unique.
    n_candidates : int
        Documents that can be retrieved: keyword list not empty.
    empty_keywords : list of str
        Ids of documents with an empty keyword list: neither queries nor candidates.
    singleton_labels : dict
        ``{label: id}`` of labels carried by one document only: it cannot be retrieved
        correctly, so it is excluded from the averages (it remains a candidate).
    labels : dict
        ``{label: documents}`` among the candidates.
    chance_precision_at_1 : float
        Expected precision@1 of a random ranking, for reference.
    skipped : list of (int, str)
        Records skipped when reading (line, reason), filled in by the CLI.
    query_ids : list
        Ids of the queries, in the order of every method's per-query lists.
    baseline : str or None
        The method the ``differences`` are taken against.
    differences : list of MethodDifference
        Every other method minus ``baseline``, paired bootstrap intervals.
    bootstrap : dict
        ``{"resamples", "level", "seed"}`` of every interval.
    """

    methods: list[MethodResult]
    k: int
    n_documents: int
    n_queries: int
    n_candidates: int
    empty_keywords: list = field(default_factory=list)
    singleton_labels: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    chance_precision_at_1: float = float("nan")
    skipped: list = field(default_factory=list)
    query_ids: list = field(default_factory=list)
    baseline: str | None = None
    differences: list[MethodDifference] = field(default_factory=list)
    bootstrap: dict = field(default_factory=dict)

    def method(self, name: str) -> MethodResult:
        """The result of method ``name``.

        Raises
        ------
        SimvecValueError
            If ``name`` was not evaluated.
        """
        for m in self.methods:
            if m.method == name:
                return m
        raise SimvecValueError(f"method {name!r} was not evaluated; evaluated: "
                               + ", ".join(m.method for m in self.methods))

    def difference(self, method: str, baseline: str) -> MethodDifference:
        """``method`` minus ``baseline`` on the same queries, paired bootstrap intervals.

        Uses the report's bootstrap settings (resamples, level, seed), so it equals the entry
        of ``differences`` when ``baseline`` is the report's baseline.
        """
        a, b = self.method(method), self.method(baseline)
        kw = {k: self.bootstrap[k] for k in ("resamples", "level", "seed")}
        return MethodDifference(
            method, baseline,
            paired_bootstrap_difference(a.precision_at_1_per_query,
                                        b.precision_at_1_per_query, **kw),
            paired_bootstrap_difference(a.ap_at_k_per_query, b.ap_at_k_per_query, **kw))

    def to_dict(self) -> dict:
        """JSON-able dict (the CLI's ``--format json`` payload)."""
        d = asdict(self)
        d["skipped"] = [{"line": line, "reason": why} for line, why in self.skipped]
        return d


def evaluate_keyword_retrieval(ids: Sequence, keyword_lists: Sequence, labels: Sequence, kv=None,
                               methods: Sequence[str] = (DEFAULT_METHOD,), *, k: int = 10,
                               seed: int = 0, map_normalization: str = "retrieved",
                               progress=None, baseline: str | None = None,
                               resamples: int = BOOTSTRAP_RESAMPLES, level: float = 0.95,
                               bootstrap_seed: int = 0,
                               **method_params) -> KeywordRetrievalReport:
    """Precision@1 and MAP@k of keyword-list retrieval for several methods side by side.

    For every document, all other documents are ranked by the similarity of their keyword
    lists (:func:`simvec.keywords.methods.similarity_matrix`), the document itself excluded, and
    scored by :func:`retrieval_metrics` against the labels. Documents with an empty keyword list
    are neither queries nor candidates (listed in ``empty_keywords``); a label carried by a
    single document makes that document a non-query (counted in ``singleton_labels``). Every
    method sees the same queries and candidates.

    Parameters
    ----------
    ids : sequence, length N
    keyword_lists : sequence of (list of str or str), length N
    labels : sequence of str or int, length N
        None is not a label: filter such documents first (:func:`read_labeled_collection`).
    kv : KeyedVectors, optional
        Needed by every method except the two Jaccards.
    methods : sequence of str, default (DEFAULT_METHOD,) = ("hybrid",)
        Names from :data:`simvec.keywords.methods.METHODS`, or ``["all"]``.
    k : int, default 10
    seed : int, default 0
        Tie-breaking for MAP@k.
    map_normalization : {"retrieved", "min_k_r"}
    progress : callable (method, index, total), optional
        Called before each method.
    baseline : str, optional
        Method the others are compared with (paired bootstrap of the differences); default
        ``"jaccard_tokens"`` when it is evaluated, else the first method.
    resamples : int, default 2000
        Bootstrap resamples of the queries (Efron & Tibshirani 1993; at least 1,000 advised).
    level : float, default 0.95
        Coverage of the intervals.
    bootstrap_seed : int, default 0
        Seed of the resampling; every interval of a report uses the same resamples.
    **method_params
        Passed to :func:`~simvec.keywords.methods.similarity_matrix` (``sif_a``, ``alpha``, ...).

    Returns
    -------
    KeywordRetrievalReport
        With each method's per-query precision@1 and AP@k, their bootstrap intervals
        (``precision_at_1_ci``, ``map_at_k_ci``) and ``differences`` from ``baseline``.

    Raises
    ------
    SimvecValueError
        If there are no documents, lengths differ, a label is None, a method is unknown, or no
        document can be a query; if ``baseline`` is not among ``methods``; bad bootstrap
        settings.

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13 (percentile
    intervals, the paired design).

    Examples
    --------
    >>> r = evaluate_keyword_retrieval(
    ...     ["a", "b", "c", "d"], [["cat", "dog"], ["dog"], ["car"], ["car", "road"]],
    ...     ["pets", "pets", "cars", "cars"], methods=["jaccard_phrases"])
    >>> r.methods[0].precision_at_1, r.n_queries
    (1.0, 4)
    """
    ids = list(ids)
    n = len(ids)
    if len(keyword_lists) != n or len(labels) != n:
        raise SimvecValueError(
            f"{n} ids, {len(keyword_lists)} keyword lists and {len(labels)} labels: "
            "they must have the same length"
        )
    if n == 0:
        raise SimvecValueError(
            "the collection has no documents (an empty file, empty input, or every record "
            "skipped, e.g. for a missing label): nothing to evaluate"
        )
    if any(lab is None for lab in labels):
        i = next(i for i, lab in enumerate(labels) if lab is None)
        raise SimvecValueError(f"document {ids[i]!r} has no label (None); drop it first")
    methods = list(METHOD_NAMES) if list(methods) == ["all"] else list(methods)
    if not methods:
        raise SimvecValueError("methods is empty; name at least one of " + ", ".join(METHOD_NAMES))
    for m in methods:
        if m not in METHOD_NAMES:
            raise SimvecValueError(f"unknown method {m!r}; choose from {', '.join(METHOD_NAMES)}")
        if kv is None and get_method(m).needs_vectors:
            raise SimvecValueError(f"method {m!r} needs word vectors: pass kv")
    labels = [str(lab) for lab in labels]
    tokenizer = method_params.pop("tokenizer", None)
    parsed = parse_collection(keyword_lists, kv, tokenizer)  # once, for every method
    nonempty = np.array([bool(items) for items in parsed.items], dtype=bool)
    counts = Counter(lab for lab, ok in zip(labels, nonempty) if ok)
    singles = {lab: ids[i] for i, lab in enumerate(labels) if nonempty[i] and counts[lab] == 1}
    queries = nonempty & np.array([counts[lab] > 1 for lab in labels], dtype=bool)
    if not queries.any():
        raise SimvecValueError(
            "no document can be evaluated: every label occurs once (or keyword lists are empty)"
        )
    y = np.array(labels, dtype=object)
    m_cand = int(nonempty.sum())
    chance = float(np.mean([(counts[labels[i]] - 1) / (m_cand - 1)
                            for i in np.flatnonzero(queries)]))
    keep = np.flatnonzero(nonempty)  # score only the candidates
    sub = parsed.subset(keep)
    if baseline is None:
        baseline = "jaccard_tokens" if "jaccard_tokens" in methods else methods[0]
    elif baseline not in methods:
        raise SimvecValueError(f"baseline {baseline!r} is not among the methods evaluated "
                               f"({', '.join(methods)})")
    check_bootstrap_settings(resamples, level)
    boot = {"resamples": resamples, "level": level, "seed": bootstrap_seed}
    results = []
    query_ids = None
    for t, m in enumerate(methods):
        if progress is not None:
            progress(m, t, len(methods))
        t0 = time.perf_counter()
        s = similarity_matrix(None, kv, m, parsed=sub, **method_params)
        secs = time.perf_counter() - t0
        no_vec = int(np.sum(np.all(np.isnan(s), axis=1)))
        res = retrieval_metrics(s, y[keep], k, queries=queries[keep], seed=seed,
                                map_normalization=map_normalization)
        if query_ids is None:
            query_ids = [ids[i] for i in keep[res.query_index]]
        results.append(MethodResult(
            m, method_info(m), res.precision_at_1, res.map_at_k, secs, no_vec,
            bootstrap_mean(res.precision_at_1_per_query, **boot),
            bootstrap_mean(res.ap_at_k_per_query, **boot),
            res.precision_at_1_per_query.tolist(), res.ap_at_k_per_query.tolist()))
    report = KeywordRetrievalReport(
        methods=results, k=int(k), n_documents=n, n_queries=int(queries.sum()),
        n_candidates=m_cand, empty_keywords=[ids[i] for i in np.flatnonzero(~nonempty)],
        singleton_labels=singles, labels=dict(sorted(counts.items())),
        chance_precision_at_1=chance, query_ids=query_ids, baseline=baseline,
        bootstrap=boot,
    )
    report.differences = [report.difference(m, baseline) for m in methods if m != baseline]
    return report
