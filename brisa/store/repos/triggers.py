"""Triggers of deferred tries and of asset watchers, and which triggerer job runs each.

A trigger is claimed by compare-and-set on its ``triggerer_id`` (from nobody, or from a
job that stopped heartbeating), so two triggerers never both take it over.

A trigger's keyword arguments may hold secrets (a provider trigger's token): with a
``cipher`` (the Fernet codec) they are stored encrypted and read back decrypted, as
Airflow's ``encrypted_kwargs``. A value written before (JSON text) still reads as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from brisa.states import TaskState
from brisa.store import schema as s
from brisa.store.records import TaskKey, TiRecord

_DEFERRED = TaskState.DEFERRED.value


class Cipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...


def is_plaintext(kwargs: str) -> bool:
    """JSON (written without a cipher, or before 0.x encrypted them) vs a Fernet token."""
    return kwargs[:1] in ("{", "[", '"') or kwargs in ("null", "")


@dataclass(frozen=True)
class WatcherSpec:
    """One ``AssetWatcher`` of a DAG file: its name and how to re-create its trigger."""

    name: str
    classpath: str
    kwargs: str


@dataclass(frozen=True)
class TriggerRecord:
    id: int
    classpath: str
    kwargs: str
    """JSON with :mod:`brisa.serde` tags."""
    created_date: datetime
    triggerer_id: int | None


@dataclass(frozen=True)
class Waiting:
    """A trigger still wanted by a deferred try, with who runs it."""

    trigger_id: int
    triggerer_id: int | None
    priority_weight: int = 1
    is_watcher: bool = False
    """An asset watcher's trigger: each of its events is an asset event, and it runs on."""


class TriggerRepo:
    def __init__(self, conn: sa.Connection, *, cipher: Cipher | None = None) -> None:
        self.conn = conn
        self.cipher = cipher

    def create(self, classpath: str, kwargs: str, *, now: datetime) -> int:
        sealed = self.cipher.encrypt(kwargs) if self.cipher is not None else kwargs
        result = self.conn.execute(
            s.trigger.insert().values(classpath=classpath, kwargs=sealed, created_date=now)
        )
        key = result.inserted_primary_key
        assert key is not None  # an INSERT always has one
        return int(key[0])

    def reveal(self, kwargs: str) -> str:
        """The JSON of stored keyword arguments (SecretsError: no key decrypts them)."""
        if is_plaintext(kwargs):
            return kwargs
        if self.cipher is None:
            from brisa.errors import SecretsError

            raise SecretsError("the trigger's arguments are encrypted and no fernet key is configured")
        return self.cipher.decrypt(kwargs)

    def get_many(self, ids: Iterable[int]) -> list[TriggerRecord]:
        """The triggers, their keyword arguments decrypted."""
        ids = list(ids)
        if not ids:
            return []
        rows = self.conn.execute(sa.select(s.trigger).where(s.trigger.c.id.in_(ids)))
        records = [TriggerRecord(**row._asdict()) for row in rows]
        return [replace(r, kwargs=self.reveal(r.kwargs)) for r in records]

    def sealed(self) -> list[tuple[int, str]]:
        """(id, stored kwargs) of every trigger: what a key rotation re-encrypts."""
        rows = self.conn.execute(sa.select(s.trigger.c.id, s.trigger.c.kwargs).order_by(s.trigger.c.id))
        return [(int(i), k) for i, k in rows]

    def reseal(self, trigger_id: int, kwargs: str) -> None:
        self.conn.execute(s.trigger.update().where(s.trigger.c.id == trigger_id).values(kwargs=kwargs))

    def owned_by(self, triggerer_id: int) -> list[int]:
        """Airflow's ``ids_for_triggerer``."""
        query = sa.select(s.trigger.c.id).where(s.trigger.c.triggerer_id == triggerer_id)
        return list(self.conn.execute(query.order_by(s.trigger.c.id)).scalars())

    def waiting(self) -> list[Waiting]:
        """Every trigger a deferred try waits on, then every asset watcher's trigger whose
        asset an active, unpaused DAG is scheduled on (the planner picks from these)."""
        t, ti = s.trigger.c, s.task_instance.c
        query = (
            sa.select(t.id, t.triggerer_id, sa.func.max(ti.priority_weight))
            .join(s.task_instance, ti.trigger_id == t.id)
            .where(ti.state == _DEFERRED)
            .group_by(t.id, t.triggerer_id)
        )
        tasks = [Waiting(int(i), owner, int(weight or 1)) for i, owner, weight in self.conn.execute(query)]
        watchers = [Waiting(i, owner, 0, is_watcher=True) for i, owner in self._active_watchers()]
        return tasks + watchers

    def _active_watchers(self) -> list[tuple[int, int | None]]:
        w, ref, dag = s.asset_watcher.c, s.dag_schedule_asset_reference.c, s.dag.c
        scheduled = (
            sa.select(ref.asset_id)
            .join(s.dag, dag.dag_id == ref.dag_id)
            .where(dag.is_active.is_(True), dag.is_paused.is_(False))
        )
        query = (
            sa.select(s.trigger.c.id, s.trigger.c.triggerer_id)
            .where(s.trigger.c.id.in_(sa.select(w.trigger_id).where(w.asset_id.in_(scheduled))))
            .order_by(s.trigger.c.id)
        )
        return [(int(i), owner) for i, owner in self.conn.execute(query)]

    # -- asset watchers ------------------------------------------------------------------
    def watchers_of(self, asset_ids: Iterable[int]) -> dict[int, list[tuple[str, TriggerRecord]]]:
        """Per asset: (watcher name, its trigger, kwargs decrypted)."""
        ids = list(asset_ids)
        out: dict[int, list[tuple[str, TriggerRecord]]] = {i: [] for i in ids}
        if not ids:
            return out
        w = s.asset_watcher.c
        rows = self.conn.execute(
            sa.select(w.asset_id, w.name, w.trigger_id).where(w.asset_id.in_(ids)).order_by(w.name)
        ).all()
        triggers = {t.id: t for t in self.get_many({r.trigger_id for r in rows})}
        for r in rows:
            out[r.asset_id].append((r.name, triggers[r.trigger_id]))
        return out

    def watched_assets(self, trigger_id: int) -> list[int]:
        w = s.asset_watcher.c
        query = sa.select(w.asset_id).where(w.trigger_id == trigger_id).order_by(w.asset_id)
        return list(self.conn.execute(query).scalars())

    def set_watchers(self, asset_id: int, specs: Iterable[WatcherSpec], *, now: datetime) -> None:
        """Make the asset's watchers ``specs``: a trigger already running for the same
        class and arguments is kept (not restarted), as Airflow compares their hashes; one
        watching another asset too is shared, the rest are created."""
        wanted = {(spec.classpath, spec.kwargs): spec for spec in specs}
        have = {(t.classpath, t.kwargs): t.id for _, t in self.watchers_of([asset_id])[asset_id]}
        w = s.asset_watcher
        gone = [trigger_id for key, trigger_id in have.items() if key not in wanted]
        if gone:
            self.conn.execute(w.delete().where(w.c.asset_id == asset_id, w.c.trigger_id.in_(gone)))
        shared = self._watcher_triggers()
        for key, spec in wanted.items():
            if key in have:
                continue
            trigger_id = shared.get(key) or self.create(spec.classpath, spec.kwargs, now=now)
            self.conn.execute(w.insert().values(asset_id=asset_id, trigger_id=trigger_id, name=spec.name))

    def _watcher_triggers(self) -> dict[tuple[str, str], int]:
        ids = self.conn.execute(sa.select(s.asset_watcher.c.trigger_id).distinct()).scalars()
        return {(t.classpath, t.kwargs): t.id for t in self.get_many(ids)}

    def drop_orphan_watchers(self) -> int:
        """Watchers of assets no DAG is scheduled on any more (Airflow's orphan clean-up)."""
        ref = s.dag_schedule_asset_reference.c
        w = s.asset_watcher
        query = w.delete().where(w.c.asset_id.not_in(sa.select(ref.asset_id)))
        return self.conn.execute(query).rowcount

    def claim(self, trigger_id: int, *, previous: int | None, triggerer_id: int) -> bool:
        """Take a trigger over from ``previous`` (None: unowned); False if another won."""
        c = s.trigger.c
        owner = c.triggerer_id.is_(None) if previous is None else c.triggerer_id == previous
        query = s.trigger.update().where(c.id == trigger_id, owner).values(triggerer_id=triggerer_id)
        return self.conn.execute(query).rowcount == 1

    def release(self, triggerer_id: int, ids: Sequence[int] | None = None) -> int:
        """Give triggers back (a triggerer stopping, or over capacity) for others to claim."""
        c = s.trigger.c
        query = s.trigger.update().where(c.triggerer_id == triggerer_id)
        if ids is not None:
            query = query.where(c.id.in_(list(ids)))
        return self.conn.execute(query.values(triggerer_id=None)).rowcount

    def any_work(self) -> bool:
        """Whether there is a trigger row (a deferred try's, an asset watcher's) or a deferred
        try: when neither, a triggerer's sync has nothing to claim, time out or delete."""
        triggers = sa.select(s.trigger.c.id).limit(1)
        deferred = sa.select(s.task_instance.c.id).where(s.task_instance.c.state == _DEFERRED).limit(1)
        return bool(self.conn.execute(sa.select(sa.or_(triggers.exists(), deferred.exists()))).scalar())

    def delete_unused(self) -> int:
        """Drop triggers no deferred try waits on (fired, timed out, cleared, marked) and
        no asset watches."""
        ti = s.task_instance.c
        used = sa.select(ti.trigger_id).where(ti.state == _DEFERRED, ti.trigger_id.is_not(None))
        watching = sa.select(s.asset_watcher.c.trigger_id)
        query = s.trigger.delete().where(s.trigger.c.id.not_in(used), s.trigger.c.id.not_in(watching))
        return self.conn.execute(query).rowcount

    # -- the deferred tries --------------------------------------------------------------
    def tis_waiting_on(self, trigger_id: int) -> list[TiRecord]:
        ti = s.task_instance.c
        query = sa.select(s.task_instance).where(ti.trigger_id == trigger_id, ti.state == _DEFERRED)
        return [TiRecord.from_row(r) for r in self.conn.execute(query)]

    def timed_out(self, now: datetime, *, limit: int = 500) -> list[TaskKey]:
        """Deferred tries whose ``trigger_timeout`` passed."""
        ti = s.task_instance.c
        query = (
            sa.select(ti.dag_id, ti.run_id, ti.task_id, ti.map_index)
            .where(ti.state == _DEFERRED, ti.trigger_timeout.is_not(None), ti.trigger_timeout < now)
            .limit(limit)
        )
        return [TaskKey(*row) for row in self.conn.execute(query)]

    def next_timeout(self) -> datetime | None:
        ti = s.task_instance.c
        query = sa.select(sa.func.min(ti.trigger_timeout)).where(ti.state == _DEFERRED)
        return self.conn.execute(query).scalar_one_or_none()


__all__ = ["Cipher", "TriggerRecord", "TriggerRepo", "Waiting", "WatcherSpec", "is_plaintext"]
