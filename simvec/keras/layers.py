"""Keras 3 layers: cosine similarity, pretrained word embeddings, ELMo.

Importing this module sets ``KERAS_BACKEND=torch`` if no backend was chosen (see
:mod:`simvec.keras.backend`); ``import simvec`` does not.

All layers are registered with ``keras.saving.register_keras_serializable(package="simvec")``,
so a model that uses them saves to ``.keras`` and loads back with ``keras.saving.load_model``
once this module is imported (no ``custom_objects`` needed).

References
----------
.. [1] Keras 3 layer API and keras-hub's layer conventions (``Call arguments``, shapes).
.. [2] Bromley et al. (1993), "Signature verification using a Siamese time delay neural
   network" (siamese models compared by a similarity layer).
.. [3] Pennington, Socher, Manning (2014), "GloVe: Global Vectors for Word Representation".
.. [4] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365;
   AllenNLP ``allennlp/modules/elmo.py``; TF-Hub ``google/elmo/3`` output names.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np

from simvec.keras.backend import import_keras, require_torch_backend

keras = import_keras()
from keras import ops  # noqa: E402

from simvec.errors import SimvecValueError  # noqa: E402

__all__ = [
    "CosineSimilarity",
    "ElmoEmbedding",
    "EmbeddingCoverage",
    "pretrained_embedding",
    "embedding_matrix",
    "PAD_TOKEN",
    "OOV_TOKEN",
]

log = logging.getLogger(__name__)

from simvec.keras.text import OOV_TOKEN, PAD_TOKEN  # noqa: E402  ("" = 0, "[UNK]" = 1)

_EPS = 1e-12  # floor of a squared norm: zero vectors get cosine 0 and finite gradients


# --------------------------------------------------------------------------- cosine similarity


@keras.saving.register_keras_serializable(package="simvec")
class CosineSimilarity(keras.layers.Layer):
    """Cosine similarity of two tensors along one axis, in [-1, 1].

    ``cos(a, b) = sum(a * b) / (|a| |b|)`` along ``axis``, computed as the dot product of the
    L2-normalised inputs with each squared norm floored at ``1e-12`` (as
    ``keras.ops.normalize`` / ``tf.math.l2_normalize`` do), so a zero vector gives cosine 0,
    never NaN, and finite gradients. The result is clipped to [-1, 1]. This is the similarity
    itself, not ``keras.losses.cosine_similarity``, which returns its negation; it replaces
    Keras 1/2's ``merge(mode="cos")`` and ``Dot(normalize=True)`` without the sign confusion.

    Args:
        axis: int. The feature axis the cosine runs along (default the last). Must not be the
            batch axis 0.
        **kwargs: other keyword arguments of ``keras.layers.Layer`` (``name``, ``dtype``).

    Call arguments:
        inputs: a list or tuple of two tensors ``[a, b]`` of the same shape
            ``(batch, ..., d)`` (``d`` on ``axis``), float. Either may have size 1 on a
            non-feature axis (broadcast).

    Returns:
        A float tensor of shape ``(batch, ..., 1)``: the input shape with ``axis`` reduced to
        size 1 (``keepdims``), ``out[i, ..., 0] = cos(a[i, ..., :], b[i, ..., :])``.

    Raises:
        SimvecValueError (a ``ValueError``): not two inputs, or the feature sizes (or other
            non-broadcastable dimensions) differ; the message gives both shapes.

    Examples:
    >>> import numpy as np
    >>> from simvec.keras import CosineSimilarity
    >>> a = np.array([[1.0, 0.0], [0.0, 0.0]], "float32")
    >>> b = np.array([[1.0, 1.0], [3.0, 4.0]], "float32")
    >>> [round(float(x), 4) for x in np.asarray(CosineSimilarity()([a, b])).ravel()]
    [0.7071, 0.0]

    A siamese model::

        encoder = keras.Sequential([keras.layers.Dense(16)])
        a, b = keras.Input((8,)), keras.Input((8,))
        score = CosineSimilarity()([encoder(a), encoder(b)])
        model = keras.Model([a, b], score)

    References:
        Bromley et al. (1993), siamese networks; Keras ``Dot(normalize=True)``.
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise SimvecValueError(f"axis must be an integer, got {axis!r}")
        self.axis = int(axis)
        self.supports_masking = False

    def _check_shapes(self, shape_a, shape_b):
        shape_a, shape_b = tuple(shape_a), tuple(shape_b)
        if len(shape_a) != len(shape_b):
            raise SimvecValueError(
                f"CosineSimilarity needs two inputs of the same rank, got shapes {shape_a} "
                f"and {shape_b}")
        rank = len(shape_a)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise SimvecValueError(
                f"axis={self.axis} is not a feature axis of inputs of shape {shape_a} "
                f"(rank {rank}; axis 0 is the batch)")
        ax = self.axis % rank
        for i, (x, y) in enumerate(zip(shape_a, shape_b)):
            if x is None or y is None or x == y:
                continue
            if i != ax and 1 in (x, y):
                continue
            what = "feature sizes" if i == ax else f"sizes on axis {i}"
            raise SimvecValueError(
                f"CosineSimilarity inputs have different {what}: shapes {shape_a} and "
                f"{shape_b}; both vectors must have the same dimension d on axis {self.axis}")
        return ax

    def _split(self, inputs_or_shapes):
        if (not isinstance(inputs_or_shapes, (list, tuple)) or len(inputs_or_shapes) != 2
                or any(x is None or isinstance(x, (int, np.integer)) for x in inputs_or_shapes)):
            raise SimvecValueError(
                "CosineSimilarity takes a list of two tensors [a, b], got "
                f"{type(inputs_or_shapes).__name__}"
                + (f" {tuple(inputs_or_shapes)}"
                   if isinstance(inputs_or_shapes, (list, tuple)) else ""))
        return inputs_or_shapes

    def build(self, input_shape):
        a, b = self._split(input_shape)
        self._check_shapes(a, b)
        self.built = True

    def call(self, inputs):
        a, b = self._split(inputs)
        self._check_shapes(ops.shape(a), ops.shape(b))
        dtype = self.compute_dtype
        a = ops.cast(a, dtype)
        b = ops.cast(b, dtype)
        inv_a = ops.rsqrt(ops.maximum(ops.sum(ops.square(a), axis=self.axis, keepdims=True),
                                      _EPS))
        inv_b = ops.rsqrt(ops.maximum(ops.sum(ops.square(b), axis=self.axis, keepdims=True),
                                      _EPS))
        dot = ops.sum(a * b, axis=self.axis, keepdims=True)
        return ops.clip(dot * inv_a * inv_b, -1.0, 1.0)

    def compute_output_shape(self, input_shape):
        a, b = self._split(input_shape)
        ax = self._check_shapes(a, b)
        out = [x if y is None or x == y or (x not in (None, 1)) else y for x, y in zip(a, b)]
        out[ax] = 1
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis})
        return config


# --------------------------------------------------------------------------- pretrained Embedding


@dataclass
class EmbeddingCoverage:
    """How many words of a task vocabulary had a pretrained vector.

    Attributes:
        found: int, task words (padding and OOV token excluded) with a vector.
        total: int, task words (padding and OOV token excluded).
        missing: list of str, the task words without a vector, in vocabulary order.
    """

    found: int
    total: int
    missing: list = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """``found / total`` (0.0 for an empty vocabulary)."""
        return self.found / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.found}/{self.total} task words ({100 * self.ratio:.1f} %) have a vector"


def _vocabulary_list(vocabulary) -> list:
    """``vocabulary[i]`` = word of index i, from a list, a ``TextVectorizer`` or a dict."""
    if hasattr(vocabulary, "get_vocabulary"):
        vocabulary = vocabulary.get_vocabulary()
    if isinstance(vocabulary, dict):
        words = [None] * (max(vocabulary.values(), default=-1) + 1)
        for w, i in vocabulary.items():
            if not isinstance(i, (int, np.integer)) or i < 0:
                raise SimvecValueError(f"vocabulary index of {w!r} must be an integer >= 0, "
                                       f"got {i!r}")
            if words[i] is not None:
                raise SimvecValueError(f"vocabulary index {i} is given to both {words[i]!r} "
                                       f"and {w!r}")
            words[i] = w
        if 0 in vocabulary.values() and words[0] != PAD_TOKEN:
            raise SimvecValueError(
                f"index 0 is the padding index; the vocabulary gives it to {words[0]!r}")
        words[0] = PAD_TOKEN
        return [PAD_TOKEN if w is None else w for w in words]
    words = list(vocabulary)
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise SimvecValueError(f"vocabulary entry {i} must be a str, got {w!r}")
    return words


def embedding_matrix(kv, vocabulary, *, oov: str = "zeros", seed=None,
                     min_coverage: float = 0.5):
    """The (V, d) float32 matrix of a task vocabulary's pretrained vectors, and its coverage.

    Row conventions (Keras' ``TextVectorization`` vocabulary): ``vocabulary[0]`` is the padding
    token ``""`` and its row is always zeros; ``vocabulary[1] == "[UNK]"`` (if present) is the
    out-of-vocabulary index and is filled like a missing word. A word the vectors lack gets
    zeros (``oov="zeros"``) or a random normal row with the mean and standard deviation of the
    pretrained matrix (``oov="random"``, reproducible with ``seed``).

    Args:
        kv: ``KeyedVectors``, the pretrained vectors (``kv.vectors`` (N, d) float32).
        vocabulary: list of str (``vocabulary[i]`` = word of index i, ``vocabulary[0] == ""``),
            a dict word -> index (index 0 reserved for padding), or a ``TextVectorizer``.
        oov: ``"zeros"`` or ``"random"``.
        seed: int or None, seed of the random rows.
        min_coverage: float in [0, 1]. Below this coverage a ``UserWarning`` with the figure
            is issued (a frequent sign of a casing or language mismatch).

    Returns:
        ``(matrix, coverage)``: float32 array (V, d), ``matrix[i] = kv[vocabulary[i]]`` for
        covered words; an :class:`EmbeddingCoverage`.

    Raises:
        SimvecValueError: bad ``oov``, ``min_coverage``, or vocabulary.
    """
    if oov not in ("zeros", "random"):
        raise SimvecValueError(f"oov must be 'zeros' or 'random', got {oov!r}")
    if not 0.0 <= float(min_coverage) <= 1.0:
        raise SimvecValueError(f"min_coverage must be in [0, 1], got {min_coverage!r}")
    words = _vocabulary_list(vocabulary)
    if not words:
        raise SimvecValueError("the vocabulary is empty; it needs at least the padding token")
    if words[0] != PAD_TOKEN:
        raise SimvecValueError(
            f"vocabulary[0] must be the padding token '' (index 0 = padding), got {words[0]!r}; "
            "prepend '' (and '[UNK]' for an OOV index) to your word list")
    vectors = np.asarray(kv.vectors)
    d = vectors.shape[1]
    matrix = np.zeros((len(words), d), dtype=np.float32)
    index = kv.key_to_index
    found, missing, missing_rows = 0, [], []
    for i, w in enumerate(words):
        if i == 0:
            continue
        if i == 1 and w == OOV_TOKEN:
            missing_rows.append(i)
            continue
        j = index.get(w)
        if j is None:
            missing.append(w)
            missing_rows.append(i)
        else:
            matrix[i] = vectors[j]
            found += 1
    if oov == "random" and missing_rows:
        rng = np.random.default_rng(seed)
        mean, std = float(vectors.mean()), float(vectors.std())
        matrix[missing_rows] = rng.normal(mean, std, (len(missing_rows), d)).astype(np.float32)
    coverage = EmbeddingCoverage(found, found + len(missing), missing)
    log.info("pretrained embedding: %s; %d rows %s", coverage, len(missing_rows),
             "zeros" if oov == "zeros" else "random")
    if coverage.ratio < min_coverage:
        shown = ", ".join(repr(w) for w in missing[:5]) + (" ..." if len(missing) > 5 else "")
        warnings.warn(
            f"pretrained vectors cover only {coverage}, below min_coverage={min_coverage}; "
            f"missing e.g. {shown}. Check casing (GloVe is lowercase) and language.",
            UserWarning, stacklevel=3)
    return matrix, coverage


def pretrained_embedding(kv, vocabulary, *, trainable: bool = False, mask_zero: bool = True,
                         oov: str = "zeros", seed=None, min_coverage: float = 0.5,
                         name: str | None = None, **kwargs):
    """A Keras ``Embedding`` initialised from pretrained vectors for a task vocabulary.

    The embedding matrix is :func:`embedding_matrix` of ``(kv, vocabulary)``: row ``i`` holds
    the vector of ``vocabulary[i]``; index 0 is padding (zeros, masked when ``mask_zero``);
    index 1 is the OOV index when ``vocabulary[1] == "[UNK]"`` (the layout of
    :meth:`simvec.keras.TextVectorizer.get_vocabulary` and Keras' ``TextVectorization``).
    Words without a vector get zeros or random rows (``oov``). The layer is frozen by default
    (``trainable=False``): ``fit`` leaves its weights unchanged and ``model.summary()`` counts
    them as non-trainable. The matrix is set as weights after ``build``, not as a ``Constant``
    initializer, so the saved config stays small and ``.keras`` files hold the matrix once.

    Args:
        kv: ``KeyedVectors`` (e.g. ``simvec.load("glove-6B-50d")``).
        vocabulary: list of str with ``vocabulary[0] == ""``, dict word -> index, or a
            fitted ``TextVectorizer``.
        trainable: bool. Fine-tune the vectors with the task (default frozen).
        mask_zero: bool. Index 0 is padding and produces a mask for downstream RNNs.
        oov: ``"zeros"`` or ``"random"``: rows of words without a vector (and of ``"[UNK]"``).
        seed: int or None, seed of the random rows.
        min_coverage: float. Warn (``UserWarning`` with the coverage figure) below it.
        name: optional layer name.
        **kwargs: other ``keras.layers.Embedding`` arguments (e.g. ``embeddings_regularizer``).

    Call arguments:
        inputs: int tensor of shape ``(batch, sequence_length)`` of vocabulary indices.

    Returns:
        A built ``keras.layers.Embedding`` (input_dim = ``len(vocabulary)``, output_dim = d)
        mapping ``(batch, sequence_length)`` to ``(batch, sequence_length, d)`` float32, with
        attribute ``coverage`` (:class:`EmbeddingCoverage`; also logged at INFO). The
        attribute does not survive saving; the weights and ``trainable`` do.

    Raises:
        SimvecValueError: see :func:`embedding_matrix`.

    Examples:
    >>> import simvec                                                  # doctest: +SKIP
    >>> from simvec.keras import pretrained_embedding
    >>> glove = simvec.load("glove-6B-50d")                             # doctest: +SKIP
    >>> emb = pretrained_embedding(glove, ["", "[UNK]", "cat", "qzxv"])  # doctest: +SKIP
    >>> emb.coverage.found, emb.coverage.total                          # doctest: +SKIP
    (1, 2)

    References:
        Pennington et al. (2014), GloVe; the Keras guide "Using pre-trained word embeddings".
    """
    matrix, coverage = embedding_matrix(kv, vocabulary, oov=oov, seed=seed,
                                        min_coverage=min_coverage)
    layer = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], mask_zero=mask_zero,
                                   trainable=trainable, name=name, **kwargs)
    layer.build((None, None))
    layer.set_weights([matrix])
    layer.coverage = coverage
    return layer


# --------------------------------------------------------------------------- ELMo


def _is_sentences(x) -> bool:
    """True for a list of str or of token lists (eager calls on raw sentences)."""
    return (isinstance(x, (list, tuple)) and len(x) > 0
            and all(isinstance(s, str) or (isinstance(s, (list, tuple))
                                           and all(isinstance(t, str) for t in s)) for s in x))


@keras.saving.register_keras_serializable(package="simvec")
class ElmoEmbedding(keras.layers.Layer):
    """ELMo representations (Peters et al. 2018) as a Keras layer (PyTorch backend).

    Owns a :class:`simvec.elmo.Elmo` (``torch.nn.Module``) through a
    ``keras.layers.TorchModuleWrapper``, so its parameters are Keras variables: the
    scalar-mix weights (``gamma`` and the ``n_layers + 1`` mixing scalars) are trainable, the
    biLM is frozen unless ``trainable=True`` (fine-tuning). The layer's config holds the
    options and weight file paths (not a pickled module), so ``.keras`` files load in Keras'
    safe mode; the current weights (scalar mix, or the fine-tuned biLM) are stored in the
    ``.keras`` file and restored on load, which also reads the two files again to build the
    module.

    Args:
        options_file: str, path of the bilm-tf ``options.json``.
        weight_file: str or None, path of the HDF5 weights (None: random weights).
        output: str, one of TF-Hub's names ``"elmo"`` (learned scalar mix, (B, T, 2P)),
            ``"default"`` (mean of ``elmo`` over each sentence's tokens, (B, 2P)),
            ``"word_emb"`` (character-CNN token layer, (B, T, P)), ``"lstm_outputs1"``,
            ``"lstm_outputs2"`` (biLSTM layers, (B, T, 2P)).
        trainable: bool. Fine-tune the biLM too (default False: only the scalar mix learns).
            Setting the Keras attribute ``layer.trainable = False`` afterwards freezes all.
        do_layer_norm: bool, passed to the scalar mix.
        scalar_mix_parameters: optional list of ``n_layers + 1`` floats, initial pre-softmax
            mixing scalars (default zeros: equal weights).
        sentence_cache_mb: float, MiB of frozen-biLM activations kept per sentence and looked
            up when the sentence comes again (every epoch of ``fit``); 0 (default) is off. See
            ``simvec.elmo.sentence_cache``; bypassed while the biLM is fine-tuned.
        **kwargs: other ``keras.layers.Layer`` arguments (``name``).

    Call arguments:
        inputs: int tensor of shape ``(batch, sequence_length, 50)``: character ids from
            :func:`simvec.elmo.batch_to_ids` (or :meth:`ElmoEmbedding.texts_to_ids`); a
            padding token is all zeros. In eager calls (not inside a functional model or
            ``fit``) also a list of sentences (token lists or whitespace-separated strings).
        training: bool, Keras' training flag (dropout mode of the module).

    Returns:
        float32 tensor ``(batch, sequence_length, D)`` for token outputs (padding positions
        are 0, and a Keras mask marks the tokens) or ``(batch, 2P)`` for ``"default"``.
        ``D = 2P`` except ``word_emb`` (``P``); ``P`` is the model's ``projection_dim``
        (512 in the original models).

    Raises:
        SimvecValueError: unknown ``output``, Keras not on the torch backend.
        VectorFormatError: options and weights disagree (see ``simvec.elmo.load_weights``).

    Examples:
    >>> from simvec.keras import ElmoEmbedding                          # doctest: +SKIP
    >>> ids = keras.Input((None, 50), dtype="int32")                     # doctest: +SKIP
    >>> x = ElmoEmbedding("options.json", "weights.hdf5")(ids)           # doctest: +SKIP
    >>> y = keras.layers.Dense(2, activation="softmax")(keras.layers.LSTM(32)(x))  # doctest: +SKIP

    References:
        Peters et al. (2018), arXiv:1802.05365; AllenNLP ``Elmo``; TF-Hub ``google/elmo/3``.
    """

    def __init__(self, options_file, weight_file=None, output: str = "elmo",
                 trainable: bool = False, do_layer_norm: bool = False,
                 scalar_mix_parameters=None, sentence_cache_mb: float = 0.0, **kwargs):
        kwargs.pop("trainable", None)
        super().__init__(**kwargs)
        require_torch_backend("ElmoEmbedding")
        from simvec.elmo.embedder import Elmo

        self.options_file = str(options_file)
        self.weight_file = None if weight_file is None else str(weight_file)
        self.finetune = bool(trainable)
        self.do_layer_norm = bool(do_layer_norm)
        self.scalar_mix_parameters = (None if scalar_mix_parameters is None
                                      else [float(x) for x in scalar_mix_parameters])
        self.sentence_cache_mb = float(sentence_cache_mb)
        module = Elmo(self.options_file, self.weight_file, do_layer_norm=self.do_layer_norm,
                      scalar_mix_parameters=self.scalar_mix_parameters,
                      requires_grad=self.finetune, sentence_cache_mb=self.sentence_cache_mb)
        if output not in module.output_names:
            raise SimvecValueError(
                f"output must be one of {', '.join(module.output_names)}, got {output!r}")
        self.output_name = output
        self.projection_dim = module.bilm.projection_dim
        self.output_dim = self.projection_dim if output == "word_emb" else module.output_dim
        self.elmo = keras.layers.TorchModuleWrapper(module, name="elmo_module")
        self.supports_masking = output != "default"

    @property
    def module(self):
        """The wrapped :class:`simvec.elmo.Elmo` (``torch.nn.Module``)."""
        return self.elmo.module

    def __call__(self, inputs, *args, **kwargs):
        if _is_sentences(inputs):  # Keras accepts only tensors positionally
            inputs = self.texts_to_ids(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape=None):
        if input_shape is not None and (len(input_shape) != 3 or input_shape[-1] not in
                                        (None, 50)):
            raise SimvecValueError(
                f"ElmoEmbedding takes character ids of shape (batch, sequence_length, 50), "
                f"got {tuple(input_shape)}")
        self.built = True

    def call(self, inputs, training=None):
        import torch

        ids = ops.convert_to_tensor(inputs)
        if ids.dtype != torch.int64:
            ids = ids.to(torch.int64)
        self.module.train(bool(training))
        return self.module(ids)[self.output_name]

    def compute_mask(self, inputs, mask=None):
        if self.output_name == "default":
            return None
        return ops.any(ops.greater(inputs, 0), axis=-1)

    def compute_output_shape(self, input_shape):
        if self.output_name == "default":
            return (input_shape[0], self.output_dim)
        return (input_shape[0], input_shape[1], self.output_dim)

    def compute_output_spec(self, inputs, training=None):
        return keras.KerasTensor(self.compute_output_shape(inputs.shape), dtype="float32")

    @staticmethod
    def texts_to_ids(sentences, max_sentence_length=None):
        """Character ids (B, T, 50) int32 numpy of sentences (token lists or strings), for
        this layer's input (``simvec.elmo.batch_to_ids``)."""
        from simvec.elmo.chars import batch_to_ids

        ids = batch_to_ids(sentences, max_sentence_length=max_sentence_length)
        return ids.numpy().astype(np.int32)

    def get_config(self):
        config = super().get_config()
        config.update({
            "options_file": self.options_file,
            "weight_file": self.weight_file,
            "output": self.output_name,
            "trainable": self.finetune,
            "do_layer_norm": self.do_layer_norm,
            "scalar_mix_parameters": self.scalar_mix_parameters,
            "sentence_cache_mb": self.sentence_cache_mb,
        })
        return config
