"""DAGs and DAG runs: ``/dags``, ``/dags/{dag_id}/details``, ``/dags/{dag_id}/dagRuns``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, computed_field, model_validator

from brisa.api.schemas.base import (
    DAGRunPatchStates,
    DagRunState,
    DagRunTriggeredByType,
    DagRunType,
    RequestModel,
    ResponseModel,
)
from brisa.api.schemas.query import DB_INT_MAX

# --- DAGs ------------------------------------------------------------------------------------


class DagTagResponse(ResponseModel):
    name: str
    dag_id: str
    dag_display_name: str


class DagVersionResponse(ResponseModel):
    id: UUID
    version_number: int
    dag_id: str
    bundle_name: str | None
    bundle_version: str | None
    created_at: datetime
    dag_display_name: str
    bundle_url: str | None


def _split_owners(value: Any) -> Any:
    # Airflow stores owners as one comma-separated string.
    if value is None:
        return []
    return value.split(",") if isinstance(value, str) else value


def _none_summary(value: Any) -> Any:
    return None if value in (None, "None") else str(value)


class DAGResponse(ResponseModel):
    dag_id: str
    dag_display_name: str
    is_paused: bool
    is_stale: bool
    last_parsed_time: datetime | None
    last_expired: datetime | None
    bundle_name: str | None
    bundle_version: str | None
    relative_fileloc: str | None
    fileloc: str
    description: str | None
    timetable_summary: Annotated[str | None, BeforeValidator(_none_summary)]
    timetable_description: str | None
    tags: list[DagTagResponse]
    max_active_tasks: int
    max_active_runs: int | None
    max_consecutive_failed_dag_runs: int
    has_task_concurrency_limits: bool
    has_import_errors: bool
    next_dagrun_logical_date: datetime | None
    next_dagrun_data_interval_start: datetime | None
    next_dagrun_data_interval_end: datetime | None
    next_dagrun_run_after: datetime | None
    owners: Annotated[list[str], BeforeValidator(_split_owners)]
    file_token: str
    """Opaque, signed reference to the DAG file (Airflow signs bundle name + path)."""
    timetable_periodic: bool
    """Whether the schedule repeats (not ``None``, ``@once`` or ``@continuous``)."""
    timetable_partitioned: bool
    """Airflow 3.2's partitioned timetables (PartitionedAssetTimetable, PartitionedAtRuntime;
    a CronPartitionTimetable's summary is its cron expression, so it reads false)."""
    is_backfillable: bool
    """Whether ``brisa dags backfill`` can make runs: the schedule must repeat (as Airflow)."""
    allowed_run_types: list[DagRunType] | None = None
    """Airflow 3.2's per-DAG restriction; Brisa has none, so null (every type allowed)."""


class DAGDetailsResponse(DAGResponse):
    catchup: bool
    dag_run_timeout: timedelta | None
    asset_expression: dict[str, Any] | None
    doc_md: str | None
    start_date: datetime | None
    end_date: datetime | None
    is_paused_upon_creation: bool | None
    params: dict[str, Any] | None
    render_template_as_native_obj: bool
    template_search_path: list[str] | None
    timezone: str | None
    last_parsed: datetime | None
    default_args: dict[str, Any] | None
    owner_links: dict[str, str] | None = None
    latest_dag_version: DagVersionResponse | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def concurrency(self) -> int:
        """Deprecated in Airflow, kept on the wire: the same as ``max_active_tasks``."""
        return self.max_active_tasks


class DAGCollectionResponse(ResponseModel):
    dags: list[DAGResponse]
    total_entries: int


class DAGPatchBody(RequestModel):
    is_paused: bool


DAG_PATCHABLE_FIELDS = ("is_paused",)


class DAGSourceResponse(ResponseModel):
    """``GET /dagSources/{dag_id}``; ``content`` is null when no source was stored."""

    content: str | None
    dag_id: str
    version_number: int | None
    dag_display_name: str


class DAGTagCollectionResponse(ResponseModel):
    """``GET /dagTags``: distinct tag names, not ``DagTagResponse`` objects."""

    tags: list[str]
    total_entries: int


class DagStatsStateResponse(ResponseModel):
    state: DagRunState
    count: int


class DagStatsResponse(ResponseModel):
    dag_id: str
    dag_display_name: str
    stats: list[DagStatsStateResponse]


class DagStatsCollectionResponse(ResponseModel):
    dags: list[DagStatsResponse]
    total_entries: int


# --- DAG runs --------------------------------------------------------------------------------


class DAGRunResponse(ResponseModel):
    dag_run_id: str
    dag_id: str
    logical_date: datetime | None
    queued_at: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    duration: float | None
    data_interval_start: datetime | None
    data_interval_end: datetime | None
    run_after: datetime
    last_scheduling_decision: datetime | None
    run_type: DagRunType
    state: DagRunState
    triggered_by: DagRunTriggeredByType | None
    triggering_user_name: str | None
    conf: dict[str, Any] | None
    note: str | None
    dag_versions: list[DagVersionResponse]
    bundle_version: str | None
    dag_display_name: str
    partition_key: str | None
    """Airflow 3.2+: the run's partition (CronPartitionTimetable, PartitionedAssetTimetable)."""


class DAGRunCollectionResponse(ResponseModel):
    dag_runs: list[DAGRunResponse]
    total_entries: int


class TriggerDAGRunPostBody(RequestModel):
    """``logical_date`` must be present (it may be null: a run with no logical date)."""

    dag_run_id: str | None = Field(default=None, min_length=1, max_length=250)
    data_interval_start: AwareDatetime | None = None
    data_interval_end: AwareDatetime | None = None
    logical_date: AwareDatetime | None
    run_after: datetime | None = None
    """Airflow defaults this to now; the route fills it from its clock."""
    conf: dict[str, Any] | None = Field(default_factory=dict)
    note: str | None = None
    partition_key: str | None = Field(default=None, min_length=1, max_length=250)
    """Airflow 3.2+: the run's partition; its outlets' events carry it."""

    @model_validator(mode="after")
    def _interval_complete(self) -> TriggerDAGRunPostBody:
        if (self.data_interval_start is None) != (self.data_interval_end is None):
            raise ValueError(
                "Either both data_interval_start and data_interval_end must be provided or both must be None"
            )
        return self


class DAGRunPatchBody(RequestModel):
    state: DAGRunPatchStates | None = None
    note: str | None = Field(default=None, max_length=1000)


class BatchRanges(RequestModel):
    """The date and duration bounds Airflow's batch list bodies (runs, task instances) share."""

    run_after_gte: AwareDatetime | None = None
    run_after_gt: AwareDatetime | None = None
    run_after_lte: AwareDatetime | None = None
    run_after_lt: AwareDatetime | None = None
    logical_date_gte: AwareDatetime | None = None
    logical_date_gt: AwareDatetime | None = None
    logical_date_lte: AwareDatetime | None = None
    logical_date_lt: AwareDatetime | None = None
    start_date_gte: AwareDatetime | None = None
    start_date_gt: AwareDatetime | None = None
    start_date_lte: AwareDatetime | None = None
    start_date_lt: AwareDatetime | None = None
    end_date_gte: AwareDatetime | None = None
    end_date_gt: AwareDatetime | None = None
    end_date_lte: AwareDatetime | None = None
    end_date_lt: AwareDatetime | None = None
    duration_gte: float | None = None
    duration_gt: float | None = None
    duration_lte: float | None = None
    duration_lt: float | None = None


class DAGRunsBatchBody(BatchRanges):
    """``POST /dags/~/dagRuns/list``: the list's filters in a body, for long ``dag_ids`` lists.

    The duration and ``conf_contains`` filters are accepted by the schema but refused by
    the route (400): ignoring them would answer runs the client did not ask for.
    """

    order_by: str | None = None
    page_offset: int = Field(default=0, ge=0, le=DB_INT_MAX)
    page_limit: int = Field(default=100, ge=0)
    dag_ids: list[str] | None = None
    states: list[DagRunState | None] | None = None
    conf_contains: str | None = None

    UNSUPPORTED: ClassVar[tuple[str, ...]] = (
        "duration_gte",
        "duration_gt",
        "duration_lte",
        "duration_lt",
        "conf_contains",
    )


class DAGRunClearBody(RequestModel):
    dry_run: bool = True
    only_failed: bool = False
    only_new: bool = False
    """Clear nothing: give the run instances of the tasks added to the DAG since it was made."""
    run_on_latest_version: bool = False
    """Accepted for compatibility; Brisa has one version of a DAG at a time."""
    note: str | None = Field(default=None, max_length=1000)
    """Written on the run once it is cleared (not on a dry run)."""

    @model_validator(mode="after")
    def _one_selection(self) -> DAGRunClearBody:
        if self.only_new and self.only_failed:
            raise ValueError("only_new and only_failed are mutually exclusive")
        return self


__all__ = [
    "DAG_PATCHABLE_FIELDS",
    "DAGCollectionResponse",
    "DAGDetailsResponse",
    "DAGPatchBody",
    "DAGResponse",
    "DAGRunClearBody",
    "DAGRunCollectionResponse",
    "DAGRunPatchBody",
    "DAGRunResponse",
    "DAGRunsBatchBody",
    "DAGSourceResponse",
    "DAGTagCollectionResponse",
    "DagStatsCollectionResponse",
    "DagStatsResponse",
    "DagStatsStateResponse",
    "DagTagResponse",
    "DagVersionResponse",
    "TriggerDAGRunPostBody",
]
