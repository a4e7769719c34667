"""Training data of the biLM: corpus selection, token-type tables, batches, unigram baseline.

Used by :mod:`simvec.elmo.train`. A corpus is held in memory as rows of token *types* (each
distinct token once, with its 50 character ids and its softmax id), so the character CNN runs
once per distinct token of a batch and out-of-vocabulary words still reach it by their
characters while their softmax target is ``<UNK>``.

References
----------
.. [1] bilm-tf, ``bilm/data.py`` (``Vocabulary``, ``UnicodeCharsVocabulary``, ``BidirectionalLMDataset``).
"""

from __future__ import annotations

import math

import numpy as np

from simvec.elmo.chars import word_to_char_ids
from simvec.errors import SimvecValueError

__all__ = ["SPECIALS", "BOS", "EOS", "UNK", "LMData", "select_sentences", "unigram_perplexity"]

SPECIALS = ("<S>", "</S>", "<UNK>")
BOS, EOS, UNK = 0, 1, 2


class LMData:
    """A corpus held as token-type rows: characters of each distinct token, softmax targets.

    Parameters
    ----------
    sentences : iterable of list of str
        E.g. :class:`simvec.text.corpus.LineSentence` (read once).
    vocab : list of str
        Softmax vocabulary, starting with ``<S>``, ``</S>``, ``<UNK>``.
    max_sentence_length : int

    Attributes
    ----------
    types : list of str
        Distinct tokens (row ``k + 2``; rows 0 and 1 are ``<S>``, ``</S>``).
    chars : numpy.ndarray, int64 (n_types + 2, 50)
    target : numpy.ndarray, int64 (n_types + 2,)
        Softmax id of each row.
    rows : list of numpy.ndarray (int32)
        Each sentence as type rows.
    n_tokens : int
    """

    def __init__(self, sentences, vocab: list[str], max_sentence_length: int = 50):
        if list(vocab[:3]) != list(SPECIALS):
            raise SimvecValueError(f"the vocabulary must start with {SPECIALS}, got {vocab[:3]}")
        self.vocab = list(vocab)
        w2i = {w: i for i, w in enumerate(self.vocab)}
        type_row: dict[str, int] = {}
        self.types: list[str] = []
        self.rows: list[np.ndarray] = []
        m = max_sentence_length
        for sent in sentences:
            ids = []
            for tok in sent:
                r = type_row.get(tok)
                if r is None:
                    r = type_row[tok] = len(self.types) + 2
                    self.types.append(tok)
                ids.append(r)
            for s in range(0, len(ids), m):
                if ids[s : s + m]:
                    self.rows.append(np.asarray(ids[s : s + m], dtype=np.int32))
        if not self.rows:
            raise SimvecValueError("the corpus has no sentence to train on")
        self.chars = np.stack([word_to_char_ids(t) for t in ("<S>", "</S>", *self.types)])
        self.target = np.array([BOS, EOS] + [w2i.get(t, UNK) for t in self.types], dtype=np.int64)
        self.n_tokens = int(sum(len(r) for r in self.rows))

    def __len__(self) -> int:
        return len(self.rows)

    def batches(self, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
        """Sentence indices per batch for ``epoch``: shuffled, then length-sorted in pools of 50
        batches (less padding); depends only on ``seed`` and ``epoch``."""
        rng = np.random.default_rng([seed, epoch])
        order = rng.permutation(len(self.rows))
        pool = 50 * batch_size
        out = []
        for s in range(0, len(order), pool):
            chunk = order[s : s + pool]
            chunk = chunk[np.argsort([len(self.rows[i]) for i in chunk], kind="stable")]
            out += [chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size)]
        perm = rng.permutation(len(out))
        return [out[i] for i in perm]

    def pad(self, idx) -> np.ndarray:
        """Type rows of the sentences ``idx``, padded with -1: int64 (B, T)."""
        T = max(len(self.rows[i]) for i in idx)
        out = np.full((len(idx), T), -1, dtype=np.int64)
        for b, i in enumerate(idx):
            out[b, : len(self.rows[i])] = self.rows[i]
        return out


def select_sentences(corpus, max_tokens: int, heldout_tokens: int = 0, stride: int = 1,
                     heldout_every: int = 50):
    """Training and held-out sentences from a corpus stream, deterministically.

    Keeps every ``stride``-th sentence (so a prefix of the budget spreads over a long corpus);
    of those, every ``heldout_every``-th goes to the held-out set until it has
    ``heldout_tokens`` tokens, the rest to training until it has ``max_tokens``.

    Returns
    -------
    (train, heldout) : two lists of token lists
    """
    train, held = [], []
    n_train = n_held = 0
    kept = 0
    for i, sent in enumerate(corpus):
        if i % stride or not sent:
            continue
        if heldout_tokens and kept % heldout_every == 0:
            if n_held < heldout_tokens:
                held.append(sent)
                n_held += len(sent)
        elif n_train < max_tokens:
            train.append(sent)
            n_train += len(sent)
        kept += 1
        if n_train >= max_tokens and n_held >= heldout_tokens:
            break
    return train, held


def unigram_perplexity(train_sentences, test_sentences, vocab: list[str]) -> float:
    """Perplexity of an add-one unigram model over the same targets as :func:`evaluate_bilm`
    (each sentence's tokens plus one boundary token; OOV words as ``<UNK>``)."""
    w2i = {w: i for i, w in enumerate(vocab)}
    counts = np.ones(len(vocab))
    for s in train_sentences:
        for t in s:
            counts[w2i.get(t, UNK)] += 1
        counts[EOS] += 1
    logp = np.log(counts / counts.sum())
    tot, n = 0.0, 0
    for s in test_sentences:
        for t in s:
            tot -= logp[w2i.get(t, UNK)]
        tot -= logp[EOS]
        n += len(s) + 1
    return float(math.exp(tot / n))
