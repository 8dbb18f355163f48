"""Task instances, their tries and logs, and XCom entries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from brisa.api.schemas.base import RequestModel, ResponseModel, TaskInstanceState
from brisa.api.schemas.dags import BatchRanges, DagVersionResponse
from brisa.api.schemas.query import DB_INT_MAX, PageLimit, Range, SortKey, parse_order_by, ranges_of

# --- Task instances --------------------------------------------------------------------------


class TriggerResponse(ResponseModel):
    id: int
    classpath: str
    kwargs: str
    created_date: datetime
    triggerer_id: int | None


class JobResponse(ResponseModel):
    id: int
    dag_id: str | None
    state: str | None
    job_type: str | None
    start_date: datetime | None
    end_date: datetime | None
    latest_heartbeat: datetime | None
    executor_class: str | None
    hostname: str | None
    unixname: str | None
    dag_display_name: str | None = None


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class _TaskInstanceFields(ResponseModel):
    task_id: str
    dag_id: str
    dag_run_id: str
    map_index: int
    start_date: datetime | None
    end_date: datetime | None
    duration: float | None
    state: TaskInstanceState | None
    try_number: int
    max_tries: int
    task_display_name: str
    dag_display_name: str
    hostname: str | None
    unixname: str | None
    pool: str
    pool_slots: int
    queue: str | None
    priority_weight: int | None
    operator: str | None
    operator_name: str | None
    queued_when: datetime | None
    scheduled_when: datetime | None
    pid: int | None
    executor: str | None
    executor_config: Annotated[str, BeforeValidator(_as_text)]
    dag_version: DagVersionResponse | None


class TaskInstanceResponse(_TaskInstanceFields):
    id: str
    logical_date: datetime | None
    run_after: datetime
    note: str | None
    rendered_map_index: str | None
    rendered_fields: dict[str, Any] = Field(default_factory=dict)
    trigger: TriggerResponse | None
    triggerer_job: JobResponse | None


class TaskInstanceCollectionResponse(ResponseModel):
    task_instances: list[TaskInstanceResponse]
    total_entries: int


class NewTaskResponse(ResponseModel):
    """A task a clear with ``only_new`` would add to a run: it has no task instance yet."""

    task_id: str
    task_display_name: str


class ClearTaskInstanceCollectionResponse(ResponseModel):
    """A dry-run clear of a run: its task instances, or (``only_new``) the tasks it lacks."""

    task_instances: list[TaskInstanceResponse | NewTaskResponse]
    total_entries: int


class TaskInstanceHistoryResponse(_TaskInstanceFields):
    """One try, from ``.../tries``."""


class TaskInstanceHistoryCollectionResponse(ResponseModel):
    task_instances: list[TaskInstanceHistoryResponse]
    total_entries: int


class PatchTaskInstanceBody(RequestModel):
    """Mark a task instance (``new_state``) and/or set its note."""

    new_state: TaskInstanceState | None = None
    note: str | None = Field(default=None, max_length=1000)
    include_upstream: bool = False
    include_downstream: bool = False
    include_future: bool = False
    include_past: bool = False

    @field_validator("new_state", mode="before")
    @classmethod
    def _markable(cls, value: Any) -> str:
        valid = ["success", "failed", "skipped"]
        if value is None:
            raise ValueError("'new_state' should not be empty")
        state = str(value).lower()
        if state not in valid:
            raise ValueError(f"'{state}' is not one of {valid}")
        return state


class ClearTaskInstancesBody(RequestModel):
    dry_run: bool = True
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    only_failed: bool = True
    only_running: bool = False
    reset_dag_runs: bool = True
    task_ids: list[str | tuple[str, int]] | None = None
    """Task ids, or ``[task_id, map_index]`` pairs for single mapped instances."""
    dag_run_id: str | None = None
    include_upstream: bool = False
    include_downstream: bool = False
    include_future: bool = False
    include_past: bool = False
    run_on_latest_version: bool = False
    prevent_running_task: bool = False
    """Refuse (409) to clear when a selected task instance is running, instead of restarting it."""
    note: str | None = Field(default=None, max_length=1000)
    """Written on the cleared task instances (not on a dry run)."""

    @model_validator(mode="after")
    def _consistent(self) -> ClearTaskInstancesBody:
        if self.only_failed and self.only_running:
            raise ValueError("only_failed and only_running both are set to True")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("end_date is sooner than start_date")
        if self.dag_run_id and (self.start_date or self.end_date):
            raise ValueError("Exactly one of dag_run_id or (start_date and end_date) must be provided")
        if self.task_ids is not None and not self.task_ids:
            raise ValueError("task_ids list should have at least 1 element.")
        return self


class TaskInstancesBatchBody(BatchRanges):
    """``POST /dags/~/dagRuns/~/taskInstances/list``: the list's filters in a body.

    Lists are OR-ed values (empty or null: no filter); a null in ``state`` selects task
    instances without state. ``order_by`` is one name, ``-`` in front for descending.
    """

    SORT_FIELDS: ClassVar[dict[str, str]] = {
        name: name for name in ("id", "state", "duration", "start_date", "end_date", "map_index")
    }
    dag_ids: list[str] | None = None
    dag_run_ids: list[str] | None = None
    task_ids: list[str] | None = None
    state: list[TaskInstanceState | None] | None = None
    pool: list[str] | None = None
    queue: list[str] | None = None
    executor: list[str] | None = None
    page_offset: int = Field(default=0, ge=0, le=DB_INT_MAX)
    page_limit: PageLimit = 100
    order_by: str | None = None

    def ranges(self) -> dict[str, Range]:
        return ranges_of(self)

    def sort_keys(self) -> list[SortKey]:
        """The order (400 on unknown names); the primary key when none is given, as Airflow."""
        return parse_order_by([self.order_by or "id"], self.SORT_FIELDS)


class StructuredLogMessage(ResponseModel):
    model_config = ConfigDict(extra="allow")  # level, logger, error_detail, ...

    timestamp: datetime | None = None
    event: str

    def as_line(self) -> str:
        level = self.model_extra.get("level") if self.model_extra else None
        prefix = f"[{self.timestamp.isoformat()}] " if self.timestamp else ""
        return f"{prefix}{str(level).upper()} - {self.event}" if level else f"{prefix}{self.event}"


class TaskInstancesLogResponse(ResponseModel):
    """``GET .../logs/{try_number}``; ``content`` is plain lines when a log cannot be parsed."""

    content: list[StructuredLogMessage] | list[str]
    continuation_token: str | None

    def as_text(self) -> str:
        """The body of the ``text/plain`` variant (Airflow 3.0 served logs as text)."""
        return "".join(f"{_log_line(item)}\n" for item in self.content)

    def as_ndjson(self) -> str:
        """The body of the ``application/x-ndjson`` variant (Airflow 3.1): one event per line."""
        return "".join(f"{_log_json(item)}\n" for item in self.content)


def _log_line(item: StructuredLogMessage | str) -> str:
    return item if isinstance(item, str) else item.as_line()


def _log_json(item: StructuredLogMessage | str) -> str:
    if isinstance(item, str):
        return json.dumps({"event": item})
    return item.model_dump_json(exclude_none=True)


# --- XComs ---------------------------------------------------------------------------------


class XComResponse(ResponseModel):
    key: str
    timestamp: datetime
    logical_date: datetime | None
    map_index: int
    task_id: str
    dag_id: str
    run_id: str
    dag_display_name: str
    task_display_name: str
    run_after: datetime
    """The run's ``run_after`` (Airflow 3.2 added it)."""


class XComResponseNative(XComResponse):
    """The entry with its value as JSON (the default of ``GET .../xcomEntries/{key}``)."""

    value: Any

    @field_validator("value", mode="before")
    @classmethod
    def _json_safe(cls, value: Any) -> Any:
        return _stringify_unknown(value)


class XComResponseString(XComResponse):
    """The entry with its value as a string (``?stringify=true``)."""

    value: str | None

    @field_validator("value", mode="before")
    @classmethod
    def _to_string(cls, value: Any) -> str | None:
        return None if value is None else str(value)


def _stringify_unknown(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(key): _stringify_unknown(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify_unknown(item) for item in value]
    return str(value)


class ExtraLinkCollectionResponse(ResponseModel):
    """Airflow 3's ``ExtraLinkCollectionResponse``: ``{link name: URL or null}``."""

    extra_links: dict[str, str | None]
    total_entries: int


class XComCollectionResponse(ResponseModel):
    xcom_entries: list[XComResponse]
    total_entries: int


XComKey = Annotated[str, Field(min_length=1, max_length=512)]
XComMapIndex = Annotated[int, Field(ge=-1, le=DB_INT_MAX)]


class XComCreateBody(RequestModel):
    """``POST .../xcomEntries``: a new XCom of the path's task instance (``map_index`` in the body)."""

    key: XComKey
    value: Any
    """Any JSON value, stored as a task's ``xcom_push`` would store it."""
    map_index: XComMapIndex = -1


class XComUpdateBody(RequestModel):
    """``PATCH .../xcomEntries/{xcom_key}``: the new value of an existing XCom."""

    value: Any
    map_index: XComMapIndex = -1


__all__ = [
    "ClearTaskInstanceCollectionResponse",
    "ClearTaskInstancesBody",
    "ExtraLinkCollectionResponse",
    "JobResponse",
    "NewTaskResponse",
    "PatchTaskInstanceBody",
    "StructuredLogMessage",
    "TaskInstanceCollectionResponse",
    "TaskInstanceHistoryCollectionResponse",
    "TaskInstanceHistoryResponse",
    "TaskInstanceResponse",
    "TaskInstancesBatchBody",
    "TaskInstancesLogResponse",
    "TriggerResponse",
    "XComCollectionResponse",
    "XComCreateBody",
    "XComResponse",
    "XComResponseNative",
    "XComResponseString",
    "XComUpdateBody",
]
