"""``start_from_trigger``: the scheduler defers the task on its trigger without a worker; the
try runs on a worker only once the trigger fired (SQLite and PostgreSQL)."""

from datetime import timedelta

from brisa import serde
from brisa.executors.inline import InlineExecutor
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.sdk.triggers.base import TriggerEvent
from brisa.services.dags import refresh_next_run
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from brisa.testing import FakeClock, make_dag
from brisa.tries.deferral import resume_of
from brisa.tries.outcome import Outcome
from brisa.triggerer import events

TEMPORAL = "airflow.providers.standard.triggers.temporal.DateTimeTrigger"


def _start(clock, *, timeout=None):
    return {
        "classpath": TEMPORAL,
        "kwargs": serde.dumps({"moment": clock() + timedelta(hours=1)}),
        "next_method": "execute_complete",
        "next_kwargs": serde.dumps({"note": "hi"}),
        "timeout": timeout,
    }


def _setup(store, clock, task_options, behaviour=None):
    dag = make_dag("sft", {"wait": [], "after": ["wait"]}, task_options={"wait": task_options})
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=clock())
        refresh_next_run(tx, dag, now=clock())
        run = trigger_run(tx, dag, now=clock())

    def run_try(workload):
        state = (behaviour or {}).get(workload.key.task_id, TaskState.SUCCESS)
        return state(workload) if callable(state) else Outcome(state, clock())

    executor = InlineExecutor(store, run_try, clock=clock)
    scheduler = Scheduler(store, executor, config=SchedulerConfig(), clock=clock, hostname="h")
    scheduler.start_job()
    return scheduler, executor, run


def _ticks(scheduler, clock, n=4):
    for _ in range(n):
        scheduler.tick(clock())
        scheduler.handle_events(scheduler.executor.poll())
        clock.advance(1.0)


def _ti(store, run, task_id="wait"):
    with store.transaction(readonly=True) as tx:
        return tx.tis.get(TaskKey("sft", run.run_id, task_id))


def _fire(store, clock, ti, payload):
    with store.transaction() as tx:
        return events.submit_event(tx, ti.trigger_id, TriggerEvent(payload), now=clock())


def test_the_task_defers_without_a_worker_and_runs_once_its_trigger_fired(store):
    clock = FakeClock()
    scheduler, executor, run = _setup(store, clock, {"start_trigger": _start(clock)})
    _ticks(scheduler, clock)
    ti = _ti(store, run)
    assert ti.state == TaskState.DEFERRED and ti.try_number == 0 and ti.start_date is not None
    assert executor.submitted == []  # no task process was asked for
    with store.transaction(readonly=True) as tx:
        (trigger,) = tx.triggers.get_many([ti.trigger_id])
    assert trigger.classpath == TEMPORAL
    assert _fire(store, clock, ti, {"fired": True}) == [ti.key]
    _ticks(scheduler, clock, n=6)
    resumed = [w for w in executor.submitted if w.key.task_id == "wait"]
    assert len(resumed) == 1 and resumed[0].try_number == 1  # the resumed try is its first
    assert resume_of(resumed[0]) == ("execute_complete", {"note": "hi", "event": {"fired": True}})
    assert [w.key.task_id for w in executor.submitted] == ["wait", "after"]
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("sft", run.run_id).state == RunState.SUCCESS


def test_the_trigger_timeout_is_capped_by_execution_timeout(store):
    clock = FakeClock()
    options = {"start_trigger": _start(clock, timeout=600.0), "execution_timeout": 60.0}
    scheduler, _, run = _setup(store, clock, options)
    scheduler.tick(clock())
    ti = _ti(store, run)
    assert ti.trigger_timeout == clock() + timedelta(seconds=60)
    clock.advance(61)
    with store.transaction() as tx:
        assert events.time_out(tx, now=clock()) == [ti.key]
    assert resume_of(_ti(store, run))[0] == "__fail__"


def test_a_retry_starts_from_the_trigger_again(store):
    clock = FakeClock()
    options = {"start_trigger": _start(clock), "retries": 1, "retry_delay": 0.0}

    def fails_once(workload):
        if workload.try_number == 1:
            return Outcome(TaskState.UP_FOR_RETRY, clock(), next_try_at=clock())
        return Outcome(TaskState.SUCCESS, clock())

    scheduler, executor, run = _setup(store, clock, options, behaviour={"wait": fails_once})
    _ticks(scheduler, clock, n=2)
    _fire(store, clock, _ti(store, run), 1)
    _ticks(scheduler, clock, n=4)
    again = _ti(store, run)
    assert again.state == TaskState.DEFERRED and again.try_number == 1
    assert [w.try_number for w in executor.submitted] == [1]
    _fire(store, clock, again, 2)
    _ticks(scheduler, clock, n=6)
    assert [w.try_number for w in executor.submitted if w.key.task_id == "wait"] == [1, 2]
    with store.transaction(readonly=True) as tx:
        assert tx.runs.require("sft", run.run_id).state == RunState.SUCCESS
