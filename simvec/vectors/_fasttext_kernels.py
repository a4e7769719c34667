"""Numba kernels behind :mod:`simvec.vectors.fasttext`: the dictionary scan and fastText's
character n-gram hashing.

:func:`scan_entries` walks the dictionary entries of a ``.bin`` model (NUL-terminated word, int64
count, int8 type; ``Dictionary::save`` in facebookresearch/fastText ``src/dictionary.cc``) without
trusting the entry count: it stops at the end of the bytes and says where.

A word's subwords are the character n-grams of ``"<" + word + ">"`` (``n`` from ``minn`` to
``maxn``, counted in Unicode characters: a UTF-8 continuation byte ``10xxxxxx`` stays with the
character it continues), except the one-character n-grams ``"<"`` and ``">"``. Each is hashed
with fastText's 32-bit FNV-1a, whose bytes go through a *signed* ``int8`` before the XOR (so a
byte >= 0x80 XORs ``0xFFFFFFxx``), and lands in bucket ``hash % bucket``; its vector is row
``nwords + bucket`` of the model's input matrix.

This mirrors ``Dictionary::computeSubwords`` and ``Dictionary::hash`` in facebookresearch/fastText
``src/dictionary.cc`` (v0.9.2; the comment above ``hash`` explains the signed-char quirk), which
gensim mirrors as ``compute_ngrams_bytes`` and ``ft_hash_bytes`` (``gensim/models/
fasttext_inner.pyx``). Kernels take the raw ``uint8`` bytes of the words (never decoded text),
so a word that is not valid UTF-8 hashes exactly as fastText hashed it. Private: the public API
is :class:`simvec.vectors.fasttext.FastTextKeyedVectors`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["scan_entries", "ngram_ids", "subword_mean", "add_subword_rows"]

_BOW, _EOW = 60, 62  # "<", ">"
_FNV_BASIS = 2166136261
_FNV_PRIME = 16777619
_MASK32 = 0xFFFFFFFF


@njit(nogil=True, cache=True)
def scan_entries(buf, pos, n, starts, ends, counts, types):
    """Locate ``n`` dictionary entries from byte ``pos``.

    Fills ``starts`` / ``ends`` (the word's bytes, NUL excluded), ``counts`` (little-endian
    int64) and ``types`` (the int8 entry type, as uint8) and returns ``(n_done, pos, code)``:
    code 0 = all ``n`` read (``pos`` is just past them), 1 = entry ``n_done``'s word has no NUL
    before the end of the bytes, 2 = its count and type are cut off (``pos`` is where the
    entry or its count starts).
    """
    size = buf.shape[0]
    for i in range(n):
        s = pos
        while pos < size and buf[pos] != 0:
            pos += 1
        if pos >= size:
            return i, s, 1
        starts[i] = s
        ends[i] = pos
        pos += 1
        if pos + 9 > size:
            return i, pos, 2
        c = np.int64(0)
        for k in range(8):
            c |= np.int64(buf[pos + k]) << (8 * k)  # wraps into the sign bit like int64
        counts[i] = c
        types[i] = buf[pos + 8]
        pos += 9
    return n, pos, 0


@njit(nogil=True, cache=True, inline="always")
def _byte(buf, a, length, p):
    """Byte ``p`` of ``"<" + buf[a:a + length] + ">"``."""
    if p == 0:
        return _BOW
    if p == length + 1:
        return _EOW
    return buf[a + p - 1]


@njit(nogil=True, cache=True, inline="always")
def _mix(h, b):
    """One FNV-1a step on a byte read as a signed int8 (int64 arithmetic, kept to 32 bits)."""
    v = np.int64(b)
    if v >= 128:
        v |= 0xFFFFFF00  # uint32(int8(b)) sign-extends
    return ((h ^ v) * _FNV_PRIME) & _MASK32


@njit(nogil=True, cache=True, inline="always")
def _bound(length, maxn):
    """At most this many n-grams: each of the ``length + 2`` starts gives at most
    ``min(maxn, length + 2)`` (a huge ``maxn`` from a damaged header allocates nothing more)."""
    return (length + 2) * max(min(maxn, length + 2), 1)


@njit(nogil=True, cache=True)
def _word_ngrams(buf, a, b, minn, maxn, bucket, out):
    """Write the bucket ids of the n-grams of ``"<" + buf[a:b] + ">"`` into ``out``; their count.

    ``out`` must hold at least :func:`_bound` ids.
    """
    length = b - a
    total = length + 2
    k = 0
    for i in range(total):
        c = _byte(buf, a, length, i)
        if (c & 0xC0) == 0x80:  # a continuation byte starts no character
            continue
        h = np.int64(_FNV_BASIS)
        j = i
        n = 1
        while j < total and n <= maxn:
            h = _mix(h, _byte(buf, a, length, j))
            j += 1
            while j < total and (_byte(buf, a, length, j) & 0xC0) == 0x80:
                h = _mix(h, _byte(buf, a, length, j))
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == total)):
                out[k] = h % bucket
                k += 1
            n += 1
    return k


@njit(nogil=True, cache=True)
def ngram_ids(buf, minn, maxn, bucket):
    """Bucket ids (int64, 0 <= id < bucket) of the subwords of the word ``buf`` (its bytes),
    in fastText's order: by start character, then by length."""
    out = np.empty(_bound(buf.shape[0], maxn), dtype=np.int64)
    k = _word_ngrams(buf, 0, buf.shape[0], minn, maxn, bucket, out)
    return out[:k]


@njit(nogil=True, cache=True)
def _mean_into(buf, a, b, minn, maxn, ngrams, row, own, ids):
    """``row`` <- fastText's mean of ``row`` (if ``own``) and the word's n-gram rows; returns the
    n-gram count. float32 sums in fastText's order (own row first, then the n-grams by start
    and length), then one multiplication by ``float32(1 / count)``: ``FastText::getWordVector``
    (``Vector::addRow``, ``Vector::mul(1.0 / ngrams.size())``), bit for bit. Nothing to average
    leaves zeros."""
    d = ngrams.shape[1]
    k = _word_ngrams(buf, a, b, minn, maxn, ngrams.shape[0], ids)
    acc = np.zeros(d, dtype=np.float32)
    if own:
        for c in range(d):
            acc[c] = row[c]
    for t in range(k):
        r = ids[t]
        for c in range(d):
            acc[c] += ngrams[r, c]
    m = k + (1 if own else 0)
    scale = np.float32(1.0 / m) if m > 0 else np.float32(0.0)
    for c in range(d):
        row[c] = acc[c] * scale
    return k


@njit(nogil=True, cache=True)
def subword_mean(buf, minn, maxn, ngrams, row):
    """``row`` (float32 (d,)) <- the mean of the n-gram rows of the word ``buf`` (its bytes);
    returns the n-gram count (0: ``row`` is zero)."""
    ids = np.empty(_bound(buf.shape[0], maxn), dtype=np.int64)
    return _mean_into(buf, 0, buf.shape[0], minn, maxn, ngrams, row, False, ids)


@njit(nogil=True, cache=True, parallel=True)
def add_subword_rows(buf, starts, ends, minn, maxn, ngrams, out, own, counts):
    """Average each word's subword rows (and its own row) into ``out`` in place, in parallel.

    Parameters
    ----------
    buf : uint8 array
        Bytes holding the words.
    starts, ends : int64 arrays (n,)
        Word ``i`` is ``buf[starts[i]:ends[i]]``.
    minn, maxn : int
    ngrams : float32 array (bucket, d)
        The n-gram rows of the input matrix (bucket >= 1).
    out : float32 array (n, d)
        In: the words' own rows (used when ``own``); out: fastText's vectors (see
        :func:`_mean_into`).
    own : bool
        Include ``out[i]`` in the mean (fastText's vector of an in-vocabulary word).
    counts : int64 array (n,)
        Out: the number of n-grams of each word (repeats counted, as fastText does).
    """
    for i in prange(starts.shape[0]):
        ids = np.empty(_bound(ends[i] - starts[i], maxn), dtype=np.int64)
        counts[i] = _mean_into(buf, starts[i], ends[i], minn, maxn, ngrams, out[i], own, ids)
