"""Regex word tokenizer and keyword-list splitter.

The tokenizer produces the tokens pretrained English vectors are keyed by. GloVe 6B (Pennington
et al. 2014) and word2vec's news vectors were built from text tokenised by the Stanford / Penn
Treebank tokenizer, lowercased for GloVe: hyphenated compounds stay one token
(``state-of-the-art``, ``e-mail``), numbers keep their separators (``1,000``, ``3.5``), and
clitics are split off (``john's`` -> ``john`` ``'s``, ``don't`` -> ``do`` ``n't``). The rules here
follow that convention closely enough that keyword phrases map onto GloVe's vocabulary; they are
a regex, not a full Treebank tokenizer (no sentence splitting, punctuation is dropped).

Chinese and other scripts written without spaces come out as one token per run of characters;
they need a word segmenter (``get_tokenizer("jieba")``, docs/chinese.md). Keyword lists written
in Chinese or Japanese separate keywords with the full-width comma ``，``, the ideographic
enumeration comma ``、`` or the full-width semicolon ``；``: :func:`split_keywords` splits on
them wherever it splits on ``,`` / ``;``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable

from simvec._util import import_optional
from simvec.errors import SimvecValueError

__all__ = ["tokenize", "split_keywords", "normalize_keyword", "get_tokenizer", "TOKENIZERS",
           "WIDE_SEPARATORS"]

#: Names :func:`get_tokenizer` accepts.
TOKENIZERS = ("regex", "whitespace", "jieba")

# An abbreviation written with dots ("u.s.", "e.g."), a number with internal separators ("1,000",
# "3.5"), else a run of letters / digits (any script; ``[^\W_]`` is \w without the underscore)
# joined by single inner hyphens or apostrophes ("state-of-the-art", "o'neill", "don't").
_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}(?![^\W_])|\d+(?:[.,]\d+)+|[^\W_]+(?:['-][^\W_]+)*"
)

# Penn Treebank clitics, split off the end of a word as GloVe / word2vec vocabularies expect.
_CLITIC = re.compile(r"(?i)^(.+?)(n't|'s|'re|'ve|'m|'ll|'d)$")

# Typographic apostrophes and dashes that mean "'" and "-" inside a word.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'",
                              "\u2010": "-", "\u2011": "-"})

_WS = re.compile(r"\s+")

#: The full-width and ideographic forms an ASCII separator of :func:`split_keywords` also stands
#: for: ``,`` -> ``，`` (U+FF0C FULLWIDTH COMMA) and ``、`` (U+3001 IDEOGRAPHIC COMMA, the
#: enumeration comma of Chinese and Japanese lists); ``;`` -> ``；`` (U+FF1B FULLWIDTH SEMICOLON).
WIDE_SEPARATORS = {",": "\uff0c\u3001", ";": "\uff1b"}


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split ``text`` into word tokens the way GloVe / word2vec vocabularies are keyed.

    Rules, applied after Unicode NFC normalisation (so a decomposed ``naïve`` is one token) and
    mapping typographic apostrophes (``’``) and hyphens (U+2010, U+2011) to ASCII:

    * a token is a run of Unicode letters or digits, in any script; underscores and all other
      punctuation separate tokens and are dropped;
    * single hyphens and apostrophes *inside* a word are kept: ``state-of-the-art``,
      ``o'neill`` and ``3-day`` are one token each (GloVe 6B has them), a leading or trailing
      hyphen / apostrophe is dropped (``james'`` -> ``james``);
    * numbers keep inner ``.`` and ``,`` between digits: ``1,000``, ``3.5``; abbreviations
      written as single letters with dots keep them: ``U.S.`` -> ``u.s.``, ``e.g.``;
    * the Penn Treebank clitics ``n't 's 're 've 'm 'll 'd`` are split off the end of a word:
      ``john's`` -> ``john``, ``'s``; ``don't`` -> ``do``, ``n't``; ``can't`` -> ``ca``, ``n't``
      (all of these are GloVe 6B tokens);
    * with ``lowercase`` (the default, matching GloVe 6B's uncased vocabulary) tokens are
      lowercased with :meth:`str.lower`.

    A hyphenated compound the vocabulary lacks (``web-service``) is still one token here;
    :func:`simvec.keywords.pair.keyword_similarity` falls back to its parts.

    Parameters
    ----------
    text : str
        Any text. ``None`` is not accepted.
    lowercase : bool, default True
        Lowercase the tokens.

    Returns
    -------
    list of str
        The tokens in text order; empty for text without letters or digits.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    References
    ----------
    Pennington, Socher & Manning (2014), "GloVe: Global Vectors for Word Representation", EMNLP.
    Penn Treebank tokenization conventions, https://www.cis.upenn.edu/~treebank/tokenization.html

    Examples
    --------
    >>> tokenize("State-of-the-art NLP: John's models don't cost $1,000!")
    ['state-of-the-art', 'nlp', 'john', "'s", 'models', 'do', "n't", 'cost', '1,000']
    >>> tokenize("Café au lait", lowercase=False)
    ['Café', 'au', 'lait']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    if lowercase:
        text = text.lower()
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if "'" in tok:
            m = _CLITIC.match(tok)
            if m is not None:
                out.append(m.group(1))
                out.append(m.group(2))
                continue
        out.append(tok)
    return out


def normalize_keyword(keyword: str) -> str:
    """The canonical form of a keyword: NFC, lowercased, whitespace collapsed and stripped.

    This is the form in which :func:`simvec.keywords.parse.jaccard` compares keywords and under which
    duplicates in a keyword list are merged.

    Parameters
    ----------
    keyword : str

    Returns
    -------
    str
        Possibly empty (for a blank keyword).

    Examples
    --------
    >>> normalize_keyword("  Machine\\tLearning ")
    'machine learning'
    """
    if not isinstance(keyword, str):
        raise TypeError(f"a keyword must be a str, got {type(keyword).__name__} {keyword!r}")
    return _WS.sub(" ", unicodedata.normalize("NFC", keyword)).strip().lower()


def split_keywords(text: str, sep: str = ",;") -> list[str]:
    """Split a keyword string such as ``"machine learning; neural network"`` into keywords.

    Every character of ``sep`` is a separator (by default both ``,`` and ``;``, the two common
    conventions), so ``"a, b; c"`` gives three keywords. An ASCII ``,`` in ``sep`` also stands for
    the full-width comma ``，`` (U+FF0C) and the ideographic enumeration comma ``、`` (U+3001),
    and ``;`` for the full-width semicolon ``；`` (U+FF1B) (:data:`WIDE_SEPARATORS`), so a
    Chinese list ``"机器学习，神经网络、深度学习"`` gives three keywords with the default ``sep``
    (and with every caller that passes ``sep=",;"``). Each keyword has its whitespace collapsed
    to single spaces and stripped; blank keywords are dropped. Case is kept (lowercasing is the
    job of :func:`normalize_keyword` and :func:`tokenize`).

    A comma inside a keyword (``"1,000 euros"``) splits it with the default ``sep``; pass
    ``sep=";"`` for such data.

    Parameters
    ----------
    text : str
    sep : str, default ",;"
        The separator characters (not a multi-character separator string); ``,`` and ``;``
        bring their full-width / ideographic forms with them.

    Returns
    -------
    list of str
        The keywords in order, duplicates kept.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.
    SimvecValueError
        (a ``ValueError``) if ``sep`` is empty.

    Examples
    --------
    >>> split_keywords("machine learning,  neural   network; deep learning,")
    ['machine learning', 'neural network', 'deep learning']
    >>> split_keywords("机器学习，神经网络、深度学习；人工智能")
    ['机器学习', '神经网络', '深度学习', '人工智能']
    >>> split_keywords("a|b c", sep="|")
    ['a', 'b c']
    """
    if not isinstance(text, str):
        raise TypeError(f"split_keywords expects a str, got {type(text).__name__}")
    if not sep:
        raise SimvecValueError("sep must name at least one separator character, got ''")
    sep += "".join(WIDE_SEPARATORS.get(ch, "") for ch in sep)
    pattern = "[" + re.escape(sep) + "]"
    parts = (_WS.sub(" ", p).strip() for p in re.split(pattern, text))
    return [p for p in parts if p]


def _jieba(lowercase: bool) -> Callable[[str], list[str]]:
    jieba = import_optional("jieba", extra="zh", needed_by="tokenizer='jieba'")
    jieba.setLogLevel(logging.WARNING)

    def tok(text: str) -> list[str]:
        words = [w.strip() for w in jieba.lcut(text)]
        words = [w for w in words if w and any(ch.isalnum() for ch in w)]
        return [w.lower() for w in words] if lowercase else words

    return tok


def get_tokenizer(name="regex", lowercase: bool = True) -> Callable[[str], list[str]]:
    """A tokenizer ``str -> list of str`` by name (or a callable, returned as it is).

    ``"regex"``
        :func:`tokenize` (NFC, regex words with inner hyphens and apostrophes).
    ``"whitespace"``
        ``str.split`` (text tokenised beforehand).
    ``"jieba"``
        Chinese word segmentation by jieba (optional extra ``zh``, imported on first use);
        tokens without a letter or digit are dropped.

    Parameters
    ----------
    name : {"regex", "whitespace", "jieba"} or callable, default "regex"
    lowercase : bool, default True
        Lowercase the tokens (ignored for a callable).

    Returns
    -------
    callable str -> list of str

    Raises
    ------
    SimvecValueError
        If ``name`` is unknown.
    MissingDependencyError
        (an ``ImportError``) for ``"jieba"`` when jieba is not installed.

    Examples
    --------
    >>> get_tokenizer("whitespace")("New York  times")
    ['new', 'york', 'times']
    """
    if callable(name):
        return name
    if name == "regex":
        return lambda s: tokenize(s, lowercase=lowercase)
    if name == "whitespace":
        return (lambda s: s.lower().split()) if lowercase else str.split
    if name == "jieba":
        return _jieba(lowercase)
    raise SimvecValueError(
        f"tokenizer must be one of {', '.join(TOKENIZERS)} or a callable, got {name!r}")
