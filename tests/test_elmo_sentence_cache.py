"""The frozen-biLM sentence cache: same outputs as the biLM, hits, budget, and when it steps aside."""

from __future__ import annotations

import pytest

from conftest import data_path, importorskip

torch = importorskip("torch")
importorskip("h5py")

from simvec.elmo.chars import batch_to_ids  # noqa: E402
from simvec.elmo.embedder import Elmo  # noqa: E402
from simvec.elmo.sentence_cache import SentenceCache  # noqa: E402
from simvec.errors import SimvecValueError  # noqa: E402

SENTS = [["The", "cat", "sat", "down"], ["Dogs", "bark"], ["a"],
         ["One", "more", "sentence", "here", "now", "ok"]]
OUTPUTS = ("word_emb", "lstm_outputs1", "lstm_outputs2", "elmo", "default")


def _elmo(**kw):
    f = data_path("elmo", "fixture", "options.json")
    return Elmo(f, data_path("elmo", "fixture", "lm_weights.hdf5"), **kw).eval()


def _same(a, b):
    for k in OUTPUTS:
        torch.testing.assert_close(a[k], b[k], atol=1e-5, rtol=1e-5, msg=k)
    assert torch.equal(a["mask"], b["mask"])


def test_cached_outputs_equal_the_biLM_whatever_the_batch():
    ref, cached = _elmo(), _elmo(sentence_cache_mb=10)
    cache = cached.sentence_cache
    # the same sentences come back in batches of other sizes and paddings
    for batch in (SENTS[:2], SENTS, SENTS[::-1], SENTS[1:3], [SENTS[0], SENTS[0]]):
        ids = batch_to_ids(batch)
        with torch.no_grad():
            _same(ref(ids), cached(ids))
    assert len(cache) == 4 and cache.misses == 4
    assert cache.hits == 2 + 4 + 2 + 2  # every row after its first computation
    assert cache.nbytes == 6720  # measured: the 4 sentences' cached outputs


def test_budget_bounds_what_is_kept():
    cached = _elmo(sentence_cache_mb=1e-6)  # one byte: nothing fits
    ids = batch_to_ids(SENTS)
    with torch.no_grad():
        cached(ids)
        out = cached(ids)
    assert len(cached.sentence_cache) == 0 and cached.sentence_cache.nbytes == 0
    assert cached.sentence_cache.misses == 8 and cached.sentence_cache.hits == 0
    with torch.no_grad():
        _same(_elmo()(ids), out)


def test_cache_steps_aside_when_the_biLM_trains_or_is_stateful():
    ids = batch_to_ids(SENTS)
    tuned = _elmo(sentence_cache_mb=10, requires_grad=True)
    assert not SentenceCache.usable(tuned.bilm, ids)
    tuned(ids)
    assert len(tuned.sentence_cache) == 0
    stateful = _elmo(sentence_cache_mb=10, stateful=True)
    assert not SentenceCache.usable(stateful.bilm, ids)
    frozen = _elmo(sentence_cache_mb=10)
    assert SentenceCache.usable(frozen.bilm, ids)
    assert not SentenceCache.usable(frozen.bilm, ids.flip(1))  # padding first: not a prefix


def test_gradients_reach_the_scalar_mix_through_cached_rows():
    cached = _elmo(sentence_cache_mb=10)
    ids = batch_to_ids(SENTS)
    with torch.no_grad():
        cached(ids)  # fill
    cached.scalar_mix.zero_grad()
    cached(ids)["elmo"].sum().backward()
    assert cached.sentence_cache.hits == 4
    assert cached.scalar_mix.gamma.grad is not None and cached.scalar_mix.gamma.grad != 0


def test_bad_budget():
    with pytest.raises(SimvecValueError, match="sentence_cache_mb"):
        _elmo(sentence_cache_mb=-1)
