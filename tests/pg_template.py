"""Fresh, migrated PostgreSQL databases cloned from one migrated once per test process.

Running the migrations takes 1-4 s on PostgreSQL; ``CREATE DATABASE ... TEMPLATE`` copies a
migrated database in a fraction of that. The tests that need a database of their own (a
deployment's, a scheduler cluster's) take a clone; tests/store/test_migrations.py and
tests/cli/test_db_cmd.py still run the migrations for real. The template is dropped when
the test process exits.
"""

from __future__ import annotations

import atexit
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from brisa.store import migrate
from brisa.store.sql import Store

_templates: dict[str, str] = {}
"""The template database's name by admin URL (one server per URL)."""


def _admin(admin_url: str) -> sa.Engine:
    # No pool: a test may restart the server in between.
    return sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )


def _url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _template(admin_url: str) -> str:
    name = _templates.get(admin_url)
    if name is not None:
        return name
    name = f"brisa_template_{uuid.uuid4().hex[:10]}"
    admin = _admin(admin_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    store = Store(_url(admin_url, name))
    migrate.upgrade(store)
    store.dispose()  # CREATE DATABASE ... TEMPLATE needs the template without connections
    _templates[admin_url] = name
    atexit.register(_drop_at_exit, admin_url, name)
    return name


def _drop(admin_url: str, name: str) -> None:
    admin = _admin(admin_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _drop_at_exit(admin_url: str, name: str) -> None:
    try:
        _drop(admin_url, name)
    except sa.exc.OperationalError as exc:  # the server is down: a leftover, not a failure
        print(f"could not drop the template database {name}: {exc}")


@contextmanager
def migrated_pg_database(admin_url: str, prefix: str = "brisa_test") -> Iterator[str]:
    """The URL of a new database with Brisa's schema at HEAD, dropped afterwards."""
    template = _template(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin(admin_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _url(admin_url, name)
    finally:
        _drop(admin_url, name)
        admin.dispose()


__all__ = ["migrated_pg_database"]
