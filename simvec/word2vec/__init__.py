"""word2vec training: the fast numba engine (:class:`Word2Vec`) and a Keras model (:mod:`.keras`)."""

from simvec.word2vec.config import Word2VecConfig
from simvec.word2vec.model import Word2Vec

__all__ = ["Word2Vec", "Word2VecConfig"]
