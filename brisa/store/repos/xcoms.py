"""XComs: small values tasks hand to each other, stored as tagged JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa import serde
from brisa.errors import ConflictError, NotFoundError
from brisa.store import schema as s
from brisa.store.records import Page, TaskKey, XComRecord
from brisa.store.repos._common import count_of, page_of, ti_key_clause, within

RETURN_VALUE = "return_value"


class XComRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def set(self, ti: TaskKey, key: str, value: Any, *, now: datetime) -> None:
        text = serde.dumps(value)
        self.delete(ti, key)
        self._insert(ti, key, text, now)

    def create(self, ti: TaskKey, key: str, value: Any, *, now: datetime) -> XComRecord:
        """Add a new XCom (the REST API's POST); an existing one is a ConflictError, not replaced."""
        if self.get(ti, key) is not None:
            raise ConflictError(f"The XCom with key: `{key}` with mentioned task instance already exists.")
        self._insert(ti, key, serde.dumps(value), now)
        return self.require(ti, key)

    def _insert(self, ti: TaskKey, key: str, text: str, now: datetime) -> None:
        self.conn.execute(
            s.xcom.insert().values(
                dag_id=ti.dag_id,
                run_id=ti.run_id,
                task_id=ti.task_id,
                map_index=ti.map_index,
                key=key,
                value=text,
                timestamp=now,
            )
        )

    def update(self, ti: TaskKey, key: str, value: Any) -> XComRecord:
        """Replace an XCom's value (the REST API's PATCH), keeping its timestamp as Airflow does."""
        updated = self.conn.execute(
            s.xcom.update().where(_entry_clause(ti, key)).values(value=serde.dumps(value))
        ).rowcount
        if not updated:
            raise NotFoundError(f"The XCom with key: `{key}` with mentioned task instance doesn't exist.")
        return self.require(ti, key)

    def delete(self, ti: TaskKey, key: str | None = None) -> None:
        query = s.xcom.delete().where(ti_key_clause(s.xcom, ti))
        if key is not None:
            query = query.where(s.xcom.c.key == key)
        self.conn.execute(query)

    def pull(
        self,
        *,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str] | None,
        key: str | None = RETURN_VALUE,
        map_indexes: Sequence[int] | None = None,
    ) -> list[XComRecord]:
        """``key=None`` lifts the key filter, as in Airflow: each task instance then
        gives its most recently pushed XCom, whatever its key. ``task_ids=None`` lifts the
        task filter (Airflow 1.10/2.x): the newest matching XCom of any task comes first."""
        c = s.xcom.c
        query = sa.select(s.xcom).where(c.dag_id == dag_id, c.run_id == run_id)
        if task_ids is not None:
            query = query.where(c.task_id.in_(list(task_ids)))
        if key is not None:
            query = query.where(c.key == key)
        if map_indexes is not None:
            query = query.where(c.map_index.in_(list(map_indexes)))
        if task_ids is None:
            rows = self.conn.execute(query.order_by(c.timestamp.desc(), c.task_id, c.map_index)).all()
            return [_record(r) for r in rows]
        rows = self.conn.execute(query.order_by(c.task_id, c.map_index, c.timestamp.desc())).all()
        records = [_record(r) for r in rows]
        return records if key is not None else _latest_per_instance(records)

    def raw_value(self, ti: TaskKey, key: str = RETURN_VALUE) -> str | None:
        return self.conn.execute(sa.select(s.xcom.c.value).where(_entry_clause(ti, key))).scalar()

    def version(self, ti: TaskKey, key: str = RETURN_VALUE) -> tuple[Any, int] | None:
        """What tells one stored value from its replacement without reading it: its
        timestamp and length (a REST PATCH keeps the timestamp); None if there is none."""
        c = s.xcom.c
        row = self.conn.execute(
            sa.select(c.timestamp, sa.func.length(c.value)).where(_entry_clause(ti, key))
        ).first()
        return None if row is None else (row[0], int(row[1] or 0))

    def mapped_count(self, *, dag_id: str, run_id: str, task_id: str, key: str = RETURN_VALUE) -> int:
        """How many map indexes of a mapped task pushed ``key``."""
        query = sa.select(sa.func.count()).where(*_mapped_clause(dag_id, run_id, task_id, key))
        return int(self.conn.execute(query).scalar() or 0)

    def mapped_nth(self, *, dag_id: str, run_id: str, task_id: str, key: str, n: int) -> Any:
        """The ``n``-th value, in map index order, of those a mapped task's indexes pushed."""
        c = s.xcom.c
        query = (
            sa.select(c.value)
            .where(*_mapped_clause(dag_id, run_id, task_id, key))
            .order_by(c.map_index)
            .limit(1)
            .offset(n)
        )
        return serde.loads(self.conn.execute(query).scalar())

    def list(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        map_index: int | None = None,
        key: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[XComRecord]:
        c = s.xcom.c
        query = sa.select(s.xcom)
        for column, value in (
            (c.dag_id, dag_id),
            (c.run_id, run_id),
            (c.task_id, task_id),
            (c.map_index, map_index),
            (c.key, key),
        ):
            if value is not None:
                query = query.where(column == value)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(c.dag_id, c.run_id, c.task_id, c.map_index, c.key)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([_record(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        map_index: int | None = None,
        key: str | None = None,
        dag_id_like: str | None = None,
        run_id_like: str | None = None,
        task_id_like: str | None = None,
        key_like: str | None = None,
        bounds: Mapping[str, Any] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[XComRecord]:
        """The REST API's XCom listing, ordered by DAG, task, run, map index and key.

        ``bounds`` keys are the run's ``run_after`` and ``logical_date``.
        """
        c, run = s.xcom.c, s.dag_run.c
        query = sa.select(s.xcom).join(s.dag_run, sa.and_(run.dag_id == c.dag_id, run.run_id == c.run_id))
        for column, value in (
            (c.dag_id, dag_id),
            (c.run_id, run_id),
            (c.task_id, task_id),
            (c.map_index, map_index),
            (c.key, key),
        ):
            if value is not None:
                query = query.where(column == value)
        for column, pattern in (
            (c.dag_id, dag_id_like),
            (c.run_id, run_id_like),
            (c.task_id, task_id_like),
            (c.key, key_like),
        ):
            if pattern:
                query = query.where(column.ilike(pattern))
        for name, value in (bounds or {}).items():
            query = within(query, run[name], value)
        total = count_of(self.conn, query)
        query = query.order_by(c.dag_id, c.task_id, c.run_id, c.map_index, c.key)
        return Page([_record(r) for r in self.conn.execute(page_of(query, limit, offset))], total)

    def get(self, ti: TaskKey, key: str) -> XComRecord | None:
        row = self.conn.execute(sa.select(s.xcom).where(_entry_clause(ti, key))).first()
        return None if row is None else _record(row)

    def require(self, ti: TaskKey, key: str) -> XComRecord:
        record = self.get(ti, key)
        if record is None:
            raise NotFoundError(f"XCom entry with key {key!r} of task instance {ti} not found")
        return record


def _entry_clause(ti: TaskKey, key: str) -> sa.ColumnElement[bool]:
    """The primary key of one XCom: its task instance and key."""
    return sa.and_(ti_key_clause(s.xcom, ti), s.xcom.c.key == key)


def _mapped_clause(dag_id: str, run_id: str, task_id: str, key: str) -> list[sa.ColumnElement[bool]]:
    c = s.xcom.c
    return [c.dag_id == dag_id, c.run_id == run_id, c.task_id == task_id, c.key == key, c.map_index >= 0]


def _record(row: Any) -> XComRecord:
    return XComRecord(
        dag_id=row.dag_id,
        run_id=row.run_id,
        task_id=row.task_id,
        map_index=row.map_index,
        key=row.key,
        value=serde.loads(row.value),
        timestamp=row.timestamp,
    )


def _latest_per_instance(records: list[XComRecord]) -> list[XComRecord]:
    """The first record of each (task_id, map_index): callers sort newest first."""
    seen: set[tuple[str, int]] = set()
    latest = []
    for record in records:
        if (record.task_id, record.map_index) not in seen:
            seen.add((record.task_id, record.map_index))
            latest.append(record)
    return latest
