"""Training parameters of :class:`simvec.word2vec.Word2Vec`, with gensim's names and defaults."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, fields

from simvec.errors import SimvecValueError

__all__ = ["Word2VecConfig"]


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class Word2VecConfig:
    """Hyper-parameters of word2vec training (gensim 4 names, defaults and meaning).

    Parameters
    ----------
    vector_size : int, default 100
        Dimensionality d of the word vectors.
    window : int, default 5
        Maximum distance between centre and context word; each position uses a window drawn
        uniformly from ``[1, window]`` (word2vec.c's reduced window).
    min_count : int, default 5
        Ignore words with a total count below this.
    max_vocab_size : int or None, default None
        Bound on distinct words held while counting (word2vec.c pruning); ``None``: no bound.
    sample : float, default 1e-3
        Subsampling threshold for frequent words (word2vec.c formula); 0 disables it.
    negative : int, default 5
        Noise words per positive example (negative sampling; >= 1).
    ns_exponent : float, default 0.75
        Exponent of the unigram noise distribution.
    alpha : float, default 0.025
        Initial learning rate.
    min_alpha : float, default 0.0001
        Learning rate reached at the end of the last epoch (linear decay over all epochs).
    sg : bool, default False
        Skip-gram if True, CBOW (mean of the context vectors) if False.
    epochs : int, default 5
        Passes over the corpus.
    workers : int, default min(4, cpu_count)
        Training threads (Hogwild). Results are bit-reproducible only with ``workers=1``.
    seed : int, default 1
        Seed of weight initialisation and of all sampling.
    batch_words : int, default 10000
        Target number of in-vocabulary words per job (unit of work of a thread).
    compute_loss : bool, default True
        Accumulate the training loss (float64).
    shared_negatives : bool, default False
        Skip-gram only, not in gensim: draw the ``negative`` noise words once per centre word
        and share them across its window, updating the output rows once per window
        (HogBatch-style minibatching, Ji et al. 2016, arXiv:1604.04661). Faster (fewer random
        rows touched); see docs/word2vec.md for its measured quality.

    Raises
    ------
    SimvecValueError
        (a ``ValueError``) naming the parameter and the value, e.g.
        "vector_size must be a positive integer, got 0".
    """

    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    max_vocab_size: int | None = None
    sample: float = 1e-3
    negative: int = 5
    ns_exponent: float = 0.75
    alpha: float = 0.025
    min_alpha: float = 0.0001
    sg: bool = False
    epochs: int = 5
    workers: int = 0
    seed: int = 1
    batch_words: int = 10000
    compute_loss: bool = True
    shared_negatives: bool = False

    def __post_init__(self):
        if self.workers == 0:
            self.workers = _default_workers()
        for name in ("vector_size", "window", "min_count", "negative", "epochs", "workers",
                     "batch_words"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                extra = ""
                if name == "negative":
                    extra = " (simvec trains with negative sampling; use negative >= 1)"
                raise SimvecValueError(f"{name} must be a positive integer, got {v!r}{extra}")
        if self.max_vocab_size is not None and (
                isinstance(self.max_vocab_size, bool) or not isinstance(self.max_vocab_size, int)
                or self.max_vocab_size < 1):
            raise SimvecValueError(
                f"max_vocab_size must be a positive integer or None, got {self.max_vocab_size!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SimvecValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name, lo, strict in (("sample", 0.0, False), ("alpha", 0.0, True),
                                 ("min_alpha", 0.0, False), ("ns_exponent", -math.inf, False)):
            v = getattr(self, name)
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) \
                and (v > lo if strict else v >= lo)
            if not ok:
                rel = ">" if strict else ">="
                bound = "" if lo == -math.inf else f" {rel} {lo:g}"
                raise SimvecValueError(f"{name} must be a finite number{bound}, got {v!r}")
        if self.min_alpha > self.alpha:
            raise SimvecValueError(
                f"min_alpha must not exceed alpha ({self.alpha}), got {self.min_alpha}")
        self.sg = bool(self.sg)
        self.compute_loss = bool(self.compute_loss)
        self.shared_negatives = bool(self.shared_negatives)

    def to_dict(self) -> dict:
        """JSON-able dict of all parameters."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Word2VecConfig":
        """Inverse of :meth:`to_dict`; unknown keys raise."""
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise SimvecValueError(f"unknown word2vec parameter(s): {', '.join(sorted(unknown))}")
        return cls(**d)
