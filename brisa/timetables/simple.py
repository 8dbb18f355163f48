"""The trivial timetables: ``None``, ``@once`` and ``@continuous``."""

from __future__ import annotations

from typing import Any, ClassVar

from pendulum import DateTime

from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable, to_utc


class _TrivialTimetable(Timetable):
    periodic: ClassVar[bool] = False
    run_ordering: ClassVar[tuple[str, ...]] = ("logical_date",)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval.exact(run_after)

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls()


class NullTimetable(_TrivialTimetable):
    """``schedule=None``: never scheduled, only triggered."""

    can_be_scheduled: ClassVar[bool] = False
    description = "Never, external triggers only"

    @property
    def summary(self) -> str:
        return "None"

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        return None


class OnceTimetable(_TrivialTimetable):
    """``schedule="@once"``: one run at the start date, whatever ``catchup`` says."""

    description = "Once, as soon as possible"

    @property
    def summary(self) -> str:
        return "@once"

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        if last_automated_data_interval is not None or restriction.earliest is None:
            return None
        if restriction.latest is not None and restriction.earliest > restriction.latest:
            return None
        return DagRunInfo.exact(restriction.earliest)


class ContinuousTimetable(_TrivialTimetable):
    """``schedule="@continuous"``: a new run as soon as the last one ends, one at a time.

    Each run's data interval runs from the end of the previous one up to ``now``.
    """

    description = "As frequently as possible, but only one run at a time."
    active_runs_limit: ClassVar[int | None] = 1

    @property
    def summary(self) -> str:
        return "@continuous"

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        earliest = restriction.earliest
        if earliest is None:
            return None
        now = to_utc(now)
        last = last_automated_data_interval
        if last is None:
            start, end = to_utc(earliest), max(to_utc(earliest), now)
        elif last.end > now:
            # The start date moved into the future: keep the last run's length from it.
            start = to_utc(earliest)
            end = start + (last.end - last.start)
        else:
            start, end = last.end, now
        if restriction.latest is not None and end > restriction.latest:
            return None
        return DagRunInfo.interval(start, end)


_TRIVIAL_SUMMARIES = frozenset(cls().summary for cls in (NullTimetable, OnceTimetable, ContinuousTimetable))


def is_periodic_summary(summary: str | None) -> bool:
    """Whether a stored ``timetable_summary`` names a repeating schedule.

    The trivial timetables are the only ones that do not repeat, and their summaries are
    fixed, so lists can answer from a DAG's row without reading its serialized timetable.
    """
    return (summary or NullTimetable().summary) not in _TRIVIAL_SUMMARIES


__all__ = ["ContinuousTimetable", "NullTimetable", "OnceTimetable", "is_periodic_summary"]
