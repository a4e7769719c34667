"""Intrinsic evaluation of word vectors: word-pair correlation and analogy accuracy.

Both functions mirror the protocol of gensim 4.4's ``KeyedVectors.evaluate_word_pairs`` and
``KeyedVectors.evaluate_word_analogies`` (the de-facto reference, itself following word2vec's
``compute-accuracy``), so figures are comparable with published gensim numbers:

* only the first ``restrict_vocab`` rows (the most frequent words) are used;
* with ``case_insensitive`` every key and test word is upper-cased, and where several keys share
  an upper-cased form the first (most frequent) row stands for it;
* pairs or questions with a word outside that vocabulary are skipped and counted (or, with
  ``dummy4unknown``, scored as similarity 0 / a wrong answer).

The analogy questions are solved all at once with matrix products over the vocabulary (see
:mod:`simvec.kernels.analogy`), not one ``most_similar`` call per question: the Google set takes about a
second instead of gensim's two minutes, with the same predictions.

References
----------
L. Finkelstein et al., "Placing Search in Context: The Concept Revisited", ACM TOIS 20(1), 2002
(WordSim-353).
F. Hill, R. Reichart and A. Korhonen, "SimLex-999: Evaluating Semantic Models with (Genuine)
Similarity Estimation", Computational Linguistics 41(4), 2015.
T. Mikolov, K. Chen, G. Corrado and J. Dean, "Efficient Estimation of Word Representations in
Vector Space", ICLR workshop 2013 (the Google analogy set, 3CosAdd).
O. Levy and Y. Goldberg, "Linguistic Regularities in Sparse and Explicit Word Representations",
CoNLL 2014 (3CosMul).
R. Řehůřek and P. Sojka, gensim, ``gensim/models/keyedvectors.py`` (``evaluate_word_pairs``,
``evaluate_word_analogies``, ``most_similar_cosmul``), version 4.4.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.kernels.analogy import exclusions, read_questions, solve_analogies

__all__ = [
    "WordPairResult",
    "AnalogySection",
    "AnalogyResult",
    "evaluate_word_pairs",
    "evaluate_word_analogies",
]

logger = logging.getLogger(__name__)

_METHODS = ("3cosadd", "3cosmul")


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class WordPairResult:
    """Correlation of model cosines with human similarity judgements.

    Attributes
    ----------
    pearson : tuple of (float, float)
        Pearson r and its two-sided p-value (``scipy.stats.pearsonr``).
    spearman : tuple of (float, float)
        Spearman rho and its two-sided p-value (``scipy.stats.spearmanr``).
    oov_ratio : float
        Percentage (0-100) of pairs with a word outside the vocabulary, as gensim reports it.
    pairs_total : int
        Pairs read from the file (header and comments excluded).
    pairs_used : int
        Pairs that entered the correlation (``pairs_total`` with ``dummy4unknown``).
    oov_pairs : list of (str, str)
        The pairs with an out-of-vocabulary word, as written in the file.
    path : str
        The pairs file.
    note : str
        Why the correlations are NaN ("" when they are not): all gold scores equal, or all
        model cosines equal. Also logged as a warning.
    """

    pearson: tuple[float, float]
    spearman: tuple[float, float]
    oov_ratio: float
    pairs_total: int
    pairs_used: int
    oov_pairs: list[tuple[str, str]] = field(repr=False)
    path: str = ""
    note: str = ""

    def __str__(self) -> str:
        return (
            f"{os.path.basename(self.path)}: Spearman {self.spearman[0]:.4f}, Pearson "
            f"{self.pearson[0]:.4f}, {self.pairs_used}/{self.pairs_total} pairs used, "
            f"OOV {self.oov_ratio:.1f}%"
        )


@dataclass(frozen=True)
class AnalogySection:
    """Accuracy on one ``: section`` of an analogy file.

    Attributes
    ----------
    name : str
        Section name (the text after ``:``).
    correct : int
        Questions answered correctly.
    total : int
        Questions evaluated (correct + incorrect; OOV questions only with ``dummy4unknown``).
    oov : int
        Questions with a word outside the vocabulary (skipped, or counted wrong with
        ``dummy4unknown``).
    syntactic : bool
        True for ``gram*`` sections (word2vec's syntactic part), False for semantic ones.
    incorrect : list of (str, str, str, str, str or None)
        ``(a, b, c, expected, predicted)`` for every wrong answer, words as compared (upper-cased
        when case-insensitive); ``predicted`` is None for OOV questions counted wrong.
    """

    name: str
    correct: int
    total: int
    oov: int
    syntactic: bool
    incorrect: list[tuple[str, str, str, str, str | None]] = field(repr=False, default_factory=list)

    @property
    def accuracy(self) -> float:
        """``correct / total``; NaN when no question was evaluated (gensim reports 0.0)."""
        return self.correct / self.total if self.total else math.nan


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy on an analogy test set (fractions in [0, 1]).

    Attributes
    ----------
    accuracy : float
        Overall accuracy, gensim's ``score`` (NaN if no question was evaluated).
    semantic_accuracy, syntactic_accuracy : float
        Accuracy over the non-``gram`` / ``gram*`` sections (NaN where there are none).
    correct, total : int
        Correct answers and evaluated questions overall.
    oov : int
        Questions with a word outside the restricted vocabulary.
    questions : int
        Questions read from the file.
    oov_ratio : float
        ``100 * oov / questions``, as gensim logs it.
    sections : list of AnalogySection
        Per section, in file order.
    method : str
        ``"3cosadd"`` or ``"3cosmul"``.
    restrict_vocab : int
        Number of vocabulary rows searched.
    path : str
        The analogy file.
    """

    accuracy: float
    semantic_accuracy: float
    syntactic_accuracy: float
    correct: int
    total: int
    oov: int
    questions: int
    oov_ratio: float
    sections: list[AnalogySection]
    method: str
    restrict_vocab: int
    path: str = ""

    def summary(self) -> str:
        """A plain-text table: one line per section, then semantic, syntactic and total."""
        lines = [f"{'section':<30} {'correct':>8} {'total':>7} {'oov':>6} {'accuracy':>9}"]
        for s in self.sections:
            lines.append(f"{s.name:<30} {s.correct:>8} {s.total:>7} {s.oov:>6} "
                         f"{100 * s.accuracy:>8.1f}%")
        for name, acc in (("semantic", self.semantic_accuracy),
                          ("syntactic", self.syntactic_accuracy)):
            lines.append(f"{name:<30} {'':>8} {'':>7} {'':>6} {100 * acc:>8.1f}%")
        lines.append(f"{'total (' + self.method + ')':<30} {self.correct:>8} {self.total:>7} "
                     f"{self.oov:>6} {100 * self.accuracy:>8.1f}%")
        return "\n".join(lines)

    def __str__(self) -> str:
        return (
            f"{os.path.basename(self.path)} ({self.method}): {100 * self.accuracy:.1f}% "
            f"({self.correct}/{self.total}; semantic {100 * self.semantic_accuracy:.1f}%, "
            f"syntactic {100 * self.syntactic_accuracy:.1f}%; {self.oov} of {self.questions} "
            f"questions OOV)"
        )


# ---------------------------------------------------------------------------------- helpers
def _check_restrict(restrict_vocab, n: int) -> int:
    if restrict_vocab is None:
        return n
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)) \
            or restrict_vocab < 1:
        raise SimvecValueError(
            f"restrict_vocab must be a positive integer or None, got {restrict_vocab!r}"
        )
    return min(int(restrict_vocab), n)


class _Restricted:
    """Case-sensitive view of the first ``restrict`` keys: ``get`` and ``in`` like a dict."""

    def __init__(self, key_to_index, restrict: int):
        self._k2i = key_to_index
        self._restrict = restrict

    def get(self, key):
        i = self._k2i.get(key)
        return i if i is not None and i < self._restrict else None

    def __contains__(self, key) -> bool:
        return self.get(key) is not None


def _vocab_map(kv, restrict: int, case_insensitive: bool):
    """Lookup of the first ``restrict`` keys, as gensim builds its ``ok_vocab``.

    Returns ``(ok_vocab, variants)``: ``ok_vocab`` maps a (possibly upper-cased) form to the first
    row carrying it (``.get`` / ``in``); ``variants`` maps a form shared by several rows to all
    of them, ascending.
    """
    if not case_insensitive:
        return _Restricted(kv.key_to_index, restrict), {}
    forms = list(map(str.upper, kv.index_to_key[:restrict]))
    ok_vocab = dict(zip(reversed(forms), range(len(forms) - 1, -1, -1)))
    variants: dict[str, list[int]] = {}
    if len(ok_vocab) < len(forms):
        for i, f in enumerate(forms):
            first = ok_vocab[f]
            if first != i:
                variants.setdefault(f, [first]).append(i)
    return ok_vocab, variants


def _lines(path, encoding="utf-8"):
    """Yield ``(line_number, text)`` of a text file, line endings (LF or CRLF) removed.

    Raises SimvecFileNotFoundError if the file is missing and InputFormatError on undecodable
    bytes.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise SimvecFileNotFoundError(
            f"evaluation file {path!r} does not exist"
            + (" (it is a directory)" if os.path.isdir(path) else "")
        )
    with open(path, "rb") as fh:
        for no, raw in enumerate(fh, 1):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputFormatError(
                    f"not valid {encoding} ({exc.reason} at byte {exc.start}); pass the file's "
                    f"encoding=", path=path, line=no) from None
            if no == 1:
                text = text.lstrip("\ufeff")  # byte-order mark
            yield no, text.rstrip("\r\n")


def _skip(text: str) -> bool:
    s = text.strip()
    return not s or s.startswith("#")


def _read_word_pairs(path, delimiter, encoding):
    """``[(line, w1, w2, score), ...]`` from a ``w1<delim>w2<delim>score`` file.

    Blank lines and ``#`` comments are skipped; a first content line whose score is not a number
    is a header. Anything else malformed raises InputFormatError naming file and line.
    """
    pairs = []
    first = True
    for no, text in _lines(path, encoding):
        if _skip(text):
            continue
        fields = text.split(delimiter)
        if len(fields) != 3:
            raise InputFormatError(
                f"expected 3 fields 'word1{_show(delimiter)}word2{_show(delimiter)}score', got "
                f"{len(fields)}: {text[:80]!r}", path=os.fspath(path), line=no)
        w1, w2, raw = (f.strip() for f in fields)
        try:
            score = float(raw)
        except ValueError:
            if first:  # a header such as "word1<TAB>word2<TAB>score"
                first = False
                continue
            raise InputFormatError(f"score {raw!r} is not a number", path=os.fspath(path),
                                   line=no) from None
        first = False
        if not math.isfinite(score):
            raise InputFormatError(f"score {raw!r} is not a finite number",
                                   path=os.fspath(path), line=no)
        if not w1 or not w2:
            raise InputFormatError(f"empty word in {text[:80]!r}", path=os.fspath(path), line=no)
        pairs.append((no, w1, w2, score))
    return pairs


def _show(delimiter) -> str:
    return {"\t": "<TAB>", None: " ", " ": " "}.get(delimiter, delimiter)


# ---------------------------------------------------------------------------------- word pairs
def evaluate_word_pairs(kv, pairs_file, *, delimiter="\t", restrict_vocab=300000,
                        case_insensitive=True, dummy4unknown=False,
                        encoding="utf-8") -> WordPairResult:
    """Correlate the cosine similarity of word pairs with human judgements.

    Mirrors gensim 4.4's ``KeyedVectors.evaluate_word_pairs``: each pair's similarity is the
    cosine of the two words' vectors, looked up among the first ``restrict_vocab`` rows
    (upper-cased, most frequent variant first, when ``case_insensitive``); pairs with an unknown
    word are skipped (or scored 0 with ``dummy4unknown``); Pearson and Spearman correlations with
    the gold scores are computed by scipy.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors; rows ordered most frequent first, as pretrained files are.
    pairs_file : str or os.PathLike
        Text, one ``word1<delimiter>word2<delimiter>score`` a line (WordSim-353,
        SimLex-999, RG-65, MC-30 ...). LF or CRLF endings; blank lines and lines starting with
        ``#`` are skipped; a first line whose score is not a number is taken as a header.
    delimiter : str or None
        Field separator (``None``: any whitespace). Fields are stripped of surrounding spaces.
    restrict_vocab : int or None
        Use only the first ``restrict_vocab`` rows (None: all).
    case_insensitive : bool
        Compare upper-cased forms; of several keys with the same form the first row is used.
    dummy4unknown : bool
        Score pairs with an unknown word as similarity 0.0 instead of skipping them.
    encoding : str
        Text encoding of the file (ASCII-compatible: UTF-8, Latin-1, GBK ...; a UTF-8
        byte-order mark is ignored).

    Returns
    -------
    WordPairResult
        ``pearson`` (r, p), ``spearman`` (rho, p), ``oov_ratio`` (percent), ``pairs_total``,
        ``pairs_used``, ``oov_pairs``, ``note`` (why the correlations are NaN, if they are).

    Raises
    ------
    SimvecFileNotFoundError
        If ``pairs_file`` does not exist.
    InputFormatError
        Naming file and line, for a line without exactly 3 fields, a non-numeric score after the
        first line, or undecodable bytes; also for a file with no pairs.
    SimvecValueError
        If fewer than 2 pairs are in the vocabulary, or ``restrict_vocab`` is not positive.

    Notes
    -----
    Differences from gensim, none affecting the standard files: gensim silently skips any line
    it cannot parse (simvec raises, except for a header) and does not strip spaces around
    words. Cosines are float32 dot products of the cached unit vectors.

    References
    ----------
    Finkelstein et al. 2002 (WordSim-353); Hill et al. 2015 (SimLex-999); gensim
    ``KeyedVectors.evaluate_word_pairs``.

    Examples
    --------
    >>> import simvec
    >>> kv = simvec.load("glove-6B-50d")                                   # doctest: +SKIP
    >>> r = evaluate_word_pairs(kv, "EN-WS-353-ALL.txt")                   # doctest: +SKIP
    >>> round(r.spearman[0], 3)                                             # doctest: +SKIP
    0.503
    """
    from scipy import stats

    pairs = _read_word_pairs(pairs_file, delimiter, encoding)
    if not pairs:
        raise InputFormatError("no word pairs found", path=os.fspath(pairs_file))
    restrict = _check_restrict(restrict_vocab, len(kv))
    ok_vocab, _ = _vocab_map(kv, restrict, case_insensitive)
    norm = str.upper if case_insensitive else str

    rows_a, rows_b, used_at, gold = [], [], [], []
    oov_pairs = []
    for no, w1, w2, score in pairs:
        ia, ib = ok_vocab.get(norm(w1)), ok_vocab.get(norm(w2))
        if ia is None or ib is None:
            oov_pairs.append((w1, w2))
            logger.debug("%s line %d: pair with OOV word(s): %s %s", pairs_file, no, w1, w2)
            if not dummy4unknown:
                continue
        else:
            rows_a.append(ia)
            rows_b.append(ib)
            used_at.append(len(gold))
        gold.append(score)
    if len(rows_a) < 2:
        raise SimvecValueError(
            f"only {len(rows_a)} of the {len(pairs)} pairs in {os.fspath(pairs_file)!r} have both "
            f"words among the first {restrict} vocabulary rows; at least 2 are needed"
        )
    normed = kv.get_normed_vectors()
    sims = np.einsum("ij,ij->i", normed[rows_a], normed[rows_b])
    model = np.zeros(len(gold), dtype=np.float64)
    model[used_at] = sims
    gold = np.asarray(gold, dtype=np.float64)
    from simvec.eval.phrases import correlation_note

    note = correlation_note(model, gold, len(pairs))
    if note:
        logger.warning("%s: no correlation: %s", os.fspath(pairs_file), note)
        spearman = pearson = (math.nan, math.nan)
    else:
        spearman = stats.spearmanr(gold, model)
        pearson = stats.pearsonr(gold, model)
    oov_ratio = 100.0 * len(oov_pairs) / len(pairs)
    result = WordPairResult(
        pearson=(float(pearson[0]), float(pearson[1])),
        spearman=(float(spearman[0]), float(spearman[1])),
        oov_ratio=oov_ratio,
        pairs_total=len(pairs),
        pairs_used=len(gold),
        oov_pairs=oov_pairs,
        path=os.fspath(pairs_file),
        note=note,
    )
    logger.info("%s", result)
    return result


# ---------------------------------------------------------------------------------- analogies
def evaluate_word_analogies(kv, analogies_file, *, restrict_vocab=300000, case_insensitive=True,
                            method="3cosadd", dummy4unknown=False, batch_size=32768,
                            encoding="utf-8") -> AnalogyResult:
    """Accuracy on word analogies "a is to b as c is to d", all questions solved in batches.

    Mirrors gensim 4.4's ``KeyedVectors.evaluate_word_analogies`` (word2vec's
    ``compute-accuracy``): questions with a word outside the first ``restrict_vocab`` rows are
    skipped; the prediction is the best word of those rows other than a, b and c; it is correct
    if it equals d (upper-cased when ``case_insensitive``).

    * ``"3cosadd"`` (Mikolov et al. 2013, gensim's only method): argmax over unit vectors x of
      ``cos(x, b - a + c)`` -- gensim's ``most_similar(positive=[b, c], negative=[a])``.
    * ``"3cosmul"`` (Levy & Goldberg 2014): argmax of ``cos'(x, b) cos'(x, c) / (cos'(x, a) +
      1e-6)`` with ``cos' = (1 + cos) / 2``, gensim's ``most_similar_cosmul`` formula.

    Scores are computed vocabulary block by vocabulary block with one matrix product for all the
    distinct question words, then reduced per question by a parallel numba kernel.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors, most frequent first.
    analogies_file : str or os.PathLike
        Text in word2vec's format: ``: section name`` lines, each followed by questions
        ``a b c d`` (whitespace-separated); blank lines and ``#`` comments are skipped.
        Sections whose name starts with ``gram`` are syntactic, the others semantic.
    restrict_vocab : int or None
        Search and accept only the first ``restrict_vocab`` rows (None: all).
    case_insensitive : bool
        Compare upper-cased forms; of several keys with the same form the first row is used, and
        none of them can be the answer if the form is one of a, b, c.
    method : {"3cosadd", "3cosmul"}
    dummy4unknown : bool
        Count questions with an unknown word as wrong instead of skipping them.
    batch_size : int
        Questions solved per pass over the vocabulary (bounds memory; results do not depend on
        it).
    encoding : str
        Text encoding of the file (ASCII-compatible: UTF-8, Latin-1, GBK ...; a UTF-8
        byte-order mark is ignored).

    Returns
    -------
    AnalogyResult
        ``accuracy``, ``semantic_accuracy``, ``syntactic_accuracy``, ``correct``, ``total``,
        ``oov``, ``questions``, ``oov_ratio`` and the per-section ``sections``.

    Raises
    ------
    SimvecFileNotFoundError
        If ``analogies_file`` does not exist.
    InputFormatError
        Naming file and line, for a question without exactly 4 words, a question before the
        first section header, or undecodable bytes; also for a file without questions. (gensim skips
        malformed questions silently and raises ``ValueError`` for a missing header.)
    SimvecValueError
        For an unknown ``method`` or a non-positive ``restrict_vocab`` / ``batch_size``.

    Notes
    -----
    gensim takes the first of its top-5 neighbours whose upper-cased form is not a, b or c;
    simvec excludes every row with such a form and takes the best remaining one, which is the
    same answer unless more than 5 case variants of the question words rank first. Ties in
    float32 scores (not seen on GloVe 6B) may be broken differently.

    References
    ----------
    Mikolov et al. 2013; Levy & Goldberg 2014; gensim ``KeyedVectors.evaluate_word_analogies``.

    Examples
    --------
    >>> import simvec
    >>> kv = simvec.load("glove-6B-50d")                                   # doctest: +SKIP
    >>> r = evaluate_word_analogies(kv, "questions-words.txt")             # doctest: +SKIP
    >>> round(100 * r.accuracy, 1), round(100 * r.semantic_accuracy, 1)    # doctest: +SKIP
    (46.4, 48.8)
    """

    method = str(method).lower()
    if method not in _METHODS:
        raise SimvecValueError(f"method must be '3cosadd' or '3cosmul', got {method!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise SimvecValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    sections = read_questions(_lines(analogies_file, encoding), os.fspath(analogies_file))
    restrict = _check_restrict(restrict_vocab, len(kv))
    ok_vocab, variants = _vocab_map(kv, restrict, case_insensitive)
    norm = str.upper if case_insensitive else str

    # in-vocabulary questions -> rows; the rest counted as OOV
    rows, forms, where = [], [], []          # where: (section index, question index)
    oov_by_section = [0] * len(sections)
    for si, (_, questions) in enumerate(sections):
        for qi, (no, *words) in enumerate(questions):
            f = [norm(w) for w in words]
            r = [ok_vocab.get(x) for x in f]
            if None in r:
                oov_by_section[si] += 1
                logger.debug("%s line %d: question with OOV word(s): %s", analogies_file, no,
                             " ".join(words))
                continue
            rows.append(r)
            forms.append(f)
            where.append(si)
    rows = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    exclude = exclusions(rows, forms, variants)
    if len(rows):
        matrix = kv.get_normed_vectors()[:restrict]
        pred, _ = solve_analogies(matrix, rows[:, 0], rows[:, 1], rows[:, 2], exclude,
                                  method=method, batch_size=int(batch_size))
    else:
        pred = np.zeros(0, dtype=np.int64)

    correct = [0] * len(sections)
    evaluated = [0] * len(sections)
    wrong: list[list] = [[] for _ in sections]
    keys = kv.index_to_key
    for qi, si in enumerate(where):
        p = int(pred[qi])
        guess = norm(keys[p]) if p >= 0 else None
        evaluated[si] += 1
        if guess == forms[qi][3]:
            correct[si] += 1
        else:
            wrong[si].append((*forms[qi], guess))
    if dummy4unknown:
        for si, (_, questions) in enumerate(sections):
            evaluated[si] += oov_by_section[si]
            for no, *words in questions:
                f = [norm(w) for w in words]
                if any(x not in ok_vocab for x in f):
                    wrong[si].append((*f, None))

    out = []
    for si, (name, _) in enumerate(sections):
        sec = AnalogySection(name=name, correct=correct[si], total=evaluated[si],
                             oov=oov_by_section[si], syntactic=name.lower().startswith("gram"),
                             incorrect=wrong[si])
        logger.info("%s: %.1f%% (%d/%d)", name, 100 * sec.accuracy, sec.correct, sec.total)
        out.append(sec)

    def acc(secs):
        c, t = sum(s.correct for s in secs), sum(s.total for s in secs)
        return c / t if t else math.nan

    n_questions = sum(len(q) for _, q in sections)
    n_oov = sum(oov_by_section)
    result = AnalogyResult(
        accuracy=acc(out),
        semantic_accuracy=acc([s for s in out if not s.syntactic]),
        syntactic_accuracy=acc([s for s in out if s.syntactic]),
        correct=sum(correct),
        total=sum(evaluated),
        oov=n_oov,
        questions=n_questions,
        oov_ratio=100.0 * n_oov / n_questions,
        sections=out,
        method=method,
        restrict_vocab=restrict,
        path=os.fspath(analogies_file),
    )
    logger.info("%s", result)
    return result
