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
def test_lying_text_header_allocates_nothing_big(tmp_path):
    """``3 4000000000`` used to allocate 3 x 4e9 float32 (44.7 GiB) before noticing."""
    p = write(tmp_path, "lie.txt", b"3 4000000000\na 1 2 3\nb 4 5 6\nc 7 8 9\n")
    out, peak = peak_bytes(lambda: load_vectors(p, format="word2vec"))
    assert isinstance(out, VectorFormatError)
    assert "lie.txt, line 2" in str(out) and "3 values, expected 4000000000" in str(out)
    assert peak < 1 << 20


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
    (["a", "a", "c"], "appears twice"),
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


def test_convert_of_duplicated_native_keys_is_refused(native, tmp_path):
    side = native.with_name("nat.json")
    meta = json.loads(side.read_text())
    meta["index_to_key"] = ["a", "a", "c"]
    side.write_text(json.dumps(meta))
    code, out = cli("convert", native.with_name("nat.npy"), tmp_path / "dup.bin",
                    "--to", "word2vec-binary", "-q")
    assert code == 2 and "appears twice" in out
    assert not (tmp_path / "dup.bin").exists()


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
    for name in ("lie.txt", "lie2.txt", "lie.bin", "natlie.npy"):
        assert out[name].startswith("error: ") and name in out[name], (name, out[name])
