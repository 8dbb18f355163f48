"""``brisa providers``: install provider packages without Apache Airflow, and list them."""

from __future__ import annotations

from pathlib import Path

import click

from brisa.cli.output import output_option, render

PROVIDERS_FILE = "providers.txt"


def register(cli: click.Group) -> None:
    cli.add_command(providers)


@click.group("providers")
def providers() -> None:
    """Airflow's provider packages on Brisa (docs/providers.md)."""


@providers.command("list")
@output_option
def list_(output: str) -> None:
    """List the providers DAG files can import: installed ones and Brisa's own (source)."""
    from brisa.providers.registry import list_providers

    rows = [
        {
            "package_name": p.package_name,
            "description": p.summary,
            "version": p.version,
            "source": p.source,
        }
        for p in list_providers()
    ]
    render(rows, output)


@providers.command("install")
@click.argument("names", nargs=-1)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Install the providers a providers file lists (a deploy's bin/post_compile).",
)
@click.option(
    "--file",
    "record_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROVIDERS_FILE,
    show_default=True,
    help="Record the installed providers, pinned, in this file (the deploy installs it).",
)
@click.option("--no-record", is_flag=True, help="Do not write the providers file.")
@click.option(
    "-c",
    "--constraint",
    "constraints",
    multiple=True,
    help="A pip constraints file or URL (e.g. Airflow's constraints for old provider releases).",
)
def install(
    names: tuple[str, ...],
    from_file: Path | None,
    record_file: Path,
    no_record: bool,
    constraints: tuple[str, ...],
) -> None:
    """Install provider packages (http, amazon, common.sql, apache-airflow-providers-ssh==4.0.0...)
    and their requirements, without Apache Airflow."""
    from brisa.providers.installer import Pip, install_providers, read_recorded, record

    specs = [*names, *(read_recorded(from_file) if from_file is not None else [])]
    result = install_providers(specs, Pip(constraints=constraints))
    for requirement, why in sorted(result.skipped.items()):
        click.echo(f"Skipped {requirement}: {why}")
    for name, version in result.installed.items():
        click.echo(f"Installed {name}=={version}")
    if not no_record and from_file is None:
        record(record_file, result.pins())
        click.echo(f"Recorded in {record_file}")
