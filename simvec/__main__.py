"""``python -m simvec`` runs the command line."""

from simvec.cli import main

main()
