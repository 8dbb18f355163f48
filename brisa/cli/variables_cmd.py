"""``brisa variables ...``: Airflow's variable commands over the encrypted metadata database.

``set``, ``get``, ``list``, ``delete``, ``import`` and ``export`` take Airflow's arguments.
Values are stored encrypted with ``[core] fernet_key``. ``get`` reads like a task does
(environment variables first, then the database, per ``[secrets] backends``); ``list``
and ``export`` see the database only, as in Airflow.

Differences from Airflow: ``set -j`` parses VALUE as JSON (Airflow JSON-encodes the
text, storing a quoted string); ``get -j`` prints JSON, not Python's repr;
``list --show-values`` masks values whose key looks sensitive (``--hide-sensitive``
masks every value, as in Airflow); ``export`` writes YAML for a ``.yaml``/``.yml`` file.
"""

from __future__ import annotations

import json
from typing import Any

import click

from brisa.cli.output import output_option, render
from brisa.cli.secrets_wiring import CANNOT_DECRYPT, STDOUT, open_secrets, report, write_private
from brisa.errors import InvalidInputError, NotFoundError
from brisa.secrets.masking import REPLACEMENT

ON_EXISTING = ("overwrite", "fail", "skip")


@click.group("variables")
def variables() -> None:
    """Manage variables (stored encrypted in the metadata database)."""


@variables.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--description", help="Variable description.")
@click.option("-j", "--serialize-json", is_flag=True, help="VALUE is JSON: check it and store it as JSON.")
def set_command(key: str, value: str, description: str | None, serialize_json: bool) -> None:
    """Set KEY to VALUE."""
    stored = json.dumps(_parse_json(value, "VALUE"), indent=2) if serialize_json else value
    with open_secrets() as ctx:
        ctx.service.set_variable(key, stored, description)
    click.echo(f"Variable {key} created")


@variables.command("get")
@click.argument("key")
@click.option("-j", "--deserialize-json", is_flag=True, help="Parse the value as JSON and print it as JSON.")
@click.option("-d", "--default", help="Printed when the variable does not exist.")
def get_command(key: str, deserialize_json: bool, default: str | None) -> None:
    """Print the value of KEY (from the environment or the database)."""
    with open_secrets() as ctx:
        value = ctx.service.get_variable(key)
    if value is None:
        if default is None:
            raise NotFoundError(f"Variable {key} does not exist")
        click.echo(default)
        return
    click.echo(_json_text(_parse_json(value, f"variable {key!r}")) if deserialize_json else value)


@variables.command("list")
@output_option
@click.option("--show-values", is_flag=True, help="Show values too (sensitive ones masked).")
@click.option("--hide-sensitive", is_flag=True, help="With --show-values: mask every value.")
def list_command(output: str, show_values: bool, hide_sensitive: bool) -> None:
    """List the variables stored in the database (keys only by default)."""
    if hide_sensitive and not show_values:
        raise InvalidInputError("--hide-sensitive can only be used with --show-values")
    with open_secrets() as ctx:
        entries = ctx.service.list_variables().items
        masker = ctx.masker
    if not show_values:
        render([{"key": entry.key} for entry in entries], output, columns=["key"])
        return
    rows = [{"key": e.key, "val": _shown_value(e, masker, hide_sensitive)} for e in entries]
    for entry in entries:
        if entry.error:
            click.echo(f"Warning: {entry.error}", err=True)
    render(rows, output, columns=["key", "val"])


def _shown_value(entry: Any, masker: Any, hide_all: bool) -> str:
    if entry.error:
        return CANNOT_DECRYPT
    if hide_all:
        return REPLACEMENT
    return entry.masked(masker).value


@variables.command("delete")
@click.argument("key")
def delete_command(key: str) -> None:
    """Delete the variable KEY from the database."""
    with open_secrets() as ctx:
        ctx.service.delete_variable(key)
    click.echo(f"Variable {key} deleted")


@variables.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-a",
    "--action-on-existing-key",
    type=click.Choice(ON_EXISTING),
    default="overwrite",
    show_default=True,
    help="What to do with a key that already exists.",
)
def import_command(file: str, action_on_existing_key: str) -> None:
    """Import variables from a JSON, YAML or .env FILE."""
    from brisa.secrets.files import read_document, variables_from_document

    values = variables_from_document(read_document(file, what="variables"))
    with open_secrets() as ctx:
        result = ctx.service.import_variables(values, on_existing=action_on_existing_key)
    click.echo(f"{len(result.imported)} of {len(values)} variables successfully updated.")
    if result.skipped:
        click.echo(
            f"The variables with these keys: {list(result.skipped)} were skipped because they already exist"
        )


@variables.command("export")
@click.argument("file")
def export_command(file: str) -> None:
    """Export every variable of the database to FILE (JSON; YAML for .yaml/.yml; - for stdout).

    The file holds the values in clear: it is created readable by its owner only.
    """
    from brisa.secrets.files import dump_document, variables_document

    with open_secrets() as ctx:
        document = variables_document(ctx.service.list_variables().items)
    fmt = "yaml" if file != STDOUT and file.lower().endswith((".yaml", ".yml")) else "json"
    write_private(file, dump_document(document, fmt))
    report(f"{len(document)} variables successfully exported to {file}", file)


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not valid JSON ({exc})") from None


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2)


def register(cli: click.Group) -> None:
    cli.add_command(variables)


__all__ = ["register", "variables"]
