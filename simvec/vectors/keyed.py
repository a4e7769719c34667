"""KeyedVectors: a float32 matrix of word vectors addressed by key, with nearest-neighbour queries.

Mirrors the API users know from gensim's ``KeyedVectors`` (``vectors``, ``index_to_key``,
``key_to_index``, ``get_vector``, ``most_similar``, ``similarity``, ``doesnt_match``) without its
deprecated aliases; neighbour searches are batched matrix products reduced by a parallel top-k
kernel (:mod:`simvec.kernels.topk`), so many queries cost little more than one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Union

import numpy as np

from simvec._util import normalize_rows
from simvec.errors import OutOfVocabularyError, SimvecValueError
from simvec.kernels.topk import dot_topk
from simvec.vectors._files import read_vectors, write_vectors
from simvec.vectors.gensim_names import GensimNames
from simvec.vectors.naming import resolve_save_format

__all__ = ["KeyedVectors"]

Query = Union[str, np.ndarray]


class KeyedVectors(GensimNames):
    """Word vectors: a float32 matrix whose row i is the vector of ``index_to_key[i]``.

    gensim's method names (``n_similarity``, ``distance(s)``, ``cosine_similarities``,
    ``similar_by_word``, ``get_mean_vector``, ``add_vectors``, ``save_word2vec_format``) come
    from :class:`simvec.vectors.gensim_names.GensimNames`.

    Parameters
    ----------
    vectors : array_like, float32, shape (n_words, vector_size)
        The vectors. Converted to float32 (not copied when it already is float32, so a memory
        map stays a memory map).
    index_to_key : sequence of str, length n_words
        The key of every row. Keys must be unique.
    lazy_index : bool
        Build ``key_to_index`` (and check that keys are unique) on first use instead of now.
        Loaders of files that were validated when written (the native format) use it so that a
        memory-mapped load of 400,000 keys stays under 0.1 s.

    Attributes
    ----------
    vectors : ndarray, float32, shape (n_words, vector_size)
    index_to_key : list of str
    key_to_index : dict of str to int
    vector_size : int
    norms : ndarray, float32, shape (n_words,)
        L2 norm of every row, computed on first use and cached.

    Raises
    ------
    SimvecValueError
        If ``vectors`` is not 2-D, its row count differs from ``len(index_to_key)``, or a key
        repeats.

    Notes
    -----
    Row order is kept as given; for pretrained files it is the file order, i.e. most frequent
    first, which is what ``restrict_vocab`` relies on (as in gensim and word2vec.c).

    Examples
    --------
    >>> import numpy as np
    >>> kv = KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"])
    >>> kv["b"].tolist()
    [0.0, 1.0, 0.0]
    >>> kv[["a", "c"]].shape
    (2, 3)
    >>> "d" in kv, len(kv)
    (False, 3)
    """

    def __init__(self, vectors, index_to_key: Sequence[str], *, lazy_index: bool = False):
        if not isinstance(vectors, np.ndarray):  # an np.memmap stays a memmap
            vectors = np.asarray(vectors)
        if vectors.dtype != np.float32:
            vectors = vectors.astype(np.float32)
        if vectors.ndim != 2:
            raise SimvecValueError(
                f"vectors must be 2-D (n_words, vector_size), got shape {vectors.shape}"
            )
        index_to_key = list(index_to_key)
        if len(index_to_key) != vectors.shape[0]:
            raise SimvecValueError(
                f"{len(index_to_key)} keys for {vectors.shape[0]} vectors "
                f"(vectors shape {vectors.shape}); they must match"
            )
        self.vectors = vectors
        self.index_to_key = index_to_key
        self._key_to_index = None if lazy_index else _build_index(index_to_key)
        self._norms = None
        self._normed = None

    @property
    def key_to_index(self) -> dict:
        """``{key: row}``; built on first use when the object was made with ``lazy_index``."""
        if self._key_to_index is None:
            self._key_to_index = _build_index(self.index_to_key)
        return self._key_to_index

    # ------------------------------------------------------------------ container protocol
    @property
    def vector_size(self) -> int:
        """Dimensionality d of every vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key) -> bool:
        return key in self.key_to_index

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self) -> str:
        return f"KeyedVectors({len(self)} keys, vector_size={self.vector_size})"

    def has_index_for(self, key) -> bool:
        """True if ``key`` has a row."""
        return key in self.key_to_index

    def get_index(self, key: str) -> int:
        """Row index of ``key``.

        Raises
        ------
        OutOfVocabularyError
            (a ``KeyError``) if ``key`` is not in the vocabulary.
        """
        try:
            return self.key_to_index[key]
        except KeyError:
            raise OutOfVocabularyError(key) from None
        except TypeError:
            raise SimvecValueError(f"keys are strings, got {type(key).__name__} {key!r}") from None

    def get_vector(self, key: str, norm: bool = False) -> np.ndarray:
        """The vector of ``key``: float32, shape (vector_size,).

        Parameters
        ----------
        key : str
        norm : bool
            Return the unit-length vector instead of the raw one.

        Raises
        ------
        OutOfVocabularyError
            (a ``KeyError``) naming the key if it is not in the vocabulary.
        """
        i = self.get_index(key)
        if norm:
            return self.get_normed_vectors()[i]
        return self.vectors[i]

    def __getitem__(self, key):
        """``kv["word"]`` -> (vector_size,); ``kv[["a", "b"]]`` -> (2, vector_size)."""
        if isinstance(key, str):
            return self.get_vector(key)
        if isinstance(key, (int, np.integer, slice)):
            raise SimvecValueError(
                f"keys are strings, got {type(key).__name__} {key!r}: for a row by position "
                f"use kv.vectors[{key!r}] (its key is kv.index_to_key[{key!r}])")
        return self.vectors[[self.get_index(k) for k in key]]

    # ------------------------------------------------------------------ norms
    @property
    def norms(self) -> np.ndarray:
        """L2 norm of every row, float32 (n_words,), cached after the first call."""
        if self._norms is None:
            self._norms = np.linalg.norm(self.vectors, axis=1).astype(np.float32)
        return self._norms

    def get_normed_vectors(self) -> np.ndarray:
        """Unit-length rows, float32 (n_words, vector_size); zero rows stay zero. Cached."""
        if self._normed is None:
            norms = self.norms.copy()
            norms[norms == 0] = 1.0
            self._normed = (self.vectors / norms[:, None]).astype(np.float32, copy=False)
        return self._normed

    def fill_norms(self, force: bool = False) -> None:
        """Compute (or recompute with ``force``) the cached norms and unit vectors."""
        if force:
            self._norms = self._normed = None
        self.get_normed_vectors()

    # ------------------------------------------------------------------ similarity
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two keys' vectors, in [-1, 1] (0 if either vector is zero)."""
        return float(np.dot(self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)))

    def _query_vector(self, positive, negative):
        """Unit mean of the (unit) positive and negated negative vectors, and their row indices.

        Mirrors gensim's ``most_similar``: each key's unit vector weighted +1 / -1, raw vectors
        used as given (also normalised), mean taken, then normalised.
        """
        positive = _as_list(positive)
        negative = _as_list(negative)
        if not positive and not negative:
            raise SimvecValueError("cannot compute similarity with no input: give positive or negative")
        rows, used = [], []
        for items, weight in ((positive, 1.0), (negative, -1.0)):
            for item in items:
                if isinstance(item, str):
                    i = self.get_index(item)
                    used.append(i)
                    rows.append(weight * self.get_normed_vectors()[i])
                else:
                    v = np.asarray(item, dtype=np.float32)
                    if v.shape != (self.vector_size,):
                        raise SimvecValueError(
                            f"query vector must have shape ({self.vector_size},), got {v.shape}"
                        )
                    rows.append(weight * normalize_rows(v[None])[0])
        mean = normalize_rows(np.mean(rows, axis=0)[None])[0]
        return mean, used

    def _search(self, queries, exclude, topn, restrict_vocab):
        matrix = self.get_normed_vectors()
        if restrict_vocab is not None:
            matrix = matrix[: int(restrict_vocab)]
        idx, val = dot_topk(queries, matrix, topn, exclude=exclude)
        return [
            [(self.index_to_key[j], float(s)) for j, s in zip(ri, rv) if j >= 0]
            for ri, rv in zip(idx, val)
        ]

    def most_similar(
        self,
        positive: Query | Iterable[Query] | None = None,
        negative: Query | Iterable[Query] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` keys closest by cosine to the mean of ``positive`` minus ``negative``.

        Mirrors gensim's ``KeyedVectors.most_similar`` (3CosAdd when used for analogies): unit
        vectors of the positive keys (+1) and negative keys (-1) are averaged and normalised, and
        keys are ranked by cosine to that direction. The input keys are never returned.

        Parameters
        ----------
        positive, negative : str, ndarray (vector_size,), or a list of them
        topn : int
            Number of results.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` rows (the most frequent words).

        Returns
        -------
        list of (str, float)
            ``(key, cosine)`` by decreasing cosine.

        Raises
        ------
        OutOfVocabularyError
            If a key is not in the vocabulary.
        SimvecValueError
            If no input is given or a vector has the wrong shape.

        Examples
        --------
        >>> import simvec
        >>> kv = simvec.load("glove-6B-50d")                     # doctest: +SKIP
        >>> kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)  # doctest: +SKIP
        [('queen', 0.8523...)]
        """
        mean, used = self._query_vector(positive, negative)
        exclude = np.array([used], dtype=np.int64).reshape(1, -1)
        return self._search(mean[None], exclude, topn, restrict_vocab)[0]

    def most_similar_batch(
        self,
        keys: Sequence[str],
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """``most_similar(key)`` for many keys in one blocked matrix product.

        Parameters
        ----------
        keys : sequence of str, length N
        topn : int
        restrict_vocab : int, optional

        Returns
        -------
        list of N lists of (str, float)
            ``result[i]`` equals ``most_similar(keys[i], topn=topn, restrict_vocab=...)``.

        Raises
        ------
        OutOfVocabularyError
            Naming the first key that is not in the vocabulary.
        """
        rows = np.array([self.get_index(k) for k in keys], dtype=np.int64)
        queries = self.get_normed_vectors()[rows]
        return self._search(queries, rows[:, None], topn, restrict_vocab)

    def similar_by_vector(
        self, vector, topn: int = 10, restrict_vocab: int | None = None
    ):
        """Keys closest by cosine to a raw vector, or to each row of a matrix.

        Parameters
        ----------
        vector : ndarray, shape (vector_size,) or (N, vector_size)
        topn : int
        restrict_vocab : int, optional

        Returns
        -------
        list of (str, float), or a list of N such lists for 2-D input.
        """
        v = np.asarray(vector, dtype=np.float32)
        if v.shape[-1:] != (self.vector_size,) or v.ndim not in (1, 2):
            raise SimvecValueError(
                f"vector must have shape ({self.vector_size},) or (N, {self.vector_size}), "
                f"got {v.shape}"
            )
        res = self._search(normalize_rows(np.atleast_2d(v)), None, topn, restrict_vocab)
        return res[0] if v.ndim == 1 else res

    def similar_by_key(self, key: str, topn: int = 10, restrict_vocab: int | None = None):
        """Alias of ``most_similar(key, ...)`` with one key (gensim's ``similar_by_key``)."""
        return self.most_similar(key, topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(
        self,
        positive: Query | Iterable[Query] | None = None,
        negative: Query | Iterable[Query] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest keys by the multiplicative objective 3CosMul (Levy & Goldberg 2014).

        score(x) = prod_p cos'(x, p) / (prod_n cos'(x, n) + 1e-6), with cos' = (1 + cos) / 2
        shifted into [0, 1], as in gensim's ``most_similar_cosmul``.

        Parameters, Returns and Raises as :meth:`most_similar`.

        References
        ----------
        O. Levy and Y. Goldberg, "Linguistic Regularities in Sparse and Explicit Word
        Representations", CoNLL 2014.
        """
        positive = _as_list(positive)
        negative = _as_list(negative)
        if not positive and not negative:
            raise SimvecValueError("cannot compute similarity with no input: give positive or negative")
        normed = self.get_normed_vectors()
        matrix = normed if restrict_vocab is None else normed[: int(restrict_vocab)]

        def unit(item):
            if isinstance(item, str):
                return normed[self.get_index(item)]
            return normalize_rows(np.asarray(item, dtype=np.float32)[None])[0]

        pos = [(1 + matrix @ unit(p)) / 2 for p in positive]
        neg = [(1 + matrix @ unit(n)) / 2 for n in negative]
        score = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 1e-6)
        used = [self.key_to_index[k] for k in positive + negative if isinstance(k, str)]
        score = score.astype(np.float32)
        score[[u for u in used if u < len(score)]] = -np.inf
        k = min(topn, len(score))
        best = np.argpartition(-score, k - 1)[:k] if k < len(score) else np.arange(len(score))
        best = best[np.argsort(-score[best], kind="stable")]
        return [(self.index_to_key[i], float(score[i])) for i in best if np.isfinite(score[i])]

    def analogy(
        self, a: str, b: str, c: str, topn: int = 1, method: str = "3cosadd",
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Solve "``a`` is to ``b`` as ``c`` is to ?".

        Parameters
        ----------
        a, b, c : str
        topn : int
        method : {"3cosadd", "3cosmul"}
            3CosAdd (Mikolov et al. 2013): argmax cos(x, b - a + c), i.e.
            ``most_similar(positive=[b, c], negative=[a])``; 3CosMul (Levy & Goldberg 2014).
        restrict_vocab : int, optional

        Returns
        -------
        list of (str, float)

        Examples
        --------
        >>> kv.analogy("man", "king", "woman")  # doctest: +SKIP
        [('queen', 0.8523...)]
        """
        method = method.lower()
        if method == "3cosadd":
            return self.most_similar([b, c], [a], topn=topn, restrict_vocab=restrict_vocab)
        if method == "3cosmul":
            return self.most_similar_cosmul([b, c], [a], topn=topn, restrict_vocab=restrict_vocab)
        raise SimvecValueError(f"method must be '3cosadd' or '3cosmul', got {method!r}")

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the others (gensim's ``doesnt_match``).

        The unit vectors of the in-vocabulary words are averaged and normalised; the word whose
        cosine to that mean is lowest is returned.

        Raises
        ------
        SimvecValueError
            If fewer than two of ``words`` are in the vocabulary (the OOV ones are named).
        """
        words = list(words)
        used = [w for w in words if w in self.key_to_index]
        missing = [w for w in words if w not in self.key_to_index]
        if len(used) < 2:
            raise SimvecValueError(
                f"doesnt_match needs at least two in-vocabulary words; got {used} "
                f"(not in vocabulary: {missing})"
            )
        vecs = self.get_normed_vectors()[[self.key_to_index[w] for w in used]]
        mean = normalize_rows(vecs.mean(axis=0)[None])[0]
        return used[int(np.argmin(vecs @ mean))]

    def rank(self, w1: str, w2: str) -> int:
        """Rank (1-based) of ``w2`` among the neighbours of ``w1`` by cosine."""
        normed = self.get_normed_vectors()
        sims = normed @ normed[self.get_index(w1)]
        target = sims[self.get_index(w2)]
        return int(np.sum(sims > target)) - (1 if sims[self.get_index(w1)] > target else 0) + 1

    # ------------------------------------------------------------------ persistence
    def save(self, path, format: str | None = None, **kwargs) -> None:
        """Write to ``path`` atomically; see :func:`simvec.vectors.formats.save_vectors`.

        Without ``format`` the extension chooses it (:mod:`simvec.vectors.naming`: ``.txt``
        word2vec text, ``.bin`` binary, ``.vec`` fastText, ``.npy`` or other native).
        """
        format, _ = resolve_save_format(path, format)
        write_vectors(self.vectors, self.index_to_key, path, format, **kwargs)

    @classmethod
    def load(cls, path, format: str | None = None, **kwargs) -> "KeyedVectors":
        """Read vectors from ``path``; see :func:`simvec.vectors.formats.load_vectors`."""
        return read_vectors(path, format, make=cls, **kwargs)


def _build_index(index_to_key: list) -> dict:
    """``{key: row}``; raises SimvecValueError naming the first key that repeats."""
    key_to_index = dict(zip(index_to_key, range(len(index_to_key))))  # C speed
    if len(key_to_index) != len(index_to_key):
        seen = {}
        for i, k in enumerate(index_to_key):
            if k in seen:
                raise SimvecValueError(
                    f"key {k!r} repeats (rows {seen[k]} and {i}); keys must be unique"
                )
            seen[k] = i
    return key_to_index


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, str) or (isinstance(x, np.ndarray) and x.ndim == 1):
        return [x]
    return list(x)
