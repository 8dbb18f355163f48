"""The metadata store: one SQLAlchemy engine and explicit transactions over it.

This is the only module that knows SQLAlchemy's exceptions: they leave it as
``StoreError`` (or ``StoreUnavailable`` when the database may come back, so callers can
wait and retry) and ``ConflictError`` for uniqueness violations.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.pool import StaticPool

from brisa.config.urls import normalize_database_url as normalize_url
from brisa.errors import ConflictError, InvalidInputError, StoreError, StoreUnavailable

if TYPE_CHECKING:
    from brisa.store.repos.assets import AssetRepo
    from brisa.store.repos.audit import AuditRepo
    from brisa.store.repos.backfills import BackfillRepo
    from brisa.store.repos.connections import ConnectionRepo
    from brisa.store.repos.dags import DagRepo
    from brisa.store.repos.jobs import JobRepo
    from brisa.store.repos.logins import LoginFailureRepo, SessionRepo
    from brisa.store.repos.logs import LogRepo
    from brisa.store.repos.partitions import PartitionRepo
    from brisa.store.repos.pools import PoolRepo
    from brisa.store.repos.runs import RunRepo
    from brisa.store.repos.task_state import TaskStateRepo
    from brisa.store.repos.tis import TiRepo
    from brisa.store.repos.triggers import Cipher, TriggerRepo
    from brisa.store.repos.users import UserRepo
    from brisa.store.repos.variables import VariableRepo
    from brisa.store.repos.xcoms import XComRepo

log = logging.getLogger(__name__)

_SQLITE_BUSY_MS = 30_000
PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled PostgreSQL connection idle this long is pinged before use (see _ping_when_idle):
shorter than any database restart, longer than the gaps between a busy server's requests."""


SECTION_LOCKS = {"queue": 0x62726973_61_0001, "start_runs": 0x62726973_61_0002}
"""PostgreSQL advisory lock keys ("brisa" + a number) of the scheduler's critical sections."""


class Transaction:
    """One database transaction and the repositories bound to it."""

    def __init__(self, conn: sa.Connection, *, cipher: Cipher | None = None) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.cipher = cipher
        """Encrypts triggers' keyword arguments at rest (the Fernet codec); None: plaintext."""

    def try_lock(self, section: str) -> bool:
        """Whether this transaction may enter a scheduler's critical ``section`` now.

        Pool slots, ``max_active_tasks`` and ``max_active_runs`` are checked by counting;
        two schedulers counting at the same instant could both take the last slot. On
        PostgreSQL a section is an advisory lock (per database) held to commit, as Airflow
        locks its pool rows; False while another scheduler's transaction holds it. A
        SQLite write transaction is alone anyway.
        """
        if self.dialect != "postgresql":
            return True
        taken = self.conn.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SECTION_LOCKS[section]}
        )
        return bool(taken.scalar_one())

    @cached_property
    def assets(self) -> AssetRepo:
        from brisa.store.repos.assets import AssetRepo

        return AssetRepo(self.conn, cipher=self.cipher)

    @cached_property
    def partitions(self) -> PartitionRepo:
        from brisa.store.repos.partitions import PartitionRepo

        return PartitionRepo(self.conn)

    @cached_property
    def dags(self) -> DagRepo:
        from brisa.store.repos.dags import DagRepo

        return DagRepo(self.conn, cipher=self.cipher)

    @cached_property
    def backfills(self) -> BackfillRepo:
        from brisa.store.repos.backfills import BackfillRepo

        return BackfillRepo(self.conn)

    @cached_property
    def runs(self) -> RunRepo:
        from brisa.store.repos.runs import RunRepo

        return RunRepo(self.conn)

    @cached_property
    def tis(self) -> TiRepo:
        from brisa.store.repos.tis import TiRepo

        return TiRepo(self.conn)

    @cached_property
    def xcoms(self) -> XComRepo:
        from brisa.store.repos.xcoms import XComRepo

        return XComRepo(self.conn)

    @cached_property
    def task_state(self) -> TaskStateRepo:
        from brisa.store.repos.task_state import TaskStateRepo

        return TaskStateRepo(self.conn)

    @cached_property
    def logs(self) -> LogRepo:
        from brisa.store.repos.logs import LogRepo

        return LogRepo(self.conn)

    @cached_property
    def jobs(self) -> JobRepo:
        from brisa.store.repos.jobs import JobRepo

        return JobRepo(self.conn)

    @cached_property
    def pools(self) -> PoolRepo:
        from brisa.store.repos.pools import PoolRepo

        return PoolRepo(self.conn)

    @cached_property
    def variables(self) -> VariableRepo:
        from brisa.store.repos.variables import VariableRepo

        return VariableRepo(self.conn)

    @cached_property
    def connections(self) -> ConnectionRepo:
        from brisa.store.repos.connections import ConnectionRepo

        return ConnectionRepo(self.conn)

    @cached_property
    def users(self) -> UserRepo:
        from brisa.store.repos.users import UserRepo

        return UserRepo(self.conn)

    @cached_property
    def sessions(self) -> SessionRepo:
        from brisa.store.repos.logins import SessionRepo

        return SessionRepo(self.conn)

    @cached_property
    def login_failures(self) -> LoginFailureRepo:
        from brisa.store.repos.logins import LoginFailureRepo

        return LoginFailureRepo(self.conn)

    @cached_property
    def triggers(self) -> TriggerRepo:
        from brisa.store.repos.triggers import TriggerRepo

        return TriggerRepo(self.conn, cipher=self.cipher)

    @cached_property
    def audit(self) -> AuditRepo:
        from brisa.store.repos.audit import AuditRepo

        return AuditRepo(self.conn)


class Store:
    """Owns the engine; hands out transactions. Pass it in; never make it global."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 5,
        max_overflow: int = 0,
        pool_recycle: int = 1800,
        connect_args: dict[str, Any] | None = None,
        echo: bool = False,
    ) -> None:
        self.url = normalize_url(url)
        self.engine = _create_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=pool_recycle,
            connect_args=connect_args or {},
            echo=echo,
        )
        self.dialect = self.engine.dialect.name
        # SQLite has one writer at a time. Threads of this process queue on a lock
        # instead of on SQLite's busy handler, which sleeps in steps of 1-100 ms.
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None
        # In-memory SQLite is one connection shared by every thread (the triggerer's reads
        # beside the scheduler's writes in `dags test`): its reads queue on the lock too.
        self._one_connection = isinstance(self.engine.pool, StaticPool)
        self.cipher: Cipher | None = None
        """Set by the wiring to the Fernet codec: triggers' keyword arguments are stored
        encrypted, as connection passwords are (they may hold a provider's token)."""

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """A transaction at the edge of a tick or a request; commits when the block ends.

        On SQLite, write transactions take the write lock when they begin
        (``BEGIN IMMEDIATE``) so two writers queue on the busy timeout instead of
        failing when one upgrades a read lock; ``readonly=True`` skips that. On
        PostgreSQL, ``readonly=True`` runs each statement on its own (autocommit): no
        BEGIN/COMMIT round trips, so a connection of the small pool is held for less time;
        the statements of such a block do not share one snapshot.
        """
        lock = self._write_lock if not readonly or self._one_connection else None
        with translate_errors(), lock or contextlib.nullcontext():
            conn = self.engine.connect()
            try:
                if readonly:
                    conn = conn.execution_options(brisa_readonly=True)
                    if not self.is_sqlite:
                        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                with conn.begin():
                    yield Transaction(conn, cipher=self.cipher)
            finally:
                conn.close()

    def ping(self) -> None:
        with self.transaction(readonly=True) as tx:
            tx.conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    def after_fork(self) -> None:
        """Drop pooled connections inherited from a parent process without closing them."""
        self.engine.dispose(close=False)


@contextmanager
def translate_errors() -> Iterator[None]:
    try:
        yield
    except exc.IntegrityError as e:
        raise ConflictError(f"conflicts with existing data: {_short(e)}") from e
    except exc.DataError as e:
        raise InvalidInputError(f"value not accepted by the database: {_short(e)}") from e
    except (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError) as e:
        raise StoreUnavailable(f"metadata database unavailable: {_short(e)}") from e
    except exc.SQLAlchemyError as e:
        raise StoreError(f"metadata database error: {_short(e)}") from e
    except sqlite3.OperationalError as e:
        raise StoreUnavailable(f"metadata database unavailable: {e}") from e
    except OverflowError as e:  # sqlite3 refuses integers beyond 64 bits before SQLAlchemy sees them
        raise InvalidInputError(f"value not accepted by the database: {e}") from e


def _short(error: exc.SQLAlchemyError) -> str:
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _create_engine(url: str, **options: Any) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=options["echo"])
    connect_args = {"application_name": "brisa", **options["connect_args"]}
    engine = sa.create_engine(
        url,
        pool_size=options["pool_size"],
        max_overflow=options["max_overflow"],
        pool_recycle=options["pool_recycle"],
        pool_timeout=30,
        connect_args=connect_args,
        echo=options["echo"],
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: sa.Engine) -> None:
    """Ping a pooled connection before use only if it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: one more round trip per
    transaction, and an API request makes two (its user, then its data), which on a busy
    machine was a good part of a request's time. A connection in use a moment ago is
    almost surely alive; one idle for a second or more may have been closed by a database
    restart (which takes longer than that) or an idle timeout, so that one is pinged, and
    replaced when dead. A connection the server drops within a second of its last use
    still fails its next statement: SQLAlchemy then discards the whole pool, and that
    caller sees ``StoreUnavailable`` once (the scheduler and the executor retry; the API
    answers 503).
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn: Any, record: Any) -> None:
        record.info["brisa_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["brisa_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get("brisa_idle_since", 0.0)
        if idle < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"pooled connection is dead: {error}") from error


def _create_private_database(url: str) -> None:
    """Create a missing SQLite file mode 0600: SQLite would make it 0644, and its -wal and
    -shm files take the database file's mode. An existing file keeps its mode."""
    from brisa.private_files import create_private_file

    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    if not database or database.startswith("file:") or parsed.query.get("uri"):
        return
    path = Path(database)
    if path.parent.is_dir():
        create_private_file(path)


def _sqlite_engine(url: str, *, echo: bool) -> sa.Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": _SQLITE_BUSY_MS / 1000},
        "echo": echo,
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        _create_private_database(url)
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how a transaction starts.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        readonly = conn.get_execution_options().get("brisa_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


__all__ = ["Store", "Transaction", "normalize_url", "translate_errors"]
