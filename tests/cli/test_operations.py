"""First-run traps as a user meets them in a real process: each is one line saying what to do."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW")) and k != "PORT"}
    env.update(BRISA_HOME=str(home), BRISA__CORE__LOAD_EXAMPLES="False", **extra)
    return env


def _brisa(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_an_unusable_brisa_home_is_one_line_naming_it(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _brisa("db", "migrate", env=_env(blocker / "home"))
    assert result.returncode == 11
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: cannot use {blocker / 'home'}: Not a directory")
    assert "BRISA_HOME" in line


def test_a_mysql_url_is_refused_in_one_line(tmp_path):
    result = _brisa("db", "migrate", env=_env(tmp_path, DATABASE_URL="mysql://root@127.0.0.1:3306/airflow"))
    assert result.returncode == 6
    assert "Traceback" not in result.stderr
    assert "not mysql://" in result.stderr and "postgresql://" in result.stderr


def test_standalone_on_a_busy_port_names_the_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(tmp_path, PORT=str(port), BRISA__API__HOST="127.0.0.1")
        result = _brisa("standalone", env=env, timeout=120)
    assert result.returncode == 6
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in result.stderr
    assert "--port" in result.stderr


def test_dags_test_opens_without_alembic_lines(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "one.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "with DAG('one', schedule=None, start_date=datetime(2024, 1, 1)):\n"
        "    EmptyOperator(task_id='only')\n"
    )
    (tmp_path / "home").mkdir()
    env = _env(tmp_path / "home", AIRFLOW__CORE__DAGS_FOLDER=str(dags))
    result = _brisa("dags", "test", "one", "2024-01-01", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("--- only") or "only: success" in result.stdout
    assert "alembic" not in result.stdout and "Context impl" not in result.stdout


@pytest.mark.postgres
def test_the_seeds_journey_initdb_then_airflow_cfg_then_initdb_migrates_postgresql(
    tmp_path, pg_scratch_database
):
    # The blog: `airflow initdb` (SQLite), edit airflow.cfg's sql_alchemy_conn, `initdb` again.
    home = tmp_path / "airflow"
    home.mkdir()
    env = _env(home, AIRFLOW_HOME=str(home))
    env.pop("BRISA_HOME")
    first = _brisa("initdb", env=env)
    assert first.returncode == 0, first.stderr
    assert f"sqlite:///{home}/brisa.db" in first.stdout
    assert (home / "brisa.cfg").exists()  # the generated keys
    (home / "airflow.cfg").write_text(
        "[core]\n"
        f"sql_alchemy_conn = postgresql+psycopg2://postgres@127.0.0.1:5432/{pg_scratch_database}\n"
        "load_examples = False\n"
    )
    second = _brisa("initdb", env=env)
    assert second.returncode == 0, second.stderr
    assert f"127.0.0.1:5432/{pg_scratch_database}" in second.stdout
    assert "Warning" not in second.stderr  # brisa.cfg holds only keys: nothing disagrees
    listed = _brisa("config", "get-value", "core", "load_examples", env=env)
    assert listed.stdout.strip() == "False"
