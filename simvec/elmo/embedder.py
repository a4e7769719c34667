"""ELMo embeddings of sentences: the ``Elmo`` module and the ``ElmoEmbedder`` convenience class.

:class:`Elmo` is a ``torch.nn.Module`` (trainable scalar mix, usable inside a model) whose
outputs are named as TF-Hub's ELMo module: ``word_emb`` (B, T, P), ``lstm_outputs1`` and
``lstm_outputs2`` (B, T, 2P), ``elmo`` (B, T, 2P) and ``default`` (B, 2P), plus ``mask``.
:class:`ElmoEmbedder` wraps it for inference: sentences in, numpy (or torch) out, batched by
length under ``torch.inference_mode``.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", NAACL,
   arXiv:1802.05365.
.. [2] AllenNLP, ``allennlp/modules/elmo.py`` (``Elmo``, ``vocab_to_cache``) and
   ``allennlp/commands/elmo.py`` (``ElmoEmbedder``).
.. [3] TF-Hub ``google/elmo/3`` (output names); bilm-tf, ``bilm/elmo.py``.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np

from simvec._util import atomic_write_path, check_allocation, import_optional
from simvec.elmo._torch import nn, torch
from simvec.elmo.bilm import ElmoBiLm, check_options, read_options
from simvec.elmo.chars import as_token_lists, batch_to_ids, word_to_char_ids
from simvec.elmo.scalar_mix import ScalarMix
from simvec.elmo.sentence_cache import SentenceCache
from simvec.elmo.weights import load_weights
from simvec.errors import SimvecValueError

__all__ = ["Elmo", "ElmoEmbedder", "OUTPUTS", "NPY_PADDED_BYTES", "NPY_PADDING_FACTOR"]

log = logging.getLogger(__name__)

OUTPUTS = ("elmo", "default", "word_emb", "lstm_outputs1", "lstm_outputs2")

#: a zero-padded ``.npy`` output over this many bytes ...
NPY_PADDED_BYTES = 256 * 2**20
#: ... and over this many times the bytes of its vectors is refused (use ``.h5``)
NPY_PADDING_FACTOR = 4
"""Output names (TF-Hub's) for the two-layer models; deeper models add ``lstm_outputs3`` ..."""


def _default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Elmo(nn.Module):
    """ELMo representations with TF-Hub's output names.

    The biLM (:class:`~simvec.elmo.bilm.ElmoBiLm`) is loaded from the original options and HDF5
    weights and frozen unless ``requires_grad``; a :class:`~simvec.elmo.scalar_mix.ScalarMix`
    over its ``n_layers + 1`` layers gives ``elmo``. Sentence boundaries are removed from every
    output. The token layer is duplicated to 2P inside the mix, as in the original.

    Parameters
    ----------
    options_file : str, Path or dict
        bilm-tf ``options.json`` (or the dict).
    weight_file : str or Path, optional
        Original HDF5 weights; None leaves random weights (for speed tests and training).
    do_layer_norm : bool
        Passed to ``ScalarMix`` (batch-dependent when True, as in the original).
    dropout : float
        Dropout on ``elmo`` in training mode (AllenNLP uses 0.5; default 0 here).
    stateful : bool
        Carry LSTM states across calls (AllenNLP's behaviour, needed to reproduce the
        published outputs). Default False: a sentence's vectors do not depend on its batch.
    vocab_to_cache : list of str, optional
        Words whose character-CNN embeddings are computed once and reused (AllenNLP's option).
        Other tokens still go through the CNN. Used only while the CNN is frozen.
    scalar_mix_parameters : list of float, optional
        Initial (pre-softmax) mixing scalars; default zeros (equal weights).
    requires_grad : bool
        Fine-tune the biLM weights.
    max_sentence_length : int, optional
        Sentences with more tokens raise ``SimvecValueError``.
    on_long_token : {"truncate", "raise"}
        Tokens over 48 UTF-8 bytes: keep the first 48 (original) or raise.
    sentence_cache_mb : float
        Keep the frozen biLM's activations of up to this many MiB of sentences (keyed by their
        character ids) and look them up when a sentence comes again, as in every epoch of a
        classifier trained on frozen ELMo (:class:`~simvec.elmo.sentence_cache.SentenceCache`,
        the in-memory counterpart of bilm-tf's ``dump_bilm_embeddings``). Default 0: off.
        Used only for character-id inputs while the biLM is frozen and not ``stateful``.

    Call arguments
    --------------
    inputs : torch.LongTensor (B, T, 50), or list of sentences
        Character ids from :func:`~simvec.elmo.chars.batch_to_ids`, or sentences (token lists
        or whitespace strings), which also use the vocabulary cache and compute the CNN once per
        distinct token of the batch.

    Returns
    -------
    dict of str -> torch.Tensor
        ``word_emb`` (B, T, P); ``lstm_outputs1``, ``lstm_outputs2`` (B, T, 2P); ``elmo``
        (B, T, 2P); ``default`` (B, 2P), the mean of ``elmo`` over each sentence's tokens;
        ``mask`` bool (B, T). Padded positions are 0.

    Raises
    ------
    SimvecValueError
        Empty sentence, sentence over ``max_sentence_length``, bad ``inputs``.
    VectorFormatError
        Options and weights disagree or a dataset is missing (see
        :func:`~simvec.elmo.weights.load_weights`).

    Examples
    --------
    >>> elmo = Elmo("options.json", "weights.hdf5")                    # doctest: +SKIP
    >>> out = elmo([["The", "cat", "sat"], ["Dogs", "bark"]])           # doctest: +SKIP
    >>> out["elmo"].shape, out["default"].shape                         # doctest: +SKIP
    (torch.Size([2, 3, 1024]), torch.Size([2, 1024]))
    """

    def __init__(
        self,
        options_file,
        weight_file=None,
        *,
        do_layer_norm: bool = False,
        dropout: float = 0.0,
        stateful: bool = False,
        vocab_to_cache=None,
        scalar_mix_parameters=None,
        requires_grad: bool = False,
        max_sentence_length: int | None = None,
        on_long_token: str = "truncate",
        sentence_cache_mb: float = 0.0,
    ):
        super().__init__()
        options = (check_options(options_file) if isinstance(options_file, dict)
                   else read_options(options_file))
        self.bilm = ElmoBiLm(options, stateful=stateful)
        if weight_file is not None:
            load_weights(self.bilm, weight_file)
        for p in self.bilm.parameters():
            p.requires_grad_(requires_grad)
        self.num_layers = self.bilm.num_layers
        self.scalar_mix = ScalarMix(self.num_layers + 1, do_layer_norm, scalar_mix_parameters)
        self.dropout = nn.Dropout(dropout)
        self.max_sentence_length = max_sentence_length
        self.on_long_token = on_long_token
        if not sentence_cache_mb >= 0:
            raise SimvecValueError(
                f"sentence_cache_mb must be a number >= 0, got {sentence_cache_mb!r}")
        self.sentence_cache = (SentenceCache(int(sentence_cache_mb * 2**20))
                               if sentence_cache_mb > 0 else None)
        self._cache_index: dict[str, int] = {}
        self.register_buffer("_cache", torch.zeros(0, self.bilm.projection_dim), persistent=False)
        if vocab_to_cache:
            self.cache_vocabulary(vocab_to_cache)

    @property
    def output_names(self) -> tuple[str, ...]:
        """TF-Hub's names of this model's outputs."""
        lstm = tuple(f"lstm_outputs{k}" for k in range(1, self.num_layers + 1))
        return ("word_emb",) + lstm + ("elmo", "default")

    @property
    def output_dim(self) -> int:
        """``2P``, the size of ``elmo``, ``default`` and the LSTM outputs."""
        return 2 * self.bilm.projection_dim

    def reset_states(self) -> None:
        """Forget the LSTM states carried between calls (``stateful=True``)."""
        self.bilm.reset_states()

    @torch.no_grad()
    def cache_vocabulary(self, words, batch_size: int = 1024) -> None:
        """Compute and keep the character-CNN embeddings of ``words`` (AllenNLP's
        ``vocab_to_cache``); later calls on sentences look cached tokens up instead."""
        words = list(dict.fromkeys(w for w in words if isinstance(w, str) and w))
        device = self._cache.device
        chunks = []
        for s in range(0, len(words), batch_size):
            ids = np.stack([word_to_char_ids(w, on_long_token="truncate")
                            for w in words[s : s + batch_size]])
            chunks.append(self.bilm.char_cnn(torch.from_numpy(ids).to(device)))
        self._cache = (torch.cat(chunks) if chunks
                       else torch.zeros(0, self.bilm.projection_dim, device=device))
        self._cache_index = {w: i for i, w in enumerate(words)}
        log.info("cached character-CNN embeddings of %d words", len(words))

    def _use_cache(self) -> bool:
        return bool(self._cache_index) and not any(
            p.requires_grad for p in self.bilm.char_cnn.parameters())

    def sentences_to_inputs(self, sentences):
        """Character ids (B, T, 50) and character-CNN token embeddings (B, T, P) of sentences.

        The CNN runs once per distinct uncached token of the batch; cached tokens are looked up.
        """
        sents = as_token_lists(sentences)
        ids = batch_to_ids(sents, max_sentence_length=self.max_sentence_length,
                           on_long_token=self.on_long_token)
        device = self.scalar_mix.gamma.device
        ids = ids.to(device)
        distinct: dict[str, int] = {}
        index = np.zeros(ids.shape[:2], dtype=np.int64)
        for i, s in enumerate(sents):
            for j, tok in enumerate(s):
                index[i, j] = distinct.setdefault(tok, len(distinct) + 1)
        toks = list(distinct)
        P = self.bilm.projection_dim
        use_cache = self._use_cache()
        cached = [k for k, t in enumerate(toks) if use_cache and t in self._cache_index]
        fresh = [k for k, t in enumerate(toks) if not (use_cache and t in self._cache_index)]
        parts, order = [], []
        if cached:
            rows = torch.tensor([self._cache_index[toks[k]] for k in cached], device=device)
            parts.append(self._cache[rows])
            order += cached
        if fresh:
            fids = np.stack([word_to_char_ids(toks[k], on_long_token=self.on_long_token)
                             for k in fresh])
            parts.append(self.bilm.char_cnn(torch.from_numpy(fids).to(device)))
            order += fresh
        table = torch.zeros(len(toks) + 1, P, device=device)
        if parts:
            emb = torch.cat(parts)
            table = torch.cat([table[:1], emb[torch.argsort(torch.tensor(order, device=device))]])
        return ids, table[torch.from_numpy(index).to(device)]

    def forward(self, inputs, token_embeddings=None):
        if isinstance(inputs, torch.Tensor):
            char_ids = inputs
        else:
            char_ids, token_embeddings = self.sentences_to_inputs(inputs)
        cache = self.sentence_cache
        if (cache is not None and token_embeddings is None
                and SentenceCache.usable(self.bilm, char_ids)):
            out = cache(self.bilm, char_ids)
        else:
            out = self.bilm(char_ids, token_embeddings)
        layers, mask2 = out["activations"], out["mask"]
        T = char_ids.shape[1]
        mask = mask2[:, 2:]  # position t + 1 is a token iff t + 2 < length + 2
        keep = mask.unsqueeze(-1).to(layers[0].dtype)
        mixed = self.dropout(self.scalar_mix(layers, mask2))

        def strip(t):  # drop <S>, </S> and the padding
            return t[:, 1 : T + 1] * keep

        result = {"word_emb": strip(out["token_embedding"])}
        for k, layer in enumerate(layers[1:], start=1):
            result[f"lstm_outputs{k}"] = strip(layer)
        elmo = strip(mixed)
        result["elmo"] = elmo
        lengths = mask.sum(dim=1, keepdim=True).clamp(min=1).to(elmo.dtype)
        result["default"] = elmo.sum(dim=1) / lengths
        result["mask"] = mask
        return result


class ElmoEmbedder:
    """Inference with ELMo: sentences in, numpy arrays (or torch tensors) out.

    Sentences are sorted by length and batched (``stateful=False``, the default, so results do
    not depend on the batching); every call runs under ``torch.inference_mode``. With
    ``stateful=True`` the input order is kept, since states pass from batch to batch.

    Parameters
    ----------
    options_file, weight_file
        As :class:`Elmo` (``weight_file=None``: random weights).
    batch_size : int
        Sentences per batch.
    device : str or torch.device, optional
        Default CUDA when available, else CPU.
    num_threads : int, optional
        torch intra-op threads while embedding (restored afterwards). The LSTM runs one small
        matrix product per token, so on a busy machine 1 thread can be many times faster than
        several spinning ones; None keeps torch's setting.
    **elmo_kwargs
        Passed to :class:`Elmo` (``stateful``, ``vocab_to_cache``, ``max_sentence_length``
        (default 1000 here), ``on_long_token``, ``do_layer_norm``, ``scalar_mix_parameters``).

    Examples
    --------
    >>> emb = ElmoEmbedder("options.json", "weights.hdf5")              # doctest: +SKIP
    >>> emb.embed(["the cat sat", "dogs bark"], output="default").shape  # doctest: +SKIP
    (2, 1024)
    """

    def __init__(self, options_file, weight_file=None, *, batch_size: int = 64, device=None,
                 num_threads: int | None = None, **elmo_kwargs):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise SimvecValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        elmo_kwargs.setdefault("max_sentence_length", 1000)
        self.device = torch.device(device) if device is not None else _default_device()
        self.elmo = Elmo(options_file, weight_file, **elmo_kwargs).to(self.device).eval()
        self.batch_size = batch_size
        self.num_threads = num_threads

    @contextlib.contextmanager
    def _running(self):
        """``torch.inference_mode`` with ``num_threads`` intra-op threads."""
        old = torch.get_num_threads()
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        try:
            with torch.inference_mode():
                yield
        finally:
            torch.set_num_threads(old)

    @property
    def output_dim(self) -> int:
        """``2P`` (1024 for the original models)."""
        return self.elmo.output_dim

    def _batches(self, sents, batch_size):
        order = list(range(len(sents)))
        if not self.elmo.bilm.stateful:
            order.sort(key=lambda i: len(sents[i]))
        for s in range(0, len(order), batch_size):
            yield order[s : s + batch_size]

    def embed_batch(self, sentences, return_tensors: str = "np") -> dict:
        """Run one batch; the padded outputs of :class:`Elmo` as numpy or torch (on CPU)."""
        sents = as_token_lists(sentences)
        with self._running():
            out = self.elmo(sents)
        return {k: (v.cpu().numpy() if return_tensors == "np" else v.cpu()) for k, v in out.items()}

    def embed(self, sentences, output: str = "elmo", *, batch_size: int | None = None,
              return_tensors: str = "np"):
        """One output for many sentences, in input order.

        Parameters
        ----------
        sentences : list of (list of str or str), or one str
        output : str
            ``"default"`` gives one (N, 2P) array; the token-level outputs (``"elmo"``,
            ``"word_emb"``, ``"lstm_outputs1"``, ...) give a list of (n_tokens_i, D) arrays.
        batch_size : int, optional
        return_tensors : {"np", "pt"}

        Returns
        -------
        numpy.ndarray (N, 2P) or list of numpy.ndarray (n_i, D), float32 (torch if "pt")

        Raises
        ------
        SimvecValueError
            Unknown ``output``, empty sentence, sentence too long.
        """
        if output not in self.elmo.output_names:
            raise SimvecValueError(
                f"output must be one of {', '.join(self.elmo.output_names)}, got {output!r}")
        if return_tensors not in ("np", "pt"):
            raise SimvecValueError(f"return_tensors must be 'np' or 'pt', got {return_tensors!r}")
        sents = as_token_lists(sentences)
        for i, s in enumerate(sents):
            if not s:
                raise SimvecValueError(f"sentence {i} is empty; ELMo needs at least one token")
        results: list = [None] * len(sents)
        with self._running():
            for idx in self._batches(sents, batch_size or self.batch_size):
                out = self.elmo([sents[i] for i in idx])
                vals = out[output].float().cpu()
                for row, i in enumerate(idx):
                    v = vals[row] if output == "default" else vals[row, : len(sents[i])]
                    results[i] = v.clone()
        if output == "default":
            stacked = (torch.stack(results) if results
                       else torch.zeros(0, self.output_dim))
            return stacked.numpy() if return_tensors == "np" else stacked
        return [r.numpy() for r in results] if return_tensors == "np" else results

    def embed_sentence(self, sentence) -> np.ndarray:
        """All layers of one sentence, float32 (n_layers + 1, n_tokens, 2P) (AllenNLP's API)."""
        return self.embed_sentences([sentence])[0]

    def embed_sentences(self, sentences, batch_size: int | None = None) -> list[np.ndarray]:
        """All layers of each sentence: a list of float32 (n_layers + 1, n_i, 2P) arrays."""
        sents = as_token_lists(sentences)
        for i, s in enumerate(sents):
            if not s:
                raise SimvecValueError(f"sentence {i} is empty; ELMo needs at least one token")
        names = ["word_emb"] + [f"lstm_outputs{k}" for k in range(1, self.elmo.num_layers + 1)]
        results: list = [None] * len(sents)
        with self._running():
            for idx in self._batches(sents, batch_size or self.batch_size):
                out = self.elmo([sents[i] for i in idx])
                tok = out["word_emb"]
                layers = [torch.cat([tok, tok], -1)] + [out[n] for n in names[1:]]
                stacked = torch.stack(layers, 1).float().cpu().numpy()  # (B, L+1, T, 2P)
                for row, i in enumerate(idx):
                    results[i] = stacked[row, :, : len(sents[i])].copy()
        return results

    def save(self, sentences, path, output: str = "elmo", *, batch_size: int | None = None,
             chunk_size: int = 1024, progress=None) -> int:
        """Embed and write to ``.npy`` (``default``: (N, 2P); token outputs: zero-padded
        (N, T_max, D)) or ``.h5``/``.hdf5`` (one dataset per sentence, keys ``"0"``, ``"1"``,
        ..., AllenNLP's ``elmo`` command layout, plus ``sentence_to_index``). Atomic.

        Streamed: ``chunk_size`` sentences are embedded at a time and written before the next
        (a ``.npy`` through a memory map), so memory holds one chunk of vectors, not the file;
        ``progress(done, total)`` is called after each chunk. Returns the number of sentences.

        A padded ``.npy`` is refused before anything is embedded when padding would make it
        more than :data:`NPY_PADDING_FACTOR` times the size of the vectors themselves and over
        :data:`NPY_PADDED_BYTES` (one long line among many short ones): ``.h5`` stores each
        sentence at its own length.

        Raises
        ------
        SimvecValueError
            Unknown suffix or ``output``; a padded ``.npy`` too large (see above) or larger
            than the memory available.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".npy", ".h5", ".hdf5"):
            raise SimvecValueError(f"output file must end in .npy, .h5 or .hdf5, got {path}")
        if output not in self.elmo.output_names:
            raise SimvecValueError(
                f"output must be one of {', '.join(self.elmo.output_names)}, got {output!r}")
        if suffix == ".npy" and output != "default":
            lengths = [len(s) for s in as_token_lists(sentences)]
            width = self.output_dim if output != "word_emb" else self.output_dim // 2
            padded = 4 * len(lengths) * max(lengths, default=0) * width
            ragged = 4 * sum(lengths) * width
            if padded > NPY_PADDED_BYTES and padded > NPY_PADDING_FACTOR * ragged:
                raise SimvecValueError(
                    f"{path}: a zero-padded .npy of {len(lengths)} sentences x "
                    f"{max(lengths)} tokens (the longest) x {width} would take "
                    f"{padded / 2**30:.2f} GiB for {ragged / 2**30:.3f} GiB of vectors; write "
                    f"{path.with_suffix('.h5')} instead (one dataset per sentence) or split the "
                    "input by sentence length")
            check_allocation(padded + ragged, f"{path}: the padded .npy output")
        sents = as_token_lists(sentences)
        n = len(sents)
        width = self.output_dim if output != "word_emb" else self.output_dim // 2

        def chunks():  # embedded and written chunk by chunk: memory bounded by one chunk
            for start in range(0, n, chunk_size):
                part = self.embed(sents[start:start + chunk_size], output,
                                  batch_size=batch_size)
                yield start, part
                if progress is not None:
                    progress(min(start + chunk_size, n), n)

        if suffix == ".npy":
            t_max = max((len(x) for x in sents), default=0)

            def write(tmp):
                arr = None
                for start, part in chunks():
                    if arr is None:
                        shape = ((n, np.asarray(part).shape[1]) if output == "default"
                                 else (n, t_max, width))
                        arr = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                                        shape=shape)
                    if output == "default":
                        arr[start:start + len(part)] = part
                    else:
                        for i, r in enumerate(part):
                            arr[start + i, : r.shape[0]] = r
                if arr is None:  # no sentence
                    np.save(tmp, np.zeros((0, width) if output == "default"
                                          else (0, 0, width), np.float32))
                else:
                    arr.flush()
                    del arr
        elif suffix in (".h5", ".hdf5"):
            import json

            h5py = import_optional("h5py", extra="elmo", needed_by="ELMo .h5 output")

            def write(tmp):
                with h5py.File(tmp, "w") as fout:
                    for start, part in chunks():
                        for i, r in enumerate(part):
                            fout.create_dataset(str(start + i), data=r)
                    index = {" ".join(s): str(i) for i, s in enumerate(sents)}
                    fout.create_dataset("sentence_to_index", data=[json.dumps(index)])
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_path(path, write)
        return n
