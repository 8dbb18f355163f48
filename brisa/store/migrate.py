"""Create and upgrade the metadata database's schema with Alembic."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from brisa.errors import InvalidInputError, StoreError
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


def upgrade(store: Store, to: str = "head") -> str:
    """Bring the schema to ``to`` (the newest revision by default); returns the revision reached."""
    from alembic import command

    target = _known(to)
    with translate_errors(), store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), target)
    if target in ("head", HEAD):
        with store.transaction() as tx:
            tx.pools.ensure_default()
    return current_revision(store) or "base"


def downgrade(store: Store, to: str) -> str:
    """Take the schema back to ``to`` (``base``: no table left); returns the revision reached."""
    from alembic import command

    with translate_errors(), store.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), _known(to))
    return current_revision(store) or "base"


def offline_sql(url: str, *, from_revision: str, to: str, down: bool = False) -> str:
    """The SQL that would take the schema from ``from_revision`` to ``to``, run nowhere (for a
    DBA to review or apply). PostgreSQL only, as in Airflow: SQLite's table rebuilds need
    the live database."""
    import io

    from alembic import command
    from alembic.config import Config

    if url.startswith("sqlite"):
        raise InvalidInputError("SQL-only migrations are not supported on SQLite, as in Airflow")
    output = io.StringIO()
    cfg = Config(output_buffer=output)
    cfg.set_main_option("script_location", "brisa.store:migrations")
    cfg.attributes["url"] = url
    span = f"{_known(from_revision)}:{_known(to)}"
    with translate_errors():
        (command.downgrade if down else command.upgrade)(cfg, span, sql=True)
    return output.getvalue()


def revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "brisa.store:migrations")
    return [script.revision for script in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]


def _known(revision: str) -> str:
    if revision in ("head", "base") or revision in revisions():
        return revision
    known = ", ".join(revisions())
    raise InvalidInputError(f"unknown revision {revision!r}: Brisa's are {known} (or head, base)")


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


def is_older(revision: str | None) -> bool:
    """A schema at ``revision`` is older than this Brisa's (or absent): ``brisa db migrate``
    would bring it up to date. Revisions are zero-padded numbers, so they sort as text."""
    return revision is None or revision < HEAD


def reset(store: Store) -> None:
    """Drop every table Brisa knows, then create them again."""
    from brisa.store.schema import metadata

    with translate_errors(), store.engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(store)


def utcnow() -> datetime:
    return datetime.now(UTC)
