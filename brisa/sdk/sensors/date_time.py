"""``DateTimeSensor``: wait until ``target_time`` (a templated date/time string).

``DateTimeSensorAsync`` (and ``DateTimeSensor(deferrable=True)``) defers on a
``DateTimeTrigger`` instead of poking.
"""

from __future__ import annotations

import dataclasses
import datetime
import warnings
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.triggers.temporal import AT_MOMENT, DateTimeTrigger


class DateTimeSensor(BaseSensorOperator):
    template_fields = ("target_time",)

    def __init__(
        self,
        *,
        target_time: str | datetime.datetime,
        deferrable: bool = False,
        end_from_trigger: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(target_time, datetime.datetime):
            self.target_time: Any = target_time.isoformat()
        elif isinstance(target_time, str):
            self.target_time = target_time
        else:
            raise TypeError(
                f"Expected str or datetime.datetime type for target_time. Got {type(target_time)}"
            )
        self.deferrable = deferrable
        self.end_from_trigger = end_from_trigger

    @property
    def _moment(self) -> datetime.datetime:
        target = self.target_time
        moment = target if isinstance(target, datetime.datetime) else timezone.parse(str(target))
        return timezone.coerce_datetime(moment)  # type: ignore[return-value]

    def poke(self, context: dict[str, Any]) -> bool:
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return timezone.utcnow() > self._moment

    def execute(self, context: dict[str, Any]) -> Any:
        if not self.deferrable:
            return super().execute(context)
        trigger = DateTimeTrigger(moment=self._moment, end_from_trigger=self.end_from_trigger)
        self.defer(trigger=trigger, method_name="execute_complete")

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        """Called in the resumed try once the trigger fired."""
        return None


class DateTimeSensorAsync(DateTimeSensor):
    """Always deferrable: waits in the triggerer, holding no worker slot."""

    start_trigger_args = AT_MOMENT

    def __init__(
        self,
        *,
        target_time: str | datetime.datetime,
        start_from_trigger: bool = False,
        trigger_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("deferrable", None)
        super().__init__(target_time=target_time, deferrable=True, **kwargs)
        self.start_from_trigger = start_from_trigger
        if not start_from_trigger:
            return
        if any(mark in self.target_time for mark in ("{{", "{%", "{#")):
            # Brisa's triggerer renders no templates (Airflow 3.3's does): the worker defers.
            warnings.warn(
                f"start_from_trigger=True with a templated target_time ({self.target_time!r}) is not "
                "supported by Brisa's triggerer; the task will defer from the worker instead.",
                UserWarning,
                stacklevel=2,
            )
            self.start_from_trigger = False
            return
        # Replaced, not mutated: start_trigger_args is a class attribute shared by every task.
        self.start_trigger_args = dataclasses.replace(
            self.start_trigger_args,
            trigger_kwargs={"moment": self._moment, "end_from_trigger": self.end_from_trigger},
        )


__all__ = ["DateTimeSensor", "DateTimeSensorAsync"]
