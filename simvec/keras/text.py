"""Texts to padded integer sequences for Keras models, without TensorFlow.

Keras' ``TextVectorization`` layer needs TensorFlow; :class:`TextVectorizer` does its
``output_mode="int"`` job with simvec's tokenizer, a frequency-ranked vocabulary and
``keras.utils.pad_sequences``, and uses the same index layout: 0 = padding ``""``,
1 = out-of-vocabulary ``"[UNK]"``, then words by decreasing count (ties alphabetical).
Its ``get_vocabulary()`` is what :func:`simvec.keras.pretrained_embedding` takes.

Importing this module sets ``KERAS_BACKEND=torch`` if no backend was chosen.

References
----------
.. [1] Keras ``TextVectorization`` (vocabulary layout, ``max_tokens``,
   ``output_sequence_length``) and ``keras.utils.pad_sequences``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from simvec._util import atomic_write
from simvec.errors import SimvecValueError
from simvec.keras.backend import import_keras
from simvec.text.tokenize import tokenize

__all__ = ["TextVectorizer", "PAD_TOKEN", "OOV_TOKEN"]

PAD_TOKEN = ""
"""Token of index 0 (padding), as in Keras' ``TextVectorization.get_vocabulary()``."""
OOV_TOKEN = "[UNK]"
"""Token of index 1 (out-of-vocabulary)."""


class TextVectorizer:
    """Fit a vocabulary on texts and turn texts into padded integer arrays.

    Args:
        max_tokens: int or None. Largest vocabulary size, padding and OOV index included (as
            Keras' ``max_tokens``); None keeps every word with ``min_count``.
        min_count: int >= 1. Words seen fewer times in the fitted texts are OOV.
        output_sequence_length: int or None. Length of every output row; None pads to the
            longest text of each ``transform`` call.
        lowercase: bool, passed to :func:`simvec.text.tokenize.tokenize`.
        padding, truncating: ``"post"`` (default: keep the start of long texts, pad at the end)
            or ``"pre"`` (Keras' ``pad_sequences`` default).
        tokenizer: optional callable str -> list of str replacing simvec's tokenizer (e.g.
            jieba for Chinese). Not saved by :meth:`save`.

    Call arguments (``transform`` / ``__call__``):
        texts: a str or a list of str (or pre-tokenised lists of str).

    Returns:
        int32 array ``(len(texts), sequence_length)``; ``out[i, j]`` = index of token ``j``
        of text ``i``, 0 after its end.

    Examples:
    >>> from simvec.keras import TextVectorizer
    >>> tv = TextVectorizer(output_sequence_length=4).fit(["the cat sat", "the dog"])
    >>> tv.get_vocabulary()
    ['', '[UNK]', 'the', 'cat', 'dog', 'sat']
    >>> tv(["the bird sat"]).tolist()
    [[2, 1, 5, 0]]
    """

    def __init__(self, max_tokens: int | None = None, min_count: int = 1,
                 output_sequence_length: int | None = None, lowercase: bool = True,
                 padding: str = "post", truncating: str = "post", tokenizer=None):
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 3):
            raise SimvecValueError(
                f"max_tokens must be an integer >= 3 (padding, OOV and one word) or None, "
                f"got {max_tokens!r}")
        if not isinstance(min_count, int) or min_count < 1:
            raise SimvecValueError(f"min_count must be a positive integer, got {min_count!r}")
        if output_sequence_length is not None and (
                not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise SimvecValueError("output_sequence_length must be a positive integer or "
                                   f"None, got {output_sequence_length!r}")
        for arg, val in (("padding", padding), ("truncating", truncating)):
            if val not in ("pre", "post"):
                raise SimvecValueError(f"{arg} must be 'pre' or 'post', got {val!r}")
        self.max_tokens = max_tokens
        self.min_count = min_count
        self.output_sequence_length = output_sequence_length
        self.lowercase = lowercase
        self.padding = padding
        self.truncating = truncating
        self.tokenizer = tokenizer
        self._vocab: list[str] = []
        self._index: dict[str, int] = {}
        self.counts: Counter = Counter()

    # ------------------------------------------------------------------ tokens

    def _tokens(self, text) -> list[str]:
        if isinstance(text, (list, tuple)):
            return [t.lower() if self.lowercase else t for t in text]
        if not isinstance(text, str):
            raise SimvecValueError(f"texts must be str or lists of str, got {type(text).__name__}")
        if self.tokenizer is not None:
            toks = list(self.tokenizer(text))
            return [t.lower() for t in toks] if self.lowercase else toks
        return tokenize(text, lowercase=self.lowercase)

    @staticmethod
    def _as_list(texts):
        if isinstance(texts, str):
            return [texts]
        return list(texts)

    # ------------------------------------------------------------------ fit / transform

    def fit(self, texts) -> "TextVectorizer":
        """Count tokens in ``texts`` and keep the most frequent (``max_tokens``, ``min_count``)."""
        counts: Counter = Counter()
        for t in self._as_list(texts):
            counts.update(self._tokens(t))
        counts.pop(PAD_TOKEN, None)
        counts.pop(OOV_TOKEN, None)
        ranked = sorted((w for w, c in counts.items() if c >= self.min_count),
                        key=lambda w: (-counts[w], w))
        if self.max_tokens is not None:
            ranked = ranked[: self.max_tokens - 2]
        self.set_vocabulary(ranked)
        self.counts = counts
        return self

    def set_vocabulary(self, words) -> None:
        """Use ``words`` (without padding and OOV tokens, most useful first) as vocabulary."""
        words = [w for w in words if w not in (PAD_TOKEN, OOV_TOKEN)]
        if len(set(words)) != len(words):
            raise SimvecValueError("the vocabulary has repeated words")
        self._vocab = [PAD_TOKEN, OOV_TOKEN] + words
        self._index = {w: i for i, w in enumerate(self._vocab)}

    def _check_fitted(self):
        if not self._vocab:
            raise SimvecValueError("TextVectorizer is not fitted; call fit(texts) first")

    def texts_to_sequences(self, texts) -> list[list[int]]:
        """Unpadded index lists (OOV words -> 1)."""
        self._check_fitted()
        get = self._index.get
        return [[get(tok, 1) for tok in self._tokens(t)] for t in self._as_list(texts)]

    def transform(self, texts, sequence_length: int | None = None) -> np.ndarray:
        """Padded int32 array ``(len(texts), L)``; ``L`` = ``sequence_length`` or
        ``output_sequence_length`` or the longest text."""
        keras = import_keras()
        seqs = self.texts_to_sequences(texts)
        length = sequence_length or self.output_sequence_length
        if length is None:
            length = max((len(s) for s in seqs), default=0) or 1
        return keras.utils.pad_sequences(seqs, maxlen=length, dtype="int32",
                                         padding=self.padding, truncating=self.truncating,
                                         value=0)

    __call__ = transform

    def fit_transform(self, texts, sequence_length: int | None = None) -> np.ndarray:
        texts = self._as_list(texts)
        return self.fit(texts).transform(texts, sequence_length)

    def length_quantile(self, texts, q: float = 0.95) -> int:
        """The ``q`` quantile of the token counts of ``texts``: a sensible
        ``output_sequence_length`` that truncates only the longest ``1 - q`` of texts."""
        lengths = [len(self._tokens(t)) for t in self._as_list(texts)]
        if not lengths:
            raise SimvecValueError("no texts given")
        return max(1, int(np.ceil(np.quantile(lengths, q))))

    # ------------------------------------------------------------------ vocabulary

    def get_vocabulary(self) -> list[str]:
        """``vocab[i]`` = token of index i; ``vocab[0] == ""``, ``vocab[1] == "[UNK]"``."""
        return list(self._vocab)

    def vocabulary_size(self) -> int:
        """Number of indices, padding and OOV included (the ``Embedding``'s ``input_dim``)."""
        return len(self._vocab)

    def get_config(self) -> dict:
        return {"max_tokens": self.max_tokens, "min_count": self.min_count,
                "output_sequence_length": self.output_sequence_length,
                "lowercase": self.lowercase, "padding": self.padding,
                "truncating": self.truncating}

    @classmethod
    def from_config(cls, config: dict) -> "TextVectorizer":
        return cls(**config)

    def save(self, path) -> None:
        """Write config and vocabulary to a JSON file (atomically)."""
        data = {"config": self.get_config(), "vocabulary": self._vocab[2:]}
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        atomic_write([(Path(path), lambda f: f.write(payload))])

    @classmethod
    def load(cls, path, tokenizer=None) -> "TextVectorizer":
        """Read a vectorizer written by :meth:`save`."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        tv = cls.from_config({**data["config"], "tokenizer": tokenizer})
        tv.set_vocabulary(data["vocabulary"])
        return tv

    def __repr__(self) -> str:
        return (f"TextVectorizer(vocabulary_size={self.vocabulary_size()}, "
                f"output_sequence_length={self.output_sequence_length})")
