"""simvec as an HTTP service: a FastAPI app and a static web page (extra ``serve``).

:func:`create_app` builds the app around vectors loaded once (and optionally a keyword
collection); ``simvec serve`` runs it with uvicorn on 127.0.0.1. FastAPI is imported only when
an app is built, so ``import simvec.serve`` stays light.

Examples
--------
>>> import numpy as np
>>> from simvec.vectors.keyed import KeyedVectors
>>> from simvec.serve import create_app
>>> kv = KeyedVectors(np.eye(3, dtype=np.float32), ["cat", "dog", "car"])
>>> app = create_app(kv, vectors_name="toy")                           # doctest: +SKIP
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "create_app": "simvec.serve.app",
    "Collection": "simvec.serve.app",
    "load_collection": "simvec.serve.app",
    "Limits": "simvec.serve.limits",
    "Projection": "simvec.serve.projection",
    "project_words": "simvec.serve.projection",
    "plot_projection": "simvec.serve.projection",
    "KeywordHeatmap": "simvec.serve.projection",
    "keyword_heatmap": "simvec.serve.projection",
    "plot_keyword_heatmap": "simvec.serve.projection",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("simvec.serve", _LAZY, globals())
