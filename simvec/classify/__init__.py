"""Text classification with embeddings: data, recipes, training, reports.

Loaders live in :mod:`.datasets` (reading from the data home by default, :mod:`.locate`), ``TextDataset`` / ``DatasetSplits`` in :mod:`.splits`, the
networks in :mod:`.recipes`, training / evaluation / saved runs in :mod:`.classifier`, metrics
and plots in :mod:`.report`.

Names load lazily (PEP 562): importing this package reads no data and imports no scikit-learn,
Keras or torch until a name is first used.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "TextDataset": "simvec.classify.splits",
    "DatasetSplits": "simvec.classify.splits",
    "split_dataset": "simvec.classify.splits",
    "subsample": "simvec.classify.splits",
    "load_imdb": "simvec.classify.datasets",
    "load_sst2": "simvec.classify.datasets",
    "load_agnews": "simvec.classify.datasets",
    "load_chnsenticorp": "simvec.classify.datasets",
    "load_table": "simvec.classify.datasets",
    "load_dataset": "simvec.classify.datasets",
    "default_data_path": "simvec.classify.locate",
    "RECIPES": "simvec.classify.recipes",
    "HEADS": "simvec.classify.recipes",
    "build_model": "simvec.classify.recipes",
    "ClassifierConfig": "simvec.classify.classifier",
    "Classifier": "simvec.classify.classifier",
    "train_classifier": "simvec.classify.classifier",
    "classification_metrics": "simvec.classify.report",
    "format_metrics": "simvec.classify.report",
    "plot_history": "simvec.classify.report",
    "plot_histories": "simvec.classify.report",
    "plot_confusion_matrix": "simvec.classify.report",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("simvec.classify", _LAZY, globals())
