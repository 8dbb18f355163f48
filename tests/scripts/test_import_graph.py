"""scripts/import_graph.py, and the layering it checks: the pure planners below the
services, the services below the scheduler, the loader and runner below the CLI, no
production module on ``brisa.testing``, and the shared definitions defined once."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


graph = _load_script()


@pytest.fixture(scope="module")
def edges() -> dict[tuple[str, str], list]:
    return graph.cross_package(graph.all_imports(ROOT))


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_imports_inside_functions_and_relative_ones_count(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "brisa/__init__.py": "",
            "brisa/low/__init__.py": "from . import mod\n",
            "brisa/low/mod.py": "def f():\n    from brisa.high.top import g\n",
            "brisa/high/__init__.py": "",
            "brisa/high/top.py": "from ..low import mod\nfrom brisa import states\nimport os\n",
            "brisa/states.py": "",
        },
    )
    found = graph.cross_package(graph.all_imports(tmp_path))
    assert set(found) == {("low", "high"), ("high", "low"), ("high", "states")}
    assert [(i.module, i.target, i.line) for i in found[("low", "high")]] == [
        ("brisa.low.mod", "brisa.high.top", 2)
    ]
    assert graph.cycles(found) == [{"high", "low"}]


def test_cycles_are_whole_groups_and_acyclic_graphs_have_none() -> None:
    assert graph.cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [{"a", "b", "c"}]
    assert graph.cycles([("a", "b"), ("b", "c"), ("a", "c")]) == []


def test_the_script_exits_1_and_names_the_edges_of_a_cycle(capsys, tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "brisa/__init__.py": "",
            "brisa/a.py": "def f():\n    import brisa.b\n",
            "brisa/b.py": "import brisa.a\n",
        },
    )
    assert graph.main(["--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "cycle: a, b" in out
    assert "a -> b: brisa.a:2" in out
    (tmp_path / "brisa/b.py").write_text("")
    assert graph.main(["--root", str(tmp_path)]) == 0


def _targets(edges: dict, frm: str, to: str) -> set[str]:
    return {i.target for i in edges.get((frm, to), [])}


@pytest.mark.parametrize("upper", ["scheduler", "services", "executors", "runner", "api", "ui", "cli"])
def test_the_pure_planners_import_nothing_above_them(edges, upper: str) -> None:
    assert ("plan", upper) not in edges


@pytest.mark.parametrize("upper", ["scheduler", "executors", "api", "ui", "cli"])
def test_the_services_do_not_import_what_uses_them(edges, upper: str) -> None:
    assert ("services", upper) not in edges


@pytest.mark.parametrize("lower", ["loader", "runner", "scheduler", "services", "sdk"])
def test_nothing_below_the_cli_imports_it_but_dag_test(edges, lower: str) -> None:
    if lower == "sdk":
        # dag.test() is DAG code asking to be run as `brisa dags test` runs it: an entry
        # point, like the command itself.
        assert {i.module for i in edges.get(("sdk", "cli"), [])} == {"brisa.sdk.dag"}
    else:
        assert (lower, "cli") not in edges


def test_the_loader_never_reaches_the_runner(edges) -> None:
    # The control channel's runtime is process plumbing shared by parse, task and callback
    # children: it lives in brisa/process, below the loader.
    assert _targets(edges, "loader", "runner") == set()


def test_states_name_nothing_of_the_store(edges) -> None:
    assert ("states", "store") not in edges


def test_no_production_module_imports_the_test_helpers(edges) -> None:
    assert [frm for frm, to in edges if to == "testing"] == []


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    return False


def _definitions(name: str) -> list[str]:
    """The modules defining ``name`` at their top level (methods of that name aside)."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "brisa").rglob("*.py")
        if any(_defines(node, name) for node in ast.parse(path.read_text()).body)
    )


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("STATE_PRIORITY", "brisa/states.py"),
        ("end_job", "brisa/store/jobs.py"),
        ("XComRecord", "brisa/store/records.py"),
        ("parse_when", "brisa/timetables/base.py"),
        ("memory_store", "brisa/store/memory.py"),
    ],
)
def test_shared_definitions_exist_once(name: str, home: str) -> None:
    assert _definitions(name) == [home]
