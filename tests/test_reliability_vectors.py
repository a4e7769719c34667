"""Regression tests for the vector-file defects of the reliability issue (16, defects 1-7).

Each test failed on the code before the fix: a crash that was not a SimvecError, an error
that named no file, an allocation sized by a lying header, a per-blank-line kernel launch, a
BOM glued to a key, a format guessed wrong, or a written file that could not be read back.
"""

from __future__ import annotations

import json
import logging
import struct
import tracemalloc

import numpy as np
import pytest
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import SimvecError, SimvecValueError, VectorFormatError
from simvec.vectors import _parse
from simvec.vectors.formats import detect_format, load_vectors, save_vectors
from simvec.vectors.keyed import KeyedVectors

runner = CliRunner()


def write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def peak_bytes(fn):
    """``(result or exception, peak traced bytes)`` of ``fn()``; numpy arrays are traced."""
    tracemalloc.start()
    try:
        try:
            out = fn()
        except SimvecError as exc:
            out = exc
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def cli(*args):
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res.output


# ---------------------------------------------------------------------------- 1: CRLF binary
@pytest.mark.parametrize("second", [b"a", b"b"])
def test_crlf_converted_binary_is_refused_naming_the_record(tmp_path, second):
    """The CRLF-converted key ``\\r\\na`` used to crash with IndexError (repeated key) or fail
    without naming the file (distinct keys)."""
    p = write(tmp_path, "crlf.bin",
              b"2 1\na " + struct.pack("<f", 1.0) + b"\r\n" + second + b" "
              + struct.pack("<f", 2.0) + b"\r\n")
    with pytest.raises(VectorFormatError) as err:
        load_vectors(p)
    msg = str(err.value)
    assert "crlf.bin" in msg and "record 2" in msg and "CRLF" in msg
    assert err.value.path == str(p)


def test_crlf_binary_through_the_cli_is_one_line(tmp_path):
    p = write(tmp_path, "crlf.bin",
              b"2 1\na " + struct.pack("<f", 1.0) + b"\r\na " + struct.pack("<f", 2.0) + b"\r\n")
    code, out = cli("info", p, "-q")
    assert code == 2 and out.startswith("simvec: error:") and "record 2" in out
    assert "Traceback" not in out


def test_binary_still_reads_keys_after_plain_newlines(tmp_path):
    p = write(tmp_path, "ok.bin", b"2 1\na " + struct.pack("<f", 1.0) + b"\n\nb "
              + struct.pack("<f", 2.0))
    kv = load_vectors(p, format="word2vec-binary")
    assert kv.index_to_key == ["a", "b"] and kv.vectors[:, 0].tolist() == [1.0, 2.0]


# ---------------------------------------------------------------------------- 2: lying sizes
def test_lying_text_header_allocates_nothing_big(tmp_path, caplog):
    """``3 4000000000`` used to allocate 3 x 4e9 float32 (44.7 GiB) before noticing; now the
    rows, which agree among themselves, are read at their own width (with a warning)."""
    p = write(tmp_path, "lie.txt", b"3 4000000000\na 1 2 3\nb 4 5 6\nc 7 8 9\n")
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        kv, peak = peak_bytes(lambda: load_vectors(p, format="word2vec"))
    assert isinstance(kv, KeyedVectors), kv
    assert kv.vectors.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert "lie.txt: the header (line 1) gives vector_size 4000000000" in caplog.text
    assert peak < 1 << 20
    # rows that disagree among themselves are still an error naming the line, as cheaply
    q = write(tmp_path, "lie2.txt", b"3 4000000000\na 1 2 3\nb 4 5\nc 7 8 9\n")
    out, peak = peak_bytes(lambda: load_vectors(q, format="word2vec"))
    assert isinstance(out, VectorFormatError)
    assert str(out).startswith("%s, line 3: key 'b' has 2 values, expected 3" % q)
    assert "the header says vector_size 4000000000 and the first row (line 2) has 3" in str(out)
    assert peak < 1 << 20


# R2 of ../shared/reliability/repro.sh: `2 999999999` over rows of 3 values, format named
def test_header_vector_size_that_no_row_has_reads_the_rows(tmp_path, caplog):
    p = write(tmp_path, "lie.txt", b"2 999999999\na 1 2 3\n\nb 4 5 6\n")
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        kv = load_vectors(p, format="word2vec")
    assert kv.index_to_key == ["a", "b"] and kv.vectors.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert caplog.records[-1].getMessage() == (
        f"{p}: the header (line 1) gives vector_size 999999999 but every row holds 3 values "
        "(the first at line 2); read the rows as vector_size 3")
    # detection agrees (it guessed word2vec binary, which then failed on record 1)
    fmt, why = detect_format(p)
    assert fmt == "word2vec" and "not 999999999: the header's vector_size is wrong" in why
    assert load_vectors(p).vectors.shape == (2, 3)
    assert detect_format(write(tmp_path, "lie.vec", p.read_bytes()))[0] == "fasttext"
    # limit reads a prefix at the rows' width too; limit=0 keeps that width
    assert load_vectors(p, format="word2vec", limit=1).vectors.tolist() == [[1, 2, 3]]
    assert load_vectors(p, format="word2vec", limit=0).vectors.shape == (0, 3)
    # a header smaller than the rows lies as well
    q = write(tmp_path, "small.txt", b"2 2\na 1 2 3\nb 4 5 6\n")
    assert load_vectors(q, format="word2vec").vectors.shape == (2, 3)
    # a header count that lies is still refused: fewer rows is how a truncated file looks
    with pytest.raises(VectorFormatError, match=r"short.txt, line 3: the header says 3 vectors "
                                                r"but the file holds only 2 rows \(truncated\?\)"):
        load_vectors(write(tmp_path, "short.txt", b"3 999999999\na 1 2 3\nb 4 5 6\n"),
                     format="word2vec")


@pytest.mark.parametrize("body, line, message", [
    # the header is right and the first row is odd: reported as before, at the first row
    (b"3 3\na 1 2\nb 4 5 6\nc 7 8 9\n", 2, "key 'a' has 2 values, expected 3"),
    (b"2 3\n\n\na 1 2 3 4\nb 4 5 6\n", 4, "key 'a' has 4 values, expected 3"),
    # a key with a space in the first row is not taken for a wider row
    (b"2 2\nnew york 1 2\nb 4 5\n", 2, "key 'new' has 3 values, expected 2 (does the key"),
    # no row has the header's size and the rows disagree: the first that differs from row 1
    (b"3 7\na 1 2\nb 4 5\nc 7 8 9\n", 4, "key 'c' has 3 values, expected 2"),
    (b"2 7\na 1 2 3\nnew york 4 5 6\n", 3, "key 'new' has 4 values, expected 3"),
    (b"1 5\na\n", 2, "key 'a' has 0 values, expected 5"),
])
def test_rows_that_disagree_are_still_refused_naming_the_line(tmp_path, body, line, message):
    p = write(tmp_path, "v.txt", body)
    with pytest.raises(VectorFormatError) as err:
        load_vectors(p, format="word2vec")
    assert err.value.line == line and str(err.value).startswith(f"{p}, line {line}: {message}")


def test_lying_vector_size_under_the_cli_is_read_with_a_warning(tmp_path, caplog):
    p = write(tmp_path, "lie.txt", b"2 999999999\na 1 2 3\nb 4 5 6\n")
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        code, out = cli("info", p, "-q", "-f", "json")
    assert code == 0, out
    assert json.loads(out[out.index("{"):])["vector_size"] == 3
    assert "gives vector_size 999999999 but every row holds 3 values" in caplog.text


def test_header_with_absurd_numbers_is_refused(tmp_path):
    p = write(tmp_path, "huge.txt", b"1 " + b"9" * 5000 + b"\na 1\n")
    with pytest.raises(VectorFormatError, match="huge.txt, line 1: the header claims"):
        load_vectors(p, format="word2vec")
    q = write(tmp_path, "huge.bin", b"99999999999999999999 1\na \x00\x00\x80\x3f\n")
    with pytest.raises(VectorFormatError, match="more than any file holds"):
        load_vectors(q, format="word2vec-binary")


def test_lying_binary_header_allocates_nothing_big(tmp_path):
    p = write(tmp_path, "lie.bin", b"1000000000 1000000000\na " + struct.pack("<f", 1.0))
    out, peak = peak_bytes(lambda: load_vectors(p, format="word2vec-binary"))
    assert isinstance(out, VectorFormatError) and "lie.bin" in str(out)
    assert peak < 1 << 20


def test_blank_lines_are_dropped_before_rows_are_allocated(tmp_path):
    """One 10,000-value row and 100,000 blank lines (1 MB in the issue) asked for rows x width
    (here 4 GB) before the blank rows were dropped."""
    row = b"a " + b" ".join([b"0.5"] * 10_000) + b"\n"
    p = write(tmp_path, "blank.txt", row + b"\n" * 100_000 + b"  \t\r\n" * 1000)
    kv, peak = peak_bytes(lambda: load_vectors(p))
    assert isinstance(kv, KeyedVectors), kv
    assert kv.vectors.shape == (1, 10_000) and float(kv.vectors.sum()) == 5000.0
    assert peak < 16 * p.stat().st_size + (4 << 20)


def test_lying_npy_shape_is_refused_before_numpy_allocates(tmp_path):
    """A .npy header claiming (999999999999, 3) made np.load ask for 10.9 TiB."""
    save_vectors(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]), tmp_path / "v")
    raw = (tmp_path / "v.npy").read_bytes()
    hlen = struct.unpack("<H", raw[8:10])[0]
    head = raw[10:10 + hlen].decode("latin1").replace("(3, 3)", "(999999999999, 3)")
    (tmp_path / "v.npy").write_bytes(raw[:8] + struct.pack("<H", len(head))
                                     + head.encode("latin1") + raw[10 + hlen:])
    meta = json.loads((tmp_path / "v.json").read_text())
    meta["count"] = 999999999999  # the sidecar tells the same lie
    (tmp_path / "v.json").write_text(json.dumps(meta))
    out, peak = peak_bytes(lambda: load_vectors(tmp_path / "v"))
    assert isinstance(out, VectorFormatError) and "v.npy" in str(out)
    assert "truncated" in str(out) and peak < 1 << 20


# ---------------------------------------------------------------------------- 3: linear blanks
def test_blank_lines_between_rows_cost_one_kernel_launch(tmp_path, monkeypatch):
    """100,000 blank lines between two counted rows cost one parallel launch each (13.6 s)."""
    calls = {"parse": 0, "newlines": 0}
    parse, newlines = _parse.parse_text_rows, _parse.find_newlines

    def counting_parse(*a):
        calls["parse"] += 1
        return parse(*a)

    def counting_newlines(*a):
        calls["newlines"] += 1
        return newlines(*a)

    monkeypatch.setattr(_parse, "parse_text_rows", counting_parse)
    monkeypatch.setattr(_parse, "find_newlines", counting_newlines)
    p = write(tmp_path, "slow.txt", b"2 5\na 1 2 3 4 5\n" + b"\n" * 100_000 + b"b 1 2 3 4 5\n")
    kv = load_vectors(p)
    assert kv.index_to_key == ["a", "b"] and kv.vectors[1].tolist() == [1, 2, 3, 4, 5]
    assert calls["parse"] <= 2
    assert calls["newlines"] <= 25  # doubling look-ahead: O(log blank lines), not one per line


def test_limit_still_counts_rows_not_lines(tmp_path):
    p = write(tmp_path, "v.txt", b"3 1\n\na 1\n\n\nb 2\n\nc 3\n")
    kv = load_vectors(p, format="word2vec", limit=2)
    assert kv.index_to_key == ["a", "b"]
    with pytest.raises(VectorFormatError, match=r"v.txt, line 8: .*more rows"):
        load_vectors(write(tmp_path, "v.txt", b"2 1\n\na 1\n\n\nb 2\n\nc 3\n"),
                     format="word2vec")


# ---------------------------------------------------------------------------- 4: damaged native
@pytest.fixture
def native(tmp_path):
    save_vectors(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]), tmp_path / "nat")
    return tmp_path / "nat"


def test_empty_npy_is_a_format_error(native):
    """An empty .npy exited 'Aborted.' with status 1 (EOFError)."""
    native.with_name("nat.npy").write_bytes(b"")
    with pytest.raises(VectorFormatError, match=r"nat.npy: not a valid .npy file"):
        load_vectors(native)
    code, out = cli("info", native.with_name("nat.npy"), "-q")
    assert code == 2 and "nat.npy: not a valid .npy file" in out and "Aborted" not in out


def test_damaged_npy_header_length_is_a_format_error(native):
    """A damaged header-length field raised tokenize.TokenError."""
    npy = native.with_name("nat.npy")
    raw = npy.read_bytes()
    npy.write_bytes(raw[:8] + b"\x10\x00" + raw[10:])
    with pytest.raises(VectorFormatError, match=r"nat.npy: not a valid .npy file"):
        load_vectors(native)
    npy.write_bytes(raw[:6] + b"\x02\x00" + b"\xff\xff\xff\x7f" + raw[12:])  # 2 GiB header
    out, peak = peak_bytes(lambda: load_vectors(native))
    assert isinstance(out, VectorFormatError) and peak < 1 << 20


@pytest.mark.parametrize("keys, why", [
    (["a", 7, "c"], r"index_to_key\[1\] is 7"),
    (["a", None, "c"], r"index_to_key\[1\] is None"),
    (["a", ["b"], "c"], r"index_to_key\[1\]"),
    (["a", "", "c"], "non-empty"),
    (["a", "\ud800", "c"], "lone surrogate"),
    ({"a": 1}, "must be a list"),
])
def test_sidecar_keys_are_validated(native, keys, why):
    """Duplicates, non-strings and lone surrogates loaded and failed later (or were dropped
    silently by convert)."""
    side = native.with_name("nat.json")
    meta = json.loads(side.read_text())
    meta["index_to_key"] = keys
    side.write_text(json.dumps(meta))
    with pytest.raises(VectorFormatError, match=why) as err:
        load_vectors(native)
    assert "nat.json" in str(err.value)


def _duplicate_keys(native, keys=("a", "a", "c")):
    side = native.with_name("nat.json")
    meta = json.loads(side.read_text())
    meta["index_to_key"] = list(keys)
    side.write_text(json.dumps(meta))
    return side


# R7b of ../shared/reliability/repro.sh: a sidecar repeating a key loaded, then failed later
# (and before that fix, was refused outright while the text formats kept the first occurrence)
def test_duplicated_sidecar_keys_keep_the_first_occurrence(native, caplog):
    side = _duplicate_keys(native)
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        kv = load_vectors(native)
    assert kv.index_to_key == ["a", "c"] and kv["c"].tolist() == [0, 0, 1]
    assert kv["a"].tolist() == [1, 0, 0] and kv.vectors.shape == (2, 3)
    assert caplog.records[-1].getMessage() == (
        f"{side}: 1 duplicate keys ('a'); kept the first occurrence, dropped rows 1")
    # the other duplicate rules apply as for text files, naming the sidecar
    assert load_vectors(native, on_duplicate="last").vectors.tolist() == [[0, 1, 0], [0, 0, 1]]
    with pytest.raises(VectorFormatError, match=r"nat.json: key 'a' appears twice: row 0 and "
                                                r"row 1; pass on_duplicate"):
        load_vectors(native, on_duplicate="error")
    # memory-mapped: the kept rows are a copy (said so); limit looks only at what it keeps
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        mm = load_vectors(native, mmap=True)
    assert mm.index_to_key == ["a", "c"] and not isinstance(mm.vectors, np.memmap)
    assert "copied into memory" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        assert load_vectors(native, limit=1).index_to_key == ["a"]
    assert "duplicate" not in caplog.text
    _duplicate_keys(native, ["b", "a", "b"])  # not adjacent; kept rows stay in file order
    assert load_vectors(native).vectors.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_convert_of_duplicated_native_keys_reports_what_it_drops(native, tmp_path, caplog):
    """convert of duplicated keys used to drop one silently."""
    _duplicate_keys(native)
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        code, out = cli("convert", native.with_name("nat.npy"), tmp_path / "dup.bin",
                        "--to", "word2vec-binary", "-q")
    assert code == 0, out
    assert "nat.json: 1 duplicate keys ('a'); kept the first occurrence, dropped rows 1" \
        in caplog.text
    assert "wrote 2 vectors" in out
    back = load_vectors(tmp_path / "dup.bin")
    assert back.index_to_key == ["a", "c"] and back.vectors.tolist() == [[1, 0, 0], [0, 0, 1]]


def test_sidecar_without_marker_is_named(native):
    side = native.with_name("nat.json")
    side.write_text(side.read_text().replace("simvec.KeyedVectors", "xx"))
    with pytest.raises(VectorFormatError, match=r"nat.json: .*does not bear simvec's marker"):
        load_vectors(native)


# ---------------------------------------------------------------------------- 5: detection
def test_blank_line_after_header_is_still_text(tmp_path):
    """Was guessed as word2vec-binary, then refused."""
    p = write(tmp_path, "v.txt", b"2 3\n\na 1 2 3\nb 4 5 6\n")
    assert detect_format(p)[0] == "word2vec"
    kv = load_vectors(p)
    assert kv.index_to_key == ["a", "b"] and kv.vectors[1].tolist() == [4, 5, 6]


def test_second_line_over_one_mib_is_still_text(tmp_path):
    d = 300_000
    row = b"a " + b" ".join([b"0.25"] * d) + b"\n"
    assert len(row) > 1 << 20
    p = write(tmp_path, "wide.vec", f"1 {d}\n".encode() + row)
    assert detect_format(p)[0] == "fasttext"
    kv = load_vectors(p)
    assert kv.vectors.shape == (1, d) and float(kv.vectors[0, -1]) == 0.25


def test_binary_is_still_detected(tmp_path):
    p = write(tmp_path, "v.bin", b"1 2\na " + struct.pack("<2f", 1.5, 2.5) + b"\n")
    assert detect_format(p)[0] == "word2vec-binary"
    assert load_vectors(p).vectors.tolist() == [[1.5, 2.5]]


# ---------------------------------------------------------------------------- 6: BOM
@pytest.mark.parametrize("name, data, fmt", [
    ("bom.txt", b"the 0.1 0.2\nof 0.3 0.4\n", "glove"),
    ("bom.w2v.txt", b"2 2\nthe 0.1 0.2\nof 0.3 0.4\n", "word2vec"),
    ("bom.bin", b"1 2\nthe " + struct.pack("<2f", 0.5, 1.5) + b"\n", "word2vec-binary"),
])
def test_bom_is_skipped_and_reported(tmp_path, caplog, name, data, fmt):
    """A UTF-8 BOM was glued to the first key ('\\ufeffthe'), silently."""
    p = write(tmp_path, name, b"\xef\xbb\xbf" + data)
    assert detect_format(p)[0] == fmt
    with caplog.at_level(logging.WARNING, logger="simvec.vectors.formats"):
        kv = load_vectors(p)
    assert kv.index_to_key[0] == "the" and "the" in kv
    assert "byte-order mark" in caplog.text and name in caplog.text


# ---------------------------------------------------------------------------- 7: 0 vectors
def test_zero_vectors_are_not_written_as_glove(tmp_path):
    """convert of a 0-vector file to GloVe wrote an empty file that info then refused."""
    kv = load_vectors(write(tmp_path, "zero.txt", b"0 5\n"))
    assert kv.vectors.shape == (0, 5)
    with pytest.raises(SimvecValueError, match="cannot write 0 vectors as GloVe"):
        save_vectors(kv, tmp_path / "z.txt", format="glove")
    assert not (tmp_path / "z.txt").exists()
    save_vectors(kv, tmp_path / "z.w2v.txt", format="word2vec")  # a header keeps the size
    assert load_vectors(tmp_path / "z.w2v.txt").vectors.shape == (0, 5)
    code, out = cli("convert", tmp_path / "zero.txt", tmp_path / "z2.txt", "--to", "glove", "-q")
    assert code == 2 and "cannot write 0 vectors as GloVe" in out


# ---------------------------------------------------------------------------- address space
_AS_SCRIPT = r"""
import json, resource, struct, sys
from simvec.errors import SimvecError
from simvec.vectors.formats import load_vectors

d = sys.argv[1]
load_vectors(d + "/warm.txt")  # numba kernels loaded, threads started
vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), vm + (1 << 30)))  # 1 GiB more
out = {}
for name in sys.argv[2:]:
    try:
        kv = load_vectors(d + "/" + name)
        out[name] = "value %d x %d" % kv.vectors.shape
    except SimvecError as exc:
        out[name] = "error: " + str(exc)
    except MemoryError:
        out[name] = "MemoryError"
print(json.dumps(out))
"""


def test_adversarial_files_load_under_one_gib_of_address_space(tmp_path):
    """Lying headers and blank-line floods, read in a process allowed 1 GiB more address space
    than it holds after warming up: each gives a value or a named error, never MemoryError (the
    issue measured 44.7 GiB, 37 GiB and 10.9 TiB requests). Covers allocations inside numba
    kernels, which tracemalloc does not see."""
    import os
    import subprocess
    import sys

    write(tmp_path, "warm.txt", b"2 2\na 1 2\nb 3 4\n")
    write(tmp_path, "lie.txt", b"3 4000000000\na 1 2 3\nb 4 5 6\nc 7 8 9\n")
    write(tmp_path, "lie2.txt", b"2 999999999\na 1 2 3\nb 4 5 6\n")
    write(tmp_path, "lie.bin", b"4000000000 4000000000\na " + struct.pack("<f", 1.0))
    write(tmp_path, "blank.txt", b"a " + b" ".join([b"0.5"] * 10_000) + b"\n" + b"\n" * 300_000)
    write(tmp_path, "spaces.txt", b"2 5000\na " + b" ".join([b"1"] * 5000) + b"\n"
          + b" \n" * 300_000 + b"b " + b" ".join([b"2"] * 5000) + b"\n")
    save_vectors(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]), tmp_path / "nat")
    raw = (tmp_path / "nat.npy").read_bytes()
    hlen = struct.unpack("<H", raw[8:10])[0]
    head = raw[10:10 + hlen].decode("latin1").replace("(3, 3)", "(999999999999, 3)")
    write(tmp_path, "natlie.npy", raw[:8] + struct.pack("<H", len(head)) + head.encode("latin1")
          + raw[10 + hlen:])
    meta = json.loads((tmp_path / "nat.json").read_text())
    meta["count"] = 999999999999
    (tmp_path / "natlie.json").write_text(json.dumps(meta))
    names = ["lie.txt", "lie2.txt", "lie.bin", "blank.txt", "spaces.txt", "natlie.npy"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), NUMBA_NUM_THREADS="2")
    res = subprocess.run([sys.executable, "-c", _AS_SCRIPT, str(tmp_path), *names],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["blank.txt"] == "value 1 x 10000" and out["spaces.txt"] == "value 2 x 5000"
    # a vector_size no row has: the rows are read at their width (R2 of repro.sh)
    assert out["lie.txt"] == "value 3 x 3" and out["lie2.txt"] == "value 2 x 3"
    for name in ("lie.bin", "natlie.npy"):
        assert out[name].startswith("error: ") and name in out[name], (name, out[name])
