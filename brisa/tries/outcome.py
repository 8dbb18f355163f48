"""How a try ended: its :class:`Outcome` (reported by the runner, or decided by the
supervisor if the task process died) and the :class:`ExecutorEvent` that tells the
scheduler a try is over (written by whoever supervised it, below the executors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.tries.deferral import Deferral


@dataclass(frozen=True)
class Outcome:
    state: TaskState
    end_date: datetime
    next_try_at: datetime | None = None
    """When the next try may start (up_for_retry) or the sensor pokes again (up_for_reschedule)."""
    error: str | None = None
    asset_events: tuple[dict[str, Any], ...] = ()
    """A success's events on its outlets: ``{"name", "uri", "group", "extra", "alias"}``."""
    deferral: Deferral | None = None
    """For ``deferred``: the trigger and the resume method (:mod:`brisa.tries.deferral`)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "state": self.state.value,
            "end_date": self.end_date.isoformat(),
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
            "error": self.error,
            "deferral": self.deferral.to_dict() if self.deferral else None,
        }
        if self.asset_events:
            data["asset_events"] = list(self.asset_events)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            state=TaskState(data["state"]),
            end_date=datetime.fromisoformat(data["end_date"]),
            next_try_at=datetime.fromisoformat(data["next_try_at"]) if data.get("next_try_at") else None,
            error=data.get("error"),
            asset_events=tuple(data.get("asset_events") or ()),
            deferral=Deferral.from_dict(data["deferral"]) if data.get("deferral") else None,
        )


@dataclass(frozen=True)
class ExecutorEvent:
    """A try is over (its outcome is already in the store) or could not be run."""

    key: TaskKey
    try_number: int
    state: str | None
    message: str = ""


__all__ = ["ExecutorEvent", "Outcome"]
