"""gensim's names on :class:`~simvec.vectors.keyed.KeyedVectors`, with gensim 4's behaviour.

Users coming from gensim call ``n_similarity``, ``distance``, ``distances``,
``cosine_similarities``, ``similar_by_word``, ``get_mean_vector``, ``add_vectors`` and
``save_word2vec_format``; :class:`GensimNames` gives KeyedVectors those methods, each mirroring
``gensim.models.KeyedVectors`` 4.x (cross-checked against gensim in tests/test_gensim_names.py).
Cosines of a zero vector are 0 here rather than gensim's NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simvec.errors import OutOfVocabularyError, SimvecValueError

__all__ = ["GensimNames"]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


class GensimNames:
    """Mixin: gensim 4's ``KeyedVectors`` method names (see the module docstring)."""

    def similar_by_word(self, word: str, topn: int = 10, restrict_vocab: int | None = None):
        """``most_similar(word)``: the ``topn`` keys closest by cosine, as ``(key, cosine)``."""
        return self.most_similar(word, topn=topn, restrict_vocab=restrict_vocab)

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``, in [0, 2]."""
        return 1.0 - self.similarity(w1, w2)

    @staticmethod
    def cosine_similarities(vector_1, vectors_all) -> np.ndarray:
        """Cosine of ``vector_1`` (D,) with every row of ``vectors_all`` (N, D) -> (N,).

        A zero vector gives cosine 0 (gensim gives NaN).
        """
        v = np.asarray(vector_1, dtype=np.float32)
        m = np.atleast_2d(np.asarray(vectors_all, dtype=np.float32))
        if m.shape[1:] != v.shape:
            raise SimvecValueError(f"vectors_all must have shape (N, {v.shape[0]}), got {m.shape}")
        denom = np.linalg.norm(m, axis=1) * np.linalg.norm(v)
        dots = m @ v
        return np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)

    def distances(self, word_or_vector, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances from a key (or a vector) to ``other_words`` (all keys if empty).

        Returns
        -------
        ndarray, float32, shape (len(other_words),) or (n_words,)
        """
        v = (self.get_vector(word_or_vector) if isinstance(word_or_vector, str)
             else np.asarray(word_or_vector, dtype=np.float32))
        others = (self.vectors if len(other_words) == 0
                  else self.vectors[[self.get_index(w) for w in other_words]])
        return 1.0 - self.cosine_similarities(v, others)

    def get_mean_vector(self, keys, weights=None, pre_normalize: bool = True,
                        post_normalize: bool = False, ignore_missing: bool = True) -> np.ndarray:
        """Weighted mean of the keys' vectors (unit vectors with ``pre_normalize``), gensim's way.

        Parameters
        ----------
        keys : sequence of str or ndarray
            Keys, or raw vectors of shape (vector_size,) used as they are.
        weights : sequence of float, optional
            One per key (default 1); the mean divides by the sum of ``|weight|`` used.
        pre_normalize, post_normalize : bool
            Average unit vectors; return a unit vector.
        ignore_missing : bool
            Skip out-of-vocabulary keys (else raise).

        Returns
        -------
        ndarray, float32, shape (vector_size,)
            Zero when no key was usable.

        Raises
        ------
        SimvecValueError
            No keys, or as many weights as keys not given.
        OutOfVocabularyError
            An unknown key with ``ignore_missing=False``.
        """
        keys = list(keys) if not isinstance(keys, str) else [keys]
        if not keys:
            raise SimvecValueError("get_mean_vector needs at least one key")
        w = (np.ones(len(keys), np.float32) if weights is None
             else np.asarray(weights, dtype=np.float32))
        if w.shape != (len(keys),):
            raise SimvecValueError(f"{len(keys)} keys but weights of shape {w.shape}")
        mean = np.zeros(self.vector_size, np.float32)
        total = 0.0
        for key, wt in zip(keys, w):
            if isinstance(key, np.ndarray):
                mean += wt * key.astype(np.float32)
            elif key in self:
                mean += wt * self.get_vector(key, norm=pre_normalize)
            elif not ignore_missing:
                raise OutOfVocabularyError(key)
            else:
                continue
            total += abs(float(wt))
        if total > 0:
            mean /= total
        return _unit(mean).astype(np.float32) if post_normalize else mean

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
        """Cosine of the mean raw vectors of two key lists (gensim's ``n_similarity``).

        Raises
        ------
        SimvecValueError
            If a list is empty.
        """
        if not (len(ws1) and len(ws2)):
            raise SimvecValueError("n_similarity needs two non-empty key lists")
        m1 = self.get_mean_vector(ws1, pre_normalize=False, ignore_missing=False)
        m2 = self.get_mean_vector(ws2, pre_normalize=False, ignore_missing=False)
        return float(np.dot(_unit(m1), _unit(m2)))

    def add_vectors(self, keys, weights, replace: bool = False) -> None:
        """Append vectors for new keys; with ``replace``, overwrite those of known keys.

        Parameters
        ----------
        keys : str or sequence of str
        weights : array_like, shape (vector_size,) or (len(keys), vector_size)
        replace : bool
            Overwrite the vectors of keys already present (else they are kept).

        Notes
        -----
        The matrix is copied (a memory-mapped matrix becomes an in-memory one) and the cached
        norms are dropped.
        """
        if isinstance(keys, str):
            keys = [keys]
        keys = list(keys)
        w = np.asarray(weights, dtype=np.float32).reshape(len(keys), -1)
        if w.shape[1] != self.vector_size:
            raise SimvecValueError(
                f"weights must have shape ({len(keys)}, {self.vector_size}), got {w.shape}")
        if len(set(keys)) != len(keys):
            raise SimvecValueError("add_vectors: keys repeat")
        known = np.array([k in self for k in keys], dtype=bool)
        vectors = np.array(self.vectors, dtype=np.float32, copy=True)
        if replace and known.any():
            vectors[[self.get_index(k) for k, kn in zip(keys, known) if kn]] = w[known]
        index = self.key_to_index
        for k in (k for k, kn in zip(keys, known) if not kn):
            index[k] = len(self.index_to_key)
            self.index_to_key.append(k)
        self.vectors = np.vstack([vectors, w[~known]])
        self._norms = self._normed = None

    def save_word2vec_format(self, fname, fvocab=None, binary: bool = False,
                             write_header: bool = True) -> None:
        """Write word2vec text (``binary=False``) or binary, atomically (gensim's name).

        ``write_header=False`` writes text without the ``count dim`` line (GloVe's layout; gensim
        reads it back with ``load_word2vec_format(..., no_header=True)``). ``fvocab`` (a separate
        vocabulary-count file) is not supported: simvec keeps no counts.

        Raises
        ------
        SimvecValueError
            ``fvocab`` given, or ``binary`` without a header (the binary format has one).
        """
        if fvocab is not None:
            raise SimvecValueError("save_word2vec_format: fvocab is not supported (no counts)")
        if binary and not write_header:
            raise SimvecValueError("save_word2vec_format: the binary format always has a header")
        fmt = "word2vec-binary" if binary else ("word2vec" if write_header else "glove")
        self.save(fname, format=fmt)
