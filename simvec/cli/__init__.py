"""Command-line interface (Typer): ``simvec similar|neighbors|analogy|evaluate|keywords|
evaluate-keywords|convert|info|warmup|data|train|elmo|classify``; see docs/cli.md."""

__all__ = ["main"]


def main() -> None:
    """Run the ``simvec`` command line."""
    from simvec.cli.app import main as _main

    _main()
