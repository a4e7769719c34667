"""Evaluation of embeddings: word pairs and analogies, phrase / sentence pairs, keyword retrieval.

* :mod:`~simvec.eval.words`: ``evaluate_word_pairs`` (Pearson, Spearman, OOV ratio, as gensim)
  and ``evaluate_word_analogies`` (3CosAdd / 3CosMul).
* :mod:`~simvec.eval.phrases`: ``evaluate_text_pairs`` on BiRD / STS Benchmark style files.
* :mod:`~simvec.eval.retrieval`: ``evaluate_keyword_retrieval`` (precision@1, MAP@k) on labelled
  keyword collections.
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "evaluate_word_pairs": "simvec.eval.words",
    "evaluate_word_analogies": "simvec.eval.words",
    "evaluate_text_pairs": "simvec.eval.phrases",
    "read_text_pairs": "simvec.eval.phrases",
    "evaluate_keyword_retrieval": "simvec.eval.retrieval",
    "retrieval_metrics": "simvec.eval.retrieval",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("simvec.eval", _LAZY, globals())
