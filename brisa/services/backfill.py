"""Backfills: runs for every interval between two dates, created now, run by the scheduler.

As in Airflow 3, a backfill is a set of runs the scheduler executes (``max_active_runs``
applies). What happens to a logical date that already has a run is the backfill's
``Reprocess`` behaviour; a queued or running run is always left alone ("in flight").
Brisa keeps no backfill record of its own: the runs (run type ``backfill``) are the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from brisa.errors import InvalidInputError
from brisa.plan.runs import BACKFILL, run_id_for
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run, validate_conf
from brisa.services.tasks import clear_task_instances
from brisa.states import RunState
from brisa.store.records import RunRecord
from brisa.store.sql import Transaction
from brisa.timetables import timetable_from_dict
from brisa.timetables.base import DagRunInfo, TimeRestriction, to_utc

MAX_BACKFILL_RUNS = 10_000


def backfill_infos(dag: SerializedDag, start: datetime, end: datetime) -> list[DagRunInfo]:
    """Every run the DAG's timetable places with a logical date in ``[start, end]``."""
    timetable = timetable_from_dict(dag.timetable)
    restriction = TimeRestriction(earliest=to_utc(start), latest=to_utc(end), catchup=True)
    infos: list[DagRunInfo] = []
    last = None
    far_future = to_utc(datetime(9999, 1, 1))
    while len(infos) < MAX_BACKFILL_RUNS:
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=restriction, now=far_future
        )
        if info is None or info.logical_date > to_utc(end):
            break
        infos.append(info)
        last = info.data_interval
        if not timetable.periodic:
            break
    return infos


def backfill_run_id(info: DagRunInfo) -> str:
    return run_id_for(BACKFILL, info.logical_date)


def create_backfill(
    tx: Transaction,
    dag: SerializedDag,
    infos: list[DagRunInfo],
    *,
    now: datetime,
    conf: dict[str, Any] | None,
) -> list[str]:
    """Create the runs that do not exist yet; returns their run ids."""
    validate_conf(dag, conf or {})
    created = []
    for info in infos:
        if tx.runs.by_logical_date(dag.dag_id, info.logical_date) is not None:
            continue
        run = create_run(
            tx,
            dag,
            run_id=backfill_run_id(info),
            run_type=BACKFILL,
            logical_date=info.logical_date,
            data_interval=info.data_interval,
            run_after=info.run_after,
            now=now,
            conf=conf or {},
            triggered_by="backfill",
        )
        created.append(run.run_id)
    return created


class Reprocess(StrEnum):
    """Airflow 3's reprocess behaviour: which existing runs a backfill runs again."""

    NONE = "none"
    FAILED = "failed"
    COMPLETED = "completed"


@dataclass
class BackfillOutcome:
    """What a backfill did to each logical date (ISO strings), in the backfill's order."""

    created: list[str] = field(default_factory=list)
    rerun: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def skip_reason(run: RunRecord, behaviour: Reprocess) -> str | None:
    """Why an existing run is not run again, or None when the backfill clears it."""
    if not run.state.is_finished:
        return "in flight"
    if behaviour is Reprocess.NONE:
        return "already exists"
    if behaviour is Reprocess.FAILED and run.state != RunState.FAILED:
        return "already exists"
    return None


def completed_infos(
    dag: SerializedDag, start: datetime, end: datetime, *, now: datetime, backwards: bool
) -> list[DagRunInfo]:
    """Airflow 3's backfill dates: the schedule's intervals in ``[start, end]`` that have ended."""
    if to_utc(start) > to_utc(end):
        raise InvalidInputError("--from-date must not be after --to-date")
    if not timetable_from_dict(dag.timetable).periodic:
        raise InvalidInputError(f"DAG {dag.dag_id!r} has no periodic schedule: it cannot be backfilled")
    infos = [i for i in backfill_infos(dag, start, end) if i.data_interval.end < to_utc(now)]
    return infos[::-1] if backwards else infos


def run_backfill(
    tx: Transaction,
    dag: SerializedDag,
    infos: list[DagRunInfo],
    *,
    now: datetime,
    conf: dict[str, Any] | None,
    reprocess: Reprocess,
) -> BackfillOutcome:
    """Create the missing runs and clear the existing ones ``reprocess`` asks for, in order."""
    validate_conf(dag, conf or {})
    outcome = BackfillOutcome()
    for info in infos:
        when = info.logical_date.isoformat()
        existing = tx.runs.by_logical_date(dag.dag_id, info.logical_date)
        if existing is None:
            create_backfill(tx, dag, [info], now=now, conf=conf)
            outcome.created.append(when)
        elif (reason := skip_reason(existing, reprocess)) is not None:
            outcome.skipped[when] = reason
        else:
            _rerun(tx, dag, existing, now=now, conf=conf)
            outcome.rerun.append(when)
    return outcome


def _rerun(
    tx: Transaction, dag: SerializedDag, run: RunRecord, *, now: datetime, conf: dict[str, Any] | None
) -> None:
    """As Airflow 3: clear the run, which becomes a backfill run (with the backfill's conf)."""
    clear_task_instances(tx, dag, run, tx.tis.for_run(dag.dag_id, run.run_id), now=now)
    fields: dict[str, Any] = {"run_type": BACKFILL, "triggered_by": "backfill"}
    if conf is not None:
        fields["conf"] = conf
    tx.runs.update_fields(dag.dag_id, run.run_id, **fields)


__all__ = [
    "BackfillOutcome",
    "Reprocess",
    "backfill_infos",
    "backfill_run_id",
    "completed_infos",
    "create_backfill",
    "run_backfill",
    "skip_reason",
]
