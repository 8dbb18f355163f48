"""The state machine: both transition tables, pair by pair, through advance_ti/advance_run on a
real (in-memory SQLite) store, and the properties the tables promise."""

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise, product
from typing import Any

import pytest

from brisa.errors import InvalidTransition
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run
from brisa.states import (
    ACTIVE,
    FINISHED,
    RUN_TRANSITIONS,
    STATE_PRIORITY,
    TASK_TRANSITIONS,
    RunState,
    TaskState,
    advance_run,
    advance_ti,
    advance_tis,
    check_run_transition,
    check_ti_transition,
    coerce_task_state,
    most_pressing,
)
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.testing import make_dag, memory_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TASK_STATES: list[TaskState | None] = [None, *TaskState]
TASK_PAIRS = list(product(TASK_STATES, TASK_STATES))
RUN_PAIRS = list(product(RunState, RunState))
MARKS = {TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED}


def _name(state: TaskState | RunState | None) -> str:
    return "none" if state is None else state.value


def _task_id(frm: TaskState | None, to: TaskState | None) -> str:
    return f"{_name(frm)}__{_name(to)}"


def _path(table: dict[Any, frozenset[Any]], start: Any, goal: Any) -> list[Any]:
    """The shortest walk through ``table`` from ``start`` to ``goal`` (both included)."""
    came_from: dict[Any, Any] = {start: start}
    todo = deque([start])
    while todo:
        state = todo.popleft()
        if state == goal:
            walk = [goal]
            while walk[-1] != start:
                walk.append(came_from[walk[-1]])
            return walk[::-1]
        for nxt in table[state]:
            if nxt not in came_from:
                came_from[nxt] = state
                todo.append(nxt)
    raise AssertionError(f"{_name(goal)} cannot be reached from {_name(start)}")


@pytest.fixture(scope="module")
def table_store() -> Iterator[tuple[Store, SerializedDag]]:
    """One run whose task instances, one per (from, to) pair, start with no state; and one run
    per run-state pair. Each test touches only its own rows."""
    dag = make_dag("states", {_task_id(frm, to): [] for frm, to in TASK_PAIRS})
    store = memory_store()
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        for n, (frm, to) in enumerate([(None, None), *RUN_PAIRS]):
            run_id = "tasks" if frm is None else f"{_name(frm)}__{_name(to)}"
            logical = T0 + timedelta(days=n)
            create_run(
                tx,
                dag,
                run_id=run_id,
                run_type="manual",
                logical_date=logical,
                data_interval=None,
                run_after=logical,
                now=T0,
            )
    yield store, dag
    store.dispose()


def _ti_state(store: Store, key: TaskKey) -> TaskState | None:
    with store.transaction(readonly=True) as tx:
        (ti,) = [t for t in tx.tis.for_run(key.dag_id, key.run_id) if t.task_id == key.task_id]
    return coerce_task_state(ti.state)


def _run_state(store: Store, run_id: str) -> RunState:
    with store.transaction(readonly=True) as tx:
        return RunState(tx.runs.require("states", run_id).state)


@pytest.mark.parametrize(("frm", "to"), TASK_PAIRS, ids=[_task_id(f, t) for f, t in TASK_PAIRS])
def test_each_task_transition_is_written_or_refused_as_the_table_says(table_store, frm, to):
    store, _ = table_store
    key = TaskKey("states", "tasks", _task_id(frm, to))
    walk = _path(TASK_TRANSITIONS, None, frm)
    with store.transaction() as tx:
        for here, there in pairwise(walk):
            assert advance_ti(tx, key, here, there) is True
    assert _ti_state(store, key) == frm
    allowed = frm != to and to in TASK_TRANSITIONS[frm]
    with store.transaction() as tx:
        if allowed:
            assert advance_ti(tx, key, frm, to) is True
            # Compare-and-set: the row has moved on, so the same move now loses.
            assert advance_ti(tx, key, frm, to) is False
        else:
            with pytest.raises(InvalidTransition, match="already" if frm == to else "cannot go from"):
                advance_ti(tx, key, frm, to)
    assert _ti_state(store, key) == (to if allowed else frm)


@pytest.mark.parametrize(("frm", "to"), RUN_PAIRS, ids=[f"{f.value}__{t.value}" for f, t in RUN_PAIRS])
def test_each_run_transition_is_written_or_refused_as_the_table_says(table_store, frm, to):
    store, _ = table_store
    run_id = f"{frm.value}__{to.value}"
    walk = _path(RUN_TRANSITIONS, RunState.QUEUED, frm)
    with store.transaction() as tx:
        for here, there in pairwise(walk):
            assert advance_run(tx, "states", run_id, here, there) is True
    assert _run_state(store, run_id) == frm
    allowed = to in RUN_TRANSITIONS[frm]
    with store.transaction() as tx:
        if allowed:
            assert advance_run(tx, "states", run_id, frm, to) is True
            assert advance_run(tx, "states", run_id, frm, to) is False
        else:
            with pytest.raises(InvalidTransition, match=f"from {frm} to {to}"):
                advance_run(tx, "states", run_id, frm, to)
    assert _run_state(store, run_id) == (to if allowed else frm)


def test_advance_refuses_the_whole_move_if_one_expected_state_may_not_make_it():
    store = memory_store()
    dag = make_dag("many", {"a": [], "b": []})
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = create_run(
            tx, dag, run_id="r", run_type="manual", logical_date=T0, data_interval=None, run_after=T0, now=T0
        )
        ids = [ti.id for ti in tx.tis.for_run("many", "r")]
        # running -> scheduled is not allowed, so {none, running} -> scheduled is refused.
        with pytest.raises(InvalidTransition, match="running to scheduled"):
            advance_tis(tx, ids, {None, TaskState.RUNNING}, TaskState.SCHEDULED)
        with pytest.raises(InvalidTransition, match="running to queued"):
            advance_ti(
                tx, TaskKey("many", "r", "a"), [TaskState.SCHEDULED, TaskState.RUNNING], TaskState.QUEUED
            )
        with pytest.raises(InvalidTransition, match="success to running"):
            advance_run(tx, "many", "r", [RunState.QUEUED, RunState.SUCCESS], RunState.RUNNING)
        assert advance_tis(tx, ids, None, TaskState.SCHEDULED) == 2
        assert advance_tis(tx, ids, None, TaskState.SCHEDULED) == 0
        assert advance_run(tx, "many", "r", [RunState.QUEUED, RunState.RUNNING], RunState.SUCCESS) is True
    assert run.state == RunState.QUEUED
    store.dispose()


# -- what the tables promise --------------------------------------------------------------------


def test_the_task_table_covers_every_state_and_only_states():
    assert set(TASK_TRANSITIONS) == set(TASK_STATES)
    for frm, tos in TASK_TRANSITIONS.items():
        assert tos <= set(TASK_STATES), frm
        assert frm not in tos, f"{_name(frm)} -> itself is not a transition"


def test_the_run_table_covers_every_state_and_only_states():
    assert set(RUN_TRANSITIONS) == set(RunState)
    for frm, tos in RUN_TRANSITIONS.items():
        assert tos <= set(RunState), frm
        assert frm not in tos


@pytest.mark.parametrize("state", TASK_STATES, ids=_name)
def test_every_task_state_is_reached_from_none_and_can_be_cleared_back(state):
    _path(TASK_TRANSITIONS, None, state)
    _path(TASK_TRANSITIONS, state, None)


@pytest.mark.parametrize("state", list(RunState), ids=_name)
def test_every_run_state_is_reached_from_queued_and_back(state):
    _path(RUN_TRANSITIONS, RunState.QUEUED, state)
    _path(RUN_TRANSITIONS, state, RunState.QUEUED)


@pytest.mark.parametrize("state", sorted(FINISHED), ids=_name)
def test_terminal_task_states_are_left_only_by_a_clear_or_a_mark(state):
    # "only a clear (back to None) or a mark leaves them" (states.FINISHED); removed is a mark
    # too (the task left the DAG file).
    assert TASK_TRANSITIONS[state] <= {None, TaskState.REMOVED, *MARKS}
    assert None in TASK_TRANSITIONS[state]


def test_a_removed_task_instance_only_comes_back_by_a_clear():
    assert TASK_TRANSITIONS[TaskState.REMOVED] == {None}


@pytest.mark.parametrize("state", [s for s in TASK_STATES if s is not TaskState.REMOVED], ids=_name)
def test_a_user_can_mark_any_task_instance_but_a_removed_one(state):
    assert MARKS - {state} <= TASK_TRANSITIONS[state]


def test_a_try_starts_only_from_queued_and_restarts_only_from_running():
    def entries(to: TaskState) -> set[TaskState | None]:
        return {frm for frm, tos in TASK_TRANSITIONS.items() if to in tos}

    assert entries(TaskState.RUNNING) == {TaskState.QUEUED}
    assert entries(TaskState.RESTARTING) == {TaskState.RUNNING}
    assert entries(TaskState.UP_FOR_RESCHEDULE) == {TaskState.RUNNING}
    # A running try is never cleared straight to none: it restarts, so its process is stopped.
    assert None not in TASK_TRANSITIONS[TaskState.RUNNING]


def test_finished_runs_leave_only_by_a_clear_or_a_mark():
    for state in (RunState.SUCCESS, RunState.FAILED):
        assert state.is_finished
        assert RUN_TRANSITIONS[state] == {RunState.QUEUED, *({RunState.SUCCESS, RunState.FAILED} - {state})}
    assert not RunState.QUEUED.is_finished and not RunState.RUNNING.is_finished
    assert {frm for frm, tos in RUN_TRANSITIONS.items() if RunState.RUNNING in tos} == {RunState.QUEUED}


def test_state_predicates_agree_with_the_sets():
    for state in TaskState:
        assert state.is_finished == (state in FINISHED)
        assert state.is_unfinished == (state not in FINISHED)
    assert not ACTIVE & FINISHED


def test_check_functions_name_both_states():
    with pytest.raises(InvalidTransition, match="success to running"):
        check_ti_transition(TaskState.SUCCESS, TaskState.RUNNING)
    with pytest.raises(InvalidTransition, match="none to running"):
        check_ti_transition(None, TaskState.RUNNING)
    with pytest.raises(InvalidTransition, match="already running"):
        check_ti_transition(TaskState.RUNNING, TaskState.RUNNING)
    with pytest.raises(InvalidTransition, match="from queued to queued"):
        check_run_transition(RunState.QUEUED, RunState.QUEUED)


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        (None, None),
        ("none", None),
        ("", None),
        ("failed", TaskState.FAILED),
        (TaskState.SKIPPED, TaskState.SKIPPED),
    ],
)
def test_coerce_task_state_reads_airflow_spellings(raw, state):
    assert coerce_task_state(raw) == state


def test_coerce_task_state_refuses_an_unknown_state():
    with pytest.raises(InvalidTransition, match="unknown task state 'done'"):
        coerce_task_state("done")


def test_most_pressing_state_wins() -> None:
    assert most_pressing(["success", "failed", "running"]) == "failed"
    assert most_pressing(["success", None]) is None
    assert most_pressing(["success", "skipped"]) == "skipped"
    assert most_pressing([TaskState.SUCCESS, TaskState.UP_FOR_RETRY]) == "up_for_retry"
    assert most_pressing([]) is None


def test_every_task_state_has_a_grid_priority() -> None:
    assert set(STATE_PRIORITY) == {*TaskState, None}


def test_a_deferred_try_resumes_through_scheduled_and_holds_no_slot():
    from brisa.states import ACTIVE

    check_ti_transition(TaskState.RUNNING, TaskState.DEFERRED)
    check_ti_transition(TaskState.DEFERRED, TaskState.SCHEDULED)  # fired, timed out or failed
    for mark in (
        TaskState.SUCCESS,
        TaskState.FAILED,
        TaskState.SKIPPED,
        None,
    ):  # end_from_trigger, marks, clear
        check_ti_transition(TaskState.DEFERRED, mark)
    with pytest.raises(InvalidTransition):
        check_ti_transition(TaskState.DEFERRED, TaskState.RUNNING)
    with pytest.raises(InvalidTransition):
        check_ti_transition(TaskState.QUEUED, TaskState.DEFERRED)
    assert TaskState.DEFERRED not in ACTIVE and TaskState.DEFERRED.is_unfinished
