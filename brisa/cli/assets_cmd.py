"""``brisa assets list/details/materialize``: Airflow 3's asset commands.

``list`` shows assets (``--alias``: aliases) with ``--columns``; ``details`` one asset by
``--name`` and/or ``--uri`` (or one alias by ``--name --alias``); ``materialize``
triggers the one DAG whose tasks produce the asset.  Brisa records that run as a
manual run (Airflow 3.1+ gives it the ``asset_materialization`` run type).
"""

from __future__ import annotations

import getpass
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render
from brisa.errors import InvalidInputError, NotFoundError

DEFAULT_COLUMNS = ("name", "uri", "group", "extra")


@click.group("assets")
def assets() -> None:
    """Manage assets (datasets in Airflow 2.x files)."""


def _store() -> Any:
    return wiring.open_store(wiring.load_settings())


@assets.command("list")
@click.option("--alias", is_flag=True, help="List asset aliases instead.")
@click.option(
    "--columns",
    default=",".join(DEFAULT_COLUMNS),
    show_default=True,
    help="Comma-separated columns to show.",
)
@output_option
def list_command(alias: bool, columns: str, output: str) -> None:
    """List assets, by name."""
    from brisa.assets.views import asset_fields

    with _store().transaction(readonly=True) as tx:
        if alias:
            rows = [
                {"id": i, "name": n, "group": g} for i, n, g in tx.assets.list_aliases(order_by="name")[0]
            ]
            wanted = [c for c in columns.split(",") if c in ("id", "name", "group")] or [
                "id",
                "name",
                "group",
            ]
        else:
            records, _ = tx.assets.list(order_by="name", limit=2**31 - 1)
            rows = asset_fields(tx, records)
            wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if rows and c not in rows[0]]
    if unknown:
        raise InvalidInputError(f"unknown column(s): {', '.join(unknown)}")
    render([{c: r[c] for c in wanted} for r in rows], output, columns=wanted)


@assets.command("details")
@click.option("--alias", is_flag=True, help="Show an asset alias (needs --name).")
@click.option("--name", default="", help="Asset name.")
@click.option("--uri", default="", help="Asset URI.")
@output_option
def details_command(alias: bool, name: str, uri: str, output: str) -> None:
    """Show one asset (or alias) with its consumers, producers and last event."""
    from brisa.assets.views import asset_fields
    from brisa.services.assets import find_asset

    with _store().transaction(readonly=True) as tx:
        data = _alias(tx, name, uri) if alias else asset_fields(tx, [find_asset(tx, name=name, uri=uri)])[0]
    if output in ("table", "plain"):
        render([{"property_name": k, "property_value": v} for k, v in data.items()], output)
    else:
        render([data], output)


def _alias(tx: Any, name: str, uri: str) -> dict[str, Any]:
    if not name:
        raise InvalidInputError("Required --name with --alias")
    if uri:
        raise InvalidInputError("Cannot use --uri with --alias")
    for alias_id, alias_name, group in tx.assets.aliases():
        if alias_name == name:
            return {"id": alias_id, "name": alias_name, "group": group}
    raise NotFoundError(f"Asset alias with name {name} does not exist.")


@assets.command("materialize")
@click.option("--name", default="", help="Asset name.")
@click.option("--uri", default="", help="Asset URI.")
@output_option
def materialize_command(name: str, uri: str, output: str) -> None:
    """Trigger the DAG that produces the asset."""
    from brisa.api.views import run_response
    from brisa.services.assets import find_asset, materialize

    store = _store()
    with store.transaction() as tx:
        asset = find_asset(tx, name=name, uri=uri)
        run = materialize(tx, asset.id, now=wiring.utcnow(), triggered_by="cli", triggering_user=_user())
    render([run_response(run).model_dump(mode="json")], output)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def register(cli: click.Group) -> None:
    cli.add_command(assets)


__all__ = ["assets", "register"]
