"""A collection's keyword lists parsed once: flat token rows, SIF weights, lexical key ids.

Two-stage re-ranking (:mod:`simvec.index.rerank`) scores each query against ~50-200 candidate
documents with the default method ``hybrid`` (token Jaccard + ``sif_best_match``). Parsing the
candidates' keyword lists again for every query (``parse_collection`` per batch) cost most of
the time of an all-pairs run; a :class:`TokenTable` holds what the two scorers read, for every
document of the collection, in flat integer arrays (CSR layout), parsed once:

* the vocabulary rows of each document's tokens, exactly
  :attr:`simvec.keywords.parse.ParsedCollection.tok_rows` (keywords normalised and
  de-duplicated, in order, a hyphenated token the vocabulary lacks replaced by its parts,
  duplicates kept), stored as compact ids into :attr:`TokenTable.vocab`;
* each document's lexical keys for the token Jaccard, exactly
  :attr:`~simvec.keywords.parse.ParsedCollection.lex` (the word tokens of all its keywords, in
  or out of the vocabulary, as a set), stored as sorted distinct integer ids: a token of the
  vocabulary is its ``key_to_index`` row, any other token ``n_keys + i`` with ``oov[i]`` its
  spelling. Two documents share a lexical id exactly when they share the token.

The SIF weight of each token occurrence is the weight of its vocabulary row
(:meth:`simvec.keywords.methods.MethodParams.weights`): :meth:`TokenTable.row_weights` gathers it
per compact id for a given parameter set, so one table serves every ``sif_a``.

A table of an index (:func:`index_token_table`) is built in chunks of documents (bounded
memory: a chunk's Python objects, then int32 arrays, ~8 bytes a token), kept on the
:class:`~simvec.index.ann.AnnIndex` (attribute ``token_table``), written by
:meth:`AnnIndex.save <simvec.index.ann.AnnIndex.save>` beside the graph (``tokens.json`` +
``tokens_*.npy``) and memory-mapped when a saved index is opened. An index saved without it
(older versions) builds it on first use. Word vectors with subword vectors (fastText ``.bin``)
give out-of-vocabulary tokens rows that depend on the order they are met, so they are not
tabulated (:func:`tabulable`); re-ranking parses each batch for them.

A query table (:func:`build_token_table` with ``base=``) uses the compact ids and lexical ids of
a base table, so its documents can be scored against the base's; rows and out-of-vocabulary
tokens the base lacks get ids past the base's.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simvec._util import check_positive_int, normalize_rows
from simvec.errors import SimvecValueError
from simvec.keywords.parse import KeywordEncoder, parse_collection

__all__ = [
    "DEFAULT_CHUNK_DOCS",
    "TokenTable",
    "build_token_table",
    "concat_tables",
    "index_token_table",
    "load_token_table",
    "save_token_table",
    "tabulable",
]

FORMAT = "simvec-tokens"
VERSION = 1
#: Documents parsed per chunk while a table is built (bounds the Python objects held at once).
DEFAULT_CHUNK_DOCS = 20_000
#: Files of a saved table inside an index folder (``tokens.json`` is written last).
ARRAYS = ("ptr", "tok", "vocab", "lex_ptr", "lex")


@dataclass
class TokenTable:
    """Flat token rows and lexical key ids of N documents (CSR: document i is ``ptr[i]:ptr[i+1]``).

    Attributes
    ----------
    ptr : ndarray of int64, shape (N + 1,)
        Offsets into ``tok``.
    tok : ndarray of int32, shape (T,)
        Compact token ids of every in-vocabulary token occurrence, documents concatenated, in
        :attr:`ParsedCollection.tok_rows <simvec.keywords.parse.ParsedCollection.tok_rows>`
        order. Id ``t`` stands for encoder row ``vocab[t - vocab_offset]``; ids below
        ``vocab_offset`` are the base table's (query tables only).
    vocab : ndarray of int64, shape (R,)
        Encoder (vocabulary) row of each compact id from ``vocab_offset`` on; sorted.
    lex_ptr : ndarray of int64, shape (N + 1,)
        Offsets into ``lex``.
    lex : ndarray of int32, shape (L,)
        Per document, the sorted distinct lexical ids of its tokens (see the module doc).
    oov : list of str
        Tokens outside the vocabulary: token ``oov[i]`` has lexical id ``n_keys + lex_offset + i``.
    n_keys : int
        Vocabulary size (``len(kv.key_to_index)``): lexical ids below it are vocabulary rows.
    vocab_offset, lex_offset : int
        0 for a table of its own; a query table's count of the base's compact ids and
        out-of-vocabulary tokens.
    """

    ptr: np.ndarray
    tok: np.ndarray
    vocab: np.ndarray
    lex_ptr: np.ndarray
    lex: np.ndarray
    oov: list
    n_keys: int
    vocab_offset: int = 0
    lex_offset: int = 0
    _unit: dict = field(default_factory=dict, repr=False, compare=False)
    _oov_id: dict | None = field(default=None, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of documents."""
        return len(self.ptr) - 1

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (memory or memory map)."""
        return sum(getattr(self, a).nbytes for a in ARRAYS)

    def oov_id(self, token: str) -> int | None:
        """Lexical id of an out-of-vocabulary token of this table, or None."""
        if self._oov_id is None:
            base = self.n_keys + self.lex_offset
            self._oov_id = {t: base + i for i, t in enumerate(self.oov)}
        return self._oov_id.get(token)

    def unit_vectors(self, vectors) -> np.ndarray:
        """float64 (R, d): the rows ``vectors[vocab]`` scaled to unit length (cached per table).

        Parameters
        ----------
        vectors : array_like, shape (V, d)
            The encoder's row table (:attr:`KeywordEncoder.vectors`).
        """
        key = id(vectors)
        u = self._unit.get(key)
        if u is None:
            u = normalize_rows(np.asarray(vectors[np.asarray(self.vocab)], np.float64),
                               dtype=None)
            self._unit.clear()
            self._unit[key] = u
        return u

    def row_weights(self, weights) -> np.ndarray:
        """float64 (R,): ``weights[vocab]``, the weight of each compact id.

        Parameters
        ----------
        weights : ndarray, shape (V,)
            Per encoder row (:meth:`simvec.keywords.methods.MethodParams.weights`).
        """
        return np.asarray(np.asarray(weights)[np.asarray(self.vocab)], np.float64)

    def document_rows(self, i: int) -> np.ndarray:
        """int64: the encoder rows of document i's tokens (own table only, ``vocab_offset`` 0)."""
        return np.asarray(self.vocab)[np.asarray(self.tok[self.ptr[i]:self.ptr[i + 1]])]


def tabulable(kv) -> bool:
    """Whether a collection of ``kv``'s can be tabulated once: word vectors without subword
    vectors (a fastText ``.bin`` model adds rows for out-of-vocabulary tokens as it meets them,
    so a row id depends on the order of parsing)."""
    return getattr(kv, "subword_vector", None) is None


def _flatten(lists, enc, k2i, oov_id, new_oov, lex_base):
    """Parse one chunk: (lens, global rows, lex lens, lex ids sorted per document)."""
    docs = parse_collection(lists, encoder=enc)
    tok_rows = docs.tok_rows
    lens = np.fromiter((len(r) for r in tok_rows), np.int64, len(tok_rows))
    rows = np.fromiter((x for r in tok_rows for x in r), np.int64, int(lens.sum()))

    def lex_id(t):
        i = k2i.get(t)
        if i is None:
            i = oov_id(t)
            if i is None:
                i = new_oov.setdefault(t, lex_base + len(new_oov))
        return i

    lex = docs.lex
    llens = np.fromiter((len(s) for s in lex), np.int64, len(lex))
    ids = np.fromiter((lex_id(t) for s in lex for t in s), np.int64, int(llens.sum()))
    doc = np.repeat(np.arange(len(lex)), llens)
    ids = ids[np.lexsort((ids, doc))]  # sorted within each document (sets: distinct)
    return lens, rows.astype(np.int32), llens, ids.astype(np.int32)


def build_token_table(keyword_lists, kv, *, base: TokenTable | None = None,
                      chunk_size: int = DEFAULT_CHUNK_DOCS,
                      progress: Callable[[int, int], None] | None = None) -> TokenTable:
    """Parse keyword lists once into a :class:`TokenTable`.

    Parameters
    ----------
    keyword_lists : sequence of keyword lists, length N, or sized callable (start, stop) -> lists
        The documents (a str or a list of str each, as for
        :func:`~simvec.keywords.parse.parse_collection`). A sequence is sliced chunk by chunk;
        an object with ``__len__`` (N) and ``__call__(start, stop)`` is read chunk by chunk
        (an index's lists are read from its ``keywords.jsonl`` this way).
    kv : KeyedVectors or KeywordEncoder
        Word vectors (default tokenizer) or the encoder to parse with. Word vectors with
        subword vectors (not :func:`tabulable`) are parsed with one encoder for all chunks, so
        that the rows it adds stay consistent within this table (its ``vocab`` then holds rows
        past the vocabulary, valid for that encoder only: pass the encoder to use them).
    base : TokenTable, optional
        Give rows and out-of-vocabulary tokens the base's ids (a query table scored against
        the base's documents); the base must come from the same word vectors.
    chunk_size : int, default DEFAULT_CHUNK_DOCS
        Documents parsed at once; unless an encoder is given, each chunk gets a fresh one, so
        that the encoder's caches of keyword spellings stay bounded. Memory: one chunk's
        Python objects, then 4 bytes a token occurrence and a lexical id (about 150 MiB for
        1,000,000 synthetic documents of ~18 tokens).
    progress : callable (done, total), optional

    Returns
    -------
    TokenTable

    Raises
    ------
    SimvecValueError
        No word vectors, a base that is itself a query table or has another vocabulary, a bad
        ``chunk_size``, a keyword list that is not a str or a list of str (naming it).
    """
    chunk_size = check_positive_int("chunk_size", chunk_size)
    given = kv if isinstance(kv, KeywordEncoder) else None
    kvv = given.kv if given is not None else kv
    if kvv is None or getattr(kvv, "key_to_index", None) is None:
        raise SimvecValueError("kv must be word vectors (a KeyedVectors) to tabulate tokens")
    if given is None and not tabulable(kvv):  # one encoder for all chunks: consistent rows
        given = KeywordEncoder(kvv)
    k2i = kvv.key_to_index
    n_keys = len(k2i)
    if base is not None and (base.vocab_offset or base.lex_offset):
        raise SimvecValueError("base must be a table of its own (built without base)")
    if base is not None and base.n_keys != n_keys:
        raise SimvecValueError(f"base table has a vocabulary of {base.n_keys} keys but kv "
                               f"has {n_keys}")
    n = len(keyword_lists)
    read = keyword_lists if callable(keyword_lists) else (lambda a, b: keyword_lists[a:b])
    oov_id = base.oov_id if base is not None else (lambda t: None)
    lex_base = n_keys + (len(base.oov) if base is not None else 0)
    new_oov: dict = {}
    lens, rows, llens, lex = [], [], [], []
    for a in range(0, n, chunk_size):
        b = min(n, a + chunk_size)
        enc = given if given is not None else KeywordEncoder(kvv)
        part = list(read(a, b))
        try:
            got = _flatten(part, enc, k2i, oov_id, new_oov, lex_base)
        except SimvecValueError as exc:  # name the list by its place in the whole collection
            msg = re.sub(r"keyword_lists\[(\d+)\]",
                         lambda m: f"keyword_lists[{a + int(m.group(1))}]", str(exc))
            raise SimvecValueError(msg) from None
        for acc, x in zip((lens, rows, llens, lex), got):
            acc.append(x)
        if progress is not None:
            progress(b, n)
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(cat(lens, np.int64), out=ptr[1:])
    lex_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(cat(llens, np.int64), out=lex_ptr[1:])
    rows_all = cat(rows, np.int32)
    if base is None:
        vocab, tok = np.unique(rows_all, return_inverse=True)
        offset = 0
    else:  # the base's compact ids where it has the row, new ids past them otherwise
        bv = np.asarray(base.vocab)
        pos = np.minimum(np.searchsorted(bv, rows_all), max(len(bv) - 1, 0))
        known = (bv[pos] == rows_all) if len(bv) else np.zeros(len(rows_all), bool)
        vocab, inv = np.unique(rows_all[~known], return_inverse=True)
        tok = np.where(known, pos, 0).astype(np.int64)
        offset = len(bv)
        tok[~known] = offset + inv.reshape(-1)
    oov = sorted(new_oov, key=new_oov.get)
    return TokenTable(ptr, tok.reshape(-1).astype(np.int32), vocab.astype(np.int64), lex_ptr,
                      cat(lex, np.int32), oov, n_keys, offset,
                      0 if base is None else len(base.oov))


def concat_tables(a: TokenTable, b: TokenTable) -> TokenTable:
    """Documents of ``a`` then of ``b``, as one table of its own (how an index's table grows).

    Parameters
    ----------
    a : TokenTable
        A table of its own.
    b : TokenTable
        Built with ``base=a``.

    Returns
    -------
    TokenTable
        Equal to the table built from both collections at once (same rows, compact ids and
        lexical ids up to the numbering of out-of-vocabulary tokens).

    Raises
    ------
    SimvecValueError
        If ``b`` was not built on ``a``.
    """
    if a.vocab_offset or a.lex_offset or b.vocab_offset != len(a.vocab) or \
            b.lex_offset != len(a.oov) or b.n_keys != a.n_keys:
        raise SimvecValueError("table b must be built with base=a")
    vocab = np.concatenate([np.asarray(a.vocab), np.asarray(b.vocab)])
    order = np.argsort(vocab, kind="stable")
    new_id = np.empty(len(vocab), np.int64)
    new_id[order] = np.arange(len(vocab))
    tok = new_id[np.concatenate([np.asarray(a.tok), np.asarray(b.tok)]).astype(np.int64)]
    ptr = np.concatenate([np.asarray(a.ptr), a.ptr[-1] + np.asarray(b.ptr)[1:]])
    lex_ptr = np.concatenate([np.asarray(a.lex_ptr), a.lex_ptr[-1] + np.asarray(b.lex_ptr)[1:]])
    return TokenTable(ptr, tok.astype(np.int32), vocab[order], lex_ptr,
                      np.concatenate([np.asarray(a.lex), np.asarray(b.lex)]),
                      list(a.oov) + list(b.oov), a.n_keys)


# ------------------------------------------------------------------ persistence in an index folder
def save_token_table(table: TokenTable, folder, *, encoder: dict,
                     keywords_bytes: int | None = None) -> None:
    """Write ``table`` into an index folder: ``tokens_*.npy`` then ``tokens.json`` (last, each
    file through a temporary name and ``os.replace``, so a reader sees a complete table or an
    old/absent ``tokens.json``, whose sizes are checked).

    Parameters
    ----------
    table : TokenTable
        An own table (``vocab_offset`` 0).
    folder : str or os.PathLike
    encoder : dict
        The index's :func:`~simvec.index.encode.encoder_info` (checked on load).
    keywords_bytes : int, optional
        Size of the folder's ``keywords.jsonl`` (checked on load).
    """
    if table.vocab_offset or table.lex_offset:
        raise SimvecValueError("only a table of its own (no base) can be saved")
    folder = Path(folder)
    for name in ARRAYS:
        tmp = folder / f".tokens_{name}.npy.tmp"
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(getattr(table, name)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / f"tokens_{name}.npy")
    meta = {"format": FORMAT, "version": VERSION, "encoder": encoder, "n_docs": table.n,
            "n_tokens": int(table.ptr[-1]), "n_lex": int(table.lex_ptr[-1]),
            "n_vocab": len(table.vocab), "n_keys": int(table.n_keys),
            "keywords_bytes": keywords_bytes, "oov": list(table.oov)}
    tmp = folder / ".tokens.json.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / "tokens.json")


def load_token_table(folder, *, encoder: dict | None = None,
                     keywords_bytes: int | None = None) -> TokenTable | None:
    """The table saved in an index folder (arrays memory-mapped), or None when there is none or
    it does not match (another encoder, another ``keywords.jsonl`` size, sizes that disagree:
    a table from an interrupted write).

    Parameters
    ----------
    folder : str or os.PathLike
    encoder : dict, optional
        Required encoder (the index's).
    keywords_bytes : int, optional
        Required ``keywords.jsonl`` size.
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / "tokens.json").read_text(encoding="utf-8"))
        arr = {a: np.load(folder / f"tokens_{a}.npy", mmap_mode="r") for a in ARRAYS}
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        return None
    if encoder is not None and meta.get("encoder") != encoder:
        return None
    if keywords_bytes is not None and meta.get("keywords_bytes") != keywords_bytes:
        return None
    n = meta.get("n_docs")
    ok = (len(arr["ptr"]) == len(arr["lex_ptr"]) == (n or 0) + 1
          and len(arr["tok"]) == meta.get("n_tokens") == int(arr["ptr"][-1])
          and len(arr["lex"]) == meta.get("n_lex") == int(arr["lex_ptr"][-1])
          and len(arr["vocab"]) == meta.get("n_vocab"))
    if not ok:
        return None
    return TokenTable(arr["ptr"], arr["tok"], arr["vocab"], arr["lex_ptr"], arr["lex"],
                      list(meta.get("oov", [])), int(meta["n_keys"]))


def _keywords_bytes(index) -> int | None:
    p = None if index.path is None else Path(index.path) / "keywords.jsonl"
    return p.stat().st_size if p is not None and p.is_file() else None


def index_token_table(index, kv, *, build: bool = True, save: bool = False,
                      chunk_size: int = DEFAULT_CHUNK_DOCS,
                      progress: Callable[[int, int], None] | None = None
                      ) -> TokenTable | None:
    """The token table of every document of an index: kept on the index, else read from its
    folder (memory-mapped), else built (then kept on the index).

    A table that covers only the first documents (the index grew by :meth:`AnnIndex.add`) is
    extended by parsing the new ones.

    Parameters
    ----------
    index : AnnIndex
        With keyword lists.
    kv : KeyedVectors
        The index's word vectors (the caller checks the encoder).
    build : bool, default True
        False: return None instead of building (or extending) a table.
    save : bool, default False
        After building, also write the table into the index folder (:func:`save_token_table`),
        when the index has a folder that is writable; :meth:`AnnIndex.save` writes it anyway.
    chunk_size : int, default DEFAULT_CHUNK_DOCS
    progress : callable (done, total), optional
        While building.

    Returns
    -------
    TokenTable or None
        None when ``build`` is False and there is no table, or when ``kv`` cannot be tabulated
        (:func:`tabulable`).

    Raises
    ------
    SimvecValueError
        An index without keyword lists.
    """
    if not tabulable(kv):
        return None
    n = len(index)
    table = getattr(index, "token_table", None)
    if table is None and index.path is not None:
        table = load_token_table(index.path, encoder=index.encoder,
                                 keywords_bytes=_keywords_bytes(index))
        if table is not None and table.n > n:
            table = None
    if table is not None and table.n == n:
        index.token_table = table
        return table
    if not build:
        return None
    if table is None:
        table = build_token_table(_Reader(index, 0, n), kv, chunk_size=chunk_size,
                                  progress=progress)
    else:
        more = build_token_table(_Reader(index, table.n, n), kv, base=table,
                                 chunk_size=chunk_size, progress=progress)
        table = concat_tables(table, more)
    index.token_table = table
    if save and index.path is not None and os.access(index.path, os.W_OK):
        save_token_table(table, index.path, encoder=index.encoder,
                         keywords_bytes=_keywords_bytes(index))
    return table


class _Reader:
    """Keyword lists ``start:stop`` of an index, read chunk by chunk."""

    def __init__(self, index, start: int, stop: int):
        self.index, self.start, self.stop = index, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __call__(self, a: int, b: int) -> list:
        return self.index.keywords(range(self.start + a, self.start + b))

