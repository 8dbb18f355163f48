"""The health report, also used by ``brisa standalone`` before the app exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from brisa.api.health import health_report
from brisa.errors import StoreUnavailable

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_no_scheduler_ever_ran(memory_store) -> None:  # type: ignore[no-untyped-def]
    report = health_report(memory_store, now=NOW, threshold_seconds=30)
    assert report["metadatabase"] == {"status": "healthy"}
    assert report["scheduler"] == {"status": None, "latest_scheduler_heartbeat": None}


def test_a_stopped_or_silent_scheduler_is_unhealthy(memory_store) -> None:  # type: ignore[no-untyped-def]
    with memory_store.transaction() as tx:
        job = tx.jobs.start("standalone", hostname="h", pid=1, now=NOW)
    assert health_report(memory_store, now=NOW, threshold_seconds=30)["scheduler"]["status"] == "healthy"
    late = NOW + timedelta(seconds=31)
    assert health_report(memory_store, now=late, threshold_seconds=30)["scheduler"]["status"] == "unhealthy"
    with memory_store.transaction() as tx:
        tx.jobs.end(job, now=NOW)
    assert health_report(memory_store, now=NOW, threshold_seconds=30)["scheduler"]["status"] == "unhealthy"


def test_the_newest_scheduler_or_standalone_job_decides(memory_store) -> None:  # type: ignore[no-untyped-def]
    later = NOW + timedelta(minutes=5)
    with memory_store.transaction() as tx:
        tx.jobs.start("scheduler", hostname="old", pid=1, now=NOW)
        tx.jobs.start("standalone", hostname="new", pid=2, now=later)
        tx.jobs.start("celery_worker", hostname="w", pid=3, now=later + timedelta(seconds=10))
    report = health_report(memory_store, now=later, threshold_seconds=30)
    assert report["scheduler"] == {"status": "healthy", "latest_scheduler_heartbeat": later.isoformat()}


class DownStore:
    def transaction(self, **_: object):  # type: ignore[no-untyped-def]
        raise StoreUnavailable("connection refused")


def test_a_database_that_does_not_answer_is_reported_not_raised() -> None:
    report = health_report(DownStore(), now=NOW, threshold_seconds=30)
    assert report["metadatabase"] == {"status": "unhealthy"}
    assert report["scheduler"]["status"] is None
