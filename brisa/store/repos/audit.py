"""The audit log: who did what, when (Airflow's ``log`` table)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.errors import NotFoundError
from brisa.store import schema as s
from brisa.store.records import Page
from brisa.store.repos._common import counted_page, sort_clauses


@dataclass(frozen=True)
class AuditRecord:
    id: int
    dttm: datetime
    event: str
    owner: str | None
    dag_id: str | None
    task_id: str | None
    run_id: str | None
    map_index: int | None
    try_number: int | None
    extra: str | None
    logical_date: datetime | None = None
    """The logical date of the run the row names (``dag_id``, ``run_id``), while it exists.

    Airflow copies it into its ``log`` table; Brisa reads it from the run, so it is only
    filled by :meth:`AuditRepo.search` and :meth:`AuditRepo.get`."""


_AUDIT_FIELDS = tuple(f.name for f in fields(AuditRecord))


def _record(row: Any) -> AuditRecord:
    values = row._asdict()
    return AuditRecord(**{name: values[name] for name in _AUDIT_FIELDS if name in values})


def _with_logical_date() -> sa.Select[Any]:
    """Audit rows and the logical date of the run each names (null without one)."""
    log, run = s.audit_log, s.dag_run
    joined = log.outerjoin(run, sa.and_(run.c.dag_id == log.c.dag_id, run.c.run_id == log.c.run_id))
    return sa.select(log, run.c.logical_date).select_from(joined)


def _sort_columns() -> dict[str, sa.ColumnElement[Any]]:
    c = s.audit_log.c
    columns = {name: c[name] for name in ("id", "dttm", "dag_id", "task_id", "run_id", "event", "owner")}
    return {**columns, "extra": c.extra, "logical_date": s.dag_run.c.logical_date}


class AuditRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def record(
        self,
        event: str,
        *,
        now: datetime,
        owner: str | None = None,
        dag_id: str | None = None,
        task_id: str | None = None,
        run_id: str | None = None,
        map_index: int | None = None,
        try_number: int | None = None,
        extra: dict[str, Any] | str | None = None,
    ) -> None:
        if isinstance(extra, dict):
            extra = json.dumps(extra, default=str)
        self.conn.execute(
            s.audit_log.insert().values(
                dttm=now,
                event=event,
                owner=owner,
                dag_id=dag_id,
                task_id=task_id,
                run_id=run_id,
                map_index=map_index,
                try_number=try_number,
                extra=extra,
            )
        )

    def list(
        self,
        *,
        dag_id: str | None = None,
        event: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[AuditRecord]:
        """The UI's listing: newest first."""
        query = sa.select(s.audit_log)
        if dag_id is not None:
            query = query.where(s.audit_log.c.dag_id == dag_id)
        if event is not None:
            query = query.where(s.audit_log.c.event == event)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(s.audit_log.c.dttm.desc(), s.audit_log.c.id.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([_record(r) for r in self.conn.execute(query)], total)

    def get(self, audit_id: int) -> AuditRecord | None:
        row = self.conn.execute(_with_logical_date().where(s.audit_log.c.id == audit_id)).first()
        return None if row is None else _record(row)

    def require(self, audit_id: int) -> AuditRecord:
        record = self.get(audit_id)
        if record is None:
            raise NotFoundError(f"The Event Log with id: `{audit_id}` not found")
        return record

    def search(
        self,
        *,
        equal: dict[str, Any] | None = None,
        included_events: Sequence[str] = (),
        excluded_events: Sequence[str] = (),
        before: datetime | None = None,
        after: datetime | None = None,
        order: Sequence[tuple[str, bool]] = (("id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[AuditRecord]:
        """The REST API's listing (Airflow's ``GET /eventLogs``), each row with its run's logical date.

        ``equal`` maps columns (``dag_id``, ``task_id``, ``run_id``, ``map_index``,
        ``try_number``, ``owner``, ``event``) to the value they must have; ``None`` values
        are no filter. ``before``/``after`` bound ``dttm`` strictly. ``order`` names
        ``id``, ``dttm``, ``dag_id``, ``task_id``, ``run_id``, ``event``, ``owner``,
        ``extra`` or ``logical_date``; nulls sort last and ``id`` breaks ties.
        """
        c = s.audit_log.c
        query = _with_logical_date()
        for name, value in (equal or {}).items():
            if value is not None:
                query = query.where(c[name] == value)
        if included_events:
            query = query.where(c.event.in_(list(included_events)))
        if excluded_events:
            query = query.where(c.event.not_in(list(excluded_events)))
        if before is not None:
            query = query.where(c.dttm < before)
        if after is not None:
            query = query.where(c.dttm > after)
        query = query.order_by(*sort_clauses(_sort_columns(), order, c.id))
        rows, total = counted_page(self.conn, query, limit, offset)
        return Page([_record(r) for r in rows], total)


__all__ = ["AuditRecord", "AuditRepo"]
