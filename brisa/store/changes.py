"""Hearing, within milliseconds, that another process changed the store.

A run triggered from ``brisa dags trigger`` (or an API server in its own process), or an
asset event posted to the API, is a row that the scheduler found at its next look, up to
``idle_seconds`` (1 s) later.  The watcher's thread calls ``on_change`` as soon as another
connection commits instead:

* SQLite: ``PRAGMA data_version`` on a connection of its own changes whenever another
  connection (of any process) committed; it reads the WAL index in shared memory, so
  asking every :data:`SQLITE_POLL_SECONDS` costs microseconds, no disk I/O.
* PostgreSQL: ``LISTEN`` on :data:`CHANNEL`; a transaction that creates a run or queues
  an asset event for a consumer DAG sends ``NOTIFY`` (:func:`notify`), delivered when it
  commits.

Nothing depends on the call: it only shortens a wait, so a watcher that fails (the
database restarting) logs, waits and tries again, and the periodic look still finds
everything.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

CHANNEL = "brisa_changes"
SQLITE_POLL_SECONDS = 0.005
LISTEN_TIMEOUT_SECONDS = 1.0
RETRY_SECONDS = 2.0


def notify(conn: sa.Connection) -> None:
    """Tell the watchers of a PostgreSQL store, once this transaction commits, that it
    changed (SQLite needs no message: its watchers see the commit itself)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"NOTIFY {CHANNEL}"))


class ChangeWatch:
    """A thread that calls ``on_change`` soon after another connection commits a change."""

    def __init__(self, engine: sa.Engine, on_change: Callable[[], None]) -> None:
        self.engine = engine
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._listen_once is None:
            return  # an in-memory SQLite database: no other process can change it
        self._thread = threading.Thread(target=self._run, name="brisa-change-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=LISTEN_TIMEOUT_SECONDS + 1)

    @property
    def _listen_once(self) -> Callable[[], None] | None:
        """One connection's watch, until it fails or the watcher stops."""
        if self.engine.dialect.name == "postgresql":
            return self._listen_postgres
        database = self.engine.url.database
        if not database or database == ":memory:" or "mode=memory" in str(self.engine.url):
            return None
        return self._poll_sqlite

    def _run(self) -> None:
        listen = self._listen_once
        assert listen is not None
        while not self._stop.is_set():
            try:
                listen()
            except Exception as exc:  # the database is away: the periodic look still works
                log.debug("change watch: %s; again in %.0fs", exc, RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)

    def _poll_sqlite(self) -> None:
        database = self.engine.url.database
        assert database is not None
        conn = sqlite3.connect(database, check_same_thread=False)
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop.wait(SQLITE_POLL_SECONDS):
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != seen:
                    seen = version
                    self.on_change()
        finally:
            conn.close()

    def _listen_postgres(self) -> None:
        # A pool of its own (same URL and connect arguments): this connection is held for
        # as long as the watcher runs and must not take one of the store's few slots.
        pool = self.engine.pool.recreate()
        conn: Any = pool.connect()
        try:
            driver = conn.driver_connection
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                # At most one wake per batch of messages: one look finds every change.
                if any(True for _ in driver.notifies(timeout=LISTEN_TIMEOUT_SECONDS, stop_after=1)):
                    self.on_change()
        finally:
            conn.invalidate()
            pool.dispose()


__all__ = ["CHANNEL", "ChangeWatch", "notify"]
