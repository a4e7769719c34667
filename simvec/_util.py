"""Small helpers shared by every package: atomic writes, optional imports, argument checks, row
normalisation.

Private to simvec (the leading underscore): packages import these names, users do not. This
module imports nothing from simvec but :mod:`simvec.errors`, so any package may use it.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import numpy as np

from simvec.errors import MissingDependencyError, SimvecFileNotFoundError, SimvecValueError

__all__ = [
    "atomic_write", "atomic_write_path", "umask", "import_optional", "normalize_rows",
    "check_positive_int", "check_choice",
]


def umask() -> int:
    """The process umask (read without changing it for longer than two system calls)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(items) -> None:
    """Write every ``(dest, writer)`` to a temporary file beside ``dest``, then rename them all.

    ``writer(f)`` receives a binary file object. The temporary files get the destination's
    mode (or the usual ``0o666 & ~umask`` for a new file) and are fsync'ed before the renames.
    If any writer fails, every temporary file is removed and no destination is touched.

    Parameters
    ----------
    items : iterable of (str or os.PathLike, callable)
        Destinations and the functions that write their bytes.

    Raises
    ------
    SimvecFileNotFoundError
        If a destination's folder does not exist (nothing is written).
    """

    def through_file(writer):
        def write(fd, tmp):
            with os.fdopen(fd, "wb") as f:
                writer(f)
                f.flush()
                os.fsync(f.fileno())
        return write

    _replace_all([(dest, through_file(writer)) for dest, writer in items], ".tmp")


def atomic_write_path(dest, write, *, suffix: str = ".tmp") -> None:
    """Have ``write(tmp)`` write a temporary file beside ``dest`` by its path, then rename it.

    For writers that want a file name rather than a file object (``h5py.File(tmp, "w")``,
    Keras' ``model.save(tmp)``). The same rules as :func:`atomic_write`: the temporary file is
    fsync'ed and gets the destination's mode (or ``0o666 & ~umask``); if ``write`` fails it is
    removed and ``dest`` is untouched.

    Parameters
    ----------
    dest : str or os.PathLike
    write : callable
        ``write(tmp)`` with ``tmp`` a ``str`` path; the (empty) file already exists.
    suffix : str
        End of the temporary name, for writers that check it (``".keras"``).

    Raises
    ------
    SimvecFileNotFoundError
        If ``dest``'s folder does not exist (nothing is written).
    """

    def to_path(fd, tmp):
        os.close(fd)
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    _replace_all([(dest, to_path)], suffix)


def _replace_all(items, suffix: str) -> None:
    """The core of both writers: ``write(fd, tmp)`` fills a ``mkstemp`` file per destination;
    then every temporary file gets its mode and all are renamed; on failure all are removed."""
    items = [(Path(dest), write) for dest, write in items]
    for dest, _ in items:
        if not dest.parent.is_dir():
            raise SimvecFileNotFoundError(f"cannot write {dest}: folder {dest.parent} does not exist")
    tmps = []
    try:
        for dest, write in items:
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=suffix)
            tmps.append(tmp)
            write(fd, tmp)
            mode = dest.stat().st_mode & 0o7777 if dest.exists() else 0o666 & ~umask()
            os.chmod(tmp, mode)
        for (dest, _), tmp in zip(items, tmps):
            os.replace(tmp, dest)
    except BaseException:
        for tmp in tmps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def import_optional(module: str, *, needed_by: str, extra: str | None = None,
                    package: str | None = None):
    """Import an optional package, or raise MissingDependencyError saying how to install it.

    Parameters
    ----------
    module : str
        What to import (``"h5py"``, ``"sklearn.metrics"``).
    needed_by : str
        What needs it, for the message (``"simvec.elmo"``).
    extra : str, optional
        simvec's extra that brings it: the message says ``pip install 'simvec[EXTRA]'``.
    package : str, optional
        The pip distribution, when it differs from the top-level module (``"scikit-learn"``);
        the message says ``pip install PACKAGE`` when there is no ``extra``.

    Returns
    -------
    module

    Raises
    ------
    MissingDependencyError
        (an ``ImportError``) if ``module`` or a package above it is not installed. An
        ImportError from inside an installed package (one of its own dependencies is missing or
        broken) propagates unchanged.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name is None or not (module == exc.name or module.startswith(exc.name + ".")):
            raise
        package = package or module.partition(".")[0]
        install = f"pip install 'simvec[{extra}]'" if extra else f"pip install {package}"
        raise MissingDependencyError(package, needed_by, install) from exc


def normalize_rows(m, dtype=np.float32) -> np.ndarray:
    """Rows of ``m`` scaled to unit L2 norm; all-zero rows stay zero (never NaN).

    Parameters
    ----------
    m : array_like, shape (..., d)
        Normalised along the last axis.
    dtype : numpy dtype or None, default float32
        Dtype of the result; ``None`` keeps the dtype of ``m``.

    Returns
    -------
    ndarray, shape of ``m``
        ``res[i] = m[i] / |m[i]|`` (``m[i]`` itself where ``|m[i]| = 0``).
    """
    m = np.asarray(m) if dtype is None else np.asarray(m, dtype=dtype)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[norms == 0] = 1
    out = m / norms
    return out if dtype is None else out.astype(dtype, copy=False)


def check_positive_int(name: str, value) -> int:
    """``value`` as int if it is a positive integer (not a bool), else SimvecValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SimvecValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_choice(name: str, value, choices) -> None:
    """SimvecValueError naming ``name`` and the choices unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise SimvecValueError(
            f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}"
        )
