"""Numba kernels behind :mod:`simvec.vectors._files`: parse and format vector files as raw bytes.

Nothing here touches files or Python strings; every kernel takes ``uint8`` buffers and int64
offsets and is compiled with ``@njit(nogil=True, cache=True)`` (the compile is cached on disk,
so only the first call in a fresh environment pays it); the row parser and formatter run in
parallel over rows (``prange``). Newlines are found with plain numpy, which is faster here.

Float parsing is exact. A token ``[+-]digits[.digits][(e|E)[+-]digits]`` is read as an integer
mantissa ``m`` (at most 18 significant digits, int64) and a decimal exponent ``q``. When
``m < 2**53`` and ``|q| <= 22`` both ``m`` and ``10**|q|`` are exact float64 values, so the one
IEEE multiplication or division ``m * 10**q`` / ``m / 10**-q`` is correctly rounded (Clinger's
fast path); casting that float64 to float32 then gives exactly ``np.float32(float(token))``.
Any other token (more digits, larger exponents, ``nan``, ``inf``, ``1_0``, junk) is not guessed
at: its line is flagged :data:`PYTHON` and the caller re-parses that line with Python's
``float()``, which either gives the value or raises the error the caller reports.

Float formatting (the writers) picks, for each float32, the fewest significant digits ``p`` (1 to
9) whose nearest decimal converts back to the same float32, verified with the exact fast path
above, and lays the digits out like Python's ``repr`` (positional for exponents -4..15,
otherwise ``1.5e-05``). Values too small or large for the verifying fast path use 9 digits,
which always round-trip a float32.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = [
    "OK",
    "BLANK",
    "PYTHON",
    "COUNT",
    "dynamic_chunks",
    "find_newlines",
    "blank_rows",
    "parse_text_rows",
    "gather_keys",
    "scan_binary",
    "copy_binary",
    "format_text_rows",
]

#: Row status codes written by :func:`parse_text_rows`.
OK, BLANK, PYTHON, COUNT = 0, 1, 2, 3

# 10**0 .. 10**22 are exact in float64 (5**22 < 2**53); float(int) rounds correctly.
_POW10 = np.array([float(10**i) for i in range(23)], dtype=np.float64)
_INT_POW10 = np.array([10**i for i in range(19)], dtype=np.int64)
_TWO53 = 2**53
_SPACE, _TAB, _NL, _CR = 32, 9, 10, 13


def dynamic_chunks(rows: int = 4096):
    """Context manager: ``prange`` loops hand out ``rows`` iterations at a time, so a thread
    slowed by other load on a shared machine does not hold up the others (numba's default
    splits the range evenly up front)."""
    import numba

    return numba.parallel_chunksize(rows)


def find_newlines(buf, start, max_count):
    """Offsets of the first ``max_count`` (all if negative) ``\\n`` bytes in ``buf[start:]``.

    Plain numpy over growing chunks (a vectorised compare beats a byte loop here), stopping
    early once ``max_count`` are found. Returns int64, ascending.
    """
    n = buf.shape[0]
    step = 1 << 20 if max_count >= 0 else 8 << 20
    parts, found, a = [], 0, start
    while a < n and (max_count < 0 or found < max_count):
        hits = np.flatnonzero(buf[a : a + step] == _NL)
        hits += a
        parts.append(hits)
        found += hits.shape[0]
        a += step
        step = min(step * 2, 8 << 20)
    out = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return out[:max_count] if max_count >= 0 else out


@njit(nogil=True, cache=True)
def blank_rows(buf, starts, ends):
    """True for each line ``buf[starts[r]:ends[r]]`` made only of spaces, tabs and ``\r``.

    Serial and linear in the bytes it looks at (a non-blank line is decided by its first byte
    that is not white space), so a file of a million blank lines costs one pass, not one
    parallel launch per line. Returns bool (n_rows,).
    """
    n = starts.shape[0]
    out = np.empty(n, dtype=np.bool_)
    for r in range(n):
        blank = True
        for i in range(starts[r], ends[r]):
            c = buf[i]
            if c != _SPACE and c != _TAB and c != _CR:
                blank = False
                break
        out[r] = blank
    return out


@njit(nogil=True, cache=True, inline="always")
def _is_sep(c):
    return c == _SPACE or c == _TAB


@njit(nogil=True, cache=True, inline="always")
def _parse_float(buf, j, e):
    """Parse the token at ``buf[j:]`` up to a separator or ``e``.

    Returns ``(value, end, code)``: code 0 = exact value, 1 = a number outside the exact fast
    path, 2 = not in the fast grammar (Python's ``float()`` must decide).
    """
    neg = False
    c = buf[j]
    if c == 45:
        neg = True
        j += 1
    elif c == 43:
        j += 1
    m = 0
    nd = 0  # significant digits kept in m
    ndig = 0  # mantissa digits seen
    q = 0
    exact = True
    while j < e:
        c = buf[j]
        if c < 48 or c > 57:
            break
        d = c - 48
        ndig += 1
        if m == 0 and d == 0:
            pass
        elif nd < 18:
            m = m * 10 + d
            nd += 1
        else:
            q += 1
            if d != 0:
                exact = False
        j += 1
    if j < e and buf[j] == 46:
        j += 1
        while j < e:
            c = buf[j]
            if c < 48 or c > 57:
                break
            d = c - 48
            ndig += 1
            if m == 0 and d == 0:
                q -= 1
            elif nd < 18:
                m = m * 10 + d
                nd += 1
                q -= 1
            elif d != 0:
                exact = False
            j += 1
    if ndig == 0:
        return 0.0, j, 2
    if j < e and (buf[j] == 101 or buf[j] == 69):
        j += 1
        eneg = False
        if j < e and (buf[j] == 45 or buf[j] == 43):
            eneg = buf[j] == 45
            j += 1
        ed = 0
        ev = 0
        while j < e:
            c = buf[j]
            if c < 48 or c > 57:
                break
            if ev < 100000:
                ev = ev * 10 + (c - 48)
            ed += 1
            j += 1
        if ed == 0:
            return 0.0, j, 2
        q += -ev if eneg else ev
    if j < e and not _is_sep(buf[j]):
        return 0.0, j, 2
    if m == 0:
        v = 0.0
    elif not exact or m >= _TWO53 or q > 22 or q < -22:
        return 0.0, j, 1
    elif q >= 0:
        v = m * _POW10[q]
    else:
        v = m / _POW10[-q]
    if neg:
        v = -v
    return v, j, 0


@njit(nogil=True, cache=True, inline="always")
def _parse_float_fast(buf, j, e):
    """:func:`_parse_float` for the common token (at most 18 mantissa digits): no per-digit
    bookkeeping; anything else is handed to :func:`_parse_float`."""
    s0 = j
    neg = False
    c = buf[j]
    if c == 45:
        neg = True
        j += 1
    elif c == 43:
        j += 1
    m = 0
    i0 = j
    while j < e:
        dd = np.int64(buf[j]) - 48
        if dd < 0 or dd > 9:
            break
        m = m * 10 + dd
        j += 1
    ndig = j - i0
    q = 0
    if j < e and buf[j] == 46:
        j += 1
        f0 = j
        while j < e:
            dd = np.int64(buf[j]) - 48
            if dd < 0 or dd > 9:
                break
            m = m * 10 + dd
            j += 1
        ndig += j - f0
        q = f0 - j
    if ndig > 18 or ndig == 0:
        return _parse_float(buf, s0, e)
    if j < e and (buf[j] == 101 or buf[j] == 69):
        j += 1
        eneg = False
        if j < e and (buf[j] == 45 or buf[j] == 43):
            eneg = buf[j] == 45
            j += 1
        e0 = j
        ev = 0
        while j < e:
            dd = np.int64(buf[j]) - 48
            if dd < 0 or dd > 9:
                break
            ev = ev * 10 + dd
            j += 1
        if j == e0 or j - e0 > 4:
            return _parse_float(buf, s0, e)
        q += -ev if eneg else ev
    if j < e and not _is_sep(buf[j]):
        return 0.0, j, 2
    if m == 0:
        v = 0.0
    elif m >= _TWO53 or q > 22 or q < -22:
        return _parse_float(buf, s0, e)
    elif q >= 0:
        v = m * _POW10[q]
    else:
        v = m / _POW10[-q]
    if neg:
        v = -v
    return v, j, 0


@njit(nogil=True, cache=True, parallel=True)
def parse_text_rows(buf, starts, ends, d, out, wend, status, nvals):
    """Parse text rows ``key v1 ... vd`` in parallel.

    Parameters
    ----------
    buf : uint8 (n_bytes,)
    starts, ends : int64 (n_rows,)
        Byte range of each line, ``ends`` excluding the ``\\n``.
    d : int
        Expected number of values per row.
    out : float32 (n_rows, d)
        Receives the values of rows whose status is :data:`OK`.
    wend, status, nvals : int64 / int8 / int64 (n_rows,)
        Receive the end offset of each key, the row status (:data:`OK`, :data:`BLANK`,
        :data:`PYTHON`, :data:`COUNT`) and the number of value tokens seen.
    """
    n = starts.shape[0]
    for r in prange(n):
        s = starts[r]
        e = ends[r]
        while e > s and (buf[e - 1] == _SPACE or buf[e - 1] == _TAB or buf[e - 1] == _CR):
            e -= 1
        if e == s:
            status[r] = BLANK
            wend[r] = s
            nvals[r] = 0
            continue
        j = s
        while j < e and not _is_sep(buf[j]):
            j += 1
        wend[r] = j
        unusual = j == s  # empty key
        col = 0
        while True:
            while j < e and _is_sep(buf[j]):
                j += 1
            if j >= e:
                break
            if col < d:
                v, j, code = _parse_float_fast(buf, j, e)
                if code == 0:
                    out[r, col] = np.float32(v)
                else:
                    unusual = True
            while j < e and not _is_sep(buf[j]):
                j += 1
            col += 1
        nvals[r] = col
        if col != d:
            status[r] = COUNT
        elif unusual:
            status[r] = PYTHON
        else:
            status[r] = OK


@njit(nogil=True, cache=True)
def gather_keys(buf, starts, wend):
    """The key bytes of every row joined by ``\\n`` (uint8), for one bulk decode."""
    n = starts.shape[0]
    total = n
    for r in range(n):
        total += wend[r] - starts[r]
    blob = np.empty(max(total - 1, 0), dtype=np.uint8)
    k = 0
    for r in range(n):
        if r > 0:
            blob[k] = _NL
            k += 1
        for i in range(starts[r], wend[r]):
            blob[k] = buf[i]
            k += 1
    return blob


@njit(nogil=True, cache=True)
def scan_binary(buf, pos, n, d):
    """Locate ``n`` word2vec binary records ``key<space><d float32>[\\n]`` from ``pos``.

    Returns ``(n_done, pos, starts, wend, voff, code)``; code 0 = all ``n`` found, 1 = the data
    ended cleanly before record ``n_done``, 2 = record ``n_done`` is cut off, 3 = record
    ``n_done`` has an empty key, 4 = record ``n_done``'s key holds a ``\n`` (a binary file
    whose line endings were converted to CRLF reads so).
    """
    size = buf.shape[0]
    nbytes = 4 * d
    starts = np.empty(n, dtype=np.int64)
    wend = np.empty(n, dtype=np.int64)
    voff = np.empty(n, dtype=np.int64)
    r = 0
    while r < n:
        while pos < size and buf[pos] == _NL:
            pos += 1
        if pos >= size:
            return r, pos, starts, wend, voff, 1
        s = pos
        newline = False
        while pos < size and buf[pos] != _SPACE:
            if buf[pos] == _NL:
                newline = True
            pos += 1
        if pos >= size:
            return r, s, starts, wend, voff, 2
        if pos == s:
            return r, s, starts, wend, voff, 3
        if newline:
            return r, s, starts, wend, voff, 4
        starts[r] = s
        wend[r] = pos
        pos += 1
        if pos + nbytes > size:
            return r, s, starts, wend, voff, 2
        voff[r] = pos
        pos += nbytes
        r += 1
    return r, pos, starts, wend, voff, 0


@njit(nogil=True, cache=True)
def copy_binary(buf, voff, out_bytes):
    """Copy the vector bytes of each record (``voff``) into the rows of ``out_bytes`` (uint8)."""
    w = out_bytes.shape[1]
    for r in range(voff.shape[0]):
        o = voff[r]
        for b in range(w):
            out_bytes[r, b] = buf[o + b]


# ---------------------------------------------------------------------------- writing


@njit(nogil=True, cache=True, inline="always")
def _scaled(a, k):
    """``a * 10**k`` in float64 (exact table up to |k| = 22, chained beyond)."""
    while k > 22:
        a *= _POW10[22]
        k -= 22
    while k < -22:
        a /= _POW10[22]
        k += 22
    if k >= 0:
        return a * _POW10[k]
    return a / _POW10[-k]


@njit(nogil=True, cache=True)
def _digits(v):
    """Shortest round-trip digits of the finite, non-zero float32 ``v``: ``(m, p, e10)``.

    ``|v|`` is ``m`` (``p`` digits, no trailing zeros) times ``10**(e10 - p + 1)``.
    """
    a = abs(np.float64(v))
    target = abs(v)
    e10 = int(math.floor(math.log10(a)))
    if _scaled(1.0, e10) > a:
        e10 -= 1
    elif _scaled(1.0, e10 + 1) <= a:
        e10 += 1
    p = 9
    m = np.int64(np.rint(_scaled(a, 8 - e10)))  # 9 digits always round-trip a float32
    if m < _INT_POW10[8]:  # e10 overestimated (inexact powers far from 1): one digit more
        e10 -= 1
        m = np.int64(np.rint(_scaled(a, 8 - e10)))
    for pp in range(1, 9):
        k = pp - 1 - e10
        if k > 22 or k < -22:
            continue  # outside the verifiable range: keep 9 digits
        mm = np.int64(np.rint(_scaled(a, k)))
        back = mm / _POW10[k] if k >= 0 else mm * _POW10[-k]
        if np.float32(back) == target:
            m = mm
            p = pp
            break
    if m >= _INT_POW10[p]:  # rounding carried into a new digit: 9.99.. -> 10.0
        m //= 10
        e10 += 1
    while p > 1 and m % 10 == 0:
        m //= 10
        p -= 1
    return m, p, e10


@njit(nogil=True, cache=True, inline="always")
def _put(out, k, s):
    for i in range(len(s)):
        out[k + i] = ord(s[i])
    return k + len(s)


@njit(nogil=True, cache=True)
def _write_float(out, k, v):
    """Write float32 ``v`` at ``out[k:]`` like Python's ``repr``; returns the new offset."""
    if v != v:
        return _put(out, k, "nan")
    if v == np.inf:
        return _put(out, k, "inf")
    if v == -np.inf:
        return _put(out, k, "-inf")
    if v < 0 or (v == 0 and np.signbit(v)):
        out[k] = 45
        k += 1
    if v == 0:
        return _put(out, k, "0.0")
    m, p, e10 = _digits(v)
    dig = np.empty(9, dtype=np.uint8)
    for i in range(p):
        dig[p - 1 - i] = 48 + m % 10
        m //= 10
    if -4 <= e10 < 16:
        if e10 < 0:
            k = _put(out, k, "0.")
            for _ in range(-e10 - 1):
                out[k] = 48
                k += 1
            for i in range(p):
                out[k] = dig[i]
                k += 1
        else:
            for i in range(e10 + 1):
                out[k] = dig[i] if i < p else 48
                k += 1
            out[k] = 46
            k += 1
            if p > e10 + 1:
                for i in range(e10 + 1, p):
                    out[k] = dig[i]
                    k += 1
            else:
                out[k] = 48
                k += 1
    else:
        out[k] = dig[0]
        k += 1
        if p > 1:
            out[k] = 46
            k += 1
            for i in range(1, p):
                out[k] = dig[i]
                k += 1
        out[k] = 101
        out[k + 1] = 45 if e10 < 0 else 43
        k += 2
        ae = abs(e10)
        if ae >= 100:
            out[k] = 48 + ae // 100
            k += 1
        out[k] = 48 + (ae // 10) % 10
        out[k + 1] = 48 + ae % 10
        k += 2
    return k


_MAX_FLOAT_CHARS = 24


@njit(nogil=True, cache=True, parallel=True)
def format_text_rows(vectors, keys, key_offsets):
    """Format rows as ``key v1 ... vd\\n`` text (uint8).

    Parameters
    ----------
    vectors : float32 (n, d)
    keys : uint8
        UTF-8 key bytes, concatenated.
    key_offsets : int64 (n + 1,)
        Row ``r``'s key is ``keys[key_offsets[r]:key_offsets[r + 1]]``.
    """
    n, d = vectors.shape
    maxkey = 0
    for r in range(n):
        maxkey = max(maxkey, key_offsets[r + 1] - key_offsets[r])
    slot = maxkey + 2 + d * _MAX_FLOAT_CHARS
    scratch = np.empty(n * slot, dtype=np.uint8)
    lengths = np.empty(n, dtype=np.int64)
    for r in prange(n):
        base = r * slot
        k = base
        for i in range(key_offsets[r], key_offsets[r + 1]):
            scratch[k] = keys[i]
            k += 1
        for c in range(d):
            scratch[k] = _SPACE
            k = _write_float(scratch, k + 1, vectors[r, c])
        scratch[k] = _NL
        lengths[r] = k + 1 - base
    total = 0
    for r in range(n):
        total += lengths[r]
    out = np.empty(total, dtype=np.uint8)
    k = 0
    for r in range(n):
        base = r * slot
        for i in range(lengths[r]):
            out[k + i] = scratch[base + i]
        k += lengths[r]
    return out
