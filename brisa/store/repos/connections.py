"""Connections as stored: password and extra hold ciphertext when flagged encrypted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from brisa.store import schema as s
from brisa.store.records import Page
from brisa.store.repos._common import count_of, page_of, sort_clauses


@dataclass(frozen=True)
class StoredConnection:
    conn_id: str
    conn_type: str
    description: str | None
    host: str | None
    schema: str | None
    login: str | None
    password: str | None
    port: int | None
    extra: str | None
    is_encrypted: bool
    is_extra_encrypted: bool

    def to_row(self) -> dict[str, Any]:
        return asdict(self)


def _record(row: Any) -> StoredConnection:
    m = row._mapping
    return StoredConnection(**{k: m[k] for k in StoredConnection.__dataclass_fields__})


class ConnectionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def get(self, conn_id: str) -> StoredConnection | None:
        row = self.conn.execute(sa.select(s.connection).where(s.connection.c.conn_id == conn_id)).first()
        return _record(row) if row else None

    def put(self, stored: StoredConnection) -> None:
        row = stored.to_row()
        conn_id = row.pop("conn_id")
        if not self.conn.execute(
            s.connection.update().where(s.connection.c.conn_id == conn_id).values(**row)
        ).rowcount:
            self.conn.execute(s.connection.insert().values(conn_id=conn_id, **row))

    def delete(self, conn_id: str) -> bool:
        return self.conn.execute(s.connection.delete().where(s.connection.c.conn_id == conn_id)).rowcount == 1

    def list(self, *, limit: int | None = None, offset: int = 0) -> Page[StoredConnection]:
        total = self.conn.execute(sa.select(sa.func.count()).select_from(s.connection)).scalar_one()
        query = sa.select(s.connection).order_by(s.connection.c.conn_id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([_record(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        conn_id_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("conn_id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[StoredConnection]:
        """Connections, ordered by ``conn_id``, ``conn_type``, ``description``, ``host`` or ``port``."""
        query = sa.select(s.connection)
        if conn_id_like:
            query = query.where(s.connection.c.conn_id.ilike(conn_id_like))
        total = count_of(self.conn, query)
        names = ("conn_id", "conn_type", "description", "host", "port")
        columns = {name: s.connection.c[name] for name in names}
        query = query.order_by(*sort_clauses(columns, order, s.connection.c.conn_id))
        return Page([_record(r) for r in self.conn.execute(page_of(query, limit, offset))], total)
