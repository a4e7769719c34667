"""Two keyword lists compared: :func:`keyword_similarity`, its result and its alignment.

Scores come from the method registry (:mod:`simvec.keywords.methods`): methods with a
keyword-vector scorer (``mean``, ``best_match``) compare the two sides' keyword vectors, any
other method scores the two lists as a collection of two. :func:`score_keyword_vectors` is the
same comparison for keyword vectors made by any encoder (``simvec.elmo.keywords`` uses it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.keywords import scorers
from simvec.keywords.encoders import get_encoder
from simvec.keywords.language import coverage_reason
from simvec.keywords.methods import (
    MethodParams, default_method, get_method, similarity_matrix,
)
from simvec.keywords.parse import KeywordEncoder, jaccard_keys, parse_collection

__all__ = ["keyword_similarity", "keyword_similarities", "KeywordSimilarity", "KeywordMatch",
           "Alignment", "ALIGNMENT_METHODS", "score_keyword_vectors", "similarity_report",
           "alignment_report", "describe_encoder", "REPORT_KEYS"]

#: Keys of :func:`similarity_report` (``simvec similar --format json``, ``POST /similar``), the
#: same whatever the encoder (static vectors, sentence-transformer, ELMo). The last three
#: describe ``alignment``.
REPORT_KEYS = ("vectors", "model", "encoder", "method", "score", "a", "b", "jaccard",
               "mean_cosine", "best_match_cosine", "oov_a", "oov_b", "reason", "context", "note",
               "alignment", "alignment_method", "alignment_level", "alignment_score")

#: Methods whose score comes from an alignment, and the method whose alignment it is:
#: ``hybrid`` = ``alpha * jaccard_tokens + (1 - alpha) * sif_best_match`` aligns as
#: ``sif_best_match``.
ALIGNMENT_METHODS = {"best_match": "best_match", "sif_best_match": "sif_best_match",
                     "hybrid": "sif_best_match"}


@dataclass(frozen=True)
class KeywordMatch:
    """One unit of an alignment (a keyword, or a word token) with its best partner.

    At the keyword level (``best_match``) the unit is a keyword; at the token level
    (``sif_best_match``, ``hybrid``) it is one token occurrence, ``token``, of ``keyword``,
    aligned with the token ``partner_token`` of the other side's keyword ``partner``.

    Attributes
    ----------
    keyword : str
        The keyword (token level: the keyword the token belongs to).
    partner : str
        The in-vocabulary keyword of the other list with the highest cosine (token level: the
        keyword the best partner token belongs to, its first occurrence on ties).
    cosine : float
        Cosine of the unit and its partner (keyword vectors, or word vectors), in [-1, 1].
    weight : float or None
        The unit's weight in its side's average, the weights of a side summing to 1:
        ``1 / n`` for ``best_match``, the SIF weight ``a / (a + p(w))`` normalised over the
        side's tokens for ``sif_best_match``. ``None`` when built without one.
    token, partner_token : str or None
        Token level: the token (vocabulary key) and its best partner token; ``None`` at the
        keyword level.
    """

    keyword: str
    partner: str
    cosine: float
    weight: float | None = None
    token: str | None = None
    partner_token: str | None = None

    def as_dict(self) -> dict:
        """The fields as a plain dict (``dataclasses.asdict`` without its deep copy: the
        fields are immutable scalars; a server's hot path)."""
        return {"keyword": self.keyword, "partner": self.partner, "cosine": self.cosine,
                "weight": self.weight, "token": self.token, "partner_token": self.partner_token}


@dataclass(frozen=True, eq=False)
class Alignment(Mapping):
    """The alignment behind a score: per side, each unit with its best partner on the other.

    A read-only mapping ``{"a": [KeywordMatch, ...], "b": [...]}`` (so ``alignment["a"]`` and
    ``alignment.items()`` work as for the plain dict of earlier releases) with the level and
    method as attributes. The score it gives, :attr:`score`, is
    ``(sum_a weight * cosine + sum_b weight * cosine) / 2``: the score of ``method`` (for
    ``hybrid``, the ``sif_best_match`` part of its score).

    Attributes
    ----------
    level : {"token", "keyword"}
        What is aligned: word tokens (``sif_best_match``) or keyword vectors (``best_match``).
    method : str
        The method whose alignment this is (``"sif_best_match"`` or ``"best_match"``).
    a, b : list of KeywordMatch
        Side a's units in input order (token level: tokens in keyword order), then side b's.
    """

    level: str
    method: str
    a: list[KeywordMatch] = field(default_factory=list)
    b: list[KeywordMatch] = field(default_factory=list)

    def __getitem__(self, side: str) -> list[KeywordMatch]:
        if side == "a":
            return self.a
        if side == "b":
            return self.b
        raise KeyError(side)

    def __iter__(self):
        return iter(("a", "b"))

    def __len__(self) -> int:
        return 2

    def __eq__(self, other) -> bool:
        """Equal to an Alignment with the same fields, or to a mapping of the same two sides
        (the plain dict of earlier releases)."""
        if isinstance(other, Alignment):
            return (self.level, self.method, self.a, self.b) == (
                other.level, other.method, other.a, other.b)
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # a mutable mapping's contents (lists): unhashable, like a dict

    @property
    def score(self) -> float:
        """The alignment's score: each side's weighted mean of cosines, the two averaged."""
        def mean(side):
            return sum((1 / len(side) if m.weight is None else m.weight) * m.cosine
                       for m in side)

        return float((mean(self.a) + mean(self.b)) / 2)


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
    alignment : Alignment or None
        The alignment behind the score, for the methods of :data:`ALIGNMENT_METHODS`:
        ``{"a": [KeywordMatch, ...], "b": [...]}`` with ``.level`` ``"keyword"`` for
        ``best_match`` (one entry per used keyword, weight ``1 / n``) and ``"token"`` for
        ``sif_best_match`` and ``hybrid`` (one entry per in-vocabulary token occurrence, with
        its keyword and SIF weight). ``alignment.score`` equals ``score`` (``hybrid``: its
        ``sif_best_match`` part). ``None`` for the other methods or when the score is
        undefined.
    reason : str or None
        Why ``score`` is ``None``; ``None`` when there is a score.
    encoder : str or None
        The encoder's kind and name (``"static:glove-6B-50d"``,
        ``"sentence-transformer:all-MiniLM-L6-v2"``, ``"elmo:elmo"``); see
        :mod:`simvec.keywords.encoders`.
    """

    score: float | None
    method: str
    jaccard: float
    used_a: list[str] = field(default_factory=list)
    used_b: list[str] = field(default_factory=list)
    oov_a: list[str] = field(default_factory=list)
    oov_b: list[str] = field(default_factory=list)
    alignment: Alignment | None = None
    reason: str | None = None
    encoder: str | None = None


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
    alignment : Alignment or None
        For ``best_match``, the keyword-level :class:`Alignment` (weights ``1 / n``).

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
    alignment = Alignment(
        level="keyword", method="best_match",
        a=[KeywordMatch(used_a[i], used_b[j], float(s), weight=1 / len(used_a))
           for i, (j, s) in enumerate(zip(best_b, max_a))],
        b=[KeywordMatch(used_b[j], used_a[i], float(s), weight=1 / len(used_b))
           for j, (i, s) in enumerate(zip(best_a, max_b))],
    )
    return score, alignment


def _token_alignment(docs, method_params: dict) -> Alignment:
    """The token-level alignment of ``sif_best_match`` for the pair (documents 0 and 1)."""
    params = MethodParams(**{k: v for k, v in method_params.items()
                             if k in ("sif_a", "word_probabilities")})
    _, side_a, side_b = scorers.token_best_match_alignment(docs, params.weights(docs))

    def matches(side, other):
        return [KeywordMatch(kw, other["keyword"][p], float(c), weight=float(w), token=tok,
                             partner_token=other["token"][p])
                for tok, kw, w, p, c in zip(side["token"], side["keyword"], side["weight"],
                                            side["partner"], side["cosine"])]

    # a sentence-transformer gives each keyword one row: its units are keywords
    level = "keyword" if docs.encoder.kind == "sentence-transformer" else "token"
    return Alignment(level=level, method="sif_best_match", a=matches(side_a, side_b),
                     b=matches(side_b, side_a))


def keyword_similarity(
    a,
    b,
    kv,
    method: str | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    **method_params,
) -> KeywordSimilarity:
    """Similarity of two keyword lists through word vectors, with the Jaccard overlap beside it.

    Each keyword (possibly a phrase) is tokenised with ``tokenizer``; its vector is the mean of
    the **raw** (not unit-normalised) vectors of its in-vocabulary tokens. OOV tokens inside a
    phrase are skipped; a hyphenated token the vocabulary lacks falls back to its parts; a
    keyword with no in-vocabulary token is skipped and reported in ``oov_a`` / ``oov_b``.
    Keywords equal after :func:`~simvec.text.tokenize.normalize_keyword` count once.

    ``method="hybrid"`` (default with word vectors)
        ``0.2 * jaccard_tokens + 0.8 * sif_best_match``: exact word overlap (strong evidence on
        technical keywords) blended with the token alignment below (evidence where the lists
        share no word). Chosen by leave-one-collection-out over four labelled collections
        (docs/keyword-quality.md): on every fold's training collections it has the best
        worst-case precision@1 gain over token Jaccard. ``alignment`` is its
        ``sif_best_match`` part.
    ``method="sif_best_match"``
        Every word token of list a is aligned with its most similar token of list b (cosine of
        word vectors) and vice versa; each side's maxima are averaged with SIF weights
        ``a / (a + p(w))`` (Arora et al. 2017; ``p(w)`` from the vocabulary rank by Zipf's
        law, see :mod:`simvec.keywords.weighting`), and the two sides averaged. ``alignment``
        lists every token with its partner token, cosine, normalised weight and keyword.
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
    kv : KeyedVectors or encoder
        Word vectors (e.g. ``simvec.load("glove-6B-50d")``; a fastText ``.bin`` model's subword
        vectors cover out-of-vocabulary tokens), or anything
        :func:`simvec.keywords.encoders.get_encoder` takes (a sentence-transformer, an
        :class:`~simvec.keywords.encoders.ElmoEncoder`, ``"st:all-MiniLM-L6-v2"``).
    method : str, optional
        A name of :data:`simvec.keywords.methods.PAIR_METHODS` (every method but ``idf_mean``);
        default :func:`~simvec.keywords.methods.default_method` of the encoder:
        ``"sif_best_match"`` for word vectors and ELMo, ``"joined"`` for a sentence-transformer.
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

    The default aligns tokens; each token's weight (SIF, here damping the most frequent word,
    ``cat``) is its share of its side's average, and the alignment gives back the score:

    >>> r = keyword_similarity("cat car", ["dog"], kv)
    >>> r.alignment.level, round(r.score, 3), round(r.alignment.score, 3)
    ('token', 0.687, 0.687)
    >>> [(m.token, m.partner_token, round(m.cosine, 3), round(m.weight, 3))
    ...  for m in r.alignment["a"]]
    [('cat', 'dog', 0.981, 0.251), ('car', 'dog', 0.196, 0.749)]
    """
    enc = None if kv is None else get_encoder(kv, tokenizer=tokenizer)
    method = method or default_method(enc)
    return keyword_similarities(a, b, enc, (method,), tokenizer, **method_params)[method]


def keyword_similarities(a, b, kv, methods=None,
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
    enc = None if kv is None else get_encoder(kv, tokenizer=tokenizer)
    methods = (default_method(enc),) if methods is None else tuple(methods)
    for method in methods:
        m = get_method(method)
        if m.needs_collection:
            raise SimvecValueError(
                f"method {method!r} needs IDF from a collection; use "
                f"simvec.keywords.methods.similarity_matrix(keyword_lists, kv, {method!r})"
            )
        if kv is None and m.needs_vectors:
            raise SimvecValueError(f"method {method!r} needs word vectors: pass kv")
    docs = parse_collection([a, b], enc, tokenizer, names=["a", "b"])
    for name, items in zip("ab", docs.items):
        if not items:
            raise SimvecValueError(f"keyword list {name} is empty")
    return {method: _score(docs, method, method_params) for method in methods}


def _score(docs, method: str, method_params: dict) -> KeywordSimilarity:
    m = get_method(method)
    (used_a, used_b), (oov_a, oov_b) = docs.used, docs.oov
    common = dict(method=method, jaccard=jaccard_keys(*docs.keys), used_a=used_a,
                  used_b=used_b, oov_a=oov_a, oov_b=oov_b, encoder=describe_encoder(docs.encoder))
    empty = [n for n, used in zip("ab", docs.used) if not used]
    if empty and m.needs_vectors:
        sides = " and ".join(empty)
        # a list in a script the vocabulary lacks says so (simvec.keywords.language)
        words = docs.encoder.kv  # the word vectors behind a static encoder, else None
        why = coverage_reason(oov_a + oov_b, len(oov_a + oov_b + used_a + used_b), words) \
            if words is not None else None
        return KeywordSimilarity(
            score=None,
            reason=why or f"no keyword of list {sides} is in the vocabulary "
            f"(all of them are out of vocabulary), so the similarity is undefined",
            **common,
        )
    if m.vectors is not None:
        va, vb = docs.keyword_vectors(0), docs.keyword_vectors(1)
        score, alignment = score_keyword_vectors(used_a, used_b, va, vb, method)
        return KeywordSimilarity(score=score, alignment=alignment, **common)
    if method == "sif":  # one pair: the common component cannot be estimated
        method_params = {**method_params, "remove_pc": False}
    s = similarity_matrix(None, None, method, parsed=docs, **method_params)[0, 1]
    score = None if np.isnan(s) else float(s)
    alignment = None
    if score is not None and ALIGNMENT_METHODS.get(method) == "sif_best_match":
        alignment = _token_alignment(docs, method_params)
    return KeywordSimilarity(score=score, alignment=alignment, **common)


def describe_encoder(encoder) -> str:
    """``"KIND:NAME"`` of an encoder, as results report it (``"static:glove-6B-50d"``)."""
    return f"{encoder.kind}:{encoder.name}" if encoder.name else encoder.kind


def similarity_report(a, b, kv, *, vectors: str | None = None, method: str | None = None,
                      tokenizer: Callable[[str], list[str]] | None = None,
                      **method_params) -> dict:
    """Everything ``simvec similar`` reports on two keyword lists, as a JSON-able dict.

    The lists are parsed once and scored with ``method`` (default the default method), the
    mean-vector cosine and the keyword best-match cosine, Jaccard beside them, and the
    alignment behind the score.

    Parameters
    ----------
    a, b : str or list of str
        Keyword lists (a str is split on ``,`` and ``;``).
    kv : KeyedVectors
    vectors : str, optional
        The vectors' name, reported as is.
    method : str, optional
        Default: the encoder's (:func:`~simvec.keywords.methods.default_method`).
    tokenizer, **method_params
        As in :func:`keyword_similarity`.

    Returns
    -------
    dict
        Keys :data:`REPORT_KEYS`: ``score`` of ``method``, ``mean_cosine``,
        ``best_match_cosine`` (None when undefined, with ``reason``), ``a`` / ``b`` (the
        keywords, de-duplicated), ``oov_a`` / ``oov_b``; ``model`` and ``context`` are None
        (they are filled for ELMo); ``note`` is None but says when keywords are out of
        vocabulary because of their script (:mod:`simvec.keywords.language`);
        ``alignment``, ``alignment_method``,
        ``alignment_level`` and ``alignment_score`` as :func:`alignment_report` gives them for
        the alignment of ``method`` (:data:`ALIGNMENT_METHODS`) or, for a method without one
        (``mean``, ``sif``, the Jaccard methods, ...), for ``best_match``'s, shown beside
        ``best_match_cosine``.

    Raises
    ------
    SimvecValueError
        As :func:`keyword_similarity`.
    """
    if kv is not None:
        was_encoder = isinstance(kv, KeywordEncoder)
        kv = get_encoder(kv, tokenizer=tokenizer)
        if not was_encoder and kv.name is None and vectors:
            kv.name = vectors  # report the vectors by the name they were loaded by
    method = method or default_method(kv)
    wanted = tuple(dict.fromkeys((method, "mean", "best_match")))
    res = keyword_similarities(a, b, kv, wanted, tokenizer, **method_params)  # parsed once
    chosen, mean, best = res[method], res["mean"], res["best_match"]
    shown = chosen if method in ALIGNMENT_METHODS else best
    # keywords in a script the vocabulary lacks, named with the vectors (simvec.keywords.language)
    oov, reason = mean.oov_a + mean.oov_b, chosen.reason or mean.reason or best.reason
    words = getattr(kv, "kv", None)  # the word vectors behind a static encoder
    why = (coverage_reason(oov, len(oov + mean.used_a + mean.used_b), words, vectors)
           if words is not None and oov else None)
    return {
        "vectors": vectors, "model": None, "encoder": chosen.encoder,
        "method": chosen.method, "score": chosen.score,
        "a": mean.used_a + mean.oov_a, "b": mean.used_b + mean.oov_b, "jaccard": mean.jaccard,
        "mean_cosine": mean.score, "best_match_cosine": best.score,
        "oov_a": mean.oov_a, "oov_b": mean.oov_b,
        "reason": why if reason and why else reason, "context": None,
        "note": None if reason else why,
        **alignment_report(shown.alignment),
    }


def alignment_report(alignment: Alignment | None) -> dict:
    """The alignment keys of :func:`similarity_report`, JSON-able.

    Parameters
    ----------
    alignment : Alignment or None

    Returns
    -------
    dict
        ``alignment``: ``{"a": [{"keyword", "partner", "cosine", "weight", "token",
        "partner_token"}, ...], "b": [...]}`` (the fields of :class:`KeywordMatch`; ``{}``
        when there is none); ``alignment_method`` (``"sif_best_match"``, ``"best_match"`` or
        None), ``alignment_level`` (``"token"``, ``"keyword"`` or None) and
        ``alignment_score`` (:attr:`Alignment.score`, or None).
    """
    if alignment is None:
        return {"alignment": {}, "alignment_method": None, "alignment_level": None,
                "alignment_score": None}
    return {"alignment": {side: [m.as_dict() for m in matches]
                          for side, matches in alignment.items()},
            "alignment_method": alignment.method, "alignment_level": alignment.level,
            "alignment_score": alignment.score}
