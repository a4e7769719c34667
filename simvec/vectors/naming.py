"""Which format a written vector file gets, and which files that writes.

A destination's extension chooses its format when none is given, as users expect from
``simvec convert glove-6B-50d out.txt`` or ``kv.save("vectors.bin")``:

=================  ===================================================================
extension          format
=================  ===================================================================
``.txt``           ``word2vec`` (text with a ``count dim`` header; word2vec.c, gensim)
``.bin``           ``word2vec-binary``
``.vec``           ``fasttext`` (fastText's ``.vec`` text)
``.npy``, other    ``native`` (``BASE.npy`` + ``BASE.json``; ``glove.6B.50d`` is a BASE)
=================  ===================================================================

A ``.gz`` / ``.bz2`` suffix is looked through (``out.txt.gz`` is compressed word2vec text).
GloVe text has no extension of its own (it is ``.txt`` without the header): ask for
``format="glove"``. :func:`resolve_save_format` returns the names actually written, so callers
can report them.
"""

from __future__ import annotations

from pathlib import Path

from simvec.errors import SimvecValueError

__all__ = ["EXTENSION_FORMATS", "infer_save_format", "resolve_save_format"]

#: Extension (lower case) -> format of a written vector file.
EXTENSION_FORMATS = {
    ".txt": "word2vec", ".bin": "word2vec-binary", ".vec": "fasttext", ".npy": "native",
    ".json": "native",
}
_COMPRESSION = (".gz", ".bz2")
_FORMATS = ("word2vec", "word2vec-binary", "glove", "fasttext", "native")


def infer_save_format(path) -> str:
    """The format :data:`EXTENSION_FORMATS` gives ``path`` (compression suffix looked through).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        ``"word2vec"``, ``"word2vec-binary"``, ``"fasttext"`` or ``"native"``.

    Raises
    ------
    SimvecValueError
        For a compressed native name (``x.npy.gz``, ``x.gz``): native files are not compressed.

    Examples
    --------
    >>> infer_save_format("out.txt.gz"), infer_save_format("vectors")
    ('word2vec', 'native')
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in _COMPRESSION:
        suffix = Path(p.stem).suffix.lower()
        if suffix in ("", ".npy", ".json"):
            raise SimvecValueError(
                f"{path}: a compressed file needs a text or binary format: name it .txt.gz, "
                ".bin.gz or .vec.gz, or give the format (--to)")
    return EXTENSION_FORMATS.get(suffix, "native")


def resolve_save_format(path, format: str | None = None) -> tuple[str, list[Path]]:
    """The format to write ``path`` in and the files that will exist afterwards.

    Parameters
    ----------
    path : str or os.PathLike
        Destination.
    format : str, optional
        Given format; ``None`` infers it with :func:`infer_save_format`.

    Returns
    -------
    (str, list of Path)
        The format and the written files: ``[path]`` for text and binary formats,
        ``[BASE.npy, BASE.json]`` for ``native``.

    Raises
    ------
    SimvecValueError
        For an unknown format, or a compressed name without a text extension.

    Examples
    --------
    >>> resolve_save_format("glove50.npy")
    ('native', [PosixPath('glove50.npy'), PosixPath('glove50.json')])
    """
    if format is None:
        format = infer_save_format(path)
    elif format not in _FORMATS:
        raise SimvecValueError(f"format must be one of {', '.join(_FORMATS)}, got {format!r}")
    if format == "native":
        p = Path(path)
        base = p.with_suffix("") if p.suffix in (".npy", ".json") else p
        return format, [base.with_name(base.name + ".npy"), base.with_name(base.name + ".json")]
    return format, [Path(path)]
