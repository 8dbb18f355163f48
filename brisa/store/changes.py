"""Hearing, within milliseconds, that another process changed the store.

A run triggered from ``brisa dags trigger`` (or an API server in its own process), or an
asset event posted to the API, is a row that the scheduler found at its next look, up to
``idle_seconds`` (1 s) later.  The watcher's thread calls ``on_change`` as soon as another
connection commits instead:

* SQLite: ``PRAGMA data_version`` on a connection of its own changes whenever another
  connection (of any process) committed; it reads the WAL index in shared memory, so
  asking costs microseconds, no disk I/O. The thread asks when the ``-wal`` file was
  written (inotify, :mod:`brisa.store.filewrites`) and every
  :data:`SQLITE_IDLE_LOOK_SECONDS` anyway; without inotify, every
  :data:`SQLITE_POLL_SECONDS`.
* PostgreSQL: ``LISTEN`` on :data:`CHANNEL`; a transaction that creates a run or queues
  an asset event for a consumer DAG sends ``NOTIFY`` (:func:`notify`), delivered when it
  commits.

Only other processes' changes wake the scheduler. On SQLite ``data_version`` also moves
when this process's own connections commit (the scheduler queueing a try, the supervisor
writing its outcome and logs), and waking the scheduler for those cost one extra tick per
commit: about a third more CPU per try (see docs/performance.md, 2026-12-06). So
:class:`OwnWrites` counts the commits of this process that changed rows, and a new
``data_version`` seen while that count moved is taken to be this process's own. When
another process commits within the same poll interval as this one, its change is
heard at the scheduler's next look instead (at most ``idle_seconds``; it only shortens
a wait). PostgreSQL needs none of this: only run creation and asset events ``NOTIFY``.

Nothing depends on the call: it only shortens a wait, so a watcher that fails (the
database restarting) logs, waits and tries again, and the periodic look still finds
everything.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from brisa.store.filewrites import FileWrites

log = logging.getLogger(__name__)

CHANNEL = "brisa_changes"
SQLITE_POLL_SECONDS = 0.005
"""How often to look where the WAL file cannot be watched (no inotify)."""
SQLITE_IDLE_LOOK_SECONDS = 0.5
"""Where it can: a look this often anyway (and how long a stop may take)."""
SETTLE_LOOKS = 10
"""Looks, 1 ms apart, after the WAL was written, until its commit is seen."""
LISTEN_TIMEOUT_SECONDS = 1.0
RETRY_SECONDS = 2.0


def notify(conn: sa.Connection) -> None:
    """Tell the watchers of a PostgreSQL store, once this transaction commits, that it
    changed (SQLite needs no message: its watchers see the commit itself)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"NOTIFY {CHANNEL}"))


class OwnWrites:
    """How many transactions of this process's SQLite engine committed changed rows.

    Read from ``sqlite3.Connection.total_changes`` (rows changed by that connection since it
    opened) at the transaction's begin and commit: a read-only transaction, or a write that
    changed nothing, leaves it as it was, so it does not hide another process's change.
    """

    KEY = "brisa_total_changes"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.count = 0

    def install(self) -> None:
        sa.event.listen(self.engine, "begin", self._on_begin)
        sa.event.listen(self.engine, "commit", self._on_commit)

    def remove(self) -> None:
        for name, listener in (("begin", self._on_begin), ("commit", self._on_commit)):
            if sa.event.contains(self.engine, name, listener):
                sa.event.remove(self.engine, name, listener)

    def _on_begin(self, conn: sa.Connection) -> None:
        conn.info[self.KEY] = _total_changes(conn)

    def _on_commit(self, conn: sa.Connection) -> None:
        if _total_changes(conn) != conn.info.pop(self.KEY, None):
            self.count += 1  # one writer at a time per process (the store's write lock)


def _total_changes(conn: sa.Connection) -> int | None:
    return getattr(conn.connection.dbapi_connection, "total_changes", None)


class ChangeWatch:
    """A thread that calls ``on_change`` soon after another process commits a change."""

    def __init__(self, engine: sa.Engine, on_change: Callable[[], None]) -> None:
        self.engine = engine
        self.on_change = on_change
        self.own_writes = OwnWrites(engine)
        self.versions_seen = 0
        """New SQLite ``data_version`` values seen, this process's own included (for tests)."""
        self._seen = self._own_seen = 0
        self.looks = 0
        self.blocking = False
        """Whether the SQLite watch sleeps until the WAL file is written (inotify)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._listen_once is None:
            return  # an in-memory SQLite database: no other process can change it
        if self.engine.dialect.name == "sqlite":
            self.own_writes.install()
        self._thread = threading.Thread(target=self._run, name="brisa-change-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=LISTEN_TIMEOUT_SECONDS + 1)
        self.own_writes.remove()

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
        writes: FileWrites | None = None
        try:
            # A read first: it creates the -wal file of a WAL database if it was missing.
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            self._seen, self._own_seen = _data_version(conn), self.own_writes.count
            if os.path.exists(database + "-wal"):
                writes = FileWrites.watch(database + "-wal")
            self.blocking = writes is not None
            while not self._stop.is_set() and not (writes is not None and writes.gone):
                looks = self._looks_due(writes)
                for i in range(looks):
                    if self._look(conn) or i + 1 == looks or self._stop.wait(SQLITE_POLL_SECONDS / 5):
                        break
        finally:
            if writes is not None:
                writes.close()
            conn.close()

    def _looks_due(self, writes: FileWrites | None) -> int:
        """Wait for a reason to look; how many looks (1 ms apart) to take."""
        if writes is None:
            self._stop.wait(SQLITE_POLL_SECONDS)
            return 1
        if writes.wait(SQLITE_IDLE_LOOK_SECONDS):
            # The WAL was written: the commit lands once its frames are in (microseconds
            # after the write, or another write follows and wakes this wait again).
            return SETTLE_LOOKS
        return 1  # the periodic look: a missed event costs at most this long

    def _look(self, conn: sqlite3.Connection) -> bool:
        """Compare ``data_version``; call ``on_change`` for another process's commit."""
        self.looks += 1
        own = self.own_writes.count  # before the version: a commit counts, then lands
        version = _data_version(conn)
        if version == self._seen:
            return False
        self._seen = version
        self.versions_seen += 1
        if own != self._own_seen:
            self._own_seen = own  # this process wrote: the scheduler hears it otherwise
            return True
        self.on_change()
        return True

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


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


__all__ = ["CHANNEL", "ChangeWatch", "OwnWrites", "notify"]
