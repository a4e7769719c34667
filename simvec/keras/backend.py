"""Choose Keras' backend before Keras is first imported.

simvec's Keras layers run on the PyTorch backend (the ELMo biLM is a ``torch.nn.Module``).
Importing any ``simvec.keras`` module calls :func:`import_keras`, which sets
``KERAS_BACKEND=torch`` **only if the variable is unset**, then imports Keras. ``import simvec``
itself never touches the environment or imports Keras.

A backend chosen by the user (``KERAS_BACKEND=jax``, or ``~/.keras/keras.json``) is respected
when the environment variable is set; if Keras was already imported with another backend,
:class:`CosineSimilarity` and the text helpers still work (they use ``keras.ops`` only), but
:class:`ElmoEmbedding` raises, since it owns a PyTorch module.
"""

from __future__ import annotations

import os
import sys

__all__ = ["import_keras", "require_torch_backend"]


def import_keras():
    """Set ``KERAS_BACKEND=torch`` if unset and Keras is not yet imported; return ``keras``."""
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def require_torch_backend(what: str) -> None:
    """Raise ``SimvecValueError`` unless Keras runs on the PyTorch backend."""
    keras = import_keras()
    if keras.backend.backend() != "torch":
        from simvec.errors import SimvecValueError

        raise SimvecValueError(
            f"{what} needs the PyTorch Keras backend, but Keras runs on "
            f"{keras.backend.backend()!r}; set KERAS_BACKEND=torch before importing keras")
