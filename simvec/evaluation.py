"""Deprecated: moved to :mod:`simvec.eval.words`.

This alias warns on import and is removed in the next release.
"""

import warnings

from simvec.eval.words import *  # noqa: F401,F403
from simvec.eval.words import __all__  # noqa: F401

warnings.warn("simvec.evaluation moved to simvec.eval.words; import from there (or from simvec). "
              "This alias is removed in the next release", DeprecationWarning, stacklevel=2)
