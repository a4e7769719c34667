"""An LSTM Keras layer that runs on ``torch.nn.LSTM`` (fast on CPU), for masked sequences.

Keras 3's ``LSTM`` on the PyTorch backend uses torch's fused kernel only on CUDA (cuDNN); on a
CPU it runs a per-timestep Python loop, which makes a ``Bidirectional(LSTM)`` head over 400-token
reviews take many minutes per epoch. :class:`TorchLSTM` computes the same thing as
``LSTM(units)`` (or ``Bidirectional(LSTM(units))``) with ``return_sequences=False`` on masked
input, by packing each sequence's valid tokens (``torch.nn.utils.rnn.pack_padded_sequence``) and
running ``torch.nn.LSTM``'s C++ loop (CPU) or cuDNN (CUDA).

Importing this module sets ``KERAS_BACKEND=torch`` if no backend was chosen; the layer needs the
PyTorch backend.

References
----------
.. [1] Hochreiter, S. and Schmidhuber, J. (1997). Long Short-Term Memory. Neural Computation.
.. [2] PyTorch ``torch.nn.LSTM`` and ``pack_padded_sequence``; Keras ``LSTM`` /
   ``Bidirectional`` (semantics of the final states on masked input).
"""

from __future__ import annotations

from simvec.errors import SimvecValueError
from simvec.keras._backend import import_keras, require_torch_backend

keras = import_keras()

__all__ = ["TorchLSTM"]


@keras.saving.register_keras_serializable(package="simvec")
class TorchLSTM(keras.layers.Layer):
    """Final hidden state of an LSTM (optionally bidirectional) over masked sequences.

    The forward direction's output is its hidden state after the last valid token, the
    backward direction's after reading back to the first valid token (Keras'
    ``Bidirectional(LSTM(units))`` with ``merge_mode="concat"``). Valid tokens may sit anywhere
    (``"pre"`` or ``"post"`` padding): they are gathered to the front, in order, before packing.
    Gate weights start as ``torch.nn.LSTM``'s (uniform in +-1/sqrt(units)) with the forget-gate
    bias set to 1 (Keras' ``unit_forget_bias``).

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
        import torch

        if len(input_shape) != 3 or input_shape[-1] is None:
            raise SimvecValueError(
                f"TorchLSTM takes (batch, sequence_length, features) with known features, got "
                f"{tuple(input_shape)}")
        module = torch.nn.LSTM(int(input_shape[-1]), self.units, batch_first=True,
                               bidirectional=self.bidirectional)
        with torch.no_grad():  # gates are ordered i, f, g, o in torch: set the forget bias to 1
            for name, p in module.named_parameters():
                if name.startswith("bias_ih"):
                    p.zero_()
                    p[self.units:2 * self.units] = 1.0
                elif name.startswith("bias_hh"):
                    p.zero_()
        self.lstm = keras.layers.TorchModuleWrapper(module, name="lstm_module")
        self.built = True

    def call(self, inputs, mask=None):
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence

        x = inputs
        B, T = x.shape[0], x.shape[1]
        if mask is None:
            lengths = torch.full((B,), T, dtype=torch.int64)
        else:
            mask = mask.to(torch.bool)
            lengths = mask.sum(dim=1)
            # gather each row's valid tokens to the front, keeping their order
            order = torch.argsort((~mask).to(torch.int8), dim=1, stable=True)
            x = torch.gather(x, 1, order.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
        empty = lengths == 0
        packed = pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, (h, _) = self.lstm.module(packed)  # h: (directions, batch, units)
        out = torch.cat([h[0], h[1]], dim=-1) if self.bidirectional else h[0]
        if empty.any():
            out = out.masked_fill(empty.to(out.device).unsqueeze(-1), 0.0)
        return out

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units * (2 if self.bidirectional else 1))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "bidirectional": self.bidirectional})
        return config
