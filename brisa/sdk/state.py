"""``airflow.utils.state``: Airflow's state names over Brisa's state enums."""

from __future__ import annotations

from brisa.states import RunState, TaskState

TaskInstanceState = TaskState
DagRunState = RunState


class State:
    """Airflow's ``State`` constants (strings; ``NONE`` is no state)."""

    NONE = None
    REMOVED = TaskState.REMOVED
    SCHEDULED = TaskState.SCHEDULED
    QUEUED = TaskState.QUEUED
    RUNNING = TaskState.RUNNING
    SUCCESS = TaskState.SUCCESS
    FAILED = TaskState.FAILED
    SKIPPED = TaskState.SKIPPED
    UP_FOR_RETRY = TaskState.UP_FOR_RETRY
    UP_FOR_RESCHEDULE = TaskState.UP_FOR_RESCHEDULE
    UPSTREAM_FAILED = TaskState.UPSTREAM_FAILED
    DEFERRED = TaskState.DEFERRED
    RESTARTING = "restarting"

    task_states: tuple[str | None, ...] = (None, *TaskState)
    dag_states: tuple[str, ...] = tuple(RunState)
    finished: frozenset[str] = frozenset(
        {TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED, TaskState.UPSTREAM_FAILED, TaskState.REMOVED}
    )
    unfinished: frozenset[str | None] = frozenset(
        {
            None,
            TaskState.SCHEDULED,
            TaskState.QUEUED,
            TaskState.RUNNING,
            TaskState.UP_FOR_RETRY,
            TaskState.UP_FOR_RESCHEDULE,
            TaskState.DEFERRED,
        }
    )
    failed_states: frozenset[str] = frozenset({TaskState.FAILED, TaskState.UPSTREAM_FAILED})
    success_states: frozenset[str] = frozenset({TaskState.SUCCESS, TaskState.SKIPPED})


__all__ = ["DagRunState", "State", "TaskInstanceState"]
