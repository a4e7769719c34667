"""word2vec training: the fast numba engine (:class:`Word2Vec`) and a Keras model (:mod:`.keras`).

Names load lazily (PEP 562): importing this package does not import numba or Keras.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

__all__ = ["Word2Vec", "Word2VecConfig"]

_LAZY = {"Word2Vec": "simvec.word2vec.model", "Word2VecConfig": "simvec.word2vec.config"}


__getattr__, __dir__ = lazy_exports('simvec.word2vec', _LAZY, globals())
