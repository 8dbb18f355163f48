"""Which runs to create and which queued runs to start: pure functions of the timetable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from brisa.store.records import RunRecord
from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable, to_utc

SCHEDULED = "scheduled"
MANUAL = "manual"
BACKFILL = "backfill"
ASSET_TRIGGERED = "asset_triggered"


def run_id_for(run_type: str, when: datetime) -> str:
    """Airflow's run id: ``scheduled__2015-06-01T00:00:00+00:00``."""
    return f"{run_type}__{to_utc(when).isoformat()}"


@dataclass(frozen=True)
class DuePlan:
    create: list[DagRunInfo]
    """Runs to create now, oldest first."""
    next_info: DagRunInfo | None
    """The first run not created yet (shown as "next run"; None when there is none)."""


def due_runs(
    timetable: Timetable,
    *,
    restriction: TimeRestriction,
    last_automated: DataInterval | None,
    active_runs: int,
    max_active_runs: int,
    now: datetime,
    limit: int = 50,
) -> DuePlan:
    """Runs whose time has come, as many as ``max_active_runs`` leaves room for."""
    now = to_utc(now)
    created: list[DagRunInfo] = []
    last = last_automated
    while True:
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction, now=now)
        if info is None or info.run_after > now:
            return DuePlan(created, info)
        if active_runs + len(created) >= max_active_runs or len(created) >= limit:
            return DuePlan(created, info)
        created.append(info)
        last = info.data_interval


def runs_to_start(queued: Sequence[RunRecord], *, running: int, max_active_runs: int) -> list[RunRecord]:
    """Queued runs that may start now: the others in the order they became due, then the
    backfill runs in the order the backfill created them (``--run-backwards``: latest first)."""
    room = max(0, max_active_runs - running)
    others = sorted((r for r in queued if r.run_type != BACKFILL), key=lambda r: (r.run_after, r.id))
    backfills = sorted((r for r in queued if r.run_type == BACKFILL), key=lambda r: r.id)
    return [*others, *backfills][:room]


__all__ = ["BACKFILL", "MANUAL", "SCHEDULED", "DuePlan", "due_runs", "run_id_for", "runs_to_start"]
