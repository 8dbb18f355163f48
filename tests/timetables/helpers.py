"""Helpers shared by the timetable tests: UTC dates and running a timetable forward."""

from __future__ import annotations

import pendulum

from brisa.timetables import DagRunInfo, TimeRestriction, Timetable


def utc(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def schedule_runs(
    timetable: Timetable, restriction: TimeRestriction, *, now: pendulum.DateTime, count: int
) -> list[DagRunInfo | None]:
    """Ask for ``count`` runs in a row, feeding each run's interval back in (like the scheduler)."""
    runs: list[DagRunInfo | None] = []
    last = None
    for _ in range(count):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction, now=now)
        runs.append(info)
        if info is None:
            break
        last = info.data_interval
    return runs


def intervals(runs: list[DagRunInfo | None]) -> list[tuple[str, str] | None]:
    """Runs as ``(start, end)`` ISO strings in UTC, for readable golden comparisons."""
    return [
        None if r is None else (r.data_interval.start.isoformat(), r.data_interval.end.isoformat())
        for r in runs
    ]


FAR_FUTURE = utc(2100, 1, 1)
