"""fastText ``.bin`` models, read natively: word vectors plus vectors for out-of-vocabulary words.

A ``.bin`` model (written by the ``fasttext`` C++ tool / Python package, ``FastText::saveModel``,
and by gensim's ``save_facebook_model``) holds, little-endian, with no padding:

==========  ===========================================================================
bytes       field
==========  ===========================================================================
0-7         int32 magic ``793712314``, int32 version (``12``; ``11`` is read too)
8-63        Args: int32 ``dim ws epoch minCount neg wordNgrams loss model bucket minn
            maxn lrUpdateRate``, float64 ``t``
64-91       Dictionary: int32 ``size nwords nlabels``, int64 ``ntokens pruneidx_size``
92-         ``size`` entries: the word's UTF-8 bytes, a NUL, int64 count, int8 type (0 word,
            1 label; words come first); then ``pruneidx_size`` int32 pairs
then        bool ``quant_input``; the input matrix: int64 ``m``, int64 ``n`` (= dim), then
            ``m x n`` float32, row-major: ``nwords`` word rows, then ``bucket`` n-gram rows
rest        bool ``qout`` and the output matrix (not read)
==========  ===========================================================================

A word's vector is the mean of its own input row and the rows of its character n-grams; an
out-of-vocabulary word gets the mean of its n-gram rows alone (:mod:`._fasttext_kernels` says
which n-grams and how they are hashed). This mirrors ``FastText::getWordVector``
(facebookresearch/fastText ``src/fasttext.cc``), ``Dictionary::getSubwords`` /
``computeSubwords`` (``src/dictionary.cc``), and what gensim's ``load_facebook_vectors`` builds
(``gensim/models/fasttext.py``: ``FastTextKeyedVectors.adjust_vectors`` and ``get_vector``;
the parser is ``gensim/models/_fasttext_bin.py``). One difference from gensim, where gensim
departs from fastText: the end-of-sentence token ``"</s>"``, which fastText gives no n-grams,
keeps its own row as its vector here, as in fastText.

Not supported (a :class:`~simvec.errors.VectorFormatError` says so): quantized models (``.ftz``,
``quant_input`` set: product-quantized rows) and the pre-2017 format without the magic number.
Supervised models load: their labels (``__label__...``) are not vectors of the vocabulary and are
kept apart in :attr:`FastTextKeyedVectors.labels`.

Every size the file states is checked against the bytes that follow before anything is
allocated, and each error names the file and the byte offset of the field that is wrong.
"""

from __future__ import annotations

import logging
import os
import struct
import time

import numpy as np

from simvec._util import check_allocation, normalize_rows
from simvec.errors import (
    OutOfVocabularyError, SimvecFileNotFoundError, SimvecValueError, VectorFormatError,
)
from simvec.vectors import _fasttext_kernels as _k
from simvec.vectors import _io
from simvec.vectors._files import _decode_keys, _dedupe, _warn_nonfinite
from simvec.vectors._parse import gather_keys
from simvec.vectors.keyed import KeyedVectors, _as_list

__all__ = [
    "FASTTEXT_MAGIC", "FASTTEXT_VERSIONS", "FastTextKeyedVectors", "load_fasttext_bin",
    "ngram_hashes",
]

logger = logging.getLogger("simvec.vectors.formats")

#: int32 at byte 0 of every fastText model since 2017 (``FASTTEXT_FILEFORMAT_MAGIC_INT32``).
FASTTEXT_MAGIC = 793712314
#: Model versions read (``FASTTEXT_VERSION`` is 12; 11 differs only for supervised models).
FASTTEXT_VERSIONS = (11, 12)
EOS = "</s>"
_ARG_NAMES = ("dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket",
              "minn", "maxn", "lrUpdateRate", "t")
_ARGS = struct.Struct("<12id")
_DICT = struct.Struct("<iiiqq")
_SUPERVISED = 3  # model_name::sup
_ENTRY_MIN = 10  # NUL + int64 count + int8 type


# ---------------------------------------------------------------------------- subwords
def _word_bytes(word) -> bytes:
    if not isinstance(word, str):
        raise SimvecValueError(f"keys are strings, got {type(word).__name__} {word!r}")
    try:  # surrogateescape gives back the bytes of a key decoded with it
        return word.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise SimvecValueError(f"key {word!r} cannot be encoded as UTF-8") from None


def ngram_hashes(word: str, minn: int, maxn: int, bucket: int) -> list[int]:
    """Bucket numbers of the character n-grams of ``word``, as fastText computes them.

    Parameters
    ----------
    word : str
        Encoded as UTF-8 (``surrogateescape`` restores bytes a key was decoded from).
    minn, maxn : int
        Shortest and longest n-gram, in Unicode characters of ``"<" + word + ">"``.
    bucket : int
        Number of buckets (>= 1); row ``nwords + h`` of the input matrix holds bucket ``h``.

    Returns
    -------
    list of int
        One ``h`` in ``[0, bucket)`` per n-gram, repeats kept, ordered by start character then
        length: ``Dictionary::computeSubwords`` (facebookresearch/fastText ``src/dictionary.cc``),
        equal to gensim's ``ft_ngram_hashes``.

    Raises
    ------
    SimvecValueError
        If ``word`` is not a string, or ``bucket`` < 1.

    Examples
    --------
    >>> ngram_hashes("ab", 3, 3, 2000000)      # "<ab", "ab>"
    [209508, 1241756]
    """
    if isinstance(bucket, bool) or not isinstance(bucket, (int, np.integer)) or bucket < 1:
        raise SimvecValueError(f"bucket must be a positive integer, got {bucket!r}")
    buf = np.frombuffer(_word_bytes(word), dtype=np.uint8)
    return _k.ngram_ids(buf, int(minn), int(maxn), int(bucket)).tolist()


# ---------------------------------------------------------------------------- keyed vectors
class FastTextKeyedVectors(KeyedVectors):
    """Word vectors of a fastText model, with vectors for out-of-vocabulary words.

    Made by :func:`load_fasttext_bin` (``simvec.load("model.bin")``). ``vectors`` are the full
    word vectors of the vocabulary (the mean of each word's own row and its n-gram rows, as
    gensim's ``load_facebook_vectors(...).vectors`` and fastText's ``.vec``); every
    :class:`~simvec.vectors.keyed.KeyedVectors` operation works on them.

    Out-of-vocabulary words: ``get_vector(word)``, ``kv[word]``, ``kv[[...]]``, ``similarity``
    and the positive / negative words of ``most_similar`` use :meth:`subword_vector` for a word
    outside the vocabulary (as gensim's ``FastTextKeyedVectors``; it is excluded from the
    results only when it is in the vocabulary). ``word in kv``, ``len(kv)``, iteration,
    ``get_index``, ``most_similar_batch``, ``most_similar_cosmul``, ``doesnt_match`` and ``rank``
    stay vocabulary-only (gensim's ``in`` says True for every word when there are n-grams).

    Parameters
    ----------
    vectors : array_like, float32, shape (n_words, d)
        Full word vectors of the vocabulary.
    index_to_key : sequence of str, length n_words
    vectors_ngrams : array_like, float32, shape (bucket, d)
        The n-gram rows of the input matrix.
    min_n, max_n : int
        Shortest and longest character n-gram (``minn``, ``maxn``); ``max_n = 0``: no subwords.
    counts : array_like, int64, shape (n_words,), optional
        Corpus frequency of each word.
    labels : sequence of str, optional
        A supervised model's labels (not part of the vocabulary).
    args : dict, optional
        The model's Args block and ``version`` (``dim``, ``ws``, ``epoch``, ``minCount``,
        ``neg``, ``wordNgrams``, ``loss``, ``model``, ``bucket``, ``minn``, ``maxn``,
        ``lrUpdateRate``, ``t``).
    lazy_index : bool

    Attributes
    ----------
    vectors_ngrams : ndarray, float32, shape (bucket, d)
    bucket, min_n, max_n : int
    counts : ndarray, int64, shape (n_words,)
    labels : list of str
    args : dict

    Raises
    ------
    SimvecValueError
        For shapes that disagree (as :class:`KeyedVectors`), or n-gram rows of another width.

    Examples
    --------
    >>> kv = simvec.load("cc.en.300.bin")                        # doctest: +SKIP
    >>> "fasttextish" in kv, kv["fasttextish"].shape              # doctest: +SKIP
    (False, (300,))
    >>> kv.most_similar("fasttextish", topn=1)                    # doctest: +SKIP
    [('fastText', 0.71...)]
    """

    def __init__(self, vectors, index_to_key, vectors_ngrams, *, min_n: int, max_n: int,
                 counts=None, labels=(), args=None, lazy_index: bool = False):
        super().__init__(vectors, index_to_key, lazy_index=lazy_index)
        ngrams = np.asarray(vectors_ngrams, dtype=np.float32)
        if ngrams.ndim != 2 or ngrams.shape[1] != self.vector_size:
            raise SimvecValueError(
                f"vectors_ngrams must have shape (bucket, {self.vector_size}), got {ngrams.shape}")
        self.vectors_ngrams = ngrams
        self.bucket = int(ngrams.shape[0])
        self.min_n, self.max_n = int(min_n), int(max_n)
        n = len(self.index_to_key)
        self.counts = (np.zeros(n, dtype=np.int64) if counts is None
                       else np.asarray(counts, dtype=np.int64))
        if self.counts.shape != (n,):
            raise SimvecValueError(f"counts must have shape ({n},), got {self.counts.shape}")
        self.labels = list(labels)
        self.args = dict(args or {})

    def __repr__(self) -> str:
        return (f"FastTextKeyedVectors({len(self)} keys, vector_size={self.vector_size}, "
                f"bucket={self.bucket}, min_n={self.min_n}, max_n={self.max_n})")

    @property
    def has_subwords(self) -> bool:
        """Whether out-of-vocabulary words get vectors (``max_n > 0`` and ``bucket > 0``)."""
        return self.max_n > 0 and self.bucket > 0

    def subword_vector(self, word: str):
        """The vector fastText builds for ``word`` from its character n-grams alone.

        The mean of the n-gram rows of ``"<" + word + ">"`` (``min_n`` to ``max_n``
        characters; :func:`ngram_hashes`), fastText's ``getWordVector`` for a word outside the
        vocabulary. For a word inside it this is the n-gram part only (its vector in
        ``vectors`` also averages in the word's own row).

        Parameters
        ----------
        word : str

        Returns
        -------
        ndarray, float32, shape (vector_size,), or None
            None when the model has no subwords (``max_n == 0`` or no buckets), when the word
            has no n-gram of ``min_n`` to ``max_n`` characters (``""`` with ``min_n = 3``), and
            for ``"</s>"`` (fastText gives the end-of-sentence token no n-grams).

        Raises
        ------
        SimvecValueError
            If ``word`` is not a string (or holds a lone surrogate UTF-8 cannot encode).
        """
        raw = _word_bytes(word)
        if not self.has_subwords or word == EOS:
            return None
        out = np.zeros(self.vector_size, dtype=np.float32)
        if not _k.subword_mean(np.frombuffer(raw, dtype=np.uint8), self.min_n, self.max_n,
                               self.vectors_ngrams, out):
            return None
        return out

    def get_vector(self, key: str, norm: bool = False) -> np.ndarray:
        """The vector of ``key``, from its n-grams when it is out of vocabulary.

        Returns
        -------
        ndarray, float32, shape (vector_size,)
            The vocabulary's row for a known word, else :meth:`subword_vector` (unit length
            with ``norm=True``).

        Raises
        ------
        OutOfVocabularyError
            (a ``KeyError``) for an out-of-vocabulary word without n-grams (see
            :meth:`subword_vector`); fastText and gensim return a zero vector there, which has
            no direction to compare.
        SimvecValueError
            If ``key`` is not a string.
        """
        if isinstance(key, str) and key in self.key_to_index:
            return super().get_vector(key, norm=norm)
        v = self.subword_vector(key)
        if v is None:
            why = ("the model has no subword vectors (maxn = 0)" if not self.has_subwords
                   else f"it has no character n-gram of {self.min_n} to {self.max_n} characters")
            raise OutOfVocabularyError(key, f"key {key!r} not present in vocabulary, and {why}")
        return normalize_rows(v[None])[0] if norm else v

    def __getitem__(self, key):
        """``kv["word"]`` -> (vector_size,); ``kv[["a", "b"]]`` -> (2, vector_size); OOV words
        from their n-grams."""
        if isinstance(key, (str, int, np.integer, slice)):
            return super().__getitem__(key)
        rows = [self.get_vector(k) for k in key]
        return np.stack(rows) if rows else np.empty((0, self.vector_size), dtype=np.float32)

    def _query_vector(self, positive, negative):
        """Out-of-vocabulary words become their subword vectors, then as KeyedVectors."""
        def known(items):
            return [self.get_vector(x) if isinstance(x, str) and x not in self.key_to_index
                    else x for x in _as_list(items)]
        return super()._query_vector(known(positive), known(negative))

    @classmethod
    def load(cls, path, format: str | None = None, **kwargs) -> "FastTextKeyedVectors":
        """Read a fastText ``.bin`` model; see :func:`load_fasttext_bin`."""
        if format not in (None, "fasttext-bin"):
            raise SimvecValueError(
                f"FastTextKeyedVectors.load reads format 'fasttext-bin', got {format!r}")
        return load_fasttext_bin(path, **kwargs)


# ---------------------------------------------------------------------------- reading
def load_fasttext_bin(path, *, limit: int | None = None, unicode_errors: str = "fallback",
                      on_duplicate: str = "first", progress: bool | None = None,
                      ) -> FastTextKeyedVectors:
    """Read a fastText ``.bin`` model: its word vectors and its n-gram vectors.

    ``simvec.load(path)`` and ``load_vectors(path, format="fasttext-bin")`` call this.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.bin`` written by fastText (``fasttext skipgram|cbow|supervised``,
        ``model.save_model``) or gensim's ``save_facebook_model``; ``.gz`` / ``.bz2`` are
        decompressed in memory, plain files are memory-mapped while read.
    limit : int, optional
        Keep only the first ``limit`` words (the most frequent) in the vocabulary; the others
        then get vectors from their n-grams like any unknown word. The n-gram rows are kept whole.
    unicode_errors, on_duplicate : str
        As :func:`simvec.vectors.formats.load_vectors` (``"entry N"`` numbers the dictionary
        entries from 1). The n-grams of a word are always those of its bytes in the file.
    progress : bool, optional
        A progress bar while a compressed file is decompressed (same rule as
        ``load_vectors``).

    Returns
    -------
    FastTextKeyedVectors
        ``vectors`` float32 (n_words, dim) in the file's order, ``vectors_ngrams`` float32
        (bucket, dim).

    Raises
    ------
    SimvecFileNotFoundError
        If ``path`` does not exist.
    VectorFormatError
        Naming the file and the byte offset: not a fastText model (magic), an unknown version,
        a negative or inconsistent size or count, a dictionary or matrix larger than the bytes
        left (truncated file), an empty word or one holding a line break, an entry type that is
        neither word nor label or out of order, a quantized model (``.ftz``), a pruned
        dictionary without quantization (fastText refuses it too), a matrix whose shape
        disagrees with ``dim``, ``nwords`` and ``bucket``; undecodable or repeated words under
        ``"strict"`` / ``"error"``.
    SimvecValueError
        If the vectors need more memory than is available (:func:`simvec._util.check_allocation`)
        or an argument is bad.

    Notes
    -----
    Vectors are summed in float32 in fastText's order and scaled once by ``float32(1 / n)``, as
    ``FastText::getWordVector`` does: the same bits as fastText's own ``get_word_vector``;
    gensim divides instead of multiplying, which can differ in the last bit.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer))
                              or limit < 0):
        raise SimvecValueError(f"limit must be a non-negative integer or None, got {limit!r}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise SimvecFileNotFoundError(f"no such vector file: {path}")
    t0 = time.perf_counter()
    comp = _io.compression(path)
    if comp is None:
        size = os.path.getsize(path)
        buf = np.empty(0, np.uint8) if size == 0 else np.asarray(
            np.memmap(path, dtype=np.uint8, mode="r"))
    else:
        size = os.path.getsize(path)
        show = progress if progress is not None else False
        with _io.Progress(show, path, size) as bar, _io.Reader(path, bar) as reader:
            reader.read_all()
            buf = reader.buf
    kv = _parse_model(buf, path, limit, unicode_errors, on_duplicate)
    logger.info("%s: loaded %d x %d fastText vectors and %d n-gram buckets in %.3f s", path,
                len(kv), kv.vector_size, kv.bucket, time.perf_counter() - t0)
    return kv


def _need(buf, pos: int, n: int, what: str, path: str) -> None:
    if pos + n > buf.shape[0]:
        raise VectorFormatError(
            f"the file ends inside {what} (byte offset {pos} needs {n} bytes, the file has "
            f"{buf.shape[0]}): it is truncated or not a fastText model", path)


def _bad(message: str, offset: int, path: str):
    return VectorFormatError(f"{message} (byte offset {offset})", path)


def _read_args(buf, path: str) -> dict:
    """The magic, version and Args block (bytes 0-63), checked."""
    _need(buf, 0, 8, "the magic number and version", path)
    magic, version = struct.unpack_from("<ii", buf, 0)
    if magic != FASTTEXT_MAGIC:
        raise _bad(f"not a fastText .bin model: bytes 0-3 hold {magic}, not fastText's magic "
                   f"number {FASTTEXT_MAGIC} (models from before 2017 lack it and are not "
                   "read)", 0, path)
    if version not in FASTTEXT_VERSIONS:
        raise _bad(f"fastText model version {version}: simvec reads versions "
                   f"{', '.join(map(str, FASTTEXT_VERSIONS))}", 4, path)
    _need(buf, 8, _ARGS.size, "the model arguments", path)
    args = dict(zip(_ARG_NAMES, _ARGS.unpack_from(buf, 8)))
    args["version"] = version
    for name, low in (("dim", 1), ("bucket", 0), ("minn", 0), ("maxn", 0)):
        if args[name] < low:
            raise _bad(f"the model arguments give {name} = {args[name]}; it must be >= {low}",
                       8 + 4 * _ARG_NAMES.index(name), path)
    if version == 11 and args["model"] == _SUPERVISED:
        args["maxn"] = 0  # fastText: old supervised models have no character n-grams
    return args


def _read_dictionary(buf, path: str):
    """The Dictionary block: sizes, entries, pruning index; returns its fields and the offset
    just past it."""
    pos = 8 + _ARGS.size
    _need(buf, pos, _DICT.size, "the dictionary header", path)
    size, nwords, nlabels, ntokens, prune = _DICT.unpack_from(buf, pos)
    for name, value, off in (("size", size, 0), ("nwords", nwords, 4), ("nlabels", nlabels, 8),
                             ("ntokens", ntokens, 12)):
        if value < 0:
            raise _bad(f"the dictionary's {name} is {value}; it must be >= 0", pos + off, path)
    if nwords + nlabels != size:
        raise _bad(f"the dictionary holds {size} entries but nwords + nlabels = {nwords} + "
                   f"{nlabels}", pos, path)
    if prune < -1:
        raise _bad(f"the dictionary's pruneidx_size is {prune}; it must be >= -1", pos + 20, path)
    pos += _DICT.size
    left = buf.shape[0] - pos
    if size > left // _ENTRY_MIN:
        raise _bad(f"the dictionary claims {size} entries, but the {left} bytes after it hold "
                   f"at most {left // _ENTRY_MIN} (truncated or damaged file)", 64, path)
    starts = np.empty(size, np.int64)
    ends = np.empty(size, np.int64)
    counts = np.empty(size, np.int64)
    types = np.empty(size, np.uint8)
    done, pos, code = _k.scan_entries(buf, pos, size, starts, ends, counts, types)
    if code:
        what = "its word has no terminating NUL" if code == 1 else "its count and type are cut off"
        raise _bad(f"dictionary entry {done + 1} of {size} is incomplete: {what}; the file is "
                   "truncated or damaged", int(pos), path)
    _check_entries(buf, starts, ends, counts, types, nwords, path)
    if prune > 0:
        _need(buf, pos, 8 * prune, f"the pruning index ({prune} pairs)", path)
        pos += 8 * prune
    return starts, ends, counts, nwords, prune, int(pos)


def _check_entries(buf, starts, ends, counts, types, nwords: int, path: str) -> None:
    def entry(i, message):
        return _bad(f"dictionary entry {i + 1}: {message}", int(starts[i]), path)

    empty = np.flatnonzero(ends == starts)
    if empty.size:
        raise entry(int(empty[0]), "the word is empty")
    neg = np.flatnonzero(counts < 0)
    if neg.size:
        raise entry(int(neg[0]), f"its count is {int(counts[neg[0]])}; counts are >= 0")
    want = (np.arange(types.shape[0]) >= nwords).astype(np.uint8)  # words first, then labels
    odd = np.flatnonzero(types != want)
    if odd.size:
        i = int(odd[0])
        raise entry(i, f"its type is {int(types[i])} but entries 1-{nwords} are words (0) and "
                       "the rest labels (1)")


def _read_matrix_header(buf, pos: int, args: dict, nwords: int, prune: int, path: str):
    """The quant flag and the input matrix's shape; returns the offset of its data."""
    _need(buf, pos, 1, "the quantization flag", path)
    quant = int(buf[pos])
    if quant > 1:
        raise _bad(f"the quantization flag is {quant}, not 0 or 1 (damaged file)", pos, path)
    if quant:
        raise _bad("this is a quantized fastText model (.ftz): its input matrix is "
                   "product-quantized, which simvec does not read; use the model's .bin", pos, path)
    if prune >= 0:
        raise _bad(f"the dictionary is pruned (pruneidx_size {prune}) but the input matrix is "
                   "not quantized: fastText refuses such a file too ('Invalid model file')",
                   8 + _ARGS.size + 20, path)
    pos += 1
    _need(buf, pos, 16, "the input matrix's shape", path)
    m, n = struct.unpack_from("<qq", buf, pos)
    dim, bucket = args["dim"], args["bucket"]
    if n != dim or m != nwords + bucket:
        raise _bad(f"the input matrix is {m} x {n}, but dim = {dim}, nwords = {nwords} and "
                   f"bucket = {bucket} make it {nwords + bucket} x {dim}", pos, path)
    pos += 16
    left = buf.shape[0] - pos
    if m * n * 4 > left:
        raise _bad(f"the input matrix needs {m * n * 4} bytes but only {left} follow: the file "
                   "is truncated", pos, path)
    return pos


def _check_output(buf, pos: int, dim: int, path: str) -> None:
    """Warn when the output matrix after the input one is incomplete (it is not read)."""
    size = buf.shape[0]
    ok = pos + 17 <= size
    if ok:
        m, n = struct.unpack_from("<qq", buf, pos + 1)
        ok = n == dim and 0 <= m and pos + 17 + m * n * 4 <= size
    if not ok:
        logger.warning("%s: the output matrix after the input vectors (byte offset %d) is "
                       "incomplete or damaged; the vectors read are complete, but fastText "
                       "would not load this file", path, pos)


def _parse_model(buf, path: str, limit, unicode_errors: str, on_duplicate: str):
    args = _read_args(buf, path)
    starts, ends, counts, nwords, prune, pos = _read_dictionary(buf, path)
    data = _read_matrix_header(buf, pos, args, nwords, prune, path)
    dim, bucket, minn, maxn = args["dim"], args["bucket"], args["minn"], args["maxn"]
    keep = nwords if limit is None else min(int(limit), nwords)
    check_allocation(4 * dim * (keep + bucket), f"the vectors of the fastText model {path}")
    matrix = buf[data:data + 4 * dim * (nwords + bucket)].view("<f4").reshape(nwords + bucket, dim)
    vectors = np.array(matrix[:keep], dtype=np.float32)
    ngrams = np.array(matrix[nwords:], dtype=np.float32)
    _check_output(buf, data + 4 * dim * (nwords + bucket), dim, path)

    blob = gather_keys(buf, starts, ends)  # the words joined by "\n", for one bulk decode
    breaks = np.flatnonzero(blob == 10)
    joins = np.cumsum(ends - starts)[:-1] + np.arange(len(starts) - 1)  # where the joins are
    if breaks.shape[0] != joins.shape[0]:  # a word holds a "\n": the first mismatch is it
        m = joins.shape[0]  # breaks before the first mismatch are joins: it lies in word j
        diff = np.flatnonzero(breaks[:m] != joins)
        i = int(diff[0]) if diff.size else len(starts) - 1
        raise _bad(f"dictionary entry {i + 1}: the word holds a line break, which fastText "
                   "never writes (damaged file)", int(starts[i]), path)
    where = np.arange(1, len(starts) + 1, dtype=np.int64)
    cut = int(joins[keep - 1]) if 0 < keep < len(starts) else (0 if keep == 0 else blob.shape[0])
    keys = _decode_keys(blob[:cut], keep, unicode_errors, path, where, "entry")
    labels = [buf[starts[i]:ends[i]].tobytes().decode("utf-8", "replace")
              for i in range(nwords, len(starts))]
    if labels:
        logger.info("%s: a supervised model; its %d labels are kept apart (kv.labels), not "
                    "in the vocabulary", path, len(labels))
    if maxn > 0 and bucket > 0 and keep:
        own = np.empty(keep, np.int64)
        _k.add_subword_rows(buf, starts[:keep], ends[:keep], minn, maxn, ngrams, vectors, True,
                            own)
        if EOS in keys:  # fastText gives "</s>" no n-grams: its vector is its own row
            i = keys.index(EOS)
            vectors[i] = matrix[i]
    _warn_nonfinite(vectors, path)
    make = dict(min_n=minn, max_n=maxn, labels=labels, args=args)
    try:
        return FastTextKeyedVectors(vectors, keys, ngrams, counts=counts[:keep], **make)
    except SimvecValueError as exc:
        if len(set(keys)) == len(keys):
            raise VectorFormatError(str(exc), path) from None
        keys, rows = _dedupe(keys, np.arange(keep), where, on_duplicate, path, "entry")
        return FastTextKeyedVectors(vectors[rows], keys, ngrams, counts=counts[rows], **make)
