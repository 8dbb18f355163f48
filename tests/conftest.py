"""Shared fixtures: stores on every backend Brisa supports, a fixed clock, DAG builders."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from brisa.store import migrate
from brisa.store.schema import metadata
from brisa.store.sql import Store
from tests.smtp_server import SmtpServer, smtp_server

if TYPE_CHECKING:
    from tests.app_shells import AppShells

# Brisa's own tests decide when the import shim is installed (brisa/compat). The hook that
# brisa-airflow.pth adds at start for users' test suites and scripts would answer
# `import airflow` in between; subprocesses keep it (tests/cli/test_outside.py drives it).
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "LazyAirflowFinder"]


@pytest.fixture(autouse=True)
def _import_shim_left_as_found() -> Iterator[None]:
    """A test that installs the airflow import shim (running a task in-process, reading a
    provider hook's form) takes it away again: later tests expect the process as it was."""
    from brisa.compat import uninstall_shim
    from brisa.compat.finder import AirflowShimFinder

    before = any(isinstance(f, AirflowShimFinder) for f in sys.meta_path)
    yield
    if not before:
        uninstall_shim()


PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_engine() -> sa.Engine:
    return sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"brisa_test_{uuid.uuid4().hex[:10]}"
    engine = _pg_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    store = Store(url)
    migrate.upgrade(store)
    store.dispose()
    engine.dispose()
    yield url
    # A fresh engine: tests restart the PostgreSQL server, which ends pooled connections.
    engine = _pg_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def pg_scratch_database() -> Iterator[str]:
    """An empty PostgreSQL database (no Brisa schema) for the SQL a DAG runs; its name.

    Dropped after the test (mark such tests ``postgres``)."""
    name = f"brisa_sql_{uuid.uuid4().hex[:10]}"
    engine = _pg_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield name
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _truncate(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    with store.transaction() as tx:
        tx.pools.ensure_default()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database file migrated once (``migrate.upgrade``, as for a new store) that the
    SQLite stores below start as a copy of: the migrations take 0.1-0.3 s per store, and
    tests/store/test_migrations.py and tests/cli/test_db_cmd.py run them for real."""
    path = tmp_path_factory.mktemp("sqlite-template") / "brisa.db"
    s = Store(f"sqlite:///{path}")
    migrate.upgrade(s)
    s.dispose()
    return path


def sqlite_store(template: Path, url: str = "sqlite://") -> Store:
    """A migrated, empty SQLite store at ``url`` (in memory by default), copied from ``template``."""
    if url != "sqlite://":
        shutil.copy(template, url.removeprefix("sqlite:///"))
        return Store(url)
    s = Store(url)
    source = sqlite3.connect(template)
    try:
        with s.engine.connect() as conn:
            source.backup(conn.connection.dbapi_connection)  # type: ignore[arg-type]
    finally:
        source.close()
    return s


@pytest.fixture(params=["sqlite-memory", "sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    if request.param == "sqlite-memory":
        s = sqlite_store(sqlite_template)
    elif request.param == "sqlite-file":
        s = sqlite_store(sqlite_template, f"sqlite:///{tmp_path}/brisa.db")
    else:
        s = Store(request.getfixturevalue("pg_database"))
        _truncate(s)
    yield s
    s.dispose()


@pytest.fixture
def pg_store(pg_database: str) -> Iterator[Store]:
    """A migrated, empty store on PostgreSQL only (mark such tests ``postgres``)."""
    s = Store(pg_database)
    _truncate(s)
    yield s
    s.dispose()


@pytest.fixture
def memory_store(sqlite_template: Path) -> Iterator[Store]:
    s = sqlite_store(sqlite_template)
    yield s
    s.dispose()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port; ``smtp.received`` holds what it got."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def app_shells() -> AppShells:
    """Apps built once and lent to one test at a time (the ``api`` and ``app`` fixtures)."""
    from tests.app_shells import AppShells

    return AppShells()
