"""``DateTimeSensor``: wait until ``target_time`` (a templated date/time string)."""

from __future__ import annotations

import datetime
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator


class DateTimeSensor(BaseSensorOperator):
    template_fields = ("target_time",)

    def __init__(self, *, target_time: str | datetime.datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(target_time, datetime.datetime):
            self.target_time: Any = target_time.isoformat()
        elif isinstance(target_time, str):
            self.target_time = target_time
        else:
            raise TypeError(
                f"Expected str or datetime.datetime type for target_time. Got {type(target_time)}"
            )

    def poke(self, context: dict[str, Any]) -> bool:
        self.log.info("Checking if the time (%s) has come", self.target_time)
        target = self.target_time
        moment = target if isinstance(target, datetime.datetime) else timezone.parse(str(target))
        return timezone.utcnow() > timezone.coerce_datetime(moment)  # type: ignore[operator]


class DateTimeSensorAsync(DateTimeSensor):
    """The deferrable variant; Brisa pokes like the plain sensor."""


__all__ = ["DateTimeSensor", "DateTimeSensorAsync"]
