"""simvec: word and text embeddings and semantic similarity.

Public names are imported lazily (PEP 562), so ``import simvec`` stays fast and has no side
effects; numba, pyarrow and friends load on first use.

Examples
--------
>>> import simvec
>>> kv = simvec.load("glove-6B-50d")                                    # doctest: +SKIP
>>> simvec.keyword_similarity(["machine learning"], ["deep learning"], kv)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "KeyedVectors": "simvec.vectors.keyed",
    "load": "simvec.vectors.sources",
    "list_sources": "simvec.vectors.sources",
    "load_vectors": "simvec.vectors.formats",
    "save_vectors": "simvec.vectors.formats",
    "detect_format": "simvec.vectors.formats",
    "cos_sim": "simvec.similarity",
    "pairwise_cos_sim": "simvec.similarity",
    "jaccard": "simvec.similarity",
    "keyword_similarity": "simvec.similarity",
    "KeywordSimilarity": "simvec.similarity",
    "all_pairs_topk": "simvec.similarity",
    "evaluate_word_pairs": "simvec.evaluation",
    "evaluate_word_analogies": "simvec.evaluation",
    "SimvecError": "simvec.errors",
    "VectorFormatError": "simvec.errors",
    "OutOfVocabularyError": "simvec.errors",
    "UnknownSourceError": "simvec.errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'simvec' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
