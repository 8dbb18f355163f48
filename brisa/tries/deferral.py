"""A try that defers: from ``TaskDeferred`` in the task process to a trigger row, and back.

The task process serializes the trigger (its class path and keyword arguments, JSON
with :mod:`brisa.serde`'s tags) into the :class:`Deferral` of the outcome it reports;
the supervisor writes it with :func:`defer_fields` in the transaction that moves the try
``running -> deferred``.  The try number goes back by one, as for a reschedule: the
resumed run is the same try (Airflow's).  The triggerer (:mod:`brisa.triggerer`) later
moves the try back to ``scheduled`` with its ``next_method``/``next_kwargs``, which
:func:`brisa.tries.build.build_workload` copies into the workload and the runner reads
with :func:`resume_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from brisa import serde

if TYPE_CHECKING:
    from brisa.store.sql import Transaction

TRIGGER_FAIL = "__fail__"
"""The ``next_method`` of a try whose trigger failed or timed out: the resumed try raises."""


@dataclass(frozen=True)
class Deferral:
    """What a deferring try reports: its trigger and how it resumes (JSON-safe)."""

    classpath: str
    kwargs: str
    """The trigger's keyword arguments, JSON with :mod:`brisa.serde`'s tags."""
    method_name: str
    next_kwargs: str
    """The resume method's keyword arguments, JSON with :mod:`brisa.serde`'s tags."""
    timeout_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "classpath": self.classpath,
            "kwargs": self.kwargs,
            "method_name": self.method_name,
            "next_kwargs": self.next_kwargs,
            "timeout_at": self.timeout_at.isoformat() if self.timeout_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deferral:
        timeout_at = data.get("timeout_at")
        return cls(
            classpath=data["classpath"],
            kwargs=data["kwargs"],
            method_name=data["method_name"],
            next_kwargs=data["next_kwargs"],
            timeout_at=datetime.fromisoformat(timeout_at) if timeout_at else None,
        )


class Resumable(Protocol):
    """A task instance row or a workload: where a deferred try's resume is written."""

    @property
    def next_method(self) -> str | None: ...

    @property
    def next_kwargs(self) -> str | None: ...


def deferral_of(err: Any, now: datetime) -> Deferral:
    """What the task process reports of a ``TaskDeferred`` (raises if the trigger cannot
    be serialized)."""
    classpath, kwargs = err.trigger.serialize()
    timeout = err.timeout
    if timeout is not None and not isinstance(timeout, timedelta):
        timeout = timedelta(seconds=float(timeout))
    return Deferral(
        classpath=str(classpath),
        kwargs=serde.dumps(kwargs),
        method_name=str(err.method_name),
        next_kwargs=serde.dumps(err.kwargs or {}),
        timeout_at=now + timeout if timeout is not None else None,
    )


def defer_fields(tx: Transaction, deferral: Deferral, *, try_number: int, now: datetime) -> dict[str, Any]:
    """Create the trigger row; the task instance's columns for ``running -> deferred``."""
    trigger_id = tx.triggers.create(deferral.classpath, deferral.kwargs, now=now)
    return {
        "try_number": try_number - 1,
        "trigger_id": trigger_id,
        "next_method": deferral.method_name,
        "next_kwargs": deferral.next_kwargs,
        "trigger_timeout": deferral.timeout_at,
    }


def start_fields(
    tx: Transaction, start_trigger: dict[str, Any], *, execution_timeout: float | None, now: datetime
) -> dict[str, Any]:
    """``start_from_trigger``: the trigger row, and the columns of ``none -> deferred`` for a
    try no worker has run. Its try number stays: the resumed try is its first (Airflow's
    ``defer_task``). The timeout is the trigger's, capped by ``execution_timeout``."""
    timeouts = [now + timedelta(seconds=s) for s in (start_trigger.get("timeout"), execution_timeout) if s]
    trigger_id = tx.triggers.create(start_trigger["classpath"], start_trigger["kwargs"], now=now)
    return {
        "trigger_id": trigger_id,
        "next_method": start_trigger["next_method"],
        "next_kwargs": start_trigger["next_kwargs"],
        "trigger_timeout": min(timeouts) if timeouts else None,
        "start_date": now,
    }


def resume_of(source: Resumable) -> tuple[str, dict[str, Any]] | None:
    """``(next_method, next_kwargs)`` of a resumed try, or None for a fresh one."""
    method = source.next_method
    if not method:
        return None
    kwargs = serde.loads(source.next_kwargs) if source.next_kwargs else None
    return method, dict(kwargs or {})


__all__ = [
    "TRIGGER_FAIL",
    "Deferral",
    "Resumable",
    "defer_fields",
    "deferral_of",
    "resume_of",
    "start_fields",
]
