"""Retention: ``clean`` and the scheduler's hourly hook, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from brisa.errors import StoreUnavailable
from brisa.executors.inline import InlineExecutor
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.services.dags import refresh_next_run
from brisa.states import RunState, TaskState
from brisa.store import migrate, retention
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.retention import TABLES, CleanReport, RetentionHook, clean, describe_counts, retention_hook
from brisa.store.sql import Store
from brisa.testing import FakeClock, make_dag
from brisa.tries.outcome import Outcome

NOW = datetime(2026, 3, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
CUTOFF = NOW - timedelta(days=30)
TASKS = ("extract", "load")


def _run(tx, dag_id, run_id, *, run_type="manual", logical, ended=None, state=RunState.SUCCESS):
    """A run with two task instances, an archived try, a log line, an XCom and a task state key each."""
    tx.runs.create(
        dag_id=dag_id,
        run_id=run_id,
        run_type=run_type,
        logical_date=logical,
        data_interval=(logical - timedelta(days=1), logical),
        run_after=logical,
        now=logical,
        state=state,
    )
    tx.runs.update_fields(dag_id, run_id, start_date=logical, end_date=ended)
    tx.tis.create_many(
        [
            {"dag_id": dag_id, "run_id": run_id, "task_id": t, "state": "success", "try_number": 1}
            for t in TASKS
        ],
        now=logical,
    )
    for ti in tx.tis.for_run(dag_id, run_id):
        tx.tis.archive_try(ti, state=TaskState.SUCCESS, end_date=ended or logical)
        tx.logs.append(ti.key, 1, ["hello\n"], now=logical)
        tx.xcoms.set(ti.key, "return_value", 42, now=logical)
        tx.task_state.set(ti.key, "job_id", "j", now=logical, expires_at=None)


def _history(store):
    """Two DAGs: old and new manual runs, old unfinished runs, scheduled runs (two old ones)."""
    with store.transaction() as tx:
        _run(tx, "etl", "manual__old1", logical=OLD, ended=OLD)
        _run(tx, "etl", "manual__old2", logical=OLD + timedelta(hours=1), ended=OLD, state=RunState.FAILED)
        _run(tx, "etl", "manual__new", logical=NOW - timedelta(days=1), ended=NOW - timedelta(days=1))
        _run(tx, "etl", "manual__running", logical=OLD + timedelta(hours=2), state=RunState.RUNNING)
        _run(tx, "etl", "manual__queued", logical=OLD + timedelta(hours=3), state=RunState.QUEUED)
        for day in (1, 2):
            logical = OLD - timedelta(days=day)
            _run(tx, "daily", f"scheduled__{day}", run_type="scheduled", logical=logical, ended=logical)


def _run_ids(store, dag_id):
    with store.transaction(readonly=True) as tx:
        return {run.run_id for run in tx.runs.list(dag_id).items}


def _count(store, table):
    with store.transaction(readonly=True) as tx:
        return tx.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_old_finished_runs_go_with_everything_hanging_off_them(store):
    _history(store)
    report = clean(store, cutoff=CUTOFF)
    assert _run_ids(store, "etl") == {"manual__new", "manual__running", "manual__queued"}
    # Two etl runs and the older scheduled run, two tasks each; every child row went with them.
    assert report.counts == {
        "dag_run": 3,
        "task_instance": 6,
        "task_instance_history": 6,
        "task_log": 6,
        "xcom": 6,
        "task_state": 6,
        "log": 0,
        "job": 0,
        "asset_event": 0,
        "asset_dag_run_queue": 0,
        "trigger": 0,
    }
    with store.transaction(readonly=True) as tx:
        assert tx.tis.for_run("etl", "manual__old1") == []
        assert tx.tis.tries(TaskKey("etl", "manual__old1", "extract")) == []
        assert tx.logs.read(TaskKey("etl", "manual__old1", "extract"), 1)[0] == ""
        assert tx.xcoms.raw_value(TaskKey("etl", "manual__old1", "extract")) is None
        assert tx.task_state.keys(TaskKey("etl", "manual__old1", "extract")) == {}
        assert tx.task_state.keys(TaskKey("etl", "manual__new", "load")) == {"job_id": "j"}
        assert len(tx.tis.for_run("etl", "manual__running")) == 2
        assert tx.xcoms.raw_value(TaskKey("etl", "manual__new", "load")) == "42"


def test_the_newest_scheduled_run_stays_so_the_timetable_carries_on_from_it(store):
    _history(store)
    clean(store, cutoff=CUTOFF)
    assert _run_ids(store, "daily") == {"scheduled__1"}
    with store.transaction(readonly=True) as tx:
        assert tx.runs.last_automated("daily").run_id == "scheduled__1"


def test_a_dry_run_counts_the_same_rows_and_deletes_nothing(store):
    _history(store)
    with store.transaction() as tx:
        tx.audit.record("trigger", now=OLD, owner="ana")
    planned = clean(store, cutoff=CUTOFF, dry_run=True)
    assert planned.dry_run and planned.total == 3 + 5 * 6 + 1
    assert len(_run_ids(store, "etl")) == 5
    assert clean(store, cutoff=CUTOFF).counts == planned.counts


def test_audit_log_and_stopped_jobs_older_than_the_cutoff_go(store):
    with store.transaction() as tx:
        tx.audit.record("old", now=OLD)
        tx.audit.record("new", now=NOW)
        stopped = tx.jobs.start("scheduler", hostname="h", pid=1, now=OLD)
        tx.jobs.end(stopped, now=OLD)
        tx.jobs.start("scheduler", hostname="h", pid=2, now=OLD)  # still "running": a live process's row
        recent = tx.jobs.start("scheduler", hostname="h", pid=3, now=NOW)
        tx.jobs.end(recent, now=NOW)
    report = clean(store, cutoff=CUTOFF)
    assert (report.counts["log"], report.counts["job"]) == (1, 1)
    with store.transaction(readonly=True) as tx:
        assert [entry.event for entry in tx.audit.list().items] == ["new"]
        assert {job.pid for job in tx.jobs.running()} == {2}
        assert tx.jobs.get(stopped) is None and tx.jobs.get(recent) is not None


def test_runs_go_in_batches_and_max_runs_leaves_the_rest_for_later(store):
    with store.transaction() as tx:
        for i in range(7):
            _run(tx, "etl", f"manual__{i}", logical=OLD + timedelta(minutes=i), ended=OLD)
    first = clean(store, cutoff=CUTOFF, batch_size=2, max_runs=5)
    assert (first.counts["dag_run"], first.complete) == (5, False)
    assert _run_ids(store, "etl") == {"manual__5", "manual__6"}
    second = clean(store, cutoff=CUTOFF, batch_size=2, max_runs=5)
    assert (second.counts["dag_run"], second.complete) == (2, True)
    assert _count(store, retention.s.task_log) == 0


def test_the_cutoff_must_be_aware(memory_store):
    with pytest.raises(ValueError, match="aware"):
        clean(memory_store, cutoff=CUTOFF.replace(tzinfo=None))


@pytest.mark.postgres
def test_a_second_cleaner_leaves_the_work_to_the_one_holding_the_lock(pg_store):
    # PostgreSQL only: the advisory lock is PostgreSQL's; SQLite writers queue on the database lock.
    store = pg_store
    _history(store)
    with store.engine.connect() as other, other.begin():
        other.execute(sa.select(sa.func.pg_advisory_xact_lock(retention._ADVISORY_LOCK_KEY)))
        assert clean(store, cutoff=CUTOFF).total == 0
    assert clean(store, cutoff=CUTOFF).counts["dag_run"] == 3


@pytest.mark.postgres
def test_runs_locked_by_a_scheduler_wait_for_the_next_pass(pg_store):
    store = pg_store  # row locks are PostgreSQL's
    _history(store)
    with store.transaction() as planning:
        assert planning.runs.lock("etl", "manual__old1")
        clean(store, cutoff=CUTOFF)
        assert "manual__old1" in _run_ids(store, "etl")
    clean(store, cutoff=CUTOFF)
    assert "manual__old1" not in _run_ids(store, "etl")


# -- the hook ----------------------------------------------------------------------------------


class _Cleaner:
    def __init__(self, *results):
        self.results = list(results)
        self.calls = []

    def __call__(self, store, *, cutoff, max_runs):
        self.calls.append((cutoff, max_runs))
        result = self.results.pop(0) if self.results else CleanReport(cutoff=cutoff, dry_run=False)
        if isinstance(result, Exception):
            raise result
        return result


def test_the_hook_cleans_at_most_once_an_hour_with_a_cutoff_keep_days_back(memory_store):
    cleaner = _Cleaner()
    hook = RetentionHook(memory_store, keep_days=30, cleaner=cleaner, max_runs_per_pass=100)
    for minutes in (0, 1, 59):
        hook(NOW + timedelta(minutes=minutes))
    hook(NOW + timedelta(hours=1))
    assert cleaner.calls == [
        (NOW - timedelta(days=30), 100),
        (NOW + timedelta(hours=1) - timedelta(days=30), 100),
    ]


def test_the_hook_comes_back_after_a_minute_while_old_runs_are_left(memory_store):
    cleaner = _Cleaner(CleanReport(cutoff=CUTOFF, dry_run=False, complete=False))
    hook = RetentionHook(memory_store, keep_days=30, cleaner=cleaner)
    hook(NOW)
    hook(NOW + timedelta(seconds=59))
    hook(NOW + timedelta(minutes=1))
    assert len(cleaner.calls) == 2


def test_a_failing_clean_is_logged_and_tried_again_an_hour_later(memory_store, caplog):
    cleaner = _Cleaner(StoreUnavailable("database gone"))
    hook = RetentionHook(memory_store, keep_days=30, cleaner=cleaner)
    hook(NOW)
    assert "automatic database clean failed (database gone)" in caplog.text
    hook(NOW + timedelta(minutes=30))
    hook(NOW + timedelta(hours=1))
    assert len(cleaner.calls) == 2


def test_the_hook_logs_one_line_with_what_it_deleted(memory_store, caplog):
    caplog.set_level("INFO")
    _history(memory_store)
    RetentionHook(memory_store, keep_days=30)(NOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "brisa.store.retention"]
    assert lines == [
        "database retention: deleted dag_run=3 task_instance=6 task_instance_history=6 task_log=6"
        " xcom=6 task_state=6"
    ]


def test_keep_days_zero_means_no_hook(memory_store):
    def settings(days):
        return SimpleNamespace(database_retention=SimpleNamespace(keep_days=days))

    assert retention_hook(settings(0), memory_store) is None
    hook = retention_hook(settings(7), memory_store)
    assert isinstance(hook, RetentionHook) and hook.keep == timedelta(days=7)
    with pytest.raises(ValueError, match="at least 1"):
        RetentionHook(memory_store, keep_days=0)


def test_describe_counts_leaves_out_empty_tables():
    assert describe_counts(dict.fromkeys(TABLES, 0)) == "nothing"
    assert describe_counts({**dict.fromkeys(TABLES, 0), "job": 2}) == "job=2"


# -- with the scheduler ----------------------------------------------------------------------------


def test_the_scheduler_runs_the_hook_and_does_not_create_deleted_runs_again(store):
    """A catchup DAG that ended 40 days ago: cleaning must not make the scheduler redo its runs."""
    clock = FakeClock(now=NOW - timedelta(days=45))
    dag = make_dag(
        "daily",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        start_date=clock.now - timedelta(days=5),
        end_date=clock.now - timedelta(days=1),
        catchup=True,
    )
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=clock())
        refresh_next_run(tx, dag, now=clock())
    executor = InlineExecutor(store, lambda workload: Outcome(TaskState.SUCCESS, clock()), clock=clock)
    hook = RetentionHook(store, keep_days=30)
    scheduler = Scheduler(
        store, executor, config=SchedulerConfig(), clock=clock, hostname="test", housekeeping=hook
    )
    scheduler.start_job()

    def ticks(n):
        for _ in range(n):
            scheduler.tick(clock())
            scheduler.handle_events(executor.poll())
            clock.advance(1)

    ticks(10)
    before = _runs(store)
    assert len(before) >= 4 and {run.state for run in before} == {RunState.SUCCESS}
    assert hook.last_report.total == 0
    clock.advance(45 * 86400)
    ticks(10)
    assert hook.last_report.counts["dag_run"] == len(before) - 1
    assert _runs(store) == [before[-1]]


def _runs(store):
    with store.transaction(readonly=True) as tx:
        return tx.runs.list("daily", order_by="logical_date").items


def _asset_history(store):
    """Asset "orders" (consumed by "report", which waits on an event queued 35 days ago) and
    asset "old" nobody waits on, each with events 40 and 1 days old; a stale queue row of a
    DAG that no longer schedules on "old"."""
    with store.transaction() as tx:
        orders = tx.assets.ensure("orders", "s3://orders", now=OLD)
        old = tx.assets.ensure("old", "s3://old", now=OLD)
        tx.assets.sync_dag(
            "report", schedule=[("orders", "s3://orders", "asset")], schedule_aliases=[], outlets={}, now=OLD
        )
        for asset in (orders, old):
            tx.assets.add_event(asset, timestamp=OLD)
            tx.assets.add_event(asset, timestamp=NOW - timedelta(days=1))
        waited = tx.assets.add_event(orders, timestamp=NOW - timedelta(days=35))
        tx.assets.queue(orders, ["report"], now=NOW - timedelta(days=35))
        tx.assets.queue(old, ["gone"], now=OLD)
    return orders, old, waited.id


def test_old_asset_events_go_but_those_a_consumer_waits_on_stay(store):
    orders, _, waited = _asset_history(store)
    report = clean(store, cutoff=CUTOFF)
    assert (report.counts["asset_event"], report.counts["asset_dag_run_queue"]) == (2, 1)
    with store.transaction(readonly=True) as tx:
        left = {(e.asset_id, e.timestamp) for e in tx.assets.events(limit=100)[0]}
        assert (orders, NOW - timedelta(days=35)) in left  # "report" still waits on it
        assert {asset for asset, when in left if when == OLD} == set()
        assert tx.assets.event(waited) is not None


def test_dataset_event_is_airflow_2s_name_for_the_same_table(store):
    _asset_history(store)
    assert clean(store, cutoff=CUTOFF, dry_run=True, tables=["dataset_event"]).counts["asset_event"] == 2


def test_queue_rows_of_dags_that_no_longer_schedule_on_the_asset_go(store):
    orders, _, _ = _asset_history(store)
    report = clean(store, cutoff=CUTOFF, tables=["asset_dag_run_queue"])
    assert report.counts["asset_dag_run_queue"] == 1
    with store.transaction(readonly=True) as tx:
        assert [(q.target_dag_id, q.asset_id) for q in tx.assets.queued()] == [("report", orders)]


def test_old_triggers_no_deferred_try_waits_on_go(store):
    with store.transaction() as tx:
        _run(tx, "etl", "manual__deferred", logical=OLD, state=RunState.RUNNING)
        orphan = tx.triggers.create("x.Trigger", "{}", now=OLD)
        waited = tx.triggers.create("x.Trigger", "{}", now=OLD)
        young = tx.triggers.create("x.Trigger", "{}", now=NOW)
        tx.conn.execute(
            retention.s.task_instance.update()
            .where(retention.s.task_instance.c.task_id == "extract")
            .values(state="deferred", trigger_id=waited)
        )
    report = clean(store, cutoff=CUTOFF, tables=["trigger"])
    assert report.counts["trigger"] == 1 and report.total == 1
    with store.transaction(readonly=True) as tx:
        assert {t.id for t in tx.triggers.get_many([orphan, waited, young])} == {waited, young}


def test_tables_limits_the_clean_and_a_run_table_cleans_whole_runs(store):
    _history(store)
    _asset_history(store)
    report = clean(store, cutoff=CUTOFF, dry_run=True, tables=["xcom"])
    assert report.counts["dag_run"] == 3 and report.counts["asset_event"] == 0
    assert retention.unknown_tables(["xcom", "dataset_event", "nope"]) == ["nope"]


def _old_history(store, first, count):
    """``count`` more old finished scheduled runs of DAG ``grow``, two task instances each."""
    runs, tis = [], []
    for r in range(first, first + count):
        when = OLD - timedelta(days=400) + timedelta(hours=r)
        run_id = f"scheduled__{r}"
        runs.append(
            {"dag_id": "grow", "run_id": run_id, "run_type": "scheduled", "state": "success"}
            | {"logical_date": when, "run_after": when, "end_date": when, "conf": "{}", "clear_number": 0}
        )
        tis += [{"dag_id": "grow", "run_id": run_id, "task_id": t, "state": "success"} for t in TASKS]
    with store.transaction() as tx:
        tx.conn.execute(s.dag_run.insert(), runs)
        tx.conn.execute(s.task_instance.insert(), tis)


def _clean_steps(store, runs):
    """SQLite VM steps a clean of ``runs`` old runs costs (deterministic, unlike time)."""
    _old_history(store, 0, runs)
    with store.transaction(readonly=True) as tx:
        raw = tx.conn.connection.driver_connection  # the in-memory store's one connection
    steps = [0]

    def count():
        steps[0] += 1
        return 0  # go on

    raw.set_progress_handler(count, 1)
    try:
        report = clean(store, cutoff=CUTOFF, batch_size=20)
    finally:
        raw.set_progress_handler(None, 1)
    assert report.counts["dag_run"] == runs - 1  # the newest stays for the timetable
    return steps[0]


def test_a_clean_costs_what_it_deletes_not_the_square_of_it():
    # Each batch of old runs used to read every finished run through the state index and
    # sort them by id: 10x the runs cost 60x the steps. Now a batch reads one window of the
    # primary key, after the last one.
    costs = []
    for runs in (200, 2000):
        store = Store("sqlite://")
        try:
            migrate.upgrade(store)
            costs.append(_clean_steps(store, runs))
        finally:
            store.dispose()
    small, big = costs
    assert big < 15 * small
