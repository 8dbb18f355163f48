"""``brisa config``: show the effective configuration and where each value came from.

``brisa config list --defaults [--section S]`` prints a commented template of every option
at its default (Airflow's ``config list --defaults``). ``brisa config list [--section S]
[-o table|json|env]`` masks secrets (fernet and secret
keys, passwords inside URLs, keys with sensitive names); ``brisa config get-value
SECTION KEY`` prints one raw value, unmasked, as Airflow's command of that name does
(Airflow's old locations such as ``core sql_alchemy_conn`` are accepted).
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from brisa.config import ConfigItem, Settings, default_entries, load_settings
from brisa.errors import NotFoundError

UNKNOWN_NOTE = " (not used by Brisa)"


@click.group("config")
def config_group() -> None:
    """Show Brisa's effective configuration."""


@config_group.command("list")
@click.option("--section", help="Only this section (e.g. core, database, api).")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "plain", "env"]),
    default="table",
    show_default=True,
    help="table: aligned columns; json/yaml: {section: {key: {value, source}}}; "
    "plain: tab-separated; env: BRISA__ variables.",
)
@click.option(
    "--defaults",
    is_flag=True,
    help="Print a commented template of every option at its default, ignoring the configuration.",
)
def list_command(section: str | None, output: str, defaults: bool) -> None:
    """List every effective value and its source; secrets are masked."""
    settings = load_settings(os.environ)
    if defaults:
        click.echo(render_defaults(settings.home, section))
        return
    items = settings.items(section)
    if section and not items:
        raise NotFoundError(f"no options in section [{section.lower()}]")
    renderers = {
        "table": render_table,
        "json": render_json,
        "yaml": render_yaml,
        "plain": render_plain,
        "env": render_env,
    }
    click.echo(renderers[output](settings, items))


@config_group.command("get-value")
@click.argument("section")
@click.argument("key")
def get_value_command(section: str, key: str) -> None:
    """Print the raw (unmasked) value of one option."""
    click.echo(load_settings(os.environ).raw_value(section, key))


def render_table(settings: Settings, items: Sequence[ConfigItem]) -> str:
    header = ("SECTION", "KEY", "VALUE", "SOURCE")
    rows = [header, *((i.section, i.key, i.display_value, _source(i)) for i in items)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [f"# home: {settings.home}", f"# config file: {settings.config_file or '(none)'}"]
    for row in rows:
        lines.append(
            "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]])
        )
    return "\n".join(line.rstrip() for line in lines)


def render_json(settings: Settings, items: Sequence[ConfigItem]) -> str:
    document: dict[str, dict[str, dict[str, object]]] = {}
    for item in items:
        entry: dict[str, object] = {"value": item.display_value, "source": item.source}
        if not item.known:
            entry["known"] = False
        document.setdefault(item.section, {})[item.key] = entry
    return json.dumps(document, indent=2)


def render_yaml(settings: Settings, items: Sequence[ConfigItem]) -> str:
    import yaml

    document = json.loads(render_json(settings, items))
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False).rstrip()


def render_plain(settings: Settings, items: Sequence[ConfigItem]) -> str:
    return "\n".join("\t".join((i.section, i.key, i.display_value, _source(i))) for i in items)


def render_env(settings: Settings, items: Sequence[ConfigItem]) -> str:
    return "\n".join(
        f"BRISA__{item.section.upper()}__{item.key.upper()}={shlex.quote(item.display_value)}"
        for item in items
    )


TEMPLATE_HEADER = (
    "# Brisa's options at their defaults, commented out (brisa config list --defaults).",
    "# Save as $BRISA_HOME/brisa.cfg (Airflow's airflow.cfg is read too) and uncomment what you",
    "# change; every option can also be set as BRISA__SECTION__KEY or AIRFLOW__SECTION__KEY.",
)


def render_defaults(home: Path, section: str | None = None) -> str:
    """Airflow's ``config list --defaults``: an ini template, each option commented out."""
    entries = [(o, i) for o, i in default_entries(home) if section is None or o.section == section.lower()]
    if not entries:
        raise NotFoundError(f"no options in section [{(section or '').lower()}]")
    lines = list(TEMPLATE_HEADER)
    current = None
    for option, item in entries:
        if option.section != current:
            current = option.section
            lines += ["", f"[{current}]"]
        lines += _option_lines(option, item)
    return "\n".join(line.rstrip() for line in lines)


def _option_lines(option: Any, item: ConfigItem) -> list[str]:
    name = f"{option.section.upper()}__{option.key.upper()}"
    lines = [f"# Variable: BRISA__{name} (or AIRFLOW__{name})"]
    if option.aliases:
        lines.append("# Also read from: " + ", ".join(f"[{s}] {k}" for s, k in option.aliases))
    if item.source != "default":
        lines.append(f"# The default is computed: {item.source}")
    return [*lines, f"# {option.key} = {item.value}", "#"]


def _source(item: ConfigItem) -> str:
    return item.source if item.known else item.source + UNKNOWN_NOTE


def register(cli: click.Group) -> None:
    cli.add_command(config_group)


__all__ = [
    "config_group",
    "register",
    "render_defaults",
    "render_env",
    "render_json",
    "render_plain",
    "render_table",
    "render_yaml",
]
