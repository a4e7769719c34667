"""Train an ELMo biLM on your own corpus and save it in the original bilm-tf / AllenNLP layout.

The model is :class:`~simvec.elmo.bilm.ElmoBiLm` (character CNN + biLSTM with projection) with a
softmax over a word vocabulary shared by both directions, as in bilm-tf: the forward LSTM's top
layer at position ``p`` predicts token ``p + 1`` and the backward one predicts ``p - 1``; the loss
is the mean of the two cross-entropies (Peters et al. 2018, eq. in section 3.1). Sentences are
trained one by one (``<S> w1 ... wn </S>``, zero initial state), the way :class:`Elmo` is used
by default; bilm-tf instead streams 20-token windows with carried state.

* Softmax: full for vocabularies up to ``full_softmax_max_vocab`` words, else sampled softmax
  with a log-uniform (Zipfian) candidate sampler over the frequency-sorted vocabulary and
  accidental hits removed (Jean et al. 2015; TensorFlow's ``sampled_softmax_loss``, which
  bilm-tf uses).
* Optimiser: Adagrad, learning rate 0.2, initial accumulator 1.0, global gradient-norm clip 10
  (bilm-tf's ``train``). Dropout on the LSTM input and output (bilm-tf: 0.1).
* Progress: a log line every ``log_every`` steps with tokens/s and the training perplexity of
  each direction (for sampled softmax, the sampled-softmax perplexity, a lower bound).
* Checkpoint / resume: every ``checkpoint_every`` steps ``out_dir`` gets ``options.json``,
  ``vocab.txt``, ``weights.hdf5`` (original layout plus ``softmax/W``, ``softmax/b``),
  ``checkpoint.hdf5`` (exact parameters and optimizer state) and ``train_state.json``, all written atomically. ``resume=True`` continues
  from there; the batch order, dropout and negative samples depend only on ``seed`` and the step,
  so a resumed run gives the same weights as an uninterrupted one.

The "mini" configuration (:data:`MINI_OPTIONS`: 512 CNN filters, 1 highway, 2 x 512-cell LSTM
projected to 128, 3.0M parameters plus the softmax) trains on a 2-core CPU; the command used for
the benchmark corpus is in ``docs/elmo.md``.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
.. [2] bilm-tf, ``bilm/training.py`` (``LanguageModel``, ``train``, ``dump_weights``).
.. [3] Jean et al. (2015), "On using very large target vocabulary for neural machine
   translation", ACL (sampled softmax).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from simvec._util import atomic_write, atomic_write_path, import_optional
from simvec.elmo._torch import F, nn, torch
from simvec.elmo.bilm import ElmoBiLm, check_options, read_options
from simvec.elmo.lmdata import (
    BOS, EOS, SPECIALS, LMData, select_sentences, unigram_perplexity,
)
from simvec.elmo.weights import save_options, save_weights
from simvec.errors import SimvecFileNotFoundError, SimvecValueError

__all__ = [
    "MINI_OPTIONS", "TrainConfig", "BidirectionalLM", "LMData", "train_bilm", "evaluate_bilm",
    "unigram_perplexity", "load_trained", "select_sentences", "main",
]

log = logging.getLogger(__name__)


MINI_OPTIONS = {
    "lstm": {"dim": 512, "projection_dim": 128, "n_layers": 2, "cell_clip": 3, "proj_clip": 3,
             "use_skip_connections": True},
    "char_cnn": {"embedding": {"dim": 16},
                 "filters": [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256]],
                 "n_highway": 1, "activation": "relu", "n_characters": 262,
                 "max_characters_per_token": 50},
}
"""A small biLM that trains on a laptop CPU (3.0M parameters without the softmax)."""


@dataclass
class TrainConfig:
    """Training settings (bilm-tf's names where it has one).

    Attributes
    ----------
    options : dict
        Model options (``lstm``, ``char_cnn``); default :data:`MINI_OPTIONS`.
    batch_size : int
        Sentences per step.
    max_sentence_length : int
        Longer sentences are cut into pieces of at most this many tokens.
    min_count, max_vocab_size : int
        Vocabulary of the softmax (rarer words become ``<UNK>`` as targets; their characters
        still reach the CNN).
    full_softmax_max_vocab : int
        Full softmax up to this vocabulary size (including ``<S>``, ``</S>``, ``<UNK>``),
        sampled softmax above.
    n_negative_samples_batch : int
        Negatives per step for the sampled softmax (shared by the batch).
    learning_rate, clip_norm, dropout : float
        Learning rate (0.2 for Adagrad), global gradient-norm clip (10.0), dropout (0.1), as
        bilm-tf.
    optimizer : {"adagrad", "adam"}
        ``"adagrad"`` (bilm-tf's; initial accumulator 1.0) or ``"adam"`` (converges faster on
        small corpora; use ``learning_rate`` about 1e-3).
    epochs : int
    max_steps : int, optional
        Stop after this many steps in total (also across resumes).
    seed : int
    checkpoint_every, log_every : int
        In steps (``checkpoint_every=0``: only at the end).
    device : str, optional
        Default CUDA when available.
    num_threads : int, optional
        torch intra-op threads during training.
    """

    options: dict = field(default_factory=lambda: copy.deepcopy(MINI_OPTIONS))
    batch_size: int = 32
    max_sentence_length: int = 50
    min_count: int = 3
    max_vocab_size: int | None = 50000
    full_softmax_max_vocab: int = 10000
    n_negative_samples_batch: int = 2048
    learning_rate: float = 0.2
    optimizer: str = "adagrad"
    clip_norm: float = 10.0
    dropout: float = 0.1
    epochs: int = 1
    max_steps: int | None = None
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 50
    device: str | None = None
    num_threads: int | None = None

    def validate(self) -> None:
        """Raise :class:`SimvecValueError` naming the first bad setting."""
        for name in ("batch_size", "max_sentence_length", "min_count", "epochs",
                     "n_negative_samples_batch", "full_softmax_max_vocab"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise SimvecValueError(f"{name} must be a positive integer, got {v!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise SimvecValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.optimizer not in ("adagrad", "adam"):
            raise SimvecValueError(f"optimizer must be 'adagrad' or 'adam', got {self.optimizer!r}")
        if self.learning_rate <= 0:
            raise SimvecValueError(f"learning_rate must be positive, got {self.learning_rate!r}")
        self.options = check_options(self.options)


class BidirectionalLM(nn.Module):
    """ELMo biLM plus a softmax shared by the forward and backward directions.

    Parameters
    ----------
    options : dict
    n_tokens_vocab : int
        Softmax size ``V``.
    dropout : float

    Call arguments
    --------------
    chars : torch.LongTensor (U, 50)
        Character ids of the distinct token types of the batch (rows 0, 1: ``<S>``, ``</S>``).
    rows : torch.LongTensor (B, T)
        Index into ``chars`` of each token, -1 for padding.
    targets : torch.LongTensor (U,)
        Softmax id of each type.

    Returns
    -------
    (h_forward, y_forward, h_backward, y_backward) : the top-layer states (N, P) at positions
    that have a target, and the targets (N,).
    """

    def __init__(self, options: dict, n_tokens_vocab: int, dropout: float = 0.1):
        super().__init__()
        self.bilm = ElmoBiLm(options, stateful=False)
        P = self.bilm.projection_dim
        self.softmax_W = nn.Parameter(torch.randn(n_tokens_vocab, P) / math.sqrt(P))
        self.softmax_b = nn.Parameter(torch.zeros(n_tokens_vocab))
        self.dropout = nn.Dropout(dropout)

    def forward(self, chars, rows, targets):
        mask = rows >= 0
        emb_types = self.bilm.char_cnn(chars)  # (U, P): the CNN runs once per distinct token
        emb = emb_types[rows.clamp(min=0)] * mask.unsqueeze(-1)
        emb2, mask2 = self.bilm.add_boundaries(emb, mask)
        top = self.bilm.lstm(self.dropout(emb2), mask2)[-1]
        top = self.dropout(top)
        P = self.bilm.projection_dim
        B, T = rows.shape
        lengths = mask.sum(1)
        # word ids with boundaries: <S> w1 .. wn </S>, -1 after
        full = torch.full((B, T + 2), -1, dtype=torch.long, device=rows.device)
        full[:, 0] = BOS
        full[:, 1 : T + 1] = torch.where(mask, targets[rows.clamp(min=0)], -1)
        full[torch.arange(B, device=rows.device), lengths + 1] = EOS
        # forward: position p predicts p + 1; backward: position p predicts p - 1
        yf, yb = full[:, 1:], full[:, :-1]
        hf, hb = top[:, :-1, :P], top[:, 1:, P:]
        return hf[yf >= 0], yf[yf >= 0], hb[yb >= 0], yb[yb >= 0]

    def full_loss(self, h, y, reduction: str = "mean"):
        """Cross-entropy of the full softmax (nats)."""
        return F.cross_entropy(F.linear(h, self.softmax_W, self.softmax_b), y, reduction=reduction)

    def sampled_loss(self, h, y, negatives, log_q_neg, log_q_true):
        """Sampled-softmax cross-entropy with logQ correction and accidental hits removed."""
        true_logit = (h * self.softmax_W[y]).sum(-1) + self.softmax_b[y] - log_q_true
        neg_logit = F.linear(h, self.softmax_W[negatives], self.softmax_b[negatives]) - log_q_neg
        neg_logit = neg_logit.masked_fill(negatives.unsqueeze(0) == y.unsqueeze(1), float("-inf"))
        logits = torch.cat([true_logit.unsqueeze(1), neg_logit], dim=1)
        return F.cross_entropy(logits, torch.zeros_like(y))


def _log_uniform(V: int, n: int, rng: np.random.Generator):
    """``n`` ids drawn with replacement from the log-uniform distribution
    ``P(k) = log((k+2)/(k+1)) / log(V+1)`` (TensorFlow's ``log_uniform_candidate_sampler``)."""
    k = np.floor(np.exp(rng.random(n) * np.log(V + 1))).astype(np.int64) - 1
    k = np.clip(k, 0, V - 1)
    return k


def _log_q(ids: torch.Tensor, V: int, n: int) -> torch.Tensor:
    """Log expected count ``log(n P(k))`` of each id among ``n`` log-uniform draws."""
    p = torch.log((ids.double() + 2) / (ids.double() + 1)) / math.log(V + 1)
    return torch.log(n * p).float()


_RESUMABLE = ("max_steps", "epochs", "log_every", "checkpoint_every", "device", "num_threads")


def _vocab_from_corpus(sentences, cfg: TrainConfig) -> list[str]:
    from simvec.text.vocab import Vocabulary

    v = Vocabulary.build(sentences, min_count=cfg.min_count)
    words = [w for w in v.index_to_key if w not in SPECIALS]
    if cfg.max_vocab_size is not None:
        words = words[: max(cfg.max_vocab_size - len(SPECIALS), 0)]
    return list(SPECIALS) + words


def _training_options(cfg: TrainConfig, V: int, n_tokens: int) -> dict:
    """bilm-tf's options.json: the model plus the training settings under bilm-tf's keys."""
    opts = copy.deepcopy(cfg.options)
    opts.update({"bidirectional": True, "n_tokens_vocab": V, "batch_size": cfg.batch_size,
                 "n_train_tokens": n_tokens, "n_epochs": cfg.epochs, "dropout": cfg.dropout,
                 "all_clip_norm_val": cfg.clip_norm, "unroll_steps": cfg.max_sentence_length,
                 "n_negative_samples_batch": cfg.n_negative_samples_batch})
    return opts


def _save(out: Path, model, opt, cfg, vocab, state, data) -> None:
    save_options(_training_options(cfg, len(vocab), data.n_tokens), out / "options.json")
    vocab_text = ("\n".join(vocab) + "\n").encode("utf-8")
    atomic_write([(out / "vocab.txt", lambda f: f.write(vocab_text))])
    save_weights(model.bilm, out / "weights.hdf5", softmax=(model.softmax_W, model.softmax_b))
    h5py = import_optional("h5py", extra="elmo", needed_by="ELMo training checkpoints")

    # exact float32 parameters and optimizer state (weights.hdf5 folds TF's forget bias, which is
    # not bit-exact), so that a resumed run continues bit for bit
    arrays = {f"model/{k}": v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    for i, st in opt.state_dict()["state"].items():
        for k, v in st.items():
            arrays[f"optimizer/{i}/{k}"] = np.asarray(v.detach().cpu().numpy() if torch.is_tensor(v) else v)

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            for k, v in arrays.items():
                f.create_dataset(k, data=v)

    atomic_write_path(out / "checkpoint.hdf5", write)
    text = json.dumps({**state, "config": asdict(cfg)}, indent=2) + "\n"
    atomic_write([(out / "train_state.json", lambda f: f.write(text.encode("utf-8")))])


def _load_checkpoint(model, opt, path: Path) -> None:
    h5py = import_optional("h5py", extra="elmo", needed_by="ELMo training checkpoints")

    sd = opt.state_dict()
    with h5py.File(path, "r") as f:
        model.load_state_dict({k: torch.from_numpy(np.array(f["model"][k]))
                               for k in model.state_dict()})
        if "optimizer" in f:
            for i in f["optimizer"]:
                sd["state"][int(i)] = {k: torch.from_numpy(np.array(f["optimizer"][i][k]))
                                       for k in f["optimizer"][i]}
    opt.load_state_dict(sd)


def train_bilm(sentences, out_dir, config: TrainConfig | None = None, *, resume: bool = False,
               heldout=None, callback=None) -> dict:
    """Train a biLM on ``sentences`` and save it to ``out_dir`` in the original layout.

    Parameters
    ----------
    sentences : iterable of list of str
        Tokenised training sentences (re-iterable corpus or list), read once into memory.
    out_dir : str or Path
        Receives ``options.json``, ``vocab.txt``, ``weights.hdf5`` (loadable by
        :class:`~simvec.elmo.Elmo` and by AllenNLP), ``checkpoint.hdf5``, ``train_state.json``.
    config : TrainConfig, optional
    resume : bool
        Continue from the checkpoint in ``out_dir`` with its vocabulary and settings; of
        ``config`` only ``max_steps``, ``epochs``, ``log_every``, ``checkpoint_every``,
        ``device`` and ``num_threads`` count, where they differ from the defaults.
    heldout : iterable of list of str, optional
        Evaluated at the end (:func:`evaluate_bilm`); perplexities go into the result.
    callback : callable, optional
        ``callback(stats_dict)`` at every log line.

    Returns
    -------
    dict
        ``steps``, ``tokens`` (trained, this run and before), ``train_perplexity_forward``,
        ``train_perplexity_backward`` (last log window), ``tokens_per_s``, ``parameters``, and
        with ``heldout`` the :func:`evaluate_bilm` figures.

    Raises
    ------
    SimvecValueError
        Bad settings or an empty corpus.
    SimvecFileNotFoundError
        ``resume=True`` without a checkpoint in ``out_dir``.
    """
    out = Path(out_dir)
    state = {"step": 0, "epoch": 0, "batch": 0, "tokens": 0}
    if resume:
        st_path = out / "train_state.json"
        if not st_path.is_file():
            raise SimvecFileNotFoundError(f"no checkpoint to resume in {out} (train_state.json)")
        saved = json.loads(st_path.read_text(encoding="utf-8"))
        # only the run-length and logistics settings of `config` that differ from the defaults
        # override the saved ones; the model, vocabulary and optimisation settings stay
        default = asdict(TrainConfig())
        keep = {k: v for k, v in asdict(config).items()
                if k in _RESUMABLE and v != default[k]} if config is not None else {}
        config = TrainConfig(**{**saved["config"], **keep})
        state = {k: saved[k] for k in state}
        vocab = (out / "vocab.txt").read_text(encoding="utf-8").splitlines()
    cfg = config or TrainConfig()
    cfg.validate()
    sentences = list(sentences)
    if not resume:
        vocab = _vocab_from_corpus(sentences, cfg)
    data = LMData(sentences, vocab, cfg.max_sentence_length)
    V = len(vocab)
    device = torch.device(cfg.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    old_threads = torch.get_num_threads()
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    try:
        torch.manual_seed(cfg.seed)
        model = BidirectionalLM(cfg.options, V, cfg.dropout)
        if cfg.optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
        else:
            opt = torch.optim.Adagrad(model.parameters(), lr=cfg.learning_rate,
                                      initial_accumulator_value=1.0)
        if resume:
            _load_checkpoint(model, opt, out / "checkpoint.hdf5")
        model.to(device).train()
        sampled = V > cfg.full_softmax_max_vocab
        chars_all = torch.from_numpy(data.chars)
        target_all = torch.from_numpy(data.target)
        n_params = sum(p.numel() for p in model.bilm.parameters())
        log.info("biLM: %d parameters + softmax %d x %d (%s), %d sentences, %d tokens, device %s",
                 n_params, V, model.bilm.projection_dim, "sampled" if sampled else "full",
                 len(data), data.n_tokens, device)
        win = {"tok": 0, "lf": 0.0, "lb": 0.0, "n": 0, "t": time.perf_counter()}
        stats: dict = {}
        run_tokens, t_start = 0, time.perf_counter()
        done = False
        while state["epoch"] < cfg.epochs and not done:
            batches = data.batches(cfg.batch_size, cfg.seed, state["epoch"])
            while state["batch"] < len(batches):
                if cfg.max_steps is not None and state["step"] >= cfg.max_steps:
                    done = True
                    break
                step = state["step"]
                torch.manual_seed(cfg.seed * 1_000_003 + step)  # dropout: a function of the step
                rows_np = data.pad(batches[state["batch"]])
                uniq, inv = np.unique(rows_np[rows_np >= 0], return_inverse=True)
                types = np.concatenate([[0, 1], uniq])
                rows = np.full(rows_np.shape, -1, dtype=np.int64)
                rows[rows_np >= 0] = inv + 2
                t_rows = torch.from_numpy(rows).to(device)
                t_types = torch.from_numpy(types).long()
                hf, yf, hb, yb = model(chars_all[t_types].to(device), t_rows,
                                       target_all[t_types].to(device))
                if sampled:
                    rng = np.random.default_rng([cfg.seed, step, 7])
                    S = cfg.n_negative_samples_batch
                    neg = torch.from_numpy(_log_uniform(V, S, rng)).to(device)
                    lqn = _log_q(neg, V, S).to(device)
                    lf = model.sampled_loss(hf, yf, neg, lqn, _log_q(yf, V, S).to(device))
                    lb = model.sampled_loss(hb, yb, neg, lqn, _log_q(yb, V, S).to(device))
                else:
                    lf, lb = model.full_loss(hf, yf), model.full_loss(hb, yb)
                loss = 0.5 * (lf + lb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
                opt.step()
                n_tok = int((rows_np >= 0).sum())
                state["step"] += 1
                state["batch"] += 1
                state["tokens"] += n_tok
                run_tokens += n_tok
                win["tok"] += n_tok
                win["lf"] += lf.item() * len(yf)
                win["lb"] += lb.item() * len(yb)
                win["n"] += len(yf)
                if state["step"] % cfg.log_every == 0:
                    dt = time.perf_counter() - win["t"]
                    stats = {"step": state["step"], "epoch": state["epoch"], "tokens": state["tokens"],
                             "tokens_per_s": win["tok"] / dt,
                             "train_perplexity_forward": math.exp(win["lf"] / win["n"]),
                             "train_perplexity_backward": math.exp(win["lb"] / win["n"])}
                    log.info("step %d  epoch %d  %.0f tokens/s  %sperplexity fwd %.1f bwd %.1f",
                             stats["step"], stats["epoch"], stats["tokens_per_s"],
                             "sampled " if sampled else "", stats["train_perplexity_forward"],
                             stats["train_perplexity_backward"])
                    if callback is not None:
                        callback(stats)
                    win = {"tok": 0, "lf": 0.0, "lb": 0.0, "n": 0, "t": time.perf_counter()}
                if cfg.checkpoint_every and state["step"] % cfg.checkpoint_every == 0:
                    _save(out, model, opt, cfg, vocab, state, data)
            else:
                state["epoch"] += 1
                state["batch"] = 0
        _save(out, model, opt, cfg, vocab, state, data)
        result = {"steps": state["step"], "tokens": state["tokens"], "parameters": n_params,
                  "vocab_size": V, "softmax": "sampled" if sampled else "full",
                  "tokens_per_s": run_tokens / max(time.perf_counter() - t_start, 1e-9)}
        result.update({k: v for k, v in stats.items() if k.startswith("train_perplexity")})
        if heldout is not None:
            result.update(evaluate_bilm(model, heldout, vocab, cfg.max_sentence_length))
        return result
    finally:
        torch.set_num_threads(old_threads)


@torch.no_grad()
def evaluate_bilm(model, sentences, vocab: list[str], max_sentence_length: int = 50,
                  batch_size: int = 64) -> dict:
    """Full-softmax perplexity of each direction on ``sentences`` (targets include ``</S>`` /
    ``<S>``; out-of-vocabulary words are ``<UNK>``).

    Returns
    -------
    dict
        ``heldout_perplexity_forward``, ``heldout_perplexity_backward``, ``heldout_tokens``.
    """
    data = LMData(sentences, vocab, max_sentence_length)
    was = model.training
    model.eval()
    device = model.softmax_W.device
    tot_f = tot_b = 0.0
    n = 0
    chars_all, target_all = torch.from_numpy(data.chars), torch.from_numpy(data.target)
    order = np.argsort([len(r) for r in data.rows])
    for s in range(0, len(order), batch_size):
        rows_np = data.pad(order[s : s + batch_size])
        uniq, inv = np.unique(rows_np[rows_np >= 0], return_inverse=True)
        types = torch.from_numpy(np.concatenate([[0, 1], uniq])).long()
        rows = np.full(rows_np.shape, -1, dtype=np.int64)
        rows[rows_np >= 0] = inv + 2
        hf, yf, hb, yb = model(chars_all[types].to(device), torch.from_numpy(rows).to(device),
                               target_all[types].to(device))
        tot_f += float(model.full_loss(hf, yf, "sum"))
        tot_b += float(model.full_loss(hb, yb, "sum"))
        n += len(yf)
    model.train(was)
    return {"heldout_perplexity_forward": math.exp(tot_f / n),
            "heldout_perplexity_backward": math.exp(tot_b / n), "heldout_tokens": n}


def load_trained(out_dir, **elmo_kwargs):
    """The :class:`~simvec.elmo.Elmo` of a training output folder (``options.json`` +
    ``weights.hdf5``)."""
    from simvec.elmo.embedder import Elmo

    out = Path(out_dir)
    return Elmo(read_options(out / "options.json"), out / "weights.hdf5", **elmo_kwargs)


def main(argv=None) -> dict:
    """``python -m simvec.elmo.train CORPUS... --out DIR``: train, save, report perplexities."""
    import argparse

    from simvec.text.corpus import LineSentence

    ap = argparse.ArgumentParser(
        prog="python -m simvec.elmo.train",
        description="Train an ELMo biLM (mini configuration by default) on a corpus of one "
        "sentence per line, whitespace tokens (plain, .gz or .bz2); save options.json + "
        "weights.hdf5 in the original layout and report perplexities beside a unigram model's.")
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--out", required=True, help="output folder (checkpoint, model, report.json)")
    ap.add_argument("--options", help="model options.json (default: the mini configuration)")
    ap.add_argument("--max-tokens", type=int, default=5_000_000)
    ap.add_argument("--heldout-tokens", type=int, default=100_000)
    ap.add_argument("--stride", type=int, default=1, help="use every N-th line of the corpus")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--max-vocab-size", type=int, default=50000)
    ap.add_argument("--full-softmax-max-vocab", type=int, default=10000)
    ap.add_argument("--optimizer", choices=("adagrad", "adam"), default="adagrad")
    ap.add_argument("--learning-rate", type=float, help="default 0.2 (adagrad), 1e-3 (adam)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, help="torch intra-op threads")
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    t0 = time.perf_counter()
    train, held = select_sentences(LineSentence(a.corpus), a.max_tokens, a.heldout_tokens,
                                   a.stride)
    log.info("selected %d training tokens, %d held-out tokens in %.0f s",
             sum(map(len, train)), sum(map(len, held)), time.perf_counter() - t0)
    cfg = TrainConfig(
        options=read_options(a.options) if a.options else copy.deepcopy(MINI_OPTIONS),
        batch_size=a.batch_size, epochs=a.epochs, max_steps=a.max_steps,
        max_vocab_size=a.max_vocab_size, seed=a.seed, num_threads=a.threads,
        full_softmax_max_vocab=a.full_softmax_max_vocab, optimizer=a.optimizer,
        learning_rate=a.learning_rate or (1e-3 if a.optimizer == "adam" else 0.2),
        checkpoint_every=a.checkpoint_every)
    res = train_bilm(train, a.out, cfg, resume=a.resume,
                     heldout=held or None)
    if held:
        vocab = (Path(a.out) / "vocab.txt").read_text(encoding="utf-8").splitlines()
        res["heldout_perplexity_unigram"] = unigram_perplexity(train, held, vocab)
    args = sys.argv[1:] if argv is None else list(argv)
    res.update({"command": " ".join(["python -m simvec.elmo.train", *args]),
                "train_tokens": sum(map(len, train)),
                "seconds": time.perf_counter() - t0})
    text = json.dumps(res, indent=2) + "\n"
    atomic_write([(Path(a.out) / "report.json", lambda f: f.write(text.encode("utf-8")))])
    print(text)
    return res


if __name__ == "__main__":
    main()
