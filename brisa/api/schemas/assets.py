"""Bodies and queries of ``/api/v2/assets`` in Airflow 3's shapes (its ``datamodels/assets.py``).

``partition_key`` is Airflow 3.2+'s asset partitions (docs/authoring.md); Brisa has no teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from brisa.api.schemas.base import RequestModel, ResponseModel, masker_from, redact
from brisa.api.schemas.query import DB_INT_MAX, QueryDateTime, QueryModel, SortedPageQuery


def _redacted(value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
    return None if value is None else redact(value, masker=masker_from(info))


class DagScheduleAssetReference(ResponseModel):
    dag_id: str
    created_at: datetime
    updated_at: datetime


class TaskOutletAssetReference(ResponseModel):
    dag_id: str
    task_id: str
    created_at: datetime
    updated_at: datetime


TaskInletAssetReference = TaskOutletAssetReference


class AssetWatcherResponse(ResponseModel):
    name: str
    trigger_id: int
    created_date: datetime


class LastAssetEventResponse(ResponseModel):
    id: int | None = None
    timestamp: datetime | None = None


class AssetAliasResponse(ResponseModel):
    id: int
    name: str
    group: str


class AssetResponse(ResponseModel):
    id: int
    name: str
    uri: str
    group: str
    extra: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime
    scheduled_dags: list[DagScheduleAssetReference]
    producing_tasks: list[TaskOutletAssetReference]
    consuming_tasks: list[TaskInletAssetReference]
    aliases: list[AssetAliasResponse]
    watchers: list[AssetWatcherResponse]
    last_asset_event: LastAssetEventResponse | None = None

    _redact_extra = field_validator("extra", mode="after")(_redacted)


class AssetCollectionResponse(ResponseModel):
    assets: list[AssetResponse]
    total_entries: int


class AssetAliasCollectionResponse(ResponseModel):
    asset_aliases: list[AssetAliasResponse]
    total_entries: int


class DagRunAssetReference(ResponseModel):
    run_id: str
    dag_id: str
    logical_date: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    state: str
    data_interval_start: datetime | None
    data_interval_end: datetime | None
    partition_key: str | None = None
    triggering: bool = True


class AssetEventResponse(ResponseModel):
    id: int
    asset_id: int
    uri: str | None = None
    name: str | None = None
    group: str | None = None
    extra: dict[str, Any] | None = None
    source_task_id: str | None = None
    source_dag_id: str | None = None
    source_run_id: str | None = None
    source_map_index: int
    created_dagruns: list[DagRunAssetReference]
    timestamp: datetime
    partition_key: str | None = None

    _redact_extra = field_validator("extra", mode="after")(_redacted)


class AssetEventCollectionResponse(ResponseModel):
    asset_events: list[AssetEventResponse]
    total_entries: int


class QueuedEventResponse(ResponseModel):
    dag_id: str
    asset_id: int
    created_at: datetime
    dag_display_name: str


class QueuedEventCollectionResponse(ResponseModel):
    queued_events: list[QueuedEventResponse]
    total_entries: int


class CreateAssetEventsBody(RequestModel):
    """``POST /assets/events``; Airflow adds ``from_rest_api: true`` to the extra."""

    asset_id: int = Field(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)
    partition_key: str | None = Field(default=None, min_length=1, max_length=250)
    extra: dict[str, Any] = Field(default_factory=dict)
    access_control: dict[str, Any] | None = None

    @field_validator("extra", mode="after")
    @classmethod
    def _from_rest_api(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {**value, "from_rest_api": True}


class AssetListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        n: n for n in ("id", "name", "uri", "created_at", "updated_at")
    }
    name_pattern: str | None = None
    uri_pattern: str | None = None
    dag_ids: list[str] = Field(default_factory=list)
    only_active: bool = True


class AssetAliasListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {"id": "id", "name": "name"}
    name_pattern: str | None = None


class AssetEventListQuery(SortedPageQuery):
    SORT_FIELDS: ClassVar[Mapping[str, str]] = {
        n: n for n in ("source_task_id", "source_dag_id", "source_run_id", "source_map_index", "timestamp")
    }
    order_by: list[str] = Field(default_factory=lambda: ["timestamp"])
    asset_id: int | None = Field(default=None, ge=-DB_INT_MAX - 1, le=DB_INT_MAX)
    source_dag_id: str | None = None
    source_task_id: str | None = None
    source_run_id: str | None = None
    source_map_index: int | None = Field(default=None, ge=-DB_INT_MAX - 1, le=DB_INT_MAX)
    timestamp_gte: QueryDateTime | None = None
    timestamp_lte: QueryDateTime | None = None


class QueuedEventQuery(QueryModel):
    before: QueryDateTime | None = None


__all__ = [
    "AssetAliasCollectionResponse",
    "AssetAliasListQuery",
    "AssetAliasResponse",
    "AssetCollectionResponse",
    "AssetEventCollectionResponse",
    "AssetEventListQuery",
    "AssetEventResponse",
    "AssetListQuery",
    "AssetResponse",
    "AssetWatcherResponse",
    "CreateAssetEventsBody",
    "DagRunAssetReference",
    "DagScheduleAssetReference",
    "QueuedEventCollectionResponse",
    "QueuedEventQuery",
    "QueuedEventResponse",
    "TaskOutletAssetReference",
]
