"""Deprecated: this module moved to :mod:`simvec.cli.elmo`; the alias goes in the next release."""

import warnings

from simvec.cli.elmo import *  # noqa: F401,F403
from simvec.cli.elmo import __all__  # noqa: F401

warnings.warn("simvec.elmo.cli moved to simvec.cli.elmo; import it from there",
              DeprecationWarning, stacklevel=2)
