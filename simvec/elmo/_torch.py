"""PyTorch for :mod:`simvec.elmo`: ``from simvec.elmo._torch import torch, nn, F``.

Importing this module imports torch, or raises :class:`~simvec.errors.MissingDependencyError`
saying ``pip install 'simvec[elmo]'``.
"""

from __future__ import annotations

from simvec._util import import_optional

__all__ = ["torch", "nn", "F"]

torch = import_optional("torch", extra="elmo", needed_by="simvec.elmo")
nn = torch.nn
F = torch.nn.functional
