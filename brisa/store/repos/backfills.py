"""Backfills (Airflow 3's ``backfill`` table); their runs carry ``dag_run.backfill_id``."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.errors import NotFoundError
from brisa.states import RunState
from brisa.store import schema as s
from brisa.store.records import BackfillRecord, Page
from brisa.store.repos._common import counted_page

_UNFINISHED = (RunState.QUEUED.value, RunState.RUNNING.value)


class BackfillRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def create(
        self,
        *,
        dag_id: str,
        from_date: datetime,
        to_date: datetime,
        now: datetime,
        run_backwards: bool = False,
        dag_run_conf: dict[str, Any] | None = None,
        reprocess_behavior: str = "none",
        max_active_runs: int = 10,
        triggering_user_name: str | None = None,
    ) -> BackfillRecord:
        result = self.conn.execute(
            s.backfill.insert().values(
                dag_id=dag_id,
                from_date=from_date,
                to_date=to_date,
                run_backwards=run_backwards,
                dag_run_conf=json.dumps(dag_run_conf or {}),
                reprocess_behavior=reprocess_behavior,
                max_active_runs=max_active_runs,
                created_at=now,
                updated_at=now,
                triggering_user_name=triggering_user_name,
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # an INSERT always has one
        return self.require(key[0])

    def get(self, backfill_id: int) -> BackfillRecord | None:
        row = self.conn.execute(sa.select(s.backfill).where(s.backfill.c.id == backfill_id)).first()
        return BackfillRecord.from_row(row) if row else None

    def require(self, backfill_id: int) -> BackfillRecord:
        backfill = self.get(backfill_id)
        if backfill is None:
            raise NotFoundError(f"Backfill {backfill_id} not found")
        return backfill

    def list(
        self,
        *,
        dag_id: str | None = None,
        active_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[BackfillRecord]:
        """Newest first; ``active_only``: those not completed (nor cancelled) yet."""
        query = sa.select(s.backfill)
        if dag_id is not None:
            query = query.where(s.backfill.c.dag_id == dag_id)
        if active_only:
            query = query.where(s.backfill.c.completed_at.is_(None))
        rows, total = counted_page(self.conn, query.order_by(s.backfill.c.id.desc()), limit, offset)
        return Page([BackfillRecord.from_row(r) for r in rows], total)

    def many(self, backfill_ids: Iterable[int]) -> dict[int, BackfillRecord]:
        ids = set(backfill_ids)
        if not ids:
            return {}
        rows = self.conn.execute(sa.select(s.backfill).where(s.backfill.c.id.in_(ids)))
        return {r.id: BackfillRecord.from_row(r) for r in rows}

    def set_paused(self, backfill_id: int, paused: bool, *, now: datetime) -> BackfillRecord:
        self._update(backfill_id, is_paused=paused, updated_at=now)
        return self.require(backfill_id)

    def complete(self, backfill_id: int, *, now: datetime) -> BackfillRecord:
        self._update(backfill_id, completed_at=now, updated_at=now)
        return self.require(backfill_id)

    def _update(self, backfill_id: int, **values: Any) -> None:
        done = self.conn.execute(
            s.backfill.update().where(s.backfill.c.id == backfill_id).values(**values)
        ).rowcount
        if not done:
            raise NotFoundError(f"Backfill {backfill_id} not found")

    def complete_finished(self, *, now: datetime, backfill_id: int | None = None) -> builtins.list[int]:
        """Mark done the active backfills (all, or ``backfill_id``) none of whose runs is queued
        or running (Airflow 3's scheduler does it each loop); returns their ids."""
        unfinished = sa.select(s.dag_run.c.id).where(
            s.dag_run.c.backfill_id == s.backfill.c.id, s.dag_run.c.state.in_(_UNFINISHED)
        )
        query = sa.select(s.backfill.c.id).where(s.backfill.c.completed_at.is_(None), ~unfinished.exists())
        if backfill_id is not None:
            query = query.where(s.backfill.c.id == backfill_id)
        ids = list(self.conn.execute(query).scalars())
        if ids:
            self.conn.execute(
                s.backfill.update().where(s.backfill.c.id.in_(ids)).values(completed_at=now, updated_at=now)
            )
        return ids


__all__ = ["BackfillRepo"]
