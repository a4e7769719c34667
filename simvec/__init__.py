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

from simvec._lazy import lazy_exports

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
    "normalize_rows": "simvec.similarity",
    "jaccard": "simvec.keywords.parse",
    "keyword_similarity": "simvec.keywords.pair",
    "KeywordSimilarity": "simvec.keywords.pair",
    "all_pairs_topk": "simvec.keywords.topk",
    "rank_collection": "simvec.keywords.topk",
    "similarity_matrix": "simvec.keywords.methods",
    "read_collection": "simvec.keywords.collection",
    "read_labeled_collection": "simvec.keywords.collection",
    "evaluate_word_pairs": "simvec.eval.words",
    "evaluate_word_analogies": "simvec.eval.words",
    "evaluate_keyword_retrieval": "simvec.eval.retrieval",
    "evaluate_text_pairs": "simvec.eval.phrases",
    "Word2Vec": "simvec.word2vec.model",
    "Elmo": "simvec.elmo.embedder",
    "ElmoEmbedder": "simvec.elmo.embedder",
    "encode": "simvec.index.encode",
    "search": "simvec.index.search",
    "SimvecError": "simvec.errors",
    "VectorFormatError": "simvec.errors",
    "OutOfVocabularyError": "simvec.errors",
    "UnknownSourceError": "simvec.errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


__getattr__, __dir__ = lazy_exports('simvec', _LAZY, globals())
