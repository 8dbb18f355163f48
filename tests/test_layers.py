"""The packages' layers, imports inside functions included (an ``ast`` pass, no imports).

process and tries sit below executors, runner and scheduler; the runner never imports
the executors; no two of these packages import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BRISA = Path(__file__).resolve().parent.parent / "brisa"
UPPER = {"executors", "runner", "scheduler", "services", "api", "cli", "ui"}
CHECKED = ("process", "tries", "loader", "runner", "executors", "scheduler")
MOVING = {"brisa.runner.adhoc"}
"""``brisa tasks``/``dags test`` helpers, moving to services/CLI in their own change: they
build everything, as the CLI does. Nothing may import them but the CLI (and the loader's
DagBag for local secrets, until that move)."""


def _module(path: Path) -> str:
    parts = path.relative_to(BRISA.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("brisa.")}


def _package_edges() -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the importing modules."""
    edges: dict[str, dict[str, set[str]]] = {}
    for path in BRISA.rglob("*.py"):
        module = _module(path)
        parts = module.split(".")
        if len(parts) < 3 or module in MOVING:
            continue
        for name in _imports(path):
            if any(name == m or name.startswith(m + ".") for m in MOVING) and parts[1] == "loader":
                continue
            target = name.split(".")[1]
            if target != parts[1] and (BRISA / target).is_dir():
                edges.setdefault(parts[1], {}).setdefault(target, set()).add(module)
    return edges


@pytest.mark.parametrize("package", ["process", "tries"])
def test_the_low_layers_import_nothing_above_them(package: str) -> None:
    upward = {k: v for k, v in _package_edges().get(package, {}).items() if k in UPPER}
    assert upward == {}


def test_the_runner_does_not_import_the_executors_or_the_scheduler() -> None:
    runner = _package_edges().get("runner", {})
    assert {k: v for k, v in runner.items() if k in {"executors", "scheduler", "cli", "api", "ui"}} == {}


@pytest.mark.parametrize("first", CHECKED)
def test_no_two_packages_import_each_other(first: str) -> None:
    edges = _package_edges()
    for second in edges.get(first, {}):
        if second in CHECKED:
            back = edges.get(second, {}).get(first)
            assert not back, f"{first} <-> {second}: {sorted(edges[first][second])} / {sorted(back or ())}"
