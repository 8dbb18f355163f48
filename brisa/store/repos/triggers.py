"""Triggers of deferred tries, and which triggerer job runs each.

A trigger is claimed by compare-and-set on its ``triggerer_id`` (from nobody, or from a
job that stopped heartbeating), so two triggerers never both take it over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from brisa.states import TaskState
from brisa.store import schema as s
from brisa.store.records import TaskKey, TiRecord

_DEFERRED = TaskState.DEFERRED.value


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


class TriggerRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def create(self, classpath: str, kwargs: str, *, now: datetime) -> int:
        result = self.conn.execute(
            s.trigger.insert().values(classpath=classpath, kwargs=kwargs, created_date=now)
        )
        key = result.inserted_primary_key
        assert key is not None  # an INSERT always has one
        return int(key[0])

    def get_many(self, ids: Iterable[int]) -> list[TriggerRecord]:
        ids = list(ids)
        if not ids:
            return []
        rows = self.conn.execute(sa.select(s.trigger).where(s.trigger.c.id.in_(ids)))
        return [TriggerRecord(**row._asdict()) for row in rows]

    def owned_by(self, triggerer_id: int) -> list[int]:
        """Airflow's ``ids_for_triggerer``."""
        query = sa.select(s.trigger.c.id).where(s.trigger.c.triggerer_id == triggerer_id)
        return list(self.conn.execute(query.order_by(s.trigger.c.id)).scalars())

    def waiting(self) -> list[Waiting]:
        """Every trigger a deferred try waits on (the planner picks from these)."""
        t, ti = s.trigger.c, s.task_instance.c
        query = (
            sa.select(t.id, t.triggerer_id, sa.func.max(ti.priority_weight))
            .join(s.task_instance, ti.trigger_id == t.id)
            .where(ti.state == _DEFERRED)
            .group_by(t.id, t.triggerer_id)
        )
        return [Waiting(int(i), owner, int(weight or 1)) for i, owner, weight in self.conn.execute(query)]

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

    def delete_unused(self) -> int:
        """Drop triggers no deferred try waits on (fired, timed out, cleared, marked)."""
        ti = s.task_instance.c
        used = sa.select(ti.trigger_id).where(ti.state == _DEFERRED, ti.trigger_id.is_not(None))
        return self.conn.execute(s.trigger.delete().where(s.trigger.c.id.not_in(used))).rowcount

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


__all__ = ["TriggerRecord", "TriggerRepo", "Waiting"]
