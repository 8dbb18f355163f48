"""``GET /api/v2/monitor/health`` as a plain dict (no FastAPI import).

``brisa standalone`` answers health checks with it before the full app is built (see
:mod:`brisa.api.bootstrap`), and the API's route returns the same dict validated as
``HealthInfoResponse``.

The scheduler is healthy when the newest ``scheduler`` or ``standalone`` job is running
and heartbeated within ``[scheduler] scheduler_health_check_threshold``. Brisa's DAG
processor runs inside that job, so ``dag_processor`` reports the same job; Brisa has no
triggerer, so its status is null as for a component that never ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from brisa.errors import BrisaError
from brisa.store.records import JobRecord

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
SCHEDULER_JOB_TYPES = ("scheduler", "standalone")


def health_report(store: Any, *, now: datetime, threshold_seconds: float) -> dict[str, Any]:
    try:
        with store.transaction(readonly=True) as tx:
            newest = tx.jobs.latest(*SCHEDULER_JOB_TYPES)
    except BrisaError:
        return _report(UNHEALTHY, None, None)
    return _report(HEALTHY, _job_status(newest, now, threshold_seconds), newest)


def _job_status(job: JobRecord | None, now: datetime, threshold_seconds: float) -> str | None:
    if job is None:
        return None
    fresh = now - job.latest_heartbeat <= timedelta(seconds=threshold_seconds)
    return HEALTHY if job.state == "running" and fresh else UNHEALTHY


def _report(database: str, scheduler: str | None, job: JobRecord | None) -> dict[str, Any]:
    heartbeat = job.latest_heartbeat.isoformat() if job is not None else None
    return {
        "metadatabase": {"status": database},
        "scheduler": {"status": scheduler, "latest_scheduler_heartbeat": heartbeat},
        "triggerer": {"status": None, "latest_triggerer_heartbeat": None},
        "dag_processor": {"status": scheduler, "latest_dag_processor_heartbeat": heartbeat},
    }


__all__ = ["HEALTHY", "SCHEDULER_JOB_TYPES", "UNHEALTHY", "health_report"]
