"""Variables as stored: ``val`` holds ciphertext when ``is_encrypted`` (see brisa.secrets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from brisa.store import schema as s
from brisa.store.records import Page
from brisa.store.repos._common import count_of, page_of, sort_clauses


@dataclass(frozen=True)
class StoredVariable:
    key: str
    val: str | None
    description: str | None
    is_encrypted: bool


def _record(row: Any) -> StoredVariable:
    return StoredVariable(row.key, row.val, row.description, bool(row.is_encrypted))


class VariableRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def get(self, key: str) -> StoredVariable | None:
        row = self.conn.execute(sa.select(s.variable).where(s.variable.c.key == key)).first()
        return _record(row) if row else None

    def put(self, key: str, val: str, *, description: str | None, is_encrypted: bool) -> None:
        values = {"val": val, "description": description, "is_encrypted": is_encrypted}
        if not self.conn.execute(
            s.variable.update().where(s.variable.c.key == key).values(**values)
        ).rowcount:
            self.conn.execute(s.variable.insert().values(key=key, **values))

    def delete(self, key: str) -> bool:
        return self.conn.execute(s.variable.delete().where(s.variable.c.key == key)).rowcount == 1

    def list(
        self, *, limit: int | None = None, offset: int = 0, key_pattern: str | None = None
    ) -> Page[StoredVariable]:
        query = sa.select(s.variable)
        if key_pattern:
            query = query.where(s.variable.c.key.ilike(f"%{key_pattern}%"))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(s.variable.c.key)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([_record(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        key_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("key", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[StoredVariable]:
        """Variables with multi-key ordering (``key``, ``description``, ``is_encrypted``, ``val``)."""
        query = sa.select(s.variable)
        if key_like:
            query = query.where(s.variable.c.key.ilike(key_like))
        total = count_of(self.conn, query)
        columns = {name: s.variable.c[name] for name in ("key", "val", "description", "is_encrypted")}
        query = query.order_by(*sort_clauses(columns, order, s.variable.c.key))
        return Page([_record(r) for r in self.conn.execute(page_of(query, limit, offset))], total)
