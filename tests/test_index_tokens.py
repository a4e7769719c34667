"""simvec.index.tokens: a collection parsed once equals what parse_collection gives per batch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import data_path

from simvec.errors import SimvecValueError
from simvec.index.tokens import (
    build_token_table,
    concat_tables,
    index_token_table,
    load_token_table,
    save_token_table,
    tabulable,
)
from simvec.keywords.collection import read_collection
from simvec.keywords.parse import parse_collection

# lists that exercise the parser: case and whitespace duplicates, separators in a str, blanks,
# hyphenated tokens the vocabulary lacks (-> parts), out-of-vocabulary tokens, an empty list
TRICKY = [
    "Machine Learning; machine  learning, neural-network",
    ["web-service", "Web-Service", "qqzzxx data-mining", "  ", "xqzt-web"],
    [],
    ["qqzzxx", "QQZZXX", "the the the"],
    ["zzzqqq-yyyxxx"],
    "deep learning,deep learning , statistics",
]


@pytest.fixture(scope="module")
def kpcrowd():
    _, lists, _ = read_collection(data_path("keywords", "kpcrowd500n_labeled.jsonl"),
                                  id_field="doc_id", keywords_field="keyphrases")
    return lists + TRICKY


def _lex_tokens(table, i, kv):
    ids = np.asarray(table.lex[table.lex_ptr[i]:table.lex_ptr[i + 1]])
    base = table.n_keys + table.lex_offset
    return [kv.index_to_key[j] if j < table.n_keys else table.oov[j - base] for j in ids]


def test_table_equals_the_parsed_collection(kpcrowd, glove50):
    docs = parse_collection(kpcrowd, glove50)
    t = build_token_table(kpcrowd, glove50)
    assert t.n == len(kpcrowd) == docs.n
    for i in range(t.n):
        assert t.document_rows(i).tolist() == docs.tok_rows[i]
        ids = np.asarray(t.lex[t.lex_ptr[i]:t.lex_ptr[i + 1]])
        assert np.all(np.diff(ids) > 0)  # sorted, distinct
        assert set(_lex_tokens(t, i, glove50)) == docs.lex[i]
        assert len(ids) == len(docs.lex[i])
    assert np.all(np.diff(t.vocab) > 0) and t.tok.dtype == np.int32 and t.lex.dtype == np.int32
    # measured: 500 + 6 documents, 33,180 token occurrences of 10,737 distinct rows,
    # 29,426 lexical ids, 976 distinct out-of-vocabulary tokens (hyphenated ones among them)
    assert (int(t.ptr[-1]), len(t.vocab), int(t.lex_ptr[-1]), len(t.oov)) == \
        (33180, 10737, 29426, 976)
    assert {"qqzzxx", "web-service", "xqzt-web", "zzzqqq-yyyxxx"} <= set(t.oov)
    # hyphenated tokens GloVe lacks fall back to their parts' rows ("data-mining" it has); the
    # case duplicate "Web-Service" is merged; "zzzqqq-yyyxxx" has no row at all
    k2i = glove50.key_to_index
    assert t.document_rows(500 + 4).tolist() == []
    assert t.document_rows(500 + 1).tolist() == [k2i["web"], k2i["service"], k2i["data-mining"],
                                                 k2i["web"]]
    assert t.ptr[500 + 2] == t.ptr[500 + 3] and t.lex_ptr[500 + 2] == t.lex_ptr[500 + 3]


def test_chunks_do_not_change_the_table(kpcrowd, glove50):
    whole = build_token_table(kpcrowd, glove50)
    seen = []
    parts = build_token_table(kpcrowd, glove50, chunk_size=7,
                              progress=lambda d, n: seen.append((d, n)))
    for a in ("ptr", "tok", "vocab", "lex_ptr", "lex"):
        np.testing.assert_array_equal(getattr(parts, a), getattr(whole, a))
    assert parts.oov == whole.oov and seen[-1] == (506, 506) and len(seen) == 73


def test_query_table_uses_the_base_ids(kpcrowd, glove50):
    base = build_token_table(kpcrowd[:300], glove50)
    q = build_token_table(kpcrowd[300:], glove50, base=base)
    assert q.vocab_offset == len(base.vocab) and q.lex_offset == len(base.oov)
    full = build_token_table(kpcrowd, glove50)
    docs = parse_collection(kpcrowd[300:], glove50)
    for i in range(q.n):
        ids = np.asarray(q.tok[q.ptr[i]:q.ptr[i + 1]]).astype(np.int64)
        rows = np.where(ids < q.vocab_offset, base.vocab[np.minimum(ids, len(base.vocab) - 1)],
                        q.vocab[np.maximum(ids - q.vocab_offset, 0)])
        assert rows.tolist() == docs.tok_rows[i]
        lex = np.asarray(q.lex[q.lex_ptr[i]:q.lex_ptr[i + 1]])
        assert np.all(np.diff(lex) > 0)
        toks = [glove50.index_to_key[j] if j < q.n_keys
                else (base.oov + q.oov)[j - q.n_keys] for j in lex]
        assert set(toks) == docs.lex[i]
    # an out-of-vocabulary token of the base keeps its id in the queries
    shared = set(base.oov) & {t for s in docs.lex for t in s}
    assert shared and not shared & set(q.oov)
    # base + queries concatenated is the table of the whole collection
    both = concat_tables(base, q)
    for a in ("ptr", "tok", "vocab", "lex_ptr"):
        np.testing.assert_array_equal(getattr(both, a), getattr(full, a))
    for i in range(full.n):
        assert set(_lex_tokens(both, i, glove50)) == set(_lex_tokens(full, i, glove50))


def test_bad_inputs(kpcrowd, glove50):
    with pytest.raises(SimvecValueError, match=r"keyword list keyword_lists\[12\] must be"):
        build_token_table(kpcrowd[:12] + [5], glove50, chunk_size=5)
    with pytest.raises(SimvecValueError, match=r"keyword_lists\[8\] must hold str"):
        build_token_table(kpcrowd[:8] + [["ok", 3]], glove50, chunk_size=5)
    with pytest.raises(SimvecValueError, match="chunk_size must be a positive integer"):
        build_token_table(kpcrowd, glove50, chunk_size=0)
    with pytest.raises(SimvecValueError, match="kv must be word vectors"):
        build_token_table(kpcrowd, None)
    q = build_token_table(kpcrowd[:3], glove50, base=build_token_table(kpcrowd[3:9], glove50))
    with pytest.raises(SimvecValueError, match="base must be a table of its own"):
        build_token_table(kpcrowd[:3], glove50, base=q)
    with pytest.raises(SimvecValueError, match="built with base=a"):
        concat_tables(build_token_table(kpcrowd[:3], glove50), build_token_table(kpcrowd[3:5],
                                                                                 glove50))
    with pytest.raises(SimvecValueError, match="only a table of its own"):
        save_token_table(q, "/nonexistent", encoder={})


def test_index_keeps_saves_and_memory_maps_the_table(kpcrowd, glove50, tmp_path):
    pytest.importorskip("usearch")
    pytest.importorskip("faiss")
    from simvec.index.ann import build_index, load_index
    from simvec.index.encode import encode, encoder_info

    lists = kpcrowd[:120]
    vec = encode(lists, glove50)
    ids = [f"d{i}" for i in range(len(lists))]
    ix = build_index(vec, ids, encoder=encoder_info(glove50), keyword_lists=lists)
    ix.save(tmp_path / "old")  # no table yet: an index as older versions saved it
    assert not (tmp_path / "old" / "tokens.json").exists()
    old = load_index(tmp_path / "old")
    assert index_token_table(old, glove50, build=False) is None
    t = index_token_table(old, glove50)  # built on first use, kept on the index
    assert index_token_table(old, glove50) is t and old.token_table is t
    ref = build_token_table(lists, glove50)
    ix.token_table = t
    ix.save(tmp_path / "new")
    meta = json.loads((tmp_path / "new" / "tokens.json").read_text())
    assert meta["n_docs"] == 120 and meta["encoder"] == encoder_info(glove50)
    new = load_index(tmp_path / "new")
    got = index_token_table(new, glove50, build=False)
    assert isinstance(got.tok, np.memmap)
    for a in ("ptr", "tok", "vocab", "lex_ptr", "lex"):
        np.testing.assert_array_equal(getattr(got, a), getattr(ref, a))
    assert got.oov == ref.oov
    # another encoder, other keyword lists, a half-written table: not used
    assert load_token_table(tmp_path / "new", encoder={"kind": "other"}) is None
    assert load_token_table(tmp_path / "new", keywords_bytes=1) is None
    np.save(tmp_path / "new" / "tokens_tok.npy", np.asarray(ref.tok)[:-1])
    assert load_token_table(tmp_path / "new") is None
    assert index_token_table(load_index(tmp_path / "new"), glove50, build=False) is None
    # the index grows: the table is extended by the new documents only
    ix2 = load_index(tmp_path / "old", writable=True)
    index_token_table(ix2, glove50)
    more = kpcrowd[120:200]
    ix2.add(encode(more, glove50), [f"e{i}" for i in range(len(more))], keyword_lists=more)
    grown = index_token_table(ix2, glove50)
    full = build_token_table(lists + more, glove50)
    for a in ("ptr", "tok", "vocab", "lex_ptr"):
        np.testing.assert_array_equal(getattr(grown, a), getattr(full, a))
    for i in range(full.n):
        assert set(_lex_tokens(grown, i, glove50)) == set(_lex_tokens(full, i, glove50))
    # save=True writes it into the folder (what `simvec index pairs` does before the chunks)
    index_token_table(load_index(tmp_path / "old"), glove50, save=True)
    assert load_token_table(tmp_path / "old", encoder=encoder_info(glove50)).n == 120


def test_subword_vectors_are_not_tabulated_per_index(glove50):
    from conftest import LOCAL
    from simvec.vectors.fasttext import load_fasttext_bin

    ft = load_fasttext_bin(LOCAL / "fasttext" / "lee_zh_sg.bin")
    assert tabulable(glove50) and not tabulable(ft)

    class _Ix:  # what index_token_table reads of an index
        token_table, path = None, None

        def __len__(self):
            return 1

    assert index_token_table(_Ix(), ft) is None
    # parsed with one encoder: its added rows are consistent within the table
    lists = [["government policy", "xqzvbnm"], ["xqzvbnm", "wxyzzy"]]
    t = build_token_table(lists, ft)
    docs = parse_collection(lists, ft)
    assert [t.document_rows(i).tolist() for i in range(2)] == docs.tok_rows
    assert int(t.vocab.max()) >= len(ft.key_to_index)  # rows past the vocabulary
