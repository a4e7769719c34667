"""Keyword-list similarity: parse once, one method registry, one top-k driver.

Modules, bottom to top (each imports only those before it):

* :mod:`~simvec.keywords.parse`: keyword lists parsed and tokenised once
  (``parse_collection``, ``KeywordEncoder``), ``jaccard``.
* :mod:`~simvec.keywords.frequencies`: word-count tables (the shipped corpus counts).
* :mod:`~simvec.keywords.weighting`: SIF, Zipf, corpus and IDF word weights.
* :mod:`~simvec.keywords.scorers`: the scoring functions (matrix, blocks, pairwise, vectors).
* :mod:`~simvec.keywords.methods`: the registry (``METHODS``, ``DEFAULT_METHOD``,
  ``similarity_matrix``).
* :mod:`~simvec.keywords.pair`: ``keyword_similarity`` of two lists, with the alignment.
* :mod:`~simvec.keywords.topk`: ``all_pairs_topk`` and ``rank_collection`` (one driver).
* :mod:`~simvec.keywords.collection`: ``read_collection`` / ``read_labeled_collection``.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "jaccard": "simvec.keywords.parse",
    "parse_collection": "simvec.keywords.parse",
    "ParsedCollection": "simvec.keywords.parse",
    "METHODS": "simvec.keywords.methods",
    "DEFAULT_METHOD": "simvec.keywords.methods",
    "Method": "simvec.keywords.methods",
    "similarity_matrix": "simvec.keywords.methods",
    "method_info": "simvec.keywords.methods",
    "keyword_similarity": "simvec.keywords.pair",
    "KeywordSimilarity": "simvec.keywords.pair",
    "KeywordMatch": "simvec.keywords.pair",
    "Alignment": "simvec.keywords.pair",
    "all_pairs_topk": "simvec.keywords.topk",
    "rank_collection": "simvec.keywords.topk",
    "AllPairsTopK": "simvec.keywords.topk",
    "read_collection": "simvec.keywords.collection",
    "read_labeled_collection": "simvec.keywords.collection",
    "CollectionReport": "simvec.keywords.collection",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("simvec.keywords", _LAZY, globals())
