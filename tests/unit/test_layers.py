"""Layers that hold: no two modules of ``sim`` need each other, directly or round a circle.

Every import counts, those under ``TYPE_CHECKING`` and those inside functions too: a
type-only or a lazy cycle still means two rooms that each need the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).resolve().parent


def module_graph() -> dict[str, set[str]]:
    """Each module of ``sim`` and the modules of ``sim`` it imports."""
    mods = {
        ".".join(p.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in ROOT.rglob("*.py")
    }
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            for name in names:
                while name and name not in mods:
                    name = name.rsplit(".", 1)[0] if "." in name else ""
                if name and name not in (mod, "sim"):
                    graph[mod].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_in_sim() -> None:
    assert cycles(module_graph()) == []


def test_the_check_sees_a_cycle() -> None:
    graph = module_graph()
    assert "sim.commands" in graph["sim.cli"]  # cli runs the commands (lazily)
    graph["sim.commands"].add("sim.cli")  # the import that once closed the circle
    assert ["sim.cli", "sim.commands"] in cycles(graph)
