"""Airflow 3.3's task state store (AIP-103) as DAG code sees it: ``context["task_state_store"]``.

A key/value store of one task instance (dag_id, run_id, task_id, map_index) that its
later tries read back: an external job id, a checkpoint.  ``set`` takes a retention:
a ``timedelta``, :data:`NEVER_EXPIRE`, or nothing for Airflow's default of 30 days.
A key past its retention reads as absent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from brisa.runtime import TaskRuntime

DEFAULT_RETENTION = timedelta(days=30)
"""Airflow's ``[state_store] default_retention_days`` default."""


class _NeverExpire:
    def __repr__(self) -> str:
        return "NEVER_EXPIRE"


NEVER_EXPIRE: Any = _NeverExpire()
"""``set(key, value, retention=NEVER_EXPIRE)``: the key is kept until its run is deleted."""


def retention_seconds(retention: Any) -> float | None:
    """Seconds a key is kept, None for never (what crosses to the supervisor)."""
    if retention is NEVER_EXPIRE:
        return None
    if retention is None:
        return DEFAULT_RETENTION.total_seconds()
    if isinstance(retention, timedelta):
        return retention.total_seconds()
    raise TypeError(f"retention must be a timedelta or NEVER_EXPIRE, not {type(retention).__name__}")


class TaskStateStore:
    """``get``/``set``/``delete``/``clear`` (and the ``a*`` async forms) of this try's task instance."""

    def __init__(self, runtime: TaskRuntime) -> None:
        self._runtime = runtime

    def __repr__(self) -> str:
        return "<TaskStateStore>"

    def get(self, key: str, default: Any = None) -> Any:
        found = self._runtime.get_task_state(key=_checked(key))
        return default if found is None else found["value"]

    def set(self, key: str, value: Any, retention: Any = None) -> None:
        self._runtime.set_task_state(key=_checked(key), value=value, retention=retention_seconds(retention))

    def delete(self, key: str) -> None:
        self._runtime.delete_task_state(key=_checked(key))

    def clear(self) -> None:
        self._runtime.clear_task_state()

    async def aget(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    async def aset(self, key: str, value: Any, retention: Any = None) -> None:
        self.set(key, value, retention)

    async def adelete(self, key: str) -> None:
        self.delete(key)

    async def aclear(self) -> None:
        self.clear()


def _checked(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError(f"a task state key must be a non-empty string, not {key!r}")
    if len(key) > 512:
        raise ValueError("a task state key is at most 512 characters")
    return key


__all__ = ["DEFAULT_RETENTION", "NEVER_EXPIRE", "TaskStateStore", "retention_seconds"]
