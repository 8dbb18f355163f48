"""The scheduler's shell against a real store and the inline executor, clock by hand."""

from datetime import timedelta

import pytest

from brisa.executors.inline import InlineExecutor
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.scheduler.processor import DagChanges
from brisa.services.dags import refresh_next_run
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.testing import FakeClock, make_dag
from brisa.tries.outcome import Outcome


def _scheduler(store, clock, behaviour=None):
    def run_try(workload):
        state = (behaviour or {}).get(workload.key.task_id, TaskState.SUCCESS)
        if callable(state):
            return state(workload)
        return Outcome(state, clock())

    executor = InlineExecutor(store, run_try, clock=clock)
    scheduler = Scheduler(store, executor, config=SchedulerConfig(), clock=clock, hostname="test-host")
    scheduler.start_job()
    return scheduler, executor


def _add(store, dag, clock, paused=False):
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=paused, now=clock())
        refresh_next_run(tx, dag, now=clock())


def _ticks(scheduler, clock, n=10, step=1.0):
    for _ in range(n):
        scheduler.tick(clock())
        scheduler.handle_events(scheduler.executor.poll())
        clock.advance(step)


def _states(store, dag_id, run_id):
    with store.transaction(readonly=True) as tx:
        return {t.task_id: t.state for t in tx.tis.for_run(dag_id, run_id)}


def test_manual_run_goes_to_success_in_dependency_order(store):
    clock = FakeClock()
    dag = make_dag("chain", {"a": [], "b": ["a"], "c": ["b"]})
    _add(store, dag, clock)
    scheduler, executor = _scheduler(store, clock)
    with store.transaction() as tx:
        run = trigger_run(tx, dag, now=clock())
    _ticks(scheduler, clock, n=6)
    assert [w.key.task_id for w in executor.submitted] == ["a", "b", "c"]
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("chain", run.run_id).state == RunState.SUCCESS
    assert set(_states(store, "chain", run.run_id).values()) == {TaskState.SUCCESS}


def test_retry_after_delay_then_success(store):
    clock = FakeClock()
    dag = make_dag("r", {"a": []}, task_options={"a": {"retries": 1, "retry_delay": 60.0}})
    _add(store, dag, clock)
    attempts = []

    def flaky(workload):
        attempts.append(workload.try_number)
        if workload.try_number == 1:
            return Outcome(TaskState.UP_FOR_RETRY, clock(), next_try_at=clock() + timedelta(seconds=60))
        return Outcome(TaskState.SUCCESS, clock())

    scheduler, _ = _scheduler(store, clock, {"a": flaky})
    with store.transaction() as tx:
        run = trigger_run(tx, dag, now=clock())
    _ticks(scheduler, clock, n=3, step=10)
    assert attempts == [1]
    assert _states(store, "r", run.run_id)["a"] == TaskState.UP_FOR_RETRY
    _ticks(scheduler, clock, n=8, step=10)
    assert attempts == [1, 2]
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("r", run.run_id).state == RunState.SUCCESS
        assert [t.try_number for t in tx.tis.tries(tx.tis.for_run("r", run.run_id)[0].key)] == [1, 2]


def test_catchup_creates_every_interval_within_max_active_runs(store):
    clock = FakeClock()
    start = clock.now - timedelta(days=5)
    dag = make_dag(
        "daily",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        start_date=start,
        catchup=True,
        max_active_runs=2,
    )
    _add(store, dag, clock)
    scheduler, _ = _scheduler(store, clock)
    scheduler.tick(clock())
    with store.transaction(readonly=True) as tx:
        assert tx.runs.list("daily").total == 2
    _ticks(scheduler, clock, n=20, step=0.5)
    with store.transaction(readonly=True) as tx:
        runs = tx.runs.list("daily", order_by="logical_date").items
    assert len(runs) == 5
    assert all(r.state == RunState.SUCCESS for r in runs)
    assert [r.logical_date for r in runs] == [start + timedelta(days=i) for i in range(5)]


def test_paused_dag_gets_no_runs(store):
    clock = FakeClock()
    dag = make_dag(
        "p",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 3600.0},
        start_date=clock.now - timedelta(hours=3),
        catchup=True,
    )
    _add(store, dag, clock, paused=True)
    scheduler, _ = _scheduler(store, clock)
    _ticks(scheduler, clock, n=3)
    with store.transaction(readonly=True) as tx:
        assert tx.runs.list("p").total == 0


@pytest.mark.parametrize("limit", [1, 2])
def test_max_active_tasks_limits_queueing(memory_store, limit):
    clock = FakeClock()
    dag = make_dag("wide", {f"t{i}": [] for i in range(5)}, max_active_tasks=limit)
    _add(memory_store, dag, clock)
    scheduler, executor = _scheduler(memory_store, clock)
    executor.submit = lambda workloads: executor.submitted.extend(workloads)  # hold them queued
    with memory_store.transaction() as tx:
        trigger_run(tx, dag, now=clock())
    _ticks(scheduler, clock, n=3)
    assert len(executor.submitted) == limit


@pytest.mark.postgres
def test_a_scheduler_queues_nothing_while_another_holds_the_queueing_lock(pg_store):
    clock = FakeClock()
    dag = make_dag("wide", {f"t{i}": [] for i in range(3)})
    _add(pg_store, dag, clock)
    scheduler, executor = _scheduler(pg_store, clock)
    executor.submit = lambda workloads: executor.submitted.extend(workloads)  # hold them queued
    with pg_store.transaction() as tx:
        trigger_run(tx, dag, now=clock())
    with pg_store.transaction() as other:  # another scheduler counting its pools
        assert other.try_lock("queue")
        assert scheduler.tick(clock()) == 0.0  # try again at once, not after the idle wait
        assert executor.submitted == []
    scheduler.tick(clock())
    assert len(executor.submitted) == 3


@pytest.mark.postgres
def test_runs_wait_while_another_scheduler_starts_runs(pg_store):
    clock = FakeClock()
    dag = make_dag("one", {"t": []})
    _add(pg_store, dag, clock)
    scheduler, _ = _scheduler(pg_store, clock)
    with pg_store.transaction() as tx:
        run = trigger_run(tx, dag, now=clock())
    with pg_store.transaction() as other:
        assert other.try_lock("start_runs")
        scheduler.tick(clock())
        with pg_store.transaction(readonly=True) as tx:
            assert tx.runs.require("one", run.run_id).state == RunState.QUEUED
    _ticks(scheduler, clock, n=3)
    with pg_store.transaction(readonly=True) as tx:
        assert tx.runs.require("one", run.run_id).state == RunState.SUCCESS


def test_a_full_queueing_batch_asks_for_the_next_tick_at_once(memory_store):
    """With an executor that sends no events (Celery), tries queue a batch per tick, not a batch a second."""
    clock = FakeClock()
    dag = make_dag("wide", {f"t{i}": [] for i in range(40)}, max_active_tasks=64)
    _add(memory_store, dag, clock)
    executor = InlineExecutor(memory_store, lambda w: Outcome(TaskState.SUCCESS, clock()), clock=clock)
    executor.submit = lambda workloads: executor.submitted.extend(workloads)  # hold them queued
    config = SchedulerConfig(max_tis_per_query=16)
    scheduler = Scheduler(memory_store, executor, config=config, clock=clock, hostname="test-host")
    scheduler.start_job()
    with memory_store.transaction() as tx:
        trigger_run(tx, dag, now=clock())
    waits = []
    for _ in range(6):
        waits.append(scheduler.tick(clock()))
        scheduler.handle_events(executor.poll())
    assert len(executor.submitted) == 40
    assert waits[:2] == [0.0, 0.0], waits  # a full batch of 16: tick again now
    assert waits[-1] > 0  # nothing left: back to idling


def test_a_run_triggered_right_after_a_pause_stays_queued(store):
    from brisa.services.dags import set_paused

    clock = FakeClock()
    dag = make_dag("paused_late", {"a": []})
    _add(store, dag, clock)
    scheduler, executor = _scheduler(store, clock)
    scheduler.tick(clock())
    with store.transaction() as tx:
        set_paused(tx, "paused_late", True, now=clock())
        run = trigger_run(tx, dag, now=clock())
    clock.advance(0.5)
    _ticks(scheduler, clock, n=3, step=0.2)
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("paused_late", run.run_id).state == RunState.QUEUED
    assert executor.submitted == []


def test_a_deleted_dag_is_dropped_by_the_scheduler_without_errors(store):
    from brisa.services.dags import delete_dag

    clock = FakeClock()
    daily = {"type": "DeltaDataIntervalTimetable", "delta": 86400.0}
    dag = make_dag("gone", {"a": [], "b": ["a"]}, timetable=daily, start_date=clock() - timedelta(days=3))
    _add(store, dag, clock)

    def retry_later(workload):
        return Outcome(TaskState.UP_FOR_RETRY, clock(), next_try_at=clock() + timedelta(seconds=5))

    scheduler, executor = _scheduler(store, clock, {"a": retry_later})
    _ticks(scheduler, clock, n=3)
    assert executor.submitted
    with store.transaction() as tx:
        delete_dag(tx, "gone")
    submitted = len(executor.submitted)
    _ticks(scheduler, clock, n=10, step=5)
    assert len(executor.submitted) == submitted
    with store.transaction(readonly=True) as tx:
        assert tx.runs.list("gone").total == 0 and tx.dags.get("gone") is None


def _run_stored_past_the_checks(store, dag, clock, run_id, conf):
    """A run with a conf the API refuses today (stored by an older Brisa, or another path)."""
    from brisa.services.runs import create_run

    with store.transaction() as tx:
        create_run(
            tx,
            dag,
            run_id=run_id,
            run_type="manual",
            logical_date=None,
            data_interval=None,
            run_after=clock(),
            now=clock(),
            conf=conf,
        )


def test_a_try_no_task_process_can_be_handed_fails_and_counts_towards_its_retries(store):
    clock = FakeClock()
    dag = make_dag("big", {"a": []}, task_options={"a": {"retries": 2, "retry_delay": 0.0}})
    _add(store, dag, clock)
    scheduler, executor = _scheduler(store, clock)
    _run_stored_past_the_checks(store, dag, clock, "big", {"x": "y" * (5 * 1024 * 1024)})
    with store.transaction() as tx:
        fine = trigger_run(tx, dag, now=clock(), conf={"x": 1})
    _ticks(scheduler, clock, n=12)
    assert [w.key.run_id for w in executor.submitted] == [fine.run_id]
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("big", "big").state == RunState.FAILED
        assert tx.runs.require("big", fine.run_id).state == RunState.SUCCESS
        ti = tx.tis.for_run("big", "big")[0]
        tries = tx.tis.tries(ti.key)
        logs = [tx.logs.read(ti.key, n)[0] for n in (1, 2, 3)]
    assert (ti.state, ti.try_number) == (TaskState.FAILED, 3)
    assert [t.state for t in tries] == [TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RETRY, TaskState.FAILED]
    assert all("a task process takes at most" in log for log in logs), logs


def test_a_run_the_scheduler_cannot_plan_fails_alone(store):
    """A bug or data no check foresaw, about one run: that run fails, the others go on."""
    clock = FakeClock()
    broken = make_dag("broken", {"a": [], "b": ["a"]}, task_options={"b": {"trigger_rule": "bogus"}})
    fine = make_dag("fine", {"a": []})
    _add(store, broken, clock)
    _add(store, fine, clock)
    scheduler, _ = _scheduler(store, clock)
    with store.transaction() as tx:
        bad_run = trigger_run(tx, broken, now=clock())
        good_run = trigger_run(tx, fine, now=clock())
    _ticks(scheduler, clock, n=6)
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("broken", bad_run.run_id).state == RunState.FAILED
        assert tx.runs.require("fine", good_run.run_id).state == RunState.SUCCESS


def test_a_failed_run_is_logged_as_a_warning_a_successful_one_at_info(store, caplog):
    clock = FakeClock()
    dag = make_dag("two", {"ok": [], "bad": []})
    _add(store, dag, clock)
    scheduler, _ = _scheduler(store, clock, {"bad": TaskState.FAILED})
    with store.transaction() as tx:
        failed = trigger_run(tx, dag, now=clock())
    with caplog.at_level("INFO", logger="brisa.scheduler.loop"):
        _ticks(scheduler, clock, n=6)
    (record,) = [
        r for r in caplog.records if failed.run_id in r.getMessage() and "is failed" in r.getMessage()
    ]
    assert record.levelname == "WARNING"


def _log_of(store, key, try_number):
    with store.transaction(readonly=True) as tx:
        return tx.logs.read(key, try_number)[0]


def test_a_task_whose_pool_does_not_exist_says_so_once_and_runs_once_the_pool_is_created(store):
    from brisa.services.deps import failed_deps

    clock = FakeClock()
    dag = make_dag("pooled", {"a": []}, task_options={"a": {"pool": "nope"}})
    _add(store, dag, clock)
    scheduler, executor = _scheduler(store, clock)
    with store.transaction() as tx:
        run = trigger_run(tx, dag, now=clock())
    _ticks(scheduler, clock, n=4)
    assert executor.submitted == []
    with store.transaction(readonly=True) as tx:
        ti = tx.tis.for_run("pooled", run.run_id)[0]
        reasons = failed_deps(tx, ti, dag, now=clock())
    assert ti.state == TaskState.SCHEDULED
    assert _log_of(store, ti.key, 0).count("pool 'nope' does not exist") == 1
    assert reasons == [("Pool Slots Available", reasons[0][1])] and "'nope' does not exist" in reasons[0][1]
    with store.transaction() as tx:
        tx.pools.set("nope", 1, "created late")
    _ticks(scheduler, clock, n=4)
    assert _states(store, "pooled", run.run_id) == {"a": TaskState.SUCCESS}


def test_a_pool_of_minus_one_slots_is_unlimited(memory_store):
    clock = FakeClock()
    big = {f"t{i}": {"pool": "big"} for i in range(3)}
    dag = make_dag("wide_pool", {task_id: [] for task_id in big}, task_options=big)
    _add(memory_store, dag, clock)
    with memory_store.transaction() as tx:
        tx.pools.set("big", -1, "unlimited")
    scheduler, _ = _scheduler(memory_store, clock)
    with memory_store.transaction() as tx:
        run = trigger_run(tx, dag, now=clock())
    _ticks(scheduler, clock, n=3)
    assert set(_states(memory_store, "wide_pool", run.run_id).values()) == {TaskState.SUCCESS}


def test_a_backfills_runs_start_by_its_own_max_active_runs_beside_the_dags(store):
    # Airflow 3's scheduler counts running runs per (DAG, backfill): the DAG's max_active_runs=1
    # neither holds the backfill's runs nor is used up by them.
    from brisa.services.backfill import BackfillRequest, completed_infos, start_backfill

    clock = FakeClock()
    dag = make_dag(
        "bf",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        start_date=clock.now + timedelta(days=30),  # the schedule itself creates nothing now
        max_active_runs=1,
    )
    _add(store, dag, clock)
    scheduler, _ = _scheduler(store, clock)
    request = BackfillRequest(
        start=clock.now - timedelta(days=4), end=clock.now - timedelta(days=2), max_active_runs=2
    )
    infos = completed_infos(dag, request.start, request.end, now=clock(), backwards=False)
    with store.transaction() as tx:
        backfill, _ = start_backfill(tx, dag, request, infos, now=clock())
        manual = trigger_run(tx, dag, now=clock())
    scheduler.tick(clock())
    with store.transaction(readonly=True) as tx:
        states = {r.run_id: (r.state, r.backfill_id) for r in tx.runs.list("bf").items}
    assert states[manual.run_id] == (RunState.RUNNING, None)
    backfill_states = sorted(s for s, b in states.values() if b == backfill.id)
    assert backfill_states == [RunState.QUEUED, RunState.RUNNING, RunState.RUNNING]
    _ticks(scheduler, clock, n=20, step=0.5)
    with store.transaction(readonly=True) as tx:
        assert {r.state for r in tx.runs.list("bf").items} == {RunState.SUCCESS}
        assert tx.backfills.require(backfill.id).completed_at is not None


def test_a_paused_backfill_starts_none_of_its_runs(store):
    from brisa.services.backfill import BackfillRequest, completed_infos, pause_backfill, start_backfill

    clock = FakeClock()
    dag = make_dag(
        "bfp",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        start_date=clock.now + timedelta(days=30),
    )
    _add(store, dag, clock)
    scheduler, _ = _scheduler(store, clock)
    request = BackfillRequest(start=clock.now - timedelta(days=3), end=clock.now - timedelta(days=2))
    infos = completed_infos(dag, request.start, request.end, now=clock(), backwards=False)
    with store.transaction() as tx:
        backfill, _ = start_backfill(tx, dag, request, infos, now=clock())
        pause_backfill(tx, backfill.id, True, now=clock())
    _ticks(scheduler, clock, n=3)
    with store.transaction(readonly=True) as tx:
        assert {r.state for r in tx.runs.list("bfp").items} == {RunState.QUEUED}
    with store.transaction() as tx:
        pause_backfill(tx, backfill.id, False, now=clock())
    _ticks(scheduler, clock, n=10)
    with store.transaction(readonly=True) as tx:
        assert {r.state for r in tx.runs.list("bfp").items} == {RunState.SUCCESS}


class _ReportingProcessor:
    """A DAG processor that parses nothing and reports what the test says it wrote."""

    def __init__(self) -> None:
        self.changes: DagChanges | None = None

    def poll(self, now) -> None:
        pass

    def take_changed(self) -> DagChanges | None:
        changes, self.changes = self.changes, None
        return changes


def _tasks_of(scheduler, dag_id):
    return sorted(scheduler.dags[dag_id].tasks)


def test_a_reported_change_rereads_the_dags_it_names_and_the_rest_comes_later(store):
    clock = FakeClock()
    for dag_id in ("a", "b"):
        _add(store, make_dag(dag_id, {"t": []}), clock)
    processor = _ReportingProcessor()
    executor = InlineExecutor(store, lambda w: Outcome(TaskState.SUCCESS, clock()), clock=clock)
    scheduler = Scheduler(
        store, executor, config=SchedulerConfig(), clock=clock, hostname="h", processor=processor
    )
    scheduler.tick(clock())
    assert _tasks_of(scheduler, "a") == _tasks_of(scheduler, "b") == ["t"]

    for dag_id in ("a", "b"):  # both change in the store; the processor wrote only b
        _add(store, make_dag(dag_id, {"t": [], "u": ["t"]}), clock)
    processor.changes = DagChanges(frozenset({"b"}))
    clock.advance(0.5)
    scheduler.tick(clock())
    # Reading every DAG's hash after each write made a folder of N files cost N^2 to parse.
    assert _tasks_of(scheduler, "b") == ["t", "u"]
    assert _tasks_of(scheduler, "a") == ["t"]

    clock.advance(2)  # the periodic re-read catches what another process wrote
    scheduler.tick(clock())
    assert _tasks_of(scheduler, "a") == ["t", "u"]


def test_dags_gone_with_their_files_make_the_scheduler_reread_every_dag(store):
    clock = FakeClock()
    _add(store, make_dag("a", {"t": []}), clock)
    processor = _ReportingProcessor()
    executor = InlineExecutor(store, lambda w: Outcome(TaskState.SUCCESS, clock()), clock=clock)
    scheduler = Scheduler(
        store, executor, config=SchedulerConfig(), clock=clock, hostname="h", processor=processor
    )
    scheduler.tick(clock())
    _add(store, make_dag("a", {"t": [], "u": ["t"]}), clock)
    processor.changes = DagChanges(frozenset(), everything=True)
    clock.advance(0.5)
    scheduler.tick(clock())
    assert _tasks_of(scheduler, "a") == ["t", "u"]
