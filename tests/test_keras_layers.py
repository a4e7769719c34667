"""simvec.keras: layer contract (keras-hub style), analytic values, frozen weights, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from conftest import data_path, importorskip

importorskip("torch")
sk_layers = importorskip("simvec.keras.layers")  # sets KERAS_BACKEND=torch if unset

import keras  # noqa: E402

from simvec.errors import SimvecValueError  # noqa: E402
from simvec.keras import (  # noqa: E402
    CosineSimilarity,
    ElmoEmbedding,
    TextVectorizer,
    embedding_matrix,
    pretrained_embedding,
)
from simvec.vectors.keyed import KeyedVectors  # noqa: E402

if keras.backend.backend() != "torch":  # pragma: no cover - another test chose the backend
    pytest.skip("simvec.keras needs the torch Keras backend", allow_module_level=True)


def to_np(x):
    return np.array(keras.ops.convert_to_numpy(x), copy=True)


# ----------------------------------------------------------------------------- the harness


def run_layer_contract(make_layer, inputs, *, expected_output=None, expected_shape=None,
                       input_dtypes=None, trainable_should_change=True, tmp_path=None,
                       atol=1e-6):
    """keras-hub style contract test of one layer.

    1. config round-trip: ``from_config(get_config())`` gives an equal config, and Keras'
       ``serialize_keras_object`` / ``deserialize_keras_object`` finds the registered class;
    2. build and call on known ``inputs``: output shape and (analytic) values;
    3. one ``fit`` step of a functional model using the layer (Dense head, MSE): finite loss;
       the layer's non-trainable weights are unchanged; its trainable ones change iff
       ``trainable_should_change``;
    4. save to ``.keras`` and load (safe mode): identical outputs and weights.

    Returns the model (for further checks).
    """
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    input_dtypes = input_dtypes or ["float32"] * len(inputs)

    # 1. config round-trip
    layer = make_layer()
    config = layer.get_config()
    json.dumps(config)  # plain JSON, no pickled objects
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    ser = keras.saving.serialize_keras_object(layer)
    again = keras.saving.deserialize_keras_object(ser)
    assert type(again) is type(layer) and again.get_config() == config

    # 2. build and call on known inputs
    out = layer(inputs[0] if single else inputs)
    assert layer.built
    out = to_np(out)
    if expected_shape is not None:
        assert out.shape == tuple(expected_shape)
    if expected_output is not None:
        np.testing.assert_allclose(out, expected_output, atol=atol, rtol=1e-5)
    assert np.isfinite(out).all()

    # 3. a functional model; one fit step
    sym = [keras.Input(x.shape[1:], dtype=dt) for x, dt in zip(inputs, input_dtypes)]
    y = layer(sym[0] if single else sym)
    y = (keras.layers.GlobalAveragePooling1D()(y) if len(y.shape) == 3
         else keras.layers.Flatten()(y))
    model = keras.Model(sym, keras.layers.Dense(1, name="head")(y))
    before_t = [to_np(w) for w in layer.trainable_weights]
    before_n = [to_np(w) for w in layer.non_trainable_weights]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    target = np.linspace(-1, 1, len(inputs[0])).astype("float32")[:, None]
    hist = model.fit(inputs[0] if single else inputs, target, batch_size=len(target),
                     epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(hist.history["loss"][0])
    for w, b in zip(layer.non_trainable_weights, before_n):
        np.testing.assert_array_equal(to_np(w), b, err_msg=f"frozen weight {w.path} changed")
    changed = [not np.array_equal(to_np(w), b) for w, b in zip(layer.trainable_weights, before_t)]
    if trainable_should_change:
        assert changed and any(changed), "one fit step changed none of the layer's weights"
    else:
        assert not any(changed)

    # 4. save and load
    assert tmp_path is not None
    path = tmp_path / f"{layer.name}.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)  # safe mode: nothing pickled
    feed = inputs[0] if single else inputs
    np.testing.assert_allclose(to_np(reloaded.predict(feed, verbose=0)),
                               to_np(model.predict(feed, verbose=0)), atol=1e-6, rtol=0)
    assert len(reloaded.weights) == len(model.weights)
    for a, b in zip(reloaded.weights, model.weights):
        np.testing.assert_array_equal(to_np(a), to_np(b))

    def count(ws):
        return sum(int(np.prod(w.shape)) for w in ws)

    # trainability survives the round trip (frozen stays frozen)
    assert count(reloaded.trainable_weights) == count(model.trainable_weights)
    assert count(reloaded.non_trainable_weights) == count(model.non_trainable_weights)
    return model


# ----------------------------------------------------------------------------- CosineSimilarity


def np_cosine(a, b, axis=-1):
    na = np.linalg.norm(a, axis=axis, keepdims=True)
    nb = np.linalg.norm(b, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (a * b).sum(axis=axis, keepdims=True) / (na * nb)
    return np.nan_to_num(c, nan=0.0)


def test_cosine_contract_analytic_values(tmp_path):
    a = np.array([[1, 0, 0], [0, 0, 0], [3, 4, 0], [1, 2, 3]], "float32")
    b = np.array([[1, 1, 0], [5, 1, 2], [-3, -4, 0], [2, 4, 6]], "float32")
    expected = np.array([[1 / np.sqrt(2)], [0.0], [-1.0], [1.0]], "float32")
    run_layer_contract(CosineSimilarity, [a, b], expected_output=expected,
                       expected_shape=(4, 1), tmp_path=tmp_path,
                       trainable_should_change=False)


def test_cosine_matches_numpy_on_3d_inputs_and_other_axis():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 5, 7)).astype("float32")
    b = rng.normal(size=(3, 5, 7)).astype("float32")
    out = to_np(CosineSimilarity()([a, b]))
    assert out.shape == (3, 5, 1)
    np.testing.assert_allclose(out, np_cosine(a, b), atol=1e-6)
    out1 = to_np(CosineSimilarity(axis=1)([a, b]))
    assert out1.shape == (3, 1, 7)
    np.testing.assert_allclose(out1, np_cosine(a, b, axis=1), atol=1e-6)
    assert CosineSimilarity().compute_output_shape([(None, 5, 7), (None, 5, 7)]) == (None, 5, 1)
    # broadcasting a single vector against a sequence
    q = a[:, :1]
    np.testing.assert_allclose(to_np(CosineSimilarity()([q, b])), np_cosine(q, b), atol=1e-6)


def test_cosine_is_in_range_and_zero_vectors_give_zero_with_finite_gradients():
    import torch

    a = torch.tensor([[0.0, 0.0, 0.0], [1e-30, 0.0, 0.0], [2.0, 2.0, 2.0]], requires_grad=True)
    b = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [4.0, 4.0, 4.0]], requires_grad=True)
    out = CosineSimilarity()([a, b])
    vals = out.detach().numpy().ravel()
    np.testing.assert_allclose(vals, [0.0, 0.0, 1.0], atol=1e-6)
    assert ((vals >= -1) & (vals <= 1)).all()
    out.sum().backward()
    assert torch.isfinite(a.grad).all() and torch.isfinite(b.grad).all()


def test_cosine_in_a_siamese_model_learns_similarity(tmp_path):
    """One shared encoder on both sides; training pulls paired vectors together."""
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=(64, 8)).astype("float32")
    x2 = x1 + 0.1 * rng.normal(size=(64, 8)).astype("float32")
    x3 = rng.normal(size=(64, 8)).astype("float32")
    left = np.concatenate([x1, x1])
    right = np.concatenate([x2, x3])
    y = np.concatenate([np.ones(64), np.zeros(64)]).astype("float32")[:, None]
    keras.utils.set_random_seed(0)
    encoder = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)], name="encoder")
    ia, ib = keras.Input((8,)), keras.Input((8,))
    model = keras.Model([ia, ib], CosineSimilarity(name="cos")([encoder(ia), encoder(ib)]))
    assert len(model.trainable_weights) == 2  # the encoder is shared
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    hist = model.fit([left, right], y, epochs=40, batch_size=128, verbose=0)
    # measured with seed 0 (bit-identical run to run): loss 0.1323 -> 0.0328, mean cosine of
    # the pairs 0.9907, of the unrelated ones -0.0070; seeds 1, 2: 0.026-0.038, 0.9896-0.9897,
    # 0.007-0.063
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    assert hist.history["loss"][-1] == pytest.approx(0.0328, abs=0.01)
    pred = to_np(model([left, right])).ravel()
    assert pred[:64].mean() == pytest.approx(0.9907, abs=0.005)
    assert pred[64:].mean() == pytest.approx(-0.0070, abs=0.08)
    path = tmp_path / "siamese.keras"
    model.save(path)
    np.testing.assert_allclose(to_np(keras.saving.load_model(path)([left, right])), pred[:, None],
                               atol=1e-6)


def test_cosine_shape_mismatch_is_a_clear_error():
    a = np.zeros((2, 3), "float32")
    b = np.zeros((2, 4), "float32")
    with pytest.raises(SimvecValueError, match=r"different feature sizes: shapes \(2, 3\) and "
                                               r"\(2, 4\)"):
        CosineSimilarity()([a, b])
    with pytest.raises(ValueError, match="different feature sizes"):
        CosineSimilarity()([keras.Input((3,)), keras.Input((4,))])
    with pytest.raises(SimvecValueError, match="same rank"):
        CosineSimilarity()([a, np.zeros((2, 1, 3), "float32")])
    with pytest.raises(SimvecValueError, match="list of two tensors"):
        CosineSimilarity()(a)
    with pytest.raises(SimvecValueError, match="axis=0 is not a feature axis"):
        CosineSimilarity(axis=0)([a, a])


# ----------------------------------------------------------------------------- pretrained Embedding


@pytest.fixture
def tiny_kv():
    words = ["the", "cat", "sat", "dog"]
    vecs = np.arange(4 * 3, dtype="float32").reshape(4, 3) / 10 + 1
    return KeyedVectors(vecs, words)


def test_embedding_matrix_rows_and_coverage(tiny_kv):
    vocab = ["", "[UNK]", "cat", "zebra", "the"]
    m, cov = embedding_matrix(tiny_kv, vocab)
    assert m.dtype == np.float32 and m.shape == (5, 3)
    assert not m[0].any() and not m[1].any() and not m[3].any()
    np.testing.assert_array_equal(m[2], tiny_kv.get_vector("cat"))
    np.testing.assert_array_equal(m[4], tiny_kv.get_vector("the"))
    assert (cov.found, cov.total, cov.missing) == (2, 3, ["zebra"])
    assert cov.ratio == pytest.approx(2 / 3)
    # random rows: seeded, only for missing words and [UNK]
    r1, _ = embedding_matrix(tiny_kv, vocab, oov="random", seed=3)
    r2, _ = embedding_matrix(tiny_kv, vocab, oov="random", seed=3)
    np.testing.assert_array_equal(r1, r2)
    assert not r1[0].any() and r1[1].any() and r1[3].any()
    np.testing.assert_array_equal(r1[[2, 4]], m[[2, 4]])
    # dict vocabulary (index 0 reserved for padding)
    md, cd = embedding_matrix(tiny_kv, {"cat": 1, "sat": 2})
    np.testing.assert_array_equal(md[2], tiny_kv.get_vector("sat"))
    assert (cd.found, cd.total) == (2, 2)


def test_pretrained_embedding_contract_frozen(tiny_kv, tmp_path):
    vocab = ["", "[UNK]", "cat", "zebra", "the", "sat"]
    ids = np.array([[2, 4, 0], [5, 1, 3]], "int32")
    expected, _ = embedding_matrix(tiny_kv, vocab)
    layer_holder = {}

    def make():
        layer = pretrained_embedding(tiny_kv, vocab, name="glove")
        layer_holder["layer"] = layer
        return layer

    model = run_layer_contract(make, ids, expected_output=expected[ids],
                               expected_shape=(2, 3, 3), input_dtypes=["int32"],
                               trainable_should_change=False, tmp_path=tmp_path)
    emb = model.get_layer("glove")
    assert not emb.trainable and emb.trainable_weights == []
    np.testing.assert_array_equal(to_np(emb.embeddings), expected)  # unchanged after fit
    n_trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    n_frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert n_frozen == 6 * 3 and n_trainable == 3 + 1  # only the Dense head
    mask = to_np(emb.compute_mask(ids))
    np.testing.assert_array_equal(mask, ids != 0)


def test_pretrained_embedding_trainable_variant_changes(tiny_kv, tmp_path):
    vocab = ["", "[UNK]", "cat", "the"]
    ids = np.array([[2, 3], [3, 1]], "int32")
    run_layer_contract(lambda: pretrained_embedding(tiny_kv, vocab, trainable=True,
                                                    mask_zero=False),
                       ids, input_dtypes=["int32"], trainable_should_change=True,
                       tmp_path=tmp_path)


def test_pretrained_glove_from_text_vectorizer(glove50, caplog):
    texts = ["The cat sat on the mat.", "Dogs bark at the postman!", "qzxwv flurbo the"]
    tv = TextVectorizer(output_sequence_length=6).fit(texts)
    with caplog.at_level("INFO", logger="simvec.keras.layers"):
        emb = pretrained_embedding(glove50, tv)
    cov = emb.coverage
    assert cov.total == tv.vocabulary_size() - 2
    assert set(cov.missing) == {"qzxwv", "flurbo"} and cov.found == cov.total - 2
    assert "have a vector" in caplog.text
    x = tv(texts)
    out = to_np(emb(x))
    vocab = tv.get_vocabulary()
    j = vocab.index("cat")
    np.testing.assert_array_equal(out[0, 1], glove50.get_vector("cat"))
    assert x[0, 1] == j and emb.input_dim == len(vocab) and emb.output_dim == 50


def test_no_pretrained_coverage_warns_with_the_figure(tiny_kv):
    with pytest.warns(UserWarning, match=r"cover only 0/3 task words \(0\.0 %\)"):
        layer = pretrained_embedding(tiny_kv, ["", "[UNK]", "Cat", "THE", "zebra"])
    assert layer.coverage.found == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pretrained_embedding(tiny_kv, ["", "[UNK]", "cat", "the"])  # full coverage: silent


def test_pretrained_embedding_bad_input(tiny_kv):
    with pytest.raises(SimvecValueError, match="vocabulary\\[0\\] must be the padding token"):
        pretrained_embedding(tiny_kv, ["cat", "the"])
    with pytest.raises(SimvecValueError, match="oov must be 'zeros' or 'random'"):
        pretrained_embedding(tiny_kv, ["", "cat"], oov="mean")
    with pytest.raises(SimvecValueError, match="index 0 is the padding index"):
        pretrained_embedding(tiny_kv, {"cat": 0})


# ----------------------------------------------------------------------------- ELMo


@pytest.fixture(scope="module")
def elmo_files():
    d = data_path("elmo", "fixture")
    return str(d / "options.json"), str(d / "lm_weights.hdf5")


@pytest.fixture(scope="module")
def char_ids():
    return ElmoEmbedding.texts_to_ids([["The", "cat", "sat"], ["Dogs", "bark"]])


def test_elmo_contract_scalar_mix_trains_bilm_frozen(elmo_files, char_ids, tmp_path):
    opts, weights = elmo_files
    probe = ElmoEmbedding(opts, weights, output="word_emb")
    words = to_np(probe(char_ids))
    l1 = to_np(ElmoEmbedding(opts, weights, output="lstm_outputs1")(char_ids))
    l2 = to_np(ElmoEmbedding(opts, weights, output="lstm_outputs2")(char_ids))
    # analytic: with zero mixing scalars and gamma 1 the mix is the plain mean of the three
    # layers, the token layer duplicated to 2P (the original's convention)
    expected = (np.concatenate([words, words], -1) + l1 + l2) / 3
    model = run_layer_contract(lambda: ElmoEmbedding(opts, weights, name="elmo"), char_ids,
                               expected_output=expected, expected_shape=(2, 3, 32),
                               input_dtypes=["int32"], trainable_should_change=True,
                               tmp_path=tmp_path, atol=1e-5)
    layer = model.get_layer("elmo")
    assert len(layer.trainable_weights) == 2  # scalar mix: the 3 mixing scalars and gamma
    assert sum(int(np.prod(w.shape)) for w in layer.trainable_weights) == 4
    assert len(layer.non_trainable_weights) > 10  # the biLM
    assert not any(p.requires_grad for p in layer.module.bilm.parameters())
    mask = to_np(layer.compute_mask(char_ids))
    np.testing.assert_array_equal(mask, [[True, True, True], [True, True, False]])
    assert not expected[1, 2].any()  # padding position is zero


def test_elmo_word_emb_matches_the_original_token_embeddings(elmo_files):
    import h5py

    opts, weights = elmo_files
    words = data_path("elmo", "fixture", "vocab_test.txt").read_text("utf-8").split("\n")[:20]
    layer = ElmoEmbedding(opts, weights, output="word_emb")
    got = to_np(layer(ElmoEmbedding.texts_to_ids([words])))[0]
    with h5py.File(data_path("elmo", "fixture", "elmo_token_embeddings.hdf5"), "r") as f:
        expected = f["embedding"][:20]
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_elmo_default_output_contract_and_mean(elmo_files, char_ids, tmp_path):
    opts, weights = elmo_files
    elmo = to_np(ElmoEmbedding(opts, weights)(char_ids))
    expected = np.stack([elmo[0, :3].mean(0), elmo[1, :2].mean(0)])
    run_layer_contract(lambda: ElmoEmbedding(opts, weights, output="default",
                                             scalar_mix_parameters=[0.0, 0.0, 0.0]),
                       char_ids, expected_output=expected, expected_shape=(2, 32),
                       input_dtypes=["int32"], tmp_path=tmp_path, atol=1e-5)


def test_elmo_trainable_fine_tunes_the_bilm(elmo_files, char_ids):
    opts, weights = elmo_files
    layer = ElmoEmbedding(opts, weights, output="default", trainable=True)
    assert len(layer.trainable_weights) > 10 and layer.non_trainable_weights == []
    assert layer.get_config()["trainable"] is True
    assert ElmoEmbedding.from_config(layer.get_config()).trainable_weights


def test_elmo_in_an_lstm_classifier_uses_the_mask(elmo_files, char_ids):
    opts, weights = elmo_files
    ids = keras.Input((None, 50), dtype="int32")
    x = ElmoEmbedding(opts, weights)(ids)
    x = keras.layers.BatchNormalization()(x)
    out = keras.layers.Dense(2, activation="softmax")(keras.layers.LSTM(4)(x))
    model = keras.Model(ids, out)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(char_ids, np.array([0, 1]), epochs=1, verbose=0)
    # padding does not change a sentence's prediction (the mask reaches the LSTM)
    short = char_ids[1:2, :2]
    np.testing.assert_allclose(to_np(model.predict(short, verbose=0)),
                               to_np(model.predict(char_ids[1:2], verbose=0)), atol=1e-5)


def test_elmo_eager_call_on_sentences_equals_char_ids(elmo_files, char_ids):
    opts, weights = elmo_files
    layer = ElmoEmbedding(opts, weights)
    from_text = to_np(layer([["The", "cat", "sat"], "Dogs bark"]))
    np.testing.assert_array_equal(from_text, to_np(layer(char_ids)))


def test_elmo_bad_input(elmo_files):
    opts, weights = elmo_files
    with pytest.raises(SimvecValueError, match="output must be one of"):
        ElmoEmbedding(opts, weights, output="lstm_outputs3")
    with pytest.raises(SimvecValueError, match=r"shape \(batch, sequence_length, 50\)"):
        ElmoEmbedding(opts, weights).build((None, 7))


# ----------------------------------------------------------------------------- TextVectorizer


def test_text_vectorizer_vocabulary_and_padding(tmp_path):
    texts = ["the cat sat", "The dog sat down", "a cat", "the end"]
    tv = TextVectorizer(max_tokens=6, min_count=1, output_sequence_length=3).fit(texts)
    # counts: the 3, cat 2, sat 2, then a/dog/down/end 1 each (alphabetical ties)
    assert tv.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "a"]
    assert tv.vocabulary_size() == 6
    x = tv(["the dog sat down", "cat"])
    assert x.dtype == np.int32
    assert x.tolist() == [[2, 1, 4], [3, 0, 0]]  # post-truncation, post-padding, OOV -> 1
    assert tv.transform(["cat"], sequence_length=5).tolist() == [[3, 0, 0, 0, 0]]
    assert TextVectorizer(min_count=2).fit(texts).get_vocabulary() == ["", "[UNK]", "the",
                                                                       "cat", "sat"]
    assert TextVectorizer(padding="pre").fit(texts)(["a cat", "the"]).tolist() == [[5, 3],
                                                                                    [0, 2]]
    tv.save(tmp_path / "tv.json")
    back = TextVectorizer.load(tmp_path / "tv.json")
    assert back.get_vocabulary() == tv.get_vocabulary()
    assert back(["the dog sat down"]).tolist() == [[2, 1, 4]]
    assert tv.length_quantile(texts, 1.0) == 4


def test_text_vectorizer_bad_input():
    with pytest.raises(SimvecValueError, match="not fitted"):
        TextVectorizer().transform(["x"])
    with pytest.raises(SimvecValueError, match="max_tokens must be an integer >= 3"):
        TextVectorizer(max_tokens=2)
    with pytest.raises(SimvecValueError, match="min_count must be a positive integer"):
        TextVectorizer(min_count=0)
    with pytest.raises(SimvecValueError, match="padding must be 'pre' or 'post'"):
        TextVectorizer(padding="middle")


@pytest.mark.fresh_interpreter(
    "import os, sys; os.environ.pop('KERAS_BACKEND', None); import simvec, simvec.keras;"
    "assert 'keras' not in sys.modules and 'KERAS_BACKEND' not in os.environ;"
    "from simvec.keras import CosineSimilarity; import keras;"
    "assert keras.backend.backend() == 'torch', keras.backend.backend()")
def test_import_simvec_does_not_import_keras_or_set_the_backend(fresh_interpreter):
    assert fresh_interpreter.returncode == 0, fresh_interpreter.stderr
