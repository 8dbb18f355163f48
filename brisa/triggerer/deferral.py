"""A try that defers: from ``TaskDeferred`` in the task process to a trigger row.

The task process serializes the trigger (its class path and keyword arguments, JSON
with :mod:`brisa.serde`'s tags) into the outcome it reports; the supervisor writes it
with :func:`defer_fields` in the transaction that moves the try ``running ->
deferred``.  The try number goes back by one, as for a reschedule: the resumed run is
the same try (Airflow's).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from brisa import serde

TRIGGER_FAIL = "__fail__"


def deferral_of(err: Any, now: datetime) -> dict[str, Any]:
    """What the task process reports of a ``TaskDeferred`` (JSON-safe)."""
    classpath, kwargs = err.trigger.serialize()
    timeout = err.timeout
    if timeout is not None and not isinstance(timeout, timedelta):
        timeout = timedelta(seconds=float(timeout))
    return {
        "classpath": classpath,
        "kwargs": serde.dumps(kwargs),
        "method_name": err.method_name,
        "next_kwargs": serde.dumps(err.kwargs or {}),
        "timeout_at": (now + timeout).isoformat() if timeout is not None else None,
    }


def defer_fields(tx: Any, deferral: dict[str, Any], *, try_number: int, now: datetime) -> dict[str, Any]:
    """Create the trigger row; the task instance's columns for ``running -> deferred``."""
    trigger_id = tx.triggers.create(deferral["classpath"], deferral["kwargs"], now=now)
    timeout_at = deferral.get("timeout_at")
    return {
        "try_number": try_number - 1,
        "trigger_id": trigger_id,
        "next_method": deferral["method_name"],
        "next_kwargs": deferral["next_kwargs"],
        "trigger_timeout": datetime.fromisoformat(timeout_at) if timeout_at else None,
    }


def resume_extra(ti: Any) -> dict[str, Any]:
    """What a workload carries so the runner resumes a deferred try (nothing otherwise)."""
    if not getattr(ti, "next_method", None):
        return {}
    return {"next_method": ti.next_method, "next_kwargs": ti.next_kwargs}


def resume_of(extra: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """``(next_method, next_kwargs)`` in the task process, or None for a fresh try."""
    method = extra.get("next_method")
    if not method:
        return None
    return method, serde.loads(extra.get("next_kwargs")) or {}


__all__ = ["TRIGGER_FAIL", "defer_fields", "deferral_of", "resume_extra", "resume_of"]
