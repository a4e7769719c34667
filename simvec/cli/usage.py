"""Usage errors as one line: ``simvec: error: ...``, exit status 2 (and ``--version``).

Click prints usage errors (unknown option, bad value, missing argument) as a multi-line box;
simvec promises one line on stderr naming the command and what was wrong, with Python argument
names translated to options (:func:`simvec.cli.options.cli_terms`).
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from simvec.cli.options import cli_terms

__all__ = ["OneLineErrors", "version_callback"]


def version_callback(value: bool):
    """``--version``: print simvec's version and exit."""
    if value:
        from simvec import __version__

        typer.echo(f"simvec {__version__}")
        raise typer.Exit()


class OneLineErrors(TyperGroup):
    """Usage errors (unknown option, bad value, missing argument) as the documented single line
    ``simvec: error: ...`` with exit status 2, instead of Click's multi-line box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        cx = _click_exceptions()
        try:
            rv = super().main(args=args, prog_name=prog_name or "simvec",
                              complete_var=complete_var, standalone_mode=False, **extra)
        except getattr(cx, "NoArgsIsHelpError", ()) as e:
            typer.echo(e.ctx.get_help() if e.ctx else str(e), err=True)
            return _finish(2, standalone_mode)
        except cx.UsageError as e:
            where = e.ctx.command_path if e.ctx is not None else "simvec"
            cmd = where.split(" ", 1)[1] if " " in where else ""
            hint = f" (see `simvec {cmd} --help`)" if cmd else " (see `simvec --help`)"
            message = e.format_message()  # Typer adds "Did you mean" to unknown commands
            typer.echo(f"simvec: error: {cmd + ': ' if cmd else ''}"
                       f"{cli_terms(message)}{hint}", err=True)
            return _finish(2, standalone_mode)
        except cx.ClickException as e:
            typer.echo(f"simvec: error: {cli_terms(e.format_message())}", err=True)
            return _finish(e.exit_code, standalone_mode)
        except _abort_class(cx):
            typer.echo("simvec: error: interrupted", err=True)
            return _finish(130, standalone_mode)
        return _finish(rv if isinstance(rv, int) else 0, standalone_mode)


def _click_exceptions():
    """Click's exception module: vendored as ``typer._click`` by recent Typer, else ``click``."""
    try:
        from typer._click import exceptions
    except ImportError:  # Typer < 0.20 depends on the click package
        from click import exceptions
    return exceptions


def _abort_class(cx):
    """Click's ``Abort``: in recent Typer it lives in ``typer.exceptions``, not beside the
    other vendored Click exceptions (an ``except cx.Abort`` clause would itself raise)."""
    found = getattr(cx, "Abort", None)
    if found is None:
        from typer.exceptions import Abort as found
    return found


def _finish(code: int, standalone_mode: bool):
    if standalone_mode:
        sys.exit(code)
    return code
