"""``brisa info`` and ``brisa cheat-sheet``: Airflow's commands of those names.

``info`` lists what a bug report needs (versions, executor, database with its password
masked, folders, system, key packages); ``--anonymize`` hides the user and host names.
``cheat-sheet`` lists every command with its one-line help.
"""

from __future__ import annotations

import getpass
import locale
import os
import platform
import socket
import sys
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render

PACKAGES = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "pydantic",
    "jinja2",
    "cryptography",
    "celery",
    "psycopg",
)
ANONYMIZED = "..."


@click.command("info")
@output_option
@click.option("--anonymize", is_flag=True, help="Hide user and host names (for a public bug report).")
def info_command(output: str, anonymize: bool) -> None:
    """Show information about the installation, for bug reports."""
    rows = list(_rows(wiring.load_settings()))
    if anonymize:
        rows = [{**row, "value": _anonymized(row["value"])} for row in rows]
    render(rows, output, columns=["section", "key", "value"])


def _rows(settings: Any) -> Iterator[dict[str, str]]:
    from brisa.config import mask_url_passwords

    brisa_info = {
        "version": _version("brisa"),
        "executor": settings.core.executor,
        "sql_alchemy_conn": mask_url_passwords(settings.database.sql_alchemy_conn),
        "dags_folder": str(settings.core.dags_folder),
        "brisa_home": str(settings.home),
        "config_file": str(settings.config_file or ""),
        "platform": settings.platform or "",
        "apache_airflow": _version("apache-airflow") or "not installed",
    }
    system_info = {
        "OS": platform.system(),
        "architecture": platform.machine(),
        "uname": " ".join(platform.uname()),
        "locale": str(locale.getlocale()),
        "python_version": sys.version.replace("\n", " "),
        "python_location": sys.executable,
    }
    paths_info = {"system_path": os.environ.get("PATH", ""), "python_path": os.pathsep.join(sys.path)}
    sections = {"brisa": brisa_info, "system": system_info, "paths": paths_info}
    sections["packages"] = {name: _version(name) or "not installed" for name in PACKAGES}
    for section, values in sections.items():
        for key, value in values.items():
            yield {"section": section, "key": key, "value": value}


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def _anonymized(value: str) -> str:
    for secret in {_user(), socket.gethostname(), socket.getfqdn()} - {"", "localhost"}:
        value = value.replace(secret, ANONYMIZED)
    return value


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


@click.command("cheat-sheet")
@click.pass_context
def cheat_sheet_command(ctx: click.Context) -> None:
    """Every command with its one-line help."""
    root = ctx.find_root().command
    assert isinstance(root, click.Group)
    for path, command in sorted(_walk(root, ())):
        click.echo(f"brisa {' '.join(path):<40} {command.get_short_help_str(limit=80)}")


def _walk(group: click.Group, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from _walk(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def register(cli: click.Group) -> None:
    cli.add_command(info_command)
    cli.add_command(cheat_sheet_command)


__all__ = ["cheat_sheet_command", "info_command", "register"]
