"""Every page warns when no scheduler heartbeats: runs would wait and nothing else says why."""

from __future__ import annotations

from datetime import timedelta


def test_pages_warn_until_a_scheduler_heartbeats(store, clock, admin) -> None:
    page = admin.get("/dags")
    assert page.status_code == 200
    assert 'id="scheduler-down"' in page.text
    assert "The scheduler has never run against this database." in page.text
    assert "brisa scheduler" in page.text
    with store.transaction() as tx:
        job = tx.jobs.start("scheduler", hostname="h", pid=1, now=clock())
    assert 'id="scheduler-down"' not in admin.get("/dags").text
    clock.advance(timedelta(minutes=5).total_seconds())  # past [scheduler] scheduler_health_check_threshold
    stale = admin.get("/dags").text
    assert 'id="scheduler-down"' in stale
    assert "The scheduler is not running: its last heartbeat was at " in stale
    with store.transaction() as tx:
        tx.jobs.heartbeat(job, clock())
    assert 'id="scheduler-down"' not in admin.get("/dags").text


def test_the_banner_speaks_portuguese(store, admin) -> None:
    admin.cookies.set("brisa_lang", "pt-BR")
    assert "O scheduler nunca rodou com este banco." in admin.get("/dags").text


def test_the_login_page_shows_no_banner(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as anonymous:
        assert 'id="scheduler-down"' not in anonymous.get("/login").text
