"""Backfills: runs for every interval between two dates, created now, run by the scheduler.

As in Airflow 3, a backfill is a set of runs the scheduler executes (``max_active_runs``
applies); a logical date that already has a run is left alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from brisa.scheduler.runs import BACKFILL, run_id_for
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run, validate_conf
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


__all__ = ["backfill_infos", "backfill_run_id", "create_backfill"]
