"""The examples of docs/guide.md and README.md run as written, and print what they show.

Python blocks are executed statement by statement; a statement followed by a comment that
starts with a Python literal (``# 0.6468``, ``# ('learning', 'learning', ...)`` on the same
or the next line) must evaluate to that literal, floats to the precision written. Console
blocks (``$ simvec ...``) are run from a copy of the repository's layout (so that
``--plot docs/img/...`` does not overwrite the committed picture); an output block shown right
after a command must appear, row by row, in what the command prints.
"""

from __future__ import annotations

import ast
import re
import shlex
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simvec.cli.app as cli_app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "guide.md", ROOT / "README.md"]
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
BOX = str.maketrans({c: " " for c in "│┃┏┓┗┛┡┩└┘━─┳┻╇┴┬├┤┼"})


def _blocks(path: Path):
    """(language, text, the block after it) of every fenced block of ``path``."""
    found = [(m.group(1), m.group(2)) for m in FENCE.finditer(path.read_text())]
    return [(lang, text, found[i + 1] if i + 1 < len(found) else None)
            for i, (lang, text) in enumerate(found)]


def _literal(comment: str):
    """The Python literal a comment starts with, or raise ValueError."""
    comment = comment.strip()
    cuts = [len(comment)] + [m.start() for m in re.finditer(r":| \(|  ", comment)]
    for cut in sorted(set(cuts), reverse=True):
        try:
            return ast.literal_eval(comment[:cut].strip())
        except (ValueError, SyntaxError):
            continue
    raise ValueError(comment)


def _same(got, shown) -> bool:
    if isinstance(shown, float):
        decimals = len(repr(shown).split(".")[1]) if "." in repr(shown) else 0
        return isinstance(got, (int, float)) and abs(got - shown) <= 0.5 * 10 ** -decimals + 1e-12
    if isinstance(shown, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(shown)
                and all(_same(g, s) for g, s in zip(got, shown)))
    return got == shown


def _python_examples():
    for path in DOCS:
        for i, (lang, text, _) in enumerate(_blocks(path)):
            if lang == "python":
                yield pytest.param(text, id=f"{path.name}-python-{i}")


def _console_examples():
    for path in DOCS:
        for i, (lang, text, after) in enumerate(_blocks(path)):
            if lang != "console":
                continue
            for line in text.splitlines():
                if line.startswith("$ simvec "):
                    shown = after[1] if after is not None and after[0] == "" else None
                    marks = [pytest.mark.slow] if " evaluate " in line else []  # ~35 s
                    yield pytest.param(line[2:], shown, id=f"{path.name}-{i}-{line[9:40]}",
                                       marks=marks)


@pytest.mark.parametrize("code", list(_python_examples()))
def test_python_example_runs_and_shows_its_values(code, glove50, monkeypatch):
    import simvec

    monkeypatch.chdir(ROOT)  # README's paths are relative to the repository
    monkeypatch.setattr(simvec, "load", lambda name, **kw: glove50)  # the session's GloVe
    lines = code.splitlines()
    namespace: dict = {}
    checked = 0
    for stmt in ast.parse(code).body:
        value = None
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), "<example>", "eval"), namespace)
        else:
            exec(compile(ast.Module([stmt], []), "<example>", "exec"), namespace)
        end = lines[stmt.end_lineno - 1]
        comment = end.split("#", 1)[1] if "#" in end else ""
        if not comment.strip() and stmt.end_lineno < len(lines) \
                and lines[stmt.end_lineno].lstrip().startswith("#"):
            comment = lines[stmt.end_lineno].lstrip()[1:]
        if not isinstance(stmt, ast.Expr) or not comment.strip():
            continue
        try:
            shown = _literal(comment)
        except ValueError:
            continue  # a comment in words
        assert _same(value, shown), f"{ast.unparse(stmt)}: shows {shown!r}, gives {value!r}"
        checked += 1
    assert checked >= 2  # the checker did compare values


@pytest.mark.parametrize("command, shown", list(_console_examples()))
def test_console_example_runs_and_prints_what_is_shown(command, shown, glove50, monkeypatch,
                                                       tmp_path):
    monkeypatch.setattr(cli_app, "_load", lambda *a, **k: glove50)
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    (tmp_path / "docs" / "img").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli_app.app, shlex.split(command)[1:])
    assert res.exit_code == 0, res.output
    if shown is not None:
        printed = {tuple(line.translate(BOX).split()) for line in res.stdout.splitlines()}
        for line in shown.splitlines():
            if line.strip():
                assert tuple(line.split()) in printed, f"not printed: {line!r}"
    plots = [p for p in shlex.split(command) if p.endswith(".png")]
    for plot in plots:  # the committed picture is what the command draws, to the pixel size
        made, committed = (tmp_path / plot).read_bytes(), (ROOT / plot).read_bytes()
        assert made[:8] == committed[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", made[16:24]) == struct.unpack(">II", committed[16:24])
