"""Peers shared by the benchmark scripts (bench-only; gensim is never a simvec dependency)."""

from __future__ import annotations

import numpy as np

__all__ = ["gensim_keyed_vectors"]


def gensim_keyed_vectors(kv):
    """A gensim ``KeyedVectors`` holding the same keys and float32 rows as ``kv``, or None.

    Prints a note and returns None when gensim (the ``bench`` extra) is not installed.
    """
    try:
        from gensim.models import KeyedVectors as GensimKV
    except ImportError:
        print("gensim is not installed (pip install gensim, the 'bench' extra): simvec only")
        return None
    gkv = GensimKV(kv.vector_size)
    gkv.add_vectors(kv.index_to_key, np.asarray(kv.vectors))
    gkv.fill_norms()
    return gkv
