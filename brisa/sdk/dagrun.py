"""The ``dag_run`` object a running task sees (a read-only view of the run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from brisa.sdk.types import DagRunType


class DagRun:
    """One run of a DAG, as DAG code sees it."""

    def __init__(
        self,
        *,
        dag_id: str,
        run_id: str,
        run_type: str = DagRunType.MANUAL,
        logical_date: datetime | None = None,
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        queued_at: datetime | None = None,
        run_after: datetime | None = None,
        conf: dict[str, Any] | None = None,
        external_trigger: bool | None = None,
        state: str = "running",
        triggered_by: str | None = None,
    ) -> None:
        self.dag_id = dag_id
        self.run_id = run_id
        self.run_type = str(run_type)
        self.logical_date = logical_date
        self.data_interval_start = data_interval_start
        self.data_interval_end = data_interval_end
        self.start_date = start_date
        self.end_date = end_date
        self.queued_at = queued_at
        self.run_after = run_after or logical_date
        self.conf = conf or {}
        self.external_trigger = (
            self.run_type == DagRunType.MANUAL if external_trigger is None else external_trigger
        )
        self.state = state
        self.triggered_by = triggered_by

    def __repr__(self) -> str:
        return (
            f"<DagRun {self.dag_id} @ {self.logical_date}: {self.run_id}, state:{self.state}, "
            f"queued_at: {self.queued_at}. externally triggered: {self.external_trigger}>"
        )

    @property
    def execution_date(self) -> datetime | None:
        return self.logical_date

    @property
    def is_backfill(self) -> bool:
        return self.run_type == DagRunType.BACKFILL_JOB

    def get_state(self) -> str:
        return self.state

    @staticmethod
    def generate_run_id(run_type: str, logical_date: datetime) -> str:
        return f"{run_type}__{logical_date.isoformat()}"


__all__ = ["DagRun"]
