"""numba kernels of word2vec training: CBOW and skip-gram with negative sampling (the hot loop).

One call trains one *job*: a contiguous run of sentences of the id-encoded corpus. Kernels are
``nogil``, so :class:`simvec.word2vec.model.Word2Vec` runs ``workers`` Python threads that call
them concurrently on the shared weight matrices without locks (Hogwild, Recht et al. 2011), as
word2vec.c and gensim do.

The update rules are word2vec.c's (Mikolov et al. 2013) as gensim implements them
(``word2vec_inner.pyx``): per position a reduced window ``b`` drawn uniformly from
``[1, window]``; subsampling before windowing; CBOW averages the context (``cbow_mean=1``) and
adds the whole input-gradient to every context word; skip-gram trains the pair (context word's
input vector -> centre word). The sigmoid comes from a 1000-entry table over ``[-6, 6]``; outside
it the example is skipped, as gensim does (word2vec.c applies ``g = (label - 1) * alpha``
instead; on the 42M-word benchmark the two gave the same quality). The loss
``-log sigmoid(+-f)`` is accumulated exactly in float64 per job, saturated examples included.

Random numbers: word2vec.c's 64-bit LCG ``r = r * 25214903917 + 11`` (wrapping int64), bits
16..47 as a 32-bit draw. Every job is seeded from ``(seed, epoch, job)``, so runs with the same
seed and ``workers=1`` are bit-identical.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["train_job", "job_seed", "EXP_TABLE", "MAX_EXP"]

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000
_x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) / EXP_TABLE_SIZE * 2.0 - 1.0) * MAX_EXP
EXP_TABLE = (1.0 / (1.0 + np.exp(-_x))).astype(np.float32)  # sigmoid at the bin's left edge
del _x

_MASK32 = 0xFFFFFFFF
_MUL = 25214903917


def job_seed(seed: int, epoch: int, job: int) -> int:
    """Deterministic 63-bit seed of one job (SplitMix64 of the three numbers)."""
    z = (seed * 0x9E3779B97F4A7C15 + epoch * 0xBF58476D1CE4E5B9 + job * 0x94D049BB133111EB + 1)
    z &= (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & ((1 << 64) - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & ((1 << 64) - 1)
    z ^= z >> 31
    return z & ((1 << 63) - 1)


@njit(nogil=True, fastmath=True, inline="always", cache=True)
def _next(r):
    return r * _MUL + 11


@njit(nogil=True, fastmath=True, inline="always", cache=True)
def _r32(r):
    return (r >> 16) & _MASK32


@njit(nogil=True, fastmath=True, inline="always", cache=True)
def _noise_word(r, V, noise_thr, noise_alias):
    """(new random state, a word drawn from the noise distribution by its alias table)."""
    r = _next(r)
    idx = (_r32(r) * V) >> 32
    r = _next(r)
    return r, (idx if _r32(r) < noise_thr[idx] else noise_alias[idx])


@njit(nogil=True, fastmath=True, inline="always", cache=True)
def _grad(f, label, alpha, table):
    """(g, loss) for a dot product ``f`` and label 1 / 0."""
    if f >= MAX_EXP or f <= -MAX_EXP:
        s = label  # saturated: no update (gensim); the loss below is still exact
    else:
        s = table[int((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2.0))]
    # exact loss: -log sigmoid(f) for label 1, -log sigmoid(-f) for label 0
    x = f if label > 0.5 else -f
    if x > 0:
        loss = math.log1p(math.exp(-x))
    else:
        loss = -x + math.log1p(math.exp(x))
    return np.float32((label - s) * alpha), loss


@njit(nogil=True, fastmath=True, cache=True)
def train_job(ids, starts, s_begin, s_end, syn0, syn1, sample_int, use_sample, noise_thr,
              noise_alias, sg, shared, window, negative, alpha0, alpha1, job_words, seed,
              compute_loss, table):
    """Train sentences ``[s_begin, s_end)`` of the encoded corpus; return (loss, words, examples).

    Parameters
    ----------
    ids : int32 (n_tokens,)            encoded corpus (in-vocabulary tokens only)
    starts : int64 (n_sentences + 1,)  sentence boundaries into ``ids``
    s_begin, s_end : int               the job's sentences
    syn0, syn1 : float32 (V, d)        input and output weights, updated in place
    sample_int : int64 (V,)            keep occurrence when ``sample_int[w] >= rand32``
    use_sample : bool                  subsampling on
    noise_thr : int64 (V,), noise_alias : int32 (V,)  alias table of the noise distribution
    sg : bool                          skip-gram (else CBOW mean)
    shared : bool                      skip-gram only: one set of noise words per centre word,
                                       shared by its whole window, output rows updated once per
                                       window (HogBatch-style minibatch, Ji et al. 2016)
    window, negative : int
    alpha0, alpha1 : float             learning rate at the job's first and last word
    job_words : int                    in-vocabulary words of the job (for the alpha schedule)
    seed : int64                       the job's random state
    compute_loss : bool
    table : float32 (1000,)            sigmoid table

    Returns
    -------
    loss : float64        sum of -log sigmoid over all (positive and negative) examples
    words : int64         in-vocabulary words processed (before subsampling)
    examples : int64      positive examples trained (CBOW: centre words; skip-gram: pairs)
    """
    V, d = syn0.shape
    r = np.int64(seed)
    maxlen = 0
    for s in range(s_begin, s_end):
        n = starts[s + 1] - starts[s]
        if n > maxlen:
            maxlen = n
    buf = np.empty(maxlen, dtype=np.int32)
    neu1 = np.empty(d, dtype=np.float32)
    work = np.empty(d, dtype=np.float32)
    negs = np.empty(negative + 1, dtype=np.int32)
    gout = np.empty((negative + 1, d), dtype=np.float32)
    loss = 0.0
    done = 0
    examples = 0
    span = alpha1 - alpha0
    for s in range(s_begin, s_end):
        a = starts[s]
        b = starts[s + 1]
        alpha = alpha0 + span * (done / job_words) if job_words > 0 else alpha0
        # subsample (before windowing, as word2vec.c)
        n = 0
        for p in range(a, b):
            w = ids[p]
            if use_sample:
                r = _next(r)
                if sample_int[w] < _r32(r):
                    continue
            buf[n] = w
            n += 1
        done += b - a
        for i in range(n):
            r = _next(r)
            reduced = _r32(r) % window
            eff = window - reduced
            lo = max(0, i - eff)
            hi = min(n, i + eff + 1)
            centre = buf[i]
            if sg and shared:
                negs[0] = centre
                m = 1
                for t in range(negative):
                    r, target = _noise_word(r, V, noise_thr, noise_alias)
                    if target != centre:
                        negs[m] = target
                        m += 1
                for t in range(m):
                    for k in range(d):
                        gout[t, k] = 0.0
                for j in range(lo, hi):
                    if j == i:
                        continue
                    ctx = buf[j]
                    for k in range(d):
                        work[k] = 0.0
                    for t in range(m):
                        target = negs[t]
                        label = 1.0 if t == 0 else 0.0
                        f = np.float32(0.0)
                        for k in range(d):
                            f += syn0[ctx, k] * syn1[target, k]
                        g, l = _grad(f, label, alpha, table)
                        if compute_loss:
                            loss += l
                        if g == 0.0:
                            continue
                        for k in range(d):
                            work[k] += g * syn1[target, k]
                            gout[t, k] += g * syn0[ctx, k]
                    for k in range(d):
                        syn0[ctx, k] += work[k]
                    examples += 1
                for t in range(m):
                    target = negs[t]
                    for k in range(d):
                        syn1[target, k] += gout[t, k]
            elif sg:
                for j in range(lo, hi):
                    if j == i:
                        continue
                    ctx = buf[j]
                    for k in range(d):
                        work[k] = 0.0
                    for t in range(negative + 1):
                        if t == 0:
                            target = centre
                            label = 1.0
                        else:
                            r, target = _noise_word(r, V, noise_thr, noise_alias)
                            if target == centre:
                                continue
                            label = 0.0
                        f = np.float32(0.0)
                        for k in range(d):
                            f += syn0[ctx, k] * syn1[target, k]
                        g, l = _grad(f, label, alpha, table)
                        if compute_loss:
                            loss += l
                        if g == 0.0:
                            continue
                        for k in range(d):
                            work[k] += g * syn1[target, k]
                            syn1[target, k] += g * syn0[ctx, k]
                    for k in range(d):
                        syn0[ctx, k] += work[k]
                    examples += 1
            else:
                count = 0
                for k in range(d):
                    neu1[k] = 0.0
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            neu1[k] += syn0[c, k]
                        count += 1
                if count == 0:
                    continue
                inv = np.float32(1.0 / count)
                for k in range(d):
                    neu1[k] *= inv
                    work[k] = 0.0
                for t in range(negative + 1):
                    if t == 0:
                        target = centre
                        label = 1.0
                    else:
                        r, target = _noise_word(r, V, noise_thr, noise_alias)
                        if target == centre:
                            continue
                        label = 0.0
                    f = np.float32(0.0)
                    for k in range(d):
                        f += neu1[k] * syn1[target, k]
                    g, l = _grad(f, label, alpha, table)
                    if compute_loss:
                        loss += l
                    if g == 0.0:
                        continue
                    for k in range(d):
                        work[k] += g * syn1[target, k]
                        syn1[target, k] += g * neu1[k]
                for j in range(lo, hi):
                    if j != i:
                        c = buf[j]
                        for k in range(d):
                            syn0[c, k] += work[k]
                examples += 1
    return loss, done, examples
