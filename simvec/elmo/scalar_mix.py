"""Learned scalar mix of the biLM layers: ``gamma * sum_k softmax(s)_k * h_k``.

Mirrors AllenNLP's ``allennlp/modules/scalar_mix.py`` and bilm-tf's ``weight_layers``
(``bilm/elmo.py``): ``mixture_size`` scalars ``s`` (initially 0, so the mix starts as the plain
average) and one ``gamma`` (initially 1). With ``do_layer_norm=True`` each layer is first
normalised with the mean and variance of all its unmasked elements *in the batch*, as in both
originals; this makes the output depend on the other sentences of the batch, so the default is
False.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365, eq. (1).
.. [2] AllenNLP, ``allennlp/modules/scalar_mix.py``.
.. [3] bilm-tf, ``bilm/elmo.py`` (``weight_layers``).
"""

from __future__ import annotations

from simvec.elmo._torch import nn, torch

__all__ = ["ScalarMix"]


class ScalarMix(nn.Module):
    """``gamma * sum_k softmax(s)_k * h_k`` over ``mixture_size`` layers.

    Parameters
    ----------
    mixture_size : int
        Number of layers mixed (``n_layers + 1`` for ELMo: the token layer and each LSTM layer).
    do_layer_norm : bool
        Normalise each layer over the unmasked elements of the batch before mixing (needs
        ``mask``). Batch-dependent, as in the original; default False.
    initial_scalar_parameters : list of float, optional
        Initial ``s`` (default zeros).
    trainable : bool
        Whether ``s`` and ``gamma`` receive gradients.

    Call arguments
    --------------
    tensors : list of torch.Tensor, each (B, T, D)
    mask : torch.BoolTensor (B, T), optional (required with ``do_layer_norm``)

    Returns
    -------
    torch.Tensor, float32, shape (B, T, D)

    Raises
    ------
    ValueError
        Wrong number of tensors, or ``do_layer_norm`` without a mask.

    Examples
    --------
    >>> import torch
    >>> mix = ScalarMix(3)
    >>> mix([torch.ones(1, 2, 4), torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)])[0, 0, 0].item()
    0.3333333432674408
    """

    def __init__(self, mixture_size: int, do_layer_norm: bool = False,
                 initial_scalar_parameters=None, trainable: bool = True):
        super().__init__()
        self.mixture_size = int(mixture_size)
        self.do_layer_norm = bool(do_layer_norm)
        init = [0.0] * self.mixture_size if initial_scalar_parameters is None else list(
            initial_scalar_parameters)
        if len(init) != self.mixture_size:
            raise ValueError(
                f"initial_scalar_parameters has {len(init)} values, mixture_size is "
                f"{self.mixture_size}"
            )
        self.scalar_parameters = nn.Parameter(torch.tensor(init, dtype=torch.float32),
                                              requires_grad=trainable)
        self.gamma = nn.Parameter(torch.tensor([1.0]), requires_grad=trainable)

    def forward(self, tensors, mask=None):
        if len(tensors) != self.mixture_size:
            raise ValueError(f"ScalarMix expects {self.mixture_size} tensors, got {len(tensors)}")
        weights = torch.softmax(self.scalar_parameters, dim=0)
        if self.do_layer_norm:
            if mask is None:
                raise ValueError("do_layer_norm=True needs the mask")
            m = mask.unsqueeze(-1).to(tensors[0].dtype)
            n = m.sum() * tensors[0].shape[-1]
            normed = []
            for t in tensors:
                mean = (t * m).sum() / n
                var = (((t * m) - mean) * m).pow(2).sum() / n
                normed.append((t - mean) / torch.sqrt(var + 1e-12))
            tensors = normed
        out = weights[0] * tensors[0]
        for w, t in zip(weights[1:], tensors[1:]):
            out = out + w * t
        return self.gamma * out
