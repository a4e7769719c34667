"""Output of the CLI: Rich tables on a terminal, JSON for scripts, CSV for spreadsheets.

Every command builds one JSON-able payload (stable keys, documented in docs/cli.md) and, for table
and CSV output, one or more named tables of rows. This module is the only place that prints.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Table", "emit", "write_output", "snake_case", "one_table", "FORMATS"]

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


def snake_case(name: str) -> str:
    """A CSV header: ``"pairs used"`` -> ``pairs_used``, ``"MAP@10"`` -> ``map_at_10``,
    ``"oov %"`` -> ``oov_percent``."""
    s = name.replace("@", "_at_").replace("%", " percent")
    return re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_").lower() or "value"


def one_table(tables: list[Table]) -> Table:
    """Several tables as one: a leading ``table`` column names each row's table, the columns
    are the union (snake_case, first-seen order), missing cells empty. One table stays as it is
    (headers in snake_case)."""
    if len(tables) == 1:
        t = tables[0]
        return Table(t.title, [snake_case(c) for c in t.columns], list(t.rows), t.caption)
    columns: list[str] = ["table"]
    for t in tables:
        for c in t.columns:
            if snake_case(c) not in columns:
                columns.append(snake_case(c))
    rows = []
    for t in tables:
        where = [columns.index(snake_case(c)) for c in t.columns]
        for row in t.rows:
            full = [None] * len(columns)
            full[0] = snake_case(t.title)
            for i, v in zip(where, row):
                full[i] = v
            rows.append(full)
    return Table("", columns, rows)


def write_output(payload: dict, tables: list[Table], fmt: str, output=None) -> None:
    """:func:`emit` to stdout, or to the file ``output`` atomically (temporary file, rename)."""
    if output is None:
        emit(payload, tables, fmt)
        return
    from simvec._util import atomic_write

    def writer(f):
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        emit(payload, tables, fmt, out=text)
        text.flush()
        text.detach()

    atomic_write([(output, writer)])


def emit(payload: dict, tables: list[Table], fmt: str = "table", out=None) -> None:
    """Print ``payload`` as JSON, or ``tables`` as Rich tables / CSV.

    Parameters
    ----------
    payload : dict
        Everything the command computed, JSON-able (NaN and inf become ``null``).
    tables : list of Table
        The human view of the same result. CSV is always one rectangular table with
        snake_case headers (:func:`one_table`).
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
        table = one_table(tables)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        for row in table.rows:
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
