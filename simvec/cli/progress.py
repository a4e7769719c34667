"""Progress of long CLI work: a Rich bar on a terminal, periodic log lines when piped.

Always on stderr, so ``--format json`` on stdout stays parseable; silent with ``--quiet``.
"""

from __future__ import annotations

import logging
import sys
import time

__all__ = ["Progress"]

log = logging.getLogger("simvec.progress")


class Progress:
    """Report ``done`` out of ``total`` units of work.

    Parameters
    ----------
    title : str
        What is being done (``"keywords: documents"``).
    total : int or None
        Units of work in all (``None``: unknown).
    unit : str
        Name of a unit (``"docs"``).
    quiet : bool
        Report nothing.
    interval : float
        Seconds between log lines when stderr is not a terminal.
    stream : file-like, optional
        Where the bar goes (default ``sys.stderr``); a terminal gets a Rich bar, anything else
        log lines through :mod:`logging` (logger ``simvec.progress``).

    Examples
    --------
    >>> with Progress("work", total=10, unit="items", quiet=True) as bar:
    ...     bar.update_to(10, 10)
    """

    def __init__(self, title: str, total: int, unit: str = "", *, quiet: bool = False,
                 interval: float = 10.0, stream=None):
        self.title, self.unit = title, unit
        self.total = None if total is None else int(total)
        self.quiet, self.interval = quiet, interval
        self.stream = stream if stream is not None else sys.stderr
        self._rich = None
        self._task = None
        self._t0 = self._last = 0.0
        self.done = 0

    def __enter__(self) -> "Progress":
        self._t0 = self._last = time.perf_counter()
        if self.quiet:
            return self
        isatty = getattr(self.stream, "isatty", lambda: False)()
        if isatty:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            self._rich = RichProgress(
                TextColumn("{task.description}"), BarColumn(bar_width=None),
                MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=True)
            self._rich.start()
            self._task = self._rich.add_task(self.title, total=self.total)
        return self

    def update_to(self, done: int, total: int | None = None) -> None:
        """Record that ``done`` units are finished (of ``total``, when it changed)."""
        if total is not None:
            self.total = int(total)
        self.done = int(done)
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done, total=self.total,
                              description=self.title)
            return
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self._log_line(now)

    def _log_line(self, now: float) -> None:
        if not self.total:
            log.info("%s: %d %s, %.1f s elapsed", self.title, self.done, self.unit,
                     now - self._t0)
            return
        rate = self.done / max(now - self._t0, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        log.info("%s: %d/%d %s (%.0f%%), %.1f s elapsed, about %.0f s left", self.title,
                 self.done, self.total, self.unit, 100.0 * self.done / max(self.total, 1),
                 now - self._t0, eta)

    def __exit__(self, *exc) -> None:
        if self._rich is not None:
            self._rich.stop()
        elif not self.quiet and exc[0] is None and time.perf_counter() - self._t0 >= self.interval:
            self._log_line(time.perf_counter())
