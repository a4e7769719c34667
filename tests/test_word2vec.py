"""Word2Vec (numba engine): parameters, bad input, loss, reproducibility, quality on Lee."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import data_path
from simvec.errors import SimvecValueError
from simvec.eval.words import evaluate_word_pairs
from simvec.text.corpus import TextCorpus
from simvec.word2vec import Word2Vec, Word2VecConfig

TOY = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"],
       ["a", "cat", "and", "a", "dog"]] * 40


@pytest.fixture(scope="module")
def lee():
    return list(TextCorpus(data_path("corpus", "lee_background.cor")))


@pytest.mark.parametrize("kwargs, name", [
    ({"vector_size": 0}, "vector_size"), ({"window": 0}, "window"),
    ({"negative": -1}, "negative"), ({"negative": 0}, "negative"), ({"sample": -1e-3}, "sample"),
    ({"alpha": 0}, "alpha"), ({"min_alpha": -1.0}, "min_alpha"), ({"epochs": 0}, "epochs"),
    ({"workers": -2}, "workers"), ({"vector_size": 2.5}, "vector_size"),
    ({"min_count": 0}, "min_count"), ({"alpha": 0.01, "min_alpha": 0.1}, "min_alpha"),
    ({"sample": float("nan")}, "sample"), ({"max_vocab_size": 0}, "max_vocab_size"),
    ({"seed": -1}, "seed"),
])
def test_invalid_parameters(kwargs, name):
    with pytest.raises(SimvecValueError, match=name) as ei:
        Word2Vec(TOY, **kwargs)
    assert "got" in str(ei.value)


def test_vector_size_message_exact():
    with pytest.raises(ValueError, match=r"^vector_size must be a positive integer, got 0$"):
        Word2VecConfig(vector_size=0)


def test_empty_corpus(tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n")
    for corpus in ([], [[]], tmp_path / "empty.txt"):
        with pytest.raises(SimvecValueError, match="empty"):
            Word2Vec(corpus, min_count=1, progress=False)


def test_all_words_under_min_count():
    with pytest.raises(SimvecValueError) as ei:
        Word2Vec([["a", "b", "a"], ["c"]], min_count=3, progress=False)
    msg = str(ei.value)
    assert "min_count=3" in msg and "'a'" in msg and "2 time" in msg


def test_one_shot_iterator_rejected():
    with pytest.raises(SimvecValueError, match="one-shot"):
        Word2Vec((s for s in TOY), min_count=1)


def test_train_before_vocab_and_other_corpus():
    m = Word2Vec(min_count=1)
    with pytest.raises(SimvecValueError, match="build_vocab"):
        m.train(TOY)
    m.build_vocab(TOY)
    with pytest.raises(SimvecValueError, match="tokens"):
        m.train(TOY[:10], progress=False)


def _fit(corpus, **kw):
    base = dict(vector_size=16, min_count=1, epochs=3, workers=1, seed=7, progress=False)
    base.update(kw)
    return Word2Vec(corpus, **base)


@pytest.mark.parametrize("sg", [False, True])
def test_reproducible_seed_workers_1(sg):
    a = _fit(TOY, sg=sg)
    b = _fit(TOY, sg=sg)
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    assert np.array_equal(a.syn1neg, b.syn1neg)
    assert a.loss_history == b.loss_history
    c = _fit(TOY, sg=sg, seed=8)
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_shapes_dtypes_and_vocab_order():
    m = _fit(TOY)
    assert m.wv.vectors.dtype == np.float32 and m.wv.vectors.shape == (len(m.vocab), 16)
    assert m.wv.index_to_key[0] == "the" and m.wv.vectors is not None
    assert m.syn1neg.dtype == np.float32
    assert np.isfinite(m.wv.vectors).all()
    assert m.epoch == 3 and len(m.loss_history) == 3


@pytest.mark.parametrize("sg, examples, n_terms", [(False, 31, 116), (True, 32, 119)])
def test_loss_is_exact_without_learning(sg, examples, n_terms):
    # alpha ~ 0: output weights stay 0, every dot product is 0, each term costs log 2 exactly.
    m = _fit(TOY, sg=sg, alpha=1e-30, min_alpha=0.0, epochs=1, negative=3)
    terms = m.loss_history[0] / math.log(2)
    pos = m.running_examples
    # every positive example plus up to `negative` noise words (fewer when noise == centre);
    # measured with seed 7: 31 examples, 116 terms (CBOW); 32 and 119 (skip-gram)
    assert pos == examples and terms <= pos * (1 + 3)
    assert terms == pytest.approx(n_terms, abs=1e-4)
    assert isinstance(m.loss_history[0], float)


def test_loss_decreases_and_reaches_callbacks(lee):
    seen = []

    class Recorder:
        def on_train_begin(self, model):
            seen.append(("begin", model.epoch))

        def on_epoch_end(self, model):
            seen.append(("epoch", model.epoch, model.get_latest_training_loss()))

        def on_train_end(self, model):
            seen.append(("end", model.epoch))

    m = Word2Vec(lee, min_count=2, epochs=4, workers=2, seed=1, callbacks=[Recorder()],
                 progress=False)
    losses = [s[2] for s in seen if s[0] == "epoch"]
    assert seen[0] == ("begin", 0) and seen[-1] == ("end", 4)
    assert [s[1] for s in seen if s[0] == "epoch"] == [1, 2, 3, 4]
    assert losses == m.loss_history
    assert losses[0] > losses[1] > losses[3] > 0
    assert m.loss_history[0] > 2.0**17  # float64 sum, far above float32 steps of ~1
    # measured (two workers race: not bit-reproducible): 176,628-176,680 in 3 runs -> 128,428-
    # 128,441; one worker 176,489 -> 128,388
    assert losses[0] == pytest.approx(176_650, rel=2e-3)
    assert losses[3] == pytest.approx(128_430, rel=2e-3)


def _fire_gap(wv):
    """Mean cosine among fire words minus their mean cosine to unrelated words (about 0 for
    untrained vectors)."""
    fire = ["fire", "fires", "firefighters", "blaze", "bushfire", "crews", "burning"]
    other = ["taliban", "cricket", "economy", "palestinian", "match", "bank", "test"]
    s_in = np.mean([wv.similarity(a, b) for a in fire for b in fire if a < b])
    return s_in - np.mean([wv.similarity(a, b) for a in fire for b in other])


def test_workers_2_runs_and_learns(lee):
    # 8 epochs (the WS-353 figure needs 20: test_skipgram_quality_floor_lee). Two workers race
    # (not bit-reproducible): fire gap 0.155-0.157 in 6 runs; one worker, seeds 1-5: 0.153-0.180
    m = Word2Vec(lee, sg=True, min_count=2, epochs=8, workers=2, seed=1, progress=False)
    assert _fire_gap(m.wv) == pytest.approx(0.156, abs=0.025)


def test_skipgram_quality_floor_lee(lee):
    # measured: 0.1904 with seed 1 (bit-identical run to run on one machine); seeds 2-5 give
    # 0.165-0.187; gensim 4.4 with the same settings 0.199 / 0.188 (seeds 1, 2; 131 of 353 pairs
    # in vocabulary). The band is that seed-to-seed spread: another CPU's rounding (fastmath
    # kernels) acts like another seed, while a training that learns nothing scores about 0.
    m = Word2Vec(lee, sg=True, min_count=2, epochs=20, workers=1, seed=1, progress=False)
    r = evaluate_word_pairs(m.wv, data_path("similarity", "EN-WS-353-ALL.txt"))
    assert r.pairs_used == 131
    assert r.spearman[0] == pytest.approx(0.1904, abs=0.03)
    near = [w for w, _ in m.wv.most_similar("fire", topn=10)]
    # measured: 6 of these among the 10 nearest with seed 1 (seeds 2-5: 5-6)
    assert len({"service", "crews", "rural", "brigade", "firefighters", "blaze", "fires",
                "bushfires", "tank", "destroyed", "burning"} & set(near)) >= 5, near


def test_cbow_quality_lee(lee):
    m = Word2Vec(lee, sg=False, min_count=2, epochs=20, workers=1, seed=1, progress=False)
    # measured gap 0.1797 with seed 1 (seeds 2-5: 0.169-0.188), gensim 4.4 0.21
    assert _fire_gap(m.wv) == pytest.approx(0.1797, abs=0.02)


def test_job_order_interleaves_worker_parts():
    from simvec.word2vec.model import _job_order

    starts = np.arange(0, 101, 10)
    bounds = np.arange(11)
    order, prefix = _job_order(starts, bounds, 2)
    assert order.tolist() == [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]
    assert prefix.tolist() == list(range(0, 101, 10))
    assert _job_order(starts, bounds, 1)[0].tolist() == list(range(10))
    assert sorted(_job_order(starts, bounds, 3)[0].tolist()) == list(range(10))


def test_shared_negatives_skipgram_reproducible_and_learns(lee):
    kw = dict(sg=True, shared_negatives=True, min_count=2, workers=1, seed=1, progress=False)
    # reproducible, and not the exact sampler: two epochs show either
    short = Word2Vec(lee, epochs=2, **kw)
    assert np.array_equal(short.wv.vectors, Word2Vec(lee, epochs=2, **kw).wv.vectors)
    exact = Word2Vec(lee, epochs=2, **{**kw, "shared_negatives": False})
    assert not np.array_equal(short.wv.vectors, exact.wv.vectors)
    # and it learns as well as the exact sampler: after 8 epochs fire gap 0.1857 with seed 1
    # (bit-identical run to run; seeds 2-5: 0.173-0.182; the exact sampler 0.153-0.180). After
    # 20, WS-353 Spearman 0.180 (seeds 2-5: 0.202-0.214; exact 0.165-0.190)
    m = Word2Vec(lee, epochs=8, **kw)
    assert _fire_gap(m.wv) == pytest.approx(0.1857, abs=0.025)


def test_cache_dir_gives_identical_vectors(tmp_path):
    kw = dict(sg=True, min_count=1, epochs=2, workers=1, seed=4, vector_size=16, progress=False)
    ref = Word2Vec(TOY, **kw)
    m = Word2Vec(TOY, cache_dir=tmp_path, **kw)
    assert np.array_equal(m.wv.vectors, ref.wv.vectors)
    assert m.loss_history == ref.loss_history
    assert list(tmp_path.iterdir()) == []
