"""Data-interval timetables: Airflow 1.10/2.x's meaning of ``schedule=<cron or delta>``.

A run covers ``[start, end)`` and is due once the interval has ended; its logical date
is the *start* of the interval.  With ``start_date=2015-06-01`` and a daily schedule
the first run has logical date 2015-06-01 and runs just after 2015-06-02 00:00.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import Any

from pendulum import DateTime

from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable
from brisa.timetables.cron import CronSchedule, ZoneLike, decode_timezone, encode_timezone
from brisa.timetables.delta import Delta, DeltaSchedule, decode_delta, encode_delta


class DataIntervalTimetable(Timetable):
    """Shared scheduling of the cron and delta data-interval timetables."""

    _schedule: CronSchedule | DeltaSchedule

    def prev_before(self, current: dt.datetime) -> DateTime:
        """The tick before ``current``: Airflow 2's ``prev_execution_date`` uses this."""
        return self._schedule.prev_before(current)

    def next_after(self, current: dt.datetime) -> DateTime:
        return self._schedule.next_after(current)

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        earliest = restriction.earliest
        if not restriction.catchup:
            earliest = self._skip_to_latest(earliest, now)
        elif earliest is not None:
            earliest = self._schedule.align_next(earliest)
        if last_automated_data_interval is None:
            if earliest is None:
                return None
            start = earliest
        else:
            # Aligning the last end copes with a schedule that changed since that run.
            start = self._schedule.align_prev(last_automated_data_interval.end)
            if earliest is not None:
                start = max(start, earliest)
        if restriction.latest is not None and start > restriction.latest:
            return None
        return DagRunInfo.interval(start=start, end=self._schedule.next_after(start))

    @abstractmethod
    def _skip_to_latest(self, earliest: DateTime | None, now: DateTime) -> DateTime:
        """The start of the newest interval ``catchup=False`` still allows."""


class CronDataIntervalTimetable(DataIntervalTimetable):
    """``schedule=<cron or preset>`` in Airflow 1.10/2.x (and with ``create_cron_data_intervals``)."""

    _schedule: CronSchedule

    def __init__(self, cron: str, timezone: ZoneLike) -> None:
        self._schedule = CronSchedule(cron, timezone)
        self.description = self._schedule.description

    @property
    def summary(self) -> str:
        return self._schedule.expression

    def _skip_to_latest(self, earliest: DateTime | None, now: DateTime) -> DateTime:
        # The newest *complete* interval: on a tick, the one that ends now; between
        # ticks, the one that ended at the last tick.
        last_start = self._schedule.prev_before(now)
        if self._schedule.next_after(last_start) == now:
            new_start = last_start
        else:
            new_start = self._schedule.prev_before(last_start)
        if earliest is None:
            return new_start
        return max(new_start, self._schedule.align_next(earliest))

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        # The last complete interval: a daily run triggered at 01:00 on the 25th covers
        # the 24th.
        end = self._schedule.align_prev(run_after)
        return DataInterval(start=self._schedule.prev_before(end), end=end)

    def _serialize_fields(self) -> dict[str, Any]:
        return {
            "expression": self._schedule.expression,
            "timezone": encode_timezone(self._schedule.timezone),
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> CronDataIntervalTimetable:
        return cls(data["expression"], decode_timezone(data["timezone"]))


class DeltaDataIntervalTimetable(DataIntervalTimetable):
    """``schedule=<timedelta or relativedelta>`` in Airflow 1.10/2.x."""

    _schedule: DeltaSchedule

    def __init__(self, delta: Delta) -> None:
        self._schedule = DeltaSchedule(delta)
        self.description = self._schedule.description

    @property
    def summary(self) -> str:
        return self._schedule.summary

    def _skip_to_latest(self, earliest: DateTime | None, now: DateTime) -> DateTime:
        # Airflow floors "now" to the delta grid since the epoch before stepping back.
        new_start = self._schedule.prev_before(self._schedule.round_down(now))
        if earliest is None:
            return new_start
        return max(new_start, earliest)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval(start=self._schedule.prev_before(run_after), end=run_after)

    def _serialize_fields(self) -> dict[str, Any]:
        return {"delta": encode_delta(self._schedule.delta)}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> DeltaDataIntervalTimetable:
        return cls(decode_delta(data["delta"]))


__all__ = ["CronDataIntervalTimetable", "DataIntervalTimetable", "DeltaDataIntervalTimetable"]
