"""Fixed-length schedules (``timedelta`` / ``relativedelta``), as Airflow's ``DeltaMixin``.

Airflow adds the delta to UTC times, so a ``timedelta(days=1)`` schedule is not
DST-aware: it is 24 real hours whatever the DAG's timezone.  The same here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta, weekday
from pendulum import DateTime

from brisa.errors import ScheduleError
from brisa.timetables.base import to_utc
from brisa.timetables.describe import describe_delta

Delta = dt.timedelta | relativedelta

_RELATIVE_FIELDS = (
    "years",
    "months",
    "days",
    "leapdays",
    "hours",
    "minutes",
    "seconds",
    "microseconds",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "microsecond",
)
_PROBE = dt.datetime(2000, 1, 1)


class DeltaSchedule:
    """Ticks ``delta`` apart, anchored wherever the caller starts; results are UTC."""

    def __init__(self, delta: Delta) -> None:
        if not isinstance(delta, dt.timedelta | relativedelta):
            raise ScheduleError(f"{delta!r} is not a timedelta or relativedelta")
        if _PROBE + delta <= _PROBE:
            raise ScheduleError(f"schedule interval must be positive, not {delta!r}")
        self.delta = delta
        self.summary = str(delta)
        self.description = describe_delta(delta)

    def next_after(self, current: dt.datetime) -> DateTime:
        return to_utc(to_utc(current) + self.delta)

    def prev_before(self, current: dt.datetime) -> DateTime:
        return to_utc(to_utc(current) - self.delta)

    def align_next(self, current: dt.datetime) -> DateTime:
        """A delta schedule has no grid: every instant is aligned."""
        return to_utc(current)

    def align_prev(self, current: dt.datetime) -> DateTime:
        return to_utc(current)

    def round_down(self, current: dt.datetime) -> DateTime:
        """``current`` floored to a multiple of the delta since the epoch (Airflow 2.8+).

        A relativedelta counts a month as 30 days and a year as 365, as Airflow does.
        """
        seconds = _approximate_seconds(self.delta)
        if seconds <= 0:
            return to_utc(current)
        stamp = to_utc(current).timestamp()
        return to_utc(dt.datetime.fromtimestamp(stamp - stamp % seconds, tz=dt.UTC))


def _approximate_seconds(delta: Delta) -> float:
    if isinstance(delta, dt.timedelta):
        return delta.total_seconds()
    days = delta.years * 365 + delta.months * 30 + delta.days
    return days * 86400 + delta.hours * 3600 + delta.minutes * 60 + delta.seconds


def encode_delta(delta: Delta) -> float | dict[str, Any]:
    """A timedelta as float seconds; a relativedelta as ``{"relativedelta": {...}}``."""
    if isinstance(delta, dt.timedelta):
        return delta.total_seconds()
    fields: dict[str, Any] = {name: getattr(delta, name) for name in _RELATIVE_FIELDS}
    fields = {name: value for name, value in fields.items() if value}
    if delta.weekday is not None:
        fields["weekday"] = [delta.weekday.weekday, delta.weekday.n]
    return {"relativedelta": fields}


def decode_delta(value: float | int | dict[str, Any]) -> Delta:
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    fields = dict(value["relativedelta"])
    if "weekday" in fields:
        day, n = fields.pop("weekday")
        fields["weekday"] = weekday(day, n)
    return relativedelta(**fields)


__all__ = ["Delta", "DeltaSchedule", "decode_delta", "encode_delta"]
