"""Task logs, kept in the database in ordered chunks (a PaaS disk does not last)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.repos._common import ti_key_clause


def _try_clause(key: TaskKey, try_number: int) -> sa.ColumnElement[bool]:
    return sa.and_(ti_key_clause(s.task_log, key), s.task_log.c.try_number == try_number)


class LogRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def append(self, key: TaskKey, try_number: int, chunks: Sequence[str], *, now: datetime) -> int:
        """Add chunks after the last one stored; returns the next sequence number."""
        if not chunks:
            return self.next_seq(key, try_number)
        seq = self.next_seq(key, try_number)
        self.conn.execute(
            s.task_log.insert(),
            [
                {
                    "dag_id": key.dag_id,
                    "run_id": key.run_id,
                    "task_id": key.task_id,
                    "map_index": key.map_index,
                    "try_number": try_number,
                    "seq": seq + i,
                    "data": chunk,
                    "created_at": now,
                }
                for i, chunk in enumerate(chunks)
            ],
        )
        return seq + len(chunks)

    def next_seq(self, key: TaskKey, try_number: int) -> int:
        last = self.conn.execute(
            sa.select(sa.func.max(s.task_log.c.seq)).where(_try_clause(key, try_number))
        ).scalar()
        return 0 if last is None else last + 1

    def read(
        self, key: TaskKey, try_number: int, *, after_seq: int = -1, limit: int | None = None
    ) -> tuple[str, int]:
        """The log text after chunk ``after_seq`` and the last chunk number read (for tailing)."""
        c = s.task_log.c
        query = (
            sa.select(c.seq, c.data).where(_try_clause(key, try_number), c.seq > after_seq).order_by(c.seq)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = self.conn.execute(query).all()
        if not rows:
            return "", after_seq
        return "".join(r.data for r in rows), rows[-1].seq

    def delete_try(self, key: TaskKey, try_number: int) -> None:
        self.conn.execute(s.task_log.delete().where(_try_clause(key, try_number)))
