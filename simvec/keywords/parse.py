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
from functools import cached_property

import numpy as np

from simvec.errors import SimvecValueError
from simvec.text.tokenize import normalize_keyword, split_keywords, tokenize

__all__ = [
    "keyword_list", "jaccard", "jaccard_keys", "KeywordEncoder", "ParsedCollection",
    "parse_collection",
]


def keyword_list(x, name: str, sep: str = ",;", cache: dict | None = None
                 ) -> list[tuple[str, str]]:
    """``(keyword, normalised key)`` pairs of a keyword list, blanks and duplicates dropped.

    Parameters
    ----------
    x : str or iterable of str
        The list; a str is split on the characters of ``sep``.
    name : str
        How errors name the list (``"a"``, ``"keyword_lists[3]"``).
    sep : str, default ",;"
    cache : dict, optional
        Raw keyword -> ``(keyword, key)``, shared across calls so that a collection normalises
        each distinct spelling once and stores one tuple per spelling.

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
        pair = cache.get(kw) if cache is not None and isinstance(kw, str) else None
        if pair is None:
            if not isinstance(kw, str):
                raise SimvecValueError(
                    f"keyword list {name} must hold str, got {type(kw).__name__} {kw!r}"
                )
            pair = (" ".join(kw.split()), normalize_keyword(kw))
            if cache is not None:
                cache[kw] = pair
        if pair[1] and pair[1] not in seen:
            seen.add(pair[1])
            out.append(pair)
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

    #: What the result schema reports as the encoder's kind.
    kind = "static"
    #: True when a keyword's rows depend on the list it is in (contextual encoders such as
    #: ELMo): rows come from :meth:`document_rows`, never from :meth:`rows` alone.
    contextual = False
    #: True when the rows are not words ranked by frequency (a keyword embedded whole, a token
    #: in context): SIF weights by vocabulary rank are meaningless, every row weighs 1.
    uniform_weights = False

    def __init__(self, kv=None, tokenizer: Callable[[str], list[str]] | None = None,
                 name: str | None = None):
        if kv is None:
            self.key_to_index, self._base = None, None
        else:
            try:
                self.key_to_index = kv.key_to_index
                self._base = kv.vectors
            except AttributeError:
                raise SimvecValueError(
                    f"kv must be a KeyedVectors (with .vectors and .key_to_index), "
                    f"got {type(kv).__name__}"
                ) from None
        self.kv = kv  # the word vectors (None for other encoders)
        self.name = name
        self.tokenizer = tokenize if tokenizer is None else tokenizer
        self._tokens: dict[str, list[str]] = {}
        self._rows: dict[str, tuple[int, ...]] = {}
        # fastText .bin models give out-of-vocabulary tokens a vector from their character
        # n-grams (Bojanowski et al. 2017): such tokens get rows past the vocabulary's end.
        self._subword = getattr(kv, "subword_vector", None)
        self._extra: list[np.ndarray] = []
        self._extra_row: dict[str, int | None] = {}
        self._table = None

    @property
    def vectors(self):
        """The row table, float32 (R, d): the vocabulary, then any rows added for this encoder
        (subword vectors of out-of-vocabulary tokens); ``None`` without vectors."""
        if not self._extra:
            return self._base
        n = len(self._base) + len(self._extra)
        if self._table is None or len(self._table) != n:
            self._table = np.concatenate(
                [np.asarray(self._base, dtype=np.float32),
                 np.stack(self._extra).astype(np.float32, copy=False)])
        return self._table

    @property
    def n_added(self) -> int:
        """Rows added past the vocabulary (out-of-vocabulary tokens with subword vectors)."""
        return len(self._extra)

    def tokens(self, keyword: str) -> list[str]:
        """The keyword's tokens (tokenised on first use, then cached)."""
        toks = self._tokens.get(keyword)
        if toks is None:
            toks = self._tokens[keyword] = self.tokenizer(keyword)
        return toks

    def _subword_row(self, tok: str) -> int | None:
        if tok in self._extra_row:
            return self._extra_row[tok]
        v = self._subword(tok)
        row = None
        if v is not None:
            row = len(self._base) + len(self._extra)
            self._extra.append(np.asarray(v, dtype=np.float32))
        self._extra_row[tok] = row
        return row

    def rows(self, keyword: str) -> tuple[int, ...]:
        """Rows of the keyword's tokens (empty if OOV or without vectors).

        An out-of-vocabulary hyphenated token falls back to its in-vocabulary parts; failing
        that, a model with subwords (fastText) gives the token its n-gram vector.
        """
        rows = self._rows.get(keyword)
        if rows is None:
            k2i = self.key_to_index
            found: list[int] = []
            if k2i is not None:
                for tok in self.tokens(keyword):
                    i = k2i.get(tok)
                    if i is not None:
                        found.append(i)
                        continue
                    parts = [k2i[p] for p in tok.split("-") if p in k2i] if "-" in tok else []
                    if parts:
                        found.extend(parts)
                    elif self._subword is not None:
                        r = self._subword_row(tok)
                        if r is not None:
                            found.append(r)
            rows = self._rows[keyword] = tuple(found)
        return rows

    def row_names(self, keyword: str, rows) -> list[str]:
        """What each of ``rows`` (the keyword's rows, in order) stands for: a vocabulary key (a
        token or, for a hyphenated token the vocabulary lacks, one of its parts), or an
        out-of-vocabulary token given a subword vector; ``"#ROW"`` if none matches."""
        k2i = self.key_to_index or {}
        by_row: dict[int, str] = {}
        for tok in self.tokens(keyword):
            for key in (tok, *tok.split("-")):
                i = k2i.get(key)
                if i is None and key == tok:
                    i = self._extra_row.get(tok)
                if i is not None:
                    by_row.setdefault(i, key)
        return [by_row.get(r, f"#{r}") for r in rows]

    def prepare(self, keywords) -> None:
        """Compute the rows of many keywords at once (batched encoders); a no-op here."""

    def document_rows_many(self, lists: Sequence[Sequence[str]]) -> list:
        """Per list, the rows of each of its keywords; contextual encoders embed each list as a
        whole (batched), so a keyword's rows depend on its list."""
        return [[self.rows(kw) for kw in kws] for kws in lists]

    def list_vectors(self, docs: ParsedCollection) -> tuple[np.ndarray, np.ndarray]:
        """One vector per list, for the ``joined`` method: the mean of its token rows.

        Returns
        -------
        vectors : ndarray, float32, shape (N, d)
        valid : ndarray, bool, shape (N,)
            False for a list with no row (its vector is zero).
        """
        table = docs.vectors
        out = np.zeros((docs.n, table.shape[1]), dtype=np.float32)
        valid = np.zeros(docs.n, dtype=bool)
        for i, rows in enumerate(docs.tok_rows):
            if rows:
                out[i] = np.asarray(table[list(rows)], dtype=np.float32).mean(axis=0)
                valid[i] = True
        return out, valid

    def vector(self, keyword: str) -> np.ndarray | None:
        """Mean raw token vector, float32 (d,), or None if OOV (not for contextual encoders)."""
        rows = self.rows(keyword)
        if not rows:
            return None
        return self.vectors[list(rows)].mean(axis=0, dtype=np.float32)


class ParsedCollection:
    """A collection of keyword lists parsed once (built by :func:`parse_collection`).

    Only ``items`` is built when the collection is parsed; the other views are computed from it
    on first use and cached, so a method pays for what it reads (``mean`` never builds token
    sets). Tokens and vocabulary rows come from the shared :class:`KeywordEncoder`, which
    tokenises each distinct spelling once.

    Attributes
    ----------
    items : list of list of (str, str)
        Per document, its ``(keyword, key)`` pairs (:func:`keyword_list`).
    keys : list of set of str
        Per document, its normalised keywords.
    lex : list of set of str
        Per document, the word tokens of all its keywords (in or out of the vocabulary).
    kw_rows : list of list of tuple of int
        Per document, the rows of each keyword that has a vector, in order (vocabulary rows
        for static vectors; rows the encoder added for subword, sentence-transformer and
        contextual encoders).
    tok_rows : list of list of int
        Per document, all token rows (occurrences), keywords concatenated.
    used, oov : list of list of str
        Per document, its keywords with and without a vector.
    vectors : ndarray, float32, shape (R, d), or None
        The encoder's row table (:attr:`KeywordEncoder.vectors`: the vocabulary, may be a
        memory map, then rows the encoder added), read after every keyword's rows are known;
        ``None`` without vectors.
    n_keywords, n_oov_keywords : int
        Keywords over all documents (after de-duplication within a document) and how many of
        them are OOV.
    encoder : KeywordEncoder
    """

    def __init__(self, items: list, encoder: KeywordEncoder, sources: Sequence | None = None):
        self.items = items
        self.encoder = encoder
        self.sources = sources

    def texts(self) -> list[str]:
        """Each list as one text, as written: a str as is, a list's keywords joined by ``", "``
        (duplicates and spellings kept; what ``joined`` embeds)."""
        if self.sources is None:
            return [", ".join(kw for kw, _ in items) for items in self.items]
        return [x if isinstance(x, str) else ", ".join(k for k in x if isinstance(k, str))
                for x in self.sources]

    @property
    def vectors(self):
        """The encoder's row table (after every list's rows are known; see the class doc)."""
        if self.encoder.vectors is None:
            return None
        self.kw_rows  # rows first: an encoder may add rows while computing them
        return self.encoder.vectors

    @property
    def n(self) -> int:
        """Number of documents."""
        return len(self.items)

    @cached_property
    def keys(self) -> list:
        return [{k for _, k in items} for items in self.items]

    @cached_property
    def lex(self) -> list:
        tokens = self.encoder.tokens
        out = []
        for items in self.items:
            toks: set = set()
            for kw, _ in items:
                toks.update(tokens(kw))
            out.append(toks)
        return out

    def _prepared(self):
        """The encoder, after it computed the rows of every keyword (once per collection)."""
        enc = self.encoder
        if not self.__dict__.get("_is_prepared"):
            if enc.contextual:
                self.__dict__["_context_rows"] = enc.document_rows_many(
                    [[kw for kw, _ in items] for items in self.items])
            else:
                enc.prepare(kw for items in self.items for kw, _ in items)
            self.__dict__["_is_prepared"] = True
        return enc

    def rows_per_item(self):
        """Per document, the rows of each of its keywords (an empty tuple when OOV), in order.

        A generator: static encoders look rows up per spelling; contextual encoders give the
        rows of each keyword inside its own list.
        """
        enc = self._prepared()
        if enc.contextual:
            yield from self.__dict__["_context_rows"]
            return
        rows = enc.rows
        for items in self.items:
            yield [rows(kw) for kw, _ in items]

    @cached_property
    def kw_rows(self) -> list:
        return [[r for r in rows if r] for rows in self.rows_per_item()]

    @cached_property
    def tok_rows(self) -> list:
        return [[i for r in kws for i in r] for kws in self.kw_rows]

    @cached_property
    def used(self) -> list:
        return [[kw for (kw, _), r in zip(items, rows) if r]
                for items, rows in zip(self.items, self.rows_per_item())]

    @cached_property
    def oov(self) -> list:
        return [[kw for (kw, _), r in zip(items, rows) if not r]
                for items, rows in zip(self.items, self.rows_per_item())]

    def keyword_vectors(self, i: int) -> np.ndarray:
        """float32 (K, d): the vector (mean of its rows) of each used keyword of document i."""
        table = self.vectors
        if isinstance(table, np.memmap):  # plain ndarray view: memmap indexing costs per call
            table = table.view(np.ndarray)
        kw_rows = self.kw_rows[i]
        if not kw_rows:
            return np.empty((0, table.shape[1]), dtype=np.float32)
        sizes = np.fromiter((len(r) for r in kw_rows), dtype=np.intp, count=len(kw_rows))
        gathered = np.asarray(table[[j for r in kw_rows for j in r]], dtype=np.float32)
        starts = np.zeros(len(sizes), dtype=np.intp)
        np.cumsum(sizes[:-1], out=starts[1:])
        return (np.add.reduceat(gathered, starts, axis=0) / sizes[:, None]).astype(np.float32)

    @property
    def n_keywords(self) -> int:
        return sum(len(items) for items in self.items)

    @property
    def n_oov_keywords(self) -> int:
        return sum(1 for rows in self.rows_per_item() for r in rows if not r)

    def subset(self, positions) -> ParsedCollection:
        """The documents at ``positions`` (in that order), sharing the encoder."""
        return ParsedCollection([self.items[int(i)] for i in positions], self.encoder,
                                None if self.sources is None
                                else [self.sources[int(i)] for i in positions])


def parse_collection(keyword_lists: Sequence, kv=None, tokenizer=None, *,
                     encoder: KeywordEncoder | None = None,
                     names: Sequence[str] | None = None) -> ParsedCollection:
    """Parse every keyword list of a collection once (tokens and rows are cached per spelling).

    Parameters
    ----------
    keyword_lists : sequence of (str or list of str), length N
    kv : KeyedVectors or KeywordEncoder, optional
        Word vectors (a fastText model's subwords are used for out-of-vocabulary tokens), or
        an encoder (:mod:`simvec.keywords.encoders`); without either only the lexical views
        are meaningful.
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize`; ignored when ``kv`` is an encoder.
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
    if encoder is not None:
        enc = encoder
    elif isinstance(kv, KeywordEncoder):
        enc = kv
    else:
        enc = KeywordEncoder(kv, tokenizer)
    cache: dict = {}  # raw keyword -> shared (spelling, key): one normalisation per spelling
    items = [keyword_list(kws, names[i] if names is not None else f"keyword_lists[{i}]",
                          cache=cache)
             for i, kws in enumerate(keyword_lists)]
    sources = keyword_lists if isinstance(keyword_lists, (list, tuple)) else None
    return ParsedCollection(items, enc, sources)
