"""Helpers for tests of Brisa and of code built on it: build serialized DAGs by hand,
make a migrated in-memory store, move time by hand. For tests only: no production
module imports it.

The store's fake is the real store on in-memory SQLite (:mod:`brisa.store.memory`,
re-exported here; see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from brisa.serialized import SerializedDag, SerializedTask
from brisa.store.memory import memory_store


def make_dag(
    dag_id: str,
    tasks: Mapping[str, Sequence[str]],
    *,
    task_options: Mapping[str, Mapping[str, Any]] | None = None,
    timetable: Mapping[str, Any] | None = None,
    **options: Any,
) -> SerializedDag:
    """A serialized DAG from ``{task_id: [upstream ids]}``, without any DAG file."""
    downstream: dict[str, list[str]] = {t: [] for t in tasks}
    for task_id, ups in tasks.items():
        for up in ups:
            downstream[up].append(task_id)
    built = {}
    for task_id, ups in tasks.items():
        extra = dict((task_options or {}).get(task_id, {}))
        built[task_id] = SerializedTask(
            task_id=task_id,
            operator=extra.pop("operator", "EmptyOperator"),
            upstream=tuple(ups),
            downstream=tuple(downstream[task_id]),
            **extra,
        )
    return SerializedDag(
        dag_id=dag_id,
        fileloc=options.pop("fileloc", f"/dags/{dag_id}.py"),
        timetable=dict(timetable or {"type": "NullTimetable"}),
        tasks=built,
        **options,
    )


def with_task(dag: SerializedDag, task_id: str, **changes: Any) -> SerializedDag:
    tasks = dict(dag.tasks)
    tasks[task_id] = replace(tasks[task_id], **changes)
    return replace(dag, tasks=tasks)


_ids = iter(range(1, 10**9))


def make_run(dag_id: str, run_id: str = "manual__1", **fields: Any) -> Any:
    """A RunRecord with plausible defaults (running, no timeout)."""
    from brisa.states import RunState
    from brisa.store.records import RunRecord

    start = fields.pop("start_date", datetime(2026, 1, 1, tzinfo=UTC))
    values: dict[str, Any] = {
        "id": next(_ids),
        "dag_id": dag_id,
        "run_id": run_id,
        "run_type": "manual",
        "state": RunState.RUNNING,
        "logical_date": start,
        "data_interval_start": start,
        "data_interval_end": start,
        "run_after": start,
        "queued_at": start,
        "start_date": start,
        "end_date": None,
        "conf": {},
        "triggered_by": None,
        "triggering_user": None,
        "creating_job_id": None,
        "note": None,
        "clear_number": 0,
        "dag_hash": None,
        "updated_at": start,
    }
    values.update(fields)
    return RunRecord(**values)


def make_ti(dag_id: str, task_id: str, state: Any = None, *, run_id: str = "manual__1", **fields: Any) -> Any:
    """A TiRecord with plausible defaults."""
    from brisa.store.records import TiRecord

    values: dict[str, Any] = {
        "id": next(_ids),
        "dag_id": dag_id,
        "run_id": run_id,
        "task_id": task_id,
        "map_index": -1,
        "state": state,
        "try_number": 0,
        "max_tries": 0,
        "start_date": None,
        "end_date": None,
        "duration": None,
        "hostname": "",
        "pid": None,
        "operator": "EmptyOperator",
        "pool": "default_pool",
        "pool_slots": 1,
        "queue": "default",
        "priority_weight": 1,
        "queued_dttm": None,
        "queued_by_job_id": None,
        "supervisor_job_id": None,
        "next_try_at": None,
        "sensor_started_at": None,
        "last_heartbeat_at": None,
        "rendered_fields": None,
        "note": None,
        "updated_at": None,
    }
    values.update(fields)
    return TiRecord(**values)


@dataclass
class FakeClock:
    """A clock tests move by hand: ``clock()`` reads it, ``clock.advance(seconds)`` moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


__all__ = ["FakeClock", "make_dag", "make_run", "make_ti", "memory_store", "with_task"]
