"""Small helpers shared by every package: atomic writes, optional imports, argument checks, row
normalisation.

Private to simvec (the leading underscore): packages import these names, users do not. This
module imports nothing from simvec but :mod:`simvec.errors`, so any package may use it.
"""

from __future__ import annotations

import errno
import fcntl
import importlib
import os
import stat
import tempfile
import warnings
from pathlib import Path

import numpy as np

from simvec.errors import (
    MissingDependencyError,
    SimvecError,
    SimvecFileNotFoundError,
    SimvecValueError,
    VectorFormatError,
)

__all__ = [
    "atomic_write", "atomic_write_path", "umask", "import_optional", "normalize_rows",
    "check_positive_int", "check_choice", "check_output_path", "remove_stale_temps",
    "OutputPathError", "memory_budget", "check_allocation",
]


class OutputPathError(SimvecError, OSError):
    """An output path cannot be written (read-only folder, a folder where a file is wanted, a
    FIFO without a reader, a full device); the message names the path and the option.

    Built as ``OutputPathError(errno, message)``; ``str()`` is the message alone."""

    def __str__(self) -> str:
        return str(self.strerror) if self.strerror is not None else super().__str__()


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


def _is_special(dest: Path) -> bool:
    """True if ``dest`` must be written through rather than replaced: it exists and is not a
    regular file or a folder (device, FIFO, socket), or it is an open file descriptor of the
    process (``/dev/stdout``, ``/proc/self/fd/1``: a link into ``/proc/PID/fd``)."""
    try:
        st = os.stat(dest)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return False
    if not stat.S_ISREG(st.st_mode):
        return True
    return _names_a_descriptor(dest)


def _names_a_descriptor(dest: Path) -> bool:
    """Whether ``dest`` or a link on the way to its target lies in ``/proc/*/fd`` or ``/dev/fd``."""
    p, hops = str(dest), 0
    while hops < 40:
        if p.startswith("/proc/") and "/fd/" in p or p.startswith("/dev/fd/"):
            return True
        if not os.path.islink(p):
            return False
        target = os.readlink(p)
        p = target if os.path.isabs(target) else os.path.join(os.path.dirname(p), target)
        hops += 1
    return False


def _open_special(dest: Path):
    """Open a device node or FIFO for writing without blocking on a FIFO that has no reader."""
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND)
    except OSError as exc:
        why = "a FIFO with no reader" if exc.errno == errno.ENXIO else exc.strerror
        raise OutputPathError(exc.errno, f"cannot write {dest}: {why}") from None
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return os.fdopen(fd, "wb", buffering=0)


def _write_through(dest: Path, tmp: str) -> None:
    """Copy the finished temporary file into a special destination (``/dev/stdout``, a FIFO):
    such a file is written through, never replaced by a regular file."""
    with open(tmp, "rb") as src, _open_special(dest) as out:
        try:
            while chunk := src.read(1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[out.write(view):]
        except OSError as exc:
            raise OutputPathError(exc.errno, f"cannot write {dest}: {exc.strerror}") from None


def _replace_all(items, suffix: str) -> None:
    """The core of both writers: ``write(fd, tmp)`` fills a ``mkstemp`` file per destination;
    then every temporary file gets its mode and all are renamed; on failure all are removed.

    A symbolic link as destination is followed (the link stays, its target is replaced); a
    device node or FIFO is written through (the temporary file goes to the system's temporary
    folder and is copied into it), never replaced."""
    items = [(Path(dest), write) for dest, write in items]
    items = [(Path(os.path.realpath(d)) if d.is_symlink() and not _is_special(d) else d, w)
             for d, w in items]
    for dest, _ in items:
        if _is_special(dest):
            continue
        if not dest.parent.is_dir():
            raise SimvecFileNotFoundError(f"cannot write {dest}: folder {dest.parent} does not exist")
        if dest.is_dir():
            raise OutputPathError(errno.EISDIR, f"cannot write {dest}: it is a folder")
    special = [_is_special(dest) for dest, _ in items]
    tmps = []
    try:
        for (dest, write), sp in zip(items, special):
            fd, tmp = tempfile.mkstemp(dir=None if sp else dest.parent, prefix=f".{dest.name}.",
                                       suffix=suffix)
            tmps.append(tmp)
            write(fd, tmp)
            if not sp:
                mode = dest.stat().st_mode & 0o7777 if dest.exists() else 0o666 & ~umask()
                os.chmod(tmp, mode)
        for (dest, _), tmp, sp in zip(items, tmps, special):
            if sp:
                _write_through(dest, tmp)
                os.unlink(tmp)
            else:
                os.replace(tmp, dest)
    except BaseException:
        for tmp in tmps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def _probe_folder(folder: Path, what: str) -> None:
    """Create and remove a temporary file in ``folder``: the one check that sees read-only file
    systems, permissions and quotas alike."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".simvec-probe-")
    except OSError as exc:
        raise OutputPathError(
            exc.errno, f"{what}: cannot write in folder {folder} ({exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


def check_output_path(path, flag: str, *, folder: bool = False) -> Path:
    """Check, before long work starts, that ``path`` can be written; return it as a Path.

    A file destination (``folder=False``) must not be a folder and its folder must exist and be
    writable; an existing device node or FIFO (``/dev/stdout``) is accepted, and is written
    through by :func:`atomic_write`. A folder destination (``folder=True``, e.g. a checkpoint or
    a run folder) must not be a file; it, or the nearest folder above it that exists, must be
    writable (it is created later).

    Parameters
    ----------
    path : str or os.PathLike
    flag : str
        The option or parameter that named it, for the message (``"-o"``, ``"--checkpoint"``).
    folder : bool, default False

    Returns
    -------
    Path

    Raises
    ------
    OutputPathError
        (a ``SimvecError`` and ``OSError``) naming ``flag`` and the path: a folder where a file
        is wanted or the reverse, a missing or read-only folder, a FIFO without a reader.
    """
    p = Path(path)
    what = f"{flag} {p}"
    if str(p) == "":
        raise OutputPathError(errno.EINVAL, f"{flag}: the path is empty")
    if folder:
        if p.exists() and not p.is_dir():
            raise OutputPathError(errno.ENOTDIR,
                                  f"{what}: this is a file, not a folder; name a folder")
        top = p
        while not top.exists():
            if top.parent == top:
                break
            top = top.parent
        if top.exists() and not top.is_dir():
            raise OutputPathError(errno.ENOTDIR, f"{what}: {top} is a file, not a folder")
        _probe_folder(top, what)
        return p
    if p.is_dir():
        raise OutputPathError(errno.EISDIR,
                              f"{what}: this is a folder; name a file inside it")
    if _is_special(p):  # not opened here: closing the only writer of a FIFO ends its reader
        if not os.access(p, os.W_OK):
            raise OutputPathError(errno.EACCES, f"{what}: not writable")
        return p
    real = Path(os.path.realpath(p)) if p.is_symlink() else p
    parent = real.parent
    if not parent.is_dir():
        raise OutputPathError(errno.ENOENT, f"{what}: folder {parent} does not exist")
    _probe_folder(parent, what)
    return p


def remove_stale_temps(folder, names, suffix: str = ".tmp") -> list[Path]:
    """Remove the temporary files that an interrupted :func:`atomic_write` of ``names`` into
    ``folder`` left behind (``.NAME.XXXX.tmp``, e.g. after a SIGKILL); return those removed.

    Only for folders the caller owns (a checkpoint folder): another process writing the same
    names at the same time would lose its temporary file.
    """
    folder = Path(folder)
    gone = []
    if not folder.is_dir():
        return gone
    for name in names:
        for f in folder.glob(f".{name}.*{suffix}"):
            try:
                f.unlink()
                gone.append(f)
            except OSError:
                pass
    return gone


def memory_budget() -> int:
    """Bytes one allocation may reasonably ask for: the smaller of the physical memory and the
    address-space limit (``ulimit -v``) less what the process already maps."""
    budget = 1 << 62
    try:
        budget = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            used = 0
            try:
                with open("/proc/self/statm") as f:
                    used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                pass
            budget = min(budget, max(soft - used, 0))
    except (ImportError, ValueError, OSError):
        pass
    return int(budget)


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def check_allocation(nbytes, what: str, advice: str = "") -> None:
    """SimvecValueError before allocating ``nbytes`` for ``what`` if that exceeds
    :func:`memory_budget` (so a huge parameter or a lying header fails at once, not with a
    MemoryError traceback or after swapping)."""
    nbytes = int(nbytes)
    budget = memory_budget()
    if nbytes > budget:
        raise SimvecValueError(
            f"{what} needs {_size(nbytes)} of memory but at most {_size(budget)} is available"
            + (f"; {advice}" if advice else ""))


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


def read_npy_header(path) -> tuple[tuple, bool, np.dtype, int, int]:
    """The header of a ``.npy`` file, read without trusting it.

    The header-length field is checked against the file size before numpy parses the header
    (a damaged field made numpy read hundreds of MB or raise ``tokenize.TokenError``). Nothing
    about the data is checked here: callers compare shape, dtype and size with what they expect.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    shape : tuple of int
    fortran_order : bool
    dtype : numpy.dtype
    offset : int
        Byte offset of the data.
    size : int
        Size of the file in bytes.

    Raises
    ------
    VectorFormatError
        "not a valid .npy file (...)" naming the file, for any damaged or truncated header.
    """
    fmt = np.lib.format
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "created on Python 2": damaged headers read so
            version = fmt.read_magic(f)
            wide = version != (1, 0)
            raw = f.read(4 if wide else 2)
            hlen = int.from_bytes(raw, "little") if len(raw) == (4 if wide else 2) else -1
            if hlen < 0 or f.tell() + hlen > size or hlen > 1 << 16:
                raise ValueError(f"the header length field ({hlen}) does not fit the file "
                                 f"({size} bytes)")
            f.seek(0)
            fmt.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(f)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = fmt.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            return tuple(shape), fortran, dtype, f.tell(), size
    except Exception as exc:  # noqa: BLE001 - numpy raises ValueError, EOFError, SyntaxError,
        # tokenize.TokenError ... on damaged headers; any of them means "not a .npy"
        raise VectorFormatError(
            f"not a valid .npy file ({type(exc).__name__}: {exc}); the file is damaged or "
            "truncated", str(path),
        ) from None
