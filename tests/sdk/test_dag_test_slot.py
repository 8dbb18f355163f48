"""dag.test() finds its runner without the SDK importing the CLI (brisa/sdk/dag_test.py):
registered by the layers above, else Brisa's ``brisa.dag_test`` entry point, else an error."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from brisa.errors import ConfigError
from brisa.sdk import DAG
from brisa.sdk import dag_test as slot
from brisa.sdk.dag_test import dag_test_runner, set_dag_test_runner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_slot() -> Iterator[None]:
    saved = slot._Slot.runner
    set_dag_test_runner(None)
    yield
    set_dag_test_runner(saved)


def write_dist(folder: Path, target: str) -> None:
    """A distribution on ``folder`` declaring ``target`` in the brisa.dag_test group, as the
    wheel's metadata does (importlib.metadata reads any *.dist-info on sys.path)."""
    info = folder / "brisa_dag_test_probe-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brisa-dag-test-probe\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[brisa.dag_test]\nprobe = {target}\n")


def test_dag_test_calls_the_registered_runner_with_the_dag_and_its_options():
    calls = []

    def runner(dag, when, *, conf=None, mark_success_pattern=None):
        calls.append((dag.dag_id, when, conf, mark_success_pattern))
        return "success"

    set_dag_test_runner(runner)
    dag = DAG("slot", schedule=None, start_date=datetime(2024, 1, 1))
    assert dag.test(logical_date=datetime(2024, 3, 1, tzinfo=UTC), run_conf={"a": 1}) == "success"
    assert calls == [("slot", datetime(2024, 3, 1, tzinfo=UTC), {"a": 1}, None)]


def test_without_a_registered_runner_the_entry_point_is_loaded(tmp_path, monkeypatch):
    write_dist(tmp_path, "brisa_probe_runner:run")
    (tmp_path / "brisa_probe_runner.py").write_text("def run(dag, when, **options):\n    return 'probed'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import brisa_probe_runner

    assert dag_test_runner() is brisa_probe_runner.run
    monkeypatch.delitem(sys.modules, "brisa_probe_runner")


def test_with_neither_dag_test_says_how_to_get_one(monkeypatch):
    # An environment where Brisa is not installed (no distribution declares the group).
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [])
    dag = DAG("alone", schedule=None, start_date=datetime(2024, 1, 1))
    with pytest.raises(ConfigError, match=r"brisa\.dag_test"):
        dag.test()


def test_the_cli_registers_its_runner_and_pyproject_declares_it():
    from brisa import runtime
    from brisa.cli.outside import run_dag_test, use_store_outside_tasks

    saved = runtime._OutsideRuntime.factory
    use_store_outside_tasks()
    try:
        assert dag_test_runner() is run_dag_test
    finally:  # it also gave DAG code outside tasks a runtime: later tests expect none
        runtime.set_outside_runtime(saved)
    assert (
        '[project.entry-points."brisa.dag_test"]\nbrisa = "brisa.cli.outside:run_dag_test"'
        in (ROOT / "pyproject.toml").read_text()
    )


SDK_ONLY_DAG = """
from datetime import datetime
from brisa.sdk import DAG, task

with DAG("sdk_only", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    @task
    def hello():
        print("hello from the sdk")

    hello()

if __name__ == "__main__":
    print("final state:", dag.test())
"""


@pytest.mark.slow
def test_python_dag_file_importing_only_the_sdk_runs_dag_test_through_the_entry_point(tmp_path):
    # No `import airflow` (so no hook) and no CLI: only the installed entry point can say who runs it.
    write_dist(tmp_path / "site", "brisa.cli.outside:run_dag_test")
    dag_file = tmp_path / "dags" / "sdk_only.py"
    dag_file.parent.mkdir()
    dag_file.write_text(textwrap.dedent(SDK_ONLY_DAG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "PYTHONPATH"))}
    env.update(
        PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path / 'site'}",
        BRISA_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(dag_file.parent),
        BRISA__CORE__LOAD_EXAMPLES="False",
        BRISA_AIRFLOW_HOOK="0",
    )
    result = subprocess.run(
        [sys.executable, str(dag_file)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "hello from the sdk" in result.stdout
    assert "final state: success" in result.stdout


AIRFLOW_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("hooked", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    BashOperator(task_id="say", bash_command="echo hello from the hook")

if __name__ == "__main__":
    print("final state:", dag.test())
"""


@pytest.mark.slow
def test_python_dag_file_importing_airflow_runs_dag_test_through_the_hook(tmp_path):
    # What brisa-airflow.pth does at interpreter start, then `python hooked.py`; no entry point.
    dag_file = tmp_path / "dags" / "hooked.py"
    dag_file.parent.mkdir()
    dag_file.write_text(textwrap.dedent(AIRFLOW_DAG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "PYTHONPATH"))}
    env.update(
        PYTHONPATH=str(ROOT),
        BRISA_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(dag_file.parent),
        BRISA__CORE__LOAD_EXAMPLES="False",
    )
    start = (
        "import runpy, sys, brisa.airflow_hook as h; h.install(); "
        "runpy.run_path(sys.argv[1], run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", start, str(dag_file)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "hello from the hook" in result.stdout
    assert "final state: success" in result.stdout
