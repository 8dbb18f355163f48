"""Airflow 3's backfill shapes (``/api/v2/backfills``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from brisa.api.schemas.base import RequestModel, ResponseModel
from brisa.api.schemas.query import PageQuery
from brisa.services.backfill import DEFAULT_MAX_ACTIVE_RUNS, Reprocess


class BackfillResponse(ResponseModel):
    id: int
    dag_id: str
    from_date: datetime
    to_date: datetime
    dag_run_conf: dict[str, Any]
    is_paused: bool
    reprocess_behavior: Reprocess
    max_active_runs: int
    created_at: datetime
    completed_at: datetime | None
    updated_at: datetime
    dag_display_name: str


class BackfillCollectionResponse(ResponseModel):
    backfills: list[BackfillResponse]
    total_entries: int


class BackfillPostBody(RequestModel):
    dag_id: str
    from_date: datetime
    to_date: datetime
    run_backwards: bool = False
    dag_run_conf: dict[str, Any] = Field(default_factory=dict)
    reprocess_behavior: Reprocess = Reprocess.NONE
    max_active_runs: int = Field(default=DEFAULT_MAX_ACTIVE_RUNS, ge=1)


class BackfillListQuery(PageQuery):
    dag_id: str | None = None


__all__ = ["BackfillCollectionResponse", "BackfillListQuery", "BackfillPostBody", "BackfillResponse"]
