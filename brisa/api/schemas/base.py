"""Foundations of the API schemas: base models, wire enums, and secret redaction.

Redaction is :class:`brisa.secrets.masking.SecretsMasker`'s by-name rule. A route that
has the process's masker (with ``[core] sensitive_var_conn_names`` and registered
secrets) passes it as validation context, ``Model.model_validate(obj, context={"masker":
masker})``; without one, Airflow's default sensitive names apply.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo

from brisa.secrets.masking import REPLACEMENT, SecretsMasker, is_sensitive_name
from brisa.states import RunState

MASK = REPLACEMENT


# --- Base models -------------------------------------------------------------------------


class ResponseModel(BaseModel):
    """Built by the API from store records (attributes) or dicts; extra fields ignored."""

    model_config = ConfigDict(
        from_attributes=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


class RequestModel(BaseModel):
    """A request body: unknown fields are an error, as Airflow's ``StrictBaseModel``."""

    model_config = ConfigDict(
        extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


# --- Enums Airflow puts on the wire ----------------------------------------------------------

DagRunState = RunState
"""Airflow's DagRunState has exactly Brisa's four values."""


class DagRunType(StrEnum):
    BACKFILL = "backfill"
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    ASSET_TRIGGERED = "asset_triggered"  # also a 2.x DAG's "dataset_triggered" run
    ASSET_MATERIALIZATION = "asset_materialization"


class DagRunTriggeredByType(StrEnum):
    CLI = "cli"
    OPERATOR = "operator"
    REST_API = "rest_api"
    UI = "ui"
    TEST = "test"
    TIMETABLE = "timetable"
    ASSET = "asset"
    BACKFILL = "backfill"


class TaskInstanceState(StrEnum):
    """Airflow's task states, all of which Brisa produces."""

    REMOVED = "removed"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    RESTARTING = "restarting"
    FAILED = "failed"
    UP_FOR_RETRY = "up_for_retry"
    UP_FOR_RESCHEDULE = "up_for_reschedule"
    UPSTREAM_FAILED = "upstream_failed"
    SKIPPED = "skipped"
    DEFERRED = "deferred"


class DAGRunPatchStates(StrEnum):
    QUEUED = "queued"
    SUCCESS = "success"
    FAILED = "failed"


# --- Redaction -----------------------------------------------------------------------------


def redact(value: Any, name: str | None = None, *, masker: SecretsMasker | None = None) -> Any:
    """``value`` with the entries under sensitive names hidden (``***``)."""
    return (masker or SecretsMasker()).redact(value, name)


def masker_from(info: ValidationInfo) -> SecretsMasker | None:
    """The masker a route passed as validation context, if any."""
    context = info.context if isinstance(info.context, dict) else {}
    masker = context.get("masker")
    return masker if isinstance(masker, SecretsMasker) else None


__all__ = [
    "MASK",
    "DAGRunPatchStates",
    "DagRunState",
    "DagRunTriggeredByType",
    "DagRunType",
    "RequestModel",
    "ResponseModel",
    "TaskInstanceState",
    "is_sensitive_name",
    "masker_from",
    "redact",
]
