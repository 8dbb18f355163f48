"""The packages keep docs/architecture.md's layers: import-linter with pyproject.toml's contract."""

import subprocess
import sys
import textwrap
from pathlib import Path

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
    assert "1 kept, 0 broken" in result.stdout


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
