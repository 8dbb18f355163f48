"""brisa.services.adhoc: the throw-away run of ``dags test`` and the task instance
``brisa tasks run`` queues by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brisa.errors import InvalidInputError, NotFoundError
from brisa.services.adhoc import queue_by_hand, start_test_run
from brisa.states import TaskState, advance_ti
from brisa.store.records import TaskKey
from brisa.testing import make_dag

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_test_run_is_manual_unpaused_and_the_others_are_stored_paused(memory_store, now) -> None:
    dag = make_dag("tested", {"a": []}, is_paused_upon_creation=True)
    other = make_dag("other", {"b": []})
    with memory_store.transaction() as tx:
        run = start_test_run(tx, dag, WHEN, now=now, conf={"x": 1}, others=[other])
    with memory_store.transaction(readonly=True) as tx:
        assert (run.logical_date, run.conf, run.triggered_by) == (WHEN, {"x": 1}, "test")
        assert tx.dags.require("tested").is_paused is False
        assert tx.dags.require("other").is_paused is True


def _run_with(store, now, state):
    dag = make_dag("d", {"a": []})
    with store.transaction() as tx:
        run = start_test_run(tx, dag, WHEN, now=now)
        key = TaskKey("d", run.run_id, "a", -1)
        if state is not None:
            for frm, to in _path_to(state):
                advance_ti(tx, key, frm, to)
    return run, key


def _path_to(state):
    steps = {
        TaskState.SCHEDULED: [(None, TaskState.SCHEDULED)],
        TaskState.FAILED: [(None, TaskState.FAILED)],
        TaskState.SUCCESS: [(None, TaskState.SUCCESS)],
        TaskState.UP_FOR_RETRY: [
            (None, TaskState.SCHEDULED),
            (TaskState.SCHEDULED, TaskState.QUEUED),
            (TaskState.QUEUED, TaskState.UP_FOR_RETRY),
        ],
    }
    return steps[state]


@pytest.mark.parametrize("state", [None, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY])
def test_a_waiting_instance_is_queued_for_its_next_try(memory_store, now, state) -> None:
    run, key = _run_with(memory_store, now, state)
    with memory_store.transaction() as tx:
        dag, record, before = queue_by_hand(tx, "d", "a", run.run_id, now=now)
    with memory_store.transaction(readonly=True) as tx:
        after = tx.tis.require(key)
    assert (dag.dag_id, record.run_id, before.state) == ("d", run.run_id, state)
    assert (after.state, after.try_number, after.queued_dttm) == (TaskState.QUEUED, 1, now)


def test_the_run_may_be_named_by_its_logical_date(memory_store, now) -> None:
    run, _ = _run_with(memory_store, now, None)
    with memory_store.transaction() as tx:
        _, record, _ = queue_by_hand(tx, "d", "a", "2026-03-01", now=now)
    assert record.run_id == run.run_id


def test_a_failed_instance_needs_ignore_dependencies(memory_store, now) -> None:
    run, key = _run_with(memory_store, now, TaskState.FAILED)
    refused = pytest.raises(InvalidInputError, match="is failed; clear it first")
    with memory_store.transaction() as tx, refused:
        queue_by_hand(tx, "d", "a", run.run_id, now=now)
    with memory_store.transaction() as tx:
        queue_by_hand(tx, "d", "a", run.run_id, now=now, ignore_dependencies=True)
    with memory_store.transaction(readonly=True) as tx:
        assert tx.tis.require(key).state == TaskState.QUEUED


def test_a_succeeded_instance_is_refused_even_ignoring_dependencies(memory_store, now) -> None:
    run, _ = _run_with(memory_store, now, TaskState.SUCCESS)
    with memory_store.transaction() as tx, pytest.raises(InvalidInputError, match="is success"):
        queue_by_hand(tx, "d", "a", run.run_id, now=now, ignore_dependencies=True)


def test_an_unknown_run_is_not_found(memory_store, now) -> None:
    _run_with(memory_store, now, None)
    with memory_store.transaction() as tx, pytest.raises(NotFoundError, match="DAG run '2027-01-01'"):
        queue_by_hand(tx, "d", "a", "2027-01-01", now=now + timedelta(days=1))
