"""``brisa pools ...``: Airflow 3's pool commands over the metadata database.

``list``, ``get``, ``set``, ``delete``, ``import`` and ``export`` take Airflow's arguments
and read and write Airflow's file format (``{"name": {"slots": N, "description": "...",
"include_deferred": false}}``). Listings add the slots tries hold now (running, queued,
scheduled), which Airflow shows only in its UI. Brisa pools never count deferred tasks:
``--include-deferred`` (and ``include_deferred: true`` in a file) is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render
from brisa.errors import InvalidInputError
from brisa.states import TaskState

POOL_COLUMNS = ("pool", "slots", "description", "include_deferred", "running", "queued", "scheduled")
NO_DEFERRED = "Brisa pools do not count deferred tasks (include_deferred is always false)"


@click.group("pools")
def pools() -> None:
    """Manage pools: named slot budgets that tasks of every DAG share."""


def _store() -> Any:
    return wiring.open_store(wiring.load_settings())


def pool_row(pool: Any, usage: Mapping[str, int]) -> dict[str, Any]:
    """One pool and the slots held in it by state (``tx.tis.pool_usage()[name]``)."""
    return {
        "pool": pool.pool,
        "slots": pool.slots,
        "description": pool.description or "",
        "include_deferred": False,
        "running": usage.get(TaskState.RUNNING.value, 0),
        "queued": usage.get(TaskState.QUEUED.value, 0),
        "scheduled": usage.get(TaskState.SCHEDULED.value, 0),
    }


@pools.command("list")
@output_option
def list_command(output: str) -> None:
    """List pools and the slots in use."""
    with _store().transaction(readonly=True) as tx:
        records = tx.pools.list().items
        usage = tx.tis.pool_usage()
    render([pool_row(p, usage.get(p.pool, {})) for p in records], output, columns=POOL_COLUMNS)


@pools.command("get")
@click.argument("name")
@output_option
def get_command(name: str, output: str) -> None:
    """Show one pool."""
    with _store().transaction(readonly=True) as tx:
        record = tx.pools.require(name)
        usage = tx.tis.pool_usage().get(name, {})
    render([pool_row(record, usage)], output, columns=POOL_COLUMNS)


@pools.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.argument("slots", type=int)
@click.argument("description")
@click.option("--include-deferred", is_flag=True, help="Refused: Brisa pools never count deferred tasks.")
@output_option
def set_command(name: str, slots: int, description: str, include_deferred: bool, output: str) -> None:
    """Create or update the pool NAME with SLOTS slots (-1: unlimited)."""
    if include_deferred:
        raise InvalidInputError(NO_DEFERRED)
    _check_slots(name, slots)
    with _store().transaction() as tx:
        tx.pools.set(name, slots, description)
    click.echo(f"Pool {name} created")


@pools.command("delete")
@click.argument("name")
def delete_command(name: str) -> None:
    """Delete the pool NAME (``default_pool`` cannot be deleted)."""
    with _store().transaction() as tx:
        tx.pools.delete(name)
    click.echo(f"Pool {name} deleted")


@pools.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def import_command(file: str) -> None:
    """Create or update the pools of a JSON FILE (the format ``export`` writes)."""
    pools_in_file = pools_from_document(_read_json(file))
    with _store().transaction() as tx:
        for name, (slots, description) in pools_in_file.items():
            tx.pools.set(name, slots, description)
    click.echo(f"Uploaded {len(pools_in_file)} pool(s)")


@pools.command("export")
@click.argument("file")
def export_command(file: str) -> None:
    """Write every pool to FILE as JSON (``-`` for stdout)."""
    with _store().transaction(readonly=True) as tx:
        records = tx.pools.list().items
    document = {
        p.pool: {"slots": p.slots, "description": p.description or "", "include_deferred": False}
        for p in records
    }
    text = json.dumps(document, indent=4, sort_keys=True)
    if file == "-":
        click.echo(text)
        return
    Path(file).write_text(text + "\n", encoding="utf-8")
    click.echo(f"Exported {len(document)} pools to {file}")


def pools_from_document(document: Any) -> dict[str, tuple[int, str]]:
    """``{name: (slots, description)}`` from Airflow's pool file; every entry checked first."""
    if not isinstance(document, dict):
        raise InvalidInputError("a pools file holds a JSON object: {name: {slots, description}}")
    found: dict[str, tuple[int, str]] = {}
    for name, entry in document.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("slots"), int):
            raise InvalidInputError(f"pool {name!r}: an object with an integer 'slots' is required")
        if entry.get("include_deferred"):
            raise InvalidInputError(f"pool {name!r}: {NO_DEFERRED}")
        _check_slots(name, entry["slots"])
        found[name] = (entry["slots"], str(entry.get("description") or ""))
    return found


def _read_json(file: str) -> Any:
    path = Path(file)
    if not path.is_file():
        raise InvalidInputError(f"missing pools file: {file}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InvalidInputError(f"{file} is not valid JSON ({exc})") from None


def _check_slots(name: str, slots: int) -> None:
    if slots < -1:
        raise InvalidInputError(f"pool {name!r}: slots must be -1 (unlimited) or more, not {slots}")


def register(cli: click.Group) -> None:
    cli.add_command(pools)


__all__ = ["pool_row", "pools", "pools_from_document", "register"]
