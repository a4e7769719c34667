"""Deprecated: moved to :mod:`simvec.eval.retrieval`.

This alias warns on import and is removed in the next release.
"""

import warnings

from simvec.eval.retrieval import *  # noqa: F401,F403
from simvec.eval.retrieval import __all__  # noqa: F401

warnings.warn("simvec.retrieval moved to simvec.eval.retrieval; import from there (or from simvec). "
              "This alias is removed in the next release", DeprecationWarning, stacklevel=2)
