"""Pools: named slot budgets shared by task instances across DAGs."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from brisa.errors import NotFoundError
from brisa.store import schema as s
from brisa.store.records import Page, PoolRecord
from brisa.store.repos._common import count_of, page_of, sort_clauses

DEFAULT_POOL = "default_pool"
DEFAULT_POOL_SLOTS = 128


class PoolRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def ensure_default(self) -> None:
        if self.get(DEFAULT_POOL) is None:
            self.conn.execute(
                s.slot_pool.insert().values(
                    pool=DEFAULT_POOL, slots=DEFAULT_POOL_SLOTS, description="Default pool"
                )
            )

    def get(self, name: str) -> PoolRecord | None:
        row = self.conn.execute(sa.select(s.slot_pool).where(s.slot_pool.c.pool == name)).first()
        return PoolRecord.from_row(row) if row else None

    def require(self, name: str) -> PoolRecord:
        pool = self.get(name)
        if pool is None:
            raise NotFoundError(f"pool {name!r} not found")
        return pool

    def slots(self) -> dict[str, int]:
        return {r.pool: r.slots for r in self.conn.execute(sa.select(s.slot_pool))}

    def set(self, name: str, slots: int, description: str | None = None) -> PoolRecord:
        if self.get(name) is None:
            self.conn.execute(s.slot_pool.insert().values(pool=name, slots=slots, description=description))
        else:
            self.conn.execute(
                s.slot_pool.update()
                .where(s.slot_pool.c.pool == name)
                .values(slots=slots, description=description)
            )
        return self.require(name)

    def delete(self, name: str) -> None:
        if name == DEFAULT_POOL:
            from brisa.errors import InvalidInputError

            raise InvalidInputError("the default pool cannot be deleted")
        if not self.conn.execute(s.slot_pool.delete().where(s.slot_pool.c.pool == name)).rowcount:
            raise NotFoundError(f"pool {name!r} not found")

    def list(self, *, limit: int | None = None, offset: int = 0) -> Page[PoolRecord]:
        total = self.conn.execute(sa.select(sa.func.count()).select_from(s.slot_pool)).scalar_one()
        query = sa.select(s.slot_pool).order_by(s.slot_pool.c.pool)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([PoolRecord.from_row(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        name_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("pool", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[PoolRecord]:
        """Pools with multi-key ordering (``pool``, ``slots``, ``description``)."""
        query = sa.select(s.slot_pool)
        if name_like:
            query = query.where(s.slot_pool.c.pool.ilike(name_like))
        total = count_of(self.conn, query)
        columns = {name: s.slot_pool.c[name] for name in ("pool", "slots", "description")}
        query = query.order_by(*sort_clauses(columns, order, s.slot_pool.c.pool))
        return Page([PoolRecord.from_row(r) for r in self.conn.execute(page_of(query, limit, offset))], total)
