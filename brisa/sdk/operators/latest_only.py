"""``LatestOnlyOperator``: skip the direct downstream tasks unless this is the latest run."""

from __future__ import annotations

import logging
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.skipping import SkipMixin, skip_tasks

log = logging.getLogger("airflow.task.operators")


class LatestOnlyOperator(BaseOperator, SkipMixin):
    """Lets downstream tasks run only in the run whose schedule window contains now.

    Manually triggered runs always proceed.
    """

    ui_color = "#e9ffdb"

    def execute(self, context: dict[str, Any]) -> Any:
        dag_run = context["dag_run"]
        if _is_manual(dag_run):
            log.info("Externally triggered DAG_Run: allowing execution to proceed.")
            return list(self.downstream_task_ids)
        if self._is_latest(context):
            log.info("Latest, allowing execution to proceed.")
            return list(self.downstream_task_ids)
        log.info("Not latest execution, skipping downstream.")
        skip_tasks(self.downstream_task_ids)
        return []

    def _is_latest(self, context: dict[str, Any]) -> bool:
        """Whether now falls in the window that follows this run's data interval."""
        from brisa.timetables import DataInterval, TimeRestriction

        dag = context.get("dag") or self.dag
        start = context.get("data_interval_start")
        end = context.get("data_interval_end")
        if start is None or end is None:
            return True
        now = timezone.utcnow()
        info = dag.timetable.next_dagrun_info(
            last_automated_data_interval=DataInterval(
                timezone.coerce_datetime(start), timezone.coerce_datetime(end)
            ),
            restriction=TimeRestriction(earliest=None, latest=None, catchup=True),
            now=now,
        )
        if info is None:
            return True
        left, right = info.data_interval.start, info.data_interval.end
        log.info("Checking latest only: left_window=%s right_window=%s now=%s", left, right, now)
        return not (now <= left or now > right)


def _is_manual(dag_run: Any) -> bool:
    if getattr(dag_run, "external_trigger", False):
        return True
    return str(getattr(dag_run, "run_type", "")) == "manual"


__all__ = ["LatestOnlyOperator"]
