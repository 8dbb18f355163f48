"""Backfills: runs for every interval between two dates, created now, run by the scheduler.

As in Airflow 3, a backfill is a record (``backfill`` table) and a set of runs that carry
its id; the scheduler executes them, at most the backfill's ``max_active_runs`` at once
(apart from the DAG's own ``max_active_runs``). What happens to a logical date that
already has a run is the backfill's ``Reprocess`` behaviour; a queued or running run is
always left alone ("in flight"). ``brisa dags backfill`` (Airflow 2's form) makes runs
without a record: the DAG's ``max_active_runs`` limits those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from brisa.errors import ConflictError, InvalidInputError
from brisa.plan.runs import BACKFILL, run_id_for
from brisa.plugins import registered_timetables
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run, set_run_state, validate_conf
from brisa.services.tasks import clear_task_instances
from brisa.states import RunState
from brisa.store.records import BackfillRecord, RunRecord
from brisa.store.sql import Transaction
from brisa.timetables import timetable_from_dict
from brisa.timetables.base import DagRunInfo, TimeRestriction, to_utc

MAX_BACKFILL_RUNS = 10_000
DEFAULT_MAX_ACTIVE_RUNS = 10  # Airflow 3's default for a backfill


def backfill_infos(dag: SerializedDag, start: datetime, end: datetime) -> list[DagRunInfo]:
    """Every run the DAG's timetable places with a logical date in ``[start, end]``."""
    timetable = timetable_from_dict(dag.timetable, registry=registered_timetables)
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
    backfill_id: int | None = None,
) -> list[str]:
    """Create the runs that do not exist yet; returns their run ids."""
    validate_conf(dag, conf or {})
    # A CronPartitionTimetable's runs carry the partition key the scheduler would have given
    # the same date, so a backfilled producer feeds its partitioned consumers.
    timetable = timetable_from_dict(dag.timetable, registry=registered_timetables)
    created = []
    for info in infos:
        if tx.runs.by_logical_date(dag.dag_id, info.logical_date) is not None:
            continue
        partition_key, partition_date = timetable.partition_for(info) or (None, None)
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
            backfill_id=backfill_id,
            partition_key=partition_key,
            partition_date=partition_date,
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
    if not timetable_from_dict(dag.timetable, registry=registered_timetables).periodic:
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
    backfill_id: int | None = None,
) -> BackfillOutcome:
    """Create the missing runs and clear the existing ones ``reprocess`` asks for, in order."""
    validate_conf(dag, conf or {})
    outcome = BackfillOutcome()
    for info in infos:
        when = info.logical_date.isoformat()
        existing = tx.runs.by_logical_date(dag.dag_id, info.logical_date)
        if existing is None:
            create_backfill(tx, dag, [info], now=now, conf=conf, backfill_id=backfill_id)
            outcome.created.append(when)
        elif (reason := skip_reason(existing, reprocess)) is not None:
            outcome.skipped[when] = reason
        else:
            _rerun(tx, dag, existing, now=now, conf=conf, backfill_id=backfill_id)
            outcome.rerun.append(when)
    return outcome


def _rerun(
    tx: Transaction,
    dag: SerializedDag,
    run: RunRecord,
    *,
    now: datetime,
    conf: dict[str, Any] | None,
    backfill_id: int | None,
) -> None:
    """As Airflow 3: clear the run, which becomes a run of the backfill (with its conf)."""
    clear_task_instances(tx, dag, run, tx.tis.for_run(dag.dag_id, run.run_id), now=now)
    fields: dict[str, Any] = {"run_type": BACKFILL, "triggered_by": "backfill", "backfill_id": backfill_id}
    if conf is not None:
        fields["conf"] = conf
    tx.runs.update_fields(dag.dag_id, run.run_id, **fields)


@dataclass(frozen=True)
class BackfillRequest:
    """What ``brisa backfill create`` (or ``POST /api/v2/backfills``) asks for."""

    start: datetime
    end: datetime
    reprocess: Reprocess = Reprocess.NONE
    backwards: bool = False
    max_active_runs: int = DEFAULT_MAX_ACTIVE_RUNS
    conf: dict[str, Any] | None = None
    user: str | None = None


def start_backfill(
    tx: Transaction, dag: SerializedDag, request: BackfillRequest, infos: list[DagRunInfo], *, now: datetime
) -> tuple[BackfillRecord, BackfillOutcome]:
    """Record a backfill and make its runs; as Airflow 3, one active backfill per DAG."""
    validate_conf(dag, request.conf or {})
    # A backfill whose runs have all finished is done even if no scheduler has said so yet.
    tx.backfills.complete_finished(now=now)
    active = tx.backfills.list(dag_id=dag.dag_id, active_only=True, limit=1).items
    if active:
        raise ConflictError(
            f"DAG {dag.dag_id!r} has an active backfill ({active[0].id}): "
            "wait for it to complete or cancel it first"
        )
    record = tx.backfills.create(
        dag_id=dag.dag_id,
        from_date=to_utc(request.start),
        to_date=to_utc(request.end),
        now=now,
        run_backwards=request.backwards,
        dag_run_conf=request.conf,
        reprocess_behavior=request.reprocess.value,
        max_active_runs=request.max_active_runs,
        triggering_user_name=request.user,
    )
    outcome = run_backfill(
        tx, dag, infos, now=now, conf=request.conf, reprocess=request.reprocess, backfill_id=record.id
    )
    return record, outcome


def cancel_backfill(tx: Transaction, backfill_id: int, *, now: datetime) -> BackfillRecord:
    """As Airflow 3: the backfill completes now, paused, and its queued runs fail (running
    ones go on); cancelling a completed backfill is a conflict."""
    record = tx.backfills.require(backfill_id)
    if record.completed_at is not None:
        raise ConflictError(f"Backfill {backfill_id} is already completed")
    tx.backfills.set_paused(backfill_id, True, now=now)
    for run in tx.runs.unfinished(dag_id=record.dag_id, states=(RunState.QUEUED,)):
        if run.backfill_id == backfill_id:
            set_run_state(tx, run, RunState.FAILED, now=now)
    return tx.backfills.complete(backfill_id, now=now)


def pause_backfill(tx: Transaction, backfill_id: int, paused: bool, *, now: datetime) -> BackfillRecord:
    """A paused backfill starts no more runs; its running ones go on (Airflow 3)."""
    record = tx.backfills.require(backfill_id)
    if record.completed_at is not None:
        raise ConflictError(f"Backfill {backfill_id} is already completed")
    return tx.backfills.set_paused(backfill_id, paused, now=now)


__all__ = [
    "DEFAULT_MAX_ACTIVE_RUNS",
    "BackfillOutcome",
    "BackfillRequest",
    "Reprocess",
    "backfill_infos",
    "backfill_run_id",
    "cancel_backfill",
    "completed_infos",
    "create_backfill",
    "pause_backfill",
    "run_backfill",
    "skip_reason",
    "start_backfill",
]
