"""Output of the CLI: Rich tables on a terminal, JSON for scripts, CSV for spreadsheets.

Every command builds one JSON-able payload (stable keys, documented in docs/cli.md) and, for table
and CSV output, one or more named tables of rows. This module is the only place that prints.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Table", "emit", "FORMATS"]

FORMATS = ("table", "json", "csv")


@dataclass
class Table:
    """A titled table: ``columns`` names and ``rows`` of values (numbers rounded for display)."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str | None = None


def _clean(value):
    """JSON has no NaN/inf: map them to None so the output stays parseable everywhere."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def emit(payload: dict, tables: list[Table], fmt: str = "table", out=None) -> None:
    """Print ``payload`` as JSON, or ``tables`` as Rich tables / CSV.

    Parameters
    ----------
    payload : dict
        Everything the command computed, JSON-able (NaN and inf become ``null``).
    tables : list of Table
        The human view of the same result. CSV prints the first table only when there is one,
        else each table preceded by a ``# title`` line.
    fmt : {"table", "json", "csv"}
    out : file-like, optional
        Defaults to ``sys.stdout``.
    """
    out = out or sys.stdout
    if fmt == "json":
        json.dump(_clean(payload), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        for t in tables:
            if len(tables) > 1:
                out.write(f"# {t.title}\n")
            writer.writerow(t.columns)
            for row in t.rows:
                writer.writerow(["" if v is None else v for v in row])
        return
    from rich.console import Console
    from rich.table import Table as RichTable

    # Piped output is not wrapped at 80 columns: tables stay one row per line for grep and less.
    is_tty = hasattr(out, "isatty") and out.isatty()
    console = Console(file=out, soft_wrap=False, width=None if is_tty else 200)
    for t in tables:
        rt = RichTable(title=t.title, title_justify="left", min_width=len(t.title) + 4)
        for c in t.columns:
            rt.add_column(c, overflow="fold")
        for row in t.rows:
            rt.add_row(*[_cell(v) for v in row])
        console.print(rt)
        if t.caption:
            console.print(t.caption, style="dim", highlight=False)
