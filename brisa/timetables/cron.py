"""Cron expressions made timezone- and DST-aware, as Airflow's ``CronMixin`` does.

croniter only works on naive times.  Like Airflow, a tick is found on the naive wall
clock of the DAG's timezone and then made aware again:

* for schedules that fire less than hourly, the naive tick is localised with
  ``fold=1``: a tick inside the spring-forward gap moves forward (02:30 becomes 03:30
  summer time) and a tick inside the autumn fold takes the second occurrence;
* for schedules that fire at least every hour, the wall-clock distance to the tick is
  added to the current instant instead, so no hour is skipped or repeated across the
  fold (croniter issue 56).
"""

from __future__ import annotations

import datetime as dt

import pendulum
from croniter import croniter
from croniter.croniter import CroniterBadDateError
from pendulum import DateTime
from pendulum.tz import fixed_timezone
from pendulum.tz.timezone import FixedTimezone, Timezone

from brisa.errors import ScheduleError
from brisa.timetables.base import to_utc
from brisa.timetables.describe import describe_cron

CRON_PRESETS: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}
"""Airflow's presets; croniter itself also knows ``@annually`` and ``@midnight``."""

ZoneLike = str | int | dt.tzinfo
_PROBE_START = dt.datetime(2000, 1, 1)


def resolve_timezone(zone: ZoneLike) -> Timezone | FixedTimezone:
    """A pendulum timezone for a name, an offset in seconds, or any tzinfo."""
    try:
        if isinstance(zone, Timezone | FixedTimezone):
            return zone
        if isinstance(zone, int):
            return fixed_timezone(zone)
        if isinstance(zone, str):
            return pendulum.timezone(zone)
        key = getattr(zone, "key", None) or getattr(zone, "zone", None)
        if key:
            return pendulum.timezone(str(key))
        offset = zone.utcoffset(None)
        if offset is not None:
            # As pendulum.instance() does: a zero offset is UTC itself.
            return pendulum.UTC if not offset else fixed_timezone(int(offset.total_seconds()))
    except (ValueError, LookupError) as exc:
        raise ScheduleError(f"unknown timezone {zone!r}: {exc}") from exc
    raise ScheduleError(f"unknown timezone {zone!r}: it has no name and no fixed offset")


def encode_timezone(zone: Timezone | FixedTimezone) -> str | int:
    """Airflow's form: a zone name, ``UTC`` for offset zero, else the offset in seconds."""
    if isinstance(zone, FixedTimezone):
        return "UTC" if zone.offset == 0 else zone.offset
    return zone.name


def decode_timezone(value: str | int) -> Timezone | FixedTimezone:
    return resolve_timezone(value)


class CronSchedule:
    """The ticks of one cron expression in one timezone; every result is UTC."""

    def __init__(self, cron: str, timezone: ZoneLike) -> None:
        if not isinstance(cron, str):
            raise ScheduleError(f"cron expression must be a string, not {cron!r}")
        self.expression = CRON_PRESETS.get(cron, cron)
        self.timezone = resolve_timezone(timezone)
        self._every_hour = _check_expression(cron, self.expression)
        self.description = describe_cron(self.expression)

    def next_after(self, current: dt.datetime) -> DateTime:
        """The first tick strictly after ``current``."""
        naive = self._local_naive(current)
        tick = croniter(self.expression, start_time=naive).get_next(dt.datetime)
        if not self._every_hour:
            return self._localise(tick)
        return to_utc(pendulum.instance(current).in_timezone(self.timezone) + (tick - naive))

    def prev_before(self, current: dt.datetime) -> DateTime:
        """The last tick strictly before ``current``."""
        naive = self._local_naive(current)
        tick = croniter(self.expression, start_time=naive).get_prev(dt.datetime)
        if not self._every_hour:
            return self._localise(tick)
        return to_utc(pendulum.instance(current).in_timezone(self.timezone) - (naive - tick))

    def align_next(self, current: dt.datetime) -> DateTime:
        """``current`` if it is a tick, else the next tick."""
        following = self.next_after(current)
        return to_utc(current) if self.prev_before(following) == current else following

    def align_prev(self, current: dt.datetime) -> DateTime:
        """``current`` if it is a tick, else the previous tick."""
        preceding = self.prev_before(current)
        return to_utc(current) if self.next_after(preceding) == current else preceding

    def _local_naive(self, current: dt.datetime) -> dt.datetime:
        local = to_utc(current).astimezone(self.timezone)
        return dt.datetime(
            local.year, local.month, local.day, local.hour, local.minute, local.second, local.microsecond
        )

    def _localise(self, naive: dt.datetime) -> DateTime:
        # fold=1: Airflow's rule for wall-clock times that are missing or doubled.
        return to_utc(self.timezone.convert(naive.replace(fold=1)))


def _check_expression(given: str, expression: str) -> bool:
    """Validate ``expression``; return whether it fires at least once every hour."""
    try:
        parsed = croniter(expression, start_time=_PROBE_START)
    except (ValueError, KeyError, TypeError) as exc:
        raise ScheduleError(f"invalid cron expression {given!r}: {exc}") from exc
    try:
        parsed.get_next(dt.datetime)
    except CroniterBadDateError as exc:
        raise ScheduleError(f"invalid cron expression {given!r}: it never matches a date") from exc
    return parsed.expanded[1] == ["*"]


__all__ = [
    "CRON_PRESETS",
    "CronSchedule",
    "ZoneLike",
    "decode_timezone",
    "encode_timezone",
    "resolve_timezone",
]
