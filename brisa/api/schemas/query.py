"""Query parameters of the list endpoints, ``order_by``, patterns and ``update_mask``.

Each list endpoint has a model the route takes as ``Annotated[XListQuery, Query()]``.
Unknown parameters are ignored, as Airflow (FastAPI) ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from brisa.api.schemas.base import DagRunState, DagRunType, TaskInstanceState
from brisa.errors import InvalidInputError

DEFAULT_PAGE_LIMIT = 50
"""Airflow's ``[api] fallback_page_limit``."""
MAXIMUM_PAGE_LIMIT = 100
"""Airflow's ``[api] maximum_page_limit``: larger limits are cut to this, not refused."""
MAX_SORT_KEYS = 10
WILDCARD = "~"
DB_INT_MAX = 2**31 - 1
"""The largest value an INTEGER column holds (PostgreSQL): larger numbers are refused with a 422."""
"""In a path (``/dags/~/dagRuns``) or a pattern: every DAG, run or task."""


def _parse_query_datetime(value: Any) -> Any:
    # An unencoded "+00:00" in a URL arrives as " 00:00".
    return value.strip().replace(" ", "+") if isinstance(value, str) else value


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


QueryDateTime = Annotated[datetime, BeforeValidator(_parse_query_datetime), AfterValidator(_assume_utc)]
"""A datetime in a query string; naive ones are UTC, as Airflow parses them."""


def _no_state(value: Any) -> Any:
    return None if value in ("none", "no_status") else value


TaskStateFilter = Annotated[TaskInstanceState | None, BeforeValidator(_no_state)]
"""``state=none`` selects task instances that have no state yet."""


@dataclass(frozen=True)
class SortKey:
    field: str
    """The store-side name (aliases like ``dag_run_id`` are resolved to ``run_id``)."""
    descending: bool


@dataclass(frozen=True)
class Range:
    gte: Any = None
    gt: Any = None
    lte: Any = None
    lt: Any = None


def parse_order_by(values: Sequence[str], allowed: Mapping[str, str]) -> list[SortKey]:
    """Airflow's ``order_by``: names from ``allowed`` (public -> store name), ``-`` for descending.

    The store must sort nulls last and end with the primary key, in the direction of
    the first key, so that pages never overlap.
    """
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if len(names) > MAX_SORT_KEYS:
        raise InvalidInputError(
            f"Ordering with more than {MAX_SORT_KEYS} parameters is not allowed. Provided: {names}"
        )
    keys = []
    for name in names:
        bare = name.lstrip("-")
        if bare not in allowed:
            raise InvalidInputError(
                f"Ordering with '{bare}' is disallowed or the attribute does not exist on the model"
            )
        keys.append(SortKey(field=allowed[bare], descending=name.startswith("-")))
    return keys


def like_pattern(value: str | None) -> str | None:
    """The SQL LIKE pattern a ``*_pattern`` parameter stands for (substring match)."""
    if value is None:
        return None
    return "%" if value == WILDCARD else f"%{value}%"


def is_wildcard(path_value: str) -> bool:
    return path_value == WILDCARD


def ranges_of(model: BaseModel) -> dict[str, Range]:
    """``{"run_after": Range(gte=...)}`` for every ``*_gte/_gt/_lte/_lt`` bound ``model`` has."""
    bounds: dict[str, dict[str, Any]] = {}
    for name, value in model:
        base, _, op = name.rpartition("_")
        if value is not None and op in ("gte", "gt", "lte", "lt"):
            bounds.setdefault(base, {})[op] = value
    return {base: Range(**ops) for base, ops in bounds.items()}


class QueryModel(BaseModel):
    """Query-string parameters; unknown ones are ignored, as FastAPI does for Airflow."""

    def ranges(self) -> dict[str, Range]:
        return ranges_of(self)


def _cut_to_maximum(limit: int) -> int:
    return min(limit, MAXIMUM_PAGE_LIMIT)


PageLimit = Annotated[int, Field(ge=0), AfterValidator(_cut_to_maximum)]
"""A page size: negative is a 422, above :data:`MAXIMUM_PAGE_LIMIT` is cut to it."""


class PageQuery(QueryModel):
    limit: PageLimit = DEFAULT_PAGE_LIMIT
    offset: int = Field(default=0, ge=0, le=DB_INT_MAX)


class SortedPageQuery(PageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {"id": "id"}
    order_by: list[str] = Field(default_factory=lambda: ["id"])

    def sort_keys(self) -> list[SortKey]:
        return parse_order_by(self.order_by, self.SORT_FIELDS)


def _identity(*names: str) -> dict[str, str]:
    return {name: name for name in names}


class _RunAfterRange(QueryModel):
    run_after_gte: QueryDateTime | None = None
    run_after_gt: QueryDateTime | None = None
    run_after_lte: QueryDateTime | None = None
    run_after_lt: QueryDateTime | None = None


class _LogicalDateRange(QueryModel):
    logical_date_gte: QueryDateTime | None = None
    logical_date_gt: QueryDateTime | None = None
    logical_date_lte: QueryDateTime | None = None
    logical_date_lt: QueryDateTime | None = None


class _StartEndUpdatedRanges(QueryModel):
    start_date_gte: QueryDateTime | None = None
    start_date_gt: QueryDateTime | None = None
    start_date_lte: QueryDateTime | None = None
    start_date_lt: QueryDateTime | None = None
    end_date_gte: QueryDateTime | None = None
    end_date_gt: QueryDateTime | None = None
    end_date_lte: QueryDateTime | None = None
    end_date_lt: QueryDateTime | None = None
    updated_at_gte: QueryDateTime | None = None
    updated_at_gt: QueryDateTime | None = None
    updated_at_lte: QueryDateTime | None = None
    updated_at_lt: QueryDateTime | None = None


class DagListQuery(SortedPageQuery):
    """``GET /dags``. ``exclude_stale`` hides DAGs whose file is gone."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = _identity(
        "dag_id", "dag_display_name", "next_dagrun", "last_run_state", "last_run_start_date"
    )
    order_by: list[str] = Field(default_factory=lambda: ["dag_id"])
    tags: list[str] = Field(default_factory=list)
    tags_match_mode: Literal["any", "all"] | None = None
    owners: list[str] = Field(default_factory=list)
    dag_id_pattern: str | None = None
    dag_display_name_pattern: str | None = None
    exclude_stale: bool = True
    paused: bool | None = None
    last_dag_run_state: DagRunState | None = None
    dag_run_state: list[DagRunState] = Field(default_factory=list)


class DagRunListQuery(SortedPageQuery, _RunAfterRange, _LogicalDateRange, _StartEndUpdatedRanges):
    """``GET /dags/{dag_id}/dagRuns`` (``dag_id`` may be ``~``)."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("id", "state", "dag_id", "run_id", "logical_date", "run_after"),
        **_identity("start_date", "end_date", "updated_at", "conf", "duration"),
        "dag_run_id": "run_id",
    }
    run_type: list[DagRunType] = Field(default_factory=list)
    state: list[DagRunState] = Field(default_factory=list)
    run_id_pattern: str | None = None
    triggering_user_name_pattern: str | None = None


class TaskInstanceListQuery(SortedPageQuery, _RunAfterRange, _LogicalDateRange, _StartEndUpdatedRanges):
    """``GET .../taskInstances`` (``~`` for DAG and run) and ``.../listMapped``."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("id", "state", "duration", "start_date", "end_date", "map_index", "try_number"),
        **_identity("logical_date", "run_after", "data_interval_start", "data_interval_end"),
        **_identity("rendered_map_index", "operator"),
    }
    order_by: list[str] = Field(default_factory=lambda: ["map_index"])
    task_id: str | None = None
    task_display_name_pattern: str | None = None
    duration_gte: float | None = None
    duration_gt: float | None = None
    duration_lte: float | None = None
    duration_lt: float | None = None
    state: list[TaskStateFilter] = Field(default_factory=list)
    pool: list[str] = Field(default_factory=list)
    queue: list[str] = Field(default_factory=list)
    executor: list[str] = Field(default_factory=list)
    version_number: list[int] = Field(default_factory=list)
    try_number: list[Annotated[int, Field(ge=0, le=DB_INT_MAX)]] = Field(default_factory=list)
    operator: list[str] = Field(default_factory=list)


class VariableListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("key", "id", "description", "is_encrypted"),
        "_val": "value",
    }
    variable_key_pattern: str | None = None


class ConnectionListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("conn_id", "conn_type", "description", "host", "port", "id"),
        "connection_id": "conn_id",
    }
    connection_id_pattern: str | None = None


class PoolListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {"id": "id", "pool": "pool", "name": "pool"}
    pool_name_pattern: str | None = None


class ImportErrorListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("id", "timestamp", "filename", "bundle_name", "stacktrace"),
        "import_error_id": "id",
    }


class DagTagListQuery(SortedPageQuery):
    """``GET /dagTags``: ordered by ``name`` only."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = {"name": "name"}
    order_by: list[str] = Field(default_factory=lambda: ["name"])
    tag_name_pattern: str | None = None


class DagStatsQuery(QueryModel):
    """``GET /dagStats``: no ``dag_ids`` means every DAG that has runs."""

    dag_ids: list[str] = Field(default_factory=list)


class TaskListQuery(QueryModel):
    """``GET /dags/{dag_id}/tasks``: no paging, as Airflow; ``order_by`` names a task field."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("task_id", "task_display_name", "owner", "start_date", "end_date"),
        **_identity("trigger_rule", "depends_on_past", "wait_for_downstream", "retries"),
        **_identity("queue", "pool", "pool_slots", "retry_exponential_backoff", "priority_weight"),
        **_identity("weight_rule", "ui_color", "ui_fgcolor", "doc_md", "operator_name", "is_mapped"),
    }
    order_by: list[str] = Field(default_factory=lambda: ["task_id"])

    def sort_keys(self) -> list[SortKey]:
        return parse_order_by(self.order_by, self.SORT_FIELDS)


class EventLogListQuery(SortedPageQuery):
    """``GET /eventLogs``: exact filters on the audit log's columns, event lists, a time window."""

    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        **_identity("id", "dttm", "dag_id", "task_id", "run_id", "event", "logical_date", "owner", "extra"),
        "event_log_id": "id",
        "when": "dttm",
    }
    EQUAL_FILTERS: ClassVar[tuple[str, ...]] = (
        "dag_id",
        "task_id",
        "run_id",
        "map_index",
        "try_number",
        "owner",
        "event",
    )
    dag_id: str | None = None
    task_id: str | None = None
    run_id: str | None = None
    map_index: int | None = Field(default=None, ge=-DB_INT_MAX - 1, le=DB_INT_MAX)
    try_number: int | None = Field(default=None, ge=-DB_INT_MAX - 1, le=DB_INT_MAX)
    owner: str | None = None
    event: str | None = None
    excluded_events: list[str] = Field(default_factory=list)
    included_events: list[str] = Field(default_factory=list)
    before: QueryDateTime | None = None
    """Rows strictly before this instant (``when < before``)."""
    after: QueryDateTime | None = None
    """Rows strictly after this instant (``when > after``)."""

    def equal(self) -> dict[str, Any]:
        """The exact-match filters given, by column name."""
        return {name: getattr(self, name) for name in self.EQUAL_FILTERS if getattr(self, name) is not None}


class XComListQuery(PageQuery, _RunAfterRange, _LogicalDateRange):
    """``GET .../xcomEntries`` (``~`` for DAG, run and task); always ordered by
    dag_id, task_id, run_id, map_index, key."""

    xcom_key: str | None = None
    map_index: int | None = Field(default=None, ge=-1, le=DB_INT_MAX)
    xcom_key_pattern: str | None = None
    dag_display_name_pattern: str | None = None
    run_id_pattern: str | None = None
    task_id_pattern: str | None = None
    map_index_filter: int | None = Field(default=None, ge=-1, le=DB_INT_MAX)


class XComEntryQuery(QueryModel):
    map_index: int = Field(default=-1, ge=-1, le=DB_INT_MAX)
    deserialize: bool = False
    stringify: bool = False
    """True: answer :class:`XComResponseString`; else :class:`XComResponseNative`."""


class TaskInstanceLogQuery(QueryModel):
    full_content: bool = False
    map_index: int = Field(default=-1, ge=-1, le=DB_INT_MAX)
    token: str | None = None
    """The ``continuation_token`` of the previous page, as handed out (signed)."""


# --- PATCH and update_mask -------------------------------------------------------------------


def check_update_mask(update_mask: Sequence[str] | None, allowed: Sequence[str]) -> None:
    """Refuse a mask naming fields the endpoint cannot change (``PATCH /dags``: only is_paused)."""
    if update_mask and any(name not in allowed for name in update_mask):
        names = ", ".join(f"`{name}`" for name in allowed)
        raise InvalidInputError(f"Only {names} field can be updated through the REST API")


def fields_to_update(
    body: BaseModel, update_mask: Sequence[str] | None, *, sent_only: bool = False
) -> dict[str, Any]:
    """The wire-named fields a PATCH writes.

    With ``update_mask``, exactly the masked fields (Airflow ignores names the body does
    not have). Without it, every field of the body (variables, connections, pools:
    the body replaces the record) or, with ``sent_only``, only those the client sent
    (DAGs, DAG runs, task instances).
    """
    dumped = body.model_dump(by_alias=True)
    if update_mask:
        return {name: dumped[name] for name in update_mask if name in dumped}
    if sent_only:
        sent = body.model_dump(by_alias=True, include=body.model_fields_set)
        return {name: dumped[name] for name in sent}
    return dumped


__all__ = [
    "DB_INT_MAX",
    "DEFAULT_PAGE_LIMIT",
    "MAXIMUM_PAGE_LIMIT",
    "MAX_SORT_KEYS",
    "WILDCARD",
    "ConnectionListQuery",
    "DagListQuery",
    "DagRunListQuery",
    "DagStatsQuery",
    "DagTagListQuery",
    "EventLogListQuery",
    "ImportErrorListQuery",
    "PageLimit",
    "PageQuery",
    "PoolListQuery",
    "QueryDateTime",
    "QueryModel",
    "Range",
    "SortKey",
    "SortedPageQuery",
    "TaskInstanceListQuery",
    "TaskInstanceLogQuery",
    "TaskListQuery",
    "TaskStateFilter",
    "VariableListQuery",
    "XComEntryQuery",
    "XComListQuery",
    "check_update_mask",
    "fields_to_update",
    "is_wildcard",
    "like_pattern",
    "parse_order_by",
    "ranges_of",
]
