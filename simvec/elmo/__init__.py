"""ELMo (Peters et al. 2018) in PyTorch: load the original bilm-tf / AllenNLP weights exactly,
embed sentences and keywords, train a small biLM on your own corpus.

Names are imported lazily (PEP 562): ``import simvec.elmo`` does not import torch.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
.. [2] AllenNLP, ``allennlp/modules/elmo.py``; bilm-tf (github.com/allenai/bilm-tf).
"""

from __future__ import annotations

from simvec._lazy import lazy_exports

_LAZY = {
    "batch_to_ids": "simvec.elmo.chars",
    "word_to_char_ids": "simvec.elmo.chars",
    "ElmoBiLm": "simvec.elmo.bilm",
    "read_options": "simvec.elmo.bilm",
    "count_parameters": "simvec.elmo.bilm",
    "load_weights": "simvec.elmo.weights",
    "save_weights": "simvec.elmo.weights",
    "ScalarMix": "simvec.elmo.scalar_mix",
    "Elmo": "simvec.elmo.embedder",
    "ElmoEmbedder": "simvec.elmo.embedder",
    "SentenceCache": "simvec.elmo.sentence_cache",
    "elmo_keyword_similarity": "simvec.elmo.keywords",
    "keyword_vectors": "simvec.elmo.keywords",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports('simvec.elmo', _LAZY, globals())
