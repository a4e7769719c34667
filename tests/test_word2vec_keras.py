"""The Keras 3 word2vec model: one shared Embedding, batches like the fast engine, it learns."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import data_path, importorskip

keras_w2v = importorskip("simvec.word2vec.keras")

from simvec.text.corpus import TextCorpus  # noqa: E402
from simvec.text.vocab import Vocabulary  # noqa: E402

FIRE = ["fire", "fires", "firefighters", "blaze", "bushfire", "crews", "burning"]
OTHER = ["taliban", "cricket", "economy", "palestinian", "match", "bank", "test"]


@pytest.fixture(scope="module")
def lee():
    return list(TextCorpus(data_path("corpus", "lee_background.cor")))


def _gap(kv):
    s_in = np.mean([kv.similarity(a, b) for a in FIRE for b in FIRE if a < b])
    s_out = np.mean([kv.similarity(a, b) for a in FIRE for b in OTHER])
    return s_in - s_out


@pytest.mark.parametrize("sg", [False, True])
def test_one_shared_embedding(sg):
    import keras

    m = keras_w2v.build_model(50, vector_size=8, sg=sg, window=2, negative=3)
    embs = [layer for layer in m.layers if isinstance(layer, keras.layers.Embedding)]
    assert len(embs) == 1 and embs[0].name == keras_w2v.EMBEDDING_NAME
    assert tuple(embs[0].embeddings.shape) == (51, 8)
    assert len(m.trainable_weights) == 1  # everything the model learns is that one matrix
    b = 4
    x = ({"centre": np.zeros((b, 1), np.int32)} if sg else
         {"context": np.zeros((b, 4), np.int32), "context_mask": np.ones((b, 4), np.float32)})
    x.update(target=np.ones((b, 1), np.int32), negatives=np.full((b, 3), 2, np.int32))
    out = keras.ops.convert_to_numpy(m(x))
    assert out.shape == (b, 4)
    # the logits are dot products of rows of that one matrix
    w = keras.ops.convert_to_numpy(embs[0].embeddings)
    h = w[0]
    np.testing.assert_allclose(out[0], [h @ w[1], h @ w[2], h @ w[2], h @ w[2]], rtol=1e-4,
                               atol=1e-7)


def test_bad_sizes():
    with pytest.raises(ValueError, match="vector_size"):
        keras_w2v.build_model(10, vector_size=0)


@pytest.mark.parametrize("sg", [False, True])
def test_batches_follow_engine_rules(lee, sg):
    v = Vocabulary.build(lee, min_count=2)
    d = keras_w2v.Word2VecBatches(lee, v, sg=sg, window=3, negative=4, batch_size=300, seed=2)
    assert (d.cur.size, v.retained_words) == (43566, 57278)  # subsampling dropped frequent words
    x, y = d[1]
    n = y.shape[0]
    assert y.shape == (n, 5) and (y[:, 0] == 1).all() and (y[:, 1:] == 0).all()
    assert x["negatives"].shape == (n, 4) and x["negatives"].max() < len(v)
    if sg:
        assert n == 1225  # one example per (centre, context) pair
        assert x["centre"].shape == x["target"].shape == (n, 1)
    else:
        assert n == 300 and x["context"].shape == (300, 6)
        mask = x["context_mask"].astype(bool)
        assert (x["context"][~mask] == len(v)).all() and (x["context"][mask] < len(v)).all()
        assert mask.sum(1).min() >= 1 and mask.sum(1).max() <= 6
    # noise follows count ** 0.75: "the" is drawn far more than a rare word
    neg = np.concatenate([d[i][0]["negatives"].ravel() for i in range(len(d))])
    assert (neg == 0).mean() == pytest.approx(0.023318 if sg else 0.022936, abs=1e-6)


def test_cbow_learns_on_lee(lee):
    # 32 dimensions, 3 epochs (the defaults, 100 and 5, take three times as long). Measured with
    # seed 1 (bit-identical run to run): loss 0.6917 -> 0.6780, gap 0.145; seeds 2-4:
    # 0.6916-0.6918 -> 0.6772-0.6780, gap 0.21-0.44 (with 100 dimensions and 5 epochs: 0.6910 ->
    # 0.6699, gap 0.109; WordSim-353 Spearman 0.21 on the 131 pairs in vocabulary after 10)
    kv, model, hist = keras_w2v.train_keras(lee, sg=False, vector_size=32, min_count=2, epochs=3,
                                            seed=1)
    loss = hist.history["loss"]
    assert loss[0] == pytest.approx(0.6917, abs=0.001)
    assert loss[-1] == pytest.approx(0.6780, abs=0.0015)
    assert kv.vector_size == 32 and kv.index_to_key[0] == "the"
    assert 0.12 < _gap(kv) < 0.46


def test_skipgram_learns_on_lee(lee):
    # 32 dimensions, 2 epochs. Measured with seed 1 (bit-identical run to run): loss 0.6925 ->
    # 0.6893, gap 0.190; seeds 2-4: 0.6924-0.6925 -> 0.6892-0.6896, gap 0.20-0.29
    kv, model, hist = keras_w2v.train_keras(lee, sg=True, vector_size=32, min_count=2, epochs=2,
                                            seed=1)
    assert hist.history["loss"][0] == pytest.approx(0.6925, abs=0.001)
    assert hist.history["loss"][-1] == pytest.approx(0.6893, abs=0.001)
    assert 0.16 < _gap(kv) < 0.32


# -- progress and threads (issue 12 items 8 and 10) ---------------------------------------------

def test_train_keras_logs_progress_when_piped(lee, caplog):
    """Not silent any more: log lines (epoch, words/s, learning rate, loss) when not a terminal."""
    import logging

    with caplog.at_level(logging.INFO, logger="simvec.word2vec"):
        _, _, hist = keras_w2v.train_keras(lee[:100], vector_size=8, min_count=2, epochs=2,
                                           seed=1, progress_interval=0.0)
    lines = [r.getMessage() for r in caplog.records if r.name == "simvec.word2vec"]
    steps = [m for m in lines if "M words/s" in m]
    assert steps and steps[0].split()[1:3] == ["epoch", "1/2"]
    assert "alpha 0.02000" in steps[0] and "loss 0.69" in steps[0]
    assert steps[-1].startswith("100.0% epoch 2/2")
    assert [m.split(":")[0] for m in lines if m.startswith("keras word2vec")] == \
        ["keras word2vec epoch 1/2", "keras word2vec epoch 2/2"]
    assert len(hist.history["loss"]) == 2


def test_train_keras_bar_on_a_terminal_and_silent_with_verbose_0(lee, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    keras_w2v.train_keras(lee[:60], vector_size=8, min_count=2, epochs=1, seed=1)
    err = capsys.readouterr()
    assert "word2vec" in err.err and "epoch 1/1" in err.err and err.out == ""
    keras_w2v.train_keras(lee[:60], vector_size=8, min_count=2, epochs=1, seed=1, verbose=0)
    assert capsys.readouterr().err == ""


def test_train_keras_runs_on_one_torch_thread_by_default(lee, monkeypatch):
    import torch

    seen = []
    orig = keras_w2v._FitProgress.on_train_batch_end

    def spy(self, batch, logs=None):
        seen.append(torch.get_num_threads())
        return orig(self, batch, logs)

    monkeypatch.setattr(keras_w2v._FitProgress, "on_train_batch_end", spy)
    torch.set_num_threads(2)  # as torch's default on a 2-core machine (the tests pin 1)
    try:
        keras_w2v.train_keras(lee[:20], vector_size=8, min_count=2, epochs=1, seed=1)
        assert keras_w2v.DEFAULT_THREADS == 1 and set(seen) == {1}
        assert torch.get_num_threads() == 2  # restored
        seen.clear()
        keras_w2v.train_keras(lee[:20], vector_size=8, min_count=2, epochs=1, seed=1,
                              threads=None)
        assert set(seen) == {2}
    finally:
        torch.set_num_threads(1)
    with pytest.raises(keras_w2v.SimvecValueError, match="threads must be a positive integer"):
        keras_w2v.train_keras(lee[:20], threads=0)
