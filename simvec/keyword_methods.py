"""Deprecated: moved to :mod:`simvec.keywords.methods` (the registry); this alias warns and is
removed in the next release. ``METHODS`` here is the old tuple of names."""

import warnings

from simvec.keywords.methods import (
    DEFAULT_METHOD, PAIR_METHODS, MethodParams, method_blocks, method_info, similarity_matrix,
)
from simvec.keywords.methods import METHOD_NAMES as METHODS
from simvec.keywords.parse import parse_collection
from simvec.keywords.topk import topk_blocks
from simvec.keywords.weighting import SIF_A

__all__ = ["METHODS", "DEFAULT_METHOD", "PAIR_METHODS", "similarity_matrix", "topk_neighbors",
           "method_info"]

warnings.warn("simvec.keyword_methods moved to simvec.keywords.methods; import from there (or "
              "from simvec). This alias is removed in the next release",
              DeprecationWarning, stacklevel=2)


def topk_neighbors(keyword_lists, kv, method=DEFAULT_METHOD, k=10, *, tokenizer=None,
                   sif_a=SIF_A, word_probabilities=None, alpha=0.2, progress=None, **params):
    """Deprecated: ``(index, score, valid)`` of every document's k best; use all_pairs_topk."""
    docs = parse_collection(keyword_lists, kv, tokenizer)
    scorer = method_blocks(docs, method, MethodParams(sif_a, word_probabilities, alpha=alpha,
                                                      **params))
    return topk_blocks(scorer, k, progress=progress)
