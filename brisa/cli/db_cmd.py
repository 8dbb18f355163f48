"""``brisa db ...``: create, upgrade, check, reset, clean and import (from Airflow) the metadata database."""

from __future__ import annotations

import time
from typing import Any

import click

from brisa.cli import wiring
from brisa.errors import StoreUnavailable

CHECK_INTERVAL_SECONDS = 1.0


def register(cli: click.Group) -> None:
    from brisa.cli.db_clean import db_clean
    from brisa.cli.db_import import db_import_airflow

    db.add_command(db_clean)
    db.add_command(db_import_airflow)
    cli.add_command(db)
    cli.add_command(initdb)


@click.group()
def db() -> None:
    """Manage the metadata database."""


def _migrate(to_revision: str = "head") -> None:
    from brisa.store import migrate

    settings = wiring.prepare_settings()
    store = wiring.open_store(settings)
    revision = migrate.upgrade(store, to_revision)
    click.echo(f"Database migrated to revision {revision} ({_safe_url(store.url)}).")


_TO = click.option("-r", "--to-revision", help="The revision to reach (default: the newest).")
_FROM = click.option(
    "--from-revision", help="With --show-sql-only: the revision to start from (default: the database's)."
)
_SQL_ONLY = click.option(
    "-s", "--show-sql-only", is_flag=True, help="Print the SQL instead of running it (PostgreSQL only)."
)


@db.command("migrate")
@_TO
@_FROM
@_SQL_ONLY
def db_migrate(to_revision: str | None, from_revision: str | None, show_sql_only: bool) -> None:
    """Create or upgrade the schema to the newest revision (Heroku's release phase)."""
    if show_sql_only:
        _print_sql(from_revision, to_revision or "head", down=False)
        return
    _migrate(to_revision or "head")


@db.command("downgrade")
@click.option(
    "-r", "--to-revision", required=True, help="The revision to go back to (base: drop everything)."
)
@_FROM
@_SQL_ONLY
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def db_downgrade(to_revision: str, from_revision: str | None, show_sql_only: bool, yes: bool) -> None:
    """Take the schema back to an older revision (the newer tables' data is lost), as Airflow's."""
    from brisa.store import migrate

    if show_sql_only:
        _print_sql(from_revision, to_revision, down=True)
        return
    store = wiring.open_store(wiring.load_settings())
    if not yes:
        click.confirm(
            f"Downgrade {_safe_url(store.url)} to revision {to_revision}? Newer tables lose their data.",
            abort=True,
        )
    revision = migrate.downgrade(store, to_revision)
    click.echo(f"Database downgraded to revision {revision} ({_safe_url(store.url)}).")


def _print_sql(from_revision: str | None, to_revision: str, *, down: bool) -> None:
    from brisa.store import migrate

    store = wiring.open_store(wiring.load_settings())
    start = from_revision or migrate.current_revision(store) or "base"
    click.echo(migrate.offline_sql(store.url, from_revision=start, to=to_revision, down=down), nl=False)


@db.command("init")
def db_init() -> None:
    """Alias of ``brisa db migrate`` (Airflow 2's name)."""
    _migrate()


@click.command("initdb")
def initdb() -> None:
    """Alias of ``brisa db migrate`` (Airflow 1.10's name, used by the seed's Procfile)."""
    _migrate()


@db.command("check")
def db_check() -> None:
    """Exit 0 when the database answers and its schema is current."""
    from brisa.store import migrate

    store = wiring.open_store(wiring.load_settings())
    store.ping()
    revision = migrate.check(store)
    click.echo(f"Database OK, schema at revision {revision}.")


@db.command("check-migrations")
@click.option(
    "-t",
    "--migration-wait-timeout",
    "timeout",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Seconds to wait for the schema to become current.",
)
def db_check_migrations(timeout: int) -> None:
    """Wait until the schema is current (another process migrates it); exit 1 after the timeout.

    For an init container or a release step that must not start before ``db migrate``; an
    unreachable database counts as not migrated yet until the timeout."""
    store = wiring.open_store(wiring.load_settings())
    deadline = time.monotonic() + timeout
    while not _is_current(store):
        if time.monotonic() >= deadline:
            raise click.ClickException(
                f"There are still unapplied migrations after {timeout} seconds: run `brisa db migrate`"
            )
        time.sleep(CHECK_INTERVAL_SECONDS)
    click.echo("DB migrations done.")


def _is_current(store: Any) -> bool:
    from brisa.store import migrate

    try:
        return migrate.is_current(store)
    except StoreUnavailable:
        return False


@db.command("reset")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def db_reset(yes: bool) -> None:
    """Drop every table and create them again (all history is lost)."""
    from brisa.store import migrate

    store = wiring.open_store(wiring.load_settings())
    if not yes:
        click.confirm(f"This drops all data in {_safe_url(store.url)}. Continue?", abort=True)
    migrate.reset(store)
    click.echo("Database reset.")


def _safe_url(url: str) -> str:
    from brisa.config import mask_url_passwords

    return mask_url_passwords(url)
