"""Task definitions: ``/dags/{dag_id}/tasks``, Airflow's ``TaskResponse``.

These describe a task as the DAG file declares it, not a run of it (that is
``TaskInstanceResponse``). Durations are Airflow's ``TimeDelta`` object, not ISO 8601:
``{"__type": "TimeDelta", "days": 0, "seconds": 300, "microseconds": 0}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from brisa.api.schemas.base import ResponseModel


class TimeDelta(ResponseModel):
    """A ``datetime.timedelta`` the way Airflow's API writes one."""

    type_: str = Field(default="TimeDelta", alias="__type")
    days: int
    seconds: int
    microseconds: int


def _time_delta(value: Any) -> Any:
    # Accept a timedelta or seconds (the serialized DAG keeps seconds).
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = timedelta(seconds=value)
    if isinstance(value, timedelta):
        return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
    return value


TimeDeltaField = Annotated[TimeDelta | None, BeforeValidator(_time_delta)]

BACKOFF_BASE = 2.0
"""The factor each retry's delay grows by with ``retry_exponential_backoff=True``."""


def _backoff_multiplier(value: Any) -> Any:
    # Airflow 3.2 made this a multiplier (0: no backoff); True meant doubling before.
    if isinstance(value, bool):
        return BACKOFF_BASE if value else 0.0
    return value


BackoffMultiplier = Annotated[float, BeforeValidator(_backoff_multiplier)]


class TaskResponse(ResponseModel):
    task_id: str | None
    task_display_name: str | None
    owner: str | None
    start_date: datetime | None
    end_date: datetime | None
    trigger_rule: str | None
    depends_on_past: bool
    wait_for_downstream: bool
    retries: float | None
    queue: str | None
    pool: str | None
    pool_slots: float | None
    execution_timeout: TimeDeltaField
    retry_delay: TimeDeltaField
    retry_exponential_backoff: BackoffMultiplier
    priority_weight: float | None
    weight_rule: str | None
    ui_color: str | None
    ui_fgcolor: str | None
    template_fields: list[str] | None
    downstream_task_ids: list[str] | None
    doc_md: str | None
    operator_name: str | None
    params: dict[str, Any] | None
    class_ref: dict[str, Any] | None
    is_mapped: bool | None
    extra_links: list[str]


class TaskCollectionResponse(ResponseModel):
    tasks: list[TaskResponse]
    total_entries: int


__all__ = ["TaskCollectionResponse", "TaskResponse", "TimeDelta"]
