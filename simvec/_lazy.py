"""PEP 562 lazy exports: a package names its public objects without importing their modules.

Used by ``simvec``, ``simvec.word2vec`` and ``simvec.elmo`` so that importing them loads no
numba, torch or Keras until a name is first used.
"""

from __future__ import annotations

import importlib

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: dict[str, str], namespace: dict):
    """``(__getattr__, __dir__)`` for ``package`` whose public ``names`` map to their modules.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (used in the AttributeError message).
    names : dict of str to str
        ``{public name: module that defines it}``.
    namespace : dict
        The package's ``globals()``; a resolved name is cached there, so the next access is a
        plain attribute lookup.
    """

    def __getattr__(name: str):
        try:
            module = names[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(names) | {k for k in namespace if not k.startswith("_")})

    return __getattr__, __dir__
