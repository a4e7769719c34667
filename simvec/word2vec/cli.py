"""Deprecated: this module moved to :mod:`simvec.cli.train`; the alias goes in the next release."""

import warnings

from simvec.cli.train import *  # noqa: F401,F403
from simvec.cli.train import __all__  # noqa: F401

warnings.warn("simvec.word2vec.cli moved to simvec.cli.train; import it from there",
              DeprecationWarning, stacklevel=2)
