"""An LSTM Keras layer that runs on ``torch.nn.LSTM`` (fast on CPU), for masked sequences.

Keras 3's ``LSTM`` on the PyTorch backend uses torch's fused kernel only on CUDA (cuDNN); on a
CPU it runs a per-timestep Python loop, which makes a ``Bidirectional(LSTM)`` head over 400-token
reviews take many minutes per epoch. :class:`TorchLSTM` computes the same thing as
``LSTM(units)`` (or ``Bidirectional(LSTM(units))``) with ``return_sequences=False`` on masked
input with ``torch.nn.LSTM`` (its C++ loop on a CPU, cuDNN on CUDA): each row's valid tokens
are moved to the front (the backward direction gets them reversed), the batch is cut to its
longest row, and the output at each row's last valid token is its final state. Padding after a
row's tokens cannot affect that output (an LSTM is causal), so no packing is needed; packed
sequences (``pack_padded_sequence``) give the same result but run about ten times slower on a
CPU in torch 2.13.

Importing this module sets ``KERAS_BACKEND=torch`` if no backend was chosen; the layer needs the
PyTorch backend.

References
----------
.. [1] Hochreiter, S. and Schmidhuber, J. (1997). Long Short-Term Memory. Neural Computation.
.. [2] PyTorch ``torch.nn.LSTM``; Keras ``LSTM`` /
   ``Bidirectional`` (semantics of the final states on masked input).
"""

from __future__ import annotations

from simvec._util import import_optional
from simvec.errors import SimvecValueError
from simvec.keras.backend import import_keras, require_torch_backend

torch = import_optional("torch", extra="keras", needed_by="simvec.keras.rnn")
keras = import_keras()

__all__ = ["TorchLSTM"]


class _Directions(torch.nn.Module):
    """One ``torch.nn.LSTM`` per direction (``fwd``; ``bwd`` when bidirectional)."""

    def __init__(self, features: int, units: int, bidirectional: bool):
        super().__init__()
        self.fwd = torch.nn.LSTM(features, units, batch_first=True)
        self.bwd = torch.nn.LSTM(features, units, batch_first=True) if bidirectional else None
        with torch.no_grad():  # torch orders the gates i, f, g, o: forget bias 1 (Keras' init)
            for name, p in self.named_parameters():
                if "bias" in name:
                    p.zero_()
                    if "bias_ih" in name:
                        p[units:2 * units] = 1.0


@keras.saving.register_keras_serializable(package="simvec")
class TorchLSTM(keras.layers.Layer):
    """Final hidden state of an LSTM (optionally bidirectional) over masked sequences.

    The forward direction's output is its hidden state after the last valid token, the
    backward direction's after reading back to the first valid token (Keras'
    ``Bidirectional(LSTM(units))`` with ``merge_mode="concat"``). Valid tokens may sit anywhere
    (``"pre"`` or ``"post"`` padding): they are gathered to the front, in order (reversed for
    the backward direction). Gate weights start as ``torch.nn.LSTM``'s (uniform in
    +-1/sqrt(units)) with the forget-gate bias set to 1 (Keras' ``unit_forget_bias``).

    Args:
        units: int > 0, hidden size of each direction.
        bidirectional: bool, also run a backward LSTM and concatenate (default False).
        **kwargs: other ``keras.layers.Layer`` arguments (``name``).

    Call arguments:
        inputs: float32 tensor ``(batch, sequence_length, features)``.
        mask: optional bool tensor ``(batch, sequence_length)``, True at valid tokens (passed
            automatically after ``Embedding(mask_zero=True)`` or ``ElmoEmbedding``). A row
            without any valid token gives zeros.

    Returns:
        float32 tensor ``(batch, units)``, or ``(batch, 2 * units)`` (forward then backward)
        when ``bidirectional``.

    Raises:
        SimvecValueError: ``units`` not a positive integer; Keras not on the torch backend;
            inputs not of rank 3.

    Examples:
    >>> from simvec.keras import TorchLSTM                              # doctest: +SKIP
    >>> ids = keras.Input((None,), dtype="int32")                        # doctest: +SKIP
    >>> x = keras.layers.Embedding(20000, 50, mask_zero=True)(ids)       # doctest: +SKIP
    >>> h = TorchLSTM(64, bidirectional=True)(x)                         # (batch, 128)
    """

    def __init__(self, units: int, bidirectional: bool = False, **kwargs):
        super().__init__(**kwargs)
        require_torch_backend("TorchLSTM")
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise SimvecValueError(f"units must be a positive integer, got {units!r}")
        self.units = units
        self.bidirectional = bool(bidirectional)
        self.supports_masking = True
        self.lstm = None

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise SimvecValueError(
                f"TorchLSTM takes (batch, sequence_length, features) with known features, got "
                f"{tuple(input_shape)}")
        module = _Directions(int(input_shape[-1]), self.units, self.bidirectional)
        self.lstm = keras.layers.TorchModuleWrapper(module, name="lstm_module")
        self.built = True

    def call(self, inputs, mask=None):
        x = inputs
        B, T, D = x.shape
        if mask is None:
            lengths = torch.full((B,), T, dtype=torch.int64, device=x.device)
        else:
            mask = mask.to(torch.bool)
            lengths = mask.sum(dim=1)
            # each row's valid tokens to the front, in order (stable sort of "is padding")
            order = torch.argsort((~mask).to(torch.int8), dim=1, stable=True)
            x = torch.gather(x, 1, order.unsqueeze(-1).expand(-1, -1, D))
        longest = max(int(lengths.max()), 1) if B else 1
        x = x[:, :longest]
        last = (lengths - 1).clamp(min=0)
        rows = torch.arange(B, device=x.device)
        out, _ = self.lstm.module.fwd(x)
        h = out[rows, last]
        if self.bidirectional:
            # the backward direction reads each row's valid tokens last to first: position j
            # takes token len-1-j; positions past the row's end keep whatever they hold
            j = torch.arange(longest, device=x.device).unsqueeze(0)
            src = lengths.unsqueeze(1) - 1 - j
            src = torch.where(src >= 0, src, j)
            xr = torch.gather(x, 1, src.unsqueeze(-1).expand(-1, -1, D))
            out_b, _ = self.lstm.module.bwd(xr)
            h = torch.cat([h, out_b[rows, last]], dim=-1)
        empty = lengths == 0
        if bool(empty.any()):
            h = h.masked_fill(empty.unsqueeze(-1), 0.0)
        return h

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units * (2 if self.bidirectional else 1))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "bidirectional": self.bidirectional})
        return config
