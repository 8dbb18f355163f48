"""The standard provider's time triggers: fire at a moment, or after a delta."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.triggers.base import BaseTrigger, StartTriggerArgs, TaskSuccessEvent, TriggerEvent

MAX_SLEEP_SECONDS = 3600.0
"""Longest single sleep: a wall-clock jump (a suspended laptop) is noticed within it."""


class DateTimeTrigger(BaseTrigger):
    """Fire with ``moment`` as payload once ``moment`` (aware) has passed."""

    def __init__(self, moment: datetime.datetime, *, end_from_trigger: bool = False) -> None:
        super().__init__()
        if not isinstance(moment, datetime.datetime):
            raise TypeError(f"Expected datetime.datetime type for moment. Got {type(moment)}")
        if moment.tzinfo is None:
            raise ValueError("You cannot pass naive datetimes")
        self.moment = timezone.coerce_datetime(moment)
        self.end_from_trigger = end_from_trigger

    def serialize(self) -> tuple[str, dict[str, Any]]:
        kwargs = {"moment": self.moment, "end_from_trigger": self.end_from_trigger}
        return "brisa.sdk.triggers.temporal.DateTimeTrigger", kwargs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while (left := (self.moment - timezone.utcnow()).total_seconds()) > 0:  # type: ignore[operator]
            await asyncio.sleep(min(left, MAX_SLEEP_SECONDS))
        self.log.info("trigger fired: %s has passed", self.moment)
        yield TaskSuccessEvent() if self.end_from_trigger else TriggerEvent(self.moment)


class TimeDeltaTrigger(DateTimeTrigger):
    """Fire ``delta`` after the trigger was created (in the task, not the triggerer)."""

    def __init__(self, delta: datetime.timedelta, *, end_from_trigger: bool = False) -> None:
        super().__init__(moment=timezone.utcnow() + delta, end_from_trigger=end_from_trigger)


AT_MOMENT = StartTriggerArgs(
    trigger_cls="brisa.sdk.triggers.temporal.DateTimeTrigger",
    trigger_kwargs={"moment": "", "end_from_trigger": False},
    next_method="execute_complete",
    next_kwargs=None,
    timeout=None,
)
"""``start_trigger_args`` of the sensors that wait for a moment (``TimeSensor``,
``DateTimeSensorAsync``): each task replaces it with its own moment, never mutates it."""


__all__ = ["DateTimeTrigger", "TimeDeltaTrigger"]
