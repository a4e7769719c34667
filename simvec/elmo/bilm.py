"""The ELMo bidirectional language model: character CNN + stacked biLSTM, built from options.

:class:`ElmoBiLm` mirrors AllenNLP's ``_ElmoBiLm`` (``allennlp/modules/elmo.py``): it adds the
sentence boundary tokens ``<S>`` / ``</S>``, encodes every token with the character CNN and runs
the biLSTM, returning ``num_layers + 1`` layers for every position: the token layer duplicated
to ``2P`` (forward and backward halves are the same context-free vector) and each LSTM layer's
``[forward; backward]`` output.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
.. [2] AllenNLP, ``allennlp/modules/elmo.py`` (``_ElmoCharacterEncoder``, ``_ElmoBiLm``).
.. [3] bilm-tf, ``bilm/model.py`` (``BidirectionalLanguageModel``).
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

from simvec._util import check_allocation

from simvec.elmo._torch import nn, torch
from simvec.elmo.chars import BOS_CHAR_IDS, EOS_CHAR_IDS, MAX_WORD_LENGTH
from simvec.elmo.modules import CharCNN, ElmoLstm
from simvec.errors import SimvecFileNotFoundError, SimvecValueError, VectorFormatError

__all__ = ["ElmoBiLm", "read_options", "check_options", "count_parameters",
           "count_option_parameters"]

_REQUIRED = {
    "lstm": ("dim", "projection_dim", "n_layers"),
    "char_cnn": ("filters", "n_highway", "embedding"),
}


def check_options(options: dict, path: str | None = None) -> dict:
    """Validate an ELMo options dict (bilm-tf's ``options.json``) and fill the defaults.

    Parameters
    ----------
    options : dict
        ``{"lstm": {...}, "char_cnn": {...}}`` as in the released options files.
    path : str, optional
        The file it came from, for error messages.

    Returns
    -------
    dict
        A deep copy with ``cell_clip``, ``proj_clip`` (None when absent), ``use_skip_connections``
        (True), ``activation`` ("relu"), ``n_characters`` (262) and
        ``max_characters_per_token`` (50) filled in.

    Raises
    ------
    VectorFormatError
        A key is missing or has the wrong type or value; the message names the key and file.
    """
    def bad(msg):
        return VectorFormatError(f"ELMo options: {msg}", path=path)

    if not isinstance(options, dict):
        raise bad(f"expected a JSON object, got {type(options).__name__}")
    opts = copy.deepcopy(options)
    for section, keys in _REQUIRED.items():
        if not isinstance(opts.get(section), dict):
            raise bad(f"missing section {section!r}")
        for key in keys:
            if key not in opts[section]:
                raise bad(f"missing key {section}.{key}")
    lstm, cnn = opts["lstm"], opts["char_cnn"]

    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    for key in ("dim", "projection_dim", "n_layers"):
        if not is_int(lstm[key]) or lstm[key] <= 0:
            raise bad(f"lstm.{key} must be a positive integer, got {lstm[key]!r:.60}")
    lstm.setdefault("cell_clip", None)
    lstm.setdefault("proj_clip", None)
    lstm.setdefault("use_skip_connections", True)
    for key in ("cell_clip", "proj_clip"):
        v = lstm[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                              or not math.isfinite(v) or v < 0):
            raise bad(f"lstm.{key} must be a finite number >= 0 (0 or null: no clipping), "
                      f"got {v!r:.60}")
    if not isinstance(lstm["use_skip_connections"], bool):
        raise bad(f"lstm.use_skip_connections must be true or false, got "
                  f"{lstm['use_skip_connections']!r:.60}")
    filters = cnn["filters"]
    if (not isinstance(filters, list) or not filters
            or not all(isinstance(f, (list, tuple)) and len(f) == 2
                       and all(is_int(v) and v > 0 for v in f) for f in filters)):
        raise bad(f"char_cnn.filters must be a list of [width, number] pairs, got {filters!r:.200}")
    if not is_int(cnn["n_highway"]) or cnn["n_highway"] < 0:
        raise bad(f"char_cnn.n_highway must be an integer >= 0, got {cnn['n_highway']!r:.60}")
    if not isinstance(cnn["embedding"], dict) or "dim" not in cnn["embedding"]:
        raise bad("missing key char_cnn.embedding.dim")
    if not is_int(cnn["embedding"]["dim"]) or cnn["embedding"]["dim"] <= 0:
        raise bad(f"char_cnn.embedding.dim must be a positive integer, got "
                  f"{cnn['embedding']['dim']!r:.60}")
    cnn.setdefault("activation", "relu")
    if cnn["activation"] not in ("relu", "tanh"):
        raise bad(f"char_cnn.activation must be 'relu' or 'tanh', got {cnn['activation']!r:.60}")
    cnn.setdefault("n_characters", 262)
    if not is_int(cnn["n_characters"]) or cnn["n_characters"] <= 0:
        raise bad(f"char_cnn.n_characters must be a positive integer, got "
                  f"{cnn['n_characters']!r:.60}")
    cnn.setdefault("max_characters_per_token", MAX_WORD_LENGTH)
    if cnn["max_characters_per_token"] != MAX_WORD_LENGTH \
            or not is_int(cnn["max_characters_per_token"]):
        raise bad(
            f"char_cnn.max_characters_per_token must be {MAX_WORD_LENGTH} (the character ids "
            f"are fixed at 50 per token), got {cnn['max_characters_per_token']!r:.60}"
        )
    widest = max(w for w, _ in filters)
    if widest > MAX_WORD_LENGTH:
        raise bad(f"a filter of width {widest} is wider than {MAX_WORD_LENGTH} characters")
    n = count_option_parameters(opts)
    try:
        # the model, the weights read from the file and their converted copies
        check_allocation(3 * 4 * n, f"an ELMo model of {n:,} parameters")
    except SimvecValueError as exc:
        raise bad(f"{exc}; are the dimensions right?") from None
    return opts


def count_option_parameters(options: dict) -> int:
    """Number of parameters of the biLM that validated ``options`` describe (without building
    it), to refuse absurd dimensions before anything is allocated."""
    lstm, cnn = options["lstm"], options["char_cnn"]
    e = cnn["embedding"]["dim"]
    d = sum(n for _, n in cnn["filters"])
    p, c = lstm["projection_dim"], lstm["dim"]
    n = max(262, cnn["n_characters"]) * e
    n += sum(w * e * k + k for w, k in cnn["filters"])
    n += cnn["n_highway"] * 2 * (d * d + d) + d * p + p
    n += 2 * lstm["n_layers"] * (8 * c * p + 4 * c + p * c)
    return int(n)


def read_options(options_file) -> dict:
    """Read and validate an ``options.json`` file (see :func:`check_options`).

    Raises
    ------
    SimvecFileNotFoundError
        The file does not exist.
    VectorFormatError
        It is not JSON or misses a key.
    """
    path = Path(options_file)
    if not path.is_file():
        raise SimvecFileNotFoundError(f"no such ELMo options file: {path}")
    try:
        opts = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise VectorFormatError(f"not a JSON options file ({exc})", path=str(path)) from None
    return check_options(opts, str(path))


def count_parameters(module: nn.Module) -> int:
    """Number of scalar parameters of ``module`` (trainable or not)."""
    return sum(p.numel() for p in module.parameters())


class ElmoBiLm(nn.Module):
    """Character CNN + stacked biLSTM of ELMo, with sentence boundaries added.

    Parameters
    ----------
    options : dict
        Validated options (:func:`read_options` / :func:`check_options`).
    stateful : bool
        Carry LSTM states across calls, row by row (AllenNLP's and bilm-tf's inference
        behaviour). False (default): every call starts from zero states, so a sentence gets
        the same vectors whatever batch it is in.

    Call arguments
    --------------
    char_ids : torch.LongTensor, shape (B, T, 50)
        From :func:`simvec.elmo.chars.batch_to_ids` (0 rows are padding).
    token_embeddings : torch.Tensor, float32, shape (B, T, P), optional
        Precomputed character-CNN outputs (e.g. from a vocabulary cache); skips the CNN.

    Returns
    -------
    dict
        ``"activations"``: list of ``num_layers + 1`` tensors (B, T + 2, 2P), with ``<S>`` at
        position 0 and ``</S>`` after each sentence's last token, zeros after it;
        ``"token_embedding"``: (B, T + 2, P); ``"mask"``: bool (B, T + 2).

    Examples
    --------
    >>> from simvec.elmo.bilm import ElmoBiLm, read_options
    >>> bilm = ElmoBiLm(read_options("options.json"))          # doctest: +SKIP
    """

    def __init__(self, options: dict, stateful: bool = False):
        super().__init__()
        self.options = check_options(options)
        lstm, cnn = self.options["lstm"], self.options["char_cnn"]
        self.projection_dim = lstm["projection_dim"]
        self.num_layers = lstm["n_layers"]
        self.char_cnn = CharCNN(
            cnn["filters"], cnn["embedding"]["dim"], cnn["n_highway"], lstm["projection_dim"],
            cnn["activation"], n_characters=max(262, int(cnn["n_characters"])),
        )
        self.lstm = ElmoLstm(
            lstm["projection_dim"], lstm["projection_dim"], lstm["dim"], lstm["n_layers"],
            lstm["cell_clip"], lstm["proj_clip"], lstm["use_skip_connections"], stateful,
        )
        self.register_buffer("bos_char_ids", torch.from_numpy(BOS_CHAR_IDS), persistent=False)
        self.register_buffer("eos_char_ids", torch.from_numpy(EOS_CHAR_IDS), persistent=False)

    @property
    def stateful(self) -> bool:
        """Whether LSTM states carry over from one call to the next."""
        return self.lstm.stateful

    @stateful.setter
    def stateful(self, value: bool) -> None:
        self.lstm.stateful = bool(value)
        self.lstm.reset_states()

    def reset_states(self) -> None:
        """Forget carried states (only matters when ``stateful``)."""
        self.lstm.reset_states()

    def add_boundaries(self, token_embeddings: torch.Tensor, mask: torch.Tensor):
        """Put ``<S>`` before and ``</S>`` after each sentence; zero the padding.

        Returns ``(embeddings (B, T + 2, P), mask (B, T + 2))``.
        """
        B, T, P = token_embeddings.shape
        ends = self.char_cnn(torch.stack([self.bos_char_ids, self.eos_char_ids]))  # (2, P)
        lengths = mask.sum(dim=1)
        out = token_embeddings.new_zeros(B, T + 2, P)
        out[:, 1 : T + 1] = token_embeddings * mask.unsqueeze(-1)
        out[:, 0] = ends[0]
        rows = torch.arange(B, device=out.device)
        out[rows, lengths + 1] = ends[1].to(out.dtype)
        new_mask = torch.arange(T + 2, device=mask.device).unsqueeze(0) < (lengths + 2).unsqueeze(1)
        return out, new_mask

    def forward(self, char_ids: torch.Tensor, token_embeddings: torch.Tensor | None = None):
        if char_ids.dim() != 3 or char_ids.shape[-1] != MAX_WORD_LENGTH:
            raise SimvecValueError(
                f"char_ids must have shape (batch, tokens, {MAX_WORD_LENGTH}), got "
                f"{tuple(char_ids.shape)}"
            )
        mask = (char_ids > 0).any(dim=-1)
        if token_embeddings is None:
            token_embeddings = self.char_cnn(char_ids)
        emb, mask2 = self.add_boundaries(token_embeddings, mask)
        lstm_out = self.lstm(emb, mask2)
        token_layer = torch.cat([emb, emb], dim=-1) * mask2.unsqueeze(-1)
        return {
            "activations": [token_layer] + list(lstm_out.unbind(0)),
            "token_embedding": emb,
            "mask": mask2,
        }
