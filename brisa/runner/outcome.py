"""What a try ended as, reported by the runner (or decided by the supervisor if it died)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brisa.states import TaskState


@dataclass(frozen=True)
class Outcome:
    state: TaskState
    end_date: datetime
    next_try_at: datetime | None = None
    """When the next try may start (up_for_retry) or the sensor pokes again (up_for_reschedule)."""
    error: str | None = None
    deferral: dict[str, Any] | None = None
    """For ``deferred``: the trigger and resume method (``brisa.triggerer.deferral``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "end_date": self.end_date.isoformat(),
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
            "error": self.error,
            "deferral": self.deferral,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            state=TaskState(data["state"]),
            end_date=datetime.fromisoformat(data["end_date"]),
            next_try_at=datetime.fromisoformat(data["next_try_at"]) if data.get("next_try_at") else None,
            error=data.get("error"),
            deferral=data.get("deferral"),
        )


__all__ = ["Outcome"]
