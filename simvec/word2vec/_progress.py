"""Training progress: a Rich bar on a terminal, periodic ``logging`` lines otherwise."""

from __future__ import annotations

import logging
import sys
import time

__all__ = ["TrainProgress"]

log = logging.getLogger("simvec.word2vec")


class TrainProgress:
    """Reports (epoch, words done, words/s, alpha, loss) during training.

    Parameters
    ----------
    total : int
        Words (in-vocabulary tokens) the whole schedule processes.
    show : bool or None
        ``True``: Rich bar; ``False``: only log lines; ``None``: bar if stderr is a terminal.
    interval : float
        Seconds between log lines.
    """

    def __init__(self, total: int, show=None, interval: float = 10.0):
        self.total = max(int(total), 1)
        self.show = sys.stderr.isatty() if show is None else bool(show)
        self.interval = interval
        self._bar = None
        self._task = None
        self._t0 = time.perf_counter()
        self._last_log = self._t0

    def __enter__(self):
        if self.show:
            from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(
                TextColumn("word2vec"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("train", total=self.total, info="")
        return self

    def update(self, done: int, epoch: int, epochs: int, alpha: float, loss: float,
               rate: float) -> None:
        """Refresh the bar / emit a log line if ``interval`` has passed."""
        info = f"epoch {epoch + 1}/{epochs}  {rate / 1e6:.2f}M words/s  alpha {alpha:.5f}  " \
               f"loss {loss:.4g}"
        if self._bar is not None:
            self._bar.update(self._task, completed=min(done, self.total), info=info)
        now = time.perf_counter()
        if now - self._last_log >= self.interval:
            self._last_log = now
            log.info("%.1f%% %s", 100.0 * done / self.total, info)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
