"""DAG-level callbacks: Airflow's ``reason`` values and the run's task instances."""

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from brisa.runner.callbacks import (
    CallbackRuntime,
    _CallbackChild,
    airflow_reason,
    call_dag_callback,
    callback_payload,
)
from brisa.runner.store_runtime import TaskInstanceReader
from brisa.runtime import NoRuntimeError
from brisa.states import RunState

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "scheduler_reason", "expected"),
    [
        (RunState.SUCCESS, "", "success"),
        (RunState.FAILED, "a leaf task failed", "task_failure"),
        (RunState.FAILED, "deadlocked: no task can run any more", "task_failure"),
        (RunState.FAILED, "timed out (dagrun_timeout)", "timed_out"),
        (RunState.FAILED, "", "task_failure"),
    ],
)
def test_callback_reason_is_airflows(state, scheduler_reason, expected):
    assert airflow_reason(state, scheduler_reason) == expected


# -- the run's task instances in DAG-level callbacks -----------------------------------------
FAILURE_ALERT_DAG = """
import json
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.operators.bash import BashOperator

def alert(context):
    failed = context["dag_run"].get_task_instances(state="failed")
    lines = [f"{ti.task_id} {ti.state} {ti.try_number} {ti.log_url}" for ti in failed]
    Path(__file__).with_name("alert.txt").write_text("\\n".join(lines))

with DAG("alerting", schedule=None, start_date=datetime(2024, 1, 1), on_failure_callback=alert):
    extract = BashOperator(task_id="extract", bash_command="exit 1")
    extract >> BashOperator(task_id="load", bash_command="true")
"""


def _failed_run(store, path):
    from brisa.loader import parse_file
    from brisa.services.runs import trigger_run
    from brisa.states import TaskState, advance_ti
    from brisa.store.records import TaskKey

    (dag,) = parse_file(str(path), timeout=30).dags
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = trigger_run(tx, dag, now=T0)
        key = TaskKey("alerting", run.run_id, "extract")
        advance_ti(tx, key, None, TaskState.SCHEDULED)
        advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1)
        advance_ti(tx, key, TaskState.QUEUED, TaskState.RUNNING)
        advance_ti(tx, key, TaskState.RUNNING, TaskState.FAILED)
        advance_ti(tx, TaskKey("alerting", run.run_id, "load"), None, TaskState.UPSTREAM_FAILED)
    return dag, run


def test_a_dag_failure_callback_reads_the_failed_task_instances(memory_store, tmp_path):
    path = tmp_path / "alerting.py"
    path.write_text(FAILURE_ALERT_DAG)
    dag, run = _failed_run(memory_store, path)
    payload = callback_payload(dag, run, RunState.FAILED, "a leaf task failed")
    assert call_dag_callback(payload, TaskInstanceReader(memory_store)) == 0
    task_id, state, try_number, log_url = (tmp_path / "alert.txt").read_text().split(" ")
    assert (task_id, state, try_number) == ("extract", "failed", "1")
    assert log_url.endswith(f"/dags/alerting/task?run_id={quote(run.run_id, safe='')}&task_id=extract")


def test_the_scheduler_answers_a_callback_child_only_about_task_instances(memory_store, tmp_path):
    path = tmp_path / "alerting.py"
    path.write_text(FAILURE_ALERT_DAG)
    _, run = _failed_run(memory_store, path)
    child = _CallbackChild("cb", 0.0, TaskInstanceReader(memory_store))
    rows = child.on_request(
        "get_task_instances", {"dag_id": "alerting", "run_id": run.run_id, "states": [None]}
    )
    assert rows == []
    row = child.on_request(
        "get_task_instance", {"dag_id": "alerting", "run_id": run.run_id, "task_id": "load", "map_index": -1}
    )
    assert (row["task_id"], row["state"]) == ("load", "upstream_failed")
    with pytest.raises(ValueError, match="get_variable"):
        child.on_request("get_variable", {"key": "secret"})


def test_a_dag_callback_has_no_secrets_or_xcoms_but_may_mask(memory_store):
    runtime = CallbackRuntime(TaskInstanceReader(memory_store))
    runtime.mask_secret("hidden")  # the output is no try's log: nothing to do, no error
    with pytest.raises(NoRuntimeError, match=r"reading variable 'v'.*task instances"):
        runtime.get_variable("v")
    with pytest.raises(NoRuntimeError, match="pulling an XCom"):
        runtime.xcom_pull(dag_id="d", run_id="r", task_ids=["t"], key=None, map_indexes=None)
