"""``TimeDeltaSensor``: wait until ``delta`` after the run's data interval end."""

from __future__ import annotations

import datetime
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator


class TimeDeltaSensor(BaseSensorOperator):
    extra_fields = ("delta", "poke_interval", "timeout", "mode")

    def __init__(
        self,
        *,
        delta: datetime.timedelta,
        deferrable: bool = False,
        end_from_trigger: bool = False,
        **kwargs: Any,
    ) -> None:
        # The standard provider takes ``deferrable`` (Airflow 3's example DAGs pass it);
        # Brisa has no triggerer, so a deferrable sensor pokes like the plain one.
        super().__init__(**kwargs)
        self.delta = delta
        self.deferrable = deferrable
        self.end_from_trigger = end_from_trigger

    def poke(self, context: dict[str, Any]) -> bool:
        base = context.get("data_interval_end") or context.get("logical_date") or context.get("run_after")
        if base is None:
            base = timezone.utcnow()
        target = timezone.coerce_datetime(base) + self.delta  # type: ignore[operator]
        self.log.info("Checking if the time (%s) has come", target)
        return timezone.utcnow() > target


class TimeDeltaSensorAsync(TimeDeltaSensor):
    """The deferrable variant; Brisa has no triggerer, so it pokes like the plain one."""


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
        self._until: datetime.datetime | None = None

    def poke(self, context: dict[str, Any]) -> bool:
        if self._until is None:
            self._until = timezone.utcnow() + self.time_to_wait
        return timezone.utcnow() >= self._until


__all__ = ["TimeDeltaSensor", "TimeDeltaSensorAsync", "WaitSensor"]
