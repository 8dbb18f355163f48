"""The queue of partitioned asset events each ``PartitionedAssetTimetable`` consumer waits
for (Airflow 3.2+'s ``PartitionedAssetKeyLog``/``AssetPartitionDagRun``, one table here).

One row per (event, consumer): the consumer's partition key (the event's key after the
consumer's partition mapper) and the asset. A run for a key is created in the transaction
that deletes the rows it consumes, by id; :meth:`PartitionRepo.take` returns how many it
deleted, so a second scheduler that planned the same run deletes none and creates nothing
(the same compare-and-set as :meth:`AssetRepo.take_queue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from brisa.store import schema as s
from brisa.store.changes import notify


@dataclass(frozen=True)
class QueuedPartition:
    id: int
    target_dag_id: str
    partition_key: str
    asset_id: int
    name: str
    uri: str
    event_id: int
    created_at: datetime
    source_key: str | None = None
    """The event's own partition key (a rollup counts which upstream keys arrived)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.uri)


class PartitionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def queue(
        self, asset_id: int, event_id: int, targets: Iterable[tuple[str, str]], *, now: datetime
    ) -> None:
        """Queue the event for each (consumer DAG, its partition key)."""
        rows = [
            {
                "target_dag_id": dag_id,
                "partition_key": key,
                "asset_id": asset_id,
                "event_id": event_id,
                "created_at": now,
            }
            for dag_id, key in sorted(set(targets))
        ]
        if rows:
            self.conn.execute(s.asset_partition_queue.insert(), rows)
            notify(self.conn)  # a scheduler in another process hears of it at commit

    def queued(self, target_dag_id: str | None = None) -> list[QueuedPartition]:
        q = s.asset_partition_queue.c
        query = (
            sa.select(
                q.id,
                q.target_dag_id,
                q.partition_key,
                q.asset_id,
                s.asset.c.name,
                s.asset.c.uri,
                q.event_id,
                q.created_at,
                s.asset_event.c.partition_key.label("source_key"),
            )
            .join(s.asset, s.asset.c.id == q.asset_id)
            .join(s.asset_event, s.asset_event.c.id == q.event_id)
            .order_by(q.target_dag_id, q.partition_key, q.id)
        )
        if target_dag_id is not None:
            query = query.where(q.target_dag_id == target_dag_id)
        return [QueuedPartition(**r._mapping) for r in self.conn.execute(query)]

    def take(self, row_ids: Iterable[int]) -> int:
        """Delete the rows; how many this transaction deleted (fewer: another scheduler won)."""
        ids = sorted(set(row_ids))
        result = self.conn.execute(
            s.asset_partition_queue.delete().where(s.asset_partition_queue.c.id.in_(ids))
        )
        return int(result.rowcount)


__all__ = ["PartitionRepo", "QueuedPartition"]
