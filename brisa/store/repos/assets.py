"""Assets, aliases, asset events, the DAG/task references to them, and the queue of
events each consumer DAG waits for (Airflow 3's ``asset_dag_run_queue``).

A 2.x dataset is an asset whose name is its uri.  Creating an asset or alias that two
writers race to create is an insert that ignores the conflict, then a read: both get the
one row.  The queue is consumed with :meth:`AssetRepo.take_queue`, a DELETE whose row
count tells the caller whether it won the rows (on PostgreSQL a second scheduler's DELETE
waits for the first to commit, then deletes nothing).
"""

from __future__ import annotations

import builtins  # in annotations after the repo's list() method, `list` names that method
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.serialized import SerializedDag
from brisa.store import schema as s
from brisa.store.changes import notify
from brisa.store.repos._common import order_by_clause
from brisa.store.repos.triggers import Cipher, TriggerRepo, WatcherSpec
from brisa.timetables.asset_conditions import leaves

AssetKey = tuple[str, str]
"""(name, uri)"""


@dataclass(frozen=True)
class AssetRecord:
    id: int
    name: str
    uri: str
    group: str
    extra: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def key(self) -> AssetKey:
        return (self.name, self.uri)


@dataclass(frozen=True)
class AssetEventRecord:
    id: int
    asset_id: int
    name: str
    uri: str
    group: str
    extra: dict[str, Any]
    source_dag_id: str | None
    source_run_id: str | None
    source_task_id: str | None
    source_map_index: int | None
    source_alias: str | None
    timestamp: datetime
    partition_key: str | None = None


@dataclass(frozen=True)
class QueuedEvent:
    target_dag_id: str
    asset_id: int
    name: str
    uri: str
    created_at: datetime

    @property
    def key(self) -> AssetKey:
        return (self.name, self.uri)


_EVENT_COLUMNS = (
    s.asset_event.c.id,
    s.asset_event.c.asset_id,
    s.asset.c.name,
    s.asset.c.uri,
    s.asset.c.group,
    s.asset_event.c.extra,
    s.asset_event.c.source_dag_id,
    s.asset_event.c.source_run_id,
    s.asset_event.c.source_task_id,
    s.asset_event.c.source_map_index,
    s.asset_event.c.source_alias,
    s.asset_event.c.timestamp,
    s.asset_event.c.partition_key,
)
EVENT_ORDERING = ("id", "timestamp", "source_dag_id", "source_run_id", "source_task_id", "asset_id")
ASSET_ORDERING = ("id", "name", "uri", "created_at", "updated_at")


def _triple(leaf: Mapping[str, Any]) -> tuple[str, str, str]:
    asset = leaf["asset"]
    return (asset["name"], asset["uri"], asset.get("group", "asset"))


def _inlet_asset_id(
    inlet: Mapping[str, Any],
    assets: Mapping[AssetKey, int],
    by_name: Mapping[str, int],
    by_uri: Mapping[str, int],
) -> int | None:
    """Which of the assets a serialized inlet (``asset`` or ``asset_ref``) names, if any."""
    if "asset" in inlet:
        return assets.get((inlet["asset"]["name"], inlet["asset"]["uri"]))
    ref = inlet.get("asset_ref") or {}
    return by_name.get(ref["name"]) if "name" in ref else by_uri.get(ref.get("uri", ""))


def _asset(row: Any) -> AssetRecord:
    m = row._mapping
    return AssetRecord(
        id=m["id"],
        name=m["name"],
        uri=m["uri"],
        group=m["group"],
        extra=json.loads(m["extra"] or "{}"),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _event(row: Any) -> AssetEventRecord:
    m = dict(row._mapping)
    m["extra"] = json.loads(m["extra"] or "{}")
    return AssetEventRecord(**m)


class AssetRepo:
    def __init__(self, conn: sa.Connection, *, cipher: Cipher | None = None) -> None:
        self.conn = conn
        self.triggers = TriggerRepo(conn, cipher=cipher)
        """Where the asset watchers' triggers live."""

    def _insert_ignoring_conflict(self, table: sa.Table, **values: Any) -> None:
        # Imported here: the PostgreSQL dialect costs every CLI command ~15 ms to import.
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        self.conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())

    # -- assets and aliases --------------------------------------------------------------
    def ensure(
        self,
        name: str,
        uri: str,
        *,
        now: datetime,
        group: str = "asset",
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """The id of asset (name, uri), created when new."""
        found = self._id_of(name, uri)
        if found is not None:
            return found
        self._insert_ignoring_conflict(
            s.asset,
            name=name,
            uri=uri,
            group=group,
            extra=json.dumps(dict(extra or {})),
            created_at=now,
            updated_at=now,
        )
        return self._id_of(name, uri)  # type: ignore[return-value]

    def _id_of(self, name: str, uri: str) -> int | None:
        return self.conn.execute(
            sa.select(s.asset.c.id).where(s.asset.c.name == name, s.asset.c.uri == uri)
        ).scalar()

    def ensure_alias(self, name: str, *, group: str = "asset") -> int:
        found = self.conn.execute(sa.select(s.asset_alias.c.id).where(s.asset_alias.c.name == name)).scalar()
        if found is not None:
            return int(found)
        self._insert_ignoring_conflict(s.asset_alias, name=name, group=group)
        return int(
            self.conn.execute(sa.select(s.asset_alias.c.id).where(s.asset_alias.c.name == name)).scalar_one()
        )

    def resolve_alias(self, alias_name: str, asset_id: int) -> None:
        """Record that ``alias_name`` now also stands for asset ``asset_id``."""
        alias_id = self.ensure_alias(alias_name)
        self._insert_ignoring_conflict(s.asset_alias_asset, alias_id=alias_id, asset_id=asset_id)

    def alias_map(self) -> dict[str, set[AssetKey]]:
        """Every alias name -> the (name, uri) of the assets it has resolved to."""
        rows = self.conn.execute(
            sa.select(s.asset_alias.c.name, s.asset.c.name.label("asset_name"), s.asset.c.uri)
            .select_from(s.asset_alias)
            .join(s.asset_alias_asset, s.asset_alias_asset.c.alias_id == s.asset_alias.c.id)
            .join(s.asset, s.asset.c.id == s.asset_alias_asset.c.asset_id)
        )
        result: dict[str, set[AssetKey]] = {}
        for row in rows:
            result.setdefault(row.name, set()).add((row.asset_name, row.uri))
        return result

    def get(self, asset_id: int) -> AssetRecord | None:
        row = self.conn.execute(sa.select(s.asset).where(s.asset.c.id == asset_id)).first()
        return _asset(row) if row else None

    def find(self, name: str, uri: str) -> AssetRecord | None:
        row = self.conn.execute(
            sa.select(s.asset).where(s.asset.c.name == name, s.asset.c.uri == uri)
        ).first()
        return _asset(row) if row else None

    def find_by(self, *, name: str | None = None, uri: str | None = None) -> list[AssetRecord]:
        query = sa.select(s.asset).order_by(s.asset.c.id)
        if name is not None:
            query = query.where(s.asset.c.name == name)
        if uri is not None:
            query = query.where(s.asset.c.uri == uri)
        return [_asset(r) for r in self.conn.execute(query)]

    def list(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        name_pattern: str | None = None,
        uri_pattern: str | None = None,
        dag_ids: Iterable[str] = (),
        order_by: str = "id",
    ) -> tuple[builtins.list[AssetRecord], int]:
        """A page of assets and how many match; ``dag_ids`` keeps those the DAGs produce or consume."""
        query = sa.select(s.asset)
        if name_pattern:
            query = query.where(s.asset.c.name.contains(name_pattern, autoescape=True))
        if uri_pattern:
            query = query.where(s.asset.c.uri.contains(uri_pattern, autoescape=True))
        if dag_ids := list(dag_ids):
            consumed = sa.select(s.dag_schedule_asset_reference.c.asset_id).where(
                s.dag_schedule_asset_reference.c.dag_id.in_(dag_ids)
            )
            produced = sa.select(s.task_outlet_asset_reference.c.asset_id).where(
                s.task_outlet_asset_reference.c.dag_id.in_(dag_ids)
            )
            query = query.where(sa.or_(s.asset.c.id.in_(consumed), s.asset.c.id.in_(produced)))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        ordered = query.order_by(*order_by_clause(s.asset, order_by, ASSET_ORDERING), s.asset.c.id)
        rows = self.conn.execute(ordered.limit(limit).offset(offset))
        return [_asset(r) for r in rows], int(total)

    def aliases(self) -> builtins.list[tuple[int, str, str]]:
        """(id, name, group) of every alias."""
        rows = self.conn.execute(
            sa.select(s.asset_alias.c.id, s.asset_alias.c.name, s.asset_alias.c.group).order_by(
                s.asset_alias.c.id
            )
        )
        return [(r.id, r.name, r.group) for r in rows]

    # -- references ---------------------------------------------------------------------------
    def sync_dag(
        self,
        dag_id: str,
        *,
        schedule: Iterable[tuple[str, str, str]],
        schedule_aliases: Iterable[tuple[str, str]],
        outlets: Mapping[str, Iterable[tuple[str, str, str]]],
        now: datetime,
    ) -> None:
        """Replace the DAG's references: assets (name, uri, group) and aliases (name, group)
        its schedule names, and the assets each task has as outlets."""
        self._drop_references(dag_id)
        for name, uri, group in set(schedule):
            asset_id = self.ensure(name, uri, group=group, now=now)
            self.conn.execute(
                s.dag_schedule_asset_reference.insert().values(
                    asset_id=asset_id, dag_id=dag_id, created_at=now
                )
            )
        for name, group in set(schedule_aliases):
            alias_id = self.ensure_alias(name, group=group)
            self.conn.execute(
                s.dag_schedule_asset_alias_reference.insert().values(
                    alias_id=alias_id, dag_id=dag_id, created_at=now
                )
            )
        for task_id, assets in outlets.items():
            for name, uri, group in set(assets):
                asset_id = self.ensure(name, uri, group=group, now=now)
                self.conn.execute(
                    s.task_outlet_asset_reference.insert().values(
                        asset_id=asset_id, dag_id=dag_id, task_id=task_id, created_at=now
                    )
                )

    def sync_serialized(self, dag: SerializedDag, *, now: datetime) -> None:
        """:meth:`sync_dag` from a freshly parsed DAG's schedule and task outlets."""
        schedule = list(leaves(dag.asset_condition))
        outlets = {t.task_id: [o for o in t.outlets if "asset" in o] for t in dag.tasks.values()}
        referenced = [self.find_by(**leaf["asset_ref"]) for leaf in schedule if "asset_ref" in leaf]
        self.sync_dag(
            dag.dag_id,
            # Asset.ref(name=...) stands for the assets known by then, as Airflow resolves it
            schedule=[_triple(leaf) for leaf in schedule if "asset" in leaf]
            + [(a.name, a.uri, a.group) for found in referenced for a in found],
            schedule_aliases=[
                (a["alias"]["name"], a["alias"].get("group", "asset")) for a in schedule if "alias" in a
            ],
            outlets={task_id: [_triple(o) for o in assets] for task_id, assets in outlets.items() if assets},
            now=now,
        )
        self._sync_watchers([leaf["asset"] for leaf in schedule if "asset" in leaf], now=now)

    def _sync_watchers(self, assets: Iterable[Mapping[str, Any]], *, now: datetime) -> None:
        """The watchers of the assets the DAG is scheduled on become theirs (the DAG parsed
        last wins, as in Airflow); assets no DAG is scheduled on any more lose theirs."""
        for asset in assets:
            specs = [WatcherSpec(w["name"], w["classpath"], w["kwargs"]) for w in asset.get("watchers", ())]
            asset_id = self.ensure(asset["name"], asset["uri"], group=asset.get("group", "asset"), now=now)
            self.triggers.set_watchers(asset_id, specs, now=now)
        self.triggers.drop_orphan_watchers()

    def _drop_references(self, dag_id: str) -> None:
        for table in (
            s.dag_schedule_asset_reference,
            s.dag_schedule_asset_alias_reference,
            s.task_outlet_asset_reference,
        ):
            self.conn.execute(table.delete().where(table.c.dag_id == dag_id))

    def forget_dag(self, dag_id: str) -> None:
        """A deleted DAG neither consumes nor produces; its queued rows go too."""
        self._drop_references(dag_id)
        for queue in (s.asset_dag_run_queue, s.asset_partition_queue):
            self.conn.execute(queue.delete().where(queue.c.target_dag_id == dag_id))
        self.triggers.drop_orphan_watchers()

    def consumers(self, asset_id: int) -> builtins.list[str]:
        """DAGs whose schedule names the asset, directly or through an alias resolved to it."""
        direct = sa.select(s.dag_schedule_asset_reference.c.dag_id).where(
            s.dag_schedule_asset_reference.c.asset_id == asset_id
        )
        via_alias = (
            sa.select(s.dag_schedule_asset_alias_reference.c.dag_id)
            .join(
                s.asset_alias_asset,
                s.asset_alias_asset.c.alias_id == s.dag_schedule_asset_alias_reference.c.alias_id,
            )
            .where(s.asset_alias_asset.c.asset_id == asset_id)
        )
        return sorted({row[0] for row in self.conn.execute(sa.union(direct, via_alias))})

    def producers(self, asset_id: int) -> builtins.list[tuple[str, str]]:
        """(dag_id, task_id) of the tasks that have the asset as an outlet."""
        rows = self.conn.execute(
            sa.select(s.task_outlet_asset_reference.c.dag_id, s.task_outlet_asset_reference.c.task_id)
            .where(s.task_outlet_asset_reference.c.asset_id == asset_id)
            .order_by(s.task_outlet_asset_reference.c.dag_id, s.task_outlet_asset_reference.c.task_id)
        )
        return [(r.dag_id, r.task_id) for r in rows]

    def references(self) -> tuple[builtins.list[tuple[int, str]], builtins.list[tuple[int, str, str]]]:
        """All (asset_id, consumer dag_id) and (asset_id, producer dag_id, task_id) pairs."""
        consumed = self.conn.execute(
            sa.select(s.dag_schedule_asset_reference.c.asset_id, s.dag_schedule_asset_reference.c.dag_id)
        )
        produced = self.conn.execute(
            sa.select(
                s.task_outlet_asset_reference.c.asset_id,
                s.task_outlet_asset_reference.c.dag_id,
                s.task_outlet_asset_reference.c.task_id,
            )
        )
        return [tuple(r) for r in consumed], [tuple(r) for r in produced]  # type: ignore[misc]

    # -- what the API and UI show with each asset --------------------------------------------------
    def details(self, asset_ids: Iterable[int]) -> dict[int, dict[str, builtins.list[Any]]]:
        """Per asset: ``scheduled_dags`` (dag_id, created_at), ``producing_tasks`` and
        ``consuming_tasks`` (dag_id, task_id, created_at), ``aliases`` (id, name, group),
        ``watchers`` (name, trigger_id, created_date), ``last_event`` (id, timestamp)."""
        ids = list(asset_ids)
        keys = ("scheduled_dags", "producing_tasks", "consuming_tasks", "aliases", "watchers", "last_event")
        out: dict[int, dict[str, builtins.list[Any]]] = {i: {k: [] for k in keys} for i in ids}
        if not ids:
            return out
        for asset_id, task in self._consuming_tasks(ids):
            out[asset_id]["consuming_tasks"].append(task)
        w, t = s.asset_watcher.c, s.trigger.c
        for watcher in self.conn.execute(
            sa.select(w.asset_id, w.name, w.trigger_id, t.created_date)
            .join(s.trigger, t.id == w.trigger_id)
            .where(w.asset_id.in_(ids))
            .order_by(w.name, w.trigger_id)
        ):
            out[watcher.asset_id]["watchers"].append((watcher.name, watcher.trigger_id, watcher.created_date))
        ref = s.dag_schedule_asset_reference.c
        for r in self.conn.execute(
            sa.select(ref.asset_id, ref.dag_id, ref.created_at)
            .where(ref.asset_id.in_(ids))
            .order_by(ref.dag_id)
        ):
            out[r.asset_id]["scheduled_dags"].append((r.dag_id, r.created_at))
        out_ref = s.task_outlet_asset_reference.c
        for task_row in self.conn.execute(
            sa.select(out_ref.asset_id, out_ref.dag_id, out_ref.task_id, out_ref.created_at)
            .where(out_ref.asset_id.in_(ids))
            .order_by(out_ref.dag_id, out_ref.task_id)
        ):
            out[task_row.asset_id]["producing_tasks"].append(
                (task_row.dag_id, task_row.task_id, task_row.created_at)
            )
        link = s.asset_alias_asset.c
        for alias_row in self.conn.execute(
            sa.select(link.asset_id, s.asset_alias.c.id, s.asset_alias.c.name, s.asset_alias.c.group)
            .join(s.asset_alias, s.asset_alias.c.id == link.alias_id)
            .where(link.asset_id.in_(ids))
            .order_by(s.asset_alias.c.name)
        ):
            out[alias_row.asset_id]["aliases"].append((alias_row.id, alias_row.name, alias_row.group))
        e = s.asset_event.c
        newest = (
            sa.select(e.asset_id, sa.func.max(e.id).label("id"))
            .where(e.asset_id.in_(ids))
            .group_by(e.asset_id)
            .subquery()
        )
        for r in self.conn.execute(
            sa.select(e.asset_id, e.id, e.timestamp).join(newest, newest.c.id == e.id)
        ):
            out[r.asset_id]["last_event"].append((r.id, r.timestamp))
        return out

    def _consuming_tasks(
        self, ids: builtins.list[int]
    ) -> builtins.list[tuple[int, tuple[str, str, datetime]]]:
        """(asset_id, (dag_id, task_id, last parsed)) of the active DAGs' tasks with the asset
        as an inlet. Airflow keeps a ``task_inlet_asset_reference`` table; Brisa reads the
        serialized DAGs instead (no migration), only those that have any inlet at all."""
        assets = {
            (r.name, r.uri): r.id
            for r in self.conn.execute(
                sa.select(s.asset.c.id, s.asset.c.name, s.asset.c.uri).where(s.asset.c.id.in_(ids))
            )
        }
        by_name = {name: i for (name, _), i in assets.items()}
        by_uri = {uri: i for (_, uri), i in assets.items()}
        sd = s.serialized_dag.c
        rows = self.conn.execute(
            sa.select(sd.dag_id, sd.data, sd.last_updated)
            .join(s.dag, s.dag.c.dag_id == sd.dag_id)
            .where(s.dag.c.is_active.is_(True), sd.data.contains('"inlets":'))
            .order_by(sd.dag_id)
        )
        found = []
        for dag_id, data, parsed in rows:
            for task in json.loads(data)["tasks"]:
                for inlet in task.get("inlets", ()):
                    asset_id = _inlet_asset_id(inlet, assets, by_name, by_uri)
                    if asset_id is not None:
                        found.append((asset_id, (dag_id, task["task_id"], parsed)))
        return sorted(set(found), key=lambda f: (f[1][0], f[1][1], f[0]))

    def list_aliases(
        self, *, limit: int = 100, offset: int = 0, name_pattern: str | None = None, order_by: str = "id"
    ) -> tuple[builtins.list[tuple[int, str, str]], int]:
        query = sa.select(s.asset_alias)
        if name_pattern:
            query = query.where(s.asset_alias.c.name.contains(name_pattern, autoescape=True))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        ordered = query.order_by(
            *order_by_clause(s.asset_alias, order_by, ("id", "name")), s.asset_alias.c.id
        )
        rows = self.conn.execute(ordered.limit(limit).offset(offset))
        return [(r.id, r.name, r.group) for r in rows], int(total)

    def get_alias(self, alias_id: int) -> tuple[int, str, str] | None:
        row = self.conn.execute(sa.select(s.asset_alias).where(s.asset_alias.c.id == alias_id)).first()
        return (row.id, row.name, row.group) if row else None

    def runs_of_events(self, event_ids: Iterable[int]) -> dict[int, builtins.list[Any]]:
        """Per event, the dag_run rows it triggered."""
        ids = list(event_ids)
        out: dict[int, builtins.list[Any]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = self.conn.execute(
            sa.select(s.dagrun_asset_event.c.event_id, s.dag_run)
            .join(s.dag_run, s.dag_run.c.id == s.dagrun_asset_event.c.dag_run_id)
            .where(s.dagrun_asset_event.c.event_id.in_(ids))
            .order_by(s.dag_run.c.id)
        )
        for row in rows:
            out[row.event_id].append(row)
        return out

    # -- events ----------------------------------------------------------------------------------
    def add_event(
        self,
        asset_id: int,
        *,
        timestamp: datetime,
        extra: Mapping[str, Any] | None = None,
        source_dag_id: str | None = None,
        source_run_id: str | None = None,
        source_task_id: str | None = None,
        source_map_index: int | None = -1,
        source_alias: str | None = None,
        partition_key: str | None = None,
    ) -> AssetEventRecord:
        result = self.conn.execute(
            s.asset_event.insert()
            .values(
                asset_id=asset_id,
                extra=json.dumps(dict(extra or {}), default=str),
                source_dag_id=source_dag_id,
                source_run_id=source_run_id,
                source_task_id=source_task_id,
                source_map_index=source_map_index,
                source_alias=source_alias,
                timestamp=timestamp,
                partition_key=partition_key,
            )
            .returning(s.asset_event.c.id)
        )
        return self.event(int(result.scalar_one()))  # type: ignore[return-value]

    def event(self, event_id: int) -> AssetEventRecord | None:
        row = self.conn.execute(self._events().where(s.asset_event.c.id == event_id)).first()
        return _event(row) if row else None

    @staticmethod
    def _events() -> sa.Select[Any]:
        return sa.select(*_EVENT_COLUMNS).join(s.asset, s.asset.c.id == s.asset_event.c.asset_id)

    def events(
        self,
        *,
        asset_id: int | None = None,
        source_dag_id: str | None = None,
        source_run_id: str | None = None,
        source_task_id: str | None = None,
        source_map_index: int | None = None,
        source_alias: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
        order_by: str = "timestamp",
    ) -> tuple[builtins.list[AssetEventRecord], int]:
        """A page of events (filters as Airflow 3's ``GET /assets/events``) and the count."""
        e = s.asset_event.c
        query = self._events()
        for column, value in (
            (e.asset_id, asset_id),
            (e.source_dag_id, source_dag_id),
            (e.source_run_id, source_run_id),
            (e.source_task_id, source_task_id),
            (e.source_map_index, source_map_index),
            (e.source_alias, source_alias),
        ):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(e.timestamp >= since)
        if until is not None:
            query = query.where(e.timestamp <= until)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        ordered = query.order_by(*order_by_clause(s.asset_event, order_by, EVENT_ORDERING), e.id)
        return [_event(r) for r in self.conn.execute(ordered.limit(limit).offset(offset))], int(total)

    def events_between(
        self, asset_ids: Iterable[int], *, after: datetime | None, up_to: datetime
    ) -> builtins.list[AssetEventRecord]:
        """Events on the assets in (``after``, ``up_to``]: what a new asset-triggered run consumes."""
        e = s.asset_event.c
        query = self._events().where(e.asset_id.in_(list(asset_ids)), e.timestamp <= up_to)
        if after is not None:
            query = query.where(e.timestamp > after)
        return [_event(r) for r in self.conn.execute(query.order_by(e.timestamp, e.id))]

    def last_triggered_run_after(self, dag_id: str, run_types: Iterable[str]) -> datetime | None:
        """When the DAG's newest run of ``run_types`` (asset-triggered ones) was due."""
        return self.conn.execute(
            sa.select(sa.func.max(s.dag_run.c.run_after)).where(
                s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_type.in_(list(run_types))
            )
        ).scalar()

    def link_run(self, dag_run_id: int, event_ids: Iterable[int]) -> None:
        for event_id in sorted(set(event_ids)):
            self.conn.execute(s.dagrun_asset_event.insert().values(dag_run_id=dag_run_id, event_id=event_id))

    def events_of_run(self, dag_id: str, run_id: str) -> builtins.list[AssetEventRecord]:
        """The events that triggered a run (empty for runs not triggered by assets)."""
        e = s.asset_event.c
        run_pk = sa.select(s.dag_run.c.id).where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_id == run_id)
        query = (
            self._events()
            .join(s.dagrun_asset_event, s.dagrun_asset_event.c.event_id == e.id)
            .where(s.dagrun_asset_event.c.dag_run_id.in_(run_pk.scalar_subquery()))
            .order_by(e.timestamp, e.id)
        )
        return [_event(r) for r in self.conn.execute(query)]

    def runs_of_event(self, event_id: int) -> builtins.list[tuple[str, str]]:
        """(dag_id, run_id) of the runs an event triggered."""
        rows = self.conn.execute(
            sa.select(s.dag_run.c.dag_id, s.dag_run.c.run_id)
            .join(s.dagrun_asset_event, s.dagrun_asset_event.c.dag_run_id == s.dag_run.c.id)
            .where(s.dagrun_asset_event.c.event_id == event_id)
            .order_by(s.dag_run.c.dag_id, s.dag_run.c.run_id)
        )
        return [(r.dag_id, r.run_id) for r in rows]

    # -- the consumer queue ---------------------------------------------------------------------------
    def queue(self, asset_id: int, dag_ids: Iterable[str], *, now: datetime) -> None:
        """Note that each DAG has a new event on the asset; an existing row keeps its time.
        A scheduler in another process hears of it at commit, as of a new run."""
        targets = sorted(set(dag_ids))
        for dag_id in targets:
            self._insert_ignoring_conflict(
                s.asset_dag_run_queue, asset_id=asset_id, target_dag_id=dag_id, created_at=now
            )
        if targets:
            notify(self.conn)

    def queued(self, target_dag_id: str | None = None) -> builtins.list[QueuedEvent]:
        q = s.asset_dag_run_queue.c
        query = (
            sa.select(q.target_dag_id, q.asset_id, s.asset.c.name, s.asset.c.uri, q.created_at)
            .join(s.asset, s.asset.c.id == q.asset_id)
            .order_by(q.target_dag_id, q.created_at, q.asset_id)
        )
        if target_dag_id is not None:
            query = query.where(q.target_dag_id == target_dag_id)
        return [QueuedEvent(**r._mapping) for r in self.conn.execute(query)]

    def take_queue(self, target_dag_id: str, asset_ids: Iterable[int], *, up_to: datetime) -> int:
        """Delete the DAG's queued rows of ``asset_ids`` created at or before ``up_to``;
        how many this transaction deleted (0: another scheduler took them first)."""
        q = s.asset_dag_run_queue.c
        result = self.conn.execute(
            s.asset_dag_run_queue.delete().where(
                q.target_dag_id == target_dag_id, q.asset_id.in_(list(asset_ids)), q.created_at <= up_to
            )
        )
        return int(result.rowcount)

    def clear_queue(
        self, target_dag_id: str, *, asset_id: int | None = None, before: datetime | None = None
    ) -> int:
        """Drop queued rows (the API's DELETE queuedEvents); how many went."""
        q = s.asset_dag_run_queue.c
        clause = q.target_dag_id == target_dag_id
        if asset_id is not None:
            clause = sa.and_(clause, q.asset_id == asset_id)
        if before is not None:
            clause = sa.and_(clause, q.created_at <= before)
        return int(self.conn.execute(s.asset_dag_run_queue.delete().where(clause)).rowcount)


__all__ = [
    "ASSET_ORDERING",
    "EVENT_ORDERING",
    "AssetEventRecord",
    "AssetKey",
    "AssetRecord",
    "AssetRepo",
    "QueuedEvent",
]
