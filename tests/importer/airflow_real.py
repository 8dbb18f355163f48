"""Real Airflow metadata databases, made by Airflow's own CLI in a cached virtualenv.

``airflow_venv(version)`` installs Apache Airflow into ``$BRISA_TEST_CACHE/airflow-<version>``
(default ``~/.cache/brisa-test``) once; a failed install fails the test with pip's output.
``make_source`` then runs ``airflow db migrate``, ``connections add``, ``variables set``,
``pools set``, users (FAB's ``users create`` on 2.x, the simple auth manager's generated
passwords on 3.x), ``dags reserialize``/``unpause``/``test``/``trigger`` against SQLite or
PostgreSQL, so the importer reads what Airflow itself wrote.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FERNET_KEY = "TfNvz1dnMzZ2sRXh6chRQjmG2KBSdhVQ7zNa0VqMIOo="
FAB_PASSWORD = "old-airflow-pass"
INSTALL_TIMEOUT = 1200
STEP_TIMEOUT = 180

PINS = {
    # cryptography 44+ made MultiFernet immutable; Airflow 2.10 sets an attribute on it.
    "2.10.5": ("apache-airflow==2.10.5", "cryptography<44", "psycopg2-binary"),
    "3.3.2": ("apache-airflow==3.3.2", "psycopg2-binary", "asyncpg"),  # 3 also opens an async engine
}

_ETL = """
from datetime import datetime
from {dag_module} import DAG
from {bash_module} import BashOperator

with DAG("etl", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as dag:
    BashOperator(task_id="extract", bash_command="echo extract") >> BashOperator(
        task_id="load", bash_command="echo load"
    )

with DAG("reports", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as reports:
    BashOperator(task_id="build", bash_command="exit 1", retries=0) >> BashOperator(
        task_id="send", bash_command="echo send"
    )
"""
_MODULES = {
    "2": {"dag_module": "airflow", "bash_module": "airflow.operators.bash"},
    "3": {"dag_module": "airflow.sdk", "bash_module": "airflow.providers.standard.operators.bash"},
}


def cache_root() -> Path:
    return Path(os.environ.get("BRISA_TEST_CACHE") or Path.home() / ".cache" / "brisa-test")


def airflow_venv(version: str) -> Path:
    """The virtualenv with Airflow ``version``, installed on first use (under a lock)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv, wanted = root / f"airflow-{version}", " ".join(PINS[version])
    marker = venv / ".brisa-installed"
    with open(root / f".airflow-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == wanted:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        _install(venv, PINS[version])
        marker.write_text(wanted)
    return venv


def _install(venv: Path, pins: tuple[str, ...]) -> None:
    steps = [[sys.executable, "-m", "venv", str(venv)], [str(venv / "bin" / "pip"), "install", "-q", *pins]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        if done.returncode != 0:
            pytest.fail(f"installing Airflow failed: {' '.join(step)}\n{done.stdout}\n{done.stderr}")


@dataclass
class AirflowSource:
    version: str
    url: str
    """The URL Brisa reads it at."""
    home: Path
    simple_auth_users: str = ""
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.version.split(".")[0]


def make_source(version: str, airflow_url: str, brisa_url: str, home: Path) -> AirflowSource:
    venv = airflow_venv(version)
    source = AirflowSource(version=version, url=brisa_url, home=home)
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "etl.py").write_text(_ETL.format(**_MODULES[source.family]))
    env = _env(home, airflow_url)
    if source.family == "3":
        source.simple_auth_users = "maria:admin,bob:viewer"
        env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = source.simple_auth_users
    airflow = str(venv / "bin" / "airflow")
    for step in _steps(source.family):
        _run([airflow, *step], env, must_pass=step[:2] != ["dags", "test"] or step[2] == "etl")
    if source.family == "3":
        module = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager"
        init = f"from {module} import SimpleAuthManager as M; M().init()"
        _run([str(venv / "bin" / "python"), "-c", init], env)
        source.passwords = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())
    return source


def _env(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA", "PYTHON"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=url,
        AIRFLOW__CORE__FERNET_KEY=FERNET_KEY,
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
    )
    return env


def _steps(family: str) -> list[list[str]]:
    steps = [
        ["db", "migrate"],
        [
            "connections",
            "add",
            "warehouse",
            "--conn-uri",
            "postgres://etl:pg-secret@db.example.com:5432/wh?sslmode=require",
        ],
        ["variables", "set", "env", "production"],
        ["variables", "set", "plain", '{"a": 1}'],
        ["pools", "set", "db", "3", "database pool"],
    ]
    if family == "2":
        steps += [
            ["sync-perm"],
            [
                "users",
                "create",
                "-u",
                "maria",
                "-p",
                FAB_PASSWORD,
                "-r",
                "Admin",
                "-f",
                "Maria",
                "-l",
                "Silva",
                "-e",
                "m@x.io",
            ],
            [
                "users",
                "create",
                "-u",
                "bob",
                "-p",
                FAB_PASSWORD,
                "-r",
                "Viewer",
                "-f",
                "Bob",
                "-l",
                "B",
                "-e",
                "b@x.io",
            ],
        ]
    return [
        *steps,
        ["dags", "reserialize"],
        ["dags", "unpause", "etl"],
        ["dags", "test", "etl", "2024-01-01"],
        ["dags", "test", "reports", "2024-01-02"],
        ["dags", "trigger", "etl"],
    ]


def _run(command: list[str], env: dict[str, str], *, must_pass: bool = True) -> None:
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT, cwd=env["AIRFLOW_HOME"]
    )
    if must_pass and done.returncode != 0:
        pytest.fail(
            f"{' '.join(command[1:])} failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
