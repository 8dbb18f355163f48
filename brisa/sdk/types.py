"""``airflow.utils.types``: run types."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class DagRunType(StrEnum):
    BACKFILL_JOB = "backfill"
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    ASSET_TRIGGERED = "asset_triggered"
    ASSET_MATERIALIZATION = "asset_materialization"
    DATASET_TRIGGERED = "dataset_triggered"

    def generate_run_id(self, logical_date: datetime) -> str:
        return f"{self.value}__{logical_date.isoformat()}"


__all__ = ["DagRunType"]
