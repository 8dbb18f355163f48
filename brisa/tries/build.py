"""The one builder of a workload, from what the scheduler reads: serialized DAG and store.

The scheduler queues with it, ``brisa tasks test``/``render`` run with it; none of them
loads the DAG file for it (the task's retry settings and timeout are serialized).
"""

from __future__ import annotations

from typing import Any

from brisa.serialized import SerializedDag, SerializedTask
from brisa.states import RunState
from brisa.store.records import TaskKey, TiRecord
from brisa.tries.retry import RetryPolicy
from brisa.tries.workload import RunContext, Workload


def build_workload(
    dag: SerializedDag,
    key: TaskKey,
    run: RunContext,
    *,
    try_number: int,
    max_tries: int,
    ti: TiRecord | None = None,
    dag_hash: str | None = None,
) -> Workload:
    """Try ``try_number`` of ``key``; where it queues, its sensor's start and a deferred
    try's resume come from ``ti`` (a try run outside the scheduler has none: the defaults
    then)."""
    task = dag.tasks[key.task_id]
    placement: dict[str, Any] = {}
    if ti is not None:
        placement = {
            "queue": ti.queue,
            "pool": ti.pool,
            "priority_weight": ti.priority_weight,
            "sensor_started_at": ti.sensor_started_at,
            # A deferred try resumed: the method its trigger's event goes to.
            "next_method": ti.next_method,
            "next_kwargs": ti.next_kwargs,
        }
    return Workload(
        key=key,
        try_number=try_number,
        max_tries=max_tries,
        fileloc=dag.fileloc,
        run=run,
        generation=dag.generation,
        dag_hash=dag_hash,
        retry=retry_policy(task),
        execution_timeout=task.execution_timeout,
        **placement,
    )


def retry_policy(task: SerializedTask) -> RetryPolicy:
    return RetryPolicy(task.retry_delay, task.retry_exponential_backoff, task.max_retry_delay)


def run_context(tx: Any, dag_id: str, run_id: str) -> RunContext:
    """What a try needs of its run, with Airflow's ``prev_*_success`` of the last
    successful run before it (``tx``: a store transaction)."""
    run = tx.runs.require(dag_id, run_id)
    prev = tx.runs.previous(dag_id, run.logical_date, state=RunState.SUCCESS) if run.logical_date else None
    return RunContext(
        run_id=run.run_id,
        run_type=run.run_type,
        logical_date=run.logical_date,
        data_interval_start=run.data_interval_start,
        data_interval_end=run.data_interval_end,
        run_after=run.run_after,
        start_date=run.start_date,
        conf=run.conf,
        triggered_by=run.triggered_by,
        clear_number=run.clear_number,
        prev_data_interval_start_success=prev.data_interval_start if prev else None,
        prev_data_interval_end_success=prev.data_interval_end if prev else None,
        prev_start_date_success=prev.start_date if prev else None,
        prev_end_date_success=prev.end_date if prev else None,
        prev_logical_date_success=prev.logical_date if prev else None,
        partition_key=run.partition_key,
        partition_date=run.partition_date,
    )


__all__ = ["build_workload", "retry_policy", "run_context"]
