"""Recording that a job (a scheduler, a Celery worker) has ended, as it stops."""

from __future__ import annotations

import logging
from datetime import datetime

from brisa.errors import StoreUnavailable
from brisa.store.sql import Store

log = logging.getLogger(__name__)


def end_job(store: Store, job_id: int | None, *, now: datetime) -> None:
    """Mark job ``job_id`` ended (nothing when it never started). A database that does not
    answer is only logged: the process is stopping and has nothing left to do about it."""
    if job_id is None:
        return
    try:
        with store.transaction() as tx:
            tx.jobs.end(job_id, now=now)
    except StoreUnavailable:
        log.warning("could not record the end of job %s: database unavailable", job_id)


__all__ = ["end_job"]
