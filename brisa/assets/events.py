"""Recording asset events: a producing task's success, or a POST from outside.

An event on an asset is stored with its source, extra and partition key, resolves the
alias it was emitted through, and queues the asset for every active, unpaused DAG that
consumes it (directly or through an alias), as Airflow's ``AssetManager.register_asset_change``.

A consumer scheduled with ``PartitionedAssetTimetable`` is queued per partition key
instead (its mapper turns the event's key into its own): an event without a key is not
queued for it (logged), as in Airflow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from brisa.store.records import TaskKey
from brisa.store.repos.assets import AssetEventRecord
from brisa.store.sql import Transaction
from brisa.timetables.partition_mappers import PartitionKeyError, downstream_keys
from brisa.timetables.partitions import PartitionedAssetTimetable

log = logging.getLogger(__name__)


def register_asset_change(
    tx: Transaction,
    asset_id: int,
    *,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
    source: TaskKey | None = None,
    alias: str | None = None,
    partition_key: str | None = None,
) -> AssetEventRecord:
    """Store one event on ``asset_id`` and queue it for the asset's consumers."""
    if alias:
        tx.assets.resolve_alias(alias, asset_id)
    event = tx.assets.add_event(
        asset_id,
        timestamp=now,
        extra=extra,
        source_dag_id=source.dag_id if source else None,
        source_run_id=source.run_id if source else None,
        source_task_id=source.task_id if source else None,
        source_map_index=source.map_index if source else -1,
        source_alias=alias,
        partition_key=partition_key,
    )
    plain, partitioned = _waiting_consumers(tx, asset_id)
    tx.assets.queue(asset_id, plain, now=now)
    if partitioned:
        tx.partitions.queue(asset_id, event.id, _partition_targets(event, partitioned), now=now)
    return event


def _waiting_consumers(
    tx: Transaction, asset_id: int
) -> tuple[list[str], dict[str, PartitionedAssetTimetable]]:
    """Consumers that take events now: a paused or removed DAG misses them, as in Airflow.
    The plain ones, and the partitioned ones with their timetables."""
    dags = (tx.dags.get(dag_id) for dag_id in tx.assets.consumers(asset_id))
    plain: list[str] = []
    partitioned: dict[str, PartitionedAssetTimetable] = {}
    for dag in dags:
        if dag is None or not dag.is_active or dag.is_paused:
            continue
        # the summary tells partitioned consumers apart without reading every serialized DAG
        is_partitioned = dag.timetable_summary == PartitionedAssetTimetable.SUMMARY
        timetable = _partitioned_timetable(tx, dag.dag_id) if is_partitioned else None
        if timetable is None:
            plain.append(dag.dag_id)
        else:
            partitioned[dag.dag_id] = timetable
    return plain, partitioned


def _partitioned_timetable(tx: Transaction, dag_id: str) -> PartitionedAssetTimetable | None:
    serialized = tx.dags.serialized(dag_id)
    if serialized is None or serialized.timetable.get("type") != "PartitionedAssetTimetable":
        return None
    timetable = PartitionedAssetTimetable.deserialize(serialized.timetable)
    assert isinstance(timetable, PartitionedAssetTimetable)
    return timetable


def _partition_targets(
    event: AssetEventRecord, consumers: Mapping[str, PartitionedAssetTimetable]
) -> list[tuple[str, str]]:
    """(consumer, its partition key) for each key the consumers' mappers give the event's."""
    if event.partition_key is None:
        log.warning(
            "asset %s: event %s has no partition key; partitioned consumers %s do not get it",
            event.name,
            event.id,
            sorted(consumers),
        )
        return []
    targets: list[tuple[str, str]] = []
    for dag_id, timetable in sorted(consumers.items()):
        mapper = timetable.mapper_for(event.name, event.uri)
        try:
            targets.extend((dag_id, key) for key in downstream_keys(mapper, event.partition_key))
        except PartitionKeyError as exc:
            log.warning("DAG %s does not take asset event %s: %s", dag_id, event.id, exc)
    return targets


def record_task_asset_events(
    tx: Transaction, key: TaskKey, events: Iterable[Mapping[str, Any]], *, now: datetime
) -> list[AssetEventRecord]:
    """The events a successful try emitted (``Outcome.asset_events``): one per outlet
    asset, one per asset attached to an outlet alias; each with its run's partition key,
    or one per key the task named with ``add_partitions``."""
    run = tx.runs.get(key.dag_id, key.run_id)
    run_key = run.partition_key if run is not None else None
    recorded = []
    for event in events:
        asset_id = tx.assets.ensure(event["name"], event["uri"], group=event.get("group", "asset"), now=now)
        # add_partitions(): one event per key it named; else one with the run's key (or none).
        for partition_key in event.get("partition_keys") or [run_key]:
            recorded.append(
                register_asset_change(
                    tx,
                    asset_id,
                    now=now,
                    extra=event.get("extra"),
                    source=key,
                    alias=event.get("alias"),
                    partition_key=partition_key,
                )
            )
    return recorded


def asset_events_for(
    tx: Transaction,
    *,
    dag_id: str | None = None,
    run_id: str | None = None,
    name: str | None = None,
    uri: str | None = None,
    alias: str | None = None,
    limit: int = 10_000,
) -> list[dict[str, Any]]:
    """Events as plain dicts (what a task process receives): those that triggered a run,
    those emitted through an alias, or every event on the assets of that name and/or uri,
    oldest first."""
    if dag_id is not None and run_id is not None:
        events = tx.assets.events_of_run(dag_id, run_id)
    elif alias is not None:
        events = tx.assets.events(source_alias=alias, limit=limit, order_by="timestamp")[0]
    elif name is None and uri is None:
        events = []
    else:
        events = []
        for asset in tx.assets.find_by(name=name, uri=uri):
            events.extend(tx.assets.events(asset_id=asset.id, limit=limit)[0])
        events.sort(key=lambda e: (e.timestamp, e.id))
    return [{**asdict(e), "timestamp": e.timestamp.isoformat()} for e in events]


__all__ = ["asset_events_for", "record_task_asset_events", "register_asset_change"]
