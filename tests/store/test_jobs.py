"""brisa.store.jobs: a stopping scheduler or Celery worker records its end."""

from __future__ import annotations

import logging
from datetime import timedelta

from brisa.store.jobs import end_job
from brisa.store.sql import Store


def test_the_job_is_ended_at_the_given_time(store, now) -> None:
    with store.transaction() as tx:
        job_id = tx.jobs.start("SchedulerJob", hostname="h", pid=1, now=now)
    end_job(store, job_id, now=now + timedelta(seconds=5))
    with store.transaction(readonly=True) as tx:
        job = tx.jobs.get(job_id)
    assert job is not None
    assert (job.state, job.end_date) == ("success", now + timedelta(seconds=5))


def test_a_job_that_never_started_is_not_recorded(memory_store, now) -> None:
    end_job(memory_store, None, now=now)
    with memory_store.transaction(readonly=True) as tx:
        assert tx.jobs.recent(limit=10) == []


def test_a_database_that_does_not_answer_is_logged_not_raised(caplog, now) -> None:
    store = Store("postgresql+psycopg://postgres@127.0.0.1:1/nothing")  # nothing listens on port 1
    try:
        with caplog.at_level(logging.WARNING, logger="brisa.store.jobs"):
            end_job(store, 7, now=now)
    finally:
        store.dispose()
    assert "could not record the end of job 7: database unavailable" in caplog.text
