"""Faults the engine must survive: a killed or stopped scheduler, a restarting database,
and task processes that crash, hang or flood their log.

After each, no run stays stuck, no finished task loses its state or its log, and no try
runs twice or at the same time as another try of the same task instance (the task
processes record their tries themselves: see ``dags/e2e_markers.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

from brisa.runner.supervisor import LOG_TAIL_BYTES
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from tests.e2e.deployment import Deployment, SchedulerProcess
from tests.e2e.tries import (
    assert_successes_kept_their_logs,
    assert_tries_never_overlap,
    assert_tries_recorded_as_they_ran,
    identities_alive,
    marks_of,
    pids_alive,
    process_identities,
)

pytestmark = pytest.mark.slow

LONG_TASKS = ("long_a", "long_b", "stubborn", "short")


def _started(deployed: Deployment, dag_id: str, run_id: str, *task_ids: str) -> dict[str, int]:
    """Wait until the first try of each task has started; their pids."""

    def started() -> dict[str, int] | None:
        marks = marks_of(deployed, dag_id)
        keys = {t: TaskKey(dag_id, run_id, t, -1) for t in task_ids}
        if not all(key in marks for key in keys.values()):
            return None
        return {t: marks[key][1][0].pid for t, key in keys.items()}

    return deployed.wait(started, what=f"{', '.join(task_ids)} to start", timeout=60)


def _all_task_pids(deployed: Deployment, dag_id: str) -> list[int]:
    return [
        run.pid for by_try in marks_of(deployed, dag_id).values() for runs in by_try.values() for run in runs
    ]


def _processes_of(scheduler: SchedulerProcess, task_pids: list[int]) -> dict[int, str]:
    """The scheduler's process group (it, its zygotes) and its task processes, as they are now."""
    return {**process_identities(group=scheduler.pid), **process_identities(task_pids)}


def _wait_until_gone(deployed: Deployment, processes: dict[int, str]) -> float:
    """Wait until these processes (taken before the stop) are gone; returns when that was seen."""

    def gone() -> bool:
        return not identities_alive(processes)

    deployed.wait(gone, what="the stopped scheduler's zygote and task processes to end", timeout=30)
    return time.time()


def _finished_tries(deployed: Deployment, dag_id: str, run_id: str) -> dict[str, tuple[int, str]]:
    """Successful task instances now: try number and log."""
    return {
        task_id: (ti.try_number, deployed.log(ti.key, ti.try_number))
        for task_id, ti in deployed.tis(dag_id, run_id).items()
        if ti.state == TaskState.SUCCESS
    }


def _assert_kept(deployed: Deployment, dag_id: str, run_id: str, before: dict[str, tuple[int, str]]) -> None:
    tis = deployed.tis(dag_id, run_id)
    for task_id, (try_number, log) in before.items():
        ti = tis[task_id]
        assert (ti.state, ti.try_number) == (TaskState.SUCCESS, try_number), f"{task_id} ran again"
        assert deployed.log(ti.key, try_number).startswith(log), f"{task_id} lost its log"


def test_a_killed_scheduler_is_restarted_and_the_run_completes(deployed):
    deployed.add_dags("interrupt")
    first_scheduler = deployed.start_scheduler()
    deployed.wait_for_dags("e2e_interrupt")
    run_id = deployed.trigger("e2e_interrupt")
    _started(deployed, "e2e_interrupt", run_id, *LONG_TASKS)
    before = _finished_tries(deployed, "e2e_interrupt", run_id)
    assert "first" in before

    processes = _processes_of(first_scheduler, _all_task_pids(deployed, "e2e_interrupt"))
    first_scheduler.kill()
    deployed.start_scheduler()  # at once: the new one must not start a try the old one still runs
    killed_at = _wait_until_gone(deployed, processes)
    run = deployed.wait_for_run("e2e_interrupt", run_id, timeout=120)

    assert run.state == RunState.SUCCESS
    _assert_kept(deployed, "e2e_interrupt", run_id, before)
    tis = deployed.tis("e2e_interrupt", run_id)
    for task_id in ("long_a", "long_b", "stubborn"):
        assert tis[task_id].try_number == 2
        assert "stopped answering" in deployed.log(tis[task_id].key, 1)
    assert_tries_never_overlap(deployed, "e2e_interrupt", killed_at=killed_at)
    assert_successes_kept_their_logs(deployed, "e2e_interrupt")


@pytest.mark.parametrize(
    ("deployed", "grace"),
    [
        pytest.param("sqlite", {"scheduler__graceful_shutdown_timeout": "4"}, id="sqlite-short-grace"),
        # Heroku's case: its database, the default 20 s grace, and a SIGKILL 30 s after SIGTERM.
        pytest.param("postgres", {}, id="postgres-default-grace", marks=pytest.mark.postgres),
    ],
    indirect=["deployed"],
)
def test_a_stopped_scheduler_ends_its_tries_within_the_grace_period_and_the_run_completes(deployed, grace):
    deployed.add_dags("interrupt")
    first_scheduler = deployed.start_scheduler(**grace)
    deployed.wait_for_dags("e2e_interrupt")
    run_id = deployed.trigger("e2e_interrupt")
    _started(deployed, "e2e_interrupt", run_id, *LONG_TASKS)

    processes = _processes_of(first_scheduler, _all_task_pids(deployed, "e2e_interrupt"))
    assert first_scheduler.terminate(timeout=30) == 0
    stopped_at = _wait_until_gone(deployed, processes)
    tis = deployed.tis("e2e_interrupt", run_id)
    assert tis["short"].state == TaskState.SUCCESS  # finished within the grace period
    for task_id in ("long_a", "long_b", "stubborn"):  # stubborn ignored SIGTERM: killed
        ti = tis[task_id]
        assert (ti.state, ti.try_number, ti.max_tries) == (TaskState.UP_FOR_RETRY, 1, 3)  # try not counted
        assert "stopped by a shutdown" in deployed.log(ti.key, 1)
    with deployed.store.transaction(readonly=True) as tx:
        assert tx.jobs.running() == []
    before = _finished_tries(deployed, "e2e_interrupt", run_id)

    deployed.start_scheduler()
    run = deployed.wait_for_run("e2e_interrupt", run_id, timeout=120)

    assert run.state == RunState.SUCCESS
    _assert_kept(deployed, "e2e_interrupt", run_id, before)
    assert {deployed.tis("e2e_interrupt", run_id)[t].try_number for t in ("long_a", "stubborn")} == {2}
    assert_tries_never_overlap(deployed, "e2e_interrupt", killed_at=stopped_at)
    assert_successes_kept_their_logs(deployed, "e2e_interrupt")


def _postgres_answers() -> bool:
    return (
        subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True).returncode == 0
    )


def _pg_cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _restart_postgres(outage: float) -> None:
    """Stop the local server for ``outage`` seconds (tries end meanwhile), then start it."""
    _pg_cluster("stop")
    time.sleep(outage)
    _pg_cluster("start")


@pytest.fixture
def restartable_postgres():
    """Restart the local server; whatever the test does, leave it running and answering."""
    try:
        yield _restart_postgres
    finally:
        if not _postgres_answers():
            _pg_cluster("start")
        deadline = time.monotonic() + 60
        while not _postgres_answers() and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.parametrize("deployed", ["postgres"], indirect=True)
def test_the_scheduler_rides_out_a_postgres_restart(deployed, restartable_postgres):
    deployed.add_dags("chain")
    scheduler = deployed.start_scheduler()
    deployed.wait_for_dags("e2e_chain")
    run_id = deployed.trigger("e2e_chain")
    _started(deployed, "e2e_chain", run_id, "step1_a")

    restartable_postgres(outage=3.0)
    deployed.wait(_postgres_answers, what="PostgreSQL to answer again", timeout=60)
    run = deployed.wait_for_run("e2e_chain", run_id, timeout=120)

    assert scheduler.alive
    assert "metadata database unavailable" in scheduler.output()  # it did notice
    assert run.state == RunState.SUCCESS
    assert set(deployed.states("e2e_chain", run_id).values()) == {"success"}
    assert_tries_never_overlap(deployed, "e2e_chain")
    assert_successes_kept_their_logs(deployed, "e2e_chain")


def test_tasks_that_crash_or_hang_fail_alone(deployed):
    deployed.add_dags("crashes")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_crashes")
    run_id = deployed.trigger("e2e_crashes")
    run = deployed.wait_for_run("e2e_crashes", run_id, timeout=120)

    tis = deployed.tis("e2e_crashes", run_id)
    assert {t: (ti.state.value, ti.try_number) for t, ti in tis.items()} == {
        "segfault": ("failed", 2),
        "exit_three": ("failed", 1),
        "hang": ("failed", 1),
        "hang_stubbornly": ("failed", 1),
        "after": ("success", 1),
    }
    assert run.state == RunState.SUCCESS  # its only leaf, all_done, succeeded (Airflow's rule)

    def log(task_id: str, try_number: int = 1) -> str:
        return deployed.log(tis[task_id].key, try_number)

    assert "killed by signal SIGSEGV" in log("segfault", 1)
    assert "killed by signal SIGSEGV" in log("segfault", 2)
    assert "leaving with os._exit(3)" in log("exit_three")
    assert "exit code 3" in log("exit_three")
    assert "AirflowTaskTimeout" in log("hang")
    assert "ignoring AirflowTaskTimeout" in log("hang_stubbornly")
    assert "killing the task process" in log("hang_stubbornly")
    assert [t.state for t in deployed.tries(tis["hang_stubbornly"].key)] == ["failed"]
    assert not pids_alive(_all_task_pids(deployed, "e2e_crashes"))
    assert_tries_never_overlap(deployed, "e2e_crashes")
    assert_tries_recorded_as_they_ran(deployed, "e2e_crashes")
    assert_successes_kept_their_logs(deployed, "e2e_crashes")


def test_a_task_printing_100_mb_keeps_a_bounded_log_and_the_scheduler_responsive(deployed):
    deployed.add_dags("chatty")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_chatty", "e2e_quick")
    chatty_run = deployed.trigger("e2e_chatty")
    _started(deployed, "e2e_chatty", chatty_run, "print_a_lot")
    quick = deployed.wait_for_run("e2e_quick", deployed.trigger("e2e_quick"))
    (deployed.markers / "release__chatty").touch()  # it may stop once past 100 MB
    chatty = deployed.wait_for_run("e2e_chatty", chatty_run, timeout=180)

    assert (quick.state, chatty.state) == (RunState.SUCCESS, RunState.SUCCESS)
    ti = deployed.tis("e2e_chatty", chatty_run)["print_a_lot"]
    assert quick.end_date < ti.end_date  # the small DAG ran while the big log poured in
    log = deployed.log(ti.key, 1)
    limit = 10 * 1024 * 1024  # [logging] max_log_bytes_per_try's default
    assert limit < len(log.encode()) < limit + 2 * LOG_TAIL_BYTES
    lines = log.splitlines()
    assert "line 0000000 x" in lines[1]
    assert "log truncated" in log and "bytes of log skipped" in log
    printed = re.search(r"the last line of a long log, after (\d+) bytes", "\n".join(lines[-3:]))
    assert printed is not None and int(printed[1]) >= 100 * 1024 * 1024, lines[-3:]
    assert "Marking task as SUCCESS" in lines[-1]
    assert_successes_kept_their_logs(deployed, "e2e_chatty")


def _store_run_as_an_older_brisa_did(deployed: Deployment, dag_id: str, run_id: str, conf: dict) -> None:
    """A run with a conf today's API refuses (too deep, too big), written past the checks."""
    from brisa.services.runs import create_run
    from tests.e2e.deployment import utcnow

    with deployed.store.transaction() as tx:
        dag = tx.dags.require_serialized(dag_id)
        now = utcnow()
        create_run(
            tx,
            dag,
            run_id=run_id,
            run_type="manual",
            logical_date=None,
            data_interval=None,
            run_after=now,
            now=now,
            conf=conf,
        )


def test_runs_no_task_can_be_handed_fail_alone_and_count_their_tries(deployed):
    """A conf nested 500 deep crashed the scheduler (RecursionError serialising the workload),
    again after every restart; a 5 MB one restarted its try forever without counting it."""
    deployed.add_dags("bad_conf")
    scheduler = deployed.start_scheduler()
    deployed.wait_for_dags("e2e_bad_conf", "e2e_bystander")
    bystander = deployed.trigger("e2e_bystander")
    _started(deployed, "e2e_bystander", bystander, "long")
    deep: dict = {}
    for _ in range(500):
        deep = {"a": deep}
    _store_run_as_an_older_brisa_did(deployed, "e2e_bad_conf", "deep", deep)
    _store_run_as_an_older_brisa_did(deployed, "e2e_bad_conf", "big", {"x": "y" * (5 * 1024 * 1024)})
    fine = deployed.trigger("e2e_bad_conf", run_id="fine", conf={"x": 1})

    assert deployed.wait_for_run("e2e_bad_conf", "big", timeout=120).state == RunState.FAILED
    assert deployed.wait_for_run("e2e_bad_conf", "deep").state == RunState.SUCCESS  # handed over whole
    assert deployed.wait_for_run("e2e_bad_conf", fine).state == RunState.SUCCESS
    assert deployed.wait_for_run("e2e_bystander", bystander).state == RunState.SUCCESS
    assert scheduler.alive, scheduler.output()[-3000:]
    assert deployed.tis("e2e_bystander", bystander)["long"].try_number == 1
    assert deployed.tis("e2e_bad_conf", "deep")["read_conf"].try_number == 1
    big = deployed.tis("e2e_bad_conf", "big")["read_conf"]
    assert (big.state, big.try_number) == (TaskState.FAILED, 3)
    assert [t.state for t in deployed.tries(big.key)] == ["up_for_retry", "up_for_retry", "failed"]
    for try_number in (1, 2, 3):
        assert "a task process takes at most" in deployed.log(big.key, try_number), try_number
    assert "cannot start" in scheduler.output()
    assert_tries_never_overlap(deployed, "e2e_bystander")
