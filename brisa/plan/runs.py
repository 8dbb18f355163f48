"""Which runs to create and which queued runs to start: pure functions of the timetable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pendulum import DateTime

from brisa.states import RunState
from brisa.store.records import BackfillRecord, RunRecord
from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable, to_utc

SCHEDULED = "scheduled"
MANUAL = "manual"
BACKFILL = "backfill"
ASSET_TRIGGERED = "asset_triggered"
ASSET_MATERIALIZATION = "asset_materialization"
"""Airflow 3.1+'s run type of ``assets materialize`` / ``POST /assets/{id}/materialize``."""


def run_id_for(run_type: str, when: datetime) -> str:
    """Airflow's run id: ``scheduled__2015-06-01T00:00:00+00:00``."""
    return f"{run_type}__{to_utc(when).isoformat()}"


@dataclass(frozen=True)
class DuePlan:
    create: list[DagRunInfo]
    """Runs to create now, oldest first."""
    next_info: DagRunInfo | None
    """The first run not created yet (shown as "next run"; None when there is none)."""
    partitions: list[tuple[str, DateTime] | None] = field(default_factory=list)
    """Each created run's (partition key, partition date): CronPartitionTimetable's, else None."""

    def partition(self, index: int) -> tuple[str, DateTime] | None:
        return self.partitions[index] if index < len(self.partitions) else None


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
        if (
            info is None
            or info.run_after > now
            or (active_runs + len(created) >= max_active_runs or len(created) >= limit)
        ):
            return DuePlan(created, info, [timetable.partition_for(i) for i in created])
        created.append(info)
        last = info.data_interval


@dataclass(frozen=True)
class BackfillLimit:
    """What the planner needs of a backfill (``brisa backfill create``)."""

    max_active_runs: int
    is_paused: bool = False


def runs_to_start(
    queued: Sequence[RunRecord],
    *,
    running: int,
    max_active_runs: int,
    backfills: Mapping[int, BackfillLimit] | None = None,
    running_per_backfill: Mapping[int, int] | None = None,
) -> list[RunRecord]:
    """Queued runs of one DAG that may start now.

    As Airflow 3's scheduler, runs are counted per (DAG, backfill): the runs of a backfill
    are limited by that backfill's ``max_active_runs`` and not by the DAG's, and do not
    count against the DAG's (``running`` counts the DAG's runs outside any backfill). A
    paused backfill starts none of its runs. Runs outside a backfill come first, in the
    order they became due; then backfill runs in the order their backfill created them
    (``--run-backwards``: latest first). A run of a backfill the store no longer has, or
    made by ``brisa dags backfill`` (no backfill record), counts as one of the DAG's.
    """
    backfills = backfills or {}
    counts = dict(running_per_backfill or {})
    room = max(0, max_active_runs - running)
    started: list[RunRecord] = []
    for run in sorted(queued, key=_start_order):
        backfill_id = run.backfill_id
        backfill = backfills.get(backfill_id) if backfill_id is not None else None
        if backfill_id is None or backfill is None:
            if room > 0:
                started.append(run)
                room -= 1
            continue
        active = counts.get(backfill_id, 0)
        if not backfill.is_paused and active < backfill.max_active_runs:
            started.append(run)
            counts[backfill_id] = active + 1
    return started


def backfill_limits(records: Mapping[int, BackfillRecord]) -> dict[int, BackfillLimit]:
    return {i: BackfillLimit(b.max_active_runs, b.is_paused) for i, b in records.items()}


def running_counts(
    runs: Iterable[RunRecord], backfills: Mapping[int, BackfillLimit]
) -> tuple[dict[str, int], dict[int, int]]:
    """Running runs per DAG (outside any known backfill) and per backfill."""
    per_dag: dict[str, int] = {}
    per_backfill: dict[int, int] = {}
    for run in runs:
        if run.state != RunState.RUNNING:
            continue
        if run.backfill_id is not None and run.backfill_id in backfills:
            per_backfill[run.backfill_id] = per_backfill.get(run.backfill_id, 0) + 1
        else:
            per_dag[run.dag_id] = per_dag.get(run.dag_id, 0) + 1
    return per_dag, per_backfill


def _start_order(run: RunRecord) -> tuple[int, float, int]:
    if run.run_type == BACKFILL:
        return (1, 0.0, run.id)
    return (0, run.run_after.timestamp(), run.id)


__all__ = [
    "BACKFILL",
    "MANUAL",
    "SCHEDULED",
    "BackfillLimit",
    "DuePlan",
    "backfill_limits",
    "due_runs",
    "run_id_for",
    "running_counts",
    "runs_to_start",
]
