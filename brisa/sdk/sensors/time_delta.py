"""``TimeDeltaSensor``: wait until ``delta`` after the run's data interval end.

With ``deferrable=True`` (and as ``TimeDeltaSensorAsync``) the try defers on a
``DateTimeTrigger`` for that moment and frees its worker slot while it waits.
"""

from __future__ import annotations

import datetime
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.triggers.temporal import DateTimeTrigger


class TimeDeltaSensor(BaseSensorOperator):
    extra_fields = ("delta", "poke_interval", "timeout", "mode", "deferrable")

    def __init__(
        self,
        *,
        delta: datetime.timedelta,
        deferrable: bool = False,
        end_from_trigger: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.delta = delta
        self.deferrable = deferrable
        self.end_from_trigger = end_from_trigger

    def _target(self, context: dict[str, Any]) -> datetime.datetime:
        base = context.get("data_interval_end") or context.get("logical_date") or context.get("run_after")
        if base is None:
            base = timezone.utcnow()
        return timezone.coerce_datetime(base) + self.delta  # type: ignore[operator]

    def poke(self, context: dict[str, Any]) -> bool:
        target = self._target(context)
        self.log.info("Checking if the time (%s) has come", target)
        return timezone.utcnow() > target

    def execute(self, context: dict[str, Any]) -> Any:
        if not self.deferrable:
            return super().execute(context)
        target = self._target(context)
        if timezone.utcnow() > target:
            self.log.info("Target time %s is in the past; not deferring", target)
            return None
        trigger = DateTimeTrigger(moment=target, end_from_trigger=self.end_from_trigger)
        self.defer(trigger=trigger, method_name="execute_complete")

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        """Called in the resumed try once the trigger fired."""
        return None


class TimeDeltaSensorAsync(TimeDeltaSensor):
    """``TimeDeltaSensor(deferrable=True)`` under its older name."""

    def __init__(self, *, delta: datetime.timedelta, end_from_trigger: bool = False, **kwargs: Any) -> None:
        kwargs.pop("deferrable", None)
        super().__init__(delta=delta, deferrable=True, end_from_trigger=end_from_trigger, **kwargs)


class WaitSensor(BaseSensorOperator):
    """Wait ``time_to_wait`` from the start of the task."""

    def __init__(
        self, *, time_to_wait: datetime.timedelta | int, deferrable: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.time_to_wait = (
            time_to_wait
            if isinstance(time_to_wait, datetime.timedelta)
            else datetime.timedelta(minutes=time_to_wait)
        )
        self.deferrable = deferrable
        self._until: datetime.datetime | None = None

    def poke(self, context: dict[str, Any]) -> bool:
        if self._until is None:
            self._until = timezone.utcnow() + self.time_to_wait
        return timezone.utcnow() >= self._until

    def execute(self, context: dict[str, Any]) -> Any:
        if not self.deferrable:
            return super().execute(context)
        trigger = DateTimeTrigger(moment=timezone.utcnow() + self.time_to_wait)
        self.defer(trigger=trigger, method_name="execute_complete")

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        return None


__all__ = ["TimeDeltaSensor", "TimeDeltaSensorAsync", "WaitSensor"]
