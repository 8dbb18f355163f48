"""``brisa db import-airflow`` as a user runs it: output, exit codes, a second run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.store import schema as s
from tests.importer import airflow110
from tests.importer.conftest import BRISA_FERNET_KEY


def brisa(
    home: Path, *args: str, python: tuple[str, ...] = ("-m", "brisa.cli")
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.update(BRISA_HOME=str(home), BRISA__CORE__FERNET_KEY=BRISA_FERNET_KEY)
    command = [sys.executable, *python, "db", "import-airflow", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    return url


def _runs(home: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{home}/brisa.db")
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(s.dag_run)).scalar_one()
    engine.dispose()
    return count


def test_dry_run_prints_counts_per_kind_and_writes_nothing(tmp_path: Path, source: str) -> None:
    home = tmp_path / "brisa"
    home.mkdir()
    done = brisa(home, source, "--fernet-key", airflow110.FERNET_KEY, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Airflow 1.10 database (schema revision 03afc6b6f902" in done.stdout
    assert "Would import (dry run, nothing written):" in done.stdout
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line.startswith("  ")}
    assert rows["runs"] == ["3", "0", "1"] and rows["task_instances"] == ["6", "0", "2"]
    assert _runs(home) == 0


def test_import_then_again_adds_nothing_twice(tmp_path: Path, source: str) -> None:
    home = tmp_path / "brisa"
    home.mkdir()
    first = brisa(home, source, "--fernet-key", airflow110.FERNET_KEY)
    assert first.returncode == 0, first.stderr
    second = brisa(home, source, "--fernet-key", airflow110.FERNET_KEY)
    rows = {line.split()[0]: line.split()[1:] for line in second.stdout.splitlines() if line.startswith("  ")}
    assert rows["runs"] == ["0", "3", "1"] and rows["connections"] == ["0", "2", "0"]
    assert _runs(home) == 3


def test_a_missing_or_wrong_key_exits_8_and_imports_nothing(tmp_path: Path, source: str) -> None:
    home = tmp_path / "brisa"
    home.mkdir()
    missing = brisa(home, source)
    assert missing.returncode == 8 and "--fernet-key" in missing.stderr
    wrong = brisa(home, source, "--fernet-key", BRISA_FERNET_KEY)
    assert wrong.returncode == 8 and "cannot decrypt" in wrong.stderr
    assert _runs(home) == 0


def test_bad_arguments_are_usage_errors(tmp_path: Path, source: str) -> None:
    home = tmp_path / "brisa"
    home.mkdir()
    assert brisa(home, source, "--only", "runs,bogus").returncode == 2
    no_folder = brisa(home, source, "--only", "logs")
    assert no_folder.returncode == 2 and "--logs-folder" in no_folder.stderr
    unsupported = brisa(home, "oracle://x/y")
    assert unsupported.returncode == 2 and "unsupported source URL" in unsupported.stderr


def test_a_mysql_source_without_its_driver_is_a_one_line_error(tmp_path: Path) -> None:
    without_pymysql = (
        "import runpy, sys; sys.modules['pymysql'] = None; runpy.run_module('brisa.cli', run_name='__main__')"
    )
    done = brisa(tmp_path, "mysql://airflow@db.example.com/airflow", python=("-c", without_pymysql))
    assert done.returncode == 6, done.stderr
    [line] = done.stderr.splitlines()
    assert (
        line.startswith("Error: a MySQL source needs a MySQL driver") and "pip install 'brisa[mysql]'" in line
    )
