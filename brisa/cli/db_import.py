"""``brisa db import-airflow SOURCE_URL``: move an Airflow deployment's metadata into Brisa.

See :mod:`brisa.importer` for what is imported and how; this module only parses the
options, builds the pieces from Settings and prints the counts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brisa.cli import wiring

if TYPE_CHECKING:
    from brisa.importer.run import ImportReport, Progress

_KINDS_HELP = "connections, variables, pools, users, dags, runs, task_instances, xcoms, logs"


@click.command("import-airflow")
@click.argument("source_url")
@click.option(
    "--fernet-key",
    "fernet_keys",
    multiple=True,
    help="The source Airflow's [core] fernet_key (repeat, or comma-separate, for rotated keys).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be imported, per kind; write nothing.")
@click.option("--only", "only", multiple=True, help=f"Import only these kinds (repeatable): {_KINDS_HELP}.")
@click.option("--xcoms", is_flag=True, help="Import XComs too (JSON or plain pickled values).")
@click.option(
    "--logs-folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Import task logs too, from this copy of Airflow's base_log_folder.",
)
@click.option(
    "--simple-auth-users",
    default="",
    help="Airflow 3 simple auth manager users, as its [core] simple_auth_manager_users (alice:admin,...).",
)
@click.option(
    "--simple-auth-passwords",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Airflow 3's simple_auth_manager_passwords.json.generated (their passwords).",
)
def db_import_airflow(
    source_url: str,
    fernet_keys: tuple[str, ...],
    dry_run: bool,
    only: tuple[str, ...],
    xcoms: bool,
    logs_folder: Path | None,
    simple_auth_users: str,
    simple_auth_passwords: Path | None,
) -> None:
    """Import an Apache Airflow 1.10, 2.x or 3.x metadata database (read-only) into Brisa.

    Connections and variables are re-encrypted with Brisa's Fernet key; users keep their
    password (accepted at their first login, then re-hashed). What Brisa already has is
    left as it is, so running it again (after the switch, say) adds only what is new.
    """
    from brisa.importer import ImportOptions, import_airflow, open_source

    options = ImportOptions(
        kinds=_kinds(only, xcoms, logs_folder is not None),
        logs_folder=logs_folder,
        dry_run=dry_run,
        **_simple_auth(simple_auth_users, simple_auth_passwords),
    )
    settings = wiring.prepare_settings()
    wiring.ensure_schema(settings)
    store = wiring.open_store(settings)
    recrypt = _recrypt(settings, fernet_keys)
    with open_source(source_url) as source, _progress_bar() as progress:
        report = import_airflow(
            source, store, recrypt, options, now=wiring.utcnow(), hash_password=_hasher(), progress=progress
        )
    _print_report(report)


def _kinds(only: tuple[str, ...], xcoms: bool, logs: bool) -> tuple[str, ...]:
    from brisa.importer import DEFAULT_KINDS, KINDS

    chosen = [k.strip().replace("-", "_") for part in only for k in part.split(",") if k.strip()]
    unknown = sorted(set(chosen) - set(KINDS))
    if unknown:
        raise click.BadParameter(
            f"unknown kind(s) {', '.join(unknown)}; known: {_KINDS_HELP}", param_hint="--only"
        )
    kinds = tuple(chosen) or DEFAULT_KINDS
    if "logs" in chosen and not logs:
        raise click.BadParameter("importing logs needs --logs-folder", param_hint="--only")
    extra = [kind for kind, wanted in (("xcoms", xcoms), ("logs", logs)) if wanted and kind not in kinds]
    return (*kinds, *extra)


def _simple_auth(spec: str, passwords_file: Path | None) -> dict[str, dict]:
    from brisa.auth.roles import Role
    from brisa.importer import mapping

    users = mapping.simple_auth_users(spec)
    passwords = json.loads(passwords_file.read_text("utf-8")) if passwords_file else {}
    if passwords and not users:
        users = {name: Role.VIEWER for name in passwords}
    return {"simple_auth_users": users, "simple_auth_passwords": passwords}


def _recrypt(settings, fernet_keys: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet, MultiFernet

    from brisa.errors import SecretsError
    from brisa.importer import Recrypt
    from brisa.secrets.fernet import FernetCodec

    codec = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
    keys = [k.strip() for value in fernet_keys for k in value.split(",") if k.strip()]
    try:
        source = MultiFernet([Fernet(k) for k in keys]) if keys else None
    except ValueError:
        raise SecretsError("a --fernet-key is not a Fernet key (44 characters of url-safe base64)") from None
    return Recrypt(source=source, encrypt=codec.encrypt)


def _hasher():  # type: ignore[no-untyped-def]
    from brisa.auth.passwords import hash_password

    return hash_password


@contextmanager
def _progress_bar() -> Iterator[Progress]:
    """A rich progress bar per kind on a terminal; silent otherwise (logs, CI)."""
    if not sys.stderr.isatty():
        yield lambda kind, done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(kind, total=total)
            bar.update(tasks[kind], completed=done)  # type: ignore[arg-type]

        yield update


def _print_report(report: ImportReport) -> None:
    click.echo(f"Source: {report.version.label}.")
    click.echo("Would import (dry run, nothing written):" if report.dry_run else "Imported:")
    width = max((len(kind) for kind in report.tallies), default=4)
    click.echo(f"  {'kind':<{width}}  {'new':>9}  {'present':>9}  {'skipped':>9}")
    for kind, tally in report.tallies.items():
        click.echo(f"  {kind:<{width}}  {tally.new:>9,}  {tally.present:>9,}  {tally.skipped:>9,}")
    click.echo("present: already in Brisa, left as is; skipped: runs not finished yet, and their tasks.")
