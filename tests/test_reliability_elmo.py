"""Reliability of ELMo (issue 16, defect 14): non-UTF-8 input, option types, damaged weights,
the padded .npy output bounded before any work, output paths checked first."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import data_path

torch = pytest.importorskip("torch")
h5py = pytest.importorskip("h5py")

from simvec._util import OutputPathError  # noqa: E402
from simvec.cli.app import app  # noqa: E402
from simvec.cli.elmo import embed_file, read_sentences  # noqa: E402
from simvec.elmo.bilm import check_options, count_parameters, count_option_parameters  # noqa: E402
from simvec.elmo.bilm import ElmoBiLm, read_options  # noqa: E402
from simvec.elmo.embedder import ElmoEmbedder  # noqa: E402
from simvec.elmo.weights import load_weights  # noqa: E402
from simvec.errors import InputFormatError, SimvecValueError, VectorFormatError  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def paths():
    return data_path("elmo", "fixture", "options.json"), data_path("elmo", "fixture", "lm_weights.hdf5")


@pytest.fixture(scope="module")
def options(paths):
    return json.loads(paths[0].read_text())


# ----------------------------------------------------------------- input text
def test_non_utf8_sentence_file_names_file_and_line(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes(b"the cat\ncaf\xe9 ol\xe9\n")
    with pytest.raises(InputFormatError, match="invalid UTF-8 at byte 3") as ei:
        read_sentences(p)
    assert ei.value.path == str(p) and ei.value.line == 2


def test_cli_elmo_embed_non_utf8_is_one_line(paths, tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes(b"caf\xe9\n")
    r = runner.invoke(app, ["elmo", "embed", str(p), "--options", str(paths[0]), "--weights",
                            str(paths[1]), "-o", str(tmp_path / "e.npy"), "-q"])
    assert r.exit_code == 2 and r.output == f"simvec: error: {p}, line 1: invalid UTF-8 at byte " \
        "3 of the line (invalid continuation byte)\n"


# ----------------------------------------------------------------- options
def _with(options, section, key, value):
    o = json.loads(json.dumps(options))
    if key == "embedding.dim":
        o[section]["embedding"]["dim"] = value
    else:
        o[section][key] = value
    return o


BAD_OPTIONS = [
    ("lstm", "cell_clip", "three", "lstm.cell_clip must be a finite number"),
    ("lstm", "cell_clip", math.nan, "lstm.cell_clip must be a finite number"),
    ("lstm", "proj_clip", -3, "lstm.proj_clip must be a finite number >= 0"),
    ("lstm", "proj_clip", math.inf, "lstm.proj_clip must be a finite number"),
    ("lstm", "n_layers", True, "lstm.n_layers must be a positive integer"),
    ("lstm", "dim", 2.5, "lstm.dim must be a positive integer"),
    ("lstm", "dim", 10**9, r"parameters needs .* of memory"),
    ("lstm", "use_skip_connections", "yes", "use_skip_connections must be true or false"),
    ("char_cnn", "n_highway", -1, "n_highway must be an integer >= 0"),
    ("char_cnn", "n_highway", "2", "n_highway must be an integer >= 0"),
    ("char_cnn", "n_characters", -5, "n_characters must be a positive integer"),
    ("char_cnn", "n_characters", 10**12, r"parameters needs"),
    ("char_cnn", "filters", [[1, "4"]], "filters must be a list"),
    ("char_cnn", "filters", [[1, 10**10]], r"parameters needs"),
    ("char_cnn", "embedding.dim", 0, "embedding.dim must be a positive integer"),
    ("char_cnn", "activation", ["relu"], "activation must be"),
]


@pytest.mark.parametrize("section,key,value,pattern", BAD_OPTIONS,
                         ids=[f"{s}.{k}={v!r}"[:40] for s, k, v, _ in BAD_OPTIONS])
def test_bad_option_is_refused_naming_the_file(options, tmp_path, section, key, value, pattern):
    p = tmp_path / "options.json"
    p.write_text(json.dumps(_with(options, section, key, value)))
    with pytest.raises(VectorFormatError, match=pattern) as ei:
        read_options(p)
    assert ei.value.path == str(p)


def test_option_parameter_count_is_exact(options):
    bilm = ElmoBiLm(check_options(options))
    assert count_option_parameters(check_options(options)) == count_parameters(bilm)


def test_zero_highway_layers_are_still_allowed(options):
    assert check_options(_with(options, "char_cnn", "n_highway", 0))["char_cnn"]["n_highway"] == 0


def test_options_file_nested_too_deeply(tmp_path):
    p = tmp_path / "o.json"
    p.write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(VectorFormatError, match="not a JSON options file") as ei:
        read_options(p)
    assert ei.value.path == str(p)


# ----------------------------------------------------------------- weights
def _weights_copy(src, dest, edit):
    with h5py.File(src, "r") as fin, h5py.File(dest, "w") as fout:
        for name in _datasets(fin):
            fout.create_dataset(name, data=fin[name][...])
        edit(fout)
    return dest


def _datasets(f):
    names = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    return names


def _nan(f):
    a = f["CNN_proj/W_proj"][...]
    a[2, 3] = np.nan
    f["CNN_proj/W_proj"][...] = a


def _inf(f):
    a = f["RNN_0/RNN/MultiRNNCell/Cell1/LSTMCell/B"][...]
    a[0] = -np.inf
    f["RNN_0/RNN/MultiRNNCell/Cell1/LSTMCell/B"][...] = a


def _group(f):
    del f["CNN_proj/b_proj"]
    f.create_group("CNN_proj/b_proj")


def _strings(f):
    n = f["CNN_proj/b_proj"].shape
    del f["CNN_proj/b_proj"]
    f.create_dataset("CNN_proj/b_proj", data=np.array(["x"] * n[0], dtype="S1"))


@pytest.mark.parametrize("edit,pattern", [
    (_nan, r"'CNN_proj/W_proj' holds 1 NaN or infinite value\(s\) \(first at index \(2, 3\)\)"),
    (_inf, r"LSTMCell/B' holds 1 NaN or infinite"),
    (_group, r"'CNN_proj/b_proj' is a Group, not a dataset"),
    (_strings, r"'CNN_proj/b_proj' is \|S1 of shape"),
])
def test_damaged_weights_are_refused_and_leave_the_model(options, paths, tmp_path, edit, pattern):
    bad = _weights_copy(paths[1], tmp_path / "w.hdf5", edit)
    bilm = ElmoBiLm(check_options(options))
    before = [p.detach().clone() for p in bilm.parameters()]
    with pytest.raises(VectorFormatError, match=pattern) as ei:
        load_weights(bilm, bad)
    assert ei.value.path == str(bad)
    assert all(torch.equal(a, b) for a, b in zip(before, bilm.parameters()))


def test_not_hdf5_weights(options, tmp_path):
    p = tmp_path / "w.hdf5"
    p.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(VectorFormatError, match="not an HDF5 weight file"):
        load_weights(ElmoBiLm(check_options(options)), p)


# ----------------------------------------------------------------- outputs
@pytest.fixture(scope="module")
def emb(paths):
    return ElmoEmbedder(*paths, device="cpu", num_threads=1)


def test_padded_npy_blow_up_is_refused_before_embedding(emb, tmp_path, monkeypatch):
    # the reproducer's R27: 125 KB of input would pad to 60001 x 999 x 32 floats (7.15 GiB)
    sents = [["x"]] * 60000 + [["word"] * 999]

    def boom(*a, **k):
        raise AssertionError("embedding started before the output size was checked")

    monkeypatch.setattr(emb, "embed", boom)
    with pytest.raises(SimvecValueError, match=r"60001 sentences x 999 tokens .* 7\.15 GiB .* "
                       r"write .*amp\.h5 instead"):
        emb.save(sents, tmp_path / "amp.npy")
    assert list(tmp_path.iterdir()) == []


def test_ragged_output_goes_to_h5_at_each_sentence_length(emb, tmp_path):
    sents = [["a"]] * 3 + [["the", "cat", "sat", "on", "the", "mat"]]
    emb.save(sents, tmp_path / "e.h5")
    with h5py.File(tmp_path / "e.h5", "r") as f:
        assert [f[str(i)].shape for i in range(4)] == [(1, 32)] * 3 + [(6, 32)]
    small = emb.save(sents, tmp_path / "e.npy")  # small padding: .npy still written
    assert np.load(tmp_path / "e.npy").shape == (4, 6, 32) and small == 4


def test_unknown_suffix_is_refused_before_embedding(emb, tmp_path, monkeypatch):
    monkeypatch.setattr(emb, "embed", lambda *a, **k: pytest.fail("embedded"))
    with pytest.raises(SimvecValueError, match="must end in .npy, .h5 or .hdf5"):
        emb.save([["a"]], tmp_path / "e.txt")


def test_embed_file_checks_the_output_first(paths, tmp_path):
    s = tmp_path / "s.txt"
    s.write_text("the cat\n")
    with pytest.raises(OutputPathError, match="-o /proc/e.npy: cannot write in folder /proc"):
        embed_file(s, *paths, out="/proc/e.npy")
    with pytest.raises(OutputPathError, match="this is a folder"):
        embed_file(s, *paths, out=tmp_path)


def test_save_streams_chunk_by_chunk(emb, tmp_path):
    """Issue 12 item 8: the output is embedded and written a chunk at a time, with progress;
    the file equals one written in a single chunk."""
    sents = [["the", "cat"], ["a"], ["the", "cat", "sat", "on", "the", "mat"], ["dog"], ["x", "y"]]
    calls, seen = [], []
    real = emb.embed

    def counting(part, *a, **k):
        calls.append(len(part))
        return real(part, *a, **k)

    emb.embed = counting
    try:
        n = emb.save(sents, tmp_path / "c.h5", chunk_size=2,
                     progress=lambda done, total: seen.append((done, total)))
        emb.save(sents, tmp_path / "c.npy", chunk_size=2)
        emb.save(sents, tmp_path / "d.npy", "default", chunk_size=2)
    finally:
        emb.embed = real
    assert n == 5 and calls == [2, 2, 1] * 3 and seen == [(2, 5), (4, 5), (5, 5)]
    emb.save(sents, tmp_path / "one.npy", chunk_size=100)
    np.testing.assert_allclose(np.load(tmp_path / "c.npy"), np.load(tmp_path / "one.npy"),
                               atol=1e-5)
    with h5py.File(tmp_path / "c.h5", "r") as f:
        np.testing.assert_allclose(f["2"][()], np.load(tmp_path / "one.npy")[2], atol=1e-5)
    assert np.load(tmp_path / "d.npy").shape == (5, 32)
