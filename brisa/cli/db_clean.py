"""``brisa db clean``: delete old runs, task logs, audit log, job rows, asset events, stale
asset queue rows and orphaned triggers.

``--older-than 30d`` (or Airflow's ``--clean-before-timestamp``) sets the cutoff; see
:mod:`brisa.store.retention` for what goes and what always stays. The command first
counts what would go, per table; ``--dry-run`` stops there, otherwise it asks before
deleting (``--yes`` does not ask) and prints what was deleted.

Unlike Airflow's, nothing is archived into ``_airflow_deleted__*`` tables first (the
point on a small hosted database is to free space). ``--tables`` takes Airflow's table names,
but naming any table of a run (``task_instance``, ``xcom``...) cleans whole runs: a run's rows
go together so no half-deleted run is ever left. Unknown names are skipped with a warning,
as in Airflow.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo

import click

from brisa.cli import wiring

_DURATION = re.compile(r"^\s*(\d+)\s*([wdhm]?)\s*$", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "": "days"}


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w`` or a bare number of days -> a timedelta."""
    match = _DURATION.match(text)
    if match is None:
        raise click.BadParameter(f"{text!r}: expected an age such as 30d, 12h, 90m or 2w")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


def parse_timestamp(text: str, default_zone: tzinfo) -> datetime:
    """An ISO date or timestamp; without an offset it is read in ``default_zone`` (as Airflow)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: expected a date or timestamp, e.g. 2026-01-31 or 2026-01-31T12:00"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=default_zone)


def zone_of(setting: str) -> tzinfo:
    """``[core] default_timezone`` as a tzinfo (``utc``, ``system`` or an IANA name)."""
    if setting == "utc":
        return UTC
    if setting == "system":
        return datetime.now().astimezone().tzinfo or UTC
    return zoneinfo.ZoneInfo(setting)


def format_counts(counts: dict[str, int]) -> list[str]:
    width = max(len(table) for table in counts)
    return [f"  {table:<{width}}  {rows:>9,}" for table, rows in counts.items()]


@click.command("clean")
@click.option(
    "--older-than", "older_than", help="Age of what to delete: 30d, 12h, 90m, 2w (bare number: days)."
)
@click.option(
    "--clean-before-timestamp",
    "before",
    help="Delete what is older than this date or timestamp (Airflow's option; default time zone if none).",
)
@click.option(
    "-t",
    "--tables",
    "tables",
    help="Comma-separated table names to clean (Airflow's: dag_run, log, job, asset_event, "
    "dataset_event, trigger, ...). Default: all.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def db_clean(
    older_than: str | None, before: str | None, tables: str | None, dry_run: bool, yes: bool
) -> None:
    """Delete finished runs (tasks, tries, logs, XComs), audit log, job rows, asset events and
    orphaned triggers older than a cutoff.

    Queued and running runs, the newest scheduled run of each DAG and the asset events a
    consumer DAG still waits on are always kept.
    """
    from brisa.store.retention import clean

    settings = wiring.load_settings()
    cutoff = _cutoff(older_than, before, settings.core.default_timezone)
    chosen = _tables(tables)
    store = wiring.open_store(settings)
    try:
        planned = clean(store, cutoff=cutoff, dry_run=True, tables=chosen)
        click.echo(f"Rows older than {cutoff.isoformat(timespec='seconds')}:")
        click.echo("\n".join(format_counts(planned.counts)))
        if dry_run:
            click.echo("Dry run: nothing was deleted.")
            return
        if planned.total == 0:
            click.echo("Nothing to delete.")
            return
        if not yes:
            click.confirm(f"Delete these {planned.total:,} rows?", abort=True)
        done = clean(store, cutoff=cutoff, tables=chosen)
        click.echo("Deleted:")
        click.echo("\n".join(format_counts(done.counts)))
    finally:
        store.dispose()


def _tables(text: str | None) -> list[str] | None:
    """``--tables``' names; unknown ones are skipped with a warning, none left is an error."""
    from brisa.store.retention import CHOICES, unknown_tables

    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if unknown := unknown_tables(names):
        click.echo(f"Warning: not tables db clean knows, skipped: {', '.join(unknown)}", err=True)
    known = [name for name in names if name in CHOICES]
    if not known:
        raise click.UsageError(f"no table to clean; choose from: {', '.join(sorted(CHOICES))}")
    return known


def _cutoff(older_than: str | None, before: str | None, default_timezone: str) -> datetime:
    if (older_than is None) == (before is None):
        raise click.UsageError("give exactly one of --older-than and --clean-before-timestamp")
    if older_than is not None:
        return wiring.utcnow() - parse_age(older_than)
    return parse_timestamp(before or "", zone_of(default_timezone)).astimezone(UTC)


__all__ = ["db_clean", "format_counts", "parse_age", "parse_timestamp", "zone_of"]
