"""Exception hierarchy of simvec.

Every error simvec raises on purpose derives from :class:`SimvecError` and also from the built-in
exception a caller would naturally catch (``KeyError`` for an unknown word, ``ValueError`` for a bad
argument, ``FileNotFoundError`` for a missing file, ``ImportError`` for a missing optional package),
so both ``except SimvecError`` and the usual built-in ``except`` clauses work.

Messages say what was wrong, where (file and line, key, shape) and, where it helps, what to do.
"""

from __future__ import annotations

__all__ = [
    "SimvecError",
    "SimvecValueError",
    "VectorFormatError",
    "OutOfVocabularyError",
    "UnknownSourceError",
    "SimvecFileNotFoundError",
    "InputFormatError",
    "MissingDependencyError",
]


class SimvecError(Exception):
    """Base class of every error simvec raises on purpose."""


class SimvecValueError(SimvecError, ValueError):
    """An argument has the wrong value, dtype or shape."""


class VectorFormatError(SimvecError, ValueError):
    """A vector file is malformed.

    Attributes
    ----------
    path : str or None
        The file that failed to parse.
    line : int or None
        1-based line number of the offending line (text formats) or ``None``.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line


class InputFormatError(VectorFormatError):
    """A data file other than a vector file (keyword collection, evaluation file) is malformed."""


class OutOfVocabularyError(SimvecError, KeyError):
    """A key is not in the vocabulary.

    Attributes
    ----------
    key : str
        The missing key.
    """

    def __init__(self, key, message: str | None = None):
        self.key = key
        super().__init__(message or f"key {key!r} not present in vocabulary")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class UnknownSourceError(SimvecError, KeyError):
    """A named pretrained source is not known; the message lists the known names."""

    def __str__(self) -> str:
        return str(self.args[0])


class SimvecFileNotFoundError(SimvecError, FileNotFoundError):
    """A file the caller named does not exist."""


class MissingDependencyError(SimvecError, ImportError):
    """An optional package that a feature needs is not installed; the message says how to get it.

    Parameters
    ----------
    package : str
        The pip distribution that is missing (``"jieba"``, ``"scikit-learn"``).
    needed_by : str
        What needs it (``"tokenizer='jieba'"``, ``"simvec.elmo"``).
    install : str, optional
        The command that installs it, e.g. ``"pip install 'simvec[zh]'"``; default
        ``"pip install PACKAGE"``.

    Attributes
    ----------
    package, needed_by, install : str
        As given.

    Examples
    --------
    >>> err = MissingDependencyError("jieba", "tokenizer='jieba'", "pip install 'simvec[zh]'")
    >>> print(err)
    tokenizer='jieba' needs the package jieba, which is not installed: pip install 'simvec[zh]'
    >>> isinstance(err, ImportError)
    True
    """

    def __init__(self, package: str, needed_by: str, install: str | None = None):
        self.package = package
        self.needed_by = needed_by
        self.install = install or f"pip install {package}"
        super().__init__(
            f"{needed_by} needs the package {package}, which is not installed: {self.install}"
        )

    def __reduce__(self):  # the default would call cls(message)
        return type(self), (self.package, self.needed_by, self.install)
