"""Run and task-instance states, the transitions allowed between them, and ``advance()``.

Every state change in Brisa goes through :func:`advance_ti` or :func:`advance_run`.
They check the transition against the tables below and then write it with
compare-and-set (``UPDATE ... WHERE state = :expected``), so two writers racing for
the same row (two schedulers, a scheduler and the API) cannot both win.

Airflow's "no state" is ``None`` here and ``NULL`` in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Protocol

from brisa.errors import InvalidTransition


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        return self in (RunState.SUCCESS, RunState.FAILED)


class TaskState(StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    UP_FOR_RETRY = "up_for_retry"
    UP_FOR_RESCHEDULE = "up_for_reschedule"
    UPSTREAM_FAILED = "upstream_failed"
    REMOVED = "removed"
    RESTARTING = "restarting"
    """Cleared while running: waits for the old process to end, then goes back to none."""
    DEFERRED = "deferred"
    """Waiting on a trigger in the triggerer: holds no process, executor slot or pool slot."""

    @property
    def is_finished(self) -> bool:
        return self in FINISHED

    @property
    def is_unfinished(self) -> bool:
        return self not in FINISHED


FINISHED: frozenset[TaskState] = frozenset(
    {TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED, TaskState.UPSTREAM_FAILED, TaskState.REMOVED}
)
"""Terminal task states: only a clear (back to ``None``) or a mark leaves them."""

ACTIVE: frozenset[TaskState] = frozenset({TaskState.QUEUED, TaskState.RUNNING, TaskState.RESTARTING})
"""States in which a try holds an executor slot."""

_KEEPS_DEFERRAL: frozenset[TaskState | None] = frozenset(
    {TaskState.DEFERRED, TaskState.SCHEDULED, TaskState.QUEUED, TaskState.RUNNING}
)
"""States a deferred try passes through until it resumes; any other forgets the deferral."""
_NO_DEFERRAL = {"next_method": None, "next_kwargs": None, "trigger_id": None, "trigger_timeout": None}

FAILED_STATES: frozenset[TaskState] = frozenset({TaskState.FAILED, TaskState.UPSTREAM_FAILED})
SUCCESS_STATES: frozenset[TaskState] = frozenset({TaskState.SUCCESS, TaskState.SKIPPED})

STATE_PRIORITY: tuple[TaskState | None, ...] = (
    TaskState.FAILED,
    TaskState.UPSTREAM_FAILED,
    TaskState.UP_FOR_RETRY,
    TaskState.UP_FOR_RESCHEDULE,
    TaskState.RESTARTING,
    TaskState.DEFERRED,
    TaskState.RUNNING,
    TaskState.QUEUED,
    TaskState.SCHEDULED,
    None,
    TaskState.SKIPPED,
    TaskState.REMOVED,
    TaskState.SUCCESS,
)
"""Most pressing first: the one state the grid (UI page and its live API) shows for a
mapped task's instances or a group's members when they disagree."""


def most_pressing(states: Iterable[str | None]) -> str | None:
    """The most pressing of ``states`` (values or :class:`TaskState`); None for none."""
    ranked = [s if s in STATE_PRIORITY else None for s in states]
    return min(ranked, key=STATE_PRIORITY.index) if ranked else None


_T = TaskState
_MARKS = {_T.SUCCESS, _T.FAILED, _T.SKIPPED}
TASK_TRANSITIONS: dict[TaskState | None, frozenset[TaskState | None]] = {
    # none/up_for_retry -> deferred: a start_from_trigger task defers without a worker.
    None: frozenset({_T.SCHEDULED, _T.DEFERRED, _T.SKIPPED, _T.UPSTREAM_FAILED, _T.REMOVED, *_MARKS}),
    _T.SCHEDULED: frozenset({_T.QUEUED, None, _T.SKIPPED, _T.UPSTREAM_FAILED, _T.REMOVED, *_MARKS}),
    # queued -> scheduled: the executor lost a try before it started (no attempt spent).
    _T.QUEUED: frozenset({_T.RUNNING, _T.SCHEDULED, _T.UP_FOR_RETRY, None, _T.REMOVED, *_MARKS}),
    _T.RUNNING: frozenset({_T.UP_FOR_RETRY, _T.UP_FOR_RESCHEDULE, _T.RESTARTING, _T.DEFERRED, *_MARKS}),
    # deferred -> scheduled: the trigger fired, timed out or failed (the try resumes, as in
    # Airflow); -> a mark: a user, or a trigger's end_from_trigger event; -> none: a clear.
    _T.DEFERRED: frozenset({_T.SCHEDULED, None, _T.REMOVED, *_MARKS}),
    _T.RESTARTING: frozenset({None, *_MARKS}),
    _T.UP_FOR_RETRY: frozenset({_T.SCHEDULED, _T.DEFERRED, None, _T.REMOVED, *_MARKS}),
    _T.UP_FOR_RESCHEDULE: frozenset({_T.SCHEDULED, _T.DEFERRED, None, _T.REMOVED, *_MARKS}),
    # Terminal states: cleared back to None, or marked by a user.
    _T.SUCCESS: frozenset({None, _T.FAILED, _T.SKIPPED, _T.REMOVED}),
    _T.FAILED: frozenset({None, _T.SUCCESS, _T.SKIPPED, _T.REMOVED}),
    _T.SKIPPED: frozenset({None, _T.SUCCESS, _T.FAILED, _T.REMOVED}),
    _T.UPSTREAM_FAILED: frozenset({None, _T.SUCCESS, _T.FAILED, _T.SKIPPED, _T.REMOVED}),
    _T.REMOVED: frozenset({None}),
}

_R = RunState
RUN_TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    _R.QUEUED: frozenset({_R.RUNNING, _R.FAILED, _R.SUCCESS}),
    _R.RUNNING: frozenset({_R.SUCCESS, _R.FAILED, _R.QUEUED}),
    # A finished run goes back to queued when some of its tasks are cleared.
    _R.SUCCESS: frozenset({_R.QUEUED, _R.FAILED}),
    _R.FAILED: frozenset({_R.QUEUED, _R.SUCCESS}),
}


def coerce_task_state(value: str | TaskState | None) -> TaskState | None:
    if value is None or value == "none" or value == "":
        return None
    try:
        return TaskState(value)
    except ValueError:
        raise InvalidTransition(f"unknown task state {value!r}") from None


def check_ti_transition(frm: TaskState | None, to: TaskState | None) -> None:
    if frm == to:
        raise InvalidTransition(f"task instance is already {frm or 'none'}")
    if to not in TASK_TRANSITIONS[frm]:
        raise InvalidTransition(f"a task instance cannot go from {frm or 'none'} to {to or 'none'}")


def check_run_transition(frm: RunState, to: RunState) -> None:
    if to not in RUN_TRANSITIONS[frm]:
        raise InvalidTransition(f"a DAG run cannot go from {frm} to {to}")


TaskKeyLike = tuple[str, str, str, int]
"""``(dag_id, run_id, task_id, map_index)``: the store's ``TaskKey`` is one."""


class _TiWrites(Protocol):
    def compare_and_set(
        self,
        key: Any,
        expected: set[TaskState | None],
        to: TaskState | None,
        *,
        try_number_is: int | None = None,
        **fields: Any,
    ) -> bool: ...

    def compare_and_set_ids(
        self, ids: list[int], expected: set[TaskState | None], to: TaskState | None, **fields: Any
    ) -> int: ...


class _RunWrites(Protocol):
    def compare_and_set(
        self, dag_id: str, run_id: str, expected: set[RunState], to: RunState, **fields: Any
    ) -> bool: ...


class StateTransaction(Protocol):
    """What ``advance_*`` need of the store's transaction (``brisa.store.sql.Transaction``):
    states sit below the store, so they name only the compare-and-set writes."""

    @property
    def tis(self) -> _TiWrites: ...

    @property
    def runs(self) -> _RunWrites: ...


def advance_ti(
    tx: StateTransaction,
    key: TaskKeyLike,
    expected: TaskState | Iterable[TaskState | None] | None,
    to: TaskState | None,
    *,
    try_number_is: int | None = None,
    **fields: Any,
) -> bool:
    """Move one task instance from ``expected`` to ``to``; False if another writer won.

    ``expected`` may be one state or several; the write only happens while the row
    is in one of them (and, with ``try_number_is``, still on that try), so the caller
    learns whether it won the race.
    """
    expected_set = _as_set(expected)
    for frm in expected_set:
        check_ti_transition(frm, to)
    fields = _forget_deferral(expected_set, to, fields)
    return tx.tis.compare_and_set(key, expected_set, to, try_number_is=try_number_is, **fields)


def advance_tis(
    tx: StateTransaction,
    ids: list[int],
    expected: TaskState | Iterable[TaskState | None] | None,
    to: TaskState | None,
    **fields: Any,
) -> int:
    """``advance_ti`` for many rows with the same move; returns how many moved."""
    expected_set = _as_set(expected)
    for frm in expected_set:
        check_ti_transition(frm, to)
    fields = _forget_deferral(expected_set, to, fields)
    return tx.tis.compare_and_set_ids(ids, expected_set, to, **fields)


def advance_run(
    tx: StateTransaction,
    dag_id: str,
    run_id: str,
    expected: RunState | Iterable[RunState],
    to: RunState,
    **fields: Any,
) -> bool:
    """Move one DAG run from ``expected`` to ``to``; False if another writer won."""
    expected_set = {expected} if isinstance(expected, RunState) else set(expected)
    for frm in expected_set:
        check_run_transition(frm, to)
    return tx.runs.compare_and_set(dag_id, run_id, expected_set, to, **fields)


def _forget_deferral(
    expected: set[TaskState | None], to: TaskState | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """A try that ends, retries or is cleared after a deferral must not resume again:
    its next run starts ``execute`` afresh (Airflow clears ``next_method`` then too)."""
    if to in _KEEPS_DEFERRAL or not (expected & _KEEPS_DEFERRAL):
        return fields
    return {**_NO_DEFERRAL, **fields}


def _as_set(expected: TaskState | Iterable[TaskState | None] | None) -> set[TaskState | None]:
    if expected is None or isinstance(expected, TaskState):
        return {expected}
    return set(expected)


__all__ = [
    "ACTIVE",
    "FAILED_STATES",
    "FINISHED",
    "RUN_TRANSITIONS",
    "STATE_PRIORITY",
    "SUCCESS_STATES",
    "TASK_TRANSITIONS",
    "RunState",
    "StateTransaction",
    "TaskKeyLike",
    "TaskState",
    "advance_run",
    "advance_ti",
    "advance_tis",
    "check_run_transition",
    "check_ti_transition",
    "coerce_task_state",
    "most_pressing",
]
