"""The task state store (Airflow 3.3, AIP-103): keys a task instance keeps across its tries.

Values are stored as tagged JSON, like XComs.  A key past its ``expires_at`` reads as
absent; ``expires_at`` None never expires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa import serde
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.repos._common import ti_key_clause

_ABSENT = object()


class TaskStateRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def get(self, ti: TaskKey, key: str, *, now: datetime, default: Any = None) -> Any:
        row = self.conn.execute(
            sa.select(s.task_state.c.value, s.task_state.c.expires_at).where(self._of(ti, key))
        ).first()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            return default
        return serde.loads(row.value)

    def set(self, ti: TaskKey, key: str, value: Any, *, now: datetime, expires_at: datetime | None) -> None:
        self.delete(ti, key)
        self.conn.execute(
            s.task_state.insert().values(
                dag_id=ti.dag_id,
                run_id=ti.run_id,
                task_id=ti.task_id,
                map_index=ti.map_index,
                key=key,
                value=serde.dumps(value),
                updated_at=now,
                expires_at=expires_at,
            )
        )

    def delete(self, ti: TaskKey, key: str) -> None:
        self.conn.execute(s.task_state.delete().where(self._of(ti, key)))

    def clear(self, ti: TaskKey) -> None:
        self.conn.execute(s.task_state.delete().where(ti_key_clause(s.task_state, ti)))

    def keys(self, ti: TaskKey) -> dict[str, Any]:
        """Every key of a task instance with its value (expired ones included)."""
        rows = self.conn.execute(
            sa.select(s.task_state.c.key, s.task_state.c.value)
            .where(ti_key_clause(s.task_state, ti))
            .order_by(s.task_state.c.key)
        )
        return {row.key: serde.loads(row.value) for row in rows}

    @staticmethod
    def _of(ti: TaskKey, key: str) -> sa.ColumnElement[bool]:
        return sa.and_(ti_key_clause(s.task_state, ti), s.task_state.c.key == key)


__all__ = ["TaskStateRepo"]
