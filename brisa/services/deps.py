"""Why a task instance is not running: Airflow's "dependencies not met", read from the store.

Used by ``brisa tasks failed-deps`` and the task page. Each reason is ``(dependency,
explanation)`` with Airflow's dependency names, so a user can match them to its docs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from brisa.plan.queue import UNLIMITED, missing_pool_message
from brisa.serialized import SerializedDag
from brisa.states import ACTIVE, SUCCESS_STATES, RunState, TaskState
from brisa.store.records import TiRecord
from brisa.store.sql import Transaction

Reason = tuple[str, str]

WAITING = frozenset({None, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE})


def failed_deps(tx: Transaction, ti: TiRecord, dag: SerializedDag | None, *, now: datetime) -> list[Reason]:
    """What keeps ``ti`` from running now; empty when nothing does (or it already runs)."""
    if ti.state not in WAITING:
        return [] if ti.state in ACTIVE else [_state_reason(ti)]
    return [*_dag_and_run(tx, ti), *_retry_period(ti, now), *_pool(tx, ti), *_upstream(tx, ti, dag)]


def _state_reason(ti: TiRecord) -> Reason:
    state = ti.state.value if ti.state else "none"
    return (
        "Task Instance State",
        f"Task is in the '{state}' state which is not a valid state for execution. "
        "The task must be cleared in order to be run.",
    )


def _dag_and_run(tx: Transaction, ti: TiRecord) -> Iterator[Reason]:
    record = tx.dags.get(ti.dag_id)
    if record is not None and record.is_paused:
        yield "Dag Not Paused", f"Task's DAG '{ti.dag_id}' is paused."
    run = tx.runs.get(ti.dag_id, ti.run_id)
    if run is not None and run.state != RunState.RUNNING:
        yield (
            "Dagrun Running",
            f"Task instance's dagrun was not in the 'running' state but in the state '{run.state.value}'.",
        )


def _retry_period(ti: TiRecord, now: datetime) -> Iterator[Reason]:
    retrying = ti.state in (TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE)
    if retrying and ti.next_try_at and ti.next_try_at > now:
        yield (
            "Not In Retry Period",
            f"Task is not ready for retry yet but will be retried automatically. Current date is "
            f"{now.isoformat()} and task will be retried at {ti.next_try_at.isoformat()}.",
        )


def _pool(tx: Transaction, ti: TiRecord) -> Iterator[Reason]:
    pool = tx.pools.get(ti.pool)
    if pool is None:
        yield "Pool Slots Available", missing_pool_message(ti.pool)
        return
    held = tx.tis.pool_usage().get(ti.pool, {})
    used = sum(held.get(state.value, 0) for state in ACTIVE)
    if pool.slots != UNLIMITED and used + ti.pool_slots > pool.slots:
        yield (
            "Pool Slots Available",
            f"Not scheduling since there are {max(pool.slots - used, 0)} open slots in pool "
            f"{ti.pool} and require {ti.pool_slots} pool slots",
        )


def _upstream(tx: Transaction, ti: TiRecord, dag: SerializedDag | None) -> Iterator[Reason]:
    task = dag.tasks.get(ti.task_id) if dag else None
    if ti.state is not None or task is None or not task.upstream:
        return
    states = {t.task_id: t.state for t in tx.tis.for_run(ti.dag_id, ti.run_id) if t.task_id in task.upstream}
    waiting = sorted(t for t, state in states.items() if state not in SUCCESS_STATES)
    if waiting:
        yield (
            "Trigger Rule",
            f"Task's trigger rule '{task.trigger_rule}' waits for upstream tasks: {', '.join(waiting)} "
            f"({', '.join(f'{t}={_state_name(states[t])}' for t in waiting)}).",
        )


__all__ = ["WAITING", "Reason", "failed_deps"]


def _state_name(state: TaskState | None) -> str | None:
    return state.value if state is not None else None
