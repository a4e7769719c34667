"""Deprecated: moved to :mod:`simvec.eval.phrases`.

This alias warns on import and is removed in the next release.
"""

import warnings

from simvec.eval.phrases import *  # noqa: F401,F403
from simvec.eval.phrases import __all__  # noqa: F401

warnings.warn("simvec.phrase_eval moved to simvec.eval.phrases; import from there (or from simvec). "
              "This alias is removed in the next release", DeprecationWarning, stacklevel=2)
