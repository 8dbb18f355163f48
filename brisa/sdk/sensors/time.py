"""``TimeSensor``: wait until a time of day in the DAG's time zone."""

from __future__ import annotations

import datetime
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator


class TimeSensor(BaseSensorOperator):
    def __init__(self, *, target_time: datetime.time, deferrable: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_time = target_time

    def poke(self, context: dict[str, Any]) -> bool:
        self.log.info("Checking if the time (%s) has come", self.target_time)
        zone = getattr(self._dag, "timezone", None) or timezone.utc
        return timezone.make_naive(timezone.utcnow(), zone).time() > self.target_time


class TimeSensorAsync(TimeSensor):
    """The deferrable variant; Brisa pokes like the plain sensor."""


__all__ = ["TimeSensor", "TimeSensorAsync"]
