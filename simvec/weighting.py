"""Deprecated: moved to :mod:`simvec.keywords.weighting`.

This alias warns on import and is removed in the next release.
"""

import warnings

from simvec.keywords.weighting import *  # noqa: F401,F403
from simvec.keywords.weighting import __all__  # noqa: F401

warnings.warn("simvec.weighting moved to simvec.keywords.weighting; import from there (or from simvec). "
              "This alias is removed in the next release", DeprecationWarning, stacklevel=2)
