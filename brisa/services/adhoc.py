"""Runs and task instances started by hand: the throw-away run of ``brisa dags test`` /
``tasks test`` and the task instance ``brisa tasks run`` queues.

The CLI (:mod:`brisa.cli.adhoc`) drives the scheduler loop, the executor and the task
runner around these; here is only what they change in the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from brisa.errors import InvalidInputError, NotFoundError
from brisa.plugins import registered_timetables
from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.states import TaskState, advance_ti
from brisa.store.records import RunRecord, TaskKey, TiRecord
from brisa.store.sql import Transaction
from brisa.timetables.base import parse_when

_CLEARED_FIRST = frozenset({TaskState.FAILED, TaskState.UPSTREAM_FAILED, TaskState.SKIPPED})
"""Finished states ``--ignore-dependencies`` runs again: cleared to none, then scheduled."""


def start_test_run(
    tx: Transaction,
    dag: SerializedDag,
    when: datetime,
    *,
    now: datetime,
    conf: dict[str, Any] | None = None,
    others: Iterable[SerializedDag] = (),
) -> RunRecord:
    """A manual run of ``dag`` at ``when`` (Airflow's temporary run for tests).

    ``others`` (the folder's other DAGs) are stored paused, so that a
    TriggerDagRunOperator or an ExternalTaskSensor naming one finds it, as Airflow's
    dag.test() finds them in its metadata database; a run triggered for one is created,
    not run (dag.test() runs only the tested DAG's run)."""
    for other in others:
        tx.dags.upsert(other, paused_when_new=True, now=now, timetables=registered_timetables)
        tx.dags.set_paused(other.dag_id, True)
    tx.dags.upsert(dag, paused_when_new=False, now=now, timetables=registered_timetables)
    # Airflow's dag.test() ignores pausing: without this, a DAG declaring
    # is_paused_upon_creation=True would never be scheduled and `dags test` would spin.
    tx.dags.set_paused(dag.dag_id, False)
    return trigger_run(tx, dag, now=now, logical_date=when, conf=conf or {}, triggered_by="test")


def queue_by_hand(
    tx: Transaction,
    dag_id: str,
    task_id: str,
    run: str,
    *,
    now: datetime,
    map_index: int = -1,
    ignore_dependencies: bool = False,
) -> tuple[SerializedDag, RunRecord, TiRecord]:
    """``brisa tasks run``: queue one task instance of the run ``run`` (a run id or a
    logical date) for its next try. Returns the DAG, the run and the instance as it was
    before (its ``try_number`` is the last try's)."""
    dag = tx.dags.require_serialized(dag_id)
    record = tx.runs.get(dag_id, run) or tx.runs.by_logical_date(dag_id, parse_when(run))
    if record is None:
        raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
    key = TaskKey(dag_id, record.run_id, task_id, map_index)
    ti = tx.tis.require(key)
    allowed = {None, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE}
    if ignore_dependencies:
        allowed |= _CLEARED_FIRST
    if ti.state not in allowed:
        raise InvalidInputError(
            f"task instance {key} is {ti.state.value if ti.state else 'none'}; "
            "clear it first (or use --ignore-dependencies for failed ones)"
        )
    if ti.state in _CLEARED_FIRST:
        advance_ti(tx, key, ti.state, None)
        advance_ti(tx, key, None, TaskState.SCHEDULED)
    elif ti.state != TaskState.SCHEDULED:
        advance_ti(tx, key, ti.state, TaskState.SCHEDULED)
    advance_ti(
        tx,
        key,
        TaskState.SCHEDULED,
        TaskState.QUEUED,
        try_number=ti.try_number + 1,
        queued_dttm=now,
        updated_at=now,
    )
    return dag, record, ti


__all__ = ["queue_by_hand", "start_test_run"]
