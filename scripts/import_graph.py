#!/usr/bin/env python3
"""Brisa's packages and the imports between them, imports inside functions included.

    python scripts/import_graph.py            # the cycles between packages, edge by edge
    python scripts/import_graph.py --edges    # every cross-package edge

A "package" is a sub-package of ``brisa`` (``brisa.scheduler``) or a top-level module
(``brisa.states``). An import inside a function counts like one at the top: it couples
the two just the same, it only hides the coupling from import-time cycle errors.
Imports under ``if TYPE_CHECKING:`` count too. tests/scripts/test_import_graph.py keeps
the layering this was written to check.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    module: str
    """The importing module, e.g. ``brisa.scheduler.loop``."""
    target: str
    """The imported module (or ``brisa.x`` for ``from brisa import x``)."""
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path) -> Iterator[Import]:
    """Every ``brisa`` import in one file, at any depth (functions, classes, ``if``)."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from brisa import states` imports a module; `from brisa.x import name` may not
            targets = [f"{base}.{a.name}" for a in node.names] if base == "brisa" else [base]
        else:
            continue
        for target in targets:
            if target == "brisa" or target.startswith("brisa."):
                yield Import(module, target, node.lineno)


def all_imports(root: Path) -> list[Import]:
    return [i for path in sorted((root / "brisa").rglob("*.py")) for i in imports_of(path, root)]


def package_of(module: str) -> str:
    """``brisa.scheduler.loop`` -> ``scheduler``; ``brisa.states`` -> ``states``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def cross_package(imports: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    """(importer package, imported package) -> the imports that make that edge."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in imports:
        frm, to = package_of(imp.module), package_of(imp.target)
        if frm != to:
            edges[(frm, to)].append(imp)
    return dict(edges)


def cycles(edges: Iterable[tuple[str, str]]) -> list[set[str]]:
    """The groups of packages that reach each other (strongly connected, more than one)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for frm, to in edges:
        graph[frm].add(to)
    reach = {node: _reachable(graph, node) for node in list(graph)}
    groups: list[set[str]] = []
    for node in sorted(reach):
        group = {other for other in reach[node] if node in reach.get(other, set())} | {node}
        if len(group) > 1 and group not in groups:
            groups.append(group)
    return groups


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edges", action="store_true", help="list every cross-package edge")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout holding brisa/")
    args = parser.parse_args(argv)
    edges = cross_package(all_imports(args.root))
    if args.edges:
        for (frm, to), found in sorted(edges.items()):
            print(f"{frm} -> {to}: " + ", ".join(f"{i.module}:{i.line}" for i in found))
        return 0
    groups = cycles(edges)
    for group in groups:
        print("cycle: " + ", ".join(sorted(group)))
        for (frm, to), found in sorted(edges.items()):
            if frm in group and to in group:
                print(f"  {frm} -> {to}: " + ", ".join(f"{i.module}:{i.line}" for i in found))
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
