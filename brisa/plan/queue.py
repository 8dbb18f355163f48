"""Which scheduled tries to hand to the executor now: limits checked in order of priority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from brisa.serialized import SerializedDag
from brisa.store.records import TiRecord
from brisa.store.repos.tis import ActiveCounts

UNLIMITED = -1
"""A pool's slots when it has no limit (as in Airflow)."""


@dataclass(frozen=True)
class Limits:
    executor_slots: int
    pool_slots: Mapping[str, int]
    default_max_active_tasks: int = 16


def select_for_queue(
    candidates: Sequence[TiRecord],
    *,
    dags: Mapping[str, SerializedDag],
    counts: ActiveCounts,
    limits: Limits,
) -> list[TiRecord]:
    """Tries to queue now; ``counts`` is updated as if they were queued."""
    chosen: list[TiRecord] = []
    for ti in sorted(candidates, key=lambda t: (-t.priority_weight, t.updated_at or t.start_date or 0, t.id)):
        if len(chosen) >= limits.executor_slots:
            break
        dag = dags.get(ti.dag_id)
        if dag is None or not _fits(ti, dag, counts, limits):
            continue
        counts.add(ti.dag_id, ti.run_id, ti.task_id, ti.pool, ti.pool_slots)
        chosen.append(ti)
    return chosen


def _fits(ti: TiRecord, dag: SerializedDag, counts: ActiveCounts, limits: Limits) -> bool:
    if counts.by_dag.get(ti.dag_id, 0) >= (dag.max_active_tasks or limits.default_max_active_tasks):
        return False
    if not _pool_fits(ti, counts, limits):
        return False
    task = dag.tasks.get(ti.task_id)
    if task is None:
        return False
    if (
        task.max_active_tis_per_dag is not None
        and counts.by_task.get((ti.dag_id, ti.task_id), 0) >= task.max_active_tis_per_dag
    ):
        return False
    per_run = task.max_active_tis_per_dagrun
    return per_run is None or counts.by_run_task.get((ti.dag_id, ti.run_id, ti.task_id), 0) < per_run


def missing_pool_message(pool: str) -> str:
    """Why a try of a pool that does not exist waits (the scheduler logs it, deps show it)."""
    return (
        f"pool {pool!r} does not exist: the task waits until it is created "
        f"(brisa pools set {pool} SLOTS DESCRIPTION)"
    )


def _pool_fits(ti: TiRecord, counts: ActiveCounts, limits: Limits) -> bool:
    """A missing pool never fits (``MissingPools`` says so in the task's log); -1 is unlimited."""
    pool_size = limits.pool_slots.get(ti.pool)
    if pool_size is None:
        return False
    return pool_size == UNLIMITED or counts.by_pool.get(ti.pool, 0) + ti.pool_slots <= pool_size


__all__ = ["UNLIMITED", "Limits", "missing_pool_message", "select_for_queue"]
