"""Containers of labelled text data and the seeded, stratified split used by every loader.

:class:`TextDataset` (texts, int64 labels, label names) and :class:`DatasetSplits` (a training
and an evaluation set), split out of :mod:`simvec.classify.datasets` so that the loaders stay
one concept each.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from simvec._util import import_optional
from simvec.errors import SimvecValueError

__all__ = ["TextDataset", "DatasetSplits", "split_dataset", "subsample"]

logger = logging.getLogger("simvec.classify.datasets")


# ----------------------------------------------------------------------------------- containers
@dataclass
class TextDataset:
    """Texts with integer class labels.

    Attributes
    ----------
    texts : list of str, length n
        The raw texts (not tokenised).
    labels : numpy.ndarray, shape (n,), dtype int64
        ``labels[i]`` is the class index of ``texts[i]``, in ``range(len(label_names))``.
    label_names : list of str
        ``label_names[k]`` is the name of class ``k``.
    source : str
        Where the data came from (file, and member or split).
    notes : str
        What was done to the data (skipped rows, derived splits, cleaning).
    n_skipped : int
        Rows skipped because their text was empty.
    """

    texts: list
    labels: np.ndarray
    label_names: list
    source: str = ""
    notes: str = ""
    n_skipped: int = 0

    def __post_init__(self):
        self.labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
        if len(self.texts) != self.labels.shape[0]:
            raise SimvecValueError(
                f"texts and labels differ in length: {len(self.texts)} texts, {self.labels.shape[0]} labels")
        if self.labels.size and (self.labels.min() < 0 or self.labels.max() >= len(self.label_names)):
            raise SimvecValueError(
                f"labels must lie in [0, {len(self.label_names)}) for label_names {self.label_names}, "
                f"got range [{self.labels.min()}, {self.labels.max()}]")

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        """A summary, never the texts (a data set's repr would run to megabytes)."""
        counts = np.bincount(self.labels, minlength=len(self.label_names)).tolist()
        src = getattr(self, "source", "")
        return (f"TextDataset({len(self.texts)} texts, classes "
                f"{dict(zip(map(str, self.label_names), counts))}"
                + (f", source={src!r}" if src else "") + ")")

    def class_counts(self) -> dict:
        """``{label name: number of texts}`` in class-index order."""
        counts = np.bincount(self.labels, minlength=len(self.label_names))
        return {name: int(c) for name, c in zip(self.label_names, counts)}


@dataclass
class DatasetSplits:
    """A training split and an evaluation split of one data set.

    Attributes
    ----------
    train : TextDataset
        Training data; must hold at least two classes.
    test : TextDataset
        Evaluation data (the ``dev`` split for SST-2, see ``test_name``).
    name : str
        The data set's name (``"imdb"``, ``"sst2"``, ... or the file name).
    test_name : str
        What the evaluation split is called: ``"test"`` or ``"dev"``.
    notes : str
        How the splits were obtained.

    Raises
    ------
    SimvecValueError
        If the training data holds fewer than two classes, or the two splits' ``label_names`` differ.
    """

    train: TextDataset
    test: TextDataset
    name: str = ""
    test_name: str = "test"
    notes: str = ""

    def __post_init__(self):
        _check_trainable(self.train, self.name or self.train.source)
        if list(self.train.label_names) != list(self.test.label_names):
            raise SimvecValueError(
                f"train and {self.test_name} label names differ: {self.train.label_names} vs "
                f"{self.test.label_names}")

    @property
    def dev(self) -> TextDataset:
        """Alias of :attr:`test` (SST-2's evaluation split is its dev split)."""
        return self.test

    @property
    def label_names(self) -> list:
        """The class names shared by both splits."""
        return list(self.train.label_names)

    def sample_train(self, n: int, seed: int = 0) -> "DatasetSplits":
        """These splits with the training split replaced by a stratified, seeded sample of
        ``n`` texts (:func:`subsample`); the evaluation split stays whole, ``notes`` say so."""
        train = subsample(self.train, n, seed)
        note = (f"training texts: a stratified sample of {len(train)} of {len(self.train)} "
                f"(seed={seed}). ") if train is not self.train else ""
        return DatasetSplits(train, self.test, name=self.name, test_name=self.test_name,
                             notes=self.notes + note)

    @property
    def sizes(self) -> dict:
        """``{"train": n_train, test_name: n_test}``."""
        return {"train": len(self.train), self.test_name: len(self.test)}

    def __repr__(self) -> str:
        """A summary: name, sizes and classes, never the texts."""
        return (f"DatasetSplits({self.name!r}, sizes={self.sizes}, "
                f"label_names={self.label_names})")


def _check_trainable(ds: TextDataset, where: str) -> None:
    present = np.unique(ds.labels)
    if present.size < 2:
        only = ds.label_names[int(present[0])] if present.size else "none"
        raise SimvecValueError(
            f"the training data of {where} holds {present.size} class(es) (only {only!r} in "
            f"{len(ds)} texts); a classifier needs at least two: check the label column")


def _drop_empty(texts: list, labels: list, where: str) -> tuple:
    keep_t, keep_l, skipped = [], [], []
    for i, (t, lab) in enumerate(zip(texts, labels)):
        if t is None or not str(t).strip():
            skipped.append(i)
        else:
            keep_t.append(t)
            keep_l.append(lab)
    if skipped:
        logger.warning("%s: skipped %d row(s) with an empty text (first at data row %d)",
                       where, len(skipped), skipped[0] + 1)
    return keep_t, keep_l, len(skipped)


def _skip_note(n: int) -> str:
    return f"{n} row(s) with an empty text skipped. " if n else ""


def split_dataset(ds: TextDataset, test_size: float = 0.2, seed: int = 0, name: str = "",
                  notes: str = "", allow_unstratified: bool = False) -> DatasetSplits:
    """Stratified, seeded train/test split of one :class:`TextDataset`.

    Uses :func:`sklearn.model_selection.train_test_split` with ``stratify=labels``, so each class
    keeps its share in both parts; the same ``seed`` gives the same split.

    Parameters
    ----------
    ds : TextDataset
        The data, n texts.
    test_size : float, default 0.2
        Fraction of the texts held out, in (0, 1).
    seed : int, default 0
        ``random_state`` of the shuffle.
    name, notes : str
        Stored in the result.
    allow_unstratified : bool, default False
        If a class has a single text, split without stratification (seeded) instead of
        refusing (the validation split inside training uses this).

    Returns
    -------
    DatasetSplits
        ``test`` with ``ceil(test_size * n)`` texts, raised when needed to one per class (so
        that tiny classes split: 3 classes of 2 texts give 3 and 3), and ``train`` the rest.

    Raises
    ------
    SimvecValueError
        If the data holds fewer than two classes, or a class has a single text (unless
        ``allow_unstratified``), or ``test_size`` is not in (0, 1).
    """
    train_test_split = import_optional(
        "sklearn.model_selection", package="scikit-learn", extra="classify",
        needed_by="simvec.classify splits").train_test_split

    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) \
            or not 0 < test_size < 1:
        raise SimvecValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    _check_trainable(ds, name or ds.source)
    counts = np.bincount(ds.labels, minlength=len(ds.label_names))
    stratify = ds.labels
    n, k = len(ds), int((counts > 0).sum())
    n_test = max(1, math.ceil(test_size * n))
    if (counts == 1).any():
        rare = [ds.label_names[c] for c in np.flatnonzero(counts == 1)]
        if not allow_unstratified:
            raise SimvecValueError(
                f"{name or ds.source}: class(es) {rare} have a single text; a stratified split "
                "needs two")
        n_test = min(n_test, n - 1)
        logger.warning("%s: class(es) %s have a single text: split without stratification",
                       name or ds.source, rare[:10])
        stratify = None
    else:
        # stratification needs one text of every class on each side (each class has >= 2)
        n_test = min(max(n_test, k), n - k)
    idx = np.arange(len(ds))
    tr, te = train_test_split(idx, test_size=n_test, random_state=seed, stratify=stratify)
    if stratify is None and np.unique(ds.labels[tr]).size < 2:
        raise SimvecValueError(
            f"{name or ds.source}: class(es) {rare} have a single text; a stratified split needs "
            "two, and an unstratified one leaves a single class to train on: give more texts")
    tr.sort()
    te.sort()
    test_size = n_test / n
    note = (f"{'stratified' if stratify is not None else 'unstratified'} "
            f"{1 - test_size:.0%}/{test_size:.0%} split (scikit-learn train_test_split, "
            f"seed={seed}) of {len(ds)} rows. ")
    part = lambda ix, which: TextDataset(  # noqa: E731
        [ds.texts[i] for i in ix], ds.labels[ix], list(ds.label_names),
        source=f"{ds.source} [{which} part of the split]", notes=note + ds.notes,
        n_skipped=ds.n_skipped)
    return DatasetSplits(part(tr, "train"), part(te, "test"), name=name or ds.source,
                         notes=note + notes + ds.notes)


def subsample(ds: TextDataset, n: int, seed: int = 0) -> TextDataset:
    """A stratified, seeded sample of ``n`` texts of ``ds`` (the small-data case of the tutorials).

    Parameters
    ----------
    ds : TextDataset
    n : int
        Texts to keep, ``2 <= n``; ``n >= len(ds)`` returns ``ds`` unchanged.
    seed : int, default 0
        ``random_state`` of scikit-learn's ``train_test_split`` (``stratify=labels``).

    Returns
    -------
    TextDataset
        ``n`` texts in their original order, each class keeping its share.

    Raises
    ------
    SimvecValueError
        If ``n`` is below the number of classes present (every class needs a text).
    """
    train_test_split = import_optional(
        "sklearn.model_selection", package="scikit-learn", extra="classify",
        needed_by="simvec.classify splits").train_test_split

    if n >= len(ds):
        return ds
    k = np.unique(ds.labels).size
    if not isinstance(n, (int, np.integer)) or n < max(2, k):
        raise SimvecValueError(f"a sample of {ds.source or 'the data'} needs at least {max(2, k)} "
                               f"texts (one per class), got n={n!r}")
    keep, _ = train_test_split(np.arange(len(ds)), train_size=int(n), random_state=seed,
                               stratify=ds.labels)
    keep.sort()
    return TextDataset([ds.texts[i] for i in keep], ds.labels[keep], list(ds.label_names),
                       source=f"{ds.source} [stratified sample of {n}, seed={seed}]",
                       notes=f"stratified sample of {n} of {len(ds)} texts (seed={seed}). " + ds.notes,
                       n_skipped=ds.n_skipped)
