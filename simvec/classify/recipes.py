"""The text-classification networks of the tutorials, as Keras 3 models (PyTorch backend).

:func:`build_model` builds one of the recipes below for ``n_classes`` classes; every model ends
in ``Dense(n_classes, softmax)`` and is compiled with Adam and sparse categorical cross-entropy
(two-class problems included: a two-way softmax is the sigmoid model re-parametrised).

Recipes (the ``recipe`` argument):

``"embedding"``
    A learned ``Embedding(vocabulary_size, embedding_dim)`` -> head -> Dense.
``"pretrained"``
    :func:`simvec.keras.pretrained_embedding` of a ``KeyedVectors`` (e.g. GloVe), frozen
    -> head -> Dense.
``"pretrained-finetuned"``
    The same, with the pretrained vectors trained along (``trainable=True``).
``"elmo+embedding"``
    ELMo ``elmo`` output concatenated with a learned word ``Embedding`` -> BatchNormalization
    -> LSTM -> Dense (the ELMo article's variant 1).
``"elmo"``
    ELMo ``elmo`` output -> BatchNormalization -> LSTM -> Dense (variant 2).
``"elmo-default"``
    ELMo ``default`` (mean over the tokens) -> Dense(256, relu) -> Dense (variant 3).

Heads of the word-embedding recipes (the ``head`` argument): ``"average"`` (masked
``GlobalAveragePooling1D``, fastText-style; the default), ``"max"`` (``GlobalMaxPooling1D``),
``"flatten"`` (the tutorial's ``Flatten`` over a fixed ``sequence_length``), ``"cnn"``
(Kim 2014: ``Conv1D(100, w, relu)`` for widths 3, 4, 5, each max-pooled over time, concatenated) and ``"bilstm"``
(a bidirectional LSTM of ``lstm_units`` per direction, final states concatenated). Every head
but ``"flatten"`` is followed by ``Dropout(dropout)``. ``"average"`` and ``"bilstm"`` skip the
padding (``mask_zero=True``); ``"max"``, ``"cnn"`` and ``"flatten"`` see the padding index's
row (zeros for pretrained vectors), since those Keras layers ignore masks.

Inputs: the word recipes take int32 word ids ``(batch, sequence_length)`` (0 = padding) from
:class:`simvec.keras.TextVectorizer`; the ELMo recipes take int32 character ids
``(batch, sequence_length, 50)`` (:func:`simvec.elmo.batch_to_ids`), and ``"elmo+embedding"``
takes both, as the dict ``{"word_ids": ..., "char_ids": ...}``.

The LSTMs (``"bilstm"`` head, ELMo recipes 3-4) are :class:`simvec.keras.TorchLSTM`: the same
final states as Keras' ``LSTM`` / ``Bidirectional(LSTM)`` on masked input, computed by
``torch.nn.LSTM`` (Keras 3's own ``LSTM`` runs a per-timestep Python loop on a CPU).

References
----------
.. [1] Joulin, A. et al. (2017). Bag of Tricks for Efficient Text Classification. EACL (the
   averaged-embedding classifier).
.. [2] Kim, Y. (2014). Convolutional Neural Networks for Sentence Classification. EMNLP.
.. [3] Peters, M. et al. (2018). Deep contextualized word representations. NAACL (ELMo).
.. [4] Chollet, F. Deep Learning with Python, ch. 6 (learned vs pretrained GloVe ``Embedding``,
   ``Flatten`` head); the Keras guide "Using pre-trained word embeddings".
"""

from __future__ import annotations

from simvec.errors import SimvecValueError
from simvec.keras.backend import import_keras

__all__ = ["RECIPES", "HEADS", "WORD_RECIPES", "ELMO_RECIPES", "build_model", "check_recipe"]

WORD_RECIPES = ("embedding", "pretrained", "pretrained-finetuned")
"""Recipes on word ids only."""
ELMO_RECIPES = ("elmo+embedding", "elmo", "elmo-default")
"""Recipes that need an ELMo model (options + weights)."""
RECIPES = WORD_RECIPES + ELMO_RECIPES
"""Every recipe name accepted by :func:`build_model`."""
HEADS = ("average", "max", "flatten", "cnn", "bilstm")
"""Heads of the word recipes."""
_MASKED_HEADS = ("average", "bilstm")  # the others see the padding index's row (Keras' layers
# GlobalMaxPooling1D, Conv1D and Flatten ignore masks), as in the tutorials


def check_recipe(recipe: str, head: str = "average") -> None:
    """Raise ``SimvecValueError`` for an unknown recipe or head (listing the valid ones)."""
    if recipe not in RECIPES:
        raise SimvecValueError(f"unknown recipe {recipe!r}; choose one of {', '.join(RECIPES)}")
    if head not in HEADS:
        raise SimvecValueError(f"unknown head {head!r}; choose one of {', '.join(HEADS)}")


def _word_head(x, head: str, *, lstm_units: int, dropout: float):
    keras = import_keras()
    L = keras.layers
    if head == "average":
        x = L.GlobalAveragePooling1D(name="average_pool")(x)
    elif head == "max":
        x = L.GlobalMaxPooling1D(name="max_pool")(x)
    elif head == "flatten":
        return L.Flatten(name="flatten")(x)
    elif head == "cnn":  # Kim (2014): 100 filters of each width 3, 4, 5, max over time
        pools = [L.GlobalMaxPooling1D(name=f"max_pool{w}")(
                 L.Conv1D(100, w, activation="relu", padding="same", name=f"conv{w}")(x))
                 for w in (3, 4, 5)]
        x = L.Concatenate(name="concat")(pools)
    elif head == "bilstm":
        from simvec.keras.rnn import TorchLSTM

        x = TorchLSTM(lstm_units, bidirectional=True, name="bilstm")(x)
    return L.Dropout(dropout, name="dropout")(x) if dropout > 0 else x


def build_model(recipe: str, n_classes: int, *, vocabulary=None, sequence_length: int | None = None,
                head: str = "average", embedding_dim: int = 64, vectors=None,
                elmo_options=None, elmo_weights=None, lstm_units: int = 64,
                dense_units: int = 256, dropout: float = 0.3, learning_rate: float = 1e-3,
                seed: int | None = 0, elmo_cache_mb: float = 0.0):
    """Build and compile a classification recipe.

    Parameters
    ----------
    recipe : str
        One of :data:`RECIPES` (see the module docstring).
    n_classes : int >= 2
        Output classes.
    vocabulary : list of str, optional
        The task vocabulary, index 0 = padding, 1 = OOV (``TextVectorizer.get_vocabulary()``);
        required by every recipe but ``"elmo"`` and ``"elmo-default"``.
    sequence_length : int, optional
        Fixed input length of ``head="flatten"`` (required there); the other models take any
        length.
    head : str
        One of :data:`HEADS`, for the word recipes.
    embedding_dim : int
        Width of the learned ``Embedding`` (``"embedding"``, ``"elmo+embedding"``).
    vectors : KeyedVectors, optional
        Pretrained vectors of ``"pretrained"`` / ``"pretrained-finetuned"``.
    elmo_options, elmo_weights : str or Path, optional
        bilm-tf ``options.json`` and weights HDF5 of the ELMo recipes.
    lstm_units, dense_units : int
        LSTM width (``"bilstm"`` head, ELMo recipes 3-4) and hidden width of ``"elmo-default"``.
    dropout : float in [0, 1)
        Dropout after the head.
    learning_rate : float
        Adam's learning rate.
    seed : int or None
        ``keras.utils.set_random_seed`` before building (weights initialisation).
    elmo_cache_mb : float
        ELMo recipes: MiB of per-sentence activations of the frozen biLM kept between epochs
        (``ElmoEmbedding(sentence_cache_mb=...)``); 0 computes them every time.

    Returns
    -------
    keras.Model
        Compiled; output float32 ``(batch, n_classes)`` class probabilities.

    Raises
    ------
    SimvecValueError
        Unknown recipe or head; a missing ``vocabulary``, ``vectors``, ELMo files or
        ``sequence_length`` the recipe needs; ``n_classes < 2``.
    """
    check_recipe(recipe, head)
    if not isinstance(n_classes, int) or n_classes < 2:
        raise SimvecValueError(f"a classifier needs n_classes >= 2, got {n_classes!r}")
    if not 0 <= dropout < 1:
        raise SimvecValueError(f"dropout must lie in [0, 1), got {dropout!r}")
    keras = import_keras()
    L = keras.layers
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    needs_vocab = recipe in WORD_RECIPES or recipe == "elmo+embedding"
    if needs_vocab and not vocabulary:
        raise SimvecValueError(f"recipe {recipe!r} needs the task vocabulary")
    if recipe in ELMO_RECIPES and not elmo_options:
        raise SimvecValueError(
            f"recipe {recipe!r} needs an ELMo model: give elmo_options (options.json) and "
            f"elmo_weights (weights HDF5)")
    if recipe in WORD_RECIPES and head == "flatten" and not sequence_length:
        raise SimvecValueError("head 'flatten' needs a fixed sequence_length")

    if recipe in WORD_RECIPES:
        mask = head in _MASKED_HEADS
        words = keras.Input((sequence_length if head == "flatten" else None,), dtype="int32",
                            name="word_ids")
        if recipe == "embedding":
            emb = L.Embedding(len(vocabulary), embedding_dim, mask_zero=mask,
                              name="embedding")
        else:
            if vectors is None:
                raise SimvecValueError(
                    f"recipe {recipe!r} needs pretrained vectors (e.g. simvec.load('glove-6B-50d'))")
            from simvec.keras.layers import pretrained_embedding

            emb = pretrained_embedding(vectors, vocabulary,
                                       trainable=recipe == "pretrained-finetuned",
                                       mask_zero=mask, name="embedding")
        x = _word_head(emb(words), head, lstm_units=lstm_units, dropout=dropout)
        inputs = words
    else:
        from simvec.keras.layers import ElmoEmbedding

        chars = keras.Input((None, 50), dtype="int32", name="char_ids")
        output = "default" if recipe == "elmo-default" else "elmo"
        x = ElmoEmbedding(elmo_options, elmo_weights, output=output,
                          sentence_cache_mb=elmo_cache_mb, name="elmo")(chars)
        if recipe == "elmo-default":
            x = L.Dense(dense_units, activation="relu", name="hidden")(x)
            inputs = chars
        else:
            if recipe == "elmo+embedding":
                words = keras.Input((None,), dtype="int32", name="word_ids")
                w = L.Embedding(len(vocabulary), embedding_dim, mask_zero=True,
                                name="embedding")(words)
                x = L.Concatenate(name="concat")([x, w])
                inputs = {"word_ids": words, "char_ids": chars}
            else:
                inputs = chars
            from simvec.keras.rnn import TorchLSTM

            x = L.BatchNormalization(name="batch_norm")(x)
            x = TorchLSTM(lstm_units, name="lstm")(x)
        if dropout > 0:
            x = L.Dropout(dropout, name="dropout")(x)
    out = L.Dense(n_classes, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, out, name=recipe.replace("+", "_"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
