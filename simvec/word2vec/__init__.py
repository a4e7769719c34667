"""word2vec training: the fast numba engine (:class:`Word2Vec`) and a Keras model (:mod:`.keras`).

Names load lazily (PEP 562): importing this package does not import numba or Keras.
"""

from __future__ import annotations

import importlib

__all__ = ["Word2Vec", "Word2VecConfig"]

_LAZY = {"Word2Vec": "simvec.word2vec.model", "Word2VecConfig": "simvec.word2vec.config"}


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'simvec.word2vec' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
