"""Keras 3 layers and text helpers of simvec (PyTorch backend).

``CosineSimilarity`` (siamese models), ``TorchLSTM`` (an LSTM on torch's own kernel, fast on
CPU), ``pretrained_embedding`` (a frozen ``Embedding`` from
GloVe / word2vec ``KeyedVectors`` with a coverage report), ``ElmoEmbedding`` (the PyTorch ELMo
as a layer) and ``TextVectorizer`` (texts to padded integer sequences without TensorFlow).

Names are imported lazily: ``import simvec.keras`` imports neither Keras nor torch. The first
use of a name imports Keras, setting ``KERAS_BACKEND=torch`` first **if the variable is unset**
(a backend you chose is kept; see :mod:`simvec.keras.backend`). ``import simvec`` never does.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "CosineSimilarity": "simvec.keras.layers",
    "ElmoEmbedding": "simvec.keras.layers",
    "EmbeddingCoverage": "simvec.keras.layers",
    "pretrained_embedding": "simvec.keras.layers",
    "embedding_matrix": "simvec.keras.layers",
    "TorchLSTM": "simvec.keras.rnn",
    "TextVectorizer": "simvec.keras.text",
    "PAD_TOKEN": "simvec.keras.text",
    "OOV_TOKEN": "simvec.keras.text",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("simvec.keras", _LAZY, globals())
