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

from simvec._util import import_optional
from simvec.errors import SimvecValueError

__all__ = ["import_keras", "require_torch_backend"]


def import_keras():
    """Set ``KERAS_BACKEND=torch`` if unset and Keras is not yet imported; return ``keras``.

    Raises MissingDependencyError (``pip install 'simvec[keras]'``) if Keras, or torch for the
    torch backend, is not installed.
    """
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        if os.environ["KERAS_BACKEND"] == "torch":
            import_optional("torch", extra="keras", needed_by="Keras' torch backend")
    return import_optional("keras", extra="keras", needed_by="simvec.keras")


def require_torch_backend(what: str) -> None:
    """Raise ``SimvecValueError`` unless Keras runs on the PyTorch backend."""
    keras = import_keras()
    if keras.backend.backend() != "torch":
        raise SimvecValueError(
            f"{what} needs the PyTorch Keras backend, but Keras runs on "
            f"{keras.backend.backend()!r}; set KERAS_BACKEND=torch before importing keras")
