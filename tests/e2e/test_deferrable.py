"""Deferrable tasks through the real ``brisa scheduler`` (its triggerer thread), ``brisa
triggerer`` processes, and kill -9, on SQLite and PostgreSQL.

The DAGs' triggers wait for files the tests create (``dags/e2e_triggers.py``) and log
each run of themselves to ``markers/trigger_runs``: ``run <name> <trigger id> <pid>``.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from brisa.store.records import TaskKey
from tests.e2e.deployment import DAG_SOURCES, Deployment

pytestmark = pytest.mark.slow

MANY = "e2e_deferrable_many"
NAMES = [f"many_{i}" for i in range(6)]


def _with_triggers(deployed: Deployment, *dags: str) -> None:
    deployed.add_dags(*dags)
    shutil.copy(DAG_SOURCES / "e2e_triggers.py", deployed.dags)
    (deployed.dags / ".airflowignore").write_text("e2e_markers\\.py\ne2e_triggers\\.py\n")


def _states(deployed: Deployment, dag_id: str, run_id: str, task_ids) -> set[str | None]:
    states = deployed.states(dag_id, run_id)
    return {states.get(t) for t in task_ids}


def _wait_deferred(deployed: Deployment, dag_id: str, run_id: str, task_ids, timeout: float = 90) -> None:
    deployed.wait(
        lambda: _states(deployed, dag_id, run_id, task_ids) == {"deferred"},
        what=f"{', '.join(task_ids)} to be deferred at once",
        timeout=timeout,
    )


def _fire(deployed: Deployment, *names: str) -> None:
    for name in names:
        (deployed.markers / f"fire__{name}").touch()


def _trigger_runs(deployed: Deployment) -> list[tuple[str, int]]:
    path = deployed.markers / "trigger_runs"
    lines = path.read_text().split() if path.exists() else []
    return [(lines[i + 1], int(lines[i + 3])) for i in range(0, len(lines), 4)]


def _xcom(deployed: Deployment, dag_id: str, run_id: str, task_id: str):
    with deployed.store.transaction(readonly=True) as tx:
        raw = tx.xcoms.raw_value(TaskKey(dag_id, run_id, task_id, -1))
    return None if raw is None else json.loads(raw)


def test_deferred_tasks_free_their_slots_and_resume_with_their_events(deployed: Deployment) -> None:
    _with_triggers(deployed, "deferrable")
    deployed.create_pool("one_slot", 1)
    # Three executor slots for thirteen tasks, six of which wait together on files.
    deployed.start_scheduler(core__parallelism="3")
    deployed.wait_for_dags("e2e_deferrable")
    run_id = deployed.trigger("e2e_deferrable")
    waiting = ("pooled_0", "pooled_1", "pooled_2", "resumes", "file")
    _wait_deferred(deployed, "e2e_deferrable", run_id, waiting)
    done = ("delta_async", "delta_ends_in_trigger", "date_async", "custom_delta")
    deployed.wait(
        lambda: _states(deployed, "e2e_deferrable", run_id, done) == {"success"},
        what="the time sensors to succeed while the others wait",
    )
    assert _states(deployed, "e2e_deferrable", run_id, waiting) == {"deferred"}
    _fire(deployed, "pooled_0", "pooled_1", "pooled_2", "resumes")
    (deployed.markers / "the_file").touch()
    deployed.wait_for_run("e2e_deferrable", run_id)

    tis = deployed.tis("e2e_deferrable", run_id)
    states = {task_id: ti.state.value for task_id, ti in tis.items()}
    failed = {"times_out", "sensor_times_out", "trigger_fails"}
    assert states == {t: "failed" if t in failed else "success" for t in tis}
    # One try each, resumed as the same try; a deferred sensor's timeout is not retried.
    assert {t: ti.try_number for t, ti in tis.items()} == dict.fromkeys(tis, 1)
    returned = _xcom(deployed, "e2e_deferrable", run_id, "resumes")
    assert returned["event"]["name"] == "resumes"
    assert returned["started_try"] == returned["resumed_try"] == 1
    assert _xcom(deployed, "e2e_deferrable", run_id, "after_resume") == returned
    log = deployed.log(TaskKey("e2e_deferrable", run_id, "times_out", -1), 1)
    assert "Pausing task as DEFERRED" in log and "TaskDeferralTimeout: Trigger timeout" in log
    log = deployed.log(TaskKey("e2e_deferrable", run_id, "sensor_times_out", -1), 1)
    assert "AirflowSensorTimeout: Trigger timeout" in log
    log = deployed.log(TaskKey("e2e_deferrable", run_id, "trigger_fails", -1), 1)
    assert "ValueError: trigger broken broke" in log and "TaskDeferralError: Trigger failure" in log
    runs = Counter(name for name, _ in _trigger_runs(deployed))
    assert runs == {"pooled_0": 1, "pooled_1": 1, "pooled_2": 1, "resumes": 1, "never": 1, "broken": 1}


def test_a_kill_9_of_the_scheduler_with_tasks_deferred_loses_none(deployed: Deployment) -> None:
    _with_triggers(deployed, "deferrable_many")
    first = deployed.start_scheduler()
    deployed.wait_for_dags(MANY)
    run_id = deployed.trigger(MANY)
    _wait_deferred(deployed, MANY, run_id, NAMES)
    deployed.wait(lambda: len(_trigger_runs(deployed)) == 6, what="every trigger to run")
    first.kill_group()
    deployed.start_scheduler()
    # The new scheduler's triggerer re-creates every trigger from its row...
    deployed.wait(lambda: len(_trigger_runs(deployed)) == 12, what="every trigger to run again")
    _fire(deployed, *NAMES)
    run = deployed.wait_for_run(MANY, run_id)
    assert run.state.value == "success"
    pids = [pid for _, pid in _trigger_runs(deployed)]
    assert set(pids[:6]) == {first.pid} and first.pid not in pids[6:]


def test_triggerers_share_the_triggers_without_running_one_twice(deployed: Deployment) -> None:
    _with_triggers(deployed, "deferrable_many")
    fast = {"triggerer__job_heartbeat_sec": "0.5", "triggerer__triggerer_health_check_threshold": "5"}
    deployed.start_scheduler(triggerer__embedded="False")
    a = deployed.start_scheduler("triggerer", triggerer__capacity="3", **fast)
    b = deployed.start_scheduler("triggerer", triggerer__capacity="3", **fast)
    deployed.wait_for_dags(MANY)
    run_id = deployed.trigger(MANY)
    deployed.wait(lambda: len(_trigger_runs(deployed)) == 6, what="every trigger to run")
    runs = _trigger_runs(deployed)
    assert sorted(name for name, _ in runs) == NAMES
    assert Counter(pid for _, pid in runs) == {a.pid: 3, b.pid: 3}
    a.kill_group()
    c = deployed.start_scheduler("triggerer", triggerer__capacity="3", **fast)
    deployed.wait(lambda: len(_trigger_runs(deployed)) == 9, what="the dead triggerer's triggers to move")
    taken = _trigger_runs(deployed)[6:]
    assert {pid for _, pid in taken} == {c.pid}
    assert sorted(name for name, _ in taken) == sorted(name for name, pid in runs if pid == a.pid)
    _fire(deployed, *NAMES)
    assert deployed.wait_for_run(MANY, run_id).state.value == "success"


def test_start_from_trigger_defers_without_a_task_process_and_resumes_on_a_worker(
    deployed: Deployment,
) -> None:
    _with_triggers(deployed, "start_from_trigger")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_start_from_trigger")
    run_id = deployed.trigger("e2e_start_from_trigger")
    _wait_deferred(deployed, "e2e_start_from_trigger", run_id, ["starts"])
    deployed.wait(lambda: len(_trigger_runs(deployed)) == 1, what="the start trigger to run")
    deferred = deployed.tis("e2e_start_from_trigger", run_id)["starts"]
    # No task process ran: no pid, no host, no try spent, no log, execute() never called.
    assert deferred.pid is None and not deferred.hostname and deferred.try_number == 0
    assert not deployed.log(TaskKey("e2e_start_from_trigger", run_id, "starts", -1), 1)
    _fire(deployed, "starts")
    run = deployed.wait_for_run("e2e_start_from_trigger", run_id)
    assert run.state.value == "success"
    returned = _xcom(deployed, "e2e_start_from_trigger", run_id, "starts")
    assert returned["started"] == "in the trigger" and returned["try_number"] == 1
    assert returned["event"]["name"] == "starts"
    assert not (deployed.markers / "execute_ran").exists()
    assert {ti.try_number for ti in deployed.tis("e2e_start_from_trigger", run_id).values()} == {1}


@pytest.mark.parametrize("ok", [True, False], ids=["child-succeeds", "child-fails"])
def test_a_deferrable_external_task_sensor_waits_in_the_triggerer(deployed: Deployment, ok: bool) -> None:
    from datetime import UTC, datetime

    deployed.add_dags("external_deferrable")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_ext_parent", "e2e_ext_child")
    day = datetime(2025, 6, 1, tzinfo=UTC)
    parent = deployed.trigger("e2e_ext_parent", logical_date=day)
    _wait_deferred(deployed, "e2e_ext_parent", parent, ["wait_child"])
    child = deployed.trigger("e2e_ext_child", logical_date=day, conf={"ok": ok})
    assert deployed.wait_for_run("e2e_ext_child", child).state.value == ("success" if ok else "failed")
    run = deployed.wait_for_run("e2e_ext_parent", parent)
    assert run.state.value == ("success" if ok else "failed")
    if not ok:
        log = deployed.log(TaskKey("e2e_ext_parent", parent, "wait_child", -1), 1)
        assert "ExternalDagFailedError: External job has failed." in log


@pytest.mark.parametrize("ok", [True, False], ids=["child-succeeds", "child-fails"])
def test_a_deferrable_trigger_dag_run_operator_waits_for_the_run_in_the_triggerer(
    deployed: Deployment, ok: bool
) -> None:
    deployed.add_dags("external_deferrable")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_ext_trigger_waits", "e2e_ext_child")
    run_id = deployed.trigger("e2e_ext_trigger_waits", conf={"ok": ok})
    run = deployed.wait_for_run("e2e_ext_trigger_waits", run_id)
    assert run.state.value == ("success" if ok else "failed")
    log = deployed.log(TaskKey("e2e_ext_trigger_waits", run_id, "run_child", -1), 1)
    assert "Pausing task as DEFERRED" in log
    if not ok:
        assert "e2e_ext_child failed with failed states" in log
