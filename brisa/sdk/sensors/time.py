"""``TimeSensor``: wait until a time of day in the DAG's time zone.

With ``deferrable=True`` (and as ``TimeSensorAsync``) it defers on a
``DateTimeTrigger`` for today's target time instead of poking.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.triggers.temporal import AT_MOMENT, DateTimeTrigger


class TimeSensor(BaseSensorOperator):
    start_trigger_args = AT_MOMENT

    def __init__(
        self,
        *,
        target_time: datetime.time,
        deferrable: bool = False,
        start_from_trigger: bool = False,
        end_from_trigger: bool = False,
        trigger_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.target_time = target_time
        self.deferrable = deferrable
        self.end_from_trigger = end_from_trigger
        self.start_from_trigger = start_from_trigger
        if start_from_trigger:
            # Today's target time when the DAG file is parsed, as Airflow computes it.
            self.start_trigger_args = dataclasses.replace(
                self.start_trigger_args,
                trigger_kwargs={"moment": self._moment(), "end_from_trigger": end_from_trigger},
            )

    def _zone(self) -> Any:
        return getattr(self._dag, "timezone", None) or timezone.utc

    def _moment(self) -> datetime.datetime:
        """Today's ``target_time`` in the DAG's time zone, in UTC."""
        zone = self._zone()
        today = timezone.make_naive(timezone.utcnow(), zone).date()
        local = datetime.datetime.combine(today, self.target_time)
        return timezone.make_aware(local, zone).astimezone(datetime.UTC)  # type: ignore[no-any-return]

    def poke(self, context: dict[str, Any]) -> bool:
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return timezone.make_naive(timezone.utcnow(), self._zone()).time() > self.target_time

    def execute(self, context: dict[str, Any]) -> Any:
        if not self.deferrable:
            return super().execute(context)
        self.defer(
            trigger=DateTimeTrigger(moment=self._moment(), end_from_trigger=self.end_from_trigger),
            method_name="execute_complete",
        )

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        return None


class TimeSensorAsync(TimeSensor):
    """``TimeSensor(deferrable=True)`` under its older name."""

    def __init__(self, *, target_time: datetime.time, **kwargs: Any) -> None:
        kwargs.pop("deferrable", None)
        super().__init__(target_time=target_time, deferrable=True, **kwargs)


__all__ = ["TimeSensor", "TimeSensorAsync"]
