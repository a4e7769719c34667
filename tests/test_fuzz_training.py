"""Property-based fuzzing of the training, ELMo and classification readers (issue 16).

For any bytes or field values, each reader returns a value or raises a SimvecError that names
the file, within a memory budget tied to the file's size. The quick profile (default run) tries
a few dozen cases per reader, seeded; ``SIMVEC_FUZZ=long`` tries ``SIMVEC_FUZZ_EXAMPLES``
(default 10,000) fresh random cases per reader, and ``SIMVEC_FUZZ=N`` tries N (``make fuzz``
sets ``SIMVEC_FUZZ=long`` and ``SIMVEC_FUZZ_EXAMPLES=$(FUZZ_CASES)``). With
``SIMVEC_FUZZ_REPORT`` set, one line per reader with its outcomes counted is appended to that
file when the module ends, as ``tests/test_fuzz_readers.py`` does.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_path
from simvec.errors import SimvecError

_MODE = os.environ.get("SIMVEC_FUZZ", "").lower()
LONG = _MODE == "long" or _MODE.isdigit()


_EXAMPLES = os.environ.get("SIMVEC_FUZZ_EXAMPLES", "").strip()


def _settings(quick: int, long: int = 10_000):
    """Quick profile by default; ``SIMVEC_FUZZ=long``: ``SIMVEC_FUZZ_EXAMPLES`` cases (default
    ``long``); ``SIMVEC_FUZZ=N``: N."""
    if _MODE.isdigit():
        n = int(_MODE)
    elif LONG:
        n = int(_EXAMPLES) if _EXAMPLES.isdigit() else long
    else:
        n = quick
    return settings(max_examples=n, deadline=None, database=None,
                    derandomize=not LONG, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


FAST = _settings(40)      # readers that take milliseconds a case
SLOW = _settings(6)       # readers that load a Keras model or build a biLM

_OUTCOMES: dict[str, Counter] = {}


def _count(reader: str, outcome: str) -> None:
    """Count one case's outcome (``value``, ``SimvecError``, ...) for the fuzz report."""
    _OUTCOMES.setdefault(reader, Counter())[outcome] += 1


@pytest.fixture(scope="module", autouse=True)
def _fuzz_report():
    """Append one line per reader to ``SIMVEC_FUZZ_REPORT`` (if set) when the module ends."""
    yield
    out = os.environ.get("SIMVEC_FUZZ_REPORT")
    if out and _OUTCOMES:
        with open(out, "a", encoding="utf-8") as f:
            f.writelines(f"{name}: {sum(c.values())} examples; "
                         + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + "\n"
                         for name, c in sorted(_OUTCOMES.items()))


#: peak Python/numpy allocation allowed for reading a file of n bytes
def _budget(n: int) -> int:
    return 64 * 2**20 + 200 * n


def _bounded(fn, nbytes: int):
    """Run ``fn``; fail if its traced peak allocation exceeds the budget for ``nbytes``."""
    tracemalloc.start()
    try:
        return fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak <= _budget(nbytes), f"peak {peak} bytes for a {nbytes}-byte input"


def _names_the_file(exc: BaseException, *paths) -> None:
    """A SimvecError naming one of ``paths`` (its .path or its message)."""
    assert isinstance(exc, SimvecError), f"{type(exc).__name__}: {exc}"
    text = str(exc) + " " + str(getattr(exc, "path", "") or "")
    assert any(str(p) in text for p in paths), f"{exc!r} names none of {paths}"


# the bytes readers see: raw, or compressed and then damaged
def _mutate(data: st.DataObject, blob: bytes) -> bytes:
    how = data.draw(st.sampled_from(["keep", "truncate", "flip", "splice", "zero"]))
    if not blob or how == "keep":
        return blob
    i = data.draw(st.integers(0, len(blob) - 1))
    if how == "truncate":
        return blob[:i]
    if how == "flip":
        return blob[:i] + bytes([blob[i] ^ data.draw(st.integers(1, 255))]) + blob[i + 1:]
    if how == "zero":
        return blob[:i] + bytes(min(200, len(blob) - i)) + blob[i + 200:]
    return blob[:i] + data.draw(st.binary(max_size=64)) + blob[i:]


TEXTY = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([b"the", b"cat", b" ", b"\n", b"\r\n", b"\t", b"\xef\xbb\xbf",
                              b"\xff", b"\xe9", b"\x00", b",", b'"', b"{", b"}"]),
             max_size=300).map(b"".join),
)


# ----------------------------------------------------------------- word2vec corpora
@FAST
@given(data=st.data(), body=TEXTY, comp=st.sampled_from(["", "gz", "bz2"]),
       policy=st.sampled_from(["strict", "replace", "ignore", "skip"]))
def test_fuzz_corpus(tmp_path, data, body, comp, policy):
    from simvec.text.corpus import LineSentence

    blob = {"": body, "gz": gzip.compress(body), "bz2": bz2.compress(body)}[comp]
    blob = _mutate(data, blob)
    p = tmp_path / f"c.txt{'.' + comp if comp else ''}"
    p.write_bytes(blob)
    try:
        sents = _bounded(lambda: list(LineSentence(p, unicode_errors=policy)), len(blob) * 50)
    except Exception as exc:  # noqa: BLE001 - the property is about what is raised
        _names_the_file(exc, p)
        _count("corpus", "SimvecError")
        return
    _count("corpus", "value")
    assert all(isinstance(s, list) and s and all(isinstance(t, str) and t for t in s)
               for s in sents)
    if blob.startswith(b"\xef\xbb\xbfthe") and not comp:  # a leading BOM is not text
        assert sents[0][0].startswith("the")


# ----------------------------------------------------------------- word2vec checkpoints
@pytest.fixture(scope="module")
def w2v_checkpoint(tmp_path_factory):
    from simvec.word2vec import Word2Vec

    ck = tmp_path_factory.mktemp("fuzzck") / "ck"
    sents = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat"]] * 20
    Word2Vec(sents, vector_size=4, min_count=1, epochs=2, workers=1, progress=False,
             checkpoint=ck)
    return {f.name: f.read_bytes() for f in ck.iterdir()}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=12)


def _paths(obj, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            yield from _paths(v, prefix + (i,))


def _replace(obj, path, value):
    if not path:
        return {} if value is _DELETE else value
    d = obj
    for k in path[:-1]:
        d = d[k]
    if isinstance(d, dict) and value is _DELETE:
        del d[path[-1]]
    elif value is not _DELETE:
        d[path[-1]] = value
    return obj


_DELETE = object()


def _edit_json(data, doc):
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON | st.just(_DELETE) | st.integers(-10, 10) | st.just(10**9))
    return _replace(doc, path, value)


@FAST
@given(data=st.data(), target=st.sampled_from(["model.json", "syn0.npy", "syn1neg.npy",
                                               "fields", "fields", "fields"]),
       recrc=st.booleans())
def test_fuzz_checkpoint(tmp_path, w2v_checkpoint, data, target, recrc):
    from simvec.word2vec import Word2Vec
    from simvec.word2vec._checkpoint import meta_crc as _meta_crc

    ck = tmp_path / "ck"
    ck.mkdir(exist_ok=True)
    files = dict(w2v_checkpoint)
    if target == "fields":
        meta = _edit_json(data, json.loads(files["model.json"]))
        if recrc and isinstance(meta, dict):
            meta["meta_crc32"] = _meta_crc(meta)
        files["model.json"] = json.dumps(meta).encode()
    else:
        files[target] = data.draw(st.one_of(st.binary(max_size=3000),
                                            st.builds(lambda d: _mutate(d, files[target]),
                                                      st.data())))
    for name, blob in files.items():
        (ck / name).write_bytes(blob)
    size = sum(map(len, files.values()))
    try:
        m = _bounded(lambda: Word2Vec.load(ck), size)
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, ck)
        _count("checkpoint", "SimvecError")
        return
    _count("checkpoint", "value")
    n = len(m.vocab)
    assert m.wv.vectors.shape == m.syn1neg.shape == (n, m.config.vector_size)
    assert 0 <= m.epoch <= m._schedule and m.job >= 0
    assert np.isfinite(m.running_training_loss)


# ----------------------------------------------------------------- ELMo options, weights, text
@pytest.fixture(scope="module")
def elmo_files():
    pytest.importorskip("torch")
    pytest.importorskip("h5py")
    opts = data_path("elmo", "fixture", "options.json")
    return json.loads(opts.read_text()), data_path("elmo", "fixture", "lm_weights.hdf5")


@FAST
@given(data=st.data(), raw=st.booleans())
def test_fuzz_elmo_options(tmp_path, elmo_files, data, raw):
    from simvec.elmo.bilm import ElmoBiLm, count_option_parameters, read_options

    p = tmp_path / "options.json"
    if raw:
        p.write_bytes(data.draw(TEXTY))
    else:
        doc = json.loads(json.dumps(elmo_files[0]))
        for _ in range(data.draw(st.integers(1, 3))):
            doc = _edit_json(data, doc)
        p.write_text(json.dumps(doc))
    try:
        opts = read_options(p)
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, p)
        _count("elmo_options", "SimvecError")
        return
    _count("elmo_options", "value")
    if count_option_parameters(opts) < 200_000:  # options that pass must build
        ElmoBiLm(opts)


def _weights_variant(data, src: Path, dest: Path) -> None:
    import h5py

    how = data.draw(st.sampled_from(["bytes", "dataset", "dataset", "delete", "group"]))
    if how == "bytes":
        dest.write_bytes(_mutate(data, src.read_bytes()))
        return
    dest.write_bytes(src.read_bytes())
    with h5py.File(dest, "r+") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        name = data.draw(st.sampled_from(sorted(names)))
        shape = f[name].shape
        del f[name]
        if how == "group":
            f.create_group(name)
        elif how == "dataset":
            kind = data.draw(st.sampled_from(["nan", "inf", "shape", "dtype", "scalar"]))
            if kind in ("nan", "inf"):
                a = np.zeros(shape, np.float32)
                a.flat[data.draw(st.integers(0, max(a.size - 1, 0)))] = (
                    np.nan if kind == "nan" else -np.inf)
            elif kind == "shape":
                a = np.zeros(data.draw(st.lists(st.integers(0, 5), max_size=3)), np.float32)
            elif kind == "dtype":
                a = np.array(["x"] * 3, dtype="S1")
            else:
                a = np.float64(1.0)
            f.create_dataset(name, data=a)


@SLOW
@given(data=st.data())
def test_fuzz_elmo_weights(tmp_path, elmo_files, data):
    from simvec.elmo.bilm import ElmoBiLm, check_options
    from simvec.elmo.weights import load_weights

    bilm = ElmoBiLm(check_options(elmo_files[0]))
    p = tmp_path / "w.hdf5"
    _weights_variant(data, elmo_files[1], p)
    before = [t.detach().clone() for t in bilm.parameters()]
    try:
        load_weights(bilm, p)
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, p)
        import torch

        assert all(torch.equal(a, b) for a, b in zip(before, bilm.parameters()))
        _count("elmo_weights", "SimvecError")
        return
    assert all(bool(t.isfinite().all()) for t in bilm.parameters())
    _count("elmo_weights", "value")


@FAST
@given(body=TEXTY)
def test_fuzz_elmo_sentences(tmp_path, body):
    from simvec.cli.elmo import read_sentences

    p = tmp_path / "s.txt"
    p.write_bytes(body)
    try:
        sents = _bounded(lambda: read_sentences(p), len(body))
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, p)
        _count("elmo_sentences", "SimvecError")
        return
    _count("elmo_sentences", "value")
    assert sents and all(s and all(isinstance(t, str) for t in s) for s in sents)


# ----------------------------------------------------------------- classification tables
ROW_VALUE = st.one_of(st.text(max_size=30), st.integers(-5, 5), st.floats(), st.none(),
                      st.booleans(), st.lists(st.integers(), max_size=2))


@FAST
@given(data=st.data(), fmt=st.sampled_from(["csv", "tsv", "jsonl"]), raw=st.booleans(),
       gz=st.booleans())
def test_fuzz_classification_table(tmp_path, data, fmt, raw, gz):
    from simvec.classify.datasets import load_table

    if raw:
        body = b"text,label\n" + data.draw(TEXTY) if fmt == "csv" and data.draw(st.booleans()) \
            else data.draw(TEXTY)
    else:
        rows = data.draw(st.lists(st.fixed_dictionaries({"text": ROW_VALUE, "label": ROW_VALUE}),
                                  max_size=12))
        if fmt == "jsonl":
            body = "".join(json.dumps(r) + "\n" for r in rows).encode()
        else:
            sep = "," if fmt == "csv" else "\t"
            body = ("text" + sep + "label\n" + "".join(
                f"{r['text']}{sep}{r['label']}\n" for r in rows)).encode("utf-8", "surrogatepass")
    if gz:
        body = _mutate(data, gzip.compress(body))
    p = tmp_path / f"t.{fmt}{'.gz' if gz else ''}"
    p.write_bytes(body)
    try:
        ds = _bounded(lambda: load_table(p, "text", "label"), len(body) * 20)
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, p)
        _count("classification_table", "SimvecError")
        return
    _count("classification_table", "value")
    assert len(ds.texts) == ds.labels.shape[0]
    assert all(isinstance(t, str) and t.strip() for t in ds.texts)
    assert ds.labels.dtype == np.int64 and (ds.labels < len(ds.label_names)).all()
    numeric = {}
    for name in ds.label_names:  # no class is split by the way its number is written
        try:
            v = float(name)
        except ValueError:
            continue
        assert v not in numeric, (name, numeric.get(v))
        numeric[v] = name


# ----------------------------------------------------------------- classifier run folders
@pytest.fixture(scope="module")
def run_files(tmp_path_factory):
    """The files of a small trained run folder, with Keras' ``load_model`` made to reuse one
    model for a ``model.keras`` byte-identical to the trained one.

    Loading the model is most of a case's time (about 0.1 s), and in four cases of five the
    fuzzed file is another one: the intact archive then gives the same model every time, so it
    is loaded once (the Classifier built from it still runs every check of
    ``Classifier.load`` and predicts). Any other ``model.keras`` bytes are loaded for real.
    How often each happened is counted in the report (``model.keras loads``).
    """
    pytest.importorskip("torch")
    pytest.importorskip("simvec.keras.layers")
    from simvec.classify.classifier import train_classifier
    from simvec.classify.splits import DatasetSplits, TextDataset
    from simvec.keras.backend import import_keras

    texts = ["good film", "great film", "bad film", "awful film"] * 4
    ds = TextDataset(texts, [1, 1, 0, 0] * 4, ["bad", "good"])
    d = tmp_path_factory.mktemp("fuzzrun") / "run"
    train_classifier(DatasetSplits(ds, ds), epochs=1, run_dir=d, threads=1, batch_size=8,
                     max_sequence_length=4, embedding_dim=4, verbose=0)
    files = {f.name: f.read_bytes() for f in d.iterdir() if f.suffix in (".json", ".keras")}
    keras = import_keras()
    real_load = keras.saving.load_model
    intact = files["model.keras"]
    model = real_load(d / "model.keras")

    def load_model(path, *args, **kwargs):
        if not args and not kwargs and Path(path).read_bytes() == intact:
            _count("model.keras loads", "reused (intact archive)")
            return model
        _count("model.keras loads", "loaded (fuzzed archive)")
        return real_load(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keras.saving, "load_model", load_model)
        yield files


@SLOW
@given(data=st.data(), target=st.sampled_from(["classifier.json", "vectorizer.json",
                                               "report.json", "model.keras", "fields"]))
def test_fuzz_run_folder(tmp_path, run_files, data, target):
    from simvec.classify.classifier import Classifier

    d = tmp_path / "run"
    d.mkdir(exist_ok=True)
    files = dict(run_files)
    if target == "fields":
        name = data.draw(st.sampled_from(["classifier.json", "vectorizer.json", "report.json"]))
        files[name] = json.dumps(_edit_json(data, json.loads(files[name]))).encode()
    else:
        files[target] = data.draw(st.one_of(st.binary(max_size=500),
                                            st.builds(lambda dd: _mutate(dd, files[target]),
                                                      st.data())))
    for name, blob in files.items():
        (d / name).write_bytes(blob)
    try:
        clf = Classifier.load(d)
    except Exception as exc:  # noqa: BLE001
        _names_the_file(exc, d)
        _count("run_folder", "SimvecError (load)")
        return
    try:
        p = clf.predict_proba(["good film", "x"])
    except Exception as exc:  # noqa: BLE001 - e.g. a vocabulary edited into nonsense
        _names_the_file(exc, d)
        _count("run_folder", "SimvecError (predict)")
        return
    assert p.shape == (2, len(clf.label_names))
    assert p.dtype == np.float32
    _count("run_folder", "value")
