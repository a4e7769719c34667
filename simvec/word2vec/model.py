"""Word2Vec: CBOW and skip-gram with negative sampling on numba kernels and Hogwild threads.

The corpus is streamed twice (count words, then map them to ids); the ids of the in-vocabulary
tokens (4 bytes a token) stay in memory for the epochs. Each epoch is cut into jobs of about
``batch_words`` words which ``workers`` threads train concurrently through the ``nogil`` kernel
of :mod:`simvec.word2vec._kernels`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import zlib
from pathlib import Path

import numpy as np

from simvec._util import atomic_write, check_allocation, check_output_path, remove_stale_temps
from simvec.errors import SimvecFileNotFoundError, SimvecValueError, VectorFormatError
from simvec.text.vocab import Vocabulary, encode_corpus
from simvec.vectors.keyed import KeyedVectors
from simvec.word2vec._checkpoint import check_state, meta_crc, read_matrix
from simvec.word2vec._gensim_args import GensimAttributes, check_totals, one_corpus
from simvec.word2vec.config import Word2VecConfig

__all__ = ["Word2Vec"]

log = logging.getLogger("simvec.word2vec")

_MARK = "simvec.Word2Vec"
_VERSION = 2          # 2: model.json also carries a CRC32 of its config, state and vocabulary
_FILES = ("model.json", "syn0.npy", "syn1neg.npy")
_MAX_WORKERS = 1024


def _as_corpus(corpus):
    """A path (str / Path) becomes a :class:`LineSentence`; iterables pass through."""
    if isinstance(corpus, (str, Path)):
        from simvec.text.corpus import LineSentence

        return LineSentence(corpus)
    if corpus is None:
        raise SimvecValueError("a corpus is needed (a path or a re-iterable of token lists)")
    if iter(corpus) is corpus:
        raise SimvecValueError(
            "the corpus is a one-shot iterator (e.g. a generator); word2vec reads it more than "
            "once: pass a list, a LineSentence or a path")
    return corpus


def _crc(a: np.ndarray) -> str:
    return f"{zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1)):08x}"


class Word2Vec(GensimAttributes):
    """Train word vectors with word2vec (CBOW or skip-gram, negative sampling).

    Mirrors gensim 4's ``Word2Vec`` (parameter names, defaults and semantics) and word2vec.c's
    update rules: reduced random window, subsampling of frequent words, unigram^0.75 noise,
    learning rate decaying linearly from ``alpha`` to ``min_alpha`` over all epochs, CBOW taking
    the *mean* of the context vectors. Given a corpus, the constructor builds the vocabulary and
    trains (like gensim); otherwise call :meth:`build_vocab` and :meth:`train`.

    Parameters
    ----------
    corpus : str, path-like or re-iterable of list of str, optional
        A path is read with :class:`simvec.text.corpus.LineSentence` (one sentence per line,
        whitespace tokens, ``.gz``/``.bz2``, folder); or any re-iterable of token lists.
    sentences, corpus_iterable, corpus_file : optional
        gensim 4's names for the corpus (``corpus_file`` is a LineSentence file); give one.
    vector_size, window, min_count, max_vocab_size, sample, negative, ns_exponent, alpha, \
min_alpha, sg, epochs, workers, seed, batch_words, compute_loss, shared_negatives
        See :class:`simvec.word2vec.config.Word2VecConfig`.
    callbacks : sequence, optional
        Objects with any of ``on_train_begin(model)``, ``on_epoch_begin(model)``,
        ``on_epoch_end(model)``, ``on_train_end(model)`` (gensim's ``CallbackAny2Vec`` protocol).
    checkpoint : str or path-like, optional
        Folder to which the full training state is saved atomically at every epoch end, every
        ``checkpoint_interval`` seconds, and when training is interrupted (``KeyboardInterrupt``
        or an exception in a callback). Resume with :meth:`resume`.
    checkpoint_interval : float, optional
        Seconds between mid-epoch checkpoints (at job boundaries); ``None``: epoch ends only.
    progress : bool or None, default None
        Rich progress bar (words/s, epoch, alpha, loss); ``None``: only when stderr is a
        terminal. ``logging`` (logger ``simvec.word2vec``) reports in any case.
    cache_dir : str or path-like, optional
        The corpus is read twice (count, then encode) and its in-vocabulary tokens are kept as
        int32 ids (4 bytes a token) for the epochs. By default they live in RAM; with
        ``cache_dir`` they go to an unlinked, space-reserved file there that is memory-mapped,
        so a corpus larger than RAM trains (the OS pages it). Results are identical either way.

    Attributes
    ----------
    wv : KeyedVectors
        The trained input vectors, float32 (n_words, vector_size), most frequent word first.
    syn1neg : ndarray, float32, shape (n_words, vector_size)
        Output (context) weights.
    vocab : Vocabulary
    config : Word2VecConfig
    loss_history : list of float
        Training loss of every finished epoch: sum over all positive and negative examples of
        ``-log sigmoid(+-f)``, accumulated in float64 (no 2**24 / 2**27 plateau, gensim #2735).
    running_training_loss : float
        Loss of the current (or last) epoch so far.
    running_examples : int
        Positive examples of the current (or last) epoch so far (CBOW: centre words with a
        non-empty context; skip-gram: (centre, context) pairs); each also trained ``negative``
        noise words (fewer when a noise word equals the centre word, which is skipped).
    epoch : int
        Epochs finished in the current schedule; ``job`` jobs finished within the next one.

    Raises
    ------
    SimvecValueError
        Invalid parameters; an empty corpus; no word reaching ``min_count`` (naming the
        threshold and the largest count); a one-shot iterator as corpus.
    InputFormatError
        A corpus line that is not UTF-8 (file and line named; see :mod:`simvec.text.corpus`).

    Notes
    -----
    Reproducibility: the same ``seed`` with ``workers=1`` gives bit-identical vectors on the
    same machine and corpus; with more workers Hogwild races make runs differ slightly.

    References
    ----------
    Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word Representations in
    Vector Space", arXiv:1301.3781. Mikolov et al. (2013), "Distributed Representations of Words
    and Phrases and their Compositionality", NIPS. word2vec.c. Řehůřek & Sojka (2010), gensim.
    Recht et al. (2011), "Hogwild!".

    Examples
    --------
    >>> sents = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 50
    >>> m = Word2Vec(sents, vector_size=8, min_count=1, epochs=2, workers=1, seed=3,
    ...              progress=False)
    >>> m.wv["cat"].shape, len(m.loss_history)
    ((8,), 2)
    """

    def __init__(self, corpus=None, *, vector_size=100, window=5, min_count=5,
                 max_vocab_size=None, sample=1e-3, negative=5, ns_exponent=0.75, alpha=0.025,
                 min_alpha=0.0001, sg=False, epochs=5, workers=0, seed=1, batch_words=10000,
                 compute_loss=True, shared_negatives=False, callbacks=(), checkpoint=None,
                 checkpoint_interval=None, progress=None, cache_dir=None,
                 sentences=None, corpus_iterable=None, corpus_file=None):
        # gensim's spellings of the corpus (simvec.word2vec._gensim_args)
        corpus = one_corpus(corpus, sentences, corpus_iterable, corpus_file)
        self.config = Word2VecConfig(
            vector_size=vector_size, window=window, min_count=min_count,
            max_vocab_size=max_vocab_size, sample=sample, negative=negative,
            ns_exponent=ns_exponent, alpha=alpha, min_alpha=min_alpha, sg=sg, epochs=epochs,
            workers=workers, seed=seed, batch_words=batch_words, compute_loss=compute_loss,
            shared_negatives=shared_negatives)
        self.vocab: Vocabulary | None = None
        self.wv: KeyedVectors | None = None
        self.syn1neg: np.ndarray | None = None
        self.loss_history: list[float] = []
        self.running_training_loss = 0.0
        self.running_examples = 0
        self.epoch = 0
        self.job = 0
        self.epochs_total = 0          # epochs ever trained (seeds of later schedules)
        self.train_seconds = 0.0
        self._schedule = self.config.epochs
        self._encoded = None
        self._corpus_key = None
        self.cache_dir = cache_dir
        if corpus is not None:
            self.build_vocab(corpus)
            self.train(corpus, callbacks=callbacks, checkpoint=checkpoint,
                       checkpoint_interval=checkpoint_interval, progress=progress)

    def __repr__(self) -> str:
        c = self.config
        n = len(self.vocab) if self.vocab is not None else 0
        return (f"Word2Vec({'skip-gram' if c.sg else 'CBOW'}, vocab={n}, "
                f"vector_size={c.vector_size}, epochs {self.epoch}/{self._schedule})")

    # ------------------------------------------------------------------ vocabulary
    def build_vocab(self, corpus=None, *, corpus_iterable=None, corpus_file=None) -> "Word2Vec":
        """Count the corpus, apply ``max_vocab_size`` / ``min_count``, initialise the weights.

        Input vectors are uniform in ``[-0.5/d, 0.5/d)`` (word2vec.c), output weights zero.
        gensim's ``corpus_iterable=`` / ``corpus_file=`` are accepted for ``corpus``.

        Returns
        -------
        Word2Vec
            ``self``.
        """
        c = self.config
        corpus = one_corpus(corpus, corpus_iterable=corpus_iterable, corpus_file=corpus_file)
        if corpus is None:
            raise SimvecValueError("build_vocab needs the corpus (corpus, corpus_iterable or "
                                   "corpus_file)")
        corpus = _as_corpus(corpus)
        self.vocab = Vocabulary.build(corpus, min_count=c.min_count,
                                      max_vocab_size=c.max_vocab_size)
        n, d = len(self.vocab), c.vector_size
        check_allocation(3 * 4 * n * d, f"vector_size={d} for {n} words (input and output "
                         "weights, float32)", "lower vector_size, or raise min_count / set "
                         "max_vocab_size")
        rng = np.random.default_rng(c.seed)
        syn0 = (rng.random((n, d), dtype=np.float32) - np.float32(0.5)) / np.float32(d)
        self.syn1neg = np.zeros((n, d), dtype=np.float32)
        self.wv = KeyedVectors(syn0, self.vocab.index_to_key)
        self.epoch = self.job = 0
        self._schedule = c.epochs
        self.loss_history = []
        self.running_training_loss = 0.0
        self._encoded = None
        return self

    def _encode(self, corpus):
        key = id(corpus)
        if self._encoded is None or self._corpus_key != key:
            t = time.perf_counter()
            ids, starts, raw = encode_corpus(corpus, self.vocab,
                                             cache_dir=self.cache_dir)
            if ids.size == 0:
                raise SimvecValueError("the corpus has no word of the vocabulary; nothing to train")
            if self.vocab.raw_words and raw != self.vocab.raw_words:
                raise SimvecValueError(
                    f"the corpus has {raw} tokens but the vocabulary was built from "
                    f"{self.vocab.raw_words}; train on the corpus the vocabulary (or checkpoint) "
                    "was built from")
            bw = self.config.batch_words
            targets = np.arange(bw, ids.size, bw, dtype=np.int64)
            cuts = np.searchsorted(starts, targets, side="left")
            bounds = np.unique(np.concatenate([[0], cuts, [starts.size - 1]])).astype(np.int64)
            self._encoded = (ids, starts, bounds, raw)
            self._corpus_key = key
            log.info("encoded %d tokens (%d in vocabulary), %d sentences, %d jobs in %.1f s",
                     raw, ids.size, starts.size - 1, bounds.size - 1, time.perf_counter() - t)
        return self._encoded

    # ------------------------------------------------------------------ training
    def train(self, corpus=None, epochs=None, callbacks=(), checkpoint=None,
              checkpoint_interval=None, progress=None, *, total_examples=None, total_words=None,
              sentences=None, corpus_iterable=None, corpus_file=None) -> "Word2Vec":
        """Train (or go on training) on ``corpus``.

        With ``epochs=None`` the model finishes its current schedule: a fresh model trains
        ``config.epochs`` epochs, a loaded checkpoint the epochs (and jobs) it has left. With
        ``epochs=N`` a new schedule of ``N`` epochs starts, ``alpha`` decaying anew to
        ``min_alpha`` (gensim's semantics for further training).

        Parameters
        ----------
        corpus
            The corpus the vocabulary was built from (checked by its token count); gensim's
            ``sentences=`` / ``corpus_iterable=`` / ``corpus_file=`` are accepted instead.
        epochs : int, optional
        callbacks, checkpoint, checkpoint_interval, progress
            As in the constructor.
        total_examples, total_words : int, optional
            gensim's required totals, accepted for compatibility (simvec counted the corpus in
            :meth:`build_vocab`).

        Returns
        -------
        Word2Vec
            ``self``.

        Raises
        ------
        SimvecValueError
            No vocabulary yet, a different corpus, or bad ``epochs``.
        """
        from simvec.word2vec import _kernels as K
        from simvec.word2vec._progress import TrainProgress

        corpus = one_corpus(corpus, sentences, corpus_iterable, corpus_file)
        check_totals(total_examples, total_words)
        if corpus is None:
            raise SimvecValueError("train needs the corpus (corpus, sentences, corpus_iterable "
                                   "or corpus_file)")
        if self.vocab is None:
            raise SimvecValueError("build_vocab(corpus) must run before train (or pass the corpus "
                                   "to Word2Vec(...))")
        c = self.config
        if epochs is not None:
            if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
                raise SimvecValueError(f"epochs must be a positive integer, got {epochs!r}")
            self._schedule, self.epoch, self.job = epochs, 0, 0
            self.running_training_loss = 0.0
        if checkpoint_interval is not None and (
                isinstance(checkpoint_interval, bool)
                or not isinstance(checkpoint_interval, (int, float))
                or not math.isfinite(checkpoint_interval) or checkpoint_interval <= 0):
            raise SimvecValueError(f"checkpoint_interval must be a positive number of seconds "
                                   f"(or None: epoch ends only), got {checkpoint_interval!r}")
        if checkpoint is not None:
            check_output_path(checkpoint, "checkpoint", folder=True)
            gone = remove_stale_temps(checkpoint, _FILES)
            if gone:
                log.warning("removed %d temporary file(s) of an interrupted checkpoint save in %s",
                            len(gone), checkpoint)
        corpus = _as_corpus(corpus)
        ids, starts, bounds, raw = self._encode(corpus)
        if self.job > bounds.size - 1:
            raise SimvecValueError(
                f"the checkpoint is at job {self.job} of an epoch but this corpus has "
                f"{bounds.size - 1} jobs (batch_words={c.batch_words}); resume on the corpus "
                "the checkpoint was trained on")
        n_tok = int(ids.size)
        sample_int = self.vocab.sample_ints(c.sample)
        thr, alias = self.vocab.noise_table(c.ns_exponent)
        syn0, syn1 = self.wv.vectors, self.syn1neg
        total = self._schedule * n_tok
        callbacks = list(callbacks or ())
        ckpt = Path(checkpoint) if checkpoint is not None else None
        _call(callbacks, "on_train_begin", self)
        t_start = time.perf_counter()
        order, prefix = _job_order(starts, bounds, c.workers)
        done_before = self.epoch * n_tok + int(prefix[self.job])
        try:
            with TrainProgress(total, progress) as prog:
                while self.epoch < self._schedule:
                    if self.job == 0:
                        self.running_training_loss = 0.0
                        self.running_examples = 0
                        _call(callbacks, "on_epoch_begin", self)
                    self._run_epoch(K, ids, starts, bounds, order, prefix, n_tok, sample_int,
                                    thr, alias, syn0, syn1, prog, ckpt, checkpoint_interval, t_start,
                                    done_before)
                    self.loss_history.append(self.running_training_loss)
                    log.info("epoch %d/%d: loss %.6g, %.1f s", self.epoch + 1, self._schedule,
                             self.running_training_loss, time.perf_counter() - t_start)
                    self.epoch += 1
                    self.epochs_total += 1
                    self.job = 0
                    if ckpt is not None:
                        self.save(ckpt)
                    _call(callbacks, "on_epoch_end", self)
        finally:
            self.train_seconds += time.perf_counter() - t_start
            self.wv = KeyedVectors(syn0, self.vocab.index_to_key)  # fresh norm caches
        _call(callbacks, "on_train_end", self)
        return self

    def _run_epoch(self, K, ids, starts, bounds, order, prefix, n_tok, sample_int, thr, alias,
                   syn0, syn1,
                   prog, ckpt, interval, t_start, done_before):
        c = self.config
        n_jobs = bounds.size - 1
        span = (c.alpha - c.min_alpha) / max(self._schedule * n_tok, 1)
        state = {"next": self.job, "busy": 0, "loss": self.running_training_loss,
                 "words": int(prefix[self.job]), "examples": self.running_examples,
                 "error": None}
        cond = threading.Condition()
        pause = threading.Event()
        stop = threading.Event()
        epoch_seed_index = self.epochs_total

        def worker():
            while True:
                with cond:
                    while pause.is_set() and not stop.is_set():
                        cond.wait()
                    rank = state["next"]
                    if stop.is_set() or rank >= n_jobs:
                        return
                    state["next"] = rank + 1
                    state["busy"] += 1
                try:
                    j = int(order[rank])
                    s0, s1 = int(bounds[j]), int(bounds[j + 1])
                    w0, w1 = int(starts[s0]), int(starts[s1])
                    pos0 = self.epoch * n_tok + int(prefix[rank])
                    a0 = c.alpha - span * pos0
                    a1 = c.alpha - span * (pos0 + (w1 - w0))
                    loss, words, examples = K.train_job(
                        ids, starts, s0, s1, syn0, syn1, sample_int, c.sample > 0, thr, alias,
                        c.sg, c.shared_negatives, c.window, c.negative, a0, a1, w1 - w0,
                        K.job_seed(c.seed, epoch_seed_index, j), c.compute_loss, K.EXP_TABLE)
                except BaseException as exc:  # surfaced in the main thread
                    with cond:
                        state["error"] = exc
                        state["busy"] -= 1
                        stop.set()
                        cond.notify_all()
                    return
                with cond:
                    state["loss"] += loss
                    state["words"] += words
                    state["examples"] += examples
                    state["busy"] -= 1
                    cond.notify_all()

        def start_threads():
            ts = [threading.Thread(target=worker, daemon=True, name=f"word2vec-{i}")
                  for i in range(c.workers)]
            for t in ts:
                t.start()
            return ts

        def quiesce():
            """Wait until no job is running; return the first job not started."""
            with cond:
                while state["busy"]:
                    cond.wait()
                return state["next"]

        threads = start_threads()
        last_ckpt = time.perf_counter()
        try:
            while any(t.is_alive() for t in threads):  # noqa: SIM110
                next(t for t in threads if t.is_alive()).join(0.2)
                with cond:
                    words, loss = state["words"], state["loss"]
                done = self.epoch * n_tok + words
                elapsed = max(time.perf_counter() - t_start, 1e-9)
                prog.update(done, self.epoch, self._schedule, c.alpha - span * done, loss,
                            (done - done_before) / elapsed)
                if ckpt is not None and interval is not None and \
                        time.perf_counter() - last_ckpt >= interval and state["next"] < n_jobs:
                    pause.set()
                    self._sync(quiesce(), state)
                    self.save(ckpt)
                    last_ckpt = time.perf_counter()
                    with cond:
                        pause.clear()
                        cond.notify_all()
        except BaseException:
            stop.set()
            with cond:
                cond.notify_all()
            for t in threads:
                t.join()
            self._sync(quiesce(), state)
            if ckpt is not None and state["error"] is None:
                self.save(ckpt)
                log.warning("training interrupted; state saved to %s (epoch %d, job %d)",
                            ckpt, self.epoch, self.job)
            raise
        if state["error"] is not None:
            raise state["error"]
        self._sync(n_jobs, state)

    def _sync(self, next_job, state):
        self.job = int(next_job)
        self.running_training_loss = float(state["loss"])
        self.running_examples = int(state["examples"])

    def get_latest_training_loss(self) -> float:
        """Loss of the current epoch so far, or of the last finished one (float64 sum)."""
        return self.running_training_loss

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:
        """Save the full model (weights, vocabulary, config, progress) to folder ``path``.

        Writes ``path/syn0.npy``, ``path/syn1neg.npy`` and ``path/model.json`` (config,
        vocabulary words and counts, progress, loss history, CRC32 of both matrices); no pickle.
        Files go to temporary names and are renamed in place, the JSON last, so an interrupted
        save leaves the previous state loadable or is detected on load.

        Raises
        ------
        SimvecValueError
            If the model has no vocabulary yet.
        """
        if self.vocab is None:
            raise SimvecValueError("nothing to save: the model has no vocabulary yet")
        p = check_output_path(path, "path", folder=True)
        p.mkdir(parents=True, exist_ok=True)
        syn0 = np.ascontiguousarray(self.wv.vectors)
        syn1 = np.ascontiguousarray(self.syn1neg)
        meta = {
            "format": _MARK, "format_version": _VERSION, "config": self.config.to_dict(),
            "state": {"epoch": self.epoch, "job": self.job, "schedule": self._schedule,
                      "epochs_total": self.epochs_total,
                      "running_training_loss": self.running_training_loss,
                      "running_examples": self.running_examples,
                      "loss_history": self.loss_history, "train_seconds": self.train_seconds},
            "crc32": {"syn0": _crc(syn0), "syn1neg": _crc(syn1)},
            "vocab": self.vocab.to_json(),
        }
        meta["meta_crc32"] = meta_crc(meta)
        payload = json.dumps(meta, ensure_ascii=False).encode("utf-8")
        atomic_write([
            (p / "syn0.npy", lambda f: np.save(f, syn0, allow_pickle=False)),
            (p / "syn1neg.npy", lambda f: np.save(f, syn1, allow_pickle=False)),
            (p / "model.json", lambda f: f.write(payload)),
        ])

    @classmethod
    def load(cls, path) -> "Word2Vec":
        """Load a model saved by :meth:`save` (or a checkpoint) to use or to train further.

        Raises
        ------
        SimvecFileNotFoundError
            If a file of the model is missing.
        VectorFormatError
            Naming the file: model.json is not JSON or not a simvec model, a field is missing
            or has the wrong type or range (``state.epoch``, ``config.vector_size``, ...), its
            checksum (``meta_crc32``, format version 2) does not match, or a matrix is not a
            float32 ``.npy`` of shape (n_words, vector_size) with the recorded CRC32 (the
            shape is checked against the header and the file size before anything is read).
        SimvecValueError
            If the matrices would not fit in memory.
        """
        p = Path(path)
        files = [p / name for name in _FILES]
        for f in files:
            if not f.is_file():
                raise SimvecFileNotFoundError(f"not a saved Word2Vec model: {f} is missing")
        where = str(files[0])
        try:
            meta = json.loads(files[0].read_bytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise VectorFormatError(f"not valid JSON: {exc}", where) from None
        if not isinstance(meta, dict) or meta.get("format") != _MARK:
            raise VectorFormatError(f"not a simvec Word2Vec model (format {_MARK!r} expected)",
                                    where)
        version = meta.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise VectorFormatError(f"format_version must be a positive integer, got {version!r}",
                                    where)
        if version > _VERSION:
            raise VectorFormatError("written by a newer simvec; upgrade simvec", where)
        for key in ("config", "state", "vocab", "crc32"):
            if key not in meta:
                raise VectorFormatError(f"the field {key!r} is missing", where)
        if version >= 2 and meta.get("meta_crc32") != meta_crc(meta):
            raise VectorFormatError(
                "config, state or vocabulary do not match their checksum (meta_crc32): the file "
                "was damaged or edited", where)
        crc = meta["crc32"]
        if not isinstance(crc, dict) or not all(isinstance(crc.get(k), str)
                                                for k in ("syn0", "syn1neg")):
            raise VectorFormatError("crc32 must map syn0 and syn1neg to hex strings", where)
        try:
            if not isinstance(meta["config"], dict):
                raise SimvecValueError("config must be a JSON object")
            config = Word2VecConfig.from_dict(dict(meta["config"]))
            if config.workers > _MAX_WORKERS:
                raise SimvecValueError(f"config.workers must be at most {_MAX_WORKERS}, got "
                                       f"{config.workers}")
            vocab = Vocabulary.from_json(meta["vocab"])
            st = check_state(meta["state"], config.epochs)
        except (SimvecValueError, TypeError) as exc:
            raise VectorFormatError(str(exc), where) from None
        shape = (len(vocab), config.vector_size)
        check_allocation(2 * 4 * math.prod(shape), f"the model in {p} ({shape[0]} words x "
                         f"{shape[1]})")
        syn0 = read_matrix(files[1], shape)
        syn1 = read_matrix(files[2], shape)
        for name, arr in (("syn0", syn0), ("syn1neg", syn1)):
            if _crc(arr) != crc[name]:
                raise VectorFormatError(
                    f"{name}.npy does not match model.json (checksum); the save was "
                    "interrupted or the files were mixed", str(p / f"{name}.npy"))
        m = cls.__new__(cls)
        m.config = config
        m.vocab = vocab
        m.wv = KeyedVectors(syn0, vocab.index_to_key)
        m.syn1neg = syn1
        m.epoch, m.job, m._schedule = st["epoch"], st["job"], st["schedule"]
        m.epochs_total = st["epochs_total"]
        m.running_training_loss = st["running_training_loss"]
        m.loss_history = st["loss_history"]
        m.running_examples = st["running_examples"]
        m.train_seconds = st["train_seconds"]
        m._encoded = None
        m._corpus_key = None
        m.cache_dir = None
        return m

    @classmethod
    def resume(cls, path, corpus, cache_dir=None, **train_kwargs) -> "Word2Vec":
        """Load the checkpoint folder ``path`` and finish its schedule on ``corpus``.

        ``corpus`` must be the corpus the checkpoint was trained on (checked by its token
        count). ``train_kwargs`` go to :meth:`train` (``callbacks``, ``progress``,
        ``checkpoint``...); the same checkpoint folder keeps being updated unless another is
        given. With ``workers=1`` the result is bit-identical to an uninterrupted run.
        ``cache_dir``: as in the constructor.
        """
        m = cls.load(path)
        m.cache_dir = cache_dir
        if train_kwargs.get("checkpoint") is None:
            train_kwargs["checkpoint"] = path
        return m.train(corpus, **train_kwargs)

    def save_vectors(self, path, format: str = "native") -> None:
        """Export ``wv`` in any format of :func:`simvec.vectors.formats.save_vectors`."""
        self.wv.save(path, format=format)


def _job_order(starts, bounds, workers: int):
    """Order in which the jobs are handed out, and the words before each job in that order.

    The corpus is cut into ``workers`` contiguous parts of about equal size and their jobs are
    interleaved (part 0 job 0, part 1 job 0, part 0 job 1, ...), so that, as in gensim's
    ``corpus_file`` mode where each worker reads its own part of the file, every stretch of
    training mixes all parts. With ``workers=1`` the corpus is read in order.

    Returns
    -------
    order : ndarray, int64, shape (n_jobs,)
    prefix : ndarray, int64, shape (n_jobs + 1,)
        ``prefix[r]``: in-vocabulary words of the jobs handed out before rank ``r``.
    """
    n_jobs = bounds.size - 1
    words = np.diff(starts[bounds])
    parts = max(1, min(int(workers), n_jobs))
    cum = np.cumsum(words)
    part = np.minimum((cum - words) * parts // max(int(cum[-1]), 1), parts - 1)
    rank_in_part = np.zeros(n_jobs, dtype=np.int64)
    for p in range(parts):
        idx = np.nonzero(part == p)[0]
        rank_in_part[idx] = np.arange(idx.size)
    order = np.lexsort((part, rank_in_part)).astype(np.int64)
    prefix = np.zeros(n_jobs + 1, dtype=np.int64)
    np.cumsum(words[order], out=prefix[1:])
    return order, prefix


def _call(callbacks, name: str, model) -> None:
    for cb in callbacks:
        fn = getattr(cb, name, None)
        if fn is not None:
            fn(model)
