"""ELMo model: character ids, exactness against the AllenNLP fixture, parameter count, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import data_path, importorskip

torch = importorskip("torch")
h5py = importorskip("h5py")

from simvec.elmo.bilm import ElmoBiLm, count_parameters, read_options  # noqa: E402
from simvec.elmo.chars import (  # noqa: E402
    BOS_CHAR_IDS, EOS_CHAR_IDS, batch_to_ids, word_to_char_ids,
)
from simvec.elmo.embedder import Elmo, ElmoEmbedder  # noqa: E402
from simvec.elmo.scalar_mix import ScalarMix  # noqa: E402
from simvec.elmo.weights import load_weights, save_weights  # noqa: E402
from simvec.errors import SimvecValueError, VectorFormatError  # noqa: E402

ATOL = 1e-5


def fixture(name):
    return data_path("elmo", "fixture", name)


@pytest.fixture(scope="module")
def options():
    return read_options(fixture("options.json"))


def make_bilm(options, stateful=False):
    bilm = ElmoBiLm(options, stateful=stateful)
    load_weights(bilm, fixture("lm_weights.hdf5"))
    return bilm.eval()


# ----------------------------------------------------------------------------- character ids


def test_char_ids_of_a_word_follow_the_original_numbering():
    ids = word_to_char_ids("ab")
    # begin of word 258, bytes 97 98, end of word 259, padding 260: all +1
    assert ids[:5].tolist() == [259, 98, 99, 260, 261]
    assert (ids[5:] == 261).all() and ids.shape == (50,) and ids.dtype == np.int64
    assert BOS_CHAR_IDS[:4].tolist() == [259, 257, 260, 261]
    assert EOS_CHAR_IDS[:4].tolist() == [259, 258, 260, 261]
    assert (word_to_char_ids("<S>") == BOS_CHAR_IDS).all()


def test_batch_to_ids_pads_with_zero():
    ids = batch_to_ids([["a", "b", "c"], "d e"], return_tensors="np")
    assert ids.shape == (2, 3, 50)
    assert (ids[1, 2] == 0).all() and (ids[1, 1] > 0).all()
    assert batch_to_ids([["a"]]).dtype == torch.int64


def test_chinese_tokens_are_utf8_bytes():
    ids = word_to_char_ids("学习")
    assert ids[1:7].tolist() == [b + 1 for b in "学习".encode("utf-8")]
    assert ids[7] == 260  # end of word after six bytes


def test_long_token_truncated_like_the_original_or_refused():
    word = "x" * 60
    assert (word_to_char_ids(word) == word_to_char_ids("x" * 48)).all()
    zh = "学" * 17  # 51 bytes: keeps 16 characters (48 bytes)
    assert (word_to_char_ids(zh) == word_to_char_ids("学" * 16)).all()
    with pytest.raises(SimvecValueError, match="60 UTF-8 bytes"):
        word_to_char_ids(word, on_long_token="raise")


def test_empty_and_too_long_sentences_are_refused():
    with pytest.raises(SimvecValueError, match="sentence 1 is empty"):
        batch_to_ids([["a"], []])
    with pytest.raises(SimvecValueError, match="sentence 0 has 5 tokens, more than"):
        batch_to_ids(["a b c d e"], max_sentence_length=4)
    with pytest.raises(SimvecValueError, match="must be a whitespace-separated string"):
        batch_to_ids([["a", 3]])


# ----------------------------------------------------------------------------- exactness


def test_char_cnn_token_embeddings_match_fixture(options):
    """AllenNLP's test: vocab_test.txt in 10 batches of 50 tokens, boundaries removed."""
    words = fixture("vocab_test.txt").read_text(encoding="utf-8").strip().split("\n")
    bilm = make_bilm(options)
    ids = batch_to_ids([words[k * 50 : (k + 1) * 50] for k in range(10)])
    with torch.no_grad():
        emb = bilm(ids)["token_embedding"][:, 1:51].reshape(-1, 16)[: len(words)].numpy()
    with h5py.File(fixture("elmo_token_embeddings.hdf5"), "r") as f:
        expected = f["embedding"][...]
    assert expected.shape == (len(words), 16)
    np.testing.assert_allclose(emb, expected, atol=ATOL, rtol=0)


def _fixture_batches():
    sentences = json.loads(fixture("sentences.json").read_text(encoding="utf-8"))
    expected = []
    for k in range(3):
        with h5py.File(fixture(f"lm_embeddings_{k}.hdf5"), "r") as f:
            # stored (2, n, 16): forward and backward halves; concatenated -> (n, 32)
            expected.append([np.concatenate(f[str(i)][...], axis=-1) for i in range(10)])
    batches = [[sentences[k][i].split() for k in range(3)] for i in range(10)]
    return batches, expected


def test_top_layer_matches_fixture_stateful(options):
    """Batch i holds the i-th sentence of each list; states carry from batch to batch."""
    batches, expected = _fixture_batches()
    bilm = make_bilm(options, stateful=True)
    worst = 0.0
    for i, batch in enumerate(batches):
        with torch.no_grad():
            out = bilm(batch_to_ids(batch))
        lengths = out["mask"].sum(1) - 2
        assert lengths.tolist() == [len(s) for s in batch]
        top = out["activations"][2]
        for k in range(3):
            n = len(batch[k])
            got = top[k, 1 : n + 1].numpy()
            assert got.shape == expected[k][i].shape
            worst = max(worst, float(np.abs(got - expected[k][i]).max()))
            assert not top[k, n + 2 :].any()  # padding after </S> is zero
    assert worst < ATOL, worst


def test_stateless_is_batch_independent_and_differs_from_stateful(options):
    batches, expected = _fixture_batches()
    bilm = make_bilm(options, stateful=False)
    with torch.no_grad():
        together = bilm(batch_to_ids(batches[3]))["activations"][2]
        alone = bilm(batch_to_ids([batches[3][2]]))["activations"][2]
        again = bilm(batch_to_ids(batches[3]))["activations"][2]
    n = len(batches[3][2])
    np.testing.assert_allclose(together[2, : n + 2].numpy(), alone[0, : n + 2].numpy(), atol=ATOL)
    assert torch.equal(together, again)
    # the first batch has no carried state, so stateless mode reproduces it exactly ...
    with torch.no_grad():
        first = bilm(batch_to_ids(batches[0]))["activations"][2]
    n0 = len(batches[0][0])
    np.testing.assert_allclose(first[0, 1 : n0 + 1].numpy(), expected[0][0], atol=ATOL)
    # ... while later batches differ from the stateful reference (the state matters)
    assert np.abs(together[0, 1 : len(batches[3][0]) + 1].numpy() - expected[0][3]).max() > 1e-3


def test_released_small_options_build_13_6m_parameters():
    opts = read_options(data_path("elmo", "elmo_2x1024_128_2048cnn_1xhighway_options.json"))
    n = count_parameters(ElmoBiLm(opts))
    assert n == 13_593_312
    assert round(n / 1e6, 1) == 13.6


# ----------------------------------------------------------------------------- weights files


def test_save_weights_is_the_inverse_of_load(options, tmp_path):
    bilm = make_bilm(options)
    out = tmp_path / "w.hdf5"
    save_weights(bilm, out)
    with h5py.File(fixture("lm_weights.hdf5"), "r") as a, h5py.File(out, "r") as b:
        names = []
        a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        assert len(names) == 33  # char_embed, 10 CNN, 8 highway, 2 proj, 12 LSTM
        for name in names:
            np.testing.assert_allclose(b[name][...], a[name][...], atol=1e-6, err_msg=name)
    again = ElmoBiLm(options)
    load_weights(again, out)
    ids = batch_to_ids([["Hello", "world", "!"]])
    with torch.no_grad():
        np.testing.assert_allclose(again.eval()(ids)["activations"][2].numpy(),
                                   bilm(ids)["activations"][2].numpy(), atol=1e-6)


def test_options_and_weights_disagree_names_tensor_and_shape(options):
    bad = json.loads(json.dumps(options))
    bad["lstm"]["dim"] = 32
    bilm = ElmoBiLm(bad)
    before = [p.clone() for p in bilm.parameters()]
    with pytest.raises(VectorFormatError) as err:
        load_weights(bilm, fixture("lm_weights.hdf5"))
    msg = str(err.value)
    assert "RNN_0/RNN/MultiRNNCell/Cell0/LSTMCell/W_0" in msg
    assert "(32, 256)" in msg and "(32, 128)" in msg and "lm_weights.hdf5" in msg
    assert all(torch.equal(a, b) for a, b in zip(before, bilm.parameters()))  # untouched


def test_missing_dataset_is_named(options, tmp_path):
    path = tmp_path / "w.hdf5"
    save_weights(make_bilm(options), path)
    with h5py.File(path, "a") as f:
        del f["CNN_high_1/W_carry"]
    with pytest.raises(VectorFormatError, match="missing dataset 'CNN_high_1/W_carry'"):
        load_weights(ElmoBiLm(options), path)


def test_bad_options_file(tmp_path):
    p = tmp_path / "options.json"
    p.write_text(json.dumps({"lstm": {"dim": 8, "n_layers": 1}, "char_cnn": {}}))
    with pytest.raises(VectorFormatError, match="lstm.projection_dim"):
        read_options(p)
    p.write_text("{not json")
    with pytest.raises(VectorFormatError, match="not a JSON"):
        read_options(p)


# ----------------------------------------------------------------------------- Elmo outputs


def test_scalar_mix_weights_gamma_and_layer_norm():
    mix = ScalarMix(2, initial_scalar_parameters=[0.0, np.log(3.0)])
    with torch.no_grad():
        mix.gamma.fill_(2.0)
    a, b = torch.ones(1, 2, 3), torch.full((1, 2, 3), 5.0)
    assert torch.allclose(mix([a, b]), torch.full((1, 2, 3), 2 * (0.25 + 0.75 * 5)))
    ln = ScalarMix(1, do_layer_norm=True)
    x = torch.tensor([[[1.0, 3.0], [100.0, 100.0]]])
    y = ln([x], torch.tensor([[True, False]]))
    assert torch.allclose(y[0, 0], torch.tensor([-1.0, 1.0]), atol=1e-5)


def test_elmo_outputs_have_tf_hub_names_and_shapes():
    elmo = Elmo(fixture("options.json"), fixture("lm_weights.hdf5")).eval()
    with torch.no_grad():
        out = elmo(["the cat sat down", "机器 学习"])
    assert out["word_emb"].shape == (2, 4, 16)
    for name in ("lstm_outputs1", "lstm_outputs2", "elmo"):
        assert out[name].shape == (2, 4, 32)
    assert out["default"].shape == (2, 32)
    assert out["mask"].tolist() == [[True] * 4, [True, True, False, False]]
    assert not out["elmo"][1, 2:].any()
    assert torch.allclose(out["default"][1], out["elmo"][1, :2].mean(0), atol=1e-6)
    # equal mixing weights, gamma 1: elmo = mean of [word_emb; word_emb], lstm 1, lstm 2
    tok = torch.cat([out["word_emb"], out["word_emb"]], -1)
    mean = (tok + out["lstm_outputs1"] + out["lstm_outputs2"]) / 3
    assert torch.allclose(out["elmo"], mean, atol=1e-6)


def test_vocab_cache_gives_the_same_vectors():
    emb = ElmoEmbedder(fixture("options.json"), fixture("lm_weights.hdf5"), device="cpu")
    cached = ElmoEmbedder(fixture("options.json"), fixture("lm_weights.hdf5"), device="cpu",
                          vocab_to_cache=["the", "cat", "学习"])
    s = ["the cat likes 学习", "a cat"]
    for a, b in zip(emb.embed(s), cached.embed(s)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert len(cached.elmo._cache_index) == 3


def test_embedder_outputs_in_input_order_and_batch_independent():
    emb = ElmoEmbedder(fixture("options.json"), fixture("lm_weights.hdf5"), batch_size=2,
                       device="cpu")
    s = ["a b c d e f", "short one", "中文 关键词 测试", "x"]
    res = emb.embed(s)
    assert [r.shape for r in res] == [(6, 32), (2, 32), (3, 32), (1, 32)]
    np.testing.assert_allclose(emb.embed([s[2]])[0], res[2], atol=1e-6)
    layers = emb.embed_sentence(s[0])
    assert layers.shape == (3, 6, 32)
    np.testing.assert_allclose(layers[2], emb.embed(s[:1], output="lstm_outputs2")[0], atol=1e-6)
    assert emb.embed(s, "default", return_tensors="pt").shape == (4, 32)
    with pytest.raises(SimvecValueError, match="sentence 1 is empty"):
        emb.embed(["a", ""])
    with pytest.raises(SimvecValueError, match="output must be one of"):
        emb.embed(["a"], output="lstm_outputs3")


@pytest.mark.fresh_interpreter("import simvec, simvec.elmo, sys; print('torch' in sys.modules)")
def test_import_simvec_elmo_does_not_import_torch(fresh_interpreter):
    assert fresh_interpreter.returncode == 0, fresh_interpreter.stderr
    assert fresh_interpreter.stdout.strip() == "False"


def test_elmo_api_reproduces_fixture_in_stateful_mode():
    """The high-level path (CNN once per distinct token, boundaries stripped) gives the same."""
    batches, expected = _fixture_batches()
    elmo = Elmo(fixture("options.json"), fixture("lm_weights.hdf5"), stateful=True).eval()
    worst = 0.0
    with torch.no_grad():
        for i, batch in enumerate(batches):
            top = elmo(batch)["lstm_outputs2"]
            for k in range(3):
                got = top[k, : len(batch[k])].numpy()
                worst = max(worst, float(np.abs(got - expected[k][i]).max()))
    assert worst < ATOL, worst
    elmo.reset_states()
    with torch.no_grad():
        again = elmo(batches[0])["lstm_outputs2"][0, : len(batches[0][0])].numpy()
    np.testing.assert_allclose(again, expected[0][0], atol=ATOL)
