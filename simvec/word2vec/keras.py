"""word2vec as a Keras 3 model: CBOW and skip-gram with negative sampling and ONE shared Embedding.

This is the network of the old Keras tutorials, working on Keras 3: a single ``Embedding`` layer
embeds the target word, the context words and the negative (noise) words; CBOW takes the masked
mean of the context, skip-gram the centre word; the model outputs the dot products with the
positive and the negative words, trained with sigmoid cross-entropy (label 1 for the positive,
0 for the negatives). Being an ordinary ``keras.Model``, it can be extended, and the learned
``Embedding`` exported to :class:`~simvec.vectors.keyed.KeyedVectors`.

The batches come from :class:`Word2VecBatches`, which draws them from a corpus with the *same*
vocabulary, subsampling (word2vec.c's formula), reduced random window and unigram^0.75 noise as
the fast engine.

**The numba engine** (:class:`simvec.word2vec.Word2Vec`) **is the fast path**: it trains the
same objective one example at a time at millions of words per second on a CPU; this Keras model
is for extending the network and for teaching, and is one to two orders of magnitude slower.
Unlike word2vec.c it has one matrix for both roles (input and output vectors are shared).

Importing this module sets ``KERAS_BACKEND=torch`` if no backend was chosen (``import simvec``
never does).

References
----------
Mikolov et al. (2013), word2vec.c; gensim ``Word2Vec``; Keras 3 documentation
(``keras.layers.Embedding``, ``keras.utils.PyDataset``).
"""

from __future__ import annotations

import logging
import math
import os
import time

import numpy as np

from simvec._util import import_optional
from simvec.errors import SimvecValueError
from simvec.text.vocab import Vocabulary, encode_corpus
from simvec.vectors.keyed import KeyedVectors

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = import_optional("keras", extra="keras", needed_by="simvec.word2vec.keras")
ops = keras.ops

__all__ = ["build_model", "Word2VecBatches", "embedding_to_keyed_vectors", "train_keras",
           "EMBEDDING_NAME", "DEFAULT_THREADS"]

EMBEDDING_NAME = "embedding"

log = logging.getLogger("simvec.word2vec")

#: torch threads :func:`train_keras` uses unless told: 1, measured fastest for this small model
#: on a shared 2-core machine (docs/benchmarks.md, "Threads").
DEFAULT_THREADS = 1


class _MaskedMean(keras.layers.Layer):
    """Mean of ``x`` (b, n, d) over axis 1 weighted by ``mask`` (b, n) of 0/1 -> (b, d)."""

    def call(self, x, mask_weights):
        w = ops.expand_dims(mask_weights, -1)
        total = ops.sum(x * w, axis=1)
        count = ops.maximum(ops.sum(mask_weights, axis=1, keepdims=True), 1.0)
        return total / count


class _Scores(keras.layers.Layer):
    """Dot products of ``h`` (b, d) with ``e`` (b, k, d) -> (b, k)."""

    def call(self, h, e):
        return ops.sum(ops.expand_dims(h, 1) * e, axis=-1)


def build_model(vocab_size: int, vector_size: int = 100, sg: bool = False, window: int = 5,
                negative: int = 5, seed: int | None = 1) -> keras.Model:
    """The word2vec network with ONE ``Embedding`` shared by target, context and noise words.

    Inputs (a dict; int32 ids, ``vocab_size`` is the padding id of unused context slots):

    * CBOW: ``context`` (batch, 2 * window), ``context_mask`` (batch, 2 * window) float32 of
      0/1, ``target`` (batch, 1), ``negatives`` (batch, negative);
    * skip-gram: ``centre`` (batch, 1), ``target`` (batch, 1) the context word to predict,
      ``negatives`` (batch, negative).

    Output: logits (batch, 1 + negative): ``[h . e_target, h . e_neg_1, ...]`` where ``h`` is
    the masked mean of the context embeddings (CBOW) or the centre embedding (skip-gram).
    Train against labels ``[1, 0, ..., 0]`` with ``BinaryCrossentropy(from_logits=True)``.

    Parameters
    ----------
    vocab_size : int
        Words in the vocabulary; the Embedding has ``vocab_size + 1`` rows (last = padding).
    vector_size : int
    sg : bool
    window, negative : int
    seed : int or None
        Seed of the uniform ``[-0.5/d, 0.5/d]`` initialiser (word2vec.c's range).

    Returns
    -------
    keras.Model
        Its layer ``EMBEDDING_NAME`` holds the word vectors.

    Raises
    ------
    SimvecValueError
        For a non-positive size.
    """
    for name, v in (("vocab_size", vocab_size), ("vector_size", vector_size),
                    ("window", window), ("negative", negative)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise SimvecValueError(f"{name} must be a positive integer, got {v!r}")
    half = 0.5 / vector_size
    emb = keras.layers.Embedding(
        vocab_size + 1, vector_size, name=EMBEDDING_NAME,
        embeddings_initializer=keras.initializers.RandomUniform(-half, half, seed=seed))
    target = keras.Input((1,), dtype="int32", name="target")
    negatives = keras.Input((negative,), dtype="int32", name="negatives")
    if sg:
        centre = keras.Input((1,), dtype="int32", name="centre")
        h = keras.layers.Flatten(name="centre_vector")(emb(centre))
        inputs = {"centre": centre, "target": target, "negatives": negatives}
    else:
        context = keras.Input((2 * window,), dtype="int32", name="context")
        mask = keras.Input((2 * window,), dtype="float32", name="context_mask")
        h = _MaskedMean(name="context_mean")(emb(context), mask)
        inputs = {"context": context, "context_mask": mask, "target": target,
                  "negatives": negatives}
    words = keras.layers.Concatenate(axis=1, name="positive_and_negatives")([target, negatives])
    logits = _Scores(name="logits")(h, emb(words))
    return keras.Model(inputs, logits, name="word2vec_sg" if sg else "word2vec_cbow")


class Word2VecBatches(keras.utils.PyDataset):
    """Batches for :func:`build_model`, drawn like the fast engine draws its examples.

    Every epoch the in-vocabulary tokens are subsampled afresh (keep probability of word2vec.c,
    :meth:`Vocabulary.keep_probability`); each remaining position gets a reduced window drawn
    uniformly from ``[1, window]`` (within its sentence) and ``negative`` noise words from
    ``count ** ns_exponent``. CBOW yields one example per position; skip-gram one per (centre,
    context) pair, so its batches vary in size.

    Parameters
    ----------
    corpus : re-iterable of list of str
        Encoded once with ``vocab`` (out-of-vocabulary tokens dropped).
    vocab : Vocabulary
    sg : bool
    window, negative : int
    sample, ns_exponent : float
    batch_size : int
        Positions per batch.
    seed : int

    Yields (``__getitem__``)
    ------------------------
    (inputs, labels)
        ``inputs`` as :func:`build_model` expects; ``labels`` float32 (b, 1 + negative).
    """

    def __init__(self, corpus, vocab: Vocabulary, sg: bool = False, window: int = 5,
                 negative: int = 5, sample: float = 1e-3, ns_exponent: float = 0.75,
                 batch_size: int = 256, seed: int = 1, **kwargs):
        super().__init__(**kwargs)
        if batch_size < 1 or window < 1 or negative < 1:
            raise SimvecValueError("batch_size, window and negative must be positive integers")
        ids, starts, _ = encode_corpus(corpus, vocab)
        if ids.size == 0:
            raise SimvecValueError("the corpus has no word of the vocabulary")
        self.ids = ids
        self.sent = np.repeat(np.arange(starts.size - 1), np.diff(starts)).astype(np.int64)
        self.keep = vocab.keep_probability(sample)
        self.noise = vocab.noise_distribution(ns_exponent)
        self.cum = np.cumsum(self.noise)
        self.pad = len(vocab)
        self.sg, self.window, self.negative = bool(sg), int(window), int(negative)
        self.batch_size = int(batch_size)
        self.rng = np.random.default_rng(seed)
        self._resample()

    def _resample(self):
        keep = self.rng.random(self.ids.size) < self.keep[self.ids]
        self.cur = self.ids[keep]
        self.cur_sent = self.sent[keep]

    def on_epoch_end(self):
        self._resample()

    def __len__(self):
        return max(1, math.ceil(self.cur.size / self.batch_size))

    def _noise(self, n):
        return np.minimum(np.searchsorted(self.cum, self.rng.random((n, self.negative)) *
                                          self.cum[-1]), self.pad - 1).astype(np.int32)

    def __getitem__(self, idx):
        lo = idx * self.batch_size
        pos = np.arange(lo, min(lo + self.batch_size, self.cur.size))
        w = self.window
        eff = self.rng.integers(1, w + 1, pos.size)
        offsets = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])
        cpos = pos[:, None] + offsets[None, :]
        inside = (cpos >= 0) & (cpos < self.cur.size)
        cpos_c = np.clip(cpos, 0, self.cur.size - 1)
        valid = inside & (np.abs(offsets)[None, :] <= eff[:, None]) & \
            (self.cur_sent[cpos_c] == self.cur_sent[pos][:, None])
        centre = self.cur[pos]
        if self.sg:
            r, c = np.nonzero(valid)
            n = r.size
            x = {"centre": centre[r][:, None].astype(np.int32),
                 "target": self.cur[cpos_c[r, c]][:, None].astype(np.int32),
                 "negatives": self._noise(n)}
        else:
            ctx = np.where(valid, self.cur[cpos_c], self.pad).astype(np.int32)
            n = pos.size
            x = {"context": ctx, "context_mask": valid.astype(np.float32),
                 "target": centre[:, None].astype(np.int32), "negatives": self._noise(n)}
        y = np.zeros((n, 1 + self.negative), dtype=np.float32)
        y[:, 0] = 1.0
        return x, y


class _FitProgress(keras.callbacks.Callback):
    """``model.fit`` progress through :class:`~simvec.word2vec._progress.TrainProgress`.

    A Rich bar on stderr when it is a terminal (``show=None``), else a ``simvec.word2vec`` log
    line every ``interval`` seconds: epoch, words (positions) per second, learning rate, loss.
    """

    def __init__(self, data: "Word2VecBatches", epochs: int, show=None, interval: float = 10.0):
        super().__init__()
        self.data, self.epochs, self.show, self.interval = data, int(epochs), show, interval
        self.steps = len(data)
        self.epoch = 0
        self.words = 0
        self._prog = None

    def on_train_begin(self, logs=None):
        from simvec.word2vec._progress import TrainProgress

        self._t0 = time.perf_counter()
        self._prog = TrainProgress(self.epochs * self.steps, show=self.show,
                                   interval=self.interval).__enter__()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.steps = len(self.data)

    def on_train_batch_end(self, batch, logs=None):
        self.words += min(self.data.batch_size, self.data.cur.size - batch * self.data.batch_size)
        rate = self.words / max(time.perf_counter() - self._t0, 1e-9)
        lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        loss = float((logs or {}).get("loss", float("nan")))
        self._prog.update(self.epoch * self.steps + batch + 1, self.epoch, self.epochs, lr, loss,
                          rate)

    def on_epoch_end(self, epoch, logs=None):
        log.info("keras word2vec epoch %d/%d: loss %.6g, %.1f s", epoch + 1, self.epochs,
                 float((logs or {}).get("loss", float("nan"))), time.perf_counter() - self._t0)

    def on_train_end(self, logs=None):
        if self._prog is not None:
            self._prog.__exit__(None, None, None)


def embedding_to_keyed_vectors(model: keras.Model, vocab: Vocabulary) -> KeyedVectors:
    """The shared Embedding's rows (without the padding row) as KeyedVectors (float32 (V, d))."""
    weights = np.asarray(keras.ops.convert_to_numpy(
        model.get_layer(EMBEDDING_NAME).embeddings), dtype=np.float32)
    return KeyedVectors(weights[:len(vocab)].copy(), vocab.index_to_key)


def train_keras(corpus, sg: bool = False, vector_size: int = 100, window: int = 5,
                negative: int = 5, min_count: int = 5, sample: float = 1e-3,
                ns_exponent: float = 0.75, epochs: int = 5, batch_size: int = 1024,
                learning_rate: float = 0.02, seed: int = 1, verbose=None,
                threads: int | None = DEFAULT_THREADS, progress_interval: float = 10.0):
    """Build the vocabulary, the model and the batches, ``model.fit``, export the vectors.

    Optimiser: Adam with ``learning_rate`` (mini-batches of mean sigmoid cross-entropy; the
    per-example SGD of word2vec.c is the numba engine's job).

    Parameters
    ----------
    corpus : re-iterable of list of str
    sg, vector_size, window, negative, min_count, sample, ns_exponent, epochs, seed
        As in :class:`simvec.word2vec.Word2Vec`.
    batch_size : int
        Positions per batch (:class:`Word2VecBatches`).
    learning_rate : float
    verbose : None, bool or int, default None
        ``None``: simvec's progress, a Rich bar on stderr when it is a terminal, else a log
        line (logger ``simvec.word2vec``, level INFO) every ``progress_interval`` seconds with
        the epoch, words per second, learning rate and loss; ``False`` / ``0``: silent; ``1`` /
        ``2``: Keras' own ``model.fit`` output.
    threads : int or None, default 1
        torch intra-op threads during ``fit`` (restored afterwards); ``None``: torch's
        default (one per core). 1 was measured fastest for this model on a shared 2-core
        machine (docs/benchmarks.md).
    progress_interval : float, default 10
        Seconds between log lines when stderr is not a terminal.

    Returns
    -------
    kv : KeyedVectors
    model : keras.Model
    history : keras.callbacks.History
        ``history.history["loss"]``: mean loss per epoch.

    Examples
    --------
    >>> from simvec.text.corpus import TextCorpus                  # doctest: +SKIP
    >>> kv, model, hist = train_keras(TextCorpus("lee_background.cor"), min_count=2)  # doctest: +SKIP
    """
    threads_ctx = _TorchThreads(threads)  # checked before any work
    if seed is not None:
        keras.utils.set_random_seed(seed)
    vocab = Vocabulary.build(corpus, min_count=min_count)
    data = Word2VecBatches(corpus, vocab, sg=sg, window=window, negative=negative,
                           sample=sample, ns_exponent=ns_exponent, batch_size=batch_size,
                           seed=seed)
    model = build_model(len(vocab), vector_size, sg=sg, window=window, negative=negative,
                        seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    callbacks = []
    if verbose is None:
        callbacks.append(_FitProgress(data, epochs, interval=progress_interval))
    keras_verbose = 0 if verbose is None or verbose is False else int(verbose)
    with threads_ctx:
        history = model.fit(data, epochs=epochs, verbose=keras_verbose, callbacks=callbacks)
    return embedding_to_keyed_vectors(model, vocab), model, history


class _TorchThreads:
    """Context: torch intra-op threads set to ``n`` (``None``: unchanged), restored on exit."""

    def __init__(self, n):
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise SimvecValueError(f"threads must be a positive integer or None, got {n!r}")
        self.n = n

    def __enter__(self):
        if self.n is None or keras.backend.backend() != "torch":
            self.old = None
            return self
        import torch

        self.old = torch.get_num_threads()
        torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            import torch

            torch.set_num_threads(self.old)
        return False
