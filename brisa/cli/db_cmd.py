"""``brisa db ...``: create, upgrade, check, reset, clean and import (from Airflow) the metadata database."""

from __future__ import annotations

import click

from brisa.cli import wiring


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


def _migrate() -> None:
    from brisa.store import migrate

    settings = wiring.prepare_settings()
    store = wiring.open_store(settings)
    revision = migrate.upgrade(store)
    click.echo(f"Database migrated to revision {revision} ({_safe_url(store.url)}).")


@db.command("migrate")
def db_migrate() -> None:
    """Create or upgrade the schema to the newest revision (Heroku's release phase)."""
    _migrate()


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
