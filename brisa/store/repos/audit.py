"""The audit log: who did what, when (Airflow's ``log`` table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.store import schema as s
from brisa.store.records import Page


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
        query = sa.select(s.audit_log)
        if dag_id is not None:
            query = query.where(s.audit_log.c.dag_id == dag_id)
        if event is not None:
            query = query.where(s.audit_log.c.event == event)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(s.audit_log.c.dttm.desc(), s.audit_log.c.id.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        rows = self.conn.execute(query)
        return Page(
            [AuditRecord(**{k: r._mapping[k] for k in AuditRecord.__dataclass_fields__}) for r in rows], total
        )
