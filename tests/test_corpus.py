"""Streaming corpus readers and the benchmark-corpus builder."""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile

import pytest

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.text.corpus import LineSentence, TextCorpus, build_benchmark_corpus, corpus_files
from conftest import data_path, importorskip


def _write(path, text: bytes):
    path.write_bytes(text)
    return path


def test_line_sentence_plain_gz_bz2_same(tmp_path):
    text = b"the cat sat\n\n  the dog  ran \nend\n"
    plain = _write(tmp_path / "a.txt", text)
    gz = _write(tmp_path / "a.txt.gz", gzip.compress(text))
    bz = _write(tmp_path / "weird_name", bz2.compress(text))  # detected by magic, not suffix
    want = [["the", "cat", "sat"], ["the", "dog", "ran"], ["end"]]
    for p in (plain, gz, bz):
        assert list(LineSentence(p)) == want


def test_line_sentence_reiterable_and_limit(tmp_path):
    p = _write(tmp_path / "a.txt", b"a b\nc d\ne f\n")
    c = LineSentence(p, limit=2)
    assert list(c) == [["a", "b"], ["c", "d"]]
    assert list(c) == list(c)  # re-iterable


def test_line_sentence_splits_long_lines(tmp_path):
    p = _write(tmp_path / "a.txt", (" ".join(str(i) for i in range(25)) + "\n").encode())
    parts = list(LineSentence(p, max_sentence_length=10))
    assert [len(s) for s in parts] == [10, 10, 5]
    assert sum(parts, []) == [str(i) for i in range(25)]


def test_folder_reads_all_files_sorted(tmp_path):
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "b.txt", b"two\n")
    _write(tmp_path / "a.txt", b"one\n")
    _write(tmp_path / "sub" / "c.txt.gz", gzip.compress(b"three\n"))
    _write(tmp_path / ".hidden", b"no\n")
    assert [f.name for f in corpus_files(tmp_path)] == ["a.txt", "b.txt", "c.txt.gz"]
    assert list(LineSentence(tmp_path)) == [["one"], ["two"], ["three"]]


def test_missing_and_empty_sources(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="nope"):
        LineSentence(tmp_path / "nope.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SimvecValueError, match="holds no files"):
        LineSentence(tmp_path / "empty")


def test_non_utf8_line_strict_names_file_and_line(tmp_path):
    p = _write(tmp_path / "bad.txt", b"good line\nbad \xff byte\nmore\n")
    with pytest.raises(InputFormatError) as ei:
        list(LineSentence(p))
    assert ei.value.line == 2 and "bad.txt" in str(ei.value) and "line 2" in str(ei.value)
    assert "unicode_errors" in str(ei.value)


def test_non_utf8_policies(tmp_path, caplog):
    p = _write(tmp_path / "bad.txt", b"good line\nbad \xff byte\nmore\n")
    assert list(LineSentence(p, unicode_errors="skip")) == [["good", "line"], ["more"]]
    assert list(LineSentence(p, unicode_errors="ignore"))[1] == ["bad", "byte"]
    assert list(LineSentence(p, unicode_errors="replace"))[1] == ["bad", "\ufffd", "byte"]
    assert "first: line 2" in caplog.text
    with pytest.raises(SimvecValueError, match="unicode_errors"):
        LineSentence(p, unicode_errors="drop")


def test_text_corpus_tokenizers(tmp_path):
    p = _write(tmp_path / "raw.txt", "The Café's state-of-the-art, NLP!\n\n".encode())
    assert list(TextCorpus(p)) == [["the", "café", "'s", "state-of-the-art", "nlp"]]
    assert list(TextCorpus(p, tokenizer="whitespace")) == [["the", "café's", "state-of-the-art,", "nlp!"]]
    assert list(TextCorpus(p, tokenizer=lambda s: s.split("-"))) == [["The Café's state", "of", "the", "art, NLP!"]]
    with pytest.raises(SimvecValueError, match="tokenizer"):
        TextCorpus(p, tokenizer="spacy")


def test_text_corpus_jieba_chinese(tmp_path):
    importorskip("jieba")
    src = data_path("zh", "corpus")
    first = next(f for f in sorted(src.iterdir()) if f.is_file())
    sents = list(TextCorpus(first, tokenizer="jieba", limit=50))
    toks = [t for s in sents for t in s]
    assert toks and any(len(t) >= 2 for t in toks)  # multi-character words were segmented
    assert all(t.strip() == t and t for t in toks)


def test_lee_corpus_streams():
    sents = list(TextCorpus(data_path("corpus", "lee_background.cor")))
    assert len(sents) == 300
    assert sum(map(len, sents)) == 60_628


def _tiny_data(root):
    (root / "corpus").mkdir(parents=True)
    (root / "imdb").mkdir()
    (root / "corpus" / "gutenberg_en.txt.gz").write_bytes(
        gzip.compress(b"Chapter I.\n\nIt was the best of times,\nit was the worst.\n\n\n_THE END_ 1877\n"))
    for name, parts in (("aclImdb_labeled.tar.gz", ["train/pos/1_9.txt", "test/neg/2_1.txt"]),
                        ("aclImdb_unsup.tar.gz", ["train/unsup/3_0.txt"])):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for i, part in enumerate(parts):
                data = f"Great movie!<br /><br />I'd watch it {i} times. Caf\u00e9".encode()
                info = tarfile.TarInfo("aclImdb/" + part)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            info = tarfile.TarInfo("aclImdb/README")
            info.size = 3
            t.addfile(info, io.BytesIO(b"xyz"))
        (root / "imdb" / name).write_bytes(buf.getvalue())


def test_build_benchmark_corpus_tiny(tmp_path):
    _tiny_data(tmp_path / "data")
    out = tmp_path / "corpus.txt"
    stats = build_benchmark_corpus(tmp_path / "data", out)
    lines = out.read_text().splitlines()
    assert lines[:3] == ["chapter i", "it was the best of times it was the worst", "the end"]
    assert lines[3] == "great movie i d watch it times caf"
    assert len(lines) == 6 and stats["imdb_reviews"] == 3 and stats["lines"] == 6
    assert stats["words"] == sum(len(x.split()) for x in lines)
    assert not list(tmp_path.glob(".corpus.txt.*"))  # no temporary left


def test_build_benchmark_corpus_missing_input(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="gutenberg_en.txt.gz"):
        build_benchmark_corpus(tmp_path, tmp_path / "out.txt")
