"""Keyword lists parsed once: normalised keys, tokens, vocabulary rows, Jaccard overlap.

The bottom of :mod:`simvec.keywords`: it imports nothing above it (only :mod:`simvec.errors` and
:mod:`simvec.text.tokenize`). Every scorer of :mod:`simvec.keywords.methods`, the pair API
(:mod:`simvec.keywords.pair`) and the top-k driver (:mod:`simvec.keywords.topk`) work on the
:class:`ParsedCollection` built here, so a collection is parsed and tokenised once per call and
each distinct keyword spelling is tokenised once (:class:`KeywordEncoder` caches its tokens and
rows).

* A keyword list is a ``str`` (split on ``,`` and ``;`` by
  :func:`~simvec.text.tokenize.split_keywords`) or an iterable of ``str``. Keywords are compared
  in their normalised form (:func:`~simvec.text.tokenize.normalize_keyword`: NFC, lowercased,
  whitespace collapsed); blanks are dropped and duplicates merged, the first spelling kept.
* A keyword's vector rows are the vocabulary rows of its tokens; a hyphenated token the
  vocabulary lacks falls back to its in-vocabulary parts (``web-service`` -> ``web``,
  ``service``). A keyword with no row is out of vocabulary (OOV).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.text.tokenize import normalize_keyword, split_keywords, tokenize

__all__ = [
    "keyword_list", "jaccard", "jaccard_keys", "KeywordEncoder", "ParsedCollection",
    "parse_collection",
]


def keyword_list(x, name: str, sep: str = ",;") -> list[tuple[str, str]]:
    """``(keyword, normalised key)`` pairs of a keyword list, blanks and duplicates dropped.

    Parameters
    ----------
    x : str or iterable of str
        The list; a str is split on the characters of ``sep``.
    name : str
        How errors name the list (``"a"``, ``"keyword_lists[3]"``).
    sep : str, default ",;"

    Returns
    -------
    list of (str, str)
        The keyword with its case kept and whitespace collapsed (what is tokenised), and its
        :func:`~simvec.text.tokenize.normalize_keyword` key (what is compared); in input order,
        the first spelling of each key kept.

    Raises
    ------
    SimvecValueError
        If ``x`` is neither a str nor an iterable, or holds a non-str.
    """
    if isinstance(x, str):
        items = split_keywords(x, sep=sep)
    elif isinstance(x, Iterable):
        items = list(x)
    else:
        raise SimvecValueError(
            f"keyword list {name} must be a str or a list of str, got {type(x).__name__}"
        )
    out, seen = [], set()
    for kw in items:
        if not isinstance(kw, str):
            raise SimvecValueError(
                f"keyword list {name} must hold str, got {type(kw).__name__} {kw!r}"
            )
        key = normalize_keyword(kw)
        if key and key not in seen:
            seen.add(key)
            out.append((" ".join(kw.split()), key))
    return out


def jaccard_keys(a: set, b: set) -> float:
    """``|a ∩ b| / |a ∪ b|`` of two sets; 0.0 when both are empty."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def jaccard(a, b) -> float:
    """Jaccard overlap ``|A ∩ B| / |A ∪ B|`` of two keyword lists.

    Keywords are compared in their normalised form (:func:`simvec.text.tokenize.normalize_keyword`:
    Unicode NFC, lowercased, runs of whitespace collapsed to one space, stripped), so
    ``"Machine  Learning"`` equals ``"machine learning"``; blank keywords are ignored and a list
    is a set (duplicates count once). Phrases are compared whole: ``"deep learning"`` and
    ``"learning"`` do not overlap.

    Parameters
    ----------
    a, b : str or iterable of str
        A keyword list, or a string of keywords separated by ``,`` or ``;``.

    Returns
    -------
    float
        In [0, 1]. When both lists are empty (after normalisation) the overlap is defined as
        ``0.0``: there is no evidence of similarity, and a ranking table stays numeric.

    Raises
    ------
    SimvecValueError
        If an input is neither a str nor an iterable of str.

    References
    ----------
    Jaccard, P. (1912), "The distribution of the flora in the alpine zone", New Phytologist 11.

    Examples
    --------
    >>> jaccard("Machine Learning, neural network", ["machine  learning", "statistics"])
    0.3333333333333333
    >>> jaccard([], [])
    0.0
    """
    ka = {k for _, k in keyword_list(a, "a")}
    kb = {k for _, k in keyword_list(b, "b")}
    return jaccard_keys(ka, kb)


class KeywordEncoder:
    """Keyword -> tokens -> vocabulary rows, each distinct spelling tokenised once.

    A keyword is tokenised with ``tokenizer``; each token is looked up in the vocabulary, and a
    hyphenated token the vocabulary lacks is replaced by its in-vocabulary parts
    (``web-service`` -> ``web``, ``service``). The keyword vector is the mean of the raw vectors
    of its rows; a keyword with no row is OOV.

    Parameters
    ----------
    kv : KeyedVectors or None
        Anything with ``.vectors`` (float32, (V, d)) and ``.key_to_index``; ``None`` for the
        lexical methods (tokens only, no rows).
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize` (lowercasing).

    Raises
    ------
    SimvecValueError
        If ``kv`` lacks ``.vectors`` / ``.key_to_index``.
    """

    def __init__(self, kv=None, tokenizer: Callable[[str], list[str]] | None = None):
        if kv is None:
            self.key_to_index, self.vectors = None, None
        else:
            try:
                self.key_to_index = kv.key_to_index
                self.vectors = kv.vectors
            except AttributeError:
                raise SimvecValueError(
                    f"kv must be a KeyedVectors (with .vectors and .key_to_index), "
                    f"got {type(kv).__name__}"
                ) from None
        self.tokenizer = tokenize if tokenizer is None else tokenizer
        self._tokens: dict[str, list[str]] = {}
        self._rows: dict[str, tuple[int, ...]] = {}

    def tokens(self, keyword: str) -> list[str]:
        """The keyword's tokens (tokenised on first use, then cached)."""
        toks = self._tokens.get(keyword)
        if toks is None:
            toks = self._tokens[keyword] = self.tokenizer(keyword)
        return toks

    def rows(self, keyword: str) -> tuple[int, ...]:
        """Vocabulary rows of the keyword's tokens (empty if OOV or without vectors)."""
        rows = self._rows.get(keyword)
        if rows is None:
            k2i = self.key_to_index
            found: list[int] = []
            if k2i is not None:
                for tok in self.tokens(keyword):
                    i = k2i.get(tok)
                    if i is not None:
                        found.append(i)
                    elif "-" in tok:
                        found.extend(k2i[p] for p in tok.split("-") if p in k2i)
            rows = self._rows[keyword] = tuple(found)
        return rows

    def vector(self, keyword: str) -> np.ndarray | None:
        """Mean raw token vector, float32 (d,), or None if OOV."""
        rows = self.rows(keyword)
        if not rows:
            return None
        return self.vectors[list(rows)].mean(axis=0, dtype=np.float32)


@dataclass
class ParsedCollection:
    """A collection of keyword lists parsed once (built by :func:`parse_collection`).

    Attributes
    ----------
    items : list of list of (str, str)
        Per document, its ``(keyword, key)`` pairs (:func:`keyword_list`).
    keys : list of set of str
        Per document, its normalised keywords.
    lex : list of set of str
        Per document, the word tokens of all its keywords (in or out of the vocabulary).
    kw_rows : list of list of tuple of int
        Per document, the vocabulary rows of each in-vocabulary keyword, in order.
    tok_rows : list of list of int
        Per document, all token rows (occurrences), keywords concatenated.
    used, oov : list of list of str
        Per document, its keywords with and without a vector.
    vectors : ndarray, float32, shape (V, d), or None
        The vocabulary's vectors (may be a memory map); ``None`` without word vectors.
    n_keywords, n_oov_keywords : int
        Keywords over all documents (after de-duplication within a document) and how many of
        them are OOV.
    """

    items: list
    keys: list
    lex: list
    kw_rows: list
    tok_rows: list
    used: list
    oov: list
    vectors: np.ndarray | None
    n_keywords: int = 0
    n_oov_keywords: int = 0
    encoder: KeywordEncoder | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Number of documents."""
        return len(self.keys)

    def subset(self, positions) -> ParsedCollection:
        """The documents at ``positions`` (in that order), sharing vectors and encoder."""
        pos = [int(i) for i in positions]
        pick = lambda xs: [xs[i] for i in pos]  # noqa: E731
        oov = pick(self.oov)
        return ParsedCollection(
            pick(self.items), pick(self.keys), pick(self.lex), pick(self.kw_rows),
            pick(self.tok_rows), pick(self.used), oov, self.vectors,
            sum(len(it) for it in pick(self.items)), sum(len(o) for o in oov), self.encoder)


def parse_collection(keyword_lists: Sequence, kv=None, tokenizer=None, *,
                     encoder: KeywordEncoder | None = None,
                     names: Sequence[str] | None = None) -> ParsedCollection:
    """Parse and tokenise every keyword list of a collection once.

    Parameters
    ----------
    keyword_lists : sequence of (str or list of str), length N
    kv : KeyedVectors, optional
        Word vectors; without them only the lexical fields are filled.
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize`.
    encoder : KeywordEncoder, optional
        Reuse an encoder (and its caches) instead of building one from ``kv`` and ``tokenizer``.
    names : sequence of str, optional
        How errors name each list (default ``keyword_lists[i]``).

    Returns
    -------
    ParsedCollection

    Raises
    ------
    SimvecValueError
        If a list is not a str or an iterable of str.
    """
    enc = encoder if encoder is not None else KeywordEncoder(kv, tokenizer)
    items_all, keys, lex, kw_rows, tok_rows, used, oov = [], [], [], [], [], [], []
    n_kw = n_oov = 0
    for i, kws in enumerate(keyword_lists):
        items = keyword_list(kws, names[i] if names is not None else f"keyword_lists[{i}]")
        items_all.append(items)
        keys.append({k for _, k in items})
        toks: set = set()
        rows_i, flat, used_i, oov_i = [], [], [], []
        for kw, _ in items:
            toks.update(enc.tokens(kw))
            r = enc.rows(kw)
            if r:
                rows_i.append(r)
                flat.extend(r)
                used_i.append(kw)
            else:
                oov_i.append(kw)
        n_kw += len(items)
        n_oov += len(oov_i)
        lex.append(toks)
        kw_rows.append(rows_i)
        tok_rows.append(flat)
        used.append(used_i)
        oov.append(oov_i)
    return ParsedCollection(items_all, keys, lex, kw_rows, tok_rows, used, oov, enc.vectors,
                            n_kw, n_oov, enc)
