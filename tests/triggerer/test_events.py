"""A try's deferral end to end in the store: defer, then resume, end, time out or fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brisa import serde
from brisa.runner.supervisor import record_outcome
from brisa.sdk.exceptions import TaskDeferred
from brisa.sdk.triggers.base import TaskSkippedEvent, TriggerEvent
from brisa.sdk.triggers.temporal import DateTimeTrigger
from brisa.states import TaskState, advance_ti
from brisa.store.records import TaskKey
from brisa.testing import memory_store
from brisa.tries.deferral import deferral_of, resume_of
from brisa.tries.outcome import Outcome
from brisa.tries.workload import RunContext, Workload
from brisa.triggerer import events

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = TaskKey("d", "r", "t")
MOMENT = datetime(2026, 1, 1, 1, tzinfo=UTC)


@pytest.fixture
def store():
    store = memory_store()
    with store.transaction() as tx:
        tx.tis.create_many(
            [{"dag_id": "d", "run_id": "r", "task_id": "t", "state": "running", "try_number": 1}], now=NOW
        )
    return store


def workload() -> Workload:
    run = RunContext("r", "manual", None, None, None, NOW, NOW, {})
    return Workload(key=KEY, try_number=1, max_tries=0, fileloc="f.py", run=run)


def defer(store, *, timeout=None):
    err = TaskDeferred(
        trigger=DateTimeTrigger(MOMENT), method_name="resume", kwargs={"x": 1}, timeout=timeout
    )
    outcome = Outcome(TaskState.DEFERRED, NOW, deferral=deferral_of(err, NOW))
    outcome = Outcome.from_dict(outcome.to_dict())  # as it crosses from the task process
    with store.transaction() as tx:
        assert record_outcome(tx, workload(), outcome, {}, pid=7, now=NOW)
        return tx.tis.get(KEY)


def test_a_deferred_try_keeps_its_try_number_and_points_at_its_trigger(store):
    ti = defer(store, timeout=timedelta(minutes=5))
    assert ti.state == TaskState.DEFERRED and ti.try_number == 0  # the resumed run is try 1 again
    assert ti.next_method == "resume" and serde.loads(ti.next_kwargs) == {"x": 1}
    assert ti.trigger_timeout == NOW + timedelta(minutes=5)
    with store.transaction() as tx:
        [trigger] = tx.triggers.get_many([ti.trigger_id])
        assert trigger.classpath == "brisa.sdk.triggers.temporal.DateTimeTrigger"
        assert serde.loads(trigger.kwargs) == {"moment": MOMENT, "end_from_trigger": False}
        assert [w.trigger_id for w in tx.triggers.waiting()] == [ti.trigger_id]


def test_an_event_resumes_the_try_with_the_payload_as_event_once(store):
    ti = defer(store)
    with store.transaction() as tx:
        assert events.submit_event(tx, ti.trigger_id, TriggerEvent(MOMENT), now=NOW) == [KEY]
        assert events.submit_event(tx, ti.trigger_id, TriggerEvent(MOMENT), now=NOW) == []
        resumed = tx.tis.get(KEY)
    assert resumed.state == TaskState.SCHEDULED and resumed.trigger_id is None
    assert resume_of(resumed) == ("resume", {"x": 1, "event": MOMENT})


def test_the_resumed_try_ending_forgets_the_deferral_so_a_retry_starts_afresh(store):
    defer(store)
    with store.transaction() as tx:
        ti = tx.tis.get(KEY)
        events.submit_event(tx, ti.trigger_id, TriggerEvent(1), now=NOW)
        for frm, to in ((TaskState.SCHEDULED, TaskState.QUEUED), (TaskState.QUEUED, TaskState.RUNNING)):
            advance_ti(tx, KEY, frm, to)
        assert tx.tis.get(KEY).next_method == "resume"
        advance_ti(tx, KEY, TaskState.RUNNING, TaskState.UP_FOR_RETRY)
        assert resume_of(tx.tis.get(KEY)) is None


def test_end_from_trigger_ends_the_try_without_a_worker(store):
    ti = defer(store)
    with store.transaction() as tx:
        events.submit_event(tx, ti.trigger_id, TaskSkippedEvent(xcoms={"k": 2}), now=NOW)
        ended = tx.tis.get(KEY)
        assert ended.state == TaskState.SKIPPED and ended.try_number == 1 and ended.next_method is None
        assert [t.state for t in tx.tis.tries(KEY)] == ["skipped"]
        assert serde.loads(tx.xcoms.raw_value(KEY, "k")) == 2


def test_a_try_past_its_trigger_timeout_resumes_to_fail(store):
    defer(store, timeout=60)
    with store.transaction() as tx:
        assert events.time_out(tx, now=NOW + timedelta(seconds=59)) == []
        assert events.time_out(tx, now=NOW + timedelta(seconds=61)) == [KEY]
        ti = tx.tis.get(KEY)
    assert ti.state == TaskState.SCHEDULED
    assert resume_of(ti) == ("__fail__", {"error": "Trigger timeout"})


def test_a_failing_trigger_resumes_the_try_to_fail_with_its_traceback(store):
    ti = defer(store)
    with store.transaction() as tx:
        events.submit_failure(tx, ti.trigger_id, ["Traceback", "ValueError: x"], now=NOW)
        assert resume_of(tx.tis.get(KEY)) == (
            "__fail__",
            {"error": "Trigger failure", "traceback": ["Traceback", "ValueError: x"]},
        )


def test_a_cleared_deferred_try_leaves_its_trigger_unused(store):
    ti = defer(store)
    with store.transaction() as tx:
        advance_ti(tx, KEY, TaskState.DEFERRED, None)
        assert tx.tis.get(KEY).trigger_id is None
        assert tx.triggers.delete_unused() == 1
        assert tx.triggers.get_many([ti.trigger_id]) == []


def test_the_fail_markers_match_the_sdks():
    from brisa.sdk import baseoperator
    from brisa.tries import deferral

    assert (deferral.TRIGGER_FAIL, events.TRIGGER_TIMEOUT, events.TRIGGER_FAILURE) == (
        baseoperator.TRIGGER_FAIL,
        baseoperator.TRIGGER_TIMEOUT,
        baseoperator.TRIGGER_FAILURE,
    )
