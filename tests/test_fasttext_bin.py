"""fastText .bin models read natively: against gensim, against the fastText tool, bad input.

Three sources of truth:

- gensim: a FastText model trained here on real text (the Lee corpus and 300 Chinese hotel
  reviews split into characters) and saved with ``save_facebook_model``; simvec's vectors must
  equal ``load_facebook_vectors`` to 1e-6, in and out of vocabulary.
- the fastText tool: ``tests/data/fasttext/`` holds models made by the ``fasttext`` package and
  its own ``get_word_vector`` / ``get_subwords`` / ``get_nearest_neighbors`` outputs (see
  ``make_fixtures.py`` there); simvec must give the same bits. If ``fasttext`` is installed,
  a model trained now is checked too.
- a pure-Python reference of fastText's n-gram hash, written from ``Dictionary::hash`` /
  ``computeSubwords``, for the bytes the kernels see.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import struct
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from typer.testing import CliRunner

import simvec
from conftest import LOCAL, data_path, importorskip
from simvec.errors import OutOfVocabularyError, SimvecValueError, VectorFormatError
from simvec.vectors.fasttext import FastTextKeyedVectors, load_fasttext_bin, ngram_hashes
from simvec.vectors.formats import detect_format, load_vectors
from simvec.vectors.keyed import KeyedVectors

FIXTURES = LOCAL / "fasttext"
SG = FIXTURES / "lee_zh_sg.bin"
SUP = FIXTURES / "agnews_sup.bin"
FTZ = FIXTURES / "agnews_sup.ftz"
OOV = ["naïve", "数据", "über-long-word", "a-word-far-longer-than-maxn", "Naïveté", "x", "",
       "酒店房间", "\U0001F600ok", "governmentally"]


# ---------------------------------------------------------------------------- helpers
def _ref_hash(raw: bytes) -> int:
    """fastText's FNV-1a over bytes read as signed chars (``Dictionary::hash``)."""
    h = 2166136261
    for b in raw:
        h ^= (b - 256 if b >= 128 else b) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def _ref_ngrams(raw: bytes, minn: int, maxn: int, bucket: int) -> list[int]:
    """``computeSubwords`` over ``b"<" + raw + b">"``, characters found by UTF-8 lead bytes."""
    w = b"<" + raw + b">"
    chars = [i for i in range(len(w)) if w[i] & 0xC0 != 0x80] + [len(w)]
    out = []
    for a in range(len(chars) - 1):
        for n in range(1, maxn + 1):
            if a + n >= len(chars):
                break
            if n >= minn and not (n == 1 and (a == 0 or a + n == len(chars) - 1)):
                out.append(_ref_hash(w[chars[a]:chars[a + n]]) % bucket)
    return out


def _model_bytes(words, matrix, *, dim, bucket, minn=3, maxn=5, counts=None, types=None,
                 nlabels=0, version=12, model=2, prune=-1, quant=0, output=True,
                 magic=793712314, size=None, nwords=None, ntokens=1000, shape=None) -> bytes:
    """A .bin model laid out as ``FastText::saveModel`` writes it (fields overridable)."""
    raws = [w if isinstance(w, bytes) else w.encode() for w in words]
    nw = len(raws) - nlabels if nwords is None else nwords
    out = struct.pack("<ii", magic, version)
    out += struct.pack("<12id", dim, 5, 5, 1, 5, 1, 2, model, bucket, minn, maxn, 100, 1e-4)
    out += struct.pack("<iiiqq", len(raws) if size is None else size, nw, nlabels, ntokens, prune)
    counts = counts or [10] * len(raws)
    types = types or [0] * (len(raws) - nlabels) + [1] * nlabels
    for w, c, t in zip(raws, counts, types):
        out += w + b"\0" + struct.pack("<qb", c, t)
    out += struct.pack("<ii", 0, 0) * max(prune, 0)
    out += bytes([quant])
    m, n = shape or matrix.shape
    out += struct.pack("<qq", m, n) + np.asarray(matrix, "<f4").tobytes()
    if output:
        out += b"\0" + struct.pack("<qq", len(raws), dim) + bytes(4 * len(raws) * dim)
    return out


def _layout(data: bytes) -> dict:
    """Byte offsets of a model's parts, found independently of simvec's reader."""
    size, prune = struct.unpack_from("<i", data, 64)[0], struct.unpack_from("<q", data, 84)[0]
    pos = 92
    for _ in range(size):
        pos = data.index(b"\0", pos) + 10
    quant = pos + 8 * max(prune, 0)
    m, n = struct.unpack_from("<qq", data, quant + 1)
    return {"entries": 92, "quant": quant, "shape": quant + 1, "matrix": quant + 17,
            "output": quant + 17 + 4 * m * n, "m": m, "n": n, "nwords": size}


def _tiny(tmp_path, name="tiny.bin", **kw):
    rng = np.random.default_rng(0)
    words = kw.pop("words", ["alpha", "beta", "gamma"])
    dim, bucket = kw.pop("dim", 4), kw.pop("bucket", 16)
    nlab = kw.get("nlabels", 0)
    matrix = kw.pop("matrix", rng.standard_normal((len(words) - nlab + bucket, dim)))
    p = tmp_path / name
    p.write_bytes(_model_bytes(words, matrix, dim=dim, bucket=bucket, **kw))
    return p, np.asarray(matrix, np.float32)


def _fails(path, *parts, **kw):
    """The VectorFormatError of loading ``path``: it names the file and holds ``parts``."""
    with pytest.raises(VectorFormatError) as err:
        load_vectors(path, format="fasttext-bin", **kw)
    msg = str(err.value)
    assert str(path) in msg, msg
    for part in parts:
        assert part in msg, msg
    return msg


def _same_ranking(a, b, tol=1e-6):
    """Two most_similar lists agree: same scores to ``tol``, and keys equal except where two
    neighbours' scores are within ``tol`` (ties may fall either way)."""
    assert len(a) == len(b)
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=tol)
    for (ka, sa), (kb, sb) in zip(a, b):
        if ka != kb:
            assert any(k == kb and abs(s - sa) <= tol for k, s in a), (a, b)


# ---------------------------------------------------------------------------- gensim
@pytest.fixture(scope="module")
def gensim_model(tmp_path_factory):
    """A gensim FastText model on real text, saved as a Facebook .bin; and gensim's reading."""
    importorskip("gensim")
    from gensim.models import FastText
    from gensim.models.fasttext import load_facebook_vectors, save_facebook_model

    text = data_path("corpus", "lee_background.cor").read_text(encoding="utf-8")
    sents = [re.findall(r"\w+", line.lower()) for line in text.splitlines()]
    with open(data_path("zh", "ChnSentiCorp_htl_all.csv"), encoding="utf-8") as f:
        sents += [[c for c in r["review"] if c.isalnum()] for r in list(csv.DictReader(f))[:300]]
    model = FastText(sentences=sents, vector_size=20, min_count=5, min_n=3, max_n=5, bucket=2000,
                     epochs=5, seed=1, workers=1)
    path = tmp_path_factory.mktemp("ft") / "lee_zh.bin"
    save_facebook_model(model, str(path))
    return path, load_facebook_vectors(str(path))


def test_gensim_vocabulary_vectors_match(gensim_model):
    path, g = gensim_model
    kv = simvec.load(path)
    assert isinstance(kv, FastTextKeyedVectors)
    assert kv.index_to_key == g.index_to_key
    assert len(kv) == 2482 and kv.vector_size == 20  # measured
    assert sum(not w.isascii() for w in kv.index_to_key) == 654  # Chinese characters
    assert (kv.bucket, kv.min_n, kv.max_n) == (2000, 3, 5)
    assert np.array_equal(kv.vectors_ngrams, g.vectors_ngrams)
    err = np.abs(kv.vectors - g.vectors).max()
    assert err <= 1e-6  # measured 4.8e-7: float32 sums in one order, gensim divides by n
    assert kv.counts.tolist() == [g.get_vecattr(w, "count") for w in g.index_to_key]
    assert kv.args["model"] == 1 and kv.args["t"] == pytest.approx(1e-3)  # cbow, sample


def test_gensim_oov_vectors_match(gensim_model):
    path, g = gensim_model
    kv = simvec.load(path)
    got = 0
    for w in OOV:
        assert w not in kv
        v = kv.subword_vector(w)
        if not w:  # "<>" has no n-gram of 3 to 5 characters
            assert v is None and not np.any(g[w])  # gensim: the origin
            with pytest.raises(OutOfVocabularyError, match="no character n-gram"):
                kv[w]
            continue
        assert v.dtype == np.float32 and v.shape == (20,)
        np.testing.assert_allclose(kv[w], g[w], rtol=0, atol=1e-6)
        np.testing.assert_allclose(kv.get_vector(w, norm=True), g.get_vector(w, norm=True),
                                   atol=1e-6)
        got += 1
    assert got == len(OOV) - 1
    # an in-vocabulary word: subword_vector is the n-gram part only, its vector also its row
    w = kv.index_to_key[0]
    ids = ngram_hashes(w, 3, 5, 2000)
    np.testing.assert_allclose(kv.subword_vector(w), g.vectors_ngrams[ids].mean(axis=0), atol=1e-6)
    assert not np.allclose(kv.subword_vector(w), kv[w], atol=1e-3)


def test_ngram_hashes_match_gensim_and_the_reference(gensim_model):
    from gensim.models.fasttext import ft_ngram_hashes

    _, g = gensim_model
    for w in g.index_to_key + OOV:
        ours = ngram_hashes(w, 3, 5, 2000)
        assert ours == ft_ngram_hashes(w, 3, 5, 2000) == _ref_ngrams(w.encode(), 3, 5, 2000), w
    assert ngram_hashes("ab", 3, 3, 2000000) == [209508, 1241756]  # "<ab", "ab>"
    assert ngram_hashes("数据", 1, 1, 10**6) == _ref_ngrams("数据".encode(), 1, 1, 10**6)
    assert len(ngram_hashes("数据", 1, 1, 10**6)) == 2  # characters, not bytes; no "<" or ">"
    with pytest.raises(SimvecValueError, match="bucket"):
        ngram_hashes("ab", 3, 3, 0)


def test_gensim_most_similar_agrees(gensim_model):
    path, g = gensim_model
    kv = simvec.load(path)
    for q in ["government", "fire", "police", "房", "bushfires", "naïve", "酒店房间"]:
        _same_ranking(kv.most_similar(q, topn=10), g.most_similar(q, topn=10))
    _same_ranking(kv.most_similar(positive=["police", "fire"], negative=["bushfires"], topn=5),
                  g.most_similar(positive=["police", "fire"], negative=["bushfires"], topn=5))
    assert kv.similarity("bushfires", "fire") == pytest.approx(g.similarity("bushfires", "fire"),
                                                               abs=1e-6)
    # the query word is excluded only when it is in the vocabulary
    assert "government" not in [w for w, _ in kv.most_similar("government")]


# ---------------------------------------------------------------------------- the fastText tool
def test_tool_vectors_are_bit_exact():
    e = np.load(FIXTURES / "lee_zh_sg.expected.npz", allow_pickle=False)
    kv = simvec.load(SG)
    assert (len(kv), kv.vector_size, kv.bucket, kv.min_n, kv.max_n) == (1307, 8, 500, 2, 4)
    assert "</s>" in kv  # fastText's end-of-line token
    words = e["words"].tolist()
    assert sum(w in kv for w in words) == 140 and sum(not w.isascii() for w in words) == 90
    got = np.stack([kv[w] for w in words])
    assert np.array_equal(got, e["vectors"])  # fastText's get_word_vector, every bit
    # "</s>" has no n-grams in fastText: its vector is its own input row (gensim would average
    # in the n-grams of "<</s>>")
    raw = SG.read_bytes()
    i = kv.key_to_index["</s>"]
    row = np.frombuffer(raw, "<f4", 8, _layout(raw)["matrix"] + 4 * 8 * i)
    assert np.array_equal(kv["</s>"], row) and kv.subword_vector("</s>") is None


def test_tool_subword_ids_and_neighbours():
    e = np.load(FIXTURES / "lee_zh_sg.expected.npz", allow_pickle=False)
    kv = simvec.load(SG)
    ids, off = e["oov_ids"], e["oov_offsets"]
    for i, w in enumerate(e["oov_words"].tolist()):
        assert ngram_hashes(w, 2, 4, 500) == (ids[off[i]:off[i + 1]] - len(kv)).tolist(), w
    for w, expected in json.loads(str(e["nn_json"])).items():
        got = kv.most_similar(w, topn=5)
        assert [k for k, _ in got] == [k for _, k in expected]
        np.testing.assert_allclose([s for _, s in got], [s for s, _ in expected], atol=1e-5)


def test_tool_trained_now_if_installed(tmp_path):
    pytest.importorskip("fasttext", reason="the fasttext package is optional; the committed "
                        "fixtures cover the tool without it")
    # trained in a fresh interpreter: in a process that has run other native code, fastText
    # 0.9.2 sometimes stops at once with "Encountered NaN" (seen here, also in one process
    # training two models)
    code = (
        "import sys, fasttext\n"
        "m = fasttext.train_unsupervised(sys.argv[1], model='cbow', dim=12, minCount=3, minn=3,"
        " maxn=6, bucket=3000, epoch=2, thread=1, verbose=0)\n"
        "m.save_model(sys.argv[2])\n"
        "words = m.words[:300] + sys.argv[3:]\n"
        "np = __import__('numpy')\n"
        "np.save(sys.argv[2] + '.npy', np.stack([m.get_word_vector(w) for w in words]))\n"
        "print('\\n'.join(m.words))\n")
    oov = [w for w in OOV if w]
    model = tmp_path / "m.bin"
    res = subprocess.run([sys.executable, "-c", code, str(data_path("corpus", "lee_background.cor")),
                          str(model), *oov], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    kv = simvec.load(model)
    assert kv.index_to_key == res.stdout.splitlines()
    assert len(kv) == 3028 and "</s>" in kv  # measured; "</s>": the 300 line ends
    got = np.stack([kv[w] for w in kv.index_to_key[:300] + oov])
    assert np.array_equal(got, np.load(str(model) + ".npy"))  # every bit


def test_supervised_model_keeps_labels_apart():
    kv = simvec.load(SUP)
    assert kv.labels == ["__label__1", "__label__2", "__label__4", "__label__3"]
    assert kv.args["model"] == 3 and not kv.has_subwords  # supervised, maxn 0, bucket 0
    assert len(kv) == 2031 and not any(w.startswith("__label__") for w in kv.index_to_key)
    assert kv.subword_vector("unseenword") is None
    with pytest.raises(OutOfVocabularyError, match="no subword vectors"):
        kv["unseenword"]
    w = kv.index_to_key[5]
    raw = SUP.read_bytes()
    lay = _layout(raw)
    row = np.frombuffer(raw, "<f4", 4, lay["matrix"] + 4 * 4 * 5)
    assert np.array_equal(kv[w], row)  # no subwords: a word's vector is its row


def test_quantized_model_is_refused_clearly():
    raw = FTZ.read_bytes()
    quant = _layout(raw)["quant"]
    msg = _fails(FTZ, "quantized", ".ftz", f"byte offset {quant}")
    assert msg.endswith(f"(byte offset {quant})")


# ---------------------------------------------------------------------------- loading
def test_detection_and_entry_points(tmp_path, gensim_model):
    path, g = gensim_model
    assert detect_format(path)[0] == "fasttext-bin"
    assert "magic number 793712314 (model version 12)" in detect_format(path)[1]
    kv = load_vectors(path, format="fasttext-bin")
    assert isinstance(kv, FastTextKeyedVectors) and kv.index_to_key == g.index_to_key
    assert isinstance(FastTextKeyedVectors.load(path), FastTextKeyedVectors)
    with pytest.raises(SimvecValueError, match="simvec.load"):
        KeyedVectors.load(path)
    with pytest.raises(SimvecValueError, match="mmap=True needs the native format"):
        simvec.load(path, mmap=True)
    # a word2vec binary .bin is still word2vec binary
    kv.save(tmp_path / "w2v.bin")
    assert detect_format(tmp_path / "w2v.bin")[0] == "word2vec-binary"
    back = simvec.load(tmp_path / "w2v.bin")
    assert type(back) is KeyedVectors and np.array_equal(back.vectors, kv.vectors)
    # compressed
    gz = tmp_path / "m.bin.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert np.array_equal(simvec.load(gz).vectors, kv.vectors)
    with pytest.raises(SimvecValueError, match="format must be one of"):
        kv.save(tmp_path / "x.bin", format="fasttext-bin")


def test_container_behaviour_and_limit(gensim_model):
    path, _ = gensim_model
    kv = simvec.load(path)
    assert "naïve" not in kv and "the" in kv and len(kv) == 2482  # vocabulary only
    both = kv[["the", "naïve"]]
    assert both.shape == (2, 20) and np.array_equal(both[1], kv.subword_vector("naïve"))
    assert kv[[]].shape == (0, 20)
    with pytest.raises(SimvecValueError, match="keys are strings"):
        kv.subword_vector(3)
    with pytest.raises(SimvecValueError, match="keys are strings"):
        kv[3]
    with pytest.raises(OutOfVocabularyError):
        kv.most_similar_batch(["naïve"])  # vocabulary only
    assert "FastTextKeyedVectors(2482 keys, vector_size=20, bucket=2000" in repr(kv)
    small = simvec.load(path, limit=10)
    assert len(small) == 10 and np.array_equal(small.vectors, kv.vectors[:10])
    w = kv.index_to_key[10]
    assert w not in small and np.array_equal(small[w], kv.subword_vector(w))
    assert len(simvec.load(path, limit=0)) == 0


def test_convert_keeps_the_vocabulary_vectors(tmp_path, gensim_model):
    path, _ = gensim_model
    kv = simvec.load(path)
    kv.save(tmp_path / "v.vec")
    back = simvec.load(tmp_path / "v.vec")
    assert back.index_to_key == kv.index_to_key and np.array_equal(back.vectors, kv.vectors)


def test_undecodable_and_repeated_words(tmp_path, caplog):
    words = [b"caf\xe9", b"word", b"word"]
    p, matrix = _tiny(tmp_path, words=words, minn=2, maxn=3)
    kv = load_vectors(p)
    assert kv.index_to_key == ["café", "word"]  # cp1252 fallback; the repeat dropped (warned)
    ids = _ref_ngrams(b"caf\xe9", 2, 3, 16)  # n-grams of the bytes in the file
    expected = (matrix[0] + matrix[3 + np.array(ids)].sum(axis=0)) / (1 + len(ids))
    np.testing.assert_allclose(kv["café"], expected, atol=1e-6)
    assert "duplicate" in caplog.text
    _fails(p, "entry 1", "not valid UTF-8", unicode_errors="strict")
    _fails(p, "appears twice", "entry 2 and entry 3", on_duplicate="error")


def test_version_11_supervised_models_have_no_subwords(tmp_path):
    p, matrix = _tiny(tmp_path, version=11, model=3)
    kv = load_vectors(p)
    assert kv.max_n == 0 and np.array_equal(kv.vectors, matrix[:3])
    p, matrix = _tiny(tmp_path, version=11, model=2)
    assert load_vectors(p).max_n == 5


def test_cli_reads_fasttext_bin(tmp_path):
    from simvec.cli.app import app

    runner = CliRunner()
    res = runner.invoke(app, ["info", str(SG), "--input-format", "fasttext-bin", "-f", "json",
                              "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["format"], out["count"], out["vector_size"]) == ("fasttext-bin", 1307, 8)
    res = runner.invoke(app, ["info", str(SG), "-f", "json", "-q"])
    assert json.loads(res.stdout)["reason"].startswith("bytes 0-3 hold fastText's magic")
    bad = runner.invoke(app, ["info", str(SG), "--input-format", "fastext-bin"])
    assert bad.exit_code == 2 and "fasttext-bin" in bad.output
    to = runner.invoke(app, ["convert", str(SG), str(tmp_path / "x.bin"), "--to", "fasttext-bin"])
    assert to.exit_code == 2 and "read, not written" in to.output
    res = runner.invoke(app, ["convert", str(SG), str(tmp_path / "x.vec"), "-q"])
    assert res.exit_code == 0, res.output
    glove = tmp_path / "g.txt"
    glove.write_text("a 1 2\nb 3 4\n")
    res = runner.invoke(app, ["info", str(glove), "--input-format", "fasttext-bin"])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("simvec: error: ")
    assert "not a fastText .bin model" in lines[0] and "byte offset 0" in lines[0]


# ---------------------------------------------------------------------------- bad input
def test_truncated_files_name_the_offset(tmp_path):
    raw = SG.read_bytes()
    lay = _layout(raw)
    cuts = {
        0: "the magic number", 6: "the magic number", 30: "the model arguments",
        70: "the dictionary header", lay["entries"] + 3: "claims 1307 entries, but the 3 bytes",
        lay["quant"] - 4: "dictionary entry 1307 of 1307", lay["quant"]: "the quantization flag",
        lay["shape"] + 8: "the input matrix's shape", lay["matrix"] + 100: "the input matrix needs",
    }
    for cut, what in cuts.items():
        p = tmp_path / f"cut{cut}.bin"
        p.write_bytes(raw[:cut])
        _fails(p, what)
    p = tmp_path / "cutm.bin"
    p.write_bytes(raw[:lay["matrix"] + 100])
    _fails(p, f"byte offset {lay['matrix']}", "truncated")
    # cut inside the output matrix: the vectors are whole, a warning says the file is not
    p = tmp_path / "cuto.bin"
    p.write_bytes(raw[:lay["output"] + 40])
    assert np.array_equal(load_vectors(p).vectors, simvec.load(SG).vectors)


def test_lying_headers(tmp_path):
    raw = bytearray(SG.read_bytes())
    lay = _layout(bytes(raw))

    def lie(offset, fmt, value, *parts):
        data = bytearray(raw)
        struct.pack_into(fmt, data, offset, value)
        p = tmp_path / f"lie{offset}_{value}.bin"
        p.write_bytes(bytes(data))
        return _fails(p, *parts)

    lie(0, "<i", 1234, "not a fastText .bin model", "byte offset 0")
    lie(4, "<i", 13, "version 13", "byte offset 4")
    lie(8, "<i", 9, "the input matrix is", "x 8", "dim = 9", f"byte offset {lay['shape']}")
    lie(8, "<i", 0, "dim = 0", "byte offset 8")
    lie(40, "<i", 501, "bucket = 501", f"byte offset {lay['shape']}")
    lie(40, "<i", -1, "bucket = -1", "byte offset 40")
    lie(48, "<i", -2, "maxn = -2", "byte offset 48")
    lie(64, "<i", 2**31 - 1, "holds 2147483647 entries but nwords + nlabels", "byte offset 64")
    lie(64, "<i", -5, "size is -5", "byte offset 64")
    lie(68, "<i", 1306, "nwords + nlabels", "byte offset 64")
    lie(76, "<q", -1, "ntokens is -1", "byte offset 76")
    lie(84, "<q", -7, "pruneidx_size is -7", "byte offset 84")
    lie(84, "<q", 3, "quantization flag is 70")  # 3 pairs (24 bytes) read from the entries
    lie(84, "<q", 2**40, "the pruning index")
    lie(lay["quant"], "<B", 2, "quantization flag is 2", f"byte offset {lay['quant']}")
    lie(lay["shape"], "<q", 2**62, "the input matrix is 4611686018427387904 x 8")
    lie(lay["shape"] + 8, "<q", -8, "x -8")
    first_count = raw.index(b"\0", 92) + 1
    data = bytearray(raw)  # size and nwords agree, but the bytes cannot hold that many entries
    struct.pack_into("<ii", data, 64, 2**31 - 1, 2**31 - 1)
    (tmp_path / "huge.bin").write_bytes(bytes(data))
    _fails(tmp_path / "huge.bin", "claims 2147483647 entries", "byte offset 64")
    lie(first_count, "<q", -3, "dictionary entry 1: its count is -3", "byte offset 92")
    lie(first_count + 8, "<B", 1, "dictionary entry 1: its type is 1")


def test_damaged_entries(tmp_path):
    p, _ = _tiny(tmp_path, words=["alpha", "", "gamma"])
    _fails(p, "dictionary entry 2: the word is empty")
    p, _ = _tiny(tmp_path, words=["alpha", "be\nta", "gamma"])
    _fails(p, "dictionary entry 2: the word holds a line break")
    p, _ = _tiny(tmp_path, words=["alpha", "beta", "gam\nma"])
    _fails(p, "dictionary entry 3: the word holds a line break")
    p, _ = _tiny(tmp_path, words=["alpha", "__label__x", "gamma"], nlabels=1, types=[0, 1, 0])
    _fails(p, "dictionary entry 2: its type is 1 but entries 1-2 are words")
    p, _ = _tiny(tmp_path, types=[0, 0, 7])
    _fails(p, "dictionary entry 3: its type is 7")


def test_pruned_dictionaries(tmp_path):
    p, _ = _tiny(tmp_path, prune=2)
    quant = _layout(p.read_bytes())["quant"]
    assert quant == 92 + 3 * 10 + len("alphabetagamma") + 16
    _fails(p, "pruned (pruneidx_size 2)", "fastText refuses", "byte offset 84")
    p, _ = _tiny(tmp_path, prune=2, quant=1)
    _fails(p, "quantized", f"byte offset {quant}")
    p, _ = _tiny(tmp_path, prune=0)  # a pruned table that kept no n-gram: still pruned
    _fails(p, "pruned (pruneidx_size 0)")


def test_a_lying_file_allocates_nothing_big(tmp_path):
    raw = bytearray(SG.read_bytes())
    lay = _layout(bytes(raw))
    lies = {68: ("<i", 2**31 - 1), lay["shape"]: ("<q", 2**40),
            lay["shape"] + 8: ("<q", 2**40), 84: ("<q", 2**61)}
    for off, (fmt, value) in lies.items():
        data = bytearray(raw)
        struct.pack_into(fmt, data, off, value)
        if off == 68:  # size = nwords: consistent, and more than the bytes hold
            struct.pack_into("<i", data, 64, value)
        if off == lay["shape"] + 8:
            struct.pack_into("<q", data, lay["shape"], 1)
        p = tmp_path / f"big{off}.bin"
        p.write_bytes(bytes(data))
        tracemalloc.start()
        try:
            with pytest.raises(VectorFormatError):
                load_fasttext_bin(p)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 * len(raw), (off, peak)  # a 119 kB file: never the sizes it claims


def test_keyword_encoder_gives_oov_tokens_their_subword_vectors(gensim_model):
    """Keyword similarity with a fastText .bin: an OOV token gets gensim's subword vector."""
    from simvec.keywords.encoders import get_encoder
    from simvec.keywords.pair import keyword_similarity

    path, ref = gensim_model
    kv = simvec.load(str(path))
    enc = get_encoder(kv)
    oov = "governmentalish"
    assert oov not in kv and enc.rows("government") and enc.rows(oov)
    (row,) = enc.rows(oov)
    assert row >= len(kv)  # added past the vocabulary
    np.testing.assert_allclose(enc.vectors[row], ref[oov], atol=1e-6)
    r = keyword_similarity(f"{oov} policy", "government policy", kv, method="mean")
    assert r.oov_a == [] and r.score is not None
    static = keyword_similarity(f"{oov} policy", "government policy",
                                simvec.KeyedVectors(kv.vectors, kv.index_to_key), method="mean")
    assert static.score != r.score  # without subwords the OOV token is skipped
    names = enc.row_names(f"{oov} policy", enc.rows(f"{oov} policy"))
    assert names == [oov, "policy"]
