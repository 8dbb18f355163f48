"""Error bodies, ``/monitor/health``, ``/version`` and ``/auth/token``."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from brisa.api.schemas.base import RequestModel, ResponseModel

# --- Errors --------------------------------------------------------------------------------


class HTTPExceptionResponse(ResponseModel):
    """Every 4xx/5xx but 422: ``{"detail": "..."}`` (sometimes an object, e.g. on 409)."""

    detail: str | dict[str, Any]


class ValidationErrorItem(ResponseModel):
    model_config = ConfigDict(extra="allow")  # FastAPI adds ``input`` and ``ctx``

    loc: list[str | int]
    msg: str
    type: str


class HTTPValidationError(ResponseModel):
    """A 422: FastAPI's ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``."""

    detail: list[ValidationErrorItem] = Field(default_factory=list)


# --- Monitor, version, auth ------------------------------------------------------------------


class BaseInfoResponse(ResponseModel):
    status: str | None
    """``healthy``, ``unhealthy``, or null for a component that never ran."""


class SchedulerInfoResponse(BaseInfoResponse):
    latest_scheduler_heartbeat: str | None


class TriggererInfoResponse(BaseInfoResponse):
    latest_triggerer_heartbeat: str | None


class DagProcessorInfoResponse(BaseInfoResponse):
    latest_dag_processor_heartbeat: str | None


class HealthInfoResponse(ResponseModel):
    metadatabase: BaseInfoResponse
    scheduler: SchedulerInfoResponse
    triggerer: TriggererInfoResponse
    dag_processor: DagProcessorInfoResponse | None = None


class VersionInfo(ResponseModel):
    version: str
    git_version: str | None


class LoginBody(RequestModel):
    """``POST /auth/token``, as JSON or ``application/x-www-form-urlencoded``."""

    username: str
    password: str


class LoginResponse(ResponseModel):
    """``POST /auth/token`` answers 201 with this."""

    access_token: str


__all__ = [
    "BaseInfoResponse",
    "DagProcessorInfoResponse",
    "HTTPExceptionResponse",
    "HTTPValidationError",
    "HealthInfoResponse",
    "LoginBody",
    "LoginResponse",
    "SchedulerInfoResponse",
    "TriggererInfoResponse",
    "ValidationErrorItem",
    "VersionInfo",
]
