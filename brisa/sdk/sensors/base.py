"""``BaseSensorOperator``: poke until a condition holds, or time out.

*poke* mode loops inside ``execute``, sleeping ``poke_interval`` between pokes.
*reschedule* mode pokes once per try and raises
:class:`~brisa.sdk.exceptions.AirflowRescheduleException` when the condition does not
hold yet; the runner frees the slot and runs the task again at ``reschedule_date``.
Its timeout counts from the start of the *first* try of the current reschedule
series, which the runner hands in as ``context["ti"].sensor_start_date`` (an aware
datetime; None on the first try, when now is used).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import pendulum

from brisa.sdk import timezone
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import (
    AirflowException,
    AirflowFailException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
    AirflowTaskTimeout,
)

log = logging.getLogger("airflow.task.operators")

VALID_MODES = ("poke", "reschedule")


class PokeReturnValue:
    """What ``poke`` may return to also push an XCom: ``PokeReturnValue(True, value)``."""

    def __init__(self, is_done: bool, xcom_value: Any = None) -> None:
        self.is_done = is_done
        self.xcom_value = xcom_value

    def __bool__(self) -> bool:
        return self.is_done


def _seconds(value: datetime.timedelta | float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AirflowException(f"{name} must be a number of seconds or a timedelta, not {value!r}") from None


def _where(sensor: BaseOperator) -> str:
    # A function, not a method: sensors (ExternalTaskSensor) have a _where of their own.
    return f"'{sensor._dag.dag_id if sensor._dag else ''}.{sensor.task_id}'"


def _non_negative(seconds: float | None, name: str, sensor: BaseOperator) -> float:
    """Airflow's check of ``poke_interval`` and ``timeout``, with its message."""
    if seconds is None or seconds < 0:
        raise AirflowException(f"The {name} must be a non-negative number; {_where(sensor)}")
    return seconds


class BaseSensorOperator(BaseOperator):
    """Subclasses implement ``poke(context) -> bool | PokeReturnValue``."""

    ui_color = "#e6f1f2"
    is_sensor = True
    extra_fields: Sequence[str] = ("poke_interval", "timeout", "mode", "soft_fail")

    def __init__(
        self,
        *,
        poke_interval: datetime.timedelta | float = 60,
        timeout: datetime.timedelta | float = 60 * 60 * 24 * 7,
        soft_fail: bool = False,
        mode: str = "poke",
        exponential_backoff: bool = False,
        max_wait: datetime.timedelta | float | None = None,
        silent_fail: bool = False,
        never_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        poke_seconds = _seconds(poke_interval, "poke_interval")
        self.poke_interval: float = _non_negative(poke_seconds, "poke_interval", self)
        self.timeout: float = _non_negative(_seconds(timeout, "timeout"), "timeout", self)
        self.soft_fail = soft_fail
        self.mode = mode
        self.exponential_backoff = exponential_backoff
        self.max_wait = _seconds(max_wait, "max_wait")
        self.silent_fail = silent_fail
        self.never_fail = never_fail
        self._sleep: Callable[[float], None] = time.sleep
        self._validate()

    def _validate(self) -> None:
        where = _where(self)
        if self.mode not in VALID_MODES:
            raise AirflowException(f"The mode must be one of {VALID_MODES},{where}; received '{self.mode}'.")
        if self.soft_fail and self.never_fail:
            raise ValueError("soft_fail and never_fail are mutually exclusive, you can not provide both.")

    @property
    def reschedule(self) -> bool:
        return self.mode == "reschedule"

    def poke(self, context: dict[str, Any]) -> bool | PokeReturnValue:
        raise AirflowException(f"{self.task_type} must implement poke(context)")

    # -- the loop ---------------------------------------------------------------------------
    def execute(self, context: dict[str, Any]) -> Any:
        started = self._series_start(context)
        poke_count = self._reschedule_count(context) + 1
        while True:
            result = self._poke_once(context)
            if result:
                return result.xcom_value if isinstance(result, PokeReturnValue) else None
            elapsed = (timezone.utcnow() - started).total_seconds()
            if elapsed > self.timeout:
                self._time_out(elapsed)
            interval = self.next_poke_interval(elapsed, poke_count)
            if self.reschedule:
                raise AirflowRescheduleException(timezone.utcnow() + datetime.timedelta(seconds=interval))
            log.info("Poking again in %s seconds", interval)
            self._sleep(interval)
            poke_count += 1

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Any) -> Any:
        """A deferred sensor's trigger timing out is a sensor timeout (no retries)."""
        from brisa.sdk.exceptions import TaskDeferralError, TaskDeferralTimeout

        try:
            return super().resume_execution(next_method, next_kwargs, context)
        except TaskDeferralTimeout as err:
            if self.soft_fail or self.never_fail:
                raise AirflowSkipException(str(err)) from err
            raise AirflowSensorTimeout(*err.args) from err
        except TaskDeferralError as err:
            if self.soft_fail or self.never_fail:
                raise AirflowSkipException(str(err)) from err
            raise

    def _series_start(self, context: dict[str, Any]) -> pendulum.DateTime:
        if self.reschedule:
            start: datetime.datetime | None = getattr(context.get("ti"), "sensor_start_date", None)
            if start is not None:
                return timezone.coerce_datetime(start)
        return timezone.utcnow()

    def _reschedule_count(self, context: dict[str, Any]) -> int:
        return int(getattr(context.get("ti"), "reschedule_count", 0) or 0) if self.reschedule else 0

    def _poke_once(self, context: dict[str, Any]) -> Any:
        try:
            return self.poke(context)
        except (AirflowSensorTimeout, AirflowTaskTimeout, AirflowFailException, AirflowSkipException):
            raise
        except AirflowRescheduleException:
            raise
        except Exception as err:
            if self.silent_fail:
                log.exception("Sensor poke failed; silent_fail is set, poking again")
                return False
            if self.never_fail:
                raise AirflowSkipException(
                    "Skipping due to never_fail is set to True and returned False"
                ) from err
            raise

    def _time_out(self, elapsed: float) -> None:
        message = (
            f"Sensor has timed out; run duration of {elapsed} seconds exceeds the specified "
            f"timeout of {self.timeout}."
        )
        if self.soft_fail or self.never_fail:
            raise AirflowSkipException(message)
        raise AirflowSensorTimeout(message)

    def next_poke_interval(self, elapsed: float, poke_count: int) -> float:
        """``poke_interval``; with ``exponential_backoff`` doubled per poke, capped by
        ``max_wait`` and by the time left before the timeout."""
        if not self.exponential_backoff:
            return self.poke_interval
        interval = self.poke_interval * (2 ** max(poke_count - 1, 0))
        if self.max_wait is not None:
            interval = min(interval, self.max_wait)
        return max(min(interval, self.timeout - elapsed), 0.0)


def poke_mode_only(cls: type[BaseSensorOperator]) -> type[BaseSensorOperator]:
    """Class decorator: the sensor may only run in poke mode."""
    original = cls.__init__

    def __init__(self: BaseSensorOperator, **kwargs: Any) -> None:
        original(self, **kwargs)
        if self.mode != "poke":
            raise ValueError(f"Cannot set mode to '{self.mode}'. Only 'poke' is acceptable")

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls


__all__ = ["BaseSensorOperator", "PokeReturnValue", "poke_mode_only"]
