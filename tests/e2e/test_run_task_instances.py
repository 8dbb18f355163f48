"""``dag_run.get_task_instances()`` / ``get_task_instance()`` through the real scheduler,
LocalExecutor and DAG callback child, as Airflow failure alerts use them."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow

DAG_ID = "e2e_run_task_instances"


def test_tasks_and_callbacks_read_the_runs_task_instances(deployed):
    deployed.add_dags("run_task_instances")
    deployed.start_scheduler(api__base_url="https://brisa.example.com")
    deployed.wait_for_dags(DAG_ID)
    run_id = deployed.trigger(DAG_ID)
    assert deployed.wait_for_run(DAG_ID, run_id).state.value == "failed"
    assert deployed.states(DAG_ID, run_id) == {
        "extract": "failed",
        "inspect": "success",
        "load": "upstream_failed",
    }

    # A task reads a sibling (and the run, itself running) from the store through its supervisor.
    inspect = _marker(deployed, "inspect")
    assert inspect["extract"] == ["failed", 1, True]
    assert inspect["all"] == [["extract", "failed"], ["inspect", "running"], ["load", "upstream_failed"]]
    assert inspect["missing"] is None

    # The task's own failure callback sees it failed, as in Airflow (the store says so later).
    assert _marker(deployed, "task_callback") == [["extract", "failed"]]

    # The DAG's failure callback runs in a callback child, answered by the scheduler.
    seen = deployed.wait(lambda: _marker(deployed, "dag_callback"), what="the DAG callback", timeout=30)
    assert seen["failed"] == [["extract", "failed"]]
    assert seen["not_run"] == [["load", "upstream_failed"]]
    assert seen["all"] == [["extract", "failed"], ["inspect", "success"], ["load", "upstream_failed"]]
    assert seen["log_urls"] == [
        f"https://brisa.example.com/dags/{DAG_ID}/task?run_id={quote(run_id, safe='')}&task_id=extract"
    ]
    assert seen["reason"] == "task_failure"


def _marker(deployed, name: str):
    """What the DAG wrote to ``markers/<name>.json``; None until it is there, whole."""
    try:
        return json.loads((deployed.markers / f"{name}.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
