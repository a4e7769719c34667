"""Collections at scale: encode once, search exactly or through an approximate index, re-rank
with the default keyword method, scale out on Dask.

* :mod:`simvec.index.encode`: :func:`encode`, :func:`encode_file` (memory-mapped ``.npy`` + ids,
  atomic, resumable), :func:`load_embeddings`.
* :mod:`simvec.index.search`: :func:`search` (exact, blocked, bounded memory), :func:`all_pairs`.
* :mod:`simvec.index.ann`: :class:`AnnIndex`, the approximate index (extra ``index``).
* :mod:`simvec.index.rerank`: two stages, index candidates re-ranked by a keyword method.
* :mod:`simvec.index.dask`: encode and all-pairs top-k over partitions (extra ``dask``).

Submodules are imported on first use.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "encode": "simvec.index.encode",
    "encode_file": "simvec.index.encode",
    "load_embeddings": "simvec.index.encode",
    "encoder_info": "simvec.index.encode",
    "Embeddings": "simvec.index.encode",
    "search": "simvec.index.search",
    "all_pairs": "simvec.index.search",
}

__all__ = ["Embeddings", "all_pairs", "encode", "encode_file", "encoder_info",
           "load_embeddings", "search"]

__getattr__, __dir__ = lazy_exports("simvec.index", _LAZY, globals())
