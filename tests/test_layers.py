"""The packages keep docs/architecture.md's layers: import-linter with pyproject.toml's
contracts (imports inside functions count); and what issue 16 made single stays single."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path, *, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        cwd=cwd,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_brisa_keeps_its_layers() -> None:
    result = lint_imports(ROOT, pythonpath=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_an_import_inside_a_function_breaks_the_layers(tmp_path: Path) -> None:
    # The issue asks for cycles "counting imports inside functions": grimp must see them.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "high.py").write_text("VALUE = 1\n")
    (pkg / "low.py").write_text("def late():\n    from pkg.high import VALUE\n    return VALUE\n")
    (tmp_path / ".importlinter").write_text(
        textwrap.dedent(
            """
            [importlinter]
            root_package = pkg

            [importlinter:contract:layers]
            name = layers
            type = layers
            containers = pkg
            layers =
                high
                low
            """
        )
    )
    result = lint_imports(tmp_path, pythonpath=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pkg.low -> pkg.high (l.2)" in result.stdout


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
