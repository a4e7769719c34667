"""A bounded cache of a frozen biLM's per-sentence activations (training on frozen ELMo).

When the biLM is frozen, its activations for a sentence never change, yet a classifier that
mixes them (the learned scalar mix, the head) sees every training sentence once per epoch.
bilm-tf's answer is to dump the activations to HDF5 once (``dump_bilm_embeddings``); this cache
does the same in memory, on the fly: the first time a sentence is met its activations are
computed and kept (up to a byte budget), afterwards they are looked up.

Sentences are keyed by a 128-bit BLAKE2b digest of their character ids *without* padding, so a
sentence is found again whatever batch (and padding length) it comes in. Entries hold the
character-CNN embeddings ``(n + 2, P)`` and the LSTM layers ``(L, n + 2, 2P)`` of the ``n``
tokens plus ``<S>`` and ``</S>``: ``(n + 2) * (2L + 1) * P`` floats, 4 bytes each (20 KiB
for a 10-token sentence of the original 2x4096_512 model, 5 KiB for P = 128). The outputs are
the biLM's (:meth:`simvec.elmo.bilm.ElmoBiLm.forward`), so :class:`simvec.elmo.Elmo` mixes and
strips them exactly as without the cache (tested equal to 1e-5).

The cache is bypassed (:meth:`SentenceCache.usable`) when the biLM carries LSTM states
between batches (``stateful``), when any biLM parameter requires a gradient (fine-tuning), or
when a row's padding is not all at its end.
"""

from __future__ import annotations

import hashlib

from simvec.elmo._torch import torch

__all__ = ["SentenceCache"]


class SentenceCache:
    """Per-sentence biLM activations, kept up to ``max_bytes``.

    Parameters
    ----------
    max_bytes : int
        Budget for the stored tensors; once full, new sentences are computed but not kept.

    Attributes
    ----------
    hits, misses : int
        Sentences served from the cache and sentences computed (since the last :meth:`clear`).
    nbytes : int
        Bytes held.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = int(max_bytes)
        self._entries: dict[bytes, tuple[torch.Tensor, torch.Tensor]] = {}
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        self._entries.clear()
        self.nbytes = self.hits = self.misses = 0

    @staticmethod
    def usable(bilm, char_ids: torch.Tensor) -> bool:
        """Whether ``bilm``'s output on ``char_ids`` may come from (and go to) the cache."""
        if bilm.stateful or any(p.requires_grad for p in bilm.parameters()):
            return False
        valid = (char_ids > 0).any(dim=-1).to(torch.int8)
        return bool((valid[:, 1:] <= valid[:, :-1]).all())  # padding only at the end

    def __call__(self, bilm, char_ids: torch.Tensor) -> dict:
        """``bilm(char_ids)`` with cached sentences looked up: the same dict of
        ``activations`` (list of ``L + 1`` tensors ``(B, T + 2, 2P)``), ``token_embedding``
        ``(B, T + 2, P)`` and ``mask`` ``(B, T + 2)``."""
        B, T = char_ids.shape[:2]
        lengths = (char_ids > 0).any(dim=-1).sum(dim=1).tolist()
        host = char_ids.detach().to("cpu", torch.int64).numpy()
        keys = [hashlib.blake2b(host[i, :n].tobytes(), digest_size=16).digest()
                for i, n in enumerate(lengths)]
        first: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            if k not in self._entries and k not in first:
                first[k] = i
        fresh: dict[bytes, tuple[torch.Tensor, torch.Tensor]] = {}
        if first:
            rows = list(first.values())
            width = max(1, max(lengths[i] for i in rows))
            with torch.no_grad():
                out = bilm(char_ids[rows, :width])
            lstm = torch.stack(out["activations"][1:])  # (L, R, width + 2, 2P)
            for r, (k, i) in enumerate(first.items()):
                n = lengths[i] + 2
                entry = (out["token_embedding"][r, :n].clone(), lstm[:, r, :n].clone())
                fresh[k] = entry
                size = sum(t.numel() * t.element_size() for t in entry)
                if self.nbytes + size <= self.max_bytes:
                    self._entries[k] = entry
                    self.nbytes += size
        self.misses += len(first)
        self.hits += B - len(first)  # every other row: cached, or a repeat within the batch
        emb0, lstm0 = (fresh.get(keys[0]) or self._entries[keys[0]])
        P, L, D = emb0.shape[-1], lstm0.shape[0], lstm0.shape[-1]
        dev, dtype = emb0.device, emb0.dtype
        emb = torch.zeros(B, T + 2, P, device=dev, dtype=dtype)
        layers = torch.zeros(L, B, T + 2, D, device=dev, dtype=dtype)
        mask = torch.zeros(B, T + 2, dtype=torch.bool, device=dev)
        for i, k in enumerate(keys):
            e, h = fresh.get(k) or self._entries[k]
            n = e.shape[0]
            emb[i, :n] = e
            layers[:, i, :n] = h
            mask[i, :n] = True
        token_layer = torch.cat([emb, emb], dim=-1)
        return {"activations": [token_layer] + list(layers.unbind(0)),
                "token_embedding": emb, "mask": mask}
