"""Deprecated: moved to :mod:`simvec.keywords.collection` (readers) and
:mod:`simvec.keywords.topk` (``all_pairs_topk``); this alias warns and is removed in the next
release."""

import warnings

from simvec.keywords.collection import CollectionReport, read_collection
from simvec.keywords.topk import AllPairsTopK, all_pairs_topk

__all__ = ["read_collection", "CollectionReport", "all_pairs_topk", "AllPairsTopK"]

warnings.warn("simvec.collection moved to simvec.keywords.collection and simvec.keywords.topk; "
              "import from there (or from simvec). This alias is removed in the next release",
              DeprecationWarning, stacklevel=2)
