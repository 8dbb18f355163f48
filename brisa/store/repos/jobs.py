"""Jobs: one row per scheduler, standalone or worker process, with its heartbeat."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from brisa.errors import StoreError
from brisa.store import schema as s
from brisa.store.records import JobRecord

RUNNING = "running"
SUCCESS = "success"
FAILED = "failed"


class JobRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def start(self, job_type: str, *, hostname: str, pid: int, now: datetime) -> int:
        result = self.conn.execute(
            s.job.insert().values(
                job_type=job_type,
                state=RUNNING,
                hostname=hostname,
                pid=pid,
                start_date=now,
                latest_heartbeat=now,
            )
        )
        primary_key = result.inserted_primary_key
        if primary_key is None:  # SQLAlchemy's type allows it; one inserted row always has one
            raise StoreError("the job row was inserted without a primary key")
        return int(primary_key[0])

    def heartbeat(self, job_id: int, now: datetime) -> bool:
        """False when the job was declared dead by someone else (then it must stop)."""
        return (
            self.conn.execute(
                s.job.update()
                .where(s.job.c.id == job_id, s.job.c.state == RUNNING)
                .values(latest_heartbeat=now)
            ).rowcount
            == 1
        )

    def end(self, job_id: int, *, now: datetime, state: str = SUCCESS) -> None:
        self.conn.execute(s.job.update().where(s.job.c.id == job_id).values(state=state, end_date=now))

    def get(self, job_id: int) -> JobRecord | None:
        row = self.conn.execute(sa.select(s.job).where(s.job.c.id == job_id)).first()
        return JobRecord.from_row(row) if row else None

    def recent(
        self, *, limit: int, state: str | None = None, ids: Iterable[int] | None = None
    ) -> list[JobRecord]:
        """The newest jobs first (by start), optionally in a state or among ``ids``."""
        query = sa.select(s.job).order_by(s.job.c.start_date.desc(), s.job.c.id.desc()).limit(limit)
        if state:
            query = query.where(s.job.c.state == state)
        if ids is not None:
            query = query.where(s.job.c.id.in_(list(ids)))
        return [JobRecord.from_row(r) for r in self.conn.execute(query)]

    def running(self, job_types: tuple[str, ...] | None = None) -> list[JobRecord]:
        query = sa.select(s.job).where(s.job.c.state == RUNNING)
        if job_types:
            query = query.where(s.job.c.job_type.in_(job_types))
        return [JobRecord.from_row(r) for r in self.conn.execute(query)]

    def stale(self, now: datetime, threshold: timedelta) -> list[JobRecord]:
        query = sa.select(s.job).where(s.job.c.state == RUNNING, s.job.c.latest_heartbeat < now - threshold)
        return [JobRecord.from_row(r) for r in self.conn.execute(query)]

    def mark_failed(self, job_id: int, *, now: datetime) -> bool:
        """Declare a job dead (compare-and-set: only one adopter wins)."""
        return (
            self.conn.execute(
                s.job.update()
                .where(s.job.c.id == job_id, s.job.c.state == RUNNING)
                .values(state=FAILED, end_date=now)
            ).rowcount
            == 1
        )

    def alive_ids(self, job_ids: list[int]) -> set[int]:
        """Which of these jobs are still running (by their own account)."""
        if not job_ids:
            return set()
        rows = self.conn.execute(
            sa.select(s.job.c.id).where(s.job.c.id.in_(job_ids), s.job.c.state == RUNNING)
        )
        return set(rows.scalars())

    def latest(self, *job_types: str) -> JobRecord | None:
        """The job of any of ``job_types`` that heartbeated last."""
        row = self.conn.execute(
            sa.select(s.job)
            .where(s.job.c.job_type.in_(job_types))
            .order_by(s.job.c.latest_heartbeat.desc())
            .limit(1)
        ).first()
        return JobRecord.from_row(row) if row else None
