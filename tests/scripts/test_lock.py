"""The lock check that scripts/install (and so scripts/test and CI) runs before installing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELOCK = "uv.lock does not match pyproject.toml: run scripts/lock and commit uv.lock."


def check_lock(project: Path) -> subprocess.CompletedProcess[str]:
    script = f'source "{ROOT}/scripts/lib/uv.sh" && ensure_uv && check_lock'
    return subprocess.run(["bash", "-c", script], cwd=project, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock", "constraints.txt", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_committed_lock_matches_pyproject(project: Path) -> None:
    result = check_lock(project)
    assert result.returncode == 0, result.stderr


def test_a_dependency_added_to_pyproject_alone_fails_saying_how_to_relock(project: Path) -> None:
    edit(project / "pyproject.toml", '    "pyyaml>=6.0",\n', '    "pyyaml>=6.0",\n    "six>=1.16",\n')
    result = check_lock(project)
    assert result.returncode != 0
    assert RELOCK in result.stderr


def test_a_range_the_locked_version_no_longer_meets_fails(project: Path) -> None:
    edit(project / "pyproject.toml", '"click>=8.1.7"', '"click<8"')
    result = check_lock(project)
    assert result.returncode != 0
    assert RELOCK in result.stderr


def test_constraints_edited_by_hand_fail(project: Path) -> None:
    edit(project / "constraints.txt", "click==", "click>=")
    result = check_lock(project)
    assert result.returncode != 0
    assert "constraints.txt does not match uv.lock: run scripts/lock" in result.stderr
