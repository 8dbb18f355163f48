"""``/api/v2/monitor/health`` and ``/api/v2/version``, both public as in Airflow."""

from __future__ import annotations

from fastapi import APIRouter

from brisa import __version__
from brisa.api.health import health_report
from brisa.api.routes._common import Ctx
from brisa.api.schemas import HealthInfoResponse, VersionInfo

AIRFLOW_API_VERSION = "3.1.0"
"""The Airflow REST API level Brisa implements; clients compare ``version`` with Airflow's."""

router = APIRouter(prefix="/api/v2", tags=["Monitor"])


@router.get("/monitor/health", response_model=HealthInfoResponse)
def get_health(ctx: Ctx) -> HealthInfoResponse:
    """The metadata database's and the scheduler's health (no login needed)."""
    report = health_report(
        ctx.store,
        now=ctx.now(),
        threshold_seconds=ctx.settings.scheduler.scheduler_health_check_threshold,
        triggerer_threshold_seconds=ctx.settings.triggerer.triggerer_health_check_threshold,
    )
    return HealthInfoResponse.model_validate(report)


@router.get("/version", response_model=VersionInfo, tags=["Version"])
def get_version() -> VersionInfo:
    """The API level and Brisa's version (no login needed: clients ask before they log in)."""
    return VersionInfo(version=AIRFLOW_API_VERSION, git_version=f"brisa {__version__}")


__all__ = ["AIRFLOW_API_VERSION", "router"]
