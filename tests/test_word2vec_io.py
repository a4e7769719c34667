"""Word2Vec persistence: save/load, export to every vector format, checkpoint and resume."""

from __future__ import annotations

import _thread
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import data_path
from simvec.errors import SimvecFileNotFoundError, VectorFormatError
from simvec.text.corpus import TextCorpus
from simvec.vectors.formats import load_vectors
from simvec.word2vec import Word2Vec

TOY = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"],
       ["a", "cat", "and", "a", "dog"]] * 40
SETTINGS = dict(sg=True, min_count=2, epochs=6, workers=1, seed=5, batch_words=2000,
                progress=False)


@pytest.fixture(scope="module")
def lee():
    return list(TextCorpus(data_path("corpus", "lee_background.cor")))


@pytest.fixture(scope="module")
def reference(lee):
    """The uninterrupted run every resumed run must reproduce bit for bit (workers=1)."""
    return Word2Vec(lee, **SETTINGS)


def _same(a: Word2Vec, b: Word2Vec):
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    assert np.array_equal(a.syn1neg, b.syn1neg)
    assert a.loss_history == b.loss_history
    assert a.wv.index_to_key == b.wv.index_to_key


def test_save_load_roundtrip_and_continue(tmp_path):
    m = Word2Vec(TOY, vector_size=12, min_count=1, epochs=2, workers=1, seed=3, progress=False)
    m.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "syn0.npy",
                                                                  "syn1neg.npy"]
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["config"]["vector_size"] == 12 and meta["state"]["epoch"] == 2
    r = Word2Vec.load(tmp_path / "m")
    _same(m, r)
    assert r.config == m.config and r.vocab.counts.tolist() == m.vocab.counts.tolist()
    before = r.wv.vectors.copy()
    r.train(TOY, epochs=1, progress=False)  # further training: a new one-epoch schedule
    assert len(r.loss_history) == 3 and not np.array_equal(before, r.wv.vectors)
    r.train(TOY)  # schedule finished: nothing left to do
    assert len(r.loss_history) == 3


def test_load_detects_mixed_or_missing_files(tmp_path):
    a = Word2Vec(TOY, vector_size=8, min_count=1, epochs=1, workers=1, seed=1, progress=False)
    b = Word2Vec(TOY, vector_size=8, min_count=1, epochs=1, workers=1, seed=2, progress=False)
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    os.replace(tmp_path / "b" / "syn0.npy", tmp_path / "a" / "syn0.npy")
    with pytest.raises(VectorFormatError, match="syn0.npy"):
        Word2Vec.load(tmp_path / "a")
    with pytest.raises(SimvecFileNotFoundError, match="syn0.npy"):
        Word2Vec.load(tmp_path / "b")
    (tmp_path / "c").mkdir()
    for name in ("model.json", "syn0.npy", "syn1neg.npy"):
        (tmp_path / "c" / name).write_text("{}")
    with pytest.raises(VectorFormatError, match="not a simvec Word2Vec"):
        Word2Vec.load(tmp_path / "c")


@pytest.mark.parametrize("fmt, name", [("native", "v"), ("word2vec", "v.txt"),
                                       ("word2vec-binary", "v.bin"), ("glove", "v.glove.txt"),
                                       ("fasttext", "v.vec")])
def test_export_every_format(tmp_path, fmt, name):
    m = Word2Vec(TOY, vector_size=10, min_count=1, epochs=1, workers=1, seed=1, progress=False)
    m.save_vectors(tmp_path / name, format=fmt)
    kv = load_vectors(tmp_path / name, format=fmt)
    assert kv.index_to_key == m.wv.index_to_key
    np.testing.assert_allclose(kv.vectors, m.wv.vectors, rtol=1e-5, atol=1e-6)


class _StopAfter:
    def __init__(self, n):
        self.n = n

    def on_epoch_end(self, model):
        if model.epoch == self.n:
            raise KeyboardInterrupt


def test_interrupted_at_epoch_end_resumes_identically(tmp_path, lee, reference):
    ck = tmp_path / "ck"
    with pytest.raises(KeyboardInterrupt):
        Word2Vec(lee, callbacks=[_StopAfter(2)], checkpoint=ck, **SETTINGS)
    state = json.loads((ck / "model.json").read_text())["state"]
    assert (state["epoch"], state["job"]) == (2, 0)
    _same(Word2Vec.resume(ck, lee, progress=False), reference)


def test_keyboard_interrupt_mid_epoch_resumes_identically(tmp_path, lee, reference, request):
    ck = tmp_path / "ck"
    # interrupt_main does nothing while SIGINT is ignored (a job started in the background by a
    # non-interactive shell, as CI may be): install Python's handler for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    timer = threading.Timer(0.5, _thread.interrupt_main)
    m = Word2Vec(**{k: v for k, v in SETTINGS.items() if k != "progress"})
    m.build_vocab(lee)
    m.train(lee, epochs=1, progress=False)  # compile + encode before the clock starts
    m = Word2Vec(**{k: v for k, v in SETTINGS.items() if k != "progress"})
    m.build_vocab(lee)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            m.train(lee, checkpoint=ck, progress=False)
            time.sleep(5)  # training ended before the timer: make the interrupt land here
    finally:
        timer.cancel()
    if not (ck / "model.json").exists():
        pytest.skip("training finished before the interrupt (machine too fast)")
    state = json.loads((ck / "model.json").read_text())["state"]
    assert (state["epoch"], state["job"]) < (6, 0)
    print("interrupted at", state["epoch"], state["job"])
    _same(Word2Vec.resume(ck, lee, progress=False), reference)


_CHILD = """
import sys
from simvec.text.corpus import TextCorpus
from simvec.word2vec import Word2Vec
lee = list(TextCorpus(sys.argv[1]))
Word2Vec(lee, checkpoint=sys.argv[2], checkpoint_interval=0.0, {settings})
"""


def test_killed_process_resumes_from_checkpoint(tmp_path, lee, reference):
    """SIGKILL (no chance to clean up) mid-run; the last atomic checkpoint resumes exactly."""
    ck = tmp_path / "ck"
    code = _CHILD.format(settings=", ".join(f"{k}={v!r}" for k, v in SETTINGS.items()))
    proc = subprocess.Popen([sys.executable, "-c", code,
                             str(data_path("corpus", "lee_background.cor")), str(ck)])
    try:
        deadline = time.monotonic() + 60
        state = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                state = json.loads((ck / "model.json").read_text())["state"]
            except (OSError, ValueError):
                state = None
            if state is not None and state["job"] > 0:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    if state is None:
        pytest.skip("the child finished or failed before its first checkpoint")
    resumed = Word2Vec.resume(ck, lee, progress=False)
    _same(resumed, reference)
