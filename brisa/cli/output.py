"""Printing command results: a table for people, JSON/YAML/plain for scripts (``-o``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import click

FORMATS = ("table", "json", "yaml", "plain")
PIPE_WIDTH = 200
"""Table width when stdout is a pipe or a file: rich would otherwise wrap at 80 columns
(Airflow's CLI uses a wide fixed width there too, so ``| grep`` sees whole rows)."""

output_option = click.option(
    "-o", "--output", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def render(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    echo: Callable[[str], None] = click.echo,
) -> None:
    rows = [_plain(r) for r in rows]
    if fmt == "json":
        echo(json.dumps(rows, indent=2, default=str))
        return
    if fmt == "yaml":
        import yaml

        echo(yaml.safe_dump(rows, sort_keys=False, default_flow_style=False).rstrip())
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "plain":
        for row in rows:
            echo("\t".join("" if row.get(c) is None else str(row.get(c)) for c in columns))
        return
    _table(rows, columns)


def render_one(row: dict[str, Any], fmt: str) -> None:
    render([row], fmt)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not rows:
        click.echo("No data found")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else PIPE_WIDTH)
    with console.capture() as captured:
        console.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


__all__ = ["FORMATS", "output_option", "render", "render_one"]
