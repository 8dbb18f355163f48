"""``brisa connections ...``: Airflow's connection commands over the encrypted metadata database.

``add``, ``get``, ``list``, ``delete``, ``import``, ``export`` and ``test`` take Airflow's
arguments. Passwords and extras are stored encrypted with ``[core] fernet_key``.

Differences from Airflow: ``get`` shows the password and sensitive extra fields as
``***`` unless ``--show-secrets`` is given (Airflow prints them); ``list --show-values``
always masks them (``--hide-sensitive`` is accepted for compatibility); ``get`` has no
``id``/``is_encrypted`` columns (the connection may come from the environment);
``import`` checks every entry before writing any and writes them in one transaction;
``test`` needs no ``[core] test_connection`` setting (it is an administrator's command),
exits 1 when the check fails and 2 when no check exists for the type.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from brisa.cli.output import output_option, render
from brisa.cli.secrets_wiring import CANNOT_DECRYPT, STDOUT, open_secrets, report, write_private
from brisa.errors import ConflictError, InvalidInputError, NotFoundError, SecretsError

ALTERNATIVE_SPECS = ("conn_type", "conn_host", "conn_login", "conn_password", "conn_schema", "conn_port")
DETAIL_COLUMNS = (
    "conn_id",
    "conn_type",
    "description",
    "host",
    "schema",
    "login",
    "password",
    "port",
    "extra_dejson",
    "get_uri",
)


@click.group("connections")
def connections() -> None:
    """Manage connections (passwords and extras stored encrypted)."""


# -- add ---------------------------------------------------------------------------------------


@connections.command("add")
@click.argument("conn_id")
@click.option("--conn-uri", help="Connection URI (conn-type://login:password@host:port/schema?extra).")
@click.option("--conn-json", help='Connection as JSON ({"conn_type": ..., "host": ...}).')
@click.option("--conn-type", help="Connection type (required without --conn-uri/--conn-json).")
@click.option("--conn-host")
@click.option("--conn-login")
@click.option("--conn-password")
@click.option("--conn-schema")
@click.option("--conn-port", type=int)
@click.option("--conn-extra", help="Extra as a JSON object.")
@click.option("--conn-description")
def add_command(conn_id: str, **options: Any) -> None:
    """Add the connection CONN_ID (it must not exist yet)."""
    conn = connection_from_options(conn_id, options)
    _warn_unknown_type(conn.get("conn_type"))
    with open_secrets() as ctx:
        try:
            ctx.service.set_connection(conn, overwrite=False)
        except ConflictError:
            raise ConflictError(f"A connection with `conn_id`={conn_id} already exists.") from None
        masker = ctx.masker
    click.echo(f"Successfully added `conn_id`={conn_id}")
    shown = {key: conn.get(key) for key in ("conn_id", "conn_type", "host", "login", "port")}
    render([{**shown, "extra": masker.redact(conn.get("extra") or {})}], "table")


def _warn_unknown_type(conn_type: str | None) -> None:
    """Say so when no hook here serves ``conn_type`` (a typo, or a provider not installed);
    the connection is stored anyway, as Airflow does, since a DAG may read it directly."""
    from brisa.providers.forms import known_conn_types

    known = known_conn_types()
    if conn_type and conn_type not in known:
        click.echo(
            f"Warning: no installed provider serves conn_type {conn_type!r} (brisa providers list; "
            f"brisa providers install NAME). Known types: {', '.join(known)}",
            err=True,
        )


def connection_from_options(conn_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """The connection dict the ``add`` options describe (Airflow's rules for combining them)."""
    from brisa.secrets.uri import connection_from_json, normalize_conn_type, parse_uri

    uri, as_json, extra = options.get("conn_uri"), options.get("conn_json"), options.get("conn_extra")
    _check_option_combination(options)
    description = options.get("conn_description")
    if uri:
        fields = {**parse_uri(uri), "description": description}
        if extra is not None:
            fields["extra"] = _extra_option(extra)
    elif as_json:
        fields = connection_from_json(as_json)
        if not fields.get("conn_type"):
            raise InvalidInputError("conn-json is invalid; must supply conn-type")
        fields["description"] = fields.get("description") or description
    else:
        fields = {
            "conn_type": normalize_conn_type(options["conn_type"]),
            "description": description,
            "host": options.get("conn_host"),
            "login": options.get("conn_login"),
            "password": options.get("conn_password"),
            "schema": options.get("conn_schema"),
            "port": options.get("conn_port"),
            "extra": _extra_option(extra) if extra is not None else {},
        }
    return {"conn_id": conn_id, **fields}


def _check_option_combination(options: dict[str, Any]) -> None:
    uri, as_json = options.get("conn_uri"), options.get("conn_json")
    if not options.get("conn_type") and not (uri or as_json):
        raise InvalidInputError("Must supply either conn-uri or conn-json if not supplying conn-type")
    if uri and as_json:
        raise InvalidInputError("Cannot supply both conn-uri and conn-json")
    if not (uri or as_json):
        return
    invalid = [f"--{name.replace('_', '-')}" for name in ALTERNATIVE_SPECS if options.get(name) is not None]
    if as_json and options.get("conn_extra") is not None:
        invalid.append("--conn-extra")
    if invalid:
        flag = "--conn-uri" if uri else "--conn-json"
        raise InvalidInputError(f"The following args are not compatible with the {flag} flag: {invalid}")


def _extra_option(text: str) -> dict[str, Any]:
    try:
        extra = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise InvalidInputError(f"--conn-extra is not valid JSON ({exc})") from None
    if not isinstance(extra, dict):
        raise InvalidInputError("--conn-extra must be a JSON object")
    return extra


# -- get / list ------------------------------------------------------------------------------------


@connections.command("get")
@click.argument("conn_id")
@output_option
@click.option("--show-secrets", is_flag=True, help="Show the password and extra in clear.")
def get_command(conn_id: str, output: str, show_secrets: bool) -> None:
    """Show the connection CONN_ID (from the environment or the database)."""
    with open_secrets() as ctx:
        conn = ctx.service.get_connection(conn_id)
        masker = ctx.masker
    if conn is None:
        raise NotFoundError(f"Connection {conn_id!r} not found.")
    render([detail_row(conn, masker, show_secrets=show_secrets)], output, columns=DETAIL_COLUMNS)


def detail_row(conn: dict[str, Any], masker: Any, *, show_secrets: bool = False) -> dict[str, Any]:
    """Airflow's columns for one connection; secrets masked unless ``show_secrets``."""
    from brisa.secrets.uri import format_uri
    from brisa.secrets.views import mask_connection, masked_connection_uri

    shown = conn if show_secrets else mask_connection(conn, masker)
    row = {name: shown.get(name) for name in DETAIL_COLUMNS[:-2]}
    row["extra_dejson"] = shown.get("extra") or {}
    row["get_uri"] = format_uri(conn) if show_secrets else masked_connection_uri(conn, masker)
    return row


@connections.command("list")
@output_option
@click.option("--conn-id", help="Only this connection.")
@click.option("--show-values", is_flag=True, help="Show every field (password and secrets masked).")
@click.option("--hide-sensitive", is_flag=True, help="Accepted for Airflow compatibility: always on.")
def list_command(output: str, conn_id: str | None, show_values: bool, hide_sensitive: bool) -> None:
    """List the connections stored in the database (ids and types by default)."""
    if hide_sensitive and not show_values:
        raise InvalidInputError("--hide-sensitive can only be used with --show-values")
    with open_secrets() as ctx:
        entries = ctx.service.list_connections().items
        masker = ctx.masker
    entries = [e for e in entries if conn_id is None or e.conn_id == conn_id]
    if not show_values:
        rows = [{"conn_id": e.conn_id, "conn_type": e.conn_type} for e in entries]
        render(rows, output, columns=["conn_id", "conn_type"])
        return
    rows = []
    for entry in entries:
        row = detail_row(entry.fields(), masker)
        if entry.error:
            click.echo(f"Warning: {entry.error}", err=True)
            row["password"] = row["get_uri"] = CANNOT_DECRYPT
        rows.append(row)
    render(rows, output, columns=DETAIL_COLUMNS)


# -- delete / import / export ----------------------------------------------------------------------


@connections.command("delete")
@click.argument("conn_id")
def delete_command(conn_id: str) -> None:
    """Delete the connection CONN_ID from the database."""
    with open_secrets() as ctx:
        try:
            ctx.service.delete_connection(conn_id)
        except NotFoundError:
            raise NotFoundError(f"Did not find a connection with `conn_id`={conn_id}") from None
    click.echo(f"Successfully deleted connection with `conn_id`={conn_id}")


@connections.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace existing connections (default: skip them).")
def import_command(file: str, overwrite: bool) -> None:
    """Import connections from a JSON, YAML or .env FILE."""
    from brisa.secrets.files import connections_from_document, read_document

    conns = connections_from_document(read_document(file, what="connections"), path=file)
    with open_secrets() as ctx:
        result = ctx.service.import_connections(conns, overwrite=overwrite)
    for conn_id in result.skipped:
        click.echo(f"Could not import connection {conn_id}: connection already exists.")
    for conn_id in result.imported:
        click.echo(f"Imported connection {conn_id}")


def default_connections() -> dict[str, dict[str, Any]]:
    """Airflow's default connections that Brisa's hooks and common providers use."""
    import tempfile
    from pathlib import Path

    return {
        "airflow_db": {"conn_type": "mysql", "host": "mysql", "login": "root", "schema": "airflow"},
        "aws_default": {"conn_type": "aws"},
        "fs_default": {"conn_type": "fs", "extra": {"path": "/"}},
        "google_cloud_default": {"conn_type": "google_cloud_platform", "schema": "default"},
        "http_default": {"conn_type": "http", "host": "https://www.httpbin.org/"},
        "mysql_default": {"conn_type": "mysql", "host": "mysql", "login": "root", "schema": "airflow"},
        "postgres_default": {
            "conn_type": "postgres",
            "host": "postgres",
            "login": "postgres",
            "password": "airflow",
            "schema": "airflow",
        },
        "redis_default": {"conn_type": "redis", "host": "redis", "port": 6379, "extra": {"db": 0}},
        "smtp_default": {
            "conn_type": "smtp",
            "host": "localhost",
            "port": 25,
            "extra": {"ssl": False, "starttls": False},
        },
        "sqlite_default": {
            "conn_type": "sqlite",
            "host": str(Path(tempfile.gettempdir()) / "sqlite_default.db"),
        },
        "ssh_default": {"conn_type": "ssh", "host": "localhost"},
    }


@connections.command("create-default-connections")
def create_default_connections_command() -> None:
    """Add Airflow's default connections (postgres_default, http_default, fs_default...);
    existing ids are left alone."""
    with open_secrets() as ctx:
        result = ctx.service.import_connections(default_connections(), overwrite=False)
    click.echo(
        f"Created {len(result.imported)} default connection(s); "
        f"{len(result.skipped)} already existed and were left alone."
    )


@connections.command("export")
@click.argument("file")
@click.option("--file-format", type=click.Choice(["json", "yaml", "env"]), help="Default: from FILE.")
@click.option(
    "--serialization-format",
    type=click.Choice(["uri", "json"]),
    help="For env files: each connection as a URI (default) or as JSON.",
)
def export_command(file: str, file_format: str | None, serialization_format: str | None) -> None:
    """Export every connection of the database to FILE (- for stdout, JSON by default).

    The file holds passwords in clear: it is created readable by its owner only.
    """
    from brisa.secrets import files

    fmt = file_format or ("json" if file == STDOUT else files.file_format(file))
    if serialization_format and fmt != "env":
        raise InvalidInputError("Option `--serialization-format` may only be used with file type `env`.")
    with open_secrets() as ctx:
        entries = ctx.service.list_connections().items
    unreadable = [entry.error for entry in entries if entry.error]
    if unreadable:
        raise SecretsError(f"cannot export: {unreadable[0]}")
    text = files.export_connections([e.fields() for e in entries], fmt, serialization_format or "uri")
    write_private(file, text)
    report(f"{len(entries)} connections successfully exported to {file}", file)


# -- test ----------------------------------------------------------------------------------------


@connections.command("test")
@click.argument("conn_id")
def test_command(conn_id: str) -> None:
    """Check that the connection CONN_ID answers (postgres, http(s), redis, sqlite, fs)."""
    from brisa.secrets.probes import probe_connection

    click.echo(f"Retrieving connection: {conn_id!r}")
    with open_secrets() as ctx:
        conn = ctx.service.get_connection(conn_id)
    if conn is None:
        raise NotFoundError(f"Connection {conn_id!r} not found.")
    click.echo("\nTesting...")
    result = probe_connection(conn)
    if result.ok is None:
        raise InvalidInputError(result.message)
    if not result.ok:
        click.echo(f"\nConnection failed!\n{result.message}")
        sys.exit(1)
    click.echo(f"\nConnection success!\n{result.message}")


def register(cli: click.Group) -> None:
    cli.add_command(connections)


__all__ = ["connection_from_options", "connections", "detail_row", "register"]
