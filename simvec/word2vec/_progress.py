"""Training progress: a Rich bar on a terminal, periodic ``logging`` lines otherwise."""

from __future__ import annotations

import logging
import sys
import time

__all__ = ["TrainProgress"]

log = logging.getLogger("simvec.word2vec")


def _info_column():
    """A Rich progress column with the epoch, words/s and loss that gives way first.

    Every other column of the bar is ``no_wrap``, so on a narrow terminal Rich shrinks this one
    alone and its text ends in an ellipsis: the percentage, elapsed time and ETA stay whole
    (an 80-column terminal cut the ETA to ``-:-…`` when the columns shrank together).
    """
    from rich.progress import ProgressColumn
    from rich.table import Column
    from rich.text import Text

    class _Info(ProgressColumn):
        def render(self, task):
            return Text(task.fields.get("info", ""), no_wrap=True, overflow="ellipsis")

    return _Info(table_column=Column(no_wrap=False, ratio=None))


class TrainProgress:
    """Reports (epoch, words done, words/s, alpha, loss) during training.

    On a terminal, a Rich bar on stderr: ``word2vec ━━━ 30.0% 0:00:05 0:00:12 epoch 3/5
    1.50M w/s loss 1.234`` (percentage, elapsed, remaining, then the epoch, words per second
    and loss, which are cut first when the terminal is narrow; alpha is in the log lines).
    Otherwise a log line (logger ``simvec.word2vec``) every ``interval`` seconds.

    Parameters
    ----------
    total : int
        Words (in-vocabulary tokens) the whole schedule processes.
    show : bool or None
        ``True``: Rich bar; ``False``: only log lines; ``None``: bar if stderr is a terminal.
    interval : float
        Seconds between log lines.
    console : rich.console.Console, optional
        Where the bar goes; default a console on stderr (never stdout, which carries
        ``--format json``).
    """

    def __init__(self, total: int, show=None, interval: float = 10.0, console=None):
        self.total = max(int(total), 1)
        self.show = sys.stderr.isatty() if show is None else bool(show)
        self.interval = interval
        self.console = console
        self._bar = None
        self._task = None
        self._t0 = time.perf_counter()
        self._last_log = self._t0

    def __enter__(self):
        if self.show:
            from rich.console import Console
            from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            from rich.table import Column

            def fixed():
                return Column(no_wrap=True)

            self._bar = Progress(
                TextColumn("word2vec", table_column=fixed()),
                BarColumn(bar_width=15, table_column=fixed()),
                TextColumn("{task.percentage:>5.1f}%", table_column=fixed()),
                TimeElapsedColumn(table_column=fixed()),
                TimeRemainingColumn(table_column=fixed()),
                _info_column(),
                console=self.console if self.console is not None else Console(stderr=True),
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("train", total=self.total, info="")
        return self

    def update(self, done: int, epoch: int, epochs: int, alpha: float, loss: float,
               rate: float) -> None:
        """Refresh the bar / emit a log line if ``interval`` has passed."""
        if self._bar is not None:
            self._bar.update(self._task, completed=min(done, self.total),
                             info=f"epoch {epoch + 1}/{epochs} {rate / 1e6:.2f}M w/s "
                                  f"loss {loss:.4g}")
        now = time.perf_counter()
        if now - self._last_log >= self.interval:
            self._last_log = now
            log.info("%.1f%% epoch %d/%d  %.2fM words/s  alpha %.5f  loss %.4g",
                     100.0 * done / self.total, epoch + 1, epochs, rate / 1e6, alpha, loss)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
