"""Creating, clearing and marking DAG runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from brisa.errors import InvalidInputError, ParamValidationError
from brisa.plan.runs import MANUAL, run_id_for
from brisa.plan.tasks import NewTi, initial_task_instances
from brisa.plugins import registered_timetables
from brisa.serialized import SerializedDag
from brisa.services.limits import RunLimits, check_new_run
from brisa.states import RunState, advance_run
from brisa.store.records import RunRecord
from brisa.store.sql import Transaction
from brisa.timetables import timetable_from_dict
from brisa.timetables.base import DataInterval, to_utc


def ti_rows(dag: SerializedDag, run_id: str, new_tis: Sequence[NewTi]) -> list[dict[str, Any]]:
    """Rows for new task instances, with what the scheduler needs copied from the task."""
    rows = []
    for new in new_tis:
        task = dag.tasks[new.task_id]
        rows.append(
            {
                "dag_id": dag.dag_id,
                "run_id": run_id,
                "task_id": new.task_id,
                "map_index": new.map_index,
                "state": new.state,
                "max_tries": task.retries,
                "operator": task.operator,
                "pool": task.pool,
                "pool_slots": task.pool_slots,
                "queue": task.queue,
                "priority_weight": task.priority,
            }
        )
    return rows


def create_run(
    tx: Transaction,
    dag: SerializedDag,
    *,
    run_id: str,
    run_type: str,
    logical_date: datetime | None,
    data_interval: DataInterval | None,
    run_after: datetime,
    now: datetime,
    conf: dict[str, Any] | None = None,
    triggered_by: str | None = None,
    triggering_user: str | None = None,
    creating_job_id: int | None = None,
    note: str | None = None,
    backfill_id: int | None = None,
    partition_key: str | None = None,
    partition_date: datetime | None = None,
) -> RunRecord:
    """Insert a queued run and its task instances (ConflictError if it exists)."""
    run = tx.runs.create(
        dag_id=dag.dag_id,
        run_id=run_id,
        run_type=run_type,
        logical_date=logical_date,
        data_interval=(data_interval.start, data_interval.end) if data_interval else None,
        run_after=run_after,
        now=now,
        conf=conf,
        triggered_by=triggered_by,
        triggering_user=triggering_user,
        creating_job_id=creating_job_id,
        dag_hash=dag.hash,
        note=note,
        backfill_id=backfill_id,
        partition_key=partition_key,
        partition_date=partition_date,
    )
    tx.tis.create_many(ti_rows(dag, run_id, initial_task_instances(dag)), now=now)
    return run


def trigger_run(
    tx: Transaction,
    dag: SerializedDag,
    *,
    now: datetime,
    run_id: str | None = None,
    logical_date: datetime | None = None,
    data_interval: DataInterval | None = None,
    conf: dict[str, Any] | None = None,
    triggered_by: str = "cli",
    triggering_user: str | None = None,
    note: str | None = None,
    limits: RunLimits = RunLimits(),
    run_type: str = MANUAL,
    partition_key: str | None = None,
) -> RunRecord:
    """A manual run, as ``airflow dags trigger`` / ``POST /dagRuns`` / TriggerDagRunOperator.

    Nothing is written unless ``run_id``, ``conf``, the dates and ``partition_key`` (Airflow
    3.2+: the run's events carry it) are within ``limits`` (InvalidInputError) and ``conf``
    fits the DAG's params (ParamValidationError).
    """
    if partition_key is not None and not (isinstance(partition_key, str) and 0 < len(partition_key) <= 250):
        raise InvalidInputError(
            f"partition_key must be a string of 1 to 250 characters, not {partition_key!r}"
        )
    logical, data_interval = check_trigger(
        dag,
        now=now,
        run_id=run_id,
        logical_date=logical_date,
        data_interval=data_interval,
        conf=conf,
        limits=limits,
    )
    return create_run(
        tx,
        dag,
        run_id=run_id or run_id_for(run_type, logical),
        run_type=run_type,
        logical_date=logical,
        data_interval=data_interval,
        run_after=logical,
        now=now,
        conf=conf or {},
        triggered_by=triggered_by,
        triggering_user=triggering_user,
        note=note,
        partition_key=partition_key,
    )


def check_trigger(
    dag: SerializedDag,
    *,
    now: datetime,
    run_id: str | None = None,
    logical_date: datetime | None = None,
    data_interval: DataInterval | None = None,
    conf: dict[str, Any] | None = None,
    limits: RunLimits = RunLimits(),
) -> tuple[datetime, DataInterval]:
    """``trigger_run``'s checks, no transaction needed: the run's logical date and data
    interval, or the error it would raise.  Called once before a write transaction, it
    also imports what the checks need (jsonschema, the timetables: ~0.2 s in a fresh
    CLI), which would otherwise hold SQLite's write lock meanwhile."""
    dates = {"logical_date": logical_date}
    if data_interval is not None:
        dates.update(data_interval_start=data_interval.start, data_interval_end=data_interval.end)
    check_new_run(limits, run_id=run_id, conf=conf, dates=dates)
    validate_conf(dag, conf or {})
    logical = to_utc(logical_date) if logical_date is not None else to_utc(now)
    if data_interval is None:
        data_interval = timetable_from_dict(
            dag.timetable, registry=registered_timetables
        ).infer_manual_data_interval(run_after=logical)
    return logical, data_interval


def param_errors(params: dict[str, Any], conf: dict[str, Any]) -> dict[str, str]:
    """Problems of the run's params (DAG defaults overridden by ``conf``), by param name."""
    from brisa.sdk.params import schema_problem

    problems: dict[str, str] = {}
    for name, spec in params.items():
        if name in conf:
            value = conf[name]
        elif spec.get("has_value", True):
            value = spec.get("value")
        else:
            problems[name] = "No value passed and Param has no default value"
            continue
        problem = schema_problem(value, spec.get("schema") or {})
        if problem is not None:
            problems[name] = problem
    return problems


def validate_conf(dag: SerializedDag, conf: dict[str, Any]) -> None:
    """Raise ParamValidationError naming every param that ``conf`` leaves invalid.

    Each in Airflow's words (``Invalid input for param n: ...``, the 400 its trigger
    endpoints answer), where Airflow stops at the first: clients matching its message
    still match, and a user fixing a form sees every problem at once."""
    problems = param_errors(dag.params, conf)
    if problems:
        each = (f"Invalid input for param {name}: {message}" for name, message in sorted(problems.items()))
        raise ParamValidationError("; ".join(each))


def set_run_state(tx: Transaction, run: RunRecord, to: RunState, *, now: datetime) -> bool:
    """End a run (or mark it), stamping the dates Airflow stamps."""
    fields: dict[str, Any] = {"updated_at": now}
    if to.is_finished:
        fields["end_date"] = now
    if to == RunState.RUNNING:
        fields["start_date"] = now
        fields["end_date"] = None
    if to == RunState.QUEUED:
        fields.update(start_date=None, end_date=None, queued_at=now)
    return advance_run(tx, run.dag_id, run.run_id, run.state, to, **fields)


__all__ = ["create_run", "param_errors", "set_run_state", "ti_rows", "trigger_run", "validate_conf"]
