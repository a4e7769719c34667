"""Train, evaluate, save and reload a text classifier built from a :mod:`.recipes` network.

:func:`train_classifier` fits a recipe on a :class:`DatasetSplits`: it fits a
:class:`simvec.keras.TextVectorizer` on the training texts, picks the sequence length from their
length distribution, holds out a stratified validation part of the *training* data for early
stopping on validation loss (restoring the best weights; the test split is never looked at
during training), then evaluates on the test split. The result, a :class:`Classifier`, saves
to a run folder::

    RUN_DIR/model.keras          the Keras model (ELMo layers reference their files by path)
    RUN_DIR/vectorizer.json      vocabulary and tokenisation
    RUN_DIR/classifier.json      configuration, label names, sequence length
    RUN_DIR/report.json          configuration, data sizes, history, test metrics, times
    RUN_DIR/history.png          training and validation accuracy and loss per epoch
    RUN_DIR/confusion_matrix.png

and :meth:`Classifier.load` reads it back for :meth:`Classifier.evaluate` and
:meth:`Classifier.predict`. Every file is written atomically.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simvec._util import atomic_write_path, check_output_path, import_optional
from simvec.classify.recipes import ELMO_RECIPES, WORD_RECIPES, build_model, check_recipe
from simvec.classify.splits import DatasetSplits, TextDataset, split_dataset
from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError
from simvec.text.tokenize import get_tokenizer

__all__ = ["ClassifierConfig", "Classifier", "train_classifier"]

logger = logging.getLogger("simvec.classify")

_FILES = ("model.keras", "vectorizer.json", "classifier.json")


@dataclass
class ClassifierConfig:
    """Settings of :func:`train_classifier` (all JSON-serialisable; saved with the run).

    Attributes
    ----------
    recipe, head : str
        See :mod:`simvec.classify.recipes` (``RECIPES``, ``HEADS``).
    max_tokens : int
        Vocabulary size, padding and OOV index included (Keras' ``max_tokens``).
    min_count : int
        Words seen fewer times in the training texts are OOV.
    sequence_length : int or None
        Tokens per text; None: the ``length_quantile`` of the training texts' token counts,
        capped at ``max_sequence_length``.
    length_quantile : float, max_sequence_length : int
        See ``sequence_length``.
    padding : {"pre", "post"} or None
        Which end of a long text is cut and where padding goes; None: ``"pre"`` (keep the end
        of a text, Keras' ``pad_sequences`` default) for word recipes, ``"post"`` for ELMo.
    tokenizer : {"regex", "jieba"}
        simvec's lowercase regex words, or jieba for Chinese (the ``zh`` extra).
    embedding_dim, lstm_units, dense_units, dropout, learning_rate :
        Passed to :func:`simvec.classify.recipes.build_model`.
    epochs, batch_size : int
        Upper bound on epochs (early stopping usually ends sooner) and batch size.
    validation_split : float in (0, 1)
        Stratified share of the training texts held out for early stopping.
    patience : int
        Epochs without a lower validation loss before stopping; the best weights are restored.
    time_limit : float or None
        Training budget in seconds: after each epoch, stop if another epoch (as long as the
        longest so far) would end past it; the first epoch always runs, and the best weights
        are still restored.
    seed : int
        Seeds the validation split, weight initialisation and shuffling.
    vectors : str or None
        Pretrained vectors (a ``simvec.load`` name or a file) of the pretrained recipes.
    elmo_options, elmo_weights : str or None
        ELMo ``options.json`` and weights HDF5 of the ELMo recipes.
    elmo_cache_mb : float, default 2048
        ELMo recipes: MiB of frozen-biLM activations kept per training sentence, so that only
        the first epoch runs the biLM on the sentences that fit (0: run it every epoch).
    threads : int or None, default 1
        torch intra-op threads, set for the process when training starts (None: leave torch's
        setting, by default one per core). 1 was measured 9-11x faster than torch's 2 for
        these small models on a shared 2-core machine (docs/benchmarks.md, "Threads"), the
        same default as ``simvec classify train --threads``.
    """

    recipe: str = "embedding"
    head: str = "average"
    max_tokens: int = 20000
    min_count: int = 1
    sequence_length: int | None = None
    length_quantile: float = 0.9
    max_sequence_length: int = 400
    padding: str | None = None
    tokenizer: str = "regex"
    embedding_dim: int = 64
    lstm_units: int = 64
    dense_units: int = 256
    dropout: float = 0.3
    learning_rate: float = 1e-3
    epochs: int = 10
    batch_size: int = 32
    validation_split: float = 0.1
    patience: int = 2
    time_limit: float | None = None
    seed: int = 0
    vectors: str | None = None
    elmo_options: str | None = None
    elmo_weights: str | None = None
    elmo_cache_mb: float = 2048.0
    threads: int | None = 1

    def __post_init__(self):
        check_recipe(self.recipe, self.head)
        for name in ("max_tokens", "epochs", "batch_size", "max_sequence_length"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise SimvecValueError(f"{name} must be a positive integer, got {v!r}")
        if self.sequence_length is not None and (
                not isinstance(self.sequence_length, int) or self.sequence_length < 1):
            raise SimvecValueError(
                f"sequence_length must be a positive integer or None, got {self.sequence_length!r}")
        if not 0 < self.validation_split < 1:
            raise SimvecValueError(
                f"validation_split must lie in (0, 1), got {self.validation_split!r}")
        if (isinstance(self.elmo_cache_mb, bool) or not isinstance(self.elmo_cache_mb, (int, float))
                or not 0 <= self.elmo_cache_mb < float("inf")):
            raise SimvecValueError(
                f"elmo_cache_mb must be a finite number >= 0, got {self.elmo_cache_mb!r}")
        if self.padding not in (None, "pre", "post"):
            raise SimvecValueError(f"padding must be 'pre', 'post' or None, got {self.padding!r}")
        if self.tokenizer not in ("regex", "jieba"):
            raise SimvecValueError(f"tokenizer must be 'regex' or 'jieba', got {self.tokenizer!r}")
        if self.recipe in ("pretrained", "pretrained-finetuned") and not self.vectors:
            raise SimvecValueError(
                f"recipe {self.recipe!r} needs pretrained vectors: set vectors (e.g. "
                f"'glove-6B-50d' or a vector file)")
        if self.recipe in ELMO_RECIPES:
            if self.padding == "pre":
                raise SimvecValueError(
                    f"recipe {self.recipe!r} needs padding='post' (or None): ELMo character ids "
                    f"are padded at the end, and word ids must align with them")
            if not self.elmo_options:
                raise SimvecValueError(
                    f"recipe {self.recipe!r} needs elmo_options (options.json) and elmo_weights")
            self.elmo_options = _existing_file(self.elmo_options, "ELMo options")
            if self.elmo_weights is not None:
                self.elmo_weights = _existing_file(self.elmo_weights, "ELMo weights")

    @property
    def effective_padding(self) -> str:
        if self.padding is not None:
            return self.padding
        return "post" if self.recipe in ELMO_RECIPES else "pre"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _read_json(path: Path):
    """The JSON value of a run-folder file; InputFormatError naming it if it is not JSON."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError, OSError) as exc:
        raise InputFormatError(f"not valid JSON ({type(exc).__name__}: {str(exc)[:200]}); the "
                               "run folder is damaged", path=str(path)) from None


def _existing_file(path, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise SimvecFileNotFoundError(f"{what} file {str(path)!r} does not exist")
    return str(p.resolve())


def _tokenizer(name: str):
    return get_tokenizer("jieba") if name == "jieba" else None


class _ElmoBatches:
    """Keras ``PyDataset`` of ELMo inputs: character ids made per batch (never all at once)."""

    def __new__(cls, *args, **kwargs):  # subclass PyDataset lazily (Keras imported on use)
        from simvec.keras.backend import import_keras

        keras = import_keras()

        class ElmoBatches(keras.utils.PyDataset):
            def __init__(self, tokens, word_ids, labels, batch_size, with_words, shuffle, seed):
                super().__init__()
                self.tokens, self.word_ids, self.labels = tokens, word_ids, labels
                self.batch_size, self.with_words, self.shuffle = batch_size, with_words, shuffle
                self.rng = np.random.default_rng(seed)
                self.order = np.arange(len(tokens))
                if shuffle:
                    self.rng.shuffle(self.order)

            def __len__(self):
                return -(-len(self.tokens) // self.batch_size)

            def __getitem__(self, i):
                from simvec.elmo.chars import batch_to_ids

                ix = self.order[i * self.batch_size:(i + 1) * self.batch_size]
                chars = batch_to_ids([self.tokens[j] for j in ix], allow_empty=True,
                                     return_tensors="np").astype(np.int32)
                # the batch is as long as its longest text (the biLM's cost grows with it);
                # word ids are padded at the end like the characters, so their columns align
                T = max(1, chars.shape[1])
                if chars.shape[1] < T:
                    chars = np.pad(chars, ((0, 0), (0, T - chars.shape[1]), (0, 0)))
                x = ({"word_ids": self.word_ids[ix, :T], "char_ids": chars} if self.with_words
                     else chars)
                return (x,) if self.labels is None else (x, self.labels[ix])

            def on_epoch_end(self):
                if self.shuffle:
                    self.rng.shuffle(self.order)

        return ElmoBatches(*args, **kwargs)


def _release_elmo_cache(model) -> dict | None:
    """Figures of the ELMo layer's sentence cache, which is then dropped (None: no cache).

    The cache pays off across training epochs; afterwards it would only hold memory, so the
    fitted (or loaded) classifier predicts without it.
    """
    layer = next((x for x in model.layers if x.name == "elmo"), None)
    module = getattr(layer, "module", None)
    cache = getattr(module, "sentence_cache", None)
    if cache is None:
        return None
    stats = {"sentences": len(cache), "mib": round(cache.nbytes / 2**20, 1),
             "hits": cache.hits, "misses": cache.misses}
    module.sentence_cache = None
    return stats


class _TimeLimit:
    """Keras callback factory: a training budget in seconds. After each epoch, stop if the next
    epoch (assumed as long as the longest so far) would end past ``seconds``; the first epoch
    always runs."""

    def __new__(cls, seconds: float):
        from simvec.keras.backend import import_keras

        keras = import_keras()

        class TimeLimit(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = self.epoch_start = time.perf_counter()
                self.longest = 0.0
                self.stopped_epoch = None

            def on_epoch_begin(self, epoch, logs=None):
                self.epoch_start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                now = time.perf_counter()
                self.longest = max(self.longest, now - self.epoch_start)
                if now - self.start + self.longest > seconds:
                    self.model.stop_training = True
                    self.stopped_epoch = epoch + 1
                    logger.info("time limit: %.0f s used of %.0f s after epoch %d; another epoch "
                                "(about %.0f s) would not fit", now - self.start, seconds,
                                epoch + 1, self.longest)

        return TimeLimit()


class Classifier:
    """A trained text classifier: vectorizer + Keras model + label names + configuration.

    Build one with :func:`train_classifier` or :meth:`load`.

    Attributes
    ----------
    model : keras.Model
        Outputs float32 ``(batch, n_classes)`` probabilities.
    vectorizer : simvec.keras.TextVectorizer
    label_names : list of str
    config : ClassifierConfig
    sequence_length : int
    report : dict
        What :func:`train_classifier` measured (empty after :meth:`load` if no report exists).
    """

    def __init__(self, model, vectorizer, label_names, config: ClassifierConfig,
                 sequence_length: int, report: dict | None = None):
        self.model = model
        self.vectorizer = vectorizer
        self.label_names = list(label_names)
        self.config = config
        self.sequence_length = int(sequence_length)
        self.report = report or {}

    # ------------------------------------------------------------------ inputs
    def _inputs(self, texts, labels=None, shuffle: bool = False):
        """Model inputs of ``texts``: an int32 array (word recipes) or an ELMo batch dataset."""
        tokens = [self.vectorizer._tokens(t) for t in texts]  # tokenised once for both inputs
        word_ids = self.vectorizer.transform(tokens, self.sequence_length)
        empty = ~word_ids.any(axis=1)
        if empty.any():
            # A text without a single token would be all padding: masked pooling would divide
            # by zero (NaN). It is read as one unknown word instead, and reported.
            word_ids[empty, -1 if self.config.effective_padding == "pre" else 0] = 1
            logger.warning("%d of %d texts have no token; each is read as one unknown word",
                           int(empty.sum()), len(tokens))
        if self.config.recipe in WORD_RECIPES:
            return word_ids
        # ELMo recipes cut and pad at the end (ClassifierConfig refuses "pre"), as the word ids
        return _ElmoBatches([t[: self.sequence_length] for t in tokens], word_ids, labels,
                            self.config.batch_size, self.config.recipe == "elmo+embedding",
                            shuffle, self.config.seed)

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities, float32 ``(len(texts), n_classes)``."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            return np.zeros((0, len(self.label_names)), dtype=np.float32)
        x = self._inputs(texts)
        kw = {"batch_size": self.config.batch_size} if isinstance(x, np.ndarray) else {}
        return np.asarray(self.model.predict(x, verbose=0, **kw), dtype=np.float32)

    def predict(self, texts) -> list:
        """Predicted label names, one per text."""
        proba = self.predict_proba(texts)
        return [self.label_names[i] for i in proba.argmax(axis=1)]

    # ------------------------------------------------------------------ evaluation
    def _aligned_labels(self, data: TextDataset) -> np.ndarray:
        """``data``'s labels as indices into this classifier's ``label_names``."""
        present = sorted({data.label_names[i] for i in np.unique(data.labels)})
        unseen = [name for name in present if name not in self.label_names]
        if unseen:
            raise SimvecValueError(
                f"evaluation data {data.source or ''} holds labels unseen in training: {unseen}; "
                f"the classifier knows {self.label_names}")
        index = {name: i for i, name in enumerate(self.label_names)}
        remap = np.array([index.get(name, -1) for name in data.label_names], dtype=np.int64)
        return remap[data.labels]

    def evaluate(self, data: TextDataset) -> dict:
        """Accuracy, per-class / macro precision, recall, F1 and the confusion matrix on ``data``
        (:func:`simvec.classify.report.classification_metrics`).

        Raises
        ------
        SimvecValueError
            If ``data`` is empty or holds labels that the classifier never saw in training.
        """
        from simvec.classify.report import classification_metrics

        if len(data) == 0:
            raise SimvecValueError("the evaluation data holds no texts")
        y_true = self._aligned_labels(data)
        y_pred = self.predict_proba(data.texts).argmax(axis=1)
        return classification_metrics(y_true, y_pred, self.label_names)

    # ------------------------------------------------------------------ persistence
    def save(self, run_dir) -> Path:
        """Write the model, vectorizer and metadata (and the report, if any) into ``run_dir``."""
        from simvec.classify.report import write_json

        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_path(run_dir / "model.keras", self.model.save, suffix=".keras")
        self.vectorizer.save(run_dir / "vectorizer.json")
        write_json(run_dir / "classifier.json", {
            "format": "simvec-classifier/1", "label_names": self.label_names,
            "sequence_length": self.sequence_length, "config": self.config.to_dict()})
        if self.report:
            write_json(run_dir / "report.json", self.report)
        return run_dir

    @classmethod
    def load(cls, run_dir) -> "Classifier":
        """Read a run folder written by :meth:`save` / :func:`train_classifier`.

        Raises
        ------
        SimvecFileNotFoundError
            If the folder or one of its files is missing (named).
        InputFormatError
            Naming the file: ``classifier.json`` is not JSON or a field has the wrong type
            (config, ``label_names``, ``sequence_length``) or ``sequence_length`` disagrees
            with the config (it must equal ``config.sequence_length`` when that is set, else be
            at most ``config.max_sequence_length``), ``vectorizer.json`` or
            ``model.keras`` cannot be read, or the model's outputs disagree with the label
            names. A damaged ``report.json`` (optional) is logged and ignored.
        """
        from simvec.keras.backend import import_keras
        from simvec.keras.text import TextVectorizer

        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise SimvecFileNotFoundError(f"run folder {str(run_dir)!r} does not exist")
        for name in _FILES:
            if not (run_dir / name).is_file():
                raise SimvecFileNotFoundError(
                    f"{run_dir / name} is missing: {run_dir} is not a complete classifier run")
        meta_path = run_dir / "classifier.json"
        meta = _read_json(meta_path)
        try:
            if not isinstance(meta, dict) or not isinstance(meta.get("config"), dict):
                raise SimvecValueError("expected an object with a 'config' object")
            config = ClassifierConfig(**meta["config"])
            names = meta.get("label_names")
            if (not isinstance(names, list) or len(names) < 2
                    or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names)):
                raise SimvecValueError(f"label_names must be two or more distinct strings, got "
                                       f"{names!r:.100}")
            seq_len = meta.get("sequence_length")
            if isinstance(seq_len, bool) or not isinstance(seq_len, int) or not 0 < seq_len < 2**31:
                raise SimvecValueError(f"sequence_length must be a positive integer, got "
                                       f"{seq_len!r:.60}")
            # training chose it so (train_classifier); predictions pad every text to it, so
            # a damaged value (10**9) would allocate texts x 10**9 ids before failing
            fixed = config.sequence_length
            if seq_len > config.max_sequence_length if fixed is None else seq_len != fixed:
                raise SimvecValueError(
                    f"sequence_length {seq_len} disagrees with the config it was chosen under "
                    f"(sequence_length {fixed}, max_sequence_length "
                    f"{config.max_sequence_length})")
        except (SimvecValueError, TypeError, ValueError) as exc:
            raise InputFormatError(f"not a valid classifier description: {exc}",
                                   path=str(meta_path)) from None
        keras = import_keras()
        import simvec.keras.layers  # noqa: F401  (register ElmoEmbedding and TorchLSTM
        import simvec.keras.rnn  # noqa: F401   for deserialisation)

        model_path = run_dir / "model.keras"
        try:
            model = keras.saving.load_model(model_path)
        except ImportError:
            raise
        except Exception as exc:  # Keras raises many types for a damaged archive
            raise InputFormatError(f"cannot load the Keras model ({type(exc).__name__}: "
                                   f"{str(exc)[:300]})", path=str(model_path)) from None
        n_out = getattr(model, "output_shape", (None,))[-1] if hasattr(model, "output_shape") \
            else None
        if isinstance(n_out, int) and n_out != len(names):
            raise InputFormatError(f"the model has {n_out} outputs but classifier.json names "
                                   f"{len(names)} classes; the run folder's files were mixed",
                                   path=str(model_path))
        _release_elmo_cache(model)  # predictions rarely repeat a sentence: keep no cache
        vec_path = run_dir / "vectorizer.json"
        try:
            vectorizer = TextVectorizer.load(vec_path, tokenizer=_tokenizer(config.tokenizer))
        except (ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
            raise InputFormatError(f"not a valid vectorizer file ({type(exc).__name__}: "
                                   f"{str(exc)[:300]})", path=str(vec_path)) from None
        report_path = run_dir / "report.json"
        report = {}
        if report_path.is_file():  # optional: a damaged report must not stop predictions
            try:
                report = _read_json(report_path)
                if not isinstance(report, dict):
                    raise InputFormatError("expected a JSON object", path=str(report_path))
            except InputFormatError as exc:
                logger.warning("ignoring the run's report: %s", exc)
                report = {}
        return cls(model, vectorizer, names, config, seq_len, report)

    def __repr__(self) -> str:
        return (f"Classifier(recipe={self.config.recipe!r}, head={self.config.head!r}, "
                f"classes={self.label_names}, sequence_length={self.sequence_length})")


def _load_vectors(spec):
    if spec is None or not isinstance(spec, (str, os.PathLike)):
        return spec
    from simvec.vectors.sources import load

    return load(spec)


def train_classifier(data: DatasetSplits, config: ClassifierConfig | None = None, *,
                     vectors=None, run_dir=None, verbose: int | str = "auto",
                     validation: TextDataset | None = None, **overrides) -> Classifier:
    """Train a recipe on ``data.train``, evaluate it on ``data.test``, optionally save a run.

    Parameters
    ----------
    data : DatasetSplits
        Training and test texts (e.g. :func:`simvec.classify.load_imdb`).
    config : ClassifierConfig, optional
        Settings; ``**overrides`` replace single fields (``recipe="pretrained"``, ...).
    vectors : KeyedVectors, optional
        Already loaded pretrained vectors (else ``config.vectors`` is loaded by name or path).
    run_dir : str or Path, optional
        Save the classifier, ``report.json``, ``history.png`` and ``confusion_matrix.png`` here.
    verbose : "auto", 0, 1 or 2
        Keras' progress output (``"auto"``: a progress bar on a terminal, a line per epoch else).
    validation : TextDataset, optional
        Texts for early stopping, with the same ``label_names`` (e.g. the 10,000 validation
        reviews of the tutorials' small-data case); default: ``config.validation_split`` of
        ``data.train``, stratified and seeded.

    Returns
    -------
    Classifier
        Its ``report`` holds the configuration, data sizes, embedding coverage (pretrained
        recipes), the history, the test metrics (``report["test"]``) and the times in seconds.

    Raises
    ------
    SimvecValueError
        Bad settings (see :class:`ClassifierConfig`); training data with one class or too few
        texts of a class to hold some out for validation.
    """
    from simvec.classify.report import plot_confusion_matrix, plot_history, write_json
    from simvec.keras.backend import import_keras
    from simvec.keras.text import TextVectorizer

    config = dataclasses.replace(config or ClassifierConfig(), **overrides)
    if run_dir is not None:  # before the training, not after it
        check_output_path(run_dir, "run_dir", folder=True)
    t_start = time.perf_counter()
    keras = import_keras()
    if config.threads:
        torch = import_optional("torch", extra="classify", needed_by="ClassifierConfig.threads")
        torch.set_num_threads(int(config.threads))
    if verbose == "auto":
        verbose = 1 if sys.stderr.isatty() else 2
    if config.recipe in ("pretrained", "pretrained-finetuned"):
        vectors = vectors if vectors is not None else _load_vectors(config.vectors)

    if validation is None:
        inner = split_dataset(data.train, config.validation_split, config.seed,
                              name=f"{data.name} training data", allow_unstratified=True)
        fit_part, val_part = inner.train, inner.test
    else:
        if list(validation.label_names) != list(data.label_names) or len(validation) == 0:
            raise SimvecValueError(
                f"validation data must be non-empty and share the label names {data.label_names}, "
                f"got {len(validation)} texts labelled {validation.label_names}")
        fit_part, val_part = data.train, validation
    vectorizer = TextVectorizer(max_tokens=config.max_tokens, min_count=config.min_count,
                                padding=config.effective_padding,
                                truncating=config.effective_padding,
                                tokenizer=_tokenizer(config.tokenizer))
    vectorizer.fit(fit_part.texts)
    seq_len = config.sequence_length or min(
        config.max_sequence_length, vectorizer.length_quantile(fit_part.texts,
                                                               config.length_quantile))
    logger.info("%s: %d training, %d validation, %d %s texts; vocabulary %d, sequence length %d",
                data.name, len(fit_part), len(val_part), len(data.test), data.test_name,
                vectorizer.vocabulary_size(), seq_len)
    model = build_model(
        config.recipe, len(data.label_names), vocabulary=vectorizer.get_vocabulary(),
        sequence_length=seq_len, head=config.head, embedding_dim=config.embedding_dim,
        vectors=vectors, elmo_options=config.elmo_options, elmo_weights=config.elmo_weights,
        lstm_units=config.lstm_units, dense_units=config.dense_units, dropout=config.dropout,
        learning_rate=config.learning_rate, seed=config.seed, elmo_cache_mb=config.elmo_cache_mb)
    clf = Classifier(model, vectorizer, data.label_names, config, seq_len)

    coverage = None
    if config.recipe in ("pretrained", "pretrained-finetuned"):
        cov = getattr(model.get_layer("embedding"), "coverage", None)
        if cov is not None:
            coverage = {"found": int(cov.found), "total": int(cov.total), "ratio": cov.ratio}

    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                               restore_best_weights=True)]
    if config.time_limit:
        callbacks.append(_TimeLimit(config.time_limit))
    x_fit = clf._inputs(fit_part.texts, fit_part.labels, shuffle=True)
    x_val = clf._inputs(val_part.texts, val_part.labels)
    fit_kw = {}
    if isinstance(x_fit, np.ndarray):
        fit_kw = {"y": fit_part.labels, "batch_size": config.batch_size, "shuffle": True}
        x_val = (x_val, val_part.labels)
    t_fit = time.perf_counter()
    history = model.fit(x_fit, validation_data=x_val, epochs=config.epochs, callbacks=callbacks,
                        verbose=verbose, **fit_kw)
    fit_seconds = time.perf_counter() - t_fit
    elmo_cache = _release_elmo_cache(model)
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    best_epoch = int(np.argmin(hist["val_loss"])) + 1 if hist.get("val_loss") else len(
        hist.get("loss", []))

    t_eval = time.perf_counter()
    test_metrics = clf.evaluate(data.test)
    eval_seconds = time.perf_counter() - t_eval
    n_params = {"trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
                "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights))}
    clf.report = {
        "dataset": data.name, "dataset_notes": data.notes,
        "sizes": {"train": len(fit_part), "validation": len(val_part),
                  data.test_name: len(data.test)},
        "label_names": clf.label_names,
        "config": config.to_dict(),
        "vocabulary_size": vectorizer.vocabulary_size(), "sequence_length": seq_len,
        "embedding_coverage": coverage, "parameters": n_params, "elmo_cache": elmo_cache,
        "epochs_run": len(hist.get("loss", [])), "best_epoch": best_epoch,
        "history": hist, "test_split": data.test_name, "test": test_metrics,
        "seconds": {"fit": round(fit_seconds, 2), "evaluate": round(eval_seconds, 2),
                    "total": round(time.perf_counter() - t_start, 2)},
    }
    logger.info("%s on %s: %s accuracy %.4f (best epoch %d of %d, fit %.0f s)", config.recipe,
                data.name, data.test_name, test_metrics["accuracy"], best_epoch,
                clf.report["epochs_run"], fit_seconds)
    if run_dir is not None:
        run_dir = Path(run_dir)
        clf.save(run_dir)
        title = f"{config.recipe} ({config.head}) on {data.name}"
        plot_history(hist, run_dir / "history.png", title=title)
        plot_confusion_matrix(test_metrics["confusion_matrix"], clf.label_names,
                              run_dir / "confusion_matrix.png",
                              title=f"{title}: {data.test_name} confusion matrix")
        write_json(run_dir / "report.json", clf.report)
    return clf
