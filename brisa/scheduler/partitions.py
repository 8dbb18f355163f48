"""Partitioned asset-triggered runs (Airflow 3.2+'s ``PartitionedAssetTimetable``): which
(consumer, partition key) pairs the partition queue satisfies (pure), then creating each
run exactly once.

A consumer's events are queued under its own partition key (the event's key through the
consumer's mapper, brisa/assets/events.py); a run is due for a key once the assets with
events under that key meet the consumer's condition (an asset with a ``RollupMapper``
counts once its wait policy is met by the upstream keys that arrived). Events under other
keys wait.

Exactly once, with several schedulers: the run is created in the transaction that deletes
the queue rows it consumes (by id), and only when that DELETE removed every row the plan
counted; a second scheduler's DELETE of the same rows waits for the first to commit
(PostgreSQL row locks; SQLite has one writer) and removes none, so it creates nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime

from brisa.plan.runs import run_id_for
from brisa.scheduler.assets import RUN_TYPES, QueueTaken
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run
from brisa.store.records import RunRecord
from brisa.store.repos.partitions import QueuedPartition
from brisa.store.sql import Store, Transaction
from brisa.timetables.asset_conditions import AssetKey, evaluate
from brisa.timetables.partition_mappers import RollupMapper
from brisa.timetables.partitions import PartitionedAssetTimetable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionRunPlan:
    dag_id: str
    partition_key: str
    row_ids: tuple[int, ...]
    """The queue rows the run consumes."""
    event_ids: tuple[int, ...]
    first_asset: AssetKey
    """The asset of the oldest row: its mapper tells the run's partition date."""
    triggered_at: datetime
    """The newest of those rows: the run's ``run_after``."""


def plan_partition_runs(
    timetables: Mapping[str, PartitionedAssetTimetable],
    queued: Iterable[QueuedPartition],
    *,
    aliases: Mapping[str, Set[AssetKey]],
    paused: Set[str] = frozenset(),
) -> list[PartitionRunPlan]:
    """A run for each (unpaused DAG, partition key) whose queued assets meet its condition."""
    by_key: dict[tuple[str, str], list[QueuedPartition]] = {}
    for row in queued:
        by_key.setdefault((row.target_dag_id, row.partition_key), []).append(row)
    plans = []
    for (dag_id, key), rows in sorted(by_key.items()):
        timetable = timetables.get(dag_id)
        if timetable is None or dag_id in paused:
            continue
        if not evaluate(timetable.condition, _complete_assets(timetable, key, rows), aliases):
            continue
        rows.sort(key=lambda r: r.id)
        plans.append(
            PartitionRunPlan(
                dag_id,
                key,
                tuple(r.id for r in rows),
                tuple(sorted({r.event_id for r in rows})),
                rows[0].key,
                max(r.created_at for r in rows),
            )
        )
    return plans


def _complete_assets(
    timetable: PartitionedAssetTimetable, key: str, rows: Iterable[QueuedPartition]
) -> set[AssetKey]:
    """The assets updated under ``key``: any event counts, but a rollup's asset only once
    its wait policy is met by the upstream keys that arrived."""
    arrived: dict[AssetKey, set[str]] = {}
    for row in rows:
        arrived.setdefault(row.key, set()).add(row.source_key or "")
    complete = set()
    for asset, keys in arrived.items():
        mapper = timetable.mapper_for(*asset)
        if not isinstance(mapper, RollupMapper) or mapper.is_complete(key, keys):
            complete.add(asset)
    return complete


def partition_run_id(run_type: str, triggered_at: datetime, partition_key: str) -> str:
    """Airflow's asset-triggered run id with the key after it (two keys' runs may be
    due at the same instant)."""
    return f"{run_id_for(run_type, triggered_at)}__{partition_key}"


def _timetable(dag: SerializedDag) -> PartitionedAssetTimetable:
    timetable = PartitionedAssetTimetable.deserialize(dag.timetable)
    assert isinstance(timetable, PartitionedAssetTimetable)
    return timetable


def create_partitioned_asset_runs(
    store: Store,
    dags: Mapping[str, SerializedDag],
    *,
    paused: Set[str],
    now: datetime,
    job_id: int | None = None,
) -> list[RunRecord]:
    """The scheduler's step: one transaction per (DAG, partition key) that is ready."""
    timetables = {d: _timetable(dag) for d, dag in dags.items() if dag.is_partitioned_consumer}
    if not timetables:
        return []  # no partitioned consumer: no read (this runs every tick)
    with store.transaction(readonly=True) as tx:
        queued = tx.partitions.queued()
        if not queued:
            return []
        aliases = tx.assets.alias_map()
    created = []
    for plan in plan_partition_runs(timetables, queued, aliases=aliases, paused=paused):
        try:
            with store.transaction() as tx:
                created.append(_create(tx, dags[plan.dag_id], plan, now=now, job_id=job_id))
        except QueueTaken:
            log.info(
                "DAG %s: another scheduler created the run of partition %s", plan.dag_id, plan.partition_key
            )
    return created


def _create(
    tx: Transaction, dag: SerializedDag, plan: PartitionRunPlan, *, now: datetime, job_id: int | None
) -> RunRecord:
    if tx.partitions.take(plan.row_ids) != len(plan.row_ids):
        raise QueueTaken
    timetable = _timetable(dag)
    run_type = RUN_TYPES["3"]
    run = create_run(
        tx,
        dag,
        run_id=partition_run_id(run_type, plan.triggered_at, plan.partition_key),
        run_type=run_type,
        logical_date=None,
        data_interval=None,
        run_after=plan.triggered_at,
        now=now,
        triggered_by="asset",
        creating_job_id=job_id,
        partition_key=plan.partition_key,
        partition_date=timetable.mapper_for(*plan.first_asset).to_partition_date(plan.partition_key),
    )
    tx.assets.link_run(run.id, plan.event_ids)
    return run


__all__ = ["PartitionRunPlan", "create_partitioned_asset_runs", "partition_run_id", "plan_partition_runs"]
