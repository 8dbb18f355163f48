"""Several ``brisa scheduler`` processes on one PostgreSQL: every run once, every try once, none stuck."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from executors.helpers import (
    CapturingExecutor,
    Processes,
    assert_no_overlap,
    fresh_pg_database,
    read_markers,
    wait_for,
    wait_until_dead,
    write_dag,
)

from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.sql import Store
from brisa.testing import FakeClock, make_dag
from brisa.tries.outcome import ExecutorEvent

PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
RUNS = 200
TASKS = 10
FIRST = datetime(2024, 1, 1, tzinfo=UTC)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store():
    with fresh_pg_database(PG_ADMIN_URL) as database:
        store = Store(database)
        yield store
        store.dispose()


def test_a_run_another_scheduler_is_planning_is_planned_again_soon(pg_store):
    clock = FakeClock()
    dag = make_dag("locked", {"a": []})
    with pg_store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=clock())
        run = trigger_run(tx, dag, now=clock())
    scheduler = Scheduler(pg_store, CapturingExecutor(), config=SchedulerConfig(), clock=clock, hostname="h")
    scheduler.start_job()
    scheduler.tick(clock())  # the run starts; "a" is queued
    with pg_store.transaction() as tx:
        [ti] = tx.tis.for_run("locked", run.run_id)
        tx.tis.compare_and_set(ti.key, {TaskState.QUEUED}, TaskState.SUCCESS)
    scheduler.handle_events([ExecutorEvent(ti.key, ti.try_number, "success")])
    with pg_store.transaction() as other:  # another scheduler holds the run's row lock
        assert other.runs.lock("locked", run.run_id)
        clock.advance(0.1)
        scheduler.tick(clock())
    clock.advance(0.6)  # well before the next sweep
    scheduler.tick(clock())
    with pg_store.transaction(readonly=True) as tx:
        assert tx.runs.require("locked", run.run_id).state == RunState.SUCCESS


@pytest.fixture
def cluster(tmp_path):
    with fresh_pg_database(PG_ADMIN_URL) as database:
        markers = tmp_path / "markers"
        markers.mkdir()
        write_dag(
            tmp_path / "dags",
            "ha",
            tasks=TASKS,
            markers=markers,
            dag_args=(
                "schedule=timedelta(hours=1), catchup=True, max_active_runs=32, "
                f"end_date=datetime(2024, 1, 1) + timedelta(hours={RUNS - 1})"
            ),
            task_args="retries=2, retry_delay=timedelta(seconds=1)",
        )
        processes = Processes.configure(
            tmp_path,
            database=database,
            dags=tmp_path / "dags",
            core__parallelism="8",
            scheduler__task_instance_heartbeat_timeout="30",
        )
        store = Store(database)
        try:
            yield processes, store, markers
        finally:
            processes.stop_all()
            store.dispose()


def _finished_runs(store: Store) -> int:
    with store.transaction(readonly=True) as tx:
        return tx.runs.count_by_state("ha").get(RunState.SUCCESS.value, 0)


def _wait_all_done(processes: Processes, store: Store) -> None:
    wait_for(
        lambda: _finished_runs(store) == RUNS,
        timeout=900,
        what=f"{RUNS} successful runs",
        processes=processes,
    )


def _check_every_run_and_try_once(store: Store, markers, *, killed_end: float | None = None) -> list:
    """The invariants; returns the task instances."""
    with store.transaction(readonly=True) as tx:
        runs = tx.runs.list("ha", limit=None).items
        tis = tx.tis.list(dag_id="ha").items
        history = {(ti.run_id, ti.task_id): [t.try_number for t in tx.tis.tries(ti.key)] for ti in tis}
    assert sorted(r.logical_date for r in runs) == [FIRST + timedelta(hours=i) for i in range(RUNS)]
    assert {r.state for r in runs} == {RunState.SUCCESS}
    assert len(tis) == RUNS * TASKS and {ti.state for ti in tis} == {TaskState.SUCCESS}
    for ti in tis:
        assert history[(ti.run_id, ti.task_id)] == list(range(1, ti.try_number + 1))
    tries = read_markers(markers)
    assert_no_overlap(tries, killed_end=killed_end)
    started = {(r.run_id, r.task_id, r.try_number) for r in tries.values()}
    recorded = {(run_id, task_id, n) for (run_id, task_id), numbers in history.items() for n in numbers}
    assert started <= recorded
    assert {(ti.run_id, ti.task_id, ti.try_number) for ti in tis} <= started  # each final try really ran
    return tis


@pytest.mark.slow
def test_two_schedulers_run_every_try_exactly_once(cluster):
    processes, store, markers = cluster
    processes.scheduler("s1")
    processes.scheduler("s2")
    _wait_all_done(processes, store)
    tis = _check_every_run_and_try_once(store, markers)
    assert {ti.try_number for ti in tis} == {1}  # nothing was lost, nothing ran again
    assert len({ti.queued_by_job_id for ti in tis}) == 2  # both schedulers did part of the work


@pytest.mark.slow
def test_three_schedulers_one_killed_midway_changes_nothing(cluster):
    processes, store, markers = cluster
    doomed = processes.scheduler("s1")
    processes.scheduler("s2")
    processes.scheduler("s3")
    wait_for(
        lambda: _finished_runs(store) >= RUNS // 4,
        timeout=600,
        what="a quarter of the runs",
        processes=processes,
    )
    processes.kill("s1")
    orphans = [pid for r in read_markers(markers).values() if not r.ends for pid in r.pids]
    gone_at = wait_until_dead(orphans)
    _wait_all_done(processes, store)
    tis = _check_every_run_and_try_once(store, markers, killed_end=gone_at)
    queued_by = {ti.queued_by_job_id for ti in tis}
    assert len(queued_by) == 3
    with store.transaction(readonly=True) as tx:
        jobs = [tx.jobs.get(job_id) for job_id in queued_by]
    assert [j.state for j in jobs if j.pid == doomed.pid] == ["failed"]  # declared dead; its work adopted
