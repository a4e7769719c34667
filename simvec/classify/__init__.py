"""Text classification with embeddings: data loaders (:mod:`.datasets`).

Names load lazily (PEP 562): importing this package reads no data and imports no scikit-learn,
Keras or torch until a name is first used.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

__all__ = [
    "TextDataset",
    "DatasetSplits",
    "load_imdb",
    "load_sst2",
    "load_agnews",
    "load_chnsenticorp",
    "load_table",
    "load_dataset",
    "split_dataset",
]

_LAZY = {name: "simvec.classify.datasets" for name in __all__}
_LAZY.update({name: "simvec.classify.splits" for name in ("TextDataset", "DatasetSplits", "split_dataset")})

__getattr__, __dir__ = lazy_exports("simvec.classify", _LAZY, globals())
