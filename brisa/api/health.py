"""``GET /api/v2/monitor/health`` as a plain dict (no FastAPI import).

``brisa standalone`` answers health checks with it before the full app is built (see
:mod:`brisa.api.bootstrap`), and the API's route returns the same dict validated as
``HealthInfoResponse``.

The scheduler is healthy when the newest ``scheduler`` or ``standalone`` job is running
and heartbeated within ``[scheduler] scheduler_health_check_threshold``. Brisa's DAG
processor runs inside that job, so ``dag_processor`` reports the same job. The triggerer is
the newest ``triggerer`` job (a scheduler's thread or ``brisa triggerer``), healthy under the
same rule with ``[triggerer] triggerer_health_check_threshold``; null when none ever ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from brisa.errors import BrisaError
from brisa.store.records import JobRecord

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
SCHEDULER_JOB_TYPES = ("scheduler", "standalone")
TRIGGERER_JOB_TYPE = "triggerer"


def health_report(
    store: Any, *, now: datetime, threshold_seconds: float, triggerer_threshold_seconds: float = 30.0
) -> dict[str, Any]:
    try:
        with store.transaction(readonly=True) as tx:
            newest = tx.jobs.latest(*SCHEDULER_JOB_TYPES)
            triggerer = tx.jobs.latest(TRIGGERER_JOB_TYPE)
    except BrisaError:
        return _report(UNHEALTHY, None, None)
    report = _report(HEALTHY, _job_status(newest, now, threshold_seconds), newest)
    report["triggerer"] = {
        "status": _job_status(triggerer, now, triggerer_threshold_seconds),
        "latest_triggerer_heartbeat": triggerer.latest_heartbeat.isoformat() if triggerer else None,
    }
    return report


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
