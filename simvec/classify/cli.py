"""Deprecated: this module moved to :mod:`simvec.cli.classify`; the alias goes in the next release."""

import warnings

from simvec.cli.classify import *  # noqa: F401,F403
from simvec.cli.classify import __all__  # noqa: F401

warnings.warn("simvec.classify.cli moved to simvec.cli.classify; import it from there",
              DeprecationWarning, stacklevel=2)
