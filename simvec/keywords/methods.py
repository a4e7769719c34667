"""The keyword methods: one registry record per method, the one place their names live.

Every list of method names, every description the CLI shows and the default come from
:data:`METHODS` (a mapping name -> :class:`Method`) and :data:`DEFAULT_METHOD`. A record says
what the method needs (word vectors, collection statistics), its description and source, and
which scorers of :mod:`simvec.keywords.scorers` compute it: a matrix of all pairs, blocks for the
top-k driver, pairs of a pair file, and sides given as keyword vectors (any encoder). Adding a
method is one record plus its scorer.

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
    (:func:`simvec.keywords.weighting.idf_weights`). Needs a collection; not available for one
    pair.
``"sif"``
    Smooth inverse frequency (Arora, Liang & Ma 2017): token vectors weighted by
    ``a / (a + p(w))`` and averaged, then the projection on the collection's first singular
    vector (the "common component") removed. ``p(w)`` comes from the vocabulary rank by Zipf's
    law (:func:`simvec.keywords.weighting.zipf_probabilities`) unless ``word_probabilities`` are
    given. For a single pair the common component cannot be estimated and is not removed.
``"best_match"``
    Each keyword aligned with its most similar keyword on the other side; the maxima averaged
    over each side and the two averages averaged (Mihalcea, Corley & Strapparava 2006).
``"sif_best_match"``
    The same alignment at the level of word tokens, each token's maximum weighted by its SIF
    weight: Mihalcea et al. (2006)'s word-to-word measure, whose IDF weights are replaced by
    Arora et al. (2017)'s ``a / (a + p(w))`` so that no collection statistics are needed.
``"soft_cosine"``
    Sidorov et al. (2014)'s soft cosine of the SIF-weighted token bags,
    ``x^T S y / sqrt(x^T S x * y^T S y)``, with the token similarity ``S_ij = max(0, cos)^p``
    (``p=2``, the exponent of Charlet & Damnati 2017).
``"joined"``
    Cosine of one vector per list: the list embedded as one text (its keywords joined with
    ``", "``) by a sentence-transformer encoder (the "joined-list" baseline of
    docs/keyword-quality.md); with word vectors, the mean of all its token vectors (each token
    occurrence counts, unlike ``mean``'s mean of keyword means); with ELMo, the mean of its
    contextual token vectors. See :mod:`simvec.keywords.encoders`.
``"hybrid"``
    Lexical plus semantic: ``alpha * jaccard_tokens + (1 - alpha) * sif_best_match``
    (``alpha=0.2``); NaN where ``sif_best_match`` is.
``"wmd"``
    Word Mover's Distance (Kusner et al. 2015) between the normalised token bags, Euclidean
    cost between raw vectors, solved exactly by POT's ``ot.emd2`` (optional dependency
    ``POT``); reported as the similarity ``1 / (1 + WMD)``.
``"lexical_first"``
    Token Jaccard first, ``sif_best_match`` only to order what Jaccard leaves tied (equal
    Jaccard values, above all the many pairs that share no token): the lexicographic order of
    (Jaccard, sif_best_match), with no mixing weight to tune. Exact matches are strong evidence
    on technical keywords, embeddings where lists share no word. The score is the key
    ``L * jaccard_tokens + (1 + sif_best_match) / 2`` in float64 with L a power of two
    (2**21 unless a list has more than 512 distinct tokens;
    :func:`simvec.keywords.scorers.lexical_first_scale`), large enough that different
    Jaccard values never swap order; ``score / L`` is the Jaccard to within ``1 / L``. NaN
    where ``sif_best_match`` is. A lexicographic combination of a lexical and a semantic
    ranking, as in the tie-breaking of ranked retrieval (Manning, Raghavan & Schütze 2008,
    ch. 6); the semantic key is Mihalcea et al. (2006) with Arora et al. (2017)'s weights.
``"usif"``
    Unsupervised SIF (Ethayarajh 2018): unit word vectors weighted by ``a / (a/2 + p(w))`` and
    averaged, then the projections on the collection's first 5 singular vectors removed, each
    weighted by its singular value's share. ``a`` is not a chosen constant: it follows from
    the vocabulary's probabilities and the average text length of the collection
    (:func:`simvec.keywords.weighting.usif_parameter`); ``p(w)`` as for ``sif`` (Zipf's law
    unless ``word_probabilities`` are given; ``sif_a`` is not used). A collection of at most
    5 texts with vectors (one pair) keeps its components. docs/phrase-quality.md measures it
    on STS Benchmark and BiRD.

Keywords are parsed and tokenised once (:func:`simvec.keywords.parse.parse_collection`; a
hyphenated token the vocabulary lacks falls back to its parts). A document none of whose tokens
is in the vocabulary has no vector: embedding methods give it NaN scores (never a made-up 0).

References
----------
Arora, Liang & Ma (2017), "A simple but tough-to-beat baseline for sentence embeddings", ICLR.
Charlet & Damnati (2017), "SimBow at SemEval-2017 Task 3", SemEval.
Ethayarajh (2018), "Unsupervised random walk sentence embeddings: a strong but simple
baseline", RepL4NLP (ACL workshop); reference code github.com/kawine/usif.
Kusner, Sun, Kolkin & Weinberger (2015), "From word embeddings to document distances", ICML.
Mihalcea, Corley & Strapparava (2006), "Corpus-based and knowledge-based measures of text
semantic similarity", AAAI.
Manning, Raghavan & Schütze (2008), *Introduction to Information Retrieval*, Cambridge UP.
Mitchell & Lapata (2010), "Composition in distributional models of semantics", Cognitive
Science 34(8).
Sidorov, Gelbukh, Gómez-Adorno & Pinto (2014), "Soft similarity and soft cosine measure:
similarity of features in vector space model", Computación y Sistemas 18(3).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from simvec._util import check_choice
from simvec.errors import SimvecValueError
from simvec.keywords.parse import ParsedCollection, parse_collection
from simvec.keywords.weighting import (
    SIF_A, sif_weights, usif_word_weights, word_probabilities, zipf_sif_weights,
)

if TYPE_CHECKING:
    from simvec.keywords.scorers import Blocks


def _scorers():
    """:mod:`simvec.keywords.scorers`, imported on first use.

    The registry is read by every CLI ``--help``; the scorers pull in numba and scipy.sparse
    (0.6 s), so records name their scorers through this accessor instead of importing them.
    """
    return importlib.import_module("simvec.keywords.scorers")


def _named(name: str) -> Callable:
    """The scorer ``name`` of :mod:`simvec.keywords.scorers`, resolved when called."""
    def call(*args, **kwargs):
        return getattr(_scorers(), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call

__all__ = [
    "Method", "METHODS", "DEFAULT_METHOD", "PAIR_METHODS", "PHRASE_METHODS", "METHOD_NAMES",
    "COMPARED_BY_DEFAULT", "get_method", "method_info", "MethodParams", "similarity_matrix",
    "method_blocks", "default_method",
]


@dataclass(frozen=True)
class MethodParams:
    """The tunable constants of the methods, with the values the methods are documented with.

    Attributes
    ----------
    sif_a : float, default 1e-3
        SIF smoothing constant ``a`` (``sif``, ``sif_best_match``, ``soft_cosine``, ``hybrid``).
    word_probabilities : array_like of float, shape (V,), "zipf", "corpus", a path, or None
        Unigram probabilities of the vocabulary rows, replacing the Zipf estimate (``None`` or
        ``"zipf"``): ``"corpus"`` counts from the table simvec ships, a path those of a
        word-count file (:func:`simvec.keywords.weighting.word_probabilities`).
    remove_pc : bool, default True
        ``sif`` only: remove the common component (needs at least two documents with vectors).
    alpha : float, default 0.2
        ``hybrid`` only: weight of token Jaccard, in [0, 1].
    soft_cosine_power : float, default 2.0
        ``soft_cosine`` only: exponent ``p`` of ``S_ij = max(0, cos)^p``.
    """

    sif_a: float = SIF_A
    word_probabilities: object = None
    remove_pc: bool = True
    alpha: float = 0.2
    soft_cosine_power: float = 2.0

    def __post_init__(self):
        if not 0.0 <= self.alpha <= 1.0:
            raise SimvecValueError(f"alpha must be in [0, 1], got {self.alpha!r}")
        if not self.soft_cosine_power > 0:
            raise SimvecValueError(
                f"soft_cosine_power must be positive, got {self.soft_cosine_power!r}")

    def weights(self, docs: ParsedCollection) -> np.ndarray:
        """SIF weights of the vocabulary rows (Zipf estimate unless probabilities are given)."""
        n = len(docs.vectors)
        if docs.encoder.uniform_weights:  # rows are not vocabulary words ranked by frequency
            return np.ones(n, dtype=np.float32)
        probs = self.word_probabilities
        if probs is None or isinstance(probs, (str, os.PathLike)):
            probs = word_probabilities(probs, docs.encoder.key_to_index)
        if probs is not None and docs.encoder.n_added and \
                len(probs) == n - docs.encoder.n_added:
            # rows added past the vocabulary (fastText subwords of OOV tokens): rarer than any
            probs = np.concatenate([np.asarray(probs, np.float64),
                                    np.full(docs.encoder.n_added, np.min(probs))])
        if probs is None and isinstance(self.sif_a, (int, float)) and self.sif_a > 0:
            # the cached, read-only Zipf weights: no 400,000-row copy per call
            return zipf_sif_weights(n, float(self.sif_a))
        w = sif_weights(n if probs is None else probs, self.sif_a)
        if len(w) != n:
            raise SimvecValueError(f"word_probabilities has {len(w)} values for {n} vectors")
        return w


@dataclass(frozen=True)
class Method:
    """One keyword method of the registry.

    Attributes
    ----------
    name : str
    description : str
        One line with its source, as the CLI shows it.
    needs_vectors : bool
        False for the lexical methods (no word vectors needed).
    needs_collection : bool
        True when the score depends on collection statistics (IDF), so one pair cannot be
        scored alone.
    matrix : callable (ParsedCollection, MethodParams, progress) -> ndarray (N, N)
        float32 (float64 for ``lexical_first``, whose key needs it).
    blocks : callable (ParsedCollection, MethodParams, chunk_size) -> scorers.Blocks, or None
        A memory-bounded scorer for the top-k driver; ``None``: blocks are cut from ``matrix``.
    pairwise : callable (ParsedCollection, P, weights) -> ndarray (P,) float64, or None
        Scores pairs ``(t, P + t)`` of a pair file; ``None`` if the method has none.
    vectors : callable (va, vb) -> float, or None
        Scores two sides given as keyword vectors (any encoder: static vectors, ELMo).
    """

    name: str
    description: str
    needs_vectors: bool
    needs_collection: bool
    matrix: Callable
    blocks: Callable | None = None
    pairwise: Callable | None = None
    vectors: Callable | None = None

    @property
    def pair_capable(self) -> bool:
        """Whether one pair of lists can be scored without a collection."""
        return not self.needs_collection


def _lexical(field: str):
    return lambda docs, p, progress=None: _scorers().jaccard_sets(getattr(docs, field))


def _best_match_blocks(docs, p, chunk_size):
    return _scorers().BestMatchBlocks(_scorers().keyword_best_match(docs))


def _sif_best_match_matrix(docs, p, progress=None):
    return _scorers().token_best_match(docs, p.weights(docs)).matrix(docs.n)


def _usif_weights(docs: ParsedCollection, p: MethodParams) -> np.ndarray:
    """uSIF weights of every row: ``a`` from the probabilities and the collection's average
    text length (1 for encoders whose rows are not vocabulary words ranked by frequency)."""
    n = len(docs.vectors)
    if docs.encoder.uniform_weights or not any(docs.tok_rows):
        return np.ones(n)
    length = _scorers().usif_mean_length(docs)
    w, _ = usif_word_weights(docs.encoder.key_to_index, length, p.word_probabilities)
    if docs.encoder.n_added and len(w) == n - docs.encoder.n_added:
        # rows added past the vocabulary (fastText subwords of OOV tokens): rarer than any
        w = np.concatenate([w, np.full(docs.encoder.n_added, np.max(w))])
    if len(w) != n:
        raise SimvecValueError(f"word_probabilities has {len(w)} values for {n} vectors")
    return w


def _hybrid_matrix(docs, p, progress=None):
    sem = _sif_best_match_matrix(docs, p)
    return (p.alpha * _scorers().jaccard_sets(docs.lex) + (1 - p.alpha) * sem).astype(np.float32)


_RECORDS = (
    Method("jaccard_phrases", "Jaccard of whole normalised keywords (Jaccard 1912)",
           needs_vectors=False, needs_collection=False, matrix=_lexical("keys")),
    Method("jaccard_tokens", "Jaccard of word-token sets",
           needs_vectors=False, needs_collection=False, matrix=_lexical("lex"),
           pairwise=_named("pairwise_jaccard_tokens")),
    Method("mean", "cosine of mean keyword vectors (Mitchell & Lapata 2010)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().mean_matrix(docs),
           blocks=lambda docs, p, chunk_size: _scorers().MeanBlocks(docs, chunk_size),
           pairwise=_named("pairwise_mean"), vectors=_named("mean_cosine")),
    Method("joined", "cosine of one vector per list: the list embedded as one text by a "
                     "sentence-transformer, the mean token vector otherwise",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().joined_matrix(docs),
           blocks=lambda docs, p, chunk_size: _scorers().JoinedBlocks(docs, chunk_size)),
    Method("idf_mean", "cosine of IDF-weighted mean token vectors, IDF from the collection",
           needs_vectors=True, needs_collection=True,
           matrix=lambda docs, p, progress=None: _scorers().idf_mean_matrix(docs)),
    Method("sif", "SIF weights a/(a+p(w)), Zipf p(w) from vocabulary rank, common component "
                  "removed (Arora et al. 2017)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().sif_matrix(docs, p.weights(docs),
                                                              p.remove_pc),
           pairwise=_named("pairwise_sif")),
    Method("best_match", "keyword-to-keyword best-match alignment (Mihalcea et al. 2006)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().keyword_best_match(docs).matrix(docs.n),
           blocks=_best_match_blocks,
           vectors=lambda va, vb: _scorers().best_match_alignment(va, vb)[0]),
    Method("sif_best_match", "token best-match alignment weighted by SIF (Mihalcea et al. 2006; "
                             "Arora et al. 2017)",
           needs_vectors=True, needs_collection=False, matrix=_sif_best_match_matrix,
           blocks=lambda docs, p, chunk_size: _scorers().BestMatchBlocks(
               _scorers().token_best_match(docs, p.weights(docs))),
           pairwise=_named("pairwise_sif_best_match")),
    Method("soft_cosine", "soft cosine of SIF-weighted token bags, S=max(0,cos)^2 "
                          "(Sidorov et al. 2014)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().soft_cosine_matrix(
               docs, p.weights(docs), p.soft_cosine_power)),
    Method("hybrid", "0.2 x jaccard_tokens + 0.8 x sif_best_match",
           needs_vectors=True, needs_collection=False, matrix=_hybrid_matrix,
           blocks=lambda docs, p, chunk_size: _scorers().HybridBlocks(
               _scorers().token_best_match(docs, p.weights(docs)), docs.lex, p.alpha),
           pairwise=lambda docs, p, weights: _scorers().pairwise_hybrid(docs, p, weights)),
    Method("wmd", "1/(1+Word Mover's Distance), POT ot.emd2 (Kusner et al. 2015)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().wmd_matrix(docs, progress)),
    Method("lexical_first", "token Jaccard first, ties (and no shared token) ordered by "
                            "sif_best_match; no mixing weight",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().lexical_first_matrix(
               docs, p.weights(docs)),
           blocks=lambda docs, p, chunk_size: _scorers().LexicalFirstBlocks(
               _scorers().token_best_match(docs, p.weights(docs)), docs.lex)),
    # pairwise: its ``weights`` are uSIF's (simvec.eval.phrases computes them), not SIF's
    Method("usif", "unsupervised SIF: unit word vectors weighted a/(a/2+p(w)), a from the "
                   "vocabulary and text length, 5 weighted components removed "
                   "(Ethayarajh 2018)",
           needs_vectors=True, needs_collection=False,
           matrix=lambda docs, p, progress=None: _scorers().usif_matrix(
               docs, _usif_weights(docs, p)),
           pairwise=_named("pairwise_usif")),
)

#: The registry: method name -> :class:`Method`, in the order the CLI lists them.
METHODS: Mapping[str, Method] = MappingProxyType({m.name: m for m in _RECORDS})
#: Every method name, in registry order.
METHOD_NAMES: tuple[str, ...] = tuple(METHODS)
#: Chosen by leave-one-collection-out over four labelled collections (docs/keyword-quality.md,
#: "Leave one collection out"): on the training collections of every fold, the method with the
#: best worst-case precision@1 gain over token Jaccard; it beats token Jaccard on 3 of 4
#: held-out collections and is within noise on the fourth. Word vectors and ELMo; a
#: sentence-transformer encoder defaults to ``joined`` (:func:`default_method`).
DEFAULT_METHOD = "hybrid"
#: What an evaluation compares when no method is named: the two Jaccard baselines, the classic
#: mean, the token alignment and the default.
COMPARED_BY_DEFAULT: tuple[str, ...] = ("jaccard_phrases", "jaccard_tokens", "mean",
                                        "sif_best_match", DEFAULT_METHOD)
#: Methods that can score one pair without a collection (all but ``idf_mean``).
PAIR_METHODS: tuple[str, ...] = tuple(m.name for m in _RECORDS if m.pair_capable)
#: Methods with a pairwise scorer, evaluated on phrase / sentence pair files.
PHRASE_METHODS: tuple[str, ...] = tuple(m.name for m in _RECORDS if m.pairwise is not None)


def get_method(name: str, allowed: Sequence[str] | None = None) -> Method:
    """The registry record of ``name``.

    Raises
    ------
    SimvecValueError
        If ``name`` is not a method (or not one of ``allowed``); the message lists the choices.
    """
    check_choice("method", name, METHOD_NAMES if allowed is None else allowed)
    return METHODS[name]


def default_method(kv=None) -> str:
    """The method used when none is named, for these vectors or this encoder.

    An encoder may carry its own ``default_method`` (a sentence-transformer: ``"joined"``, the
    list embedded as one text, see :mod:`simvec.keywords.encoders`); otherwise
    :data:`DEFAULT_METHOD`.
    """
    return getattr(kv, "default_method", None) or DEFAULT_METHOD


def method_info(method: str) -> str:
    """One-line description and source of a method (as shown by the CLI)."""
    return get_method(method).description


def similarity_matrix(
    keyword_lists: Sequence,
    kv=None,
    method: str | None = None,
    *,
    tokenizer: Callable[[str], list[str]] | None = None,
    sif_a: float = SIF_A,
    word_probabilities=None,
    remove_pc: bool = True,
    alpha: float = 0.2,
    soft_cosine_power: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
    parsed: ParsedCollection | None = None,
) -> np.ndarray:
    """Similarity of every pair of keyword lists of a collection, with one method.

    See the module docstring for the methods and their sources. Keyword lists are parsed as by
    :func:`~simvec.keywords.pair.keyword_similarity` (a str is split on ``,``/``;``; keywords
    equal after normalisation count once).

    Parameters
    ----------
    keyword_lists : sequence of (list of str or str), length N
        Empty lists are allowed: lexical scores are 0, embedding scores NaN.
    kv : KeyedVectors, optional
        Word vectors; not needed for ``jaccard_phrases`` / ``jaccard_tokens``. SIF weights
        assume its rows are sorted most frequent first (true for GloVe, word2vec, fastText)
        unless ``word_probabilities`` is given.
    method : str, optional
        Default :func:`default_method` of the encoder (``"hybrid"`` for word vectors).
        A name of :data:`METHODS`.
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize` (lowercasing).
    sif_a, word_probabilities, remove_pc, alpha, soft_cosine_power
        See :class:`MethodParams`.
    progress : callable (done, total), optional
        ``wmd`` only: called after each row.
    parsed : ParsedCollection, optional
        The collection already parsed (by :func:`~simvec.keywords.parse.parse_collection` with
        the same ``kv`` and ``tokenizer``); ``keyword_lists`` is then not parsed again.

    Returns
    -------
    ndarray of float32 (float64 for ``lexical_first``), shape (N, N)
        ``res[i, j]`` = similarity of lists i and j, symmetric; higher is more similar. NaN
        where an embedding method has no vector for i or j. Memory is N² floats (10,000
        documents: 400 MB); use :func:`simvec.keywords.topk.all_pairs_topk` for large
        collections.

    Raises
    ------
    SimvecValueError
        Unknown ``method``, missing ``kv`` for an embedding method, bad parameters, a keyword
        list holding non-strings, or ``wmd`` without POT installed.

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
    method = method or default_method(parsed.encoder if parsed is not None else kv)
    m = get_method(method)
    params = MethodParams(sif_a, word_probabilities, remove_pc, alpha, soft_cosine_power)
    if kv is None and m.needs_vectors and (parsed is None or parsed.vectors is None):
        raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
    docs = parsed if parsed is not None else parse_collection(keyword_lists, kv, tokenizer)
    return m.matrix(docs, params, progress)


def method_blocks(docs: ParsedCollection, method: str, params: MethodParams,
                  chunk_size: int = 1024) -> Blocks:
    """A block scorer of ``method`` over a parsed collection, for :mod:`simvec.keywords.topk`.

    Methods with a blocked scorer (``mean``, ``best_match``, ``sif_best_match``, ``hybrid``)
    run in bounded memory; the others cut blocks from their (N, N) matrix.
    """
    m = get_method(method)
    if m.needs_vectors and docs.vectors is None:
        raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
    if m.blocks is not None:
        return m.blocks(docs, params, chunk_size)
    return _scorers().MatrixBlocks(m.matrix(docs, params, None))
