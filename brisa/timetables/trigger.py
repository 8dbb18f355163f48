"""Trigger timetables: Airflow 3's meaning of ``schedule=<cron or delta>``.

A run fires *at* the tick, like POSIX cron.  Its data interval is
``[tick - interval, tick]`` (zero-length by default) and its logical date is the start
of that interval, so with the default ``interval`` the logical date is the tick.
"""

from __future__ import annotations

import datetime as dt
import math
from abc import abstractmethod
from typing import Any

from dateutil.relativedelta import relativedelta
from pendulum import DateTime

from brisa.errors import ScheduleError
from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable, to_utc
from brisa.timetables.cron import CronSchedule, ZoneLike, decode_timezone, encode_timezone
from brisa.timetables.delta import Delta, DeltaSchedule, decode_delta, encode_delta

RunImmediately = bool | dt.timedelta
_MIN_FIRST_RUN_BUFFER = dt.timedelta(minutes=5)


class TriggerTimetable(Timetable):
    """Shared scheduling of the cron and delta trigger timetables."""

    _schedule: CronSchedule | DeltaSchedule
    _interval: Delta

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval(to_utc(run_after - self._interval), run_after)

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        last = last_automated_data_interval
        if restriction.catchup:
            fire_at = self._next_with_catchup(last, restriction.earliest, now)
        else:
            fire_at = self._next_without_catchup(last, restriction.earliest, now)
        if restriction.latest is not None and restriction.latest < fire_at:
            return None
        return DagRunInfo.interval(to_utc(fire_at - self._interval), fire_at)

    def _next_with_catchup(
        self, last: DataInterval | None, earliest: DateTime | None, now: DateTime
    ) -> DateTime:
        if last is not None:
            return self._schedule.next_after(last.end)
        if earliest is None:
            return self._first_run_without_start(now)
        return self._schedule.align_next(earliest)

    def _next_without_catchup(
        self, last: DataInterval | None, earliest: DateTime | None, now: DateTime
    ) -> DateTime:
        # The newest tick that is not in the future, unless the start date or the last
        # run says later.
        candidates = [self._schedule.align_prev(now)]
        if last is not None:
            candidates.append(self._schedule.next_after(last.end))
        elif earliest is None:
            candidates.append(self._first_run_without_start(now))
        if earliest is not None:
            candidates.append(self._schedule.align_next(earliest))
        return max(candidates)

    @abstractmethod
    def _first_run_without_start(self, now: DateTime) -> DateTime:
        """When the first run fires if the DAG has no start date."""


class CronTriggerTimetable(TriggerTimetable):
    """Fire at each tick of ``cron`` in ``timezone``.

    ``run_immediately`` decides the first run of a DAG without a start date: True runs
    the latest past tick now; a timedelta runs it if it is at most that old; otherwise
    (False, Airflow's default) it is run only if it is at most 10% of the gap between
    ticks old, and never less than five minutes.
    """

    _schedule: CronSchedule

    def __init__(
        self,
        cron: str,
        *,
        timezone: ZoneLike,
        interval: Delta = dt.timedelta(),
        run_immediately: RunImmediately = False,
    ) -> None:
        self._schedule = CronSchedule(cron, timezone)
        self._interval = _checked_interval(interval)
        self._run_immediately = run_immediately
        self.description = self._schedule.description

    @property
    def summary(self) -> str:
        return self._schedule.expression

    @property
    def run_immediately(self) -> RunImmediately:
        return self._run_immediately

    def _first_run_without_start(self, now: DateTime) -> DateTime:
        past = self._schedule.align_prev(now)
        following = self._schedule.align_next(now)
        if self._run_immediately is True:  # `is`: a timedelta is truthy too
            return past
        if isinstance(self._run_immediately, dt.timedelta):
            buffer = self._run_immediately
        else:
            gap = dt.timedelta(seconds=(following - past).total_seconds())
            buffer = max(gap / 10, _MIN_FIRST_RUN_BUFFER)
        return past if to_utc(now) - past <= buffer else following

    def _serialize_fields(self) -> dict[str, Any]:
        return {
            "expression": self._schedule.expression,
            "timezone": encode_timezone(self._schedule.timezone),
            "interval": encode_delta(self._interval),
            "run_immediately": _encode_run_immediately(self._run_immediately),
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> CronTriggerTimetable:
        return cls(
            data["expression"],
            timezone=decode_timezone(data["timezone"]),
            interval=decode_delta(data["interval"]),
            run_immediately=_decode_run_immediately(data.get("run_immediately", False)),
        )


class DeltaTriggerTimetable(TriggerTimetable):
    """Fire every ``delta``; ``schedule=timedelta(...)`` in Airflow 3."""

    _schedule: DeltaSchedule

    def __init__(self, delta: Delta, *, interval: Delta = dt.timedelta()) -> None:
        self._schedule = DeltaSchedule(delta)
        self._interval = _checked_interval(interval)
        self.description = self._schedule.description

    @property
    def summary(self) -> str:
        return self._schedule.summary

    def _first_run_without_start(self, now: DateTime) -> DateTime:
        return self._schedule.align_prev(now)

    def _serialize_fields(self) -> dict[str, Any]:
        return {"delta": encode_delta(self._schedule.delta), "interval": encode_delta(self._interval)}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> DeltaTriggerTimetable:
        return cls(decode_delta(data["delta"]), interval=decode_delta(data["interval"]))


class MultipleCronTriggerTimetable(Timetable):
    """Fire whenever any of several cron expressions ticks; one run per instant."""

    def __init__(
        self,
        *crons: str,
        timezone: ZoneLike,
        interval: Delta = dt.timedelta(),
        run_immediately: RunImmediately = False,
    ) -> None:
        if not crons:
            raise ScheduleError("MultipleCronTriggerTimetable needs at least one cron expression")
        self._timetables = [
            CronTriggerTimetable(cron, timezone=timezone, interval=interval, run_immediately=run_immediately)
            for cron in crons
        ]
        self.description = ", ".join(t.description for t in self._timetables)

    @property
    def summary(self) -> str:
        return ", ".join(t.summary for t in self._timetables)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        intervals = [t.infer_manual_data_interval(run_after=run_after) for t in self._timetables]
        return min(intervals, key=lambda interval: interval.start)

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        infos = [
            t.next_dagrun_info(
                last_automated_data_interval=last_automated_data_interval, restriction=restriction, now=now
            )
            for t in self._timetables
        ]
        if restriction.catchup:
            return min(infos, key=_earliest_first)
        # Without catchup: the newest run not in the future, else the soonest one.
        return min(infos, key=lambda info: _newest_past_first(info, now.timestamp()))

    def _serialize_fields(self) -> dict[str, Any]:
        first = self._timetables[0]._serialize_fields()
        return {
            "expressions": [t.summary for t in self._timetables],
            "timezone": first["timezone"],
            "interval": first["interval"],
            "run_immediately": first["run_immediately"],
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> MultipleCronTriggerTimetable:
        return cls(
            *data["expressions"],
            timezone=decode_timezone(data["timezone"]),
            interval=decode_delta(data["interval"]),
            run_immediately=_decode_run_immediately(data["run_immediately"]),
        )


def _earliest_first(info: DagRunInfo | None) -> float:
    return math.inf if info is None else info.logical_date.timestamp()


def _newest_past_first(info: DagRunInfo | None, now: float) -> float:
    if info is None:
        return math.inf
    stamp = info.logical_date.timestamp()
    return -stamp if stamp <= now else stamp


def _checked_interval(interval: Delta) -> Delta:
    if not isinstance(interval, dt.timedelta | relativedelta):
        raise ScheduleError(f"interval must be a timedelta or relativedelta, not {interval!r}")
    return interval


def _encode_run_immediately(value: RunImmediately) -> bool | float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else bool(value)


def _decode_run_immediately(value: bool | float) -> RunImmediately:
    if isinstance(value, bool):
        return value
    return dt.timedelta(seconds=value)


__all__ = [
    "CronTriggerTimetable",
    "DeltaTriggerTimetable",
    "MultipleCronTriggerTimetable",
    "TriggerTimetable",
]
