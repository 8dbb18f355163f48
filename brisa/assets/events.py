"""Recording asset events: a producing task's success, or a POST from outside.

An event on an asset is stored with its source and extra, resolves the alias it was
emitted through, and queues the asset for every active, unpaused DAG that consumes it
(directly or through an alias), as Airflow's ``AssetManager.register_asset_change``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from brisa.store.records import TaskKey
from brisa.store.repos.assets import AssetEventRecord
from brisa.store.sql import Transaction


def register_asset_change(
    tx: Transaction,
    asset_id: int,
    *,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
    source: TaskKey | None = None,
    alias: str | None = None,
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
    )
    tx.assets.queue(asset_id, _waiting_consumers(tx, asset_id), now=now)
    return event


def _waiting_consumers(tx: Transaction, asset_id: int) -> list[str]:
    """Consumers that take events now: a paused or removed DAG misses them, as in Airflow."""
    dags = (tx.dags.get(dag_id) for dag_id in tx.assets.consumers(asset_id))
    return [d.dag_id for d in dags if d is not None and d.is_active and not d.is_paused]


def record_task_asset_events(
    tx: Transaction, key: TaskKey, events: Iterable[Mapping[str, Any]], *, now: datetime
) -> list[AssetEventRecord]:
    """The events a successful try emitted (``Outcome.asset_events``): one per outlet
    asset, one per asset attached to an outlet alias."""
    recorded = []
    for event in events:
        asset_id = tx.assets.ensure(event["name"], event["uri"], group=event.get("group", "asset"), now=now)
        recorded.append(
            register_asset_change(
                tx, asset_id, now=now, extra=event.get("extra"), source=key, alias=event.get("alias")
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
