"""Store data for API tests, written with the repositories and services (no DAG files)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState, coerce_task_state
from brisa.store.records import RunRecord, TaskKey
from brisa.store.sql import Store
from brisa.testing import make_dag


def add_dag(store: Store, now: datetime, dag: SerializedDag | None = None, **options: Any) -> SerializedDag:
    dag = dag or make_dag(options.pop("dag_id", "etl"), {"extract": [], "load": ["extract"]}, **options)
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=now)
    return dag


def add_run(
    store: Store, dag: SerializedDag, now: datetime, *, days: int = 0, conf: dict | None = None, **fields: Any
) -> RunRecord:
    """A manual run ``days`` after ``now``, with task instances in no state."""
    with store.transaction() as tx:
        return trigger_run(
            tx,
            dag,
            now=now,
            logical_date=now + timedelta(days=days),
            conf=conf,
            triggered_by="test",
            **fields,
        )


def set_run_state(store: Store, run: RunRecord, state: RunState, **fields: Any) -> None:
    with store.transaction() as tx:
        tx.runs.compare_and_set(run.dag_id, run.run_id, [run.state], state, **fields)


def set_ti(store: Store, key: TaskKey, state: TaskState | str | None, **fields: Any) -> None:
    """Put a task instance in ``state`` directly (tests stand in for the scheduler here)."""
    with store.transaction() as tx:
        current = tx.tis.require(key).state
        assert tx.tis.compare_and_set(key, [current], coerce_task_state(state), **fields)


def key(run: RunRecord, task_id: str, map_index: int = -1) -> TaskKey:
    return TaskKey(run.dag_id, run.run_id, task_id, map_index)


def add_mapped(store: Store, run: RunRecord, task_id: str, count: int, now: datetime) -> None:
    """Expanded instances ``0..count-1`` of ``task_id`` (the -1 placeholder is removed)."""
    with store.transaction() as tx:
        placeholder = tx.tis.get(TaskKey(run.dag_id, run.run_id, task_id, -1))
        if placeholder is not None:
            tx.tis.delete_ids([placeholder.id])
        rows = [
            {"dag_id": run.dag_id, "run_id": run.run_id, "task_id": task_id, "map_index": i}
            for i in range(count)
        ]
        tx.tis.create_many(rows, now=now)
