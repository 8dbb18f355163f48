"""``brisa plugins``: the plugins of the plugins folder, as Airflow 3's ``airflow plugins``."""

from __future__ import annotations

from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render


def register(cli: click.Group) -> None:
    cli.add_command(plugins)


@click.command("plugins")
@output_option
def plugins(output: str) -> None:
    """List the loaded plugins (name, source, timetables, macros); failed files go to stderr."""
    from brisa.plugins import active_plugins

    wiring.load_settings()
    loaded = active_plugins()
    for path, error in loaded.errors.items():
        click.echo(f"Failed to load plugin {path}: {error}", err=True)
    rows = loaded.describe()
    if output in ("table", "plain"):
        rows = [{key: _joined(value) for key, value in row.items()} for row in rows]
    render(rows, output)


def _joined(value: Any) -> Any:
    return ", ".join(value) if isinstance(value, list) else value
