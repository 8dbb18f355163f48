"""ChangeWatch: a run created through another connection (another process's) is heard at
once, on SQLite on disk (``data_version``) and PostgreSQL (``LISTEN``/``NOTIFY``)."""

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from brisa.services.runs import create_run
from brisa.store import changes
from brisa.store.changes import ChangeWatch, OwnWrites
from brisa.store.sql import Store
from brisa.testing import make_dag
from tests.waiting import wait_until

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _create_run(store: Store, run_id: str) -> None:
    dag = make_dag("etl", {"extract": []})
    with store.transaction() as tx:
        create_run(
            tx,
            dag,
            run_id=run_id,
            run_type="manual",
            logical_date=None,
            data_interval=None,
            run_after=T0,
            now=T0,
        )


ON_DISK = pytest.mark.parametrize(
    "store", ["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""The stores another process can change: not in-memory SQLite (see the last test)."""


@pytest.fixture
def other(store):
    """A second Store on the same database: what a CLI or API process would open."""
    second = Store(store.url)
    yield second
    second.dispose()


def _watching(store: Store) -> tuple[ChangeWatch, threading.Event]:
    heard = threading.Event()
    watch = ChangeWatch(store.engine, heard.set)
    watch.start()
    return watch, heard


@ON_DISK
def test_a_run_created_elsewhere_is_heard(store, other):
    watch, heard = _watching(store)
    try:
        # Let the watcher take its first look (SQLite) or LISTEN (PostgreSQL) first.
        wait_until(lambda: watch._thread is not None and watch._thread.is_alive(), timeout=10, what="watcher")
        _settle(watch)
        _create_run(other, "r1")
        wait_until(heard.is_set, timeout=10, what="the watcher to hear the new run")
        heard.clear()
        _create_run(other, "r2")
        wait_until(heard.is_set, timeout=10, what="the watcher to hear the second run")
    finally:
        watch.stop()
    assert not watch._thread.is_alive()


def _settle(watch: ChangeWatch) -> None:
    """Until the watcher is listening: on PostgreSQL a NOTIFY sent before LISTEN is lost."""
    if watch.engine.dialect.name == "postgresql":
        wait_until(lambda: _listening(watch), timeout=10, what="the watcher's LISTEN")


def _listening(watch: ChangeWatch) -> bool:
    from sqlalchemy import text

    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()"
    )
    with watch.engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def test_the_watcher_of_an_in_memory_store_starts_no_thread():
    store = Store("sqlite://")
    watch = ChangeWatch(store.engine, lambda: None)
    watch.start()
    watch.stop()
    assert watch._thread is None
    store.dispose()


@pytest.mark.parametrize("store", ["sqlite-file"], indirect=True)
def test_this_processs_own_writes_do_not_wake_but_anothers_do(store, other):
    """The scheduler's own commits (and its supervisor's) must not wake it for one more tick
    each; another process's commit still does, though this process read in between."""
    watch, heard = _watching(store)
    try:
        wait_until(lambda: watch._thread is not None and watch._thread.is_alive(), timeout=10, what="watcher")
        _create_run(store, "mine")
        wait_until(lambda: watch.versions_seen >= 1, timeout=10, what="the watcher to see the commit")
        assert not heard.is_set()
        with store.transaction(readonly=True) as tx:  # a read: no change of this process's
            tx.conn.execute(text("SELECT 1"))
        _create_run(other, "theirs")
        wait_until(heard.is_set, timeout=10, what="the watcher to hear the other store's run")
    finally:
        watch.stop()


@pytest.mark.parametrize("store", ["sqlite-file"], indirect=True)
def test_own_writes_count_commits_that_changed_rows(store):
    own = OwnWrites(store.engine)
    own.install()
    try:
        with store.transaction(readonly=True) as tx:
            tx.conn.execute(text("SELECT 1"))
        with store.transaction() as tx:  # a write transaction that changes nothing
            tx.conn.execute(text("DELETE FROM dag_run WHERE run_id = 'nothing'"))
        assert own.count == 0
        _create_run(store, "r1")
        assert own.count == 1
    finally:
        own.remove()
    _create_run(store, "r2")
    assert own.count == 1  # removed: no longer counting


@pytest.mark.parametrize("store", ["sqlite-file"], indirect=True)
def test_the_sqlite_watch_sleeps_until_the_wal_is_written(store, other, monkeypatch):
    """No look every 5 ms while nothing is written (inotify on the -wal file); another
    process's commit is still heard at once, not at the periodic look (made an hour)."""
    monkeypatch.setattr(changes, "SQLITE_IDLE_LOOK_SECONDS", 3600.0)
    watch, heard = _watching(store)
    try:
        wait_until(lambda: watch.blocking, timeout=10, what="the watcher to watch the WAL file")
        looks = watch.looks
        time.sleep(0.2)  # polling every 5 ms would look ~40 times meanwhile
        assert watch.looks == looks
        _create_run(other, "theirs")
        wait_until(heard.is_set, timeout=10, what="the watcher to hear the other store's run")
    finally:
        watch._stop.set()
        monkeypatch.setattr(changes, "SQLITE_IDLE_LOOK_SECONDS", 0.01)
        _create_run(other, "wake")  # the blocked wait returns; stop() joins at once
        watch.stop()
    assert not watch._thread.is_alive()
