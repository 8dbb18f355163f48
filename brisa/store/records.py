"""Immutable views of rows, handed out by the repositories.

Repositories never hand out live ORM objects: a record is a snapshot, so nothing can
change a state behind ``advance_ti`` by setting an attribute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, NamedTuple, Self, TypeVar

from brisa.states import RunState, TaskState


class TaskKey(NamedTuple):
    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1

    def __str__(self) -> str:
        suffix = f"[{self.map_index}]" if self.map_index >= 0 else ""
        return f"{self.dag_id}.{self.task_id}{suffix} {self.run_id}"


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _from_mapping(cls: type, row: Any, **overrides: Any) -> Any:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    # A plain dict first: membership tests on a Row's mapping are slow, and list pages
    # build thousands of records.
    values = row._asdict() if hasattr(row, "_asdict") else dict(row)
    values.update(overrides)
    return cls(**{name: values[name] for name in names if name in values})


@dataclass(frozen=True)
class DagRecord:
    dag_id: str
    fileloc: str
    relative_fileloc: str
    is_paused: bool
    is_active: bool
    owners: str
    description: str | None
    timetable_summary: str | None
    timetable_description: str | None
    max_active_runs: int | None
    max_active_tasks: int | None
    max_consecutive_failed_dag_runs: int
    has_task_concurrency_limits: bool
    has_import_errors: bool
    generation: str
    serialized_hash: str | None
    last_parsed_time: datetime | None
    next_dagrun: datetime | None
    next_dagrun_data_interval_start: datetime | None
    next_dagrun_data_interval_end: datetime | None
    next_dagrun_create_after: datetime | None
    scheduled_until: datetime | None = None
    is_subdag: bool = False
    tags: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Any, tags: tuple[str, ...] = ()) -> Self:
        return _from_mapping(cls, row, tags=tags)


@dataclass(frozen=True)
class RunRecord:
    id: int
    dag_id: str
    run_id: str
    run_type: str
    state: RunState
    logical_date: datetime | None
    data_interval_start: datetime | None
    data_interval_end: datetime | None
    run_after: datetime
    queued_at: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    conf: dict[str, Any]
    triggered_by: str | None
    triggering_user: str | None
    creating_job_id: int | None
    note: str | None
    clear_number: int
    dag_hash: str | None
    updated_at: datetime | None
    backfill_id: int | None = None
    partition_key: str | None = None
    """Airflow 3.2+'s partition of the run (CronPartitionTimetable, PartitionedAssetTimetable)."""
    partition_date: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        mapping = row._mapping
        return _from_mapping(
            cls, row, state=RunState(mapping["state"]), conf=json.loads(mapping["conf"] or "{}")
        )

    @property
    def is_finished(self) -> bool:
        return self.state.is_finished


@dataclass(frozen=True)
class BackfillRecord:
    """A backfill as Airflow 3 keeps it: what was asked for, and whether it is done."""

    id: int
    dag_id: str
    from_date: datetime
    to_date: datetime
    run_backwards: bool
    dag_run_conf: dict[str, Any]
    is_paused: bool
    reprocess_behavior: str
    max_active_runs: int
    created_at: datetime
    completed_at: datetime | None
    updated_at: datetime
    triggering_user_name: str | None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return _from_mapping(cls, row, dag_run_conf=json.loads(row._mapping["dag_run_conf"] or "{}"))


_TASK_STATES: dict[str | None, TaskState | None] = {None: None, **{state.value: state for state in TaskState}}


@dataclass(frozen=True)
class TiRecord:
    id: int
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    state: TaskState | None
    try_number: int
    max_tries: int
    start_date: datetime | None
    end_date: datetime | None
    duration: float | None
    hostname: str
    pid: int | None
    operator: str | None
    pool: str
    pool_slots: int
    queue: str
    priority_weight: int
    queued_dttm: datetime | None
    queued_by_job_id: int | None
    supervisor_job_id: int | None
    next_try_at: datetime | None
    sensor_started_at: datetime | None
    last_heartbeat_at: datetime | None
    rendered_fields: dict[str, Any] | None
    note: str | None
    updated_at: datetime | None
    next_method: str | None = None
    next_kwargs: str | None = None
    """JSON with :mod:`brisa.serde` tags, decoded only by the triggerer and the runner."""
    trigger_id: int | None = None
    trigger_timeout: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """From a row of ``SELECT task_instance.*``: its columns are in this class's field order
        (a test checks it), so the record is built positionally - the scheduler's hot path.
        Columns after those (a page's total) are left out."""
        values = list(row)[:_TI_FIELD_COUNT]
        values[5] = _TASK_STATES[values[5]]
        if values[24]:
            values[24] = json.loads(values[24])
        return cls(*values)

    @property
    def key(self) -> TaskKey:
        return TaskKey(self.dag_id, self.run_id, self.task_id, self.map_index)


_TI_FIELD_COUNT = len(fields(TiRecord))


@dataclass(frozen=True)
class TryRecord:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int
    state: str | None
    start_date: datetime | None
    end_date: datetime | None
    duration: float | None
    hostname: str
    pid: int | None
    operator: str | None
    pool: str
    queue: str
    priority_weight: int
    max_tries: int
    rendered_fields: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        rendered = row._mapping["rendered_fields"]
        return _from_mapping(cls, row, rendered_fields=json.loads(rendered) if rendered else None)


@dataclass(frozen=True)
class ImportErrorRecord:
    id: int
    filename: str
    lineno: int | None
    message: str
    stacktrace: str
    timestamp: datetime

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return _from_mapping(cls, row)


@dataclass(frozen=True)
class JobRecord:
    id: int
    job_type: str
    state: str
    hostname: str
    pid: int
    start_date: datetime
    end_date: datetime | None
    latest_heartbeat: datetime

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return _from_mapping(cls, row)


@dataclass(frozen=True)
class PoolRecord:
    pool: str
    slots: int
    description: str | None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return _from_mapping(cls, row)


T = TypeVar("T")


@dataclass(frozen=True)
class XComRecord:
    """One XCom, its value decoded. DAG code's ``XCom.get_many`` returns these too; the
    task runtime it reads through does not carry the ``timestamp``, so there it is None."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    key: str
    value: Any
    timestamp: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the total it was cut from."""

    items: list[T]
    total: int


__all__ = [
    "DagRecord",
    "ImportErrorRecord",
    "JobRecord",
    "Page",
    "PoolRecord",
    "RunRecord",
    "TaskKey",
    "TiRecord",
    "TryRecord",
    "XComRecord",
]
