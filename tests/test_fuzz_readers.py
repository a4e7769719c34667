"""Property-based fuzzing of every file reader in simvec.vectors, simvec.eval and collections.

For any bytes, each reader returns a value or raises a :class:`~simvec.errors.SimvecError` whose
message names the file, and its peak traced allocation (numpy arrays included) stays within a
budget tied to the file's size. Evaluation results never carry a NaN correlation without saying
why (``note``).

Inputs are structured files (headers, rows, records built from the formats' grammar with
adversarial tokens: huge counts, ``nan``, ``1e400``, BOMs, CR / CRLF endings, blank runs, long
fields, huge JSON integers) passed through random byte mutations, plus raw random bytes.

Profiles: the default run is quick (``QUICK_EXAMPLES`` examples per reader, derandomised so CI
is stable); ``SIMVEC_FUZZ=long`` (``make fuzz``) runs ``SIMVEC_FUZZ_EXAMPLES`` (default
10,000) random examples per reader and appends one line per reader to the file named by
``SIMVEC_FUZZ_REPORT`` (if set) with the examples run and the outcomes counted.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simvec.errors import SimvecError

LONG = os.environ.get("SIMVEC_FUZZ") == "long"
QUICK_EXAMPLES = 30
EXAMPLES = int(os.environ.get("SIMVEC_FUZZ_EXAMPLES", "10000")) if LONG else QUICK_EXAMPLES
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: Peak traced allocation allowed for one read: a fixed allowance plus 64 bytes per file byte.
BUDGET_FIXED = 48 << 20
BUDGET_PER_BYTE = 64

_TMP = Path(tempfile.mkdtemp(prefix="simvec-fuzz-"))
_OUTCOMES: dict[str, Counter] = {}


@pytest.fixture(scope="module", autouse=True)
def _quiet_and_warm():
    """Silence simvec's warnings (fuzzed files trigger many) and compile the numba kernels
    once, so compilation does not count against the first example's memory budget."""
    from simvec.vectors.formats import load_vectors

    old = logging.root.manager.disable
    logging.disable(logging.WARNING)
    warm = _TMP / "warm"
    warm.mkdir(exist_ok=True)
    (warm / "w.txt").write_bytes(b"2 2\na 1 2\nb 3 4\n")
    (warm / "w.bin").write_bytes(b"1 1\na " + struct.pack("<f", 1.0) + b"\n")
    load_vectors(warm / "w.txt", format="word2vec")
    load_vectors(warm / "w.txt", format="word2vec", limit=1)
    load_vectors(warm / "w.bin", format="word2vec-binary")
    ft = load_vectors(Path(__file__).resolve().parent / "data" / "fasttext" / "lee_zh_sg.bin")
    ft.subword_vector("warm")
    yield
    logging.disable(old)
    _write_report()


def _write_report():
    out = os.environ.get("SIMVEC_FUZZ_REPORT")
    if not out or not _OUTCOMES:
        return
    with open(out, "a", encoding="utf-8") as f:
        f.writelines(f"{name}: {sum(c.values())} examples; "
                     + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + "\n"
                     for name, c in sorted(_OUTCOMES.items()))


def _check(name: str, fn, path: Path, size: int, *names: str):
    """Run ``fn()``: a value or a SimvecError naming the file, within the memory budget."""
    counts = _OUTCOMES.setdefault(name, Counter())
    tracemalloc.start()
    try:
        try:
            out = fn()
            counts["value"] += 1
        except SimvecError as exc:
            msg = str(exc)
            assert any(n in msg for n in (names or (path.name,))), \
                f"{type(exc).__name__} does not name the file: {msg}"
            counts["SimvecError"] += 1
            out = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    budget = BUDGET_FIXED + BUDGET_PER_BYTE * size
    assert peak <= budget, f"peak allocation {peak} bytes for a {size}-byte file (budget {budget})"
    return out


# ---------------------------------------------------------------------------- strategies
_NUM = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(lambda x: repr(float(x))),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["nan", "-inf", "1e400", "1e-400", "0x1p3", "1_0", "+.5", "5.", ".", "-",
                     "1e", "12345678901234567890123", "0.000000000000000000000001", "", "x"]),
)
_KEY = st.one_of(
    st.sampled_from(["the", "of", "a", "cat", "dog", "car", "bus", "tea", "cup", "\ufeffthe",
                     "caf\xe9", "-", "1", "x" * 300]),
    st.text(min_size=0, max_size=8),
)
_SEPS = st.sampled_from([" ", " ", " ", "\t", "  ", " \t"])
_ENDS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "", " \n"])
_BIG = st.one_of(st.integers(0, 6), st.integers(0, 10**12), st.sampled_from([2**31, 2**63, 10**40]))


@st.composite
def mutated(draw, base):
    """``base`` bytes with up to 3 random edits (flip, delete, insert, duplicate, truncate)."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "dup", "truncate", "blank"]))
        n = len(data)
        i = draw(st.integers(0, n))
        if op == "flip" and n:
            data[min(i, n - 1)] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 8))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "dup":
            data[i:i] = data[i:i + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[i:]
        elif op == "blank":
            data[i:i] = draw(st.sampled_from([b"\n", b"\n\n\n", b"\r\n", b" \n", b"\n" * 200]))
    return bytes(data)


def _anything(structured):
    return st.one_of(mutated(structured), st.binary(max_size=200))


@st.composite
def text_vectors(draw, header: bool):
    """word2vec / fastText text (``header``) or GloVe rows, often well formed."""
    n = draw(st.integers(0, 5))
    d = draw(st.integers(1, 4))
    out = ""
    if draw(st.booleans()):
        out += "\ufeff"
    clean = draw(st.integers(0, 3)) > 0  # mostly well formed, so values are exercised too
    if header:
        count = n if clean else draw(st.one_of(st.just(n), _BIG))
        dim = d if clean else draw(st.one_of(st.just(d), _BIG))
        out += f"{count}{draw(_SEPS)}{dim}" + ("\n" if clean else draw(_ENDS))
    for i in range(n):
        if clean and draw(st.integers(0, 5)) > 0:
            vals = [repr(draw(st.floats(-10, 10, width=32))) for _ in range(d)]
            out += f"k{i}{draw(_KEY).strip()} " + " ".join(vals) + draw(
                st.sampled_from(["\n", "\r\n", "\n\n", " \n"]))
            continue
        vals = draw(st.lists(st.one_of(_NUM, st.just("0.5")), min_size=d - 1, max_size=d + 1))
        sep = draw(_SEPS)
        out += draw(_KEY) + sep + sep.join(vals) + draw(_ENDS)
    return out.encode("utf-8", "surrogatepass")


@st.composite
def binary_vectors(draw):
    n = draw(st.integers(0, 4))
    d = draw(st.integers(1, 3))
    clean = draw(st.integers(0, 3)) > 0
    count = n if clean else draw(st.one_of(st.just(n), _BIG))
    dim = d if clean else draw(st.one_of(st.just(d), _BIG))
    out = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    out += f"{count} {dim}\n".encode()
    for _ in range(n):
        key = draw(_KEY).encode("utf-8", "surrogatepass")
        if clean:
            key = b"k%d%s" % (len(out), key.split()[0] if key.split() else b"")
        vals = draw(st.lists(st.floats(width=32), min_size=d, max_size=d))
        end = draw(st.sampled_from([b"\n", b"", b"\r\n"]))
        out += key + b" " + struct.pack(f"<{d}f", *vals) + end
    return out


@st.composite
def fasttext_models(draw):
    """fastText .bin models (magic, Args, Dictionary, quant flag, input matrix, output matrix),
    often well formed; otherwise with lying sizes, counts, types and flags."""
    n = draw(st.integers(0, 4))
    nlabels = draw(st.integers(0, min(n, 2)))
    dim, bucket = draw(st.integers(1, 3)), draw(st.integers(0, 5))
    minn, maxn = draw(st.integers(0, 3)), draw(st.integers(0, 5))
    clean = draw(st.integers(0, 3)) > 0

    def field(value, lie=_BIG.map(lambda v: v if v < 2**31 else 2**31 - 1)):
        return value if clean else draw(st.one_of(st.just(value), lie, st.integers(-3, -1)))

    words = []
    for i in range(n):
        key = draw(_KEY).encode("utf-8", "surrogatepass").replace(b"\0", b"")
        words.append(b"k%d%s" % (i, key.split()[0] if key.split() else b"") if clean else key)
    out = struct.pack("<ii", 793712314, field(12, st.sampled_from([11, 13, 0])))
    out += struct.pack("<12id", field(dim), 5, 5, 1, 5, 1, 2, field(2, st.just(3)), field(bucket),
                       field(minn), field(maxn), 100, 1e-4)
    out += struct.pack("<iii", field(n), field(n - nlabels), field(nlabels))
    out += struct.pack("<qq", field(1000, _BIG.map(lambda v: min(v, 2**63 - 1))),
                       -1 if clean else draw(st.sampled_from([-1, -1, 0, 2, -2])))
    for i, w in enumerate(words):
        kind = int(i >= n - nlabels) if clean else draw(st.integers(0, 2))
        out += w + b"\0" + struct.pack("<qB", field(draw(st.integers(0, 99))), kind)
    out += bytes([0 if clean else draw(st.sampled_from([0, 0, 1, 2]))])
    m = n - nlabels + bucket
    out += struct.pack("<qq", field(m, _BIG.map(lambda v: min(v, 2**63 - 1))),
                       field(dim, _BIG.map(lambda v: min(v, 2**63 - 1))))
    out += struct.pack(f"<{m * dim}f", *draw(st.lists(st.floats(width=32), min_size=m * dim,
                                                       max_size=m * dim)))
    out += b"\0" + struct.pack("<qq", n - nlabels, dim) + bytes(4 * (n - nlabels) * dim)
    return out


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=3)
    | st.dictionaries(st.text(max_size=4), kids, max_size=3),
    max_leaves=8,
)


# ---------------------------------------------------------------------------- vector formats
def _vectors_case(name, data: bytes, fmt, suffix=".txt"):
    from simvec.vectors.formats import load_vectors

    path = _TMP / f"{name}{suffix}"
    path.write_bytes(data)
    out = _check(name, lambda: load_vectors(path, format=fmt), path, len(data))
    if not isinstance(out, Exception):
        assert out.vectors.shape[0] == len(out.index_to_key)
        assert all(isinstance(k, str) and k for k in out.index_to_key)
        bom = b"\xef\xbb\xbf"
        if fmt == "glove" and data.startswith(bom) and not data[3:].lstrip(b"\r\n \t").startswith(
                bom) and out.index_to_key:  # a leading BOM is never glued to the first key
            assert not out.index_to_key[0].startswith("\ufeff")
        assert len(set(out.index_to_key)) == len(out.index_to_key)
    return out


@FUZZ
@given(_anything(text_vectors(header=True)))
def test_fuzz_word2vec_text(data):
    _vectors_case("w2v_text", data, "word2vec")


@FUZZ
@given(_anything(text_vectors(header=True)))
def test_fuzz_fasttext_vec(data):
    _vectors_case("fasttext", data, "fasttext", ".vec")


@FUZZ
@given(_anything(text_vectors(header=False)))
def test_fuzz_glove(data):
    _vectors_case("glove", data, "glove")


@FUZZ
@given(_anything(binary_vectors()))
def test_fuzz_word2vec_binary(data):
    _vectors_case("w2v_binary", data, "word2vec-binary", ".bin")


@settings(FUZZ, max_examples=EXAMPLES if LONG else 10 * QUICK_EXAMPLES)
@given(_anything(fasttext_models()))
def test_fuzz_fasttext_bin(data):
    out = _vectors_case("fasttext_bin", data, "fasttext-bin", ".bin")
    if out is not None and not isinstance(out, Exception):
        assert out.vectors_ngrams.shape[1] == out.vector_size
        for word in ("k0x", "", "\xe9t\xe9", "\udce9"):  # out-of-vocabulary words never fail
            v = out.subword_vector(word)
            assert v is None or (v.shape == (out.vector_size,) and v.dtype == np.float32)


@FUZZ
@given(st.one_of(_anything(text_vectors(header=True)), _anything(text_vectors(header=False)),
                 _anything(binary_vectors()), _anything(fasttext_models())))
def test_fuzz_detected_format(data):
    _vectors_case("detected", data, None)


@FUZZ
@given(st.data())
def test_fuzz_native_pair(data):
    """A valid pair, then its .npy bytes and/or its sidecar fields damaged."""
    from simvec.vectors.formats import load_vectors
    from simvec.vectors.keyed import KeyedVectors
    from simvec.vectors.native import write_native

    n, d = data.draw(st.integers(0, 3)), data.draw(st.integers(1, 3))
    base = _TMP / "native"
    write_native(np.arange(n * d, dtype=np.float32).reshape(n, d), [f"k{i}" for i in range(n)],
                 base, None)
    npy, side = base.with_name("native.npy"), base.with_name("native.json")
    what = data.draw(st.sampled_from(["npy", "shape", "json", "field", "keys", "none"]))
    if what == "npy":
        npy.write_bytes(data.draw(mutated(st.just(npy.read_bytes()))))
    elif what == "shape":
        raw = npy.read_bytes()
        hlen = struct.unpack("<H", raw[8:10])[0]
        head = raw[10:10 + hlen].decode("latin1")
        shape = data.draw(st.tuples(_BIG, _BIG))
        head2 = head.replace(f"({n}, {d})", str(shape)).ljust(hlen)
        npy.write_bytes(raw[:8] + struct.pack("<H", len(head2)) + head2.encode("latin1")
                        + raw[10 + hlen:])
        if data.draw(st.booleans()):  # the sidecar tells the same lie
            meta = json.loads(side.read_text())
            meta["count"], meta["vector_size"] = shape
            side.write_text(json.dumps(meta))
    elif what == "json":
        side.write_bytes(data.draw(mutated(st.just(side.read_bytes()))))
    elif what == "field":
        meta = json.loads(side.read_text())
        meta[data.draw(st.sampled_from(sorted(meta)))] = data.draw(_JSON)
        side.write_text(json.dumps(meta))
    elif what == "keys":
        meta = json.loads(side.read_text())
        meta["index_to_key"] = data.draw(st.lists(
            st.one_of(st.text(max_size=3), st.integers(), st.none(), st.just("k0"),
                      st.just("\ud800")), min_size=n, max_size=n))
        side.write_text(json.dumps(meta))
    size = npy.stat().st_size + side.stat().st_size
    out = _check("native", lambda: load_vectors(base), npy, size, "native.npy", "native.json")
    if not isinstance(out, Exception):
        assert isinstance(out, KeyedVectors)
        keys = out.index_to_key
        assert all(isinstance(k, str) and k for k in keys) and len(set(keys)) == len(keys)
        json.dumps(keys, ensure_ascii=False).encode("utf-8")  # keys are printable


# ---------------------------------------------------------------------------- pair files
@pytest.fixture(scope="module")
def small_kv():
    from simvec.vectors.keyed import KeyedVectors

    rng = np.random.default_rng(0)
    return KeyedVectors(rng.standard_normal((6, 3)).astype(np.float32),
                        ["cat", "dog", "car", "bus", "tea", "cup"])


WORDS_IN_KV = ["cat", "dog", "car", "bus", "tea", "cup"]
_WORD = st.sampled_from(["cat", "dog", "car", "bus", "tea", "cup", "CAT", "zebra", "", "#x",
                         "a b", "x" * 200])


@st.composite
def word_pair_files(draw):
    out = "\ufeff" if draw(st.booleans()) else ""
    clean = draw(st.integers(0, 3)) > 0
    delim = "\t" if clean else draw(st.sampled_from(["\t", "\t", " ", ","]))
    if draw(st.booleans()):
        out += f"word1{delim}word2{delim}score\n"
    good = st.sampled_from(WORDS_IN_KV)
    for _ in range(draw(st.integers(0, 6))):
        if clean:
            score = repr(draw(st.floats(0, 10)))
            out += draw(good) + delim + draw(good) + delim + score + "\n"
            continue
        score = draw(st.one_of(_NUM, st.sampled_from(["5", "5", "1", "7.5"])))
        out += draw(_WORD) + delim + draw(_WORD) + delim + score + draw(_ENDS)
        if draw(st.integers(0, 5)) == 0:
            out += draw(st.sampled_from(["# comment\n", "\n", "x" * 200_000 + "\n"]))
    return out.encode("utf-8", "surrogatepass")


@FUZZ
@given(_anything(word_pair_files()))
def test_fuzz_word_pairs(small_kv, data):
    from simvec.eval.words import evaluate_word_pairs

    path = _TMP / "word_pairs.txt"
    path.write_bytes(data)
    out = _check("word_pairs", lambda: evaluate_word_pairs(small_kv, path), path, len(data))
    if not isinstance(out, Exception) and (np.isnan(out.spearman[0]) or np.isnan(out.pearson[0])):
        assert out.note, "NaN correlation without a note"


@st.composite
def text_pair_files(draw):
    out = "\ufeff" if draw(st.booleans()) else ""
    sts = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if not sts:
        out += "term1\tterm2\trelatedness score" + end
    for i in range(draw(st.integers(0, 6))):
        t1 = " ".join(draw(st.lists(_WORD, max_size=3)))
        t2 = " ".join(draw(st.lists(_WORD, max_size=3)))
        score = draw(st.one_of(_NUM, st.sampled_from(["0.5", "0.5", "1", "0.25"])))
        if draw(st.integers(0, 6)) == 0:
            t1 = "y" * 140_000
        if sts:
            out += f"main-captions\tMSRvid\t2012test\t{i:04d}\t{score}\t{t1}\t{t2}" + end
        else:
            out += f"{t1}\t{t2}\t{score}" + end
    return out.encode("utf-8", "surrogatepass")


@FUZZ
@given(_anything(text_pair_files()))
def test_fuzz_text_pairs(small_kv, data):
    from simvec.eval.phrases import evaluate_text_pairs

    path = _TMP / "text_pairs.txt"
    path.write_bytes(data)
    out = _check("text_pairs",
                 lambda: evaluate_text_pairs(small_kv, path, methods=["jaccard_tokens", "mean"]),
                 path, len(data))
    if not isinstance(out, Exception):
        for r in out[0]:
            if np.isnan(r.spearman) or np.isnan(r.pearson):
                assert r.note, f"{r.method}: NaN correlation without a note"


# ---------------------------------------------------------------------------- collections
@st.composite
def jsonl_collections(draw):
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(json.dumps(draw(_JSON)))
        elif kind == 1:
            lines.append('{"id": ' + "9" * draw(st.integers(1, 5000)) + ', "keywords": ["cat"]}')
        elif kind == 2:
            lines.append("[" * draw(st.integers(1, 3000)))
        else:
            rec = {"id": draw(st.one_of(st.text(max_size=4), st.integers(), st.none(),
                                        st.booleans(), st.just("a"))),
                   "keywords": draw(st.one_of(st.lists(_WORD, max_size=3), _JSON))}
            if draw(st.booleans()):
                rec["category"] = draw(st.one_of(st.sampled_from(["x", "y"]), _JSON))
            lines.append(json.dumps(rec))
    return ("\n".join(lines) + draw(_ENDS)).encode("utf-8", "surrogatepass")


@st.composite
def csv_collections(draw):
    out = draw(st.sampled_from(["id,keywords,category\n", "id,keywords\n", "doc,kw\n", ""]))
    for _ in range(draw(st.integers(0, 5))):
        kws = draw(st.sampled_from(['"cat; dog"', "cat", '"car, bus"', "", '"unclosed',
                                    "z" * 140_000]))
        out += f"{draw(_KEY)},{kws},{draw(st.sampled_from(['x', 'y', '']))}" + draw(_ENDS)
    return out.encode("utf-8", "surrogatepass")


def _collection_case(name, data: bytes, suffix: str, on_error: str, labeled: bool):
    from simvec.keywords.collection import read_collection, read_labeled_collection

    path = _TMP / f"{name}{suffix}"
    path.write_bytes(data)
    if labeled:
        fn = lambda: read_labeled_collection(path, "category", on_error=on_error)
    else:
        fn = lambda: read_collection(path, on_error=on_error)
    out = _check(name, fn, path, len(data))
    if not isinstance(out, Exception):
        ids, lists = out[0], out[1]
        assert len(ids) == len(lists) == out[-1].n_documents
        assert len(set(ids)) == len(ids)
        assert all(isinstance(i, str) and i.strip() for i in ids)
        assert all(isinstance(k, str) for kws in lists for k in kws)


@FUZZ
@given(_anything(jsonl_collections()), st.sampled_from(["raise", "skip"]), st.booleans())
def test_fuzz_jsonl_collection(data, on_error, labeled):
    _collection_case("collection_jsonl", data, ".jsonl", on_error, labeled)


@FUZZ
@given(_anything(csv_collections()), st.sampled_from(["raise", "skip"]), st.booleans())
def test_fuzz_csv_collection(data, on_error, labeled):
    _collection_case("collection_csv", data, ".csv", on_error, labeled)
