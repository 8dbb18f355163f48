"""Asset-triggered runs: which consumer DAGs' conditions the queue meets (pure), then
creating each run exactly once.

Exactly once, with several schedulers: the run is created in the transaction that
deletes the queue rows it consumes, and only when that DELETE removed every row the
plan counted.  A second scheduler's DELETE of the same rows waits for the first to
commit (PostgreSQL row locks; SQLite has one writer) and removes none, so it creates
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brisa.plan.runs import run_id_for
from brisa.serialized import SerializedDag
from brisa.services.runs import create_run
from brisa.store.records import RunRecord
from brisa.store.repos.assets import AssetEventRecord, QueuedEvent
from brisa.store.sql import Store, Transaction
from brisa.timetables.asset_conditions import AssetKey, alias_names, asset_keys, evaluate
from brisa.timetables.base import DataInterval, to_utc

log = logging.getLogger(__name__)

RUN_TYPES = {"2": "dataset_triggered", "3": "asset_triggered"}
"""Each generation's run type (and run id prefix) for a run its assets triggered."""


@dataclass(frozen=True)
class AssetRunPlan:
    dag_id: str
    asset_ids: tuple[int, ...]
    """The queue rows the run consumes."""
    triggered_at: datetime
    """The newest of those rows: the run's ``run_after`` (and 2.x's logical date)."""


def plan_asset_runs(
    conditions: Mapping[str, Mapping[str, Any]],
    queued: Iterable[QueuedEvent],
    *,
    aliases: Mapping[str, Set[AssetKey]],
    paused: Set[str] = frozenset(),
) -> list[AssetRunPlan]:
    """A run for each unpaused DAG whose condition its queued assets meet."""
    by_dag: dict[str, list[QueuedEvent]] = {}
    for row in queued:
        by_dag.setdefault(row.target_dag_id, []).append(row)
    plans = []
    for dag_id, rows in sorted(by_dag.items()):
        condition = conditions.get(dag_id)
        if condition is None or dag_id in paused:
            continue
        if evaluate(condition, {r.key for r in rows}, aliases):
            plans.append(
                AssetRunPlan(dag_id, tuple(sorted(r.asset_id for r in rows)), max(r.created_at for r in rows))
            )
    return plans


def data_interval_for_events(triggered_at: datetime, events: list[AssetEventRecord]) -> DataInterval:
    """Airflow 2.x's data interval of a dataset-triggered run: from the first to the last
    event (their timestamps); no event: the trigger instant."""
    if not events:
        return DataInterval(to_utc(triggered_at), to_utc(triggered_at))
    return DataInterval(to_utc(min(e.timestamp for e in events)), to_utc(max(e.timestamp for e in events)))


class QueueTaken(Exception):
    """Another scheduler consumed the queue rows first: roll this run's transaction back
    (the asset step's and the partitioned step's)."""


def create_asset_triggered_runs(
    store: Store,
    dags: Mapping[str, SerializedDag],
    *,
    paused: Set[str],
    now: datetime,
    job_id: int | None = None,
) -> list[RunRecord]:
    """The scheduler's step: one transaction per DAG whose assets are ready."""
    conditions = {
        d: dag.asset_condition
        for d, dag in dags.items()
        if dag.asset_condition is not None
        and not dag.is_partitioned_consumer  # brisa/scheduler/partitions.py
    }
    if not conditions:
        return []  # no DAG scheduled on (unpartitioned) assets: no read (this runs every tick)
    with store.transaction(readonly=True) as tx:
        queued = tx.assets.queued()
        if not queued:
            return []
        aliases = tx.assets.alias_map()
    created = []
    for plan in plan_asset_runs(conditions, queued, aliases=aliases, paused=paused):
        try:
            with store.transaction() as tx:
                created.append(_create(tx, dags[plan.dag_id], plan, now=now, job_id=job_id))
        except QueueTaken:
            log.info("DAG %s: another scheduler created the asset-triggered run", plan.dag_id)
    return created


def _create(
    tx: Transaction, dag: SerializedDag, plan: AssetRunPlan, *, now: datetime, job_id: int | None
) -> RunRecord:
    if tx.assets.take_queue(dag.dag_id, plan.asset_ids, up_to=plan.triggered_at) != len(plan.asset_ids):
        raise QueueTaken
    run_type = RUN_TYPES.get(dag.generation, "asset_triggered")
    previous = tx.assets.last_triggered_run_after(dag.dag_id, tuple(RUN_TYPES.values()))
    events = tx.assets.events_between(
        _schedule_asset_ids(tx, dag, plan), after=previous, up_to=plan.triggered_at
    )
    generation_2 = dag.generation == "2"
    run = create_run(
        tx,
        dag,
        run_id=run_id_for(run_type, plan.triggered_at),
        run_type=run_type,
        logical_date=plan.triggered_at if generation_2 else None,
        data_interval=data_interval_for_events(plan.triggered_at, events) if generation_2 else None,
        run_after=plan.triggered_at,
        now=now,
        triggered_by="asset",
        creating_job_id=job_id,
    )
    tx.assets.link_run(run.id, [e.id for e in events])
    return run


def _schedule_asset_ids(tx: Transaction, dag: SerializedDag, plan: AssetRunPlan) -> set[int]:
    """The assets whose events the run consumes: those its condition names (directly or
    through an alias) and those of the queue rows it took."""
    ids = set(plan.asset_ids)
    for name, uri in asset_keys(dag.asset_condition):
        record = tx.assets.find(name, uri)
        if record is not None:
            ids.add(record.id)
    wanted = alias_names(dag.asset_condition)
    for alias, keys in tx.assets.alias_map().items():
        if alias in wanted:
            ids.update(r.id for r in (tx.assets.find(*k) for k in keys) if r is not None)
    return ids


__all__ = [
    "RUN_TYPES",
    "AssetRunPlan",
    "QueueTaken",
    "create_asset_triggered_runs",
    "data_interval_for_events",
    "plan_asset_runs",
]
