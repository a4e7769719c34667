"""Which script a keyword is written in, and whether a vocabulary covers that script at all.

When every keyword of a list is out of vocabulary, the usual reason is a typo or a rare term;
but a list in another language than the vectors' (Chinese keywords against GloVe 6B, whose
400,000 words include 39 in Han characters) can never be in vocabulary, and the useful answer is
to say so and point at vectors for that language. :func:`coverage_reason` builds that sentence:

    GloVe 6B has almost no Chinese words (Han script: 0 of 10,000 words sampled evenly from
    its 400,000): 4 of 4 keywords are out of vocabulary (Chinese text); train Chinese vectors
    with `simvec train CORPUS -o zh.txt --tokenizer jieba` (docs/chinese.md)

A script is read from the Unicode character names (:func:`script_of`: the first word of
``unicodedata.name``, ``CJK`` read as Han), which needs no table and no dependency; the scripts
of a vocabulary are counted once on an evenly spaced sample of its words and cached per
KeyedVectors (:func:`vocabulary_scripts`).
"""

from __future__ import annotations

import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from simvec.errors import SimvecValueError

__all__ = ["script_of", "vocabulary_scripts", "coverage_reason", "SCRIPT_LANGUAGES",
           "UNCOVERED_SHARE", "SAMPLE_SIZE"]

#: A script is "not covered" when less than this share of the vocabulary sample is written in
#: it. Fixed a priori, not fitted: vectors trained on text of a language have most of their
#: words in its script, while stray foreign words (names, quotations) stay far below 1%
#: (GloVe 6B: 39 Han, 65 Cyrillic, 94 Greek words of 400,000).
UNCOVERED_SHARE = 0.01

#: Words of the vocabulary sampled, evenly spaced over the rank order (so frequent and rare
#: words both count).
SAMPLE_SIZE = 10_000

#: The language a script almost always means in a keyword list, for the message; other scripts
#: are named as scripts ("Cyrillic-script text").
SCRIPT_LANGUAGES = {"Han": "Chinese", "Hiragana": "Japanese", "Katakana": "Japanese",
                    "Hangul": "Korean", "Thai": "Thai", "Hebrew": "Hebrew", "Greek": "Greek",
                    "Arabic": "Arabic", "Devanagari": "Hindi"}

# first word of a character's Unicode name -> script, where they differ
_NAME_SCRIPT = {"CJK": "Han", "FULLWIDTH": "Latin", "HALFWIDTH": "Katakana"}

# Per KeyedVectors (weakly held): (vocabulary size when counted, {script: share}).
_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _char_script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    if not name:
        return None
    first = name.split(" ", 1)[0]
    if first == "HALFWIDTH" and "HANGUL" in name:
        return "Hangul"
    return _NAME_SCRIPT.get(first, first.title())


def script_of(text: str) -> str | None:
    """The script most of the letters of ``text`` are written in.

    Parameters
    ----------
    text : str
        A word, keyword or phrase.

    Returns
    -------
    str or None
        ``"Han"`` (Chinese characters, also Japanese kanji), ``"Latin"``, ``"Cyrillic"``,
        ``"Greek"``, ``"Arabic"``, ``"Hangul"``, ``"Hiragana"``, ``"Katakana"``, ... (the first
        word of the letters' Unicode names, title-cased; ``CJK`` read as ``Han``, full-width
        Latin as ``Latin``); ties go to the script met first. ``None`` when ``text`` has no
        letter (digits and punctuation only, or empty).

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    References
    ----------
    The Unicode Standard, character names (``unicodedata.name``); Unicode Standard Annex #24,
    "Unicode Script Property" (the scripts named here, read from the names instead of the
    property, which the standard library does not expose).

    Examples
    --------
    >>> script_of("机器学习"), script_of("machine learning"), script_of("Москва"), script_of("2024")
    ('Han', 'Latin', 'Cyrillic', None)
    """
    if not isinstance(text, str):
        raise TypeError(f"script_of expects a str, got {type(text).__name__}")
    counts = Counter(s for s in map(_char_script, (c for c in text if c.isalpha())) if s)
    return counts.most_common(1)[0][0] if counts else None


def _words(kv) -> list:
    words = getattr(kv, "index_to_key", None)
    if words is None:
        try:
            words = list(kv.key_to_index)
        except AttributeError:
            raise SimvecValueError(
                f"kv must be a KeyedVectors (with .index_to_key or .key_to_index), got "
                f"{type(kv).__name__}") from None
    return words


def vocabulary_scripts(kv, sample: int = SAMPLE_SIZE) -> dict[str, float]:
    """Share of a vocabulary's words written in each script, on an evenly spaced sample.

    Counted once per KeyedVectors and cached (weakly, so the cache does not keep the vectors
    alive); counted again if the vocabulary size has changed. About 0.1 s for 10,000 words.

    Parameters
    ----------
    kv : KeyedVectors
        Anything with ``index_to_key`` (rank order) or ``key_to_index``.
    sample : int, default :data:`SAMPLE_SIZE`
        Words examined: every ``len(kv) / sample``-th word (all of them in a smaller
        vocabulary). The cache holds the result of the first ``sample`` asked for.

    Returns
    -------
    dict of str to float
        Script (:func:`script_of`) -> share of the sampled words, in (0, 1]; words without a
        letter are counted under the key ``None``. Empty for an empty vocabulary. Ordered by
        decreasing share.

    Raises
    ------
    SimvecValueError
        If ``kv`` has no vocabulary, or ``sample`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.zeros((4, 2), np.float32), ["the", "cat", "猫", "2024"])
    >>> vocabulary_scripts(kv)
    {'Latin': 0.5, 'Han': 0.25, None: 0.25}
    """
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
        raise SimvecValueError(f"sample must be a positive integer, got {sample!r}")
    words = _words(kv)
    n = len(words)
    try:
        cached = _CACHE.get(kv)
    except TypeError:  # not weakly referenceable: count every time
        cached = None
    if cached is not None and cached[0] == n:
        return dict(cached[1])
    step = max(1, n // sample)
    picked = [words[i] for i in range(0, n, step)][:sample]
    counts = Counter(script_of(w) if isinstance(w, str) else None for w in picked)
    shares = {s: c / len(picked) for s, c in counts.most_common()} if picked else {}
    try:
        _CACHE[kv] = (n, shares)
    except TypeError:
        pass
    return dict(shares)


def _display_name(vectors_name) -> str:
    if vectors_name is None:
        return "these vectors"
    from simvec.vectors.sources import list_sources

    source = list_sources().get(str(vectors_name))
    if source is not None:  # "GloVe 6B, 50 dimensions: ..." -> "GloVe 6B"
        return source.description.split(",")[0].split(":")[0].strip()
    return Path(str(vectors_name)).name or str(vectors_name)


def _advice(script: str, language: str) -> str:
    if script == "Han":
        return ("train Chinese vectors with `simvec train CORPUS -o zh.txt --tokenizer jieba` "
                "(docs/chinese.md)")
    return f"use vectors trained on {language} text (`simvec train CORPUS -o vectors.txt`)"


def coverage_reason(oov_keywords: Iterable[str], n_keywords: int, kv,
                    vectors_name: str | None = None,
                    threshold: float = UNCOVERED_SHARE) -> str | None:
    """Why keywords are out of vocabulary when their script is one the vocabulary lacks.

    The out-of-vocabulary keywords are grouped by script (:func:`script_of`); the largest group
    is compared with the vocabulary's scripts (:func:`vocabulary_scripts`). When less than
    ``threshold`` of the vocabulary is in that script the keywords cannot be covered, and the
    returned sentence says so, with what to do instead.

    Parameters
    ----------
    oov_keywords : iterable of str
        The keywords none of whose tokens is in the vocabulary (both lists together).
    n_keywords : int
        How many keywords there are in all (in and out of vocabulary).
    kv : KeyedVectors
        The vectors the keywords were looked up in.
    vectors_name : str, optional
        What the user called the vectors: a named source (``"glove-6B-50d"`` is shown as
        ``GloVe 6B``, the start of its description) or a path (its file name); default "these
        vectors".
    threshold : float, default :data:`UNCOVERED_SHARE`
        Share of the vocabulary sample below which a script counts as not covered.

    Returns
    -------
    str or None
        One sentence, e.g. ``"GloVe 6B has almost no Chinese words (Han script: 0.01% of a
        10,000-word sample of its vocabulary): 4 of 4 keywords are out of vocabulary (Chinese
        text); train Chinese vectors with ..."``; ``None`` when there is no out-of-vocabulary
        keyword with letters, or the vocabulary does cover their script (a typo or a rare word,
        not a language mismatch).

    Raises
    ------
    SimvecValueError
        If ``n_keywords`` is smaller than the number of out-of-vocabulary keywords, or ``kv``
        has no vocabulary.

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.zeros((3, 2), np.float32), ["machine", "learning", "network"])
    >>> coverage_reason(["神经网络"], 3, kv, "en.txt")
    'en.txt has no Chinese words (Han script: 0 of its 3 words): 1 of 3 keywords are out of vocabulary (Chinese text); train Chinese vectors with `simvec train CORPUS -o zh.txt --tokenizer jieba` (docs/chinese.md)'
    >>> coverage_reason(["machin"], 3, kv) is None
    True
    """
    words = _words(kv)
    oov = [k for k in oov_keywords if isinstance(k, str)]
    if n_keywords < len(oov):
        raise SimvecValueError(
            f"n_keywords ({n_keywords}) is smaller than the {len(oov)} out-of-vocabulary keywords")
    by_script = Counter(s for s in map(script_of, oov) if s is not None)
    if not by_script:
        return None
    script, n_oov = by_script.most_common(1)[0]
    shares = vocabulary_scripts(kv)
    share = shares.get(script, 0.0)
    if share >= threshold or not words:
        return None
    language = SCRIPT_LANGUAGES.get(script)
    text = f"{language} text" if language else f"{script}-script text"
    what = f"{language} words" if language else f"words in {script} script"
    n_vocab = len(words)
    n_sample = min(n_vocab, SAMPLE_SIZE)
    in_script = round(share * n_sample)
    label = f"{script} script: " if language else ""
    if n_sample == n_vocab:
        where = f"{label}{in_script:,} of its {n_vocab:,} words"
    else:
        where = f"{label}{in_script:,} of {n_sample:,} words sampled evenly from its {n_vocab:,}"
    amount = "no" if in_script == 0 and n_sample == n_vocab else "almost no"
    name = _display_name(vectors_name)
    verb = "have" if vectors_name is None else "has"
    return (f"{name} {verb} {amount} {what} ({where}): {n_oov} of "
            f"{n_keywords} keywords are out of vocabulary ({text}); "
            f"{_advice(script, language or script)}")
