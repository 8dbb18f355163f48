"""A scheduler killed with its whole process group (``kill -9 -<pgid>``): its task processes,
each in a group of its own, run on. The restarted scheduler must not start any of those
tasks again while a try of it may still run here, and must not lose how a try ended while
no scheduler was there (see ``brisa.runner.tryrecord`` and ``brisa.runner.adoption``).
The task processes record their tries themselves (``dags/e2e_markers.py``).
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from brisa.services.tasks import clear_task_instances
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from tests.e2e.deployment import Deployment, utcnow
from tests.e2e.tries import (
    assert_successes_kept_their_logs,
    assert_tries_never_overlap,
    identities_alive,
    marks_of,
    process_identities,
)

pytestmark = pytest.mark.slow

DAG_ID = "e2e_crash_recovery"
TASKS = ("ends_unsupervised", "fails_unsupervised", "adopted", "adopted_bash", "killed_unsupervised")


def _marks(deployed: Deployment, run_id: str, task_id: str) -> dict:
    return marks_of(deployed, DAG_ID).get(TaskKey(DAG_ID, run_id, task_id, -1), {})


def _first_tries_started(deployed: Deployment, run_id: str) -> dict[str, int]:
    """Wait until the first try of every task runs; the pid each recorded (bash's for bash)."""

    def started() -> dict[str, int] | None:
        pids = {t: _marks(deployed, run_id, t).get(1, [None])[0] for t in TASKS}
        child = deployed.markers / f"release__child_of_{run_id}"
        if None in pids.values() or not child.exists() or not child.read_text():
            return None
        return {t: mark.pid for t, mark in pids.items()}

    return deployed.wait(started, what="every first try to start", timeout=60)


def _release(deployed: Deployment, name: str) -> None:
    (deployed.markers / f"release__{name}").touch()


def _kill_and_wait(identities: dict[int, str], deployed: Deployment, what: str) -> float:
    for pid in identities:
        os.kill(pid, signal.SIGKILL)
    deployed.wait(lambda: not identities_alive(identities), what=what, timeout=30)
    return time.time()


def _log(deployed: Deployment, run_id: str, task_id: str, try_number: int) -> str:
    return deployed.log(TaskKey(DAG_ID, run_id, task_id, -1), try_number)


def _return_value(deployed: Deployment, run_id: str, task_id: str, *, dag_id: str = DAG_ID) -> object:
    with deployed.store.transaction(readonly=True) as tx:
        raw = tx.xcoms.raw_value(TaskKey(dag_id, run_id, task_id, -1))
    return None if raw is None else json.loads(raw)


def test_tries_outliving_a_killed_scheduler_group_never_run_twice_and_keep_their_outcome(deployed):
    deployed.add_dags("crash_recovery")
    first = deployed.start_scheduler()
    deployed.wait_for_dags(DAG_ID)
    run_id = deployed.trigger(DAG_ID)
    task_pids = _first_tries_started(deployed, run_id)
    tasks = process_identities(list(task_pids.values()))
    group = process_identities(group=first.pid)

    first.kill_group()
    deployed.wait(lambda: not identities_alive(group), what="the scheduler's zygotes to die", timeout=30)
    assert sorted(identities_alive(tasks)) == sorted(task_pids.values())  # the tries run on

    # While no scheduler runs: two tries end (one well, one badly), one is killed outright.
    _release(deployed, "early")
    for task_id in ("ends_unsupervised", "fails_unsupervised"):
        deployed.wait(lambda t=task_id: _marks(deployed, run_id, t)[1][0].end, what=f"{task_id} to end")
    killed = {task_pids["killed_unsupervised"]: tasks[task_pids["killed_unsupervised"]]}
    killed_at = _kill_and_wait(killed, deployed, "the killed try's process to end")

    deployed.start_scheduler()

    def adopted() -> bool:
        return all(
            "adopted the task process" in _log(deployed, run_id, t, 1) for t in ("adopted", "adopted_bash")
        )

    deployed.wait(adopted, what="the running tries to be adopted", timeout=60)
    _release(deployed, "late")
    run = deployed.wait_for_run(DAG_ID, run_id, timeout=120)

    assert run.state == RunState.SUCCESS
    tis = deployed.tis(DAG_ID, run_id)
    assert {t: (ti.state, ti.try_number, ti.max_tries) for t, ti in tis.items()} == {
        "ends_unsupervised": (TaskState.SUCCESS, 1, 1),  # not failed as an orphan
        "adopted": (TaskState.SUCCESS, 1, 1),  # not started again beside the running try
        "adopted_bash": (TaskState.SUCCESS, 1, 1),
        "fails_unsupervised": (TaskState.SUCCESS, 2, 1),  # its failure counted as a try
        "killed_unsupervised": (TaskState.SUCCESS, 2, 1),
    }
    assert [t.state for t in deployed.tries(tis["ends_unsupervised"].key)] == ["success"]
    for task_id in ("fails_unsupervised", "killed_unsupervised"):
        assert [t.state for t in deployed.tries(tis[task_id].key)] == ["up_for_retry", "success"]

    # What the tries printed and returned after their scheduler died is kept.
    assert "released by early" in _log(deployed, run_id, "ends_unsupervised", 1)
    assert "ended while no scheduler supervised it: success" in _log(deployed, run_id, "ends_unsupervised", 1)
    assert _return_value(deployed, run_id, "ends_unsupervised") == {"released_by": "early", "try": 1}
    assert "RuntimeError: the first try fails" in _log(deployed, run_id, "fails_unsupervised", 1)
    assert "released by late" in _log(deployed, run_id, "adopted", 1)
    assert _return_value(deployed, run_id, "adopted") == {"released_by": "late", "try": 1}
    assert "released by late" in _log(deployed, run_id, "adopted_bash", 1)
    # The killed try's detached child was ended before its next try started.
    killed_log = _log(deployed, run_id, "killed_unsupervised", 1)
    assert "ended without reporting how (ended 1 processes it left running)" in killed_log
    assert _return_value(deployed, run_id, "killed_unsupervised") == "gone"
    assert_tries_never_overlap(deployed, DAG_ID, killed_at=killed_at)
    assert_successes_kept_their_logs(deployed, DAG_ID)
    assert not list((deployed.home / "run" / "tries").iterdir())  # every record was read and removed


BOUNDS = "e2e_crash_recovery_bounds"


def _clear(deployed: Deployment, run_id: str, task_id: str) -> None:
    """What the UI's or the API's clear does: a running try becomes ``restarting``."""
    with deployed.store.transaction() as tx:
        dag = tx.dags.require_serialized(BOUNDS)
        run = tx.runs.require(BOUNDS, run_id)
        ti = tx.tis.get(TaskKey(BOUNDS, run_id, task_id, -1))
        assert clear_task_instances(tx, dag, run, [ti], now=utcnow()) == [ti]


def test_a_try_outliving_a_killed_scheduler_is_ended_when_past_its_timeout_or_cleared(deployed):
    deployed.add_dags("crash_recovery_bounds")
    first = deployed.start_scheduler()
    deployed.wait_for_dags(BOUNDS)
    run_id = deployed.trigger(BOUNDS)
    task_ids = ("past_its_timeout", "cleared_unsupervised", "cleared_adopted")

    def started() -> bool:
        return all((deployed.markers / f"release__pid_of_{t}").exists() for t in task_ids)

    deployed.wait(started, what="the first tries to start", timeout=60)
    first.kill_group()
    _clear(deployed, run_id, "cleared_unsupervised")  # while no scheduler runs
    deployed.start_scheduler()

    def adopted() -> bool:
        logs = [
            deployed.log(TaskKey(BOUNDS, run_id, t, -1), 1) for t in ("past_its_timeout", "cleared_adopted")
        ]
        return all("adopted the task process" in log for log in logs)

    deployed.wait(adopted, what="the running tries to be adopted", timeout=60)
    _clear(deployed, run_id, "cleared_adopted")
    run = deployed.wait_for_run(BOUNDS, run_id, timeout=120)

    assert run.state == RunState.SUCCESS
    tis = deployed.tis(BOUNDS, run_id)
    assert {t: (ti.state, ti.try_number) for t, ti in tis.items()} == {
        t: (TaskState.SUCCESS, 2) for t in task_ids
    }
    for task_id in task_ids:
        # Each first try was over before the second one started, and each try ran once.
        assert _return_value(deployed, run_id, task_id, dag_id=BOUNDS) == "gone", task_id
        tries = marks_of(deployed, BOUNDS)[tis[task_id].key]
        assert {n: len(runs) for n, runs in tries.items()} == {1: 1, 2: 1}, task_id
    timed_out = deployed.log(tis["past_its_timeout"].key, 1)
    assert "execution_timeout exceeded while no scheduler supervised it: killed" in timed_out
    assert [t.state for t in deployed.tries(tis["past_its_timeout"].key)] == ["up_for_retry", "success"]
