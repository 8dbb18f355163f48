"""``WorkflowTrigger``/``DagStateTrigger`` reading another DAG's states from the store (the
triggerer's read-only runtime), and a deferred ``ExternalTaskSensor`` resumed by a real
triggerer once the other DAG's task succeeded (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from brisa.runtime import use_runtime
from brisa.sdk.exceptions import (
    AirflowException,
    AirflowSkipException,
    ExternalDagFailedError,
    ExternalTaskNotFoundError,
    TaskDeferred,
)
from brisa.sdk.sensors.external_task import ExternalTaskSensor
from brisa.sdk.triggers.external_task import DagStateTrigger, WorkflowTrigger
from brisa.states import RunState, TaskState
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.testing import FakeClock
from brisa.tries.deferral import defer_fields, deferral_of, resume_of
from brisa.triggerer.loop import Triggerer, TriggererConfig
from brisa.triggerer.reads import TriggerRuntime
from tests.waiting import wait_until

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = datetime(2025, 12, 31, tzinfo=UTC)


def _other_run(store, state="running", **task_states):
    with store.transaction() as tx:
        tx.runs.create(
            dag_id="other",
            run_id="scheduled__1",
            run_type="scheduled",
            logical_date=DAY,
            data_interval=(DAY - timedelta(days=1), DAY),
            run_after=DAY,
            now=NOW,
            state=RunState(state),
        )
        rows = [
            {"dag_id": "other", "run_id": "scheduled__1", "task_id": t, "state": st}
            for t, st in task_states.items()
        ]
        tx.tis.create_many(rows, now=NOW)


def _set(store, task_id, state):
    with store.transaction() as tx:
        tx.conn.execute(
            s.task_instance.update().where(s.task_instance.c.task_id == task_id).values(state=state)
        )


def _status(store, trigger):
    with use_runtime(TriggerRuntime(store)):
        return asyncio.run(trigger.status())


def _workflow(**kwargs):
    defaults = {"external_dag_id": "other", "logical_dates": [DAY], "external_task_ids": ["a", "b"]}
    return WorkflowTrigger(**{**defaults, **kwargs})


def test_success_once_every_watched_task_is_in_an_allowed_state(store):
    _other_run(store, a="success", b="running")
    trigger = _workflow(failed_states=["failed"])
    assert _status(store, trigger) is None
    _set(store, "b", "success")
    assert _status(store, trigger) == "success"


def test_failed_and_skipped_states_decide_at_once(store):
    _other_run(store, a="failed", b="running")
    assert _status(store, _workflow(failed_states=["failed"])) == "failed"
    assert (
        _status(store, _workflow(failed_states=["upstream_failed"], skipped_states=["failed"])) == "skipped"
    )
    assert _status(store, _workflow()) is None  # failed is not a state it was told to watch


def test_without_tasks_the_runs_state_is_watched(store):
    _other_run(store, state="running", a="success")
    trigger = _workflow(external_task_ids=None, failed_states=["failed"])
    assert _status(store, trigger) is None
    with store.transaction() as tx:
        tx.conn.execute(s.dag_run.update().values(state="failed"))
    assert _status(store, trigger) == "failed"


def test_dag_state_trigger_fires_with_each_runs_state(store):
    _other_run(store, state="running")
    trigger = DagStateTrigger(
        dag_id="other", states=["success", "failed"], run_ids=["scheduled__1"], poll_interval=0
    )

    async def first_event():
        async for event in trigger.run():
            return event

    with store.transaction() as tx:
        tx.conn.execute(s.dag_run.update().values(state="success"))
    with use_runtime(TriggerRuntime(store)):
        event = asyncio.run(first_event())
    classpath, data = event.payload
    assert classpath.endswith("DagStateTrigger") and data["scheduled__1"] == "success"


def test_the_sensor_defers_on_a_workflow_trigger_for_its_logical_dates():
    sensor = ExternalTaskSensor(
        task_id="wait", external_dag_id="other", external_task_id="a", deferrable=True, timeout=600
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"logical_date": DAY})
    trigger = deferred.value.trigger
    assert isinstance(trigger, WorkflowTrigger) and deferred.value.method_name == "execute_complete"
    assert (trigger.logical_dates, trigger.external_task_ids) == ([DAY], ["a"])
    assert deferred.value.timeout == timedelta(seconds=600)


# -- a real triggerer --------------------------------------------------------------------------------
@pytest.fixture
def started() -> Iterator[list[Triggerer]]:
    triggerers: list[Triggerer] = []
    yield triggerers
    for triggerer in triggerers:
        triggerer.runner.stop()


def _deferred_sensor(store) -> TaskKey:
    """The sensor's try, deferred as its supervisor records it."""
    sensor = ExternalTaskSensor(
        task_id="wait", external_dag_id="other", external_task_id="a", deferrable=True, poke_interval=0.05
    )
    with pytest.raises(TaskDeferred) as err:
        sensor.execute({"logical_date": DAY})
    deferral = deferral_of(err.value, NOW)
    with store.transaction() as tx:
        tx.tis.create_many(
            [{"dag_id": "mine", "run_id": "r", "task_id": "wait", "state": "deferred"}], now=NOW
        )
        fields = defer_fields(tx, deferral, try_number=1, now=NOW)
        tx.conn.execute(s.task_instance.update().where(s.task_instance.c.dag_id == "mine").values(**fields))
    return TaskKey("mine", "r", "wait")


def test_a_triggerer_resumes_the_sensor_once_the_other_task_succeeded(store, started):
    _other_run(store, a="running")
    key = _deferred_sensor(store)
    clock = FakeClock(NOW)
    triggerer = Triggerer(
        store, config=TriggererConfig(capacity=5, health_check_threshold=30.0), clock=clock, hostname="h"
    )
    triggerer.start()
    started.append(triggerer)
    triggerer.tick(clock())
    with store.transaction(readonly=True) as tx:
        assert tx.tis.get(key).state == TaskState.DEFERRED
    _set(store, "a", "success")

    def resumed():
        triggerer.tick(clock())
        with store.transaction(readonly=True) as tx:
            ti = tx.tis.get(key)
        return ti if ti.state == TaskState.SCHEDULED else None

    ti = wait_until(resumed, timeout=60, what="the sensor's try to resume")
    assert resume_of(ti) == ("execute_complete", {"event": {"status": "success"}})


# -- the resumed sensor: Airflow's execute_complete ---------------------------------------------------
def _sensor(**kwargs):
    return ExternalTaskSensor(task_id="wait", external_dag_id="other", deferrable=True, **kwargs)


def test_the_resumed_sensor_succeeds_fails_or_skips_by_the_triggers_status():
    assert _sensor().execute_complete({}, {"status": "success"}) is None
    with pytest.raises(ExternalDagFailedError, match="External job has failed"):
        _sensor().execute_complete({}, {"status": "failed"})
    assert issubclass(ExternalDagFailedError, AirflowException)
    with pytest.raises(AirflowSkipException, match="has skipped"):
        _sensor().execute_complete({}, {"status": "skipped"})
    with pytest.raises(AirflowSkipException, match="has failed skipping"):
        _sensor(soft_fail=True).execute_complete({}, {"status": "failed"})
    with pytest.raises(ExternalTaskNotFoundError):
        _sensor().execute_complete({}, None)
