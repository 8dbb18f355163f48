"""DAG-level actions: pausing, deleting, and keeping the "next run" columns current."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from pendulum import DateTime

from brisa.errors import ConflictError
from brisa.plan.runs import due_runs
from brisa.plugins import registered_timetables
from brisa.serialized import SerializedDag
from brisa.states import TaskState
from brisa.store.records import DagRecord
from brisa.store.sql import Transaction
from brisa.timetables import timetable_from_dict
from brisa.timetables.base import DataInterval, TimeRestriction


def restriction_for(dag: SerializedDag) -> TimeRestriction:
    # Stored and serialized times are aware UTC datetimes; the timetables take them as they
    # take pendulum's DateTime (a datetime subclass) and make DateTimes of what they return.
    earliest = cast(DateTime | None, dag.start_date)
    latest = cast(DateTime | None, dag.end_date)
    return TimeRestriction(earliest=earliest, latest=latest, catchup=dag.catchup)


def last_automated_interval(tx: Transaction, dag_id: str) -> DataInterval | None:
    run = tx.runs.last_automated(dag_id)
    if run is None or run.data_interval_start is None or run.data_interval_end is None:
        return None
    return DataInterval(cast(DateTime, run.data_interval_start), cast(DateTime, run.data_interval_end))


def refresh_next_run(tx: Transaction, dag: SerializedDag, *, now: datetime) -> None:
    """Store when the DAG's next automated run is due (None: never, by its timetable)."""
    timetable = timetable_from_dict(dag.timetable, registry=registered_timetables)
    if dag.is_subdag or not timetable.can_be_scheduled:
        tx.dags.set_next_run(
            dag.dag_id, logical_date=None, interval_start=None, interval_end=None, create_after=None
        )
        return
    plan = due_runs(
        timetable,
        restriction=restriction_for(dag),
        last_automated=last_automated_interval(tx, dag.dag_id),
        active_runs=0,
        max_active_runs=0,
        now=now,
    )
    info = plan.next_info
    if info is None:
        tx.dags.set_next_run(
            dag.dag_id, logical_date=None, interval_start=None, interval_end=None, create_after=None
        )
        return
    tx.dags.set_next_run(
        dag.dag_id,
        logical_date=info.logical_date,
        interval_start=info.data_interval.start,
        interval_end=info.data_interval.end,
        create_after=info.run_after,
    )


def set_paused(tx: Transaction, dag_id: str, paused: bool, *, now: datetime) -> DagRecord:
    tx.dags.set_paused(dag_id, paused)
    if not paused:
        dag = tx.dags.serialized(dag_id)
        if dag is not None:
            refresh_next_run(tx, dag, now=now)
    return tx.dags.require(dag_id)


def delete_dag(tx: Transaction, dag_id: str) -> None:
    """Forget a DAG and all its history (not its audit-log rows), as Airflow's ``delete_dag``.

    Refused (ConflictError) while one of its task instances runs: its supervisor would
    go on writing logs and outcomes for rows that no longer exist. If the DAG file is
    still in the folder, the next parse adds the DAG again, without its history.
    """
    tx.dags.require(dag_id)
    if tx.tis.in_states([TaskState.RUNNING], dag_id=dag_id, limit=1):
        raise ConflictError(f"Task instances of dag with id: '{dag_id}' are still running")
    tx.dags.delete(dag_id)


__all__ = ["delete_dag", "last_automated_interval", "refresh_next_run", "restriction_for", "set_paused"]
