"""The package's import structure: no cycles, no private names across packages, no CLI below.

Every ``import`` / ``from ... import`` statement of ``simvec/`` (at module level or inside a
function: an import hidden in a function to dodge a cycle is still a cycle) is read with
:mod:`ast`; ``bench/`` is checked for private names too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "simvec"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]):
    """``(imported module, imported name or None, line)`` for each simvec import of ``path``."""
    name = _module_name(path)
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "simvec":
                    yield a.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "simvec":
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if sub in modules:  # "from simvec.keywords import scorers": a module
                    yield sub, None, node.lineno
                else:
                    yield mod, a.name, node.lineno


def _package(module: str) -> str:
    """``simvec.keywords`` for ``simvec.keywords.topk``; ``simvec`` for root modules."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or (PKG / parts[-1]).is_dir() else "simvec"


@pytest.fixture(scope="module")
def graph():
    files = sorted(PKG.rglob("*.py"))
    modules = {_module_name(f) for f in files}
    edges = {m: set() for m in modules}
    found = []
    for f in files:
        src = _module_name(f)
        for mod, name, line in _imports(f, modules):
            found.append((src, mod, name, f"{f.relative_to(ROOT)}:{line}"))
            if mod in modules and mod != src:
                edges[src].add(mod)
    return edges, found


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle(graph):
    edges, _ = graph
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(edges) == [["a", "b", "c"]]


def _private_violation(src: str, mod: str, name: str | None) -> bool:
    if _package(src) == _package(mod):
        return False
    parts = mod.split(".")
    # a private module inside another subpackage (simvec.vectors._io); the root's shared
    # helpers (simvec._util, simvec._lazy) are meant for every package
    if any(p.startswith("_") for p in parts[2:]) or (
            len(parts) > 2 and parts[1].startswith("_")):
        return True
    return name is not None and name.startswith("_") and not name.startswith("__")


def test_no_private_name_across_packages(graph):
    _, found = graph
    bad = [where for src, mod, name, where in found if _private_violation(src, mod, name)]
    assert bad == []


def test_bench_uses_no_private_name():
    bad = []
    modules = {_module_name(f) for f in PKG.rglob("*.py")}
    for f in sorted((ROOT / "bench").glob("*.py")):
        for mod, name, line in _imports(f, modules):
            if any(p.startswith("_") for p in mod.split(".")[1:]) or (
                    name is not None and name.startswith("_")):
                bad.append(f"{f.relative_to(ROOT)}:{line} {mod} {name}")
    assert bad == []


def test_private_rule_catches_crossings():
    assert _private_violation("simvec.eval.retrieval", "simvec.keywords.collection", "_read")
    assert _private_violation("simvec.cli.keywords", "simvec.vectors._io", "atomic_write")
    assert not _private_violation("simvec.kernels.analogy", "simvec.kernels.topk", "_block_scores")
    assert not _private_violation("simvec.keywords.scorers", "simvec._util", "normalize_rows")


def _is_shim(module: str) -> bool:
    """An old module path kept for one release (its docstring starts with "Deprecated")."""
    path = ROOT / (module.replace(".", "/") + ".py")
    return path.is_file() and path.read_text(encoding="utf-8").lstrip('"').startswith("Deprecated")


def test_library_never_imports_the_cli(graph):
    _, found = graph
    bad = [where for src, mod, _, where in found
           if not src.startswith("simvec.cli") and src != "simvec.__main__"
           and mod.startswith("simvec.cli") and not _is_shim(src)]
    assert bad == []


def test_library_packages_have_no_typer():
    bad = [str(f.relative_to(ROOT)) for f in PKG.rglob("*.py")
           if "cli" not in f.relative_to(PKG).parts and f.name != "__main__.py"
           and "import typer" in f.read_text(encoding="utf-8")
           and not _is_shim(_module_name(f))]
    assert bad == []


# the old module paths: each warns once on import and forwards to the new home (one release)
SHIMS = {
    "simvec.classify.cli": "simvec.cli.classify",
    "simvec.elmo.cli": "simvec.cli.elmo",
    "simvec.word2vec.cli": "simvec.cli.train",
    "simvec.evaluation": "simvec.eval.words",
    "simvec.phrase_eval": "simvec.eval.phrases",
    "simvec.retrieval": "simvec.eval.retrieval",
    "simvec.weighting": "simvec.keywords.weighting",
}


@pytest.mark.parametrize("old", sorted(SHIMS))
def test_old_paths_warn_and_reexport(old, monkeypatch):
    import importlib
    import sys

    new = importlib.import_module(SHIMS[old])
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {SHIMS[old]}"):
        shim = importlib.import_module(old)
    assert list(shim.__all__) == list(new.__all__)
    assert all(getattr(shim, n) is getattr(new, n) for n in new.__all__)
