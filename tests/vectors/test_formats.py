"""Vector file formats: round trips, exact parsing, encoding and duplicate policies, bad input."""

from __future__ import annotations

import bz2
import gzip
import logging
import os
import re

import numpy as np
import pytest

from conftest import data_path, importorskip
from simvec.errors import SimvecError, SimvecFileNotFoundError, SimvecValueError, VectorFormatError
from simvec.vectors import _parse
from simvec.vectors.formats import FORMATS, detect_format, load_vectors, save_vectors
from simvec.vectors.keyed import KeyedVectors

HEAD = ("glove", "glove.6B.50d.head2446.txt")
SAMPLE = ("glove", "glove.6B.100d.sample.txt.gz")
UNDECODABLE_LINES = [218, 785, 1329, 1409, 1420]
EXT = {"word2vec": ".txt", "word2vec-binary": ".bin", "glove": ".txt", "fasttext": ".vec"}


def bits(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32).view(np.uint32)


def write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def reference_rows(raw: bytes):
    """Keys and np.float32(float(tok)) of every row of a GloVe text, the slow obvious way."""
    keys, rows = [], []
    for line in raw.split(b"\n"):
        if line.strip():
            fields = line.split(b" ")
            keys.append(fields[0])
            rows.append([np.float32(float(t)) for t in fields[1:]])
    return keys, np.array(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def head_raw():
    return data_path(*HEAD).read_bytes()


@pytest.fixture(scope="module")
def head_kv():
    return load_vectors(data_path(*HEAD), format="glove")


# ---------------------------------------------------------------------------- exact parsing
def test_head_file_parses_bit_exactly(head_raw, head_kv):
    keys, ref = reference_rows(head_raw)
    assert head_kv.vectors.shape == ref.shape == (2446, 50)
    assert head_kv.vectors.dtype == np.float32
    np.testing.assert_array_equal(bits(head_kv.vectors), bits(ref))
    ascii_rows = [i for i, k in enumerate(keys) if k.isascii()]
    assert [head_kv.index_to_key[i] for i in ascii_rows] == [keys[i].decode() for i in ascii_rows]


def test_head_file_matches_kumo_package(head_kv, glove50):
    np.testing.assert_array_equal(bits(head_kv.vectors), bits(glove50.vectors[:2446]))
    assert head_kv.index_to_key == glove50.index_to_key[:2446]
    assert head_kv.index_to_key[217] == "–" and head_kv.index_to_key[784] == "’s"


EDGE_TOKENS = [
    "0", "-0", "-0.0", "+1.5", ".5", "5.", "1E5", "1e-05", "-6.3681e-05", "00001.50000",
    "0.00066023", "4.0071", "123456789012345678901234", "0.1234567890123456789",
    "9007199254740993", "12345678901234567e-20", "1e22", "1e23", "1e-22", "1e-23",
    "0.000000000000000000001234", "1e-50", "1e39", "-1e39", "3.4028235e38", "3.4028236e38",
    "1.17549435e-38", "1.4e-45", "7e-46", "4.9406564584124654e-324", "1e+5", "1_0",
    "0.1", "0.3", "16777217", "0.99999999999999999999", "2.5e-1", "1e0000022",
]


def test_edge_case_tokens_match_python_float(tmp_path):
    p = write(tmp_path, "edge.txt", ("w " + " ".join(EDGE_TOKENS) + "\n").encode())
    kv = load_vectors(p, format="glove")
    with np.errstate(over="ignore"):
        expected = np.array([np.float32(float(t)) for t in EDGE_TOKENS], dtype=np.float32)
    np.testing.assert_array_equal(bits(kv["w"]), bits(expected))
    assert np.signbit(kv["w"][1]) and np.signbit(kv["w"][2])  # -0 keeps its sign


def test_random_decimal_strings_match_python_float(tmp_path):
    # 30,000 tokens: 1-19 digits, a point in 80 % of them (anywhere, ends included), an exponent
    # in -40..39 in 30 %, a minus sign in half (the random draws made up front: drawing them one
    # by one took seconds)
    rng = np.random.default_rng(0)
    n = 30000
    length = rng.integers(1, 20, n)
    point = rng.integers(0, length + 1).tolist()
    rows = np.array(list("0123456789"))[rng.integers(0, 10, (n, 19))]
    digits = ["".join(row[:k]) for row, k in zip(rows, length.tolist())]
    with_point = (rng.random(n) < 0.8).tolist()
    exponent = rng.integers(-40, 40, n).tolist()
    with_exponent = (rng.random(n) < 0.3).tolist()
    negative = (rng.random(n) < 0.5).tolist()
    toks = []
    for i in range(n):
        t = digits[i][:point[i]] + "." + digits[i][point[i]:] if with_point[i] else digits[i]
        if with_exponent[i]:
            t += f"e{exponent[i]}"
        toks.append(("-" if negative[i] else "") + t)
    toks = [t for t in toks if t.strip("-") not in (".",)]
    d = 50
    toks = toks[: len(toks) // d * d]
    lines = [f"w{i} " + " ".join(toks[i * d:(i + 1) * d]) for i in range(len(toks) // d)]
    p = write(tmp_path, "rand.txt", "\n".join(lines).encode())
    kv = load_vectors(p, format="glove")
    with np.errstate(over="ignore"):
        expected = np.array([np.float32(float(t)) for t in toks], np.float32).reshape(-1, d)
    np.testing.assert_array_equal(bits(kv.vectors), bits(expected))


def test_nan_and_inf_are_accepted_like_float_and_warned(tmp_path, caplog):
    p = write(tmp_path, "nan.txt", b"a 1 nan\nb -inf Infinity\n")
    with caplog.at_level(logging.WARNING):
        kv = load_vectors(p, format="glove")
    assert np.isnan(kv["a"][1]) and kv["b"][0] == -np.inf and kv["b"][1] == np.inf
    assert "3 values are nan or inf" in caplog.text


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize(
    "fmt,compress",
    [(f, c) for f in ("word2vec", "word2vec-binary", "glove", "fasttext") for c in ("", ".gz", ".bz2")]
    + [("native", "")],
)
def test_round_trip_every_format(tmp_path, head_kv, fmt, compress):
    p = tmp_path / ("vectors" + EXT.get(fmt, "") + compress)
    save_vectors(head_kv, p, format=fmt)
    back = load_vectors(p, format=fmt)
    np.testing.assert_array_equal(bits(back.vectors), bits(head_kv.vectors))
    assert back.index_to_key == head_kv.index_to_key
    guessed, reason = detect_format(p)
    assert guessed == fmt and reason
    if compress:
        opener = gzip.open if compress == ".gz" else bz2.open
        with opener(p, "rb") as f:
            f.read(10)  # a real compressed stream


def test_round_trip_100d_sample(tmp_path):
    kv = load_vectors(data_path(*SAMPLE))
    assert kv.vectors.shape == (100, 100)
    for fmt in ("word2vec-binary", "glove", "native"):
        p = tmp_path / f"s-{fmt}{'.gz' if fmt != 'native' else ''}"
        save_vectors(kv, p, format=fmt)
        back = load_vectors(p)
        np.testing.assert_array_equal(bits(back.vectors), bits(kv.vectors))
        assert back.index_to_key == kv.index_to_key


def test_text_writer_reproduces_the_glove_release_bytes(tmp_path, head_raw, head_kv):
    p = tmp_path / "g.txt"
    save_vectors(head_kv, p, format="glove")
    out = p.read_bytes().split(b"\n")
    orig = head_raw.split(b"\n")
    same = sum(a.split(b" ", 1)[1] == b.split(b" ", 1)[1] for a, b in zip(out, orig))
    assert same >= 2440  # shortest round-trip digits are the release's digits on most rows


def test_writer_round_trips_the_whole_float32_range(tmp_path):
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 2**32, size=(400, 25), dtype=np.uint64).astype(np.uint32)
    vals = raw.view(np.float32)
    vals[~np.isfinite(vals)] = 1.0
    powers = np.array([10.0**e for e in range(-45, 39)], dtype=np.float32)  # 1e-45 rounds to 1.4e-45
    near = np.concatenate([powers, np.nextafter(powers, 0), np.nextafter(powers, np.inf)])
    vals.ravel()[: near.size] = near
    vals.ravel()[near.size : 2 * near.size] = -near
    kv = KeyedVectors(vals, [f"k{i}" for i in range(400)])
    p = tmp_path / "range.txt"
    save_vectors(kv, p, format="word2vec")
    toks = [t for line in p.read_bytes().split(b"\n")[1:] for t in line.split()[1:]]
    np.testing.assert_array_equal(bits([np.float32(float(t)) for t in toks]), bits(vals.ravel()))
    np.testing.assert_array_equal(bits(load_vectors(p).vectors), bits(vals))


def test_native_mmap_is_memory_mapped_and_read_only(tmp_path, head_kv):
    save_vectors(head_kv, tmp_path / "nat", source="glove head")
    assert (tmp_path / "nat.npy").is_file() and (tmp_path / "nat.json").is_file()
    for given in ("nat", "nat.npy", "nat.json"):
        kv = load_vectors(tmp_path / given, mmap=True)
        assert isinstance(kv.vectors, np.memmap) or isinstance(kv.vectors.base, np.memmap)
        assert not kv.vectors.flags.writeable
        np.testing.assert_array_equal(kv.vectors, head_kv.vectors)
    meta = (tmp_path / "nat.json").read_text(encoding="utf-8")
    assert '"source": "glove head"' in meta and '"format_version": 1' in meta
    assert not isinstance(load_vectors(tmp_path / "nat").vectors.base, np.memmap)


def test_native_pair_that_disagrees_is_refused(tmp_path, head_kv):
    save_vectors(head_kv, tmp_path / "a")
    np.save(tmp_path / "a.npy", np.zeros((3, 50), np.float32))
    with pytest.raises(VectorFormatError, match="do not match"):
        load_vectors(tmp_path / "a")
    save_vectors(head_kv, tmp_path / "b")
    changed = head_kv.vectors.copy()
    changed[0, 0] += 1
    np.save(tmp_path / "b.npy", changed)  # same shape, other values: caught by the fingerprint
    with pytest.raises(VectorFormatError, match="fingerprint"):
        load_vectors(tmp_path / "b", mmap=True)


def test_progress_bar_gives_the_same_result(head_kv):
    kv = load_vectors(data_path(*HEAD), format="glove", progress=True)
    np.testing.assert_array_equal(kv.vectors, head_kv.vectors)
    kv = load_vectors(data_path(*SAMPLE), progress=True)
    assert kv.vectors.shape == (100, 100)


@pytest.mark.parametrize("fmt,compress", [("glove", ""), ("word2vec", ".gz"),
                                          ("word2vec-binary", ""), ("word2vec-binary", ".bz2"),
                                          ("native", "")])
def test_limit_reads_the_first_rows(tmp_path, head_kv, fmt, compress):
    p = tmp_path / ("v" + EXT.get(fmt, "") + compress)
    save_vectors(head_kv, p, format=fmt)
    for limit in (0, 1, 10, 2446, 5000):
        kv = load_vectors(p, format=fmt, limit=limit)
        n = min(limit, 2446)
        assert kv.index_to_key == head_kv.index_to_key[:n]
        np.testing.assert_array_equal(kv.vectors, head_kv.vectors[:n])


def test_limit_stops_before_a_damaged_tail(tmp_path, head_kv):
    good = KeyedVectors(head_kv.vectors[:2000], head_kv.index_to_key[:2000])
    p = tmp_path / "v.txt"
    save_vectors(good, p, format="glove")
    with open(p, "ab") as f:
        f.write(b"broken 1 2 3\n" + b"x" * 5_000_000)
    kv = load_vectors(p, format="glove", limit=10)
    assert kv.index_to_key == good.index_to_key[:10]
    with pytest.raises(VectorFormatError, match="line 2001"):
        load_vectors(p, format="glove")


def test_limit_with_blank_lines(tmp_path):
    p = write(tmp_path, "b.txt", b"a 1 2\n\n   \nb 3 4\r\n\nc 5 6")
    assert load_vectors(p, format="glove", limit=2).index_to_key == ["a", "b"]
    kv = load_vectors(p, format="glove")
    assert kv.index_to_key == ["a", "b", "c"] and kv["c"].tolist() == [5.0, 6.0]


def test_tabs_crlf_trailing_spaces_and_word2vec_c_style(tmp_path):
    p = write(tmp_path, "w.txt", b"2 3\r\nx\t1 2\t3 \r\ny 4 5 6 \r\n")
    kv = load_vectors(p)
    assert kv.index_to_key == ["x", "y"] and kv["y"].tolist() == [4.0, 5.0, 6.0]


# ---------------------------------------------------------------------------- detection
def test_detect_format_reasons(tmp_path, head_kv):
    name, reason = detect_format(data_path(*HEAD))
    assert name == "glove" and "no header" in reason
    save_vectors(head_kv, tmp_path / "x.vec", format="fasttext")
    assert detect_format(tmp_path / "x.vec")[0] == "fasttext"
    assert detect_format(tmp_path / "x.vec")[1].startswith("line 1 is a header '2446 50'")
    save_vectors(head_kv, tmp_path / "x.bin", format="word2vec-binary")
    assert detect_format(tmp_path / "x.bin")[0] == "word2vec-binary"
    with pytest.raises(VectorFormatError, match="cannot tell"):
        detect_format(write(tmp_path, "junk.txt", b"hello world\nthis is prose\n"))
    with pytest.raises(SimvecFileNotFoundError):
        detect_format(tmp_path / "missing.txt")


def test_guess_is_logged(caplog):
    with caplog.at_level(logging.INFO, logger="simvec.vectors.formats"):
        load_vectors(data_path(*SAMPLE), limit=3)
    assert "format 'glove' guessed: no header line" in caplog.text


# ---------------------------------------------------------------------------- keys
def test_undecodable_keys_fallback_warns_once(caplog):
    with caplog.at_level(logging.WARNING):
        kv = load_vectors(data_path(*HEAD), format="glove")
    warnings = [r for r in caplog.records if "not valid UTF-8" in r.getMessage()]
    assert len(warnings) == 1
    msg = warnings[0].getMessage()
    assert "5 keys" in msg and "lines 218, 785, 1329, 1409, 1420" in msg
    assert kv.index_to_key[1328] == "—" and len(kv) == 2446


def test_undecodable_keys_strict_names_file_and_line():
    with pytest.raises(VectorFormatError) as exc:
        load_vectors(data_path(*HEAD), format="glove", unicode_errors="strict")
    assert exc.value.line == 218
    assert "glove.6B.50d.head2446.txt, line 218" in str(exc.value)
    assert "0x96" in str(exc.value)
    assert not isinstance(exc.value, UnicodeDecodeError)


def test_undecodable_keys_replace_and_ignore_go_through_duplicate_rule(caplog):
    with caplog.at_level(logging.WARNING):
        kv = load_vectors(data_path(*HEAD), format="glove", unicode_errors="replace")
    assert kv.index_to_key[217] == "\ufffd" and "\ufffds" in kv
    assert len(kv) == 2446 - 3  # four keys became '\ufffd'; the first is kept
    assert "3 duplicate keys" in caplog.text
    kv = load_vectors(data_path(*HEAD), format="glove", unicode_errors="ignore")
    assert all(k.isascii() or "\ufffd" not in k for k in kv.index_to_key) and len(kv) < 2446


DUPS = b"a 1 1\nb 2 2\na 3 3\nc 4 4\na 5 5\n"


def test_duplicate_first_is_default(tmp_path, caplog):
    p = write(tmp_path, "d.txt", DUPS)
    with caplog.at_level(logging.WARNING):
        kv = load_vectors(p, format="glove")
    assert kv.index_to_key == ["a", "b", "c"] and kv["a"].tolist() == [1.0, 1.0]
    assert "2 duplicate keys" in caplog.text and "lines 3, 5" in caplog.text


def test_duplicate_last_and_error(tmp_path):
    p = write(tmp_path, "d.txt", DUPS)
    kv = load_vectors(p, format="glove", on_duplicate="last")
    assert kv.index_to_key == ["b", "c", "a"] and kv["a"].tolist() == [5.0, 5.0]
    with pytest.raises(VectorFormatError, match=r"key 'a' appears twice: line 1 and line 3") as exc:
        load_vectors(p, format="glove", on_duplicate="error")
    assert exc.value.line == 3


def test_keys_a_text_file_cannot_hold_are_refused(tmp_path):
    kv = KeyedVectors(np.ones((2, 2), np.float32), ["new york", "ok"])
    with pytest.raises(SimvecValueError, match="new york"):
        save_vectors(kv, tmp_path / "k.txt", format="glove")
    assert not (tmp_path / "k.txt").exists()
    save_vectors(kv, tmp_path / "k")  # native holds any key
    assert load_vectors(tmp_path / "k").index_to_key == ["new york", "ok"]


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "data,fmt,line,pattern",
    [
        (b"a 1 2\nb 1\n", "glove", 2, r"key 'b' has 1 values, expected 2"),
        (b"a 1 2\nb 1 2 3\n", "glove", 2, r"has 3 values, expected 2 \(does the key contain"),
        (b"a 1 2\n\nb 1 abc\n", "glove", 3, r"value 2 of key 'b' is 'abc', not a number"),
        (b"a 1 2\nb 1.2.3 4\n", "glove", 2, r"'1.2.3', not a number"),
        (b"a 1 2\n 1 2\n", "glove", 2, r"key is empty"),
        (b"a\n", "glove", 1, r"no values"),
        (b"3 2\na 1 2\nb 1 2\n", "word2vec", 3, r"header says 3 vectors but the file holds only 2"),
        (b"1 2\na 1 2\nb 1 2\n", "word2vec", 3, r"header says 1 vectors but there are more rows"),
        (b"x y\na 1 2\n", "word2vec", 1, r"expected a header 'count vector_size'"),
        (b"2 3\na 1 2 3\nb 1 2\n", "word2vec", 3, r"has 2 values, expected 3"),
    ],
)
def test_malformed_text_names_file_and_line(tmp_path, data, fmt, line, pattern):
    p = write(tmp_path, "bad.txt", data)
    with pytest.raises(VectorFormatError, match=pattern) as exc:
        load_vectors(p, format=fmt)
    assert exc.value.line == line and exc.value.path == str(p)
    assert f"bad.txt, line {line}:" in str(exc.value)


def test_more_rows_than_header_is_honoured_with_limit(tmp_path):
    p = write(tmp_path, "h.txt", b"1 2\na 1 2\nb 1 2\n")
    assert load_vectors(p, format="word2vec", limit=1).index_to_key == ["a"]


def binary_file(rows, d, header_count=None, newline=True) -> bytes:
    out = [f"{header_count if header_count is not None else len(rows)} {d}\n".encode()]
    for key, vec in rows:
        out.append(key + b" " + np.asarray(vec, "<f4").tobytes() + (b"\n" if newline else b""))
    return b"".join(out)


def test_binary_without_newlines_gensim_style(tmp_path):
    p = write(tmp_path, "g.bin", binary_file([(b"a", [1, 2]), (b"b", [10, 2.5])], 2, newline=False))
    kv = load_vectors(p)
    assert kv.index_to_key == ["a", "b"] and kv["b"].tolist() == [10.0, 2.5]


def test_binary_key_policies(tmp_path, caplog):
    rows = [(b"a", [1, 2]), (b"\x96", [3, 4]), (b"a", [5, 6])]
    p = write(tmp_path, "k.bin", binary_file(rows, 2))
    with caplog.at_level(logging.WARNING):
        kv = load_vectors(p)
    assert kv.index_to_key == ["a", "–"] and kv["a"].tolist() == [1.0, 2.0]
    assert "records 2" in caplog.text and "dropped records 3" in caplog.text
    with pytest.raises(VectorFormatError, match=re.escape(r"record 2: key b'\x96' is not valid")):
        load_vectors(p, unicode_errors="strict")
    with pytest.raises(VectorFormatError, match="record 1 and record 3"):
        load_vectors(p, on_duplicate="error")


@pytest.mark.parametrize(
    "data,pattern",
    [
        (binary_file([(b"a", [1, 2]), (b"b", [3, 4])], 2)[:-6], r"record 2 is incomplete"),
        (binary_file([(b"a", [1, 2])], 2, header_count=2), r"says 2 vectors .* record 2 is incomplete"),
        (binary_file([(b"a", [1, 2]), (b"b", [3, 4])], 2, header_count=1), r"data follows record 1"),
    ],
)
def test_malformed_binary(tmp_path, data, pattern):
    p = write(tmp_path, "bad.bin", data)
    with pytest.raises(VectorFormatError, match=pattern) as exc:
        load_vectors(p, format="word2vec-binary")
    assert str(p) in str(exc.value)


@pytest.mark.parametrize("fmt", ["glove", "word2vec", "word2vec-binary", None])
def test_empty_file(tmp_path, fmt):
    p = write(tmp_path, "empty.txt", b"")
    with pytest.raises(VectorFormatError, match="empty") as exc:
        load_vectors(p, format=fmt)
    assert str(p) in str(exc.value)
    with pytest.raises(VectorFormatError, match="empty"):
        load_vectors(write(tmp_path, "blank.txt", b"\n \n"), format="glove")


def test_damaged_compressed_file(tmp_path, head_kv):
    p = tmp_path / "v.txt.gz"
    save_vectors(head_kv, p, format="glove")
    cut = write(tmp_path, "cut.txt.gz", p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(VectorFormatError, match=r"cut.txt.gz: cannot decompress \(gz\)"):
        load_vectors(cut, format="glove")
    junk = write(tmp_path, "junk.bz2", b"BZh9" + b"\x00" * 100)
    with pytest.raises(VectorFormatError, match="cannot decompress"):
        load_vectors(junk)


def test_header_edge_cases(tmp_path):
    assert len(load_vectors(write(tmp_path, "z.txt", b"0 3\n"), format="word2vec")) == 0
    with pytest.raises(VectorFormatError, match="vector_size 0"):
        load_vectors(write(tmp_path, "d0.txt", b"2 0\na\nb\n"), format="word2vec")
    huge = write(tmp_path, "huge.bin", b"999999999999 2\na " + np.ones(2, "<f4").tobytes())
    with pytest.raises(VectorFormatError, match="record 2 is incomplete"):
        load_vectors(huge, format="word2vec-binary")
    with pytest.raises(VectorFormatError, match="holds no keys"):
        np.save(tmp_path / "bare.npy", np.ones((2, 2), np.float32))
        load_vectors(tmp_path / "bare.npy")
    with pytest.raises(SimvecFileNotFoundError, match="does not exist"):
        save_vectors(KeyedVectors(np.ones((1, 1)), ["a"]), tmp_path / "no" / "dir.txt", "glove")


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(SimvecFileNotFoundError, match="missing.txt") as exc:
        load_vectors(tmp_path / "missing.txt", format="glove")
    assert isinstance(exc.value, FileNotFoundError) and isinstance(exc.value, SimvecError)
    with pytest.raises(SimvecFileNotFoundError):
        load_vectors(tmp_path / "missing", format="native")
    p = data_path(*SAMPLE)
    with pytest.raises(SimvecValueError, match="format must be one of"):
        load_vectors(p, format="hdf5")
    with pytest.raises(SimvecValueError, match="mmap=True needs the native format"):
        load_vectors(p, format="glove", mmap=True)
    with pytest.raises(SimvecValueError, match="unicode_errors"):
        load_vectors(p, unicode_errors="bogus")
    with pytest.raises(SimvecValueError, match="on_duplicate"):
        load_vectors(p, on_duplicate="bogus")
    with pytest.raises(SimvecValueError, match="limit"):
        load_vectors(p, limit=-1)
    assert set(FORMATS) == {"word2vec", "word2vec-binary", "glove", "fasttext", "native"}


def test_failed_load_leaves_nothing_behind(tmp_path):
    bad = write(tmp_path, "bad.txt", b"a 1 2\nb 1 x\n")
    good = write(tmp_path, "good.txt", b"a 1 2\nc 3 4\n")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(VectorFormatError):
        load_vectors(bad, format="glove")
    kv = load_vectors(good, format="glove")
    assert kv.index_to_key == ["a", "c"] and kv["c"].tolist() == [3.0, 4.0]
    assert sorted(os.listdir(tmp_path)) == before


# ---------------------------------------------------------------------------- atomic saves
def test_failed_text_save_keeps_the_old_file(tmp_path, head_kv, monkeypatch):
    from simvec.vectors._io import write_rows as real_write

    p = tmp_path / "v.txt"
    save_vectors(head_kv, p, format="word2vec")
    old = p.read_bytes()
    real = _parse.format_text_rows

    def failing(vectors, keys, offsets):  # the header and one block are written, then it fails
        if offsets[0] > 0:
            raise RuntimeError("disk full (simulated)")
        return real(vectors, keys, offsets)

    monkeypatch.setattr(_parse, "format_text_rows", failing)
    from simvec.vectors import _io

    monkeypatch.setattr(_io, "write_rows", lambda *a, **k: real_write(*a, **k, block=1000))
    with pytest.raises(RuntimeError, match="simulated"):
        save_vectors(head_kv, p, format="word2vec")
    with pytest.raises(RuntimeError, match="simulated"):
        save_vectors(head_kv, tmp_path / "new.txt", format="glove")
    assert p.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]


def test_failed_native_save_touches_neither_file(tmp_path, head_kv, monkeypatch):
    save_vectors(head_kv, tmp_path / "n")
    old = {f: (tmp_path / f).read_bytes() for f in ("n.npy", "n.json")}
    small = KeyedVectors(np.zeros((2, 3), np.float32), ["x", "y"])
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the .npy is written, the sidecar fails
            raise OSError("disk full (simulated)")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError, match="simulated"):
        save_vectors(small, tmp_path / "n")
    assert {f: (tmp_path / f).read_bytes() for f in old} == old
    assert sorted(os.listdir(tmp_path)) == ["n.json", "n.npy"]
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert load_vectors(tmp_path / "n").index_to_key == head_kv.index_to_key


# ---------------------------------------------------------------------------- interop
def test_gensim_reads_ours_and_we_read_gensims(tmp_path, head_kv):
    gensim_kv = importorskip("gensim.models.keyedvectors").KeyedVectors
    ascii_kv = KeyedVectors(head_kv.vectors[:300], head_kv.index_to_key[:300])
    for fmt, binary in (("word2vec", False), ("word2vec-binary", True)):
        p = tmp_path / f"ours-{fmt}"
        save_vectors(ascii_kv, p, format=fmt)
        g = gensim_kv.load_word2vec_format(str(p), binary=binary)
        assert g.index_to_key == ascii_kv.index_to_key
        np.testing.assert_array_equal(g.vectors, ascii_kv.vectors)
        q = tmp_path / f"gensim-{fmt}"
        g.save_word2vec_format(str(q), binary=binary)
        back = load_vectors(q)
        assert back.index_to_key == ascii_kv.index_to_key
        np.testing.assert_array_equal(back.vectors, ascii_kv.vectors)
