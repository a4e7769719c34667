"""Phrase- and sentence-pair similarity benchmarks: BiRD, STS Benchmark and files like them.

A pair file lists two texts and a human score per row. :func:`read_text_pairs` reads the two
layouts found in ``shared/data/phrase`` (and any file that names its columns):

* **BiRD** (Asaadi et al. 2019): tab-separated with a header; the texts are the ``term1`` and
  ``term2`` columns, the score the ``relatedness score`` column (0-1).
* **STS Benchmark** (Cer et al. 2017): tab-separated, no header, ``genre, file, year, id, score,
  sentence1, sentence2`` (0-5); some rows carry extra fields after the seventh, ignored.

:func:`evaluate_text_pairs` scores every pair with keyword-similarity methods (each text is one
"keyword" whose tokens are looked up in the vectors) and reports the Spearman and Pearson
correlations with the human scores, like :func:`simvec.eval.words.evaluate_word_pairs` does for
word pairs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.keywords.methods import PHRASE_METHODS, get_method
from simvec.keywords.parse import parse_collection
from simvec.eval.bootstrap import spearman_interval
from simvec.keywords.weighting import SIF_A, sif_weights
from simvec.keywords.weighting import word_probabilities as _word_probabilities

__all__ = [
    "read_text_pairs", "TextPairs", "evaluate_text_pairs", "TextPairResult", "detect_pair_format",
    "PHRASE_METHODS", "correlation_note", "score_text_pairs",
]

# PHRASE_METHODS (re-exported): the registry's methods with a pairwise scorer, which
# evaluate_text_pairs computes pair by pair.

logger = logging.getLogger(__name__)
_NEWLINE = re.compile(r"\r\n|\r|\n")

_TEXT_NAMES = [("term1", "term2"), ("sentence1", "sentence2"), ("phrase1", "phrase2"),
               ("text1", "text2")]
_SCORE_NAMES = ("relatedness score", "score", "similarity", "relatedness", "gold")


@dataclass
class TextPairs:
    """Text pairs and scores read by :func:`read_text_pairs`.

    Attributes
    ----------
    text1, text2 : list of str
    scores : ndarray of float64, shape (P,)
    lines : list of int
        1-based line number of each pair.
    format : str
        ``"bird"``/``"header"`` (named columns) or ``"sts"``.
    skipped : list of (int, str)
        Lines skipped with ``on_error="skip"`` and why.
    path : str
        The file read ("" for pairs built in memory).
    """

    text1: list
    text2: list
    scores: np.ndarray
    lines: list
    format: str
    skipped: list = field(default_factory=list)
    path: str = ""


def correlation_note(model, gold, total: int) -> str:
    """Why a correlation of ``model`` with ``gold`` scores is undefined, or ``""``.

    Parameters
    ----------
    model, gold : ndarray of float, shape (P,)
        The scores of the pairs used.
    total : int
        Pairs in the file (to say how many were left out).

    Returns
    -------
    str
        ``""`` when Spearman and Pearson are defined; otherwise a sentence: fewer than 2 pairs
        scored, all gold scores equal, or all model scores equal.
    """
    used = len(gold)
    if used < 2:
        return (f"only {used} of the {total} pairs could be scored (a word or text has no "
                "in-vocabulary token); at least 2 are needed")
    if np.all(gold == gold[0]):
        return f"all {used} gold scores are equal ({gold[0]:g}): the correlation is undefined"
    if np.all(model == model[0]):
        return (f"the model gives all {used} pairs the same score ({model[0]:g}): the "
                "correlation is undefined")
    return ""


def _read_text(path) -> str:
    if not os.path.isfile(path):
        raise SimvecFileNotFoundError(f"no such pair file: {path}")
    with open(path, encoding="utf-8-sig", errors="strict", newline="") as fh:
        try:
            return fh.read()
        except UnicodeDecodeError as exc:
            raise InputFormatError(f"not valid UTF-8 ({exc.reason})", path=str(path)) from None


def detect_pair_format(path) -> str | None:
    """``"header"`` (a header naming two text columns and a score), ``"sts"`` or None.

    Used by ``simvec evaluate`` to route a file: word-pair and analogy files give None.
    """
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            first = next((line for line in fh if line.strip()), "")
    except OSError:
        return None
    cols = [c.strip().lower() for c in first.rstrip("\r\n").split("\t")]
    if _columns(cols) is not None:
        return "header"
    if len(cols) >= 7:
        try:
            float(cols[4])
        except ValueError:
            return None
        return "sts"
    return None


def _columns(header: list[str]):
    for a, b in _TEXT_NAMES:
        if a in header and b in header:
            score = next((s for s in _SCORE_NAMES if s in header), None)
            if score is not None:
                return header.index(a), header.index(b), header.index(score)
    return None


def read_text_pairs(path, *, format: str | None = None, columns: Sequence[int] | None = None,
                    on_error: str = "raise") -> TextPairs:
    """Read a phrase- or sentence-pair file (BiRD, STS Benchmark, or named columns).

    Parameters
    ----------
    path : str or os.PathLike
        A tab-separated UTF-8 file.
    format : {"header", "sts"}, optional
        Detected when omitted (:func:`detect_pair_format`): a header naming ``term1``/``term2``,
        ``sentence1``/``sentence2``, ``phrase1``/``phrase2`` or ``text1``/``text2`` and a
        score column (``relatedness score``, ``score``, ``similarity``, ...) is read by name;
        otherwise rows of at least 7 fields are STS Benchmark rows.
    columns : (int, int, int), optional
        0-based indices of text 1, text 2 and score, overriding detection (a header, if any,
        must then be removed or its score field will be reported as malformed).
    on_error : {"raise", "skip"}
        A row with a missing or non-numeric score, or too few fields, raises
        :class:`~simvec.errors.InputFormatError` naming file and line, or is skipped and listed
        in ``skipped``.

    Returns
    -------
    TextPairs

    Raises
    ------
    InputFormatError
        Malformed row (with ``on_error="raise"``), undetectable layout, or no pair at all.
    SimvecFileNotFoundError
        If the file does not exist.

    References
    ----------
    Asaadi, Mohammad & Kiritchenko (2019), "Big BiRD: A large, fine-grained, bigram relatedness
    dataset for examining semantic composition", NAACL.
    Cer, Diab, Agirre, Lopez-Gazpio & Specia (2017), "SemEval-2017 Task 1: Semantic textual
    similarity", SemEval (the STS Benchmark).
    """
    if on_error not in ("raise", "skip"):
        raise SimvecValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    name = str(path)
    text = _read_text(path)
    fmt = format or ("columns" if columns is not None else detect_pair_format(path))
    if fmt not in ("header", "sts", "columns"):
        raise InputFormatError(
            "cannot tell the layout: expected a header naming term1/term2 (or sentence1/"
            "sentence2) and a score column, or STS Benchmark rows (genre, file, year, id, "
            "score, sentence1, sentence2); pass columns=(text1, text2, score)", path=name, line=1)
    # plain tab splitting (no quoting), LF / CRLF / CR endings; no field-size limit
    physical = _NEWLINE.split(text)
    start = 1
    if fmt == "header":
        while start <= len(physical) and not physical[start - 1].strip():  # blank lines first
            start += 1
        header = [c.strip().lower() for c in physical[start - 1].split("\t")] \
            if start <= len(physical) else []
        idx = _columns(header)
        if idx is None:
            raise InputFormatError("the header names no text1/text2/score columns", path=name,
                                   line=start)
        start += 1
    elif fmt == "sts":
        idx = (5, 6, 4)
    else:
        idx = tuple(columns)
        if len(idx) != 3 or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0
                                    for c in idx):
            raise SimvecValueError(
                f"columns must be 3 non-negative integers (text1, text2, score), got {columns!r}"
            )
    i1, i2, isc = idx
    t1, t2, sc, lines, skipped = [], [], [], [], []
    for lineno in range(start, len(physical) + 1):
        row = physical[lineno - 1].split("\t")
        if not any(c.strip() for c in row):
            continue
        why = None
        if len(row) <= max(idx):
            why = f"{len(row)} fields, expected at least {max(idx) + 1}"
        else:
            raw = row[isc].strip()
            try:
                score = float(raw)
                if not np.isfinite(score):
                    raise ValueError
            except ValueError:
                why = f"missing or non-numeric score {raw!r} in field {isc + 1}"
        if why is not None:
            if on_error == "raise":
                raise InputFormatError(why + "; fix the row or pass on_error='skip'", path=name,
                                       line=lineno)
            skipped.append((lineno, why))
            continue
        t1.append(row[i1].strip())
        t2.append(row[i2].strip())
        sc.append(score)
        lines.append(lineno)
    if not sc:
        raise InputFormatError("no scored pair found", path=name)
    return TextPairs(t1, t2, np.array(sc, dtype=np.float64), lines,
                     "sts" if fmt == "sts" else "header", skipped, name)


@dataclass
class TextPairResult:
    """Correlation of one method's scores with the human scores.

    Attributes
    ----------
    method : str
    spearman, pearson : float
        Over the pairs used (NaN when fewer than 2).
    pairs_used, pairs_total : int
    oov_pairs : int
        Pairs left out because a text has no in-vocabulary token (0 for Jaccard).
    seconds : float
        Time to score all pairs.
    note : str
        Why ``spearman`` / ``pearson`` are NaN ("" when they are not): fewer than 2 pairs
        scored (every text out of vocabulary), constant gold scores, or constant method scores.
        The reason is also logged as a warning.
    spearman_low, spearman_high : float
        Bootstrap 95 % percentile interval of ``spearman`` (pairs resampled
        ``bootstrap_resamples`` times, :func:`simvec.eval.bootstrap.spearman_interval`); NaN
        when not computed (``bootstrap=0``, or fewer than 3 pairs).
    bootstrap_resamples : int
        Resamples behind the interval (0 when none).
    """

    method: str
    spearman: float
    pearson: float
    pairs_used: int
    pairs_total: int
    oov_pairs: int
    seconds: float
    note: str = ""
    spearman_low: float = float("nan")
    spearman_high: float = float("nan")
    bootstrap_resamples: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_text_pairs(kv, pairs, methods: Sequence[str] = PHRASE_METHODS, *,
                        tokenizer=None, sif_a: float = SIF_A, word_probabilities=None,
                        sif_reference=None, bootstrap: int = 0, seed: int = 0,
                        on_error: str = "raise") -> tuple[list[TextPairResult], TextPairs]:
    """Spearman and Pearson correlation of phrase/sentence-pair scores with human judgements.

    Each text is tokenised (:func:`simvec.text.tokenize.tokenize`) and scored against its
    partner with each method:

    ``"jaccard_tokens"``: token-set overlap. ``"mean"``: cosine of the mean token vectors
    (additive composition, Mitchell & Lapata 2010). ``"sif"``: Arora et al. (2017): SIF-weighted
    mean (``a / (a + p(w))``, ``p`` by Zipf from the vocabulary rank unless
    ``word_probabilities`` says otherwise), with the first singular vector of all the file's
    text vectors removed, as in their STS experiments, or that of ``sif_reference``'s texts.
    ``"sif_best_match"``: the token best-match alignment (the semantic part of simvec's default ``hybrid``), with
    SIF weights, both directions averaged (Mihalcea et al. 2006). ``"usif"``: Ethayarajh (2018):
    unit word vectors weighted by ``a / (a/2 + p(w))``, ``a`` computed from the probabilities'
    vocabulary and the average text length n, then 5 common components removed, each weighted
    by its singular value's share; n and the components are those of the file's own texts (the
    reference code's STS setup), or of ``sif_reference``'s texts. ``sif_a`` does not apply.

    Pairs where a text has no in-vocabulary token are left out of the correlations and
    counted (``oov_pairs``), as gensim's ``evaluate_word_pairs`` does for word pairs.

    Parameters
    ----------
    kv : KeyedVectors
    pairs : str, os.PathLike or TextPairs
        A file for :func:`read_text_pairs` or pairs already read.
    methods : sequence of str, default all of :data:`PHRASE_METHODS`
    tokenizer : callable, optional
    sif_a : float, default 1e-3
    word_probabilities : "zipf", "corpus", str / os.PathLike, or array_like, shape (len(kv),)
        Where SIF's ``p(w)`` comes from (:func:`simvec.keywords.weighting.word_probabilities`):
        ``None`` / ``"zipf"`` the vocabulary rank, ``"corpus"`` the word-count table simvec
        ships (30.7M tokens; :mod:`simvec.keywords.frequencies`), a path a word-count file,
        an array the probabilities themselves.
    sif_reference : sequence of str, TextPairs, str or os.PathLike, optional
        Texts (or a pair file, both columns used) on which ``"sif"``'s common component (and
        ``"usif"``'s average text length and 5 components) are estimated instead of on the
        scored file's own texts: unlabelled text kept apart from the pairs evaluated
        (docs/phrase-quality.md uses the STS Benchmark *train* sentences).
    bootstrap : int, default 0
        Resamples for the 95 % interval of each Spearman (``spearman_low`` /
        ``spearman_high``); 0 computes none. 1,000 take under a second per method on
        3,345 pairs.
    seed : int, default 0
        Seed of the resampling (the same resamples for every method).
    on_error : {"raise", "skip"}
        For :func:`read_text_pairs` (of ``pairs`` and of a ``sif_reference`` file).

    Returns
    -------
    results : list of TextPairResult
        One per method, in order.
    pairs : TextPairs

    Raises
    ------
    SimvecValueError
        If a method is unknown, ``word_probabilities`` names no source or has the wrong
        length, ``sif_reference`` has fewer than 2 texts with an in-vocabulary token, uSIF's
        ``a`` is undefined for the probabilities, or ``bootstrap`` is negative.
    InputFormatError, SimvecFileNotFoundError
        From :func:`read_text_pairs` or a word-count file.

    References
    ----------
    Arora, Liang & Ma (2017), "A simple but tough-to-beat baseline for sentence embeddings", ICLR.
    Ethayarajh (2018), "Unsupervised random walk sentence embeddings: a strong but simple
    baseline", RepL4NLP; reference code github.com/kawine/usif.
    Mihalcea, Corley & Strapparava (2006), AAAI. Mitchell & Lapata (2010), Cognitive Science.
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap* (the intervals).
    """
    import time

    from scipy.stats import pearsonr, spearmanr

    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) \
            or bootstrap < 0:
        raise SimvecValueError(f"bootstrap must be a non-negative integer, got {bootstrap!r}")
    pairs, docs, weights, component = _prepare(kv, pairs, methods, tokenizer, sif_a,
                                               word_probabilities, sif_reference, on_error)
    p = len(pairs.scores)
    results = []
    for m in methods:
        t0 = time.perf_counter()
        s = _score(m, docs, p, weights, component)
        secs = time.perf_counter() - t0
        ok = ~np.isnan(s)
        note = correlation_note(s[ok], pairs.scores[ok], p)
        if not note:
            sp_ = float(spearmanr(s[ok], pairs.scores[ok])[0])
            pe = float(pearsonr(s[ok], pairs.scores[ok])[0])
        else:
            sp_ = pe = float("nan")
            logger.warning("%s: %s: no correlation: %s", pairs.path or "pairs", m, note)
        res = TextPairResult(m, sp_, pe, int(ok.sum()), p, int(p - ok.sum()), secs, note)
        if bootstrap and not note and ok.sum() >= 3:
            ci = spearman_interval(s[ok], pairs.scores[ok], n_resamples=int(bootstrap),
                                   seed=seed)
            res.spearman_low, res.spearman_high = ci.low, ci.high
            res.bootstrap_resamples = ci.resamples
        results.append(res)
    return results, pairs


def score_text_pairs(kv, pairs, methods: Sequence[str] = PHRASE_METHODS, *, tokenizer=None,
                     sif_a: float = SIF_A, word_probabilities=None, sif_reference=None,
                     on_error: str = "raise") -> tuple[dict, TextPairs]:
    """Each method's score of every pair, as :func:`evaluate_text_pairs` computes them.

    For paired comparisons of methods (e.g.
    :func:`simvec.eval.bootstrap.spearman_difference_interval`) or to inspect single pairs.

    Parameters
    ----------
    kv, pairs, methods, tokenizer, sif_a, word_probabilities, sif_reference, on_error
        As for :func:`evaluate_text_pairs`.

    Returns
    -------
    scores : dict of str -> ndarray of float64, shape (P,)
        Per method, in order; NaN where a text has no in-vocabulary token.
    pairs : TextPairs

    Raises
    ------
    SimvecValueError, InputFormatError, SimvecFileNotFoundError
        As for :func:`evaluate_text_pairs`.
    """
    pairs, docs, weights, component = _prepare(kv, pairs, methods, tokenizer, sif_a,
                                               word_probabilities, sif_reference, on_error)
    p = len(pairs.scores)
    return {m: _score(m, docs, p, weights, component) for m in methods}, pairs


def _prepare(kv, pairs, methods, tokenizer, sif_a, word_probabilities, sif_reference, on_error):
    """Pairs read, texts parsed once, SIF weights (float64, (V,)) and what ``sif`` / ``usif``
    take from the reference texts (``component``: ``{"sif": vector, "usif": (weights,
    (components, lambdas))}``, the entries of the methods asked for)."""
    for m in methods:
        if m not in PHRASE_METHODS:
            raise SimvecValueError(
                f"unknown phrase-pair method {m!r}; choose from {', '.join(PHRASE_METHODS)}"
            )
    if not isinstance(pairs, TextPairs):
        pairs = read_text_pairs(pairs, on_error=on_error)
    docs = parse_collection([[t] for t in pairs.text1] + [[t] for t in pairs.text2], kv,
                            tokenizer)
    probs = word_probabilities
    if probs is None or isinstance(probs, (str, os.PathLike)):
        probs = _word_probabilities(probs, kv)
    n_vec = len(docs.vectors)
    weights = sif_weights(n_vec if probs is None else probs, sif_a).astype(np.float64)
    if len(weights) != n_vec:
        raise SimvecValueError(f"word_probabilities has {len(weights)} values for {n_vec} vectors")
    component = {}
    ref = None
    if sif_reference is not None and ("sif" in methods or "usif" in methods):
        ref = _reference_docs(sif_reference, docs, on_error)
    if ref is not None and "sif" in methods:
        from simvec.keywords.scorers import sif_common_component

        component["sif"] = _reference_call(sif_common_component, ref, weights)
    if "usif" in methods:
        component["usif"] = _usif_state(docs, ref, word_probabilities)
    return pairs, docs, weights, component


def _usif_state(docs, ref, word_probabilities):
    """uSIF weights (float64, (V,)) and the reference's common components (None: the file's).

    The average sentence length ``n`` is that of the reference texts when given, else that of
    the scored texts (as fse's uSIF takes it from the sentences it embeds; the reference code
    fixes n = 11 for its STS files).
    """
    from simvec.keywords.scorers import usif_components, usif_mean_length, usif_text_vectors
    from simvec.keywords.weighting import usif_word_weights

    src = docs if ref is None else ref
    try:
        n = usif_mean_length(src)
    except SimvecValueError:
        if ref is not None:
            raise SimvecValueError("sif_reference: no text has an in-vocabulary token") from None
        n = None  # no text of the file has a vector: every usif score is NaN
    n_vec = len(docs.vectors)
    if n is None:
        return np.ones(n_vec), None
    weights, _ = usif_word_weights(docs.encoder.key_to_index, n, word_probabilities)
    if len(weights) != n_vec:
        raise SimvecValueError(f"word_probabilities has {len(weights)} values for {n_vec} vectors")
    if ref is None:
        return weights, None
    vec, ok = usif_text_vectors(ref, weights)
    return weights, _reference_call(usif_components, vec[ok])


def _score(m: str, docs, p: int, weights, component) -> np.ndarray:
    if m == "usif":
        usif_weights, usif_components = component["usif"]
        return get_method(m).pairwise(docs, p, usif_weights, components=usif_components)
    if m == "sif" and "sif" in component:
        return get_method(m).pairwise(docs, p, weights, component=component["sif"])
    return get_method(m).pairwise(docs, p, weights)


def _reference_docs(reference, docs, on_error: str):
    """The reference texts parsed with the scored texts' encoder (same tokens, same rows)."""
    if isinstance(reference, (str, os.PathLike)):
        reference = read_text_pairs(reference, on_error=on_error)
    if isinstance(reference, TextPairs):
        texts = list(reference.text1) + list(reference.text2)
    else:
        texts = list(reference)
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise SimvecValueError(
                f"sif_reference[{bad}] must be a str, got {type(texts[bad]).__name__}")
    return parse_collection([[t] for t in texts], encoder=docs.encoder)


def _reference_call(fn, *args):
    """``fn(*args)`` with a SimvecValueError's message prefixed by ``sif_reference: ``."""
    try:
        return fn(*args)
    except SimvecValueError as exc:
        raise SimvecValueError(f"sif_reference: {exc}") from None
