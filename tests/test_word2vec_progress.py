"""The word2vec training bar keeps its ETA whole on an 80-column terminal, and stays on stderr."""

from __future__ import annotations

import io
import re
import sys
import time

from rich.console import Console

from simvec.word2vec._progress import TrainProgress


def _last_frame(width: int) -> str:
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=True, color_system=None)
    with TrainProgress(1_000_000, show=True, console=con) as bar:
        for i in range(1, 4):  # Rich needs two samples a moment apart to estimate the ETA
            time.sleep(0.2)
            bar.update(100_000 * i, epoch=12, epochs=15, alpha=0.0123, loss=123456.789,
                       rate=1.5e6)
    frame = buf.getvalue().split("\r")[-1]
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", frame).rstrip("\n")


def test_eta_whole_on_80_columns():
    frame = _last_frame(80)
    assert len(frame) <= 80
    # percentage, elapsed and remaining time are whole (h:mm:ss), then the epoch
    assert re.search(r"30\.0% \d:\d\d:\d\d \d:\d\d:\d\d epoch 13/15", frame), frame
    assert "…" in frame  # the loss is what gives way


def test_narrower_still_keeps_the_eta():
    frame = _last_frame(60)
    assert re.search(r"30\.0% \d:\d\d:\d\d \d:\d\d:\d\d", frame), frame


def test_wide_terminal_shows_everything():
    frame = _last_frame(120)
    assert frame.endswith("epoch 13/15 1.50M w/s loss 1.235e+05"), frame


def test_bar_goes_to_stderr():
    with TrainProgress(10, show=True) as bar:
        assert bar._bar.console.file is sys.stderr
