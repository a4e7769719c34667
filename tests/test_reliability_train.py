"""Reliability of training (issue 16, defects 10-13): damaged corpora, huge sizes, output paths
checked before the work, special files never replaced, damaged checkpoints refused by name."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import stat
import threading

import numpy as np
import pytest

from conftest import data_path
from simvec._util import OutputPathError, atomic_write, check_output_path
from simvec.errors import InputFormatError, SimvecError, SimvecValueError, VectorFormatError
from simvec.text.corpus import LineSentence
from simvec.word2vec import Word2Vec
from simvec.word2vec._checkpoint import meta_crc as _meta_crc


@pytest.fixture(scope="module")
def lee_bytes():
    return data_path("corpus", "lee_background.cor").read_bytes()


# ----------------------------------------------------------------- defect 10: corpora, sizes
@pytest.mark.parametrize("kind", ["gz-truncated", "bz2-truncated", "gz-corrupt"])
def test_damaged_compressed_corpus_names_file_and_line(tmp_path, lee_bytes, kind):
    if kind == "gz-truncated":
        blob = gzip.compress(lee_bytes[:20000])[:3000]
    elif kind == "bz2-truncated":
        blob = bz2.compress(lee_bytes[:20000])[:3000]
    else:  # 200 bytes of the deflate stream zeroed (the reproducer's R18)
        b = gzip.compress(lee_bytes)
        blob = b[:10] + bytes(200) + b[210:]
    p = tmp_path / ("c.txt.bz2" if "bz2" in kind else "c.txt.gz")
    p.write_bytes(blob)
    with pytest.raises(InputFormatError, match="truncated or corrupt") as ei:
        list(LineSentence(p))
    assert ei.value.path == str(p) and ei.value.line >= 1
    assert str(p) in str(ei.value)


def test_truncated_gzip_reports_the_lines_read_before(tmp_path, lee_bytes):
    p = tmp_path / "c.gz"
    p.write_bytes(gzip.compress(lee_bytes[:20000])[:3000])
    n_ok = 0
    with pytest.raises(InputFormatError) as ei:
        for _ in LineSentence(p):
            n_ok += 1
    assert ei.value.line == n_ok + 1 and n_ok > 0


def test_bom_is_not_glued_to_the_first_word(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfthe cat\nthe dog\n")
    assert list(LineSentence(p)) == [["the", "cat"], ["the", "dog"]]


def test_huge_vector_size_is_refused_before_allocating():
    sents = [["a", "b", "c"]] * 3
    with pytest.raises(SimvecValueError, match=r"vector_size=1000000000 for 3 words .* needs "
                       r"33\.5 GiB"):
        Word2Vec(sents, vector_size=10**9, min_count=1, workers=1, progress=False)


# ----------------------------------------------------------------- defect 11: outputs first
@pytest.mark.parametrize("bad", [0, -1, float("nan"), True])
def test_checkpoint_interval_must_be_positive(tmp_path, bad):
    m = Word2Vec(vector_size=4, min_count=1, workers=1)
    m.build_vocab([["a", "b"]] * 5)
    with pytest.raises(SimvecValueError, match="checkpoint_interval must be a positive"):
        m.train([["a", "b"]] * 5, checkpoint=tmp_path / "ck", checkpoint_interval=bad,
                progress=False)
    assert not (tmp_path / "ck").exists()


def _cli_train(args, monkeypatch):
    """Run `simvec train` in-process; training itself must never be reached."""
    from typer.testing import CliRunner

    from simvec.cli.app import app

    def boom(*a, **k):
        raise AssertionError("training started before the outputs were checked")

    monkeypatch.setattr(Word2Vec, "build_vocab", boom)
    return CliRunner().invoke(app, ["train", *map(str, args), "-q", "--no-progress"])


@pytest.mark.parametrize("case", ["out-is-folder", "out-in-proc", "out-no-folder",
                                  "checkpoint-is-file", "save-model-is-file",
                                  "interval-0", "interval-neg"])
def test_cli_train_checks_every_output_before_training(tmp_path, monkeypatch, case):
    corpus = data_path("corpus", "lee.cor")
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    out = tmp_path / "v.txt"
    args = {
        "out-is-folder": ["-o", tmp_path],
        "out-in-proc": ["-o", "/proc/v.txt"],  # unwritable even for root
        "out-no-folder": ["-o", tmp_path / "nope" / "v.txt"],
        "checkpoint-is-file": ["-o", out, "--checkpoint", a_file],
        "save-model-is-file": ["-o", out, "--save-model", a_file],
        "interval-0": ["-o", out, "--checkpoint", tmp_path / "ck", "--checkpoint-interval", "0"],
        "interval-neg": ["-o", out, "--checkpoint", tmp_path / "ck",
                         "--checkpoint-interval", "-1"],
    }[case]
    r = _cli_train([corpus, *args], monkeypatch)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("simvec: error: ") and r.output.count("\n") == 1
    flag = {"out-is-folder": "-o", "out-in-proc": "-o", "out-no-folder": "-o",
            "checkpoint-is-file": "--checkpoint", "save-model-is-file": "--save-model",
            "interval-0": "--checkpoint-interval", "interval-neg": "--checkpoint-interval"}[case]
    assert flag in r.output
    assert not out.exists()


def test_check_output_path_accepts_a_new_file_and_folder(tmp_path):
    assert check_output_path(tmp_path / "v.txt", "-o") == tmp_path / "v.txt"
    assert check_output_path(tmp_path / "a" / "b", "--checkpoint", folder=True)
    assert os.listdir(tmp_path) == []  # the probe leaves nothing behind
    with pytest.raises(OutputPathError, match="--checkpoint .*: this is a file"):
        (tmp_path / "f").write_text("")
        check_output_path(tmp_path / "f", "--checkpoint", folder=True)
    with pytest.raises(OutputPathError, match=r"--checkpoint .*f/sub: .*f is a file"):
        check_output_path(tmp_path / "f" / "sub", "--checkpoint", folder=True)


# ----------------------------------------------------------------- defect 12: special files
def test_atomic_write_writes_through_a_device_and_keeps_it():
    with pytest.raises(OutputPathError, match="cannot write /dev/full: No space left"):
        atomic_write([("/dev/full", lambda f: f.write(b"x" * 10))])
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    atomic_write([("/dev/null", lambda f: f.write(b"x" * 10))])
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_atomic_write_to_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError, match="FIFO with no reader"):
        atomic_write([(fifo, lambda f: f.write(b"hello"))])
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    for _ in range(200):  # the reader's open() must come first
        try:
            atomic_write([(fifo, lambda f: f.write(b"hello\n" * 1000))])
            break
        except OutputPathError:
            threading.Event().wait(0.01)
    reader.join(5)
    assert got == [b"hello\n" * 1000]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["fifo"]


def test_atomic_write_keeps_a_symlink(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    os.symlink("real.txt", tmp_path / "link.txt")
    atomic_write([(tmp_path / "link.txt", lambda f: f.write(b"new"))])
    assert os.path.islink(tmp_path / "link.txt")
    assert (tmp_path / "real.txt").read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.txt", "real.txt"]


def test_save_vectors_to_dev_stdout(capfd):
    m = Word2Vec([["a", "b", "c"]] * 20, vector_size=3, min_count=1, epochs=1, workers=1,
                 progress=False)
    m.save_vectors("/dev/stdout", format="word2vec")
    out = capfd.readouterr().out.splitlines()
    assert out[0] == "3 3" and {line.split()[0] for line in out[1:]} == {"a", "b", "c"}


# ----------------------------------------------------------------- defect 13: checkpoints
@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    ck = tmp_path_factory.mktemp("ck") / "ck"
    corpus = LineSentence(data_path("corpus", "lee_background.cor"))
    Word2Vec(corpus, vector_size=10, epochs=2, workers=1, seed=3, progress=False, checkpoint=ck)
    return ck, corpus


def _copy(ck, dest):
    dest.mkdir()
    for f in ck.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def _edit_meta(ck, fn, recrc=True):
    meta = json.loads((ck / "model.json").read_text())
    fn(meta)
    if recrc:
        meta["meta_crc32"] = _meta_crc(meta)
    (ck / "model.json").write_text(json.dumps(meta))


def _npy_header(shape):
    import io

    from numpy.lib import format as npf

    buf = io.BytesIO()
    npf.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _set(path, value):
    def fn(meta):
        d = meta
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return fn


def _drop(key):
    return lambda meta: meta.pop(key)


CORRUPTIONS = {
    # name: (how, file named in the message, message pattern)
    "syn0-empty": (lambda ck: (ck / "syn0.npy").write_bytes(b""), "syn0.npy", "not a valid .npy"),
    "syn0-truncated": (lambda ck: (ck / "syn0.npy").write_bytes((ck / "syn0.npy").read_bytes()[:1000]),
                       "syn0.npy", "truncated"),
    "syn0-garbage": (lambda ck: (ck / "syn0.npy").write_bytes(os.urandom(5000)), "syn0.npy",
                     "not a valid .npy"),
    "syn0-shape-lie": (lambda ck: (ck / "syn0.npy").write_bytes(_npy_header((10**9, 10**7))),
                       "syn0.npy", r"shape \(1000000000, 10000000\)"),
    "syn1-flipped-byte": (lambda ck: (ck / "syn1neg.npy").write_bytes(
        (ck / "syn1neg.npy").read_bytes()[:-1] + b"\x01"), "syn1neg.npy", "checksum"),
    "json-empty": (lambda ck: (ck / "model.json").write_bytes(b""), "model.json", "not valid JSON"),
    "json-garbage": (lambda ck: (ck / "model.json").write_bytes(b"\xff\xfe{"), "model.json",
                     "not valid JSON"),
    "json-list": (lambda ck: (ck / "model.json").write_text("[1]"), "model.json",
                  "not a simvec Word2Vec"),
    "no-crc32": (lambda ck: _edit_meta(ck, _drop("crc32")), "model.json", "'crc32' is missing"),
    "no-config": (lambda ck: _edit_meta(ck, _drop("config")), "model.json", "'config' is missing"),
    "no-state": (lambda ck: _edit_meta(ck, _drop("state")), "model.json", "'state' is missing"),
    "no-vocab": (lambda ck: _edit_meta(ck, _drop("vocab")), "model.json", "'vocab' is missing"),
    "edited-no-recrc": (lambda ck: _edit_meta(ck, _set(["state", "epoch"], 1), recrc=False),
                        "model.json", "meta_crc32"),
    "crc32-wrong-type": (lambda ck: _edit_meta(ck, _set(["crc32"], 5)), "model.json", "crc32 must"),
    "epoch-negative": (lambda ck: _edit_meta(ck, _set(["state", "epoch"], -5)), "model.json",
                       r"state\.epoch"),
    "epoch-string": (lambda ck: _edit_meta(ck, _set(["state", "epoch"], "1")), "model.json",
                     r"state\.epoch"),
    "schedule-huge": (lambda ck: _edit_meta(ck, _set(["state", "schedule"], 10**9)), "model.json",
                      r"state\.schedule"),
    "loss-nan": (lambda ck: _edit_meta(ck, _set(["state", "running_training_loss"], float("nan"))),
                 "model.json", "running_training_loss"),
    "vector-size-lie": (lambda ck: _edit_meta(ck, _set(["config", "vector_size"], 11)),
                        "syn0.npy", r"float32 \(\d+, 11\)"),
    "vector-size-zero": (lambda ck: _edit_meta(ck, _set(["config", "vector_size"], 0)),
                         "model.json", "vector_size must be a positive integer"),
    "workers-huge": (lambda ck: _edit_meta(ck, _set(["config", "workers"], 10**9)), "model.json",
                     "workers must be at most"),
    "config-unknown-key": (lambda ck: _edit_meta(ck, _set(["config", "syn0"], 1)), "model.json",
                           "unknown word2vec parameter"),
    "vocab-duplicate": (lambda ck: _edit_meta(ck, lambda m: m["vocab"]["index_to_key"].__setitem__(
        1, m["vocab"]["index_to_key"][0])), "model.json", "twice"),
    "vocab-int-word": (lambda ck: _edit_meta(ck, lambda m: m["vocab"]["index_to_key"].__setitem__(
        0, 7)), "model.json", r"index_to_key\[0\]"),
    "vocab-counts-short": (lambda ck: _edit_meta(ck, lambda m: m["vocab"]["counts"].pop()),
                           "model.json", "counts"),
    "version-newer": (lambda ck: _edit_meta(ck, _set(["format_version"], 99)), "model.json", "newer"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_damaged_checkpoint_is_refused_naming_the_file(checkpoint, tmp_path, name):
    ck, _ = checkpoint
    how, file, pattern = CORRUPTIONS[name]
    bad = _copy(ck, tmp_path / "ck")
    how(bad)
    with pytest.raises(VectorFormatError, match=pattern) as ei:
        Word2Vec.load(bad)
    assert ei.value.path == str(bad / file)


def test_checkpoint_job_beyond_the_corpus_is_refused_before_training(checkpoint, tmp_path):
    ck, corpus = checkpoint
    bad = _copy(ck, tmp_path / "ck")
    _edit_meta(bad, lambda m: m["state"].update(epoch=0, job=10**9))
    m = Word2Vec.load(bad)
    before = m.wv.vectors.copy()
    with pytest.raises(SimvecValueError, match="job 1000000000 of an epoch but this corpus has"):
        m.train(corpus, progress=False)
    np.testing.assert_array_equal(m.wv.vectors, before)


def test_stale_temporary_files_are_removed_on_the_next_start(checkpoint, tmp_path, caplog):
    ck, corpus = checkpoint
    d = _copy(ck, tmp_path / "ck")
    # what a SIGKILL in the middle of atomic_write leaves: mkstemp names beside the targets
    for name in (".syn0.npy.k2j4_x.tmp", ".syn1neg.npy.a8b9c0.tmp", ".model.json.zz11yy.tmp"):
        (d / name).write_bytes(b"half written")
    (d / "notes.tmp").write_text("not ours")
    m = Word2Vec.resume(d, corpus, progress=False)
    assert m.epoch == 2
    assert sorted(os.listdir(d)) == ["model.json", "notes.tmp", "syn0.npy", "syn1neg.npy"]
    assert "removed 3 temporary file(s)" in caplog.text


def test_a_good_checkpoint_still_resumes_bit_identically(checkpoint, tmp_path):
    _, corpus = checkpoint
    full = Word2Vec(corpus, vector_size=10, epochs=2, workers=1, seed=3, progress=False)
    half = tmp_path / "half"
    # interrupted after its first epoch (a callback raises), then resumed
    one = Word2Vec(vector_size=10, epochs=2, workers=1, seed=3)
    one.build_vocab(corpus)
    stop = type("Stop", (), {"on_epoch_end": lambda self, mm: _raise_after_first(mm)})()
    with pytest.raises(KeyboardInterrupt):
        one.train(corpus, progress=False, checkpoint=half, callbacks=[stop])
    resumed = Word2Vec.resume(half, corpus, progress=False)
    np.testing.assert_array_equal(resumed.wv.vectors, full.wv.vectors)
    assert isinstance(resumed.loss_history[0], float)


def _raise_after_first(m):
    if m.epoch == 1:
        raise KeyboardInterrupt


def test_errors_are_simvec_errors():
    assert issubclass(OutputPathError, SimvecError) and issubclass(OutputPathError, OSError)
