"""Create and upgrade the metadata database's schema with Alembic."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from brisa.errors import StoreError
from brisa.store.migrations import HEAD
from brisa.store.sql import Store, translate_errors


def _alembic_config(connection: sa.Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "brisa.store:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(store: Store) -> str | None:
    with translate_errors(), store.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def is_current(store: Store) -> bool:
    return current_revision(store) == HEAD


def upgrade(store: Store) -> str:
    """Bring the schema to the newest revision; returns the revision reached."""
    from alembic import command

    with translate_errors(), store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    with store.transaction() as tx:
        tx.pools.ensure_default()
    return HEAD


def ensure_current(store: Store) -> None:
    """Upgrade only when needed (cheap check first): used by ``brisa standalone``."""
    if not is_current(store):
        upgrade(store)


def check(store: Store) -> str:
    """Raise StoreError unless the database answers and its schema is current."""
    revision = current_revision(store)
    if revision != HEAD:
        raise StoreError(
            f"the metadata database is at revision {revision or 'none'}, Brisa needs {HEAD}: "
            "run `brisa db migrate`"
        )
    return revision


def is_behind(store: Store) -> bool:
    """The schema is older than this Brisa's (or absent): ``brisa db migrate`` would help."""
    revision = current_revision(store)
    return revision is None or (revision != HEAD and revision < HEAD)


def reset(store: Store) -> None:
    """Drop every table Brisa knows, then create them again."""
    from brisa.store.schema import metadata

    with translate_errors(), store.engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(store)


def utcnow() -> datetime:
    return datetime.now(UTC)
