"""PythonVirtualenvOperator through the real scheduler and LocalExecutor: two tries
started together share one cached environment (built once, under its lock file), and
their return values reach a downstream task as XComs."""

from __future__ import annotations

import json

import pytest

from brisa.store.records import TaskKey

pytestmark = pytest.mark.slow

DAG_ID = "e2e_virtualenv"


def test_virtualenv_tasks_share_one_cached_env_and_push_their_results(deployed):
    deployed.add_dags("virtualenv")
    deployed.start_scheduler()
    deployed.wait_for_dags(DAG_ID)
    run_id = deployed.trigger(DAG_ID)
    run = deployed.wait_for_run(DAG_ID, run_id, timeout=240)
    assert run.state.value == "success", deployed.details()

    pythons = list((deployed.home / "venvs" / "e2e").glob("venv-*/bin/python"))
    assert len(pythons) == 1
    ds = run.logical_date.strftime("%Y-%m-%d")
    pulled = json.loads((deployed.markers / "virtualenv.json").read_text())
    assert pulled == [
        {"name": name, "ds": ds, "six": "1.16.0", "python": str(pythons[0])} for name in ("first", "second")
    ]
    logs = [deployed.log(TaskKey(DAG_ID, run_id, name, -1), 1) for name in ("first", "second")]
    assert sum("New Python virtual environment created" in log for log in logs) == 1
    assert sum("Reusing cached Python virtual environment" in log for log in logs) == 1
