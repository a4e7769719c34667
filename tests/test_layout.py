"""The package layout: library packages hold no command line, simvec.vectors has no import circle,
and the old command-line module paths still work (with a DeprecationWarning)."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "simvec"
LIBRARY = ("word2vec", "elmo", "classify", "keras", "vectors", "text")
SHIMS = {
    "simvec.classify.cli": "simvec.cli.classify",
    "simvec.elmo.cli": "simvec.cli.elmo",
    "simvec.word2vec.cli": "simvec.cli.train",
}
# the keyword side (simvec/elmo/keywords.py) is being reorganised separately
NOT_YET = {"simvec.elmo.keywords"}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set:
    """Every module a file imports, at any depth (function-level imports included)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _files(*packages):
    for p in packages:
        yield from sorted((ROOT / p).rglob("*.py"))


def test_library_packages_hold_no_command_line():
    bad = []
    for path in _files(*LIBRARY):
        name = _module(path)
        if name in SHIMS or name in NOT_YET:
            continue
        for mod in _imports(path):
            if mod == "typer" or mod.startswith("typer.") or mod == "simvec.cli" \
                    or mod.startswith("simvec.cli."):
                bad.append(f"{name} imports {mod}")
    assert bad == []


def test_vectors_package_has_no_import_circle():
    graph = {}
    for path in _files("vectors"):
        name = _module(path)
        graph[name] = {m for m in _imports(path) if m.startswith("simvec.vectors.")
                       and m in {_module(p) for p in _files("vectors")} and m != name}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                pytest.fail("circle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert "simvec.vectors.formats" not in graph["simvec.vectors.keyed"]
    assert "simvec.vectors.keyed" not in graph["simvec.vectors._io"]


@pytest.mark.parametrize("old", sorted(SHIMS))
def test_old_cli_paths_warn_and_reexport(old, monkeypatch):
    new = importlib.import_module(SHIMS[old])
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {SHIMS[old]}"):
        shim = importlib.import_module(old)
    assert shim.__all__ == new.__all__
    assert all(getattr(shim, n) is getattr(new, n) for n in new.__all__)
