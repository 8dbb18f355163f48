"""``brisa backfill create``: Airflow 3's backfill command over the metadata database.

It records the backfill, creates its runs (and clears the existing ones
``--reprocess-behavior`` asks for) and returns; the scheduler runs them, at most
``--max-active-runs`` at once, as in Airflow 3. ``brisa dags backfill`` is the older form
that can wait for the runs. ``backfill list/pause/unpause/cancel`` manage the records.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime

import click

from brisa.cli import wiring
from brisa.cli.dags_cmd import _parse_conf, _store
from brisa.cli.output import output_option, render
from brisa.errors import InvalidInputError
from brisa.services.backfill import (
    DEFAULT_MAX_ACTIVE_RUNS,
    BackfillOutcome,
    BackfillRequest,
    Reprocess,
    cancel_backfill,
    completed_infos,
    pause_backfill,
    start_backfill,
)
from brisa.services.limits import RunLimits, check_new_run
from brisa.store.records import BackfillRecord
from brisa.store.sql import Transaction
from brisa.timetables.base import parse_when


@click.group("backfill")
def backfill() -> None:
    """Backfills: runs of a DAG's schedule between two past dates (Airflow 3)."""


@backfill.command("create")
@click.option("--dag-id", required=True, help="The DAG to backfill.")
@click.option("--from-date", required=True, help="First logical date (inclusive).")
@click.option("--to-date", required=True, help="Last logical date (inclusive).")
@click.option(
    "--reprocess-behavior",
    type=click.Choice([r.value for r in Reprocess]),
    default=Reprocess.NONE.value,
    show_default=True,
    help="Existing runs to run again: none, failed ones, or every completed one.",
)
@click.option("--run-backwards", is_flag=True, help="Latest logical dates first.")
@click.option(
    "--max-active-runs",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ACTIVE_RUNS,
    show_default=True,
    help="Runs of this backfill running at once (apart from the DAG's max_active_runs).",
)
@click.option("--dry-run", is_flag=True, help="Print the logical dates the backfill would consider.")
@click.option("--dag-run-conf", help="JSON conf for every run of the backfill.")
def backfill_create(
    dag_id: str,
    from_date: str,
    to_date: str,
    reprocess_behavior: str,
    run_backwards: bool,
    max_active_runs: int,
    dry_run: bool,
    dag_run_conf: str | None,
) -> None:
    """Create a backfill: the scheduler runs its runs."""
    settings, store = _store()
    start, end = parse_when(from_date), parse_when(to_date)
    conf = _parse_conf(dag_run_conf, "--dag-run-conf")
    check_new_run(RunLimits.from_settings(settings), run_id=None, conf=conf, dates={"from": start, "to": end})
    with store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
        paused = tx.dags.require(dag_id).is_paused
    infos = completed_infos(dag, start, end, now=wiring.utcnow(), backwards=run_backwards)
    if dry_run:
        click.echo("Runs to be attempted:")
        for info in infos:
            click.echo(info.logical_date.isoformat())
        return
    if not infos:
        raise InvalidInputError(f"No runs to create for DAG {dag_id} between {from_date} and {to_date}")
    request = BackfillRequest(
        start=start,
        end=end,
        reprocess=Reprocess(reprocess_behavior),
        backwards=run_backwards,
        max_active_runs=max_active_runs,
        conf=conf,
        user=_user(),
    )
    with store.transaction() as tx:
        record, outcome = start_backfill(tx, dag, request, infos, now=wiring.utcnow())
    _report(dag_id, record, outcome, paused=paused)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return None


def _report(dag_id: str, record: BackfillRecord, outcome: BackfillOutcome, *, paused: bool) -> None:
    click.echo(
        f"Backfill {record.id} of {dag_id} (max_active_runs {record.max_active_runs}): "
        f"created {len(outcome.created)} run(s), "
        f"re-running {len(outcome.rerun)}, skipped {len(outcome.skipped)}."
    )
    for when, reason in outcome.skipped.items():
        click.echo(f"  skipped {when}: {reason}")
    if paused:
        click.echo(
            f"Warning: DAG {dag_id} is paused; its backfill runs wait until it is unpaused "
            f"(brisa dags unpause {dag_id}).",
            err=True,
        )


BACKFILL_COLUMNS = (
    "id",
    "dag_id",
    "from_date",
    "to_date",
    "reprocess_behavior",
    "run_backwards",
    "max_active_runs",
    "is_paused",
    "created_at",
    "completed_at",
)


@backfill.command("list")
@click.option("--dag-id", help="Only this DAG's backfills.")
@click.option("--active", is_flag=True, help="Only backfills not completed yet.")
@output_option
def backfill_list(dag_id: str | None, active: bool, output: str) -> None:
    """List backfills, newest first."""
    _settings, store = _store()
    with store.transaction(readonly=True) as tx:
        records = tx.backfills.list(dag_id=dag_id, active_only=active).items
    render([_row(r) for r in records], output, columns=BACKFILL_COLUMNS)


def _row(record: BackfillRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in BACKFILL_COLUMNS}


@backfill.command("pause")
@click.argument("backfill_id", type=int)
def backfill_pause(backfill_id: int) -> None:
    """Start no more runs of a backfill (its running runs go on)."""
    _change(backfill_id, "paused", lambda tx, now: pause_backfill(tx, backfill_id, True, now=now))


@backfill.command("unpause")
@click.argument("backfill_id", type=int)
def backfill_unpause(backfill_id: int) -> None:
    """Let a paused backfill start its runs again."""
    _change(backfill_id, "unpaused", lambda tx, now: pause_backfill(tx, backfill_id, False, now=now))


@backfill.command("cancel")
@click.argument("backfill_id", type=int)
def backfill_cancel(backfill_id: int) -> None:
    """Complete a backfill now: its queued runs fail, its running runs go on."""
    _change(backfill_id, "cancelled", lambda tx, now: cancel_backfill(tx, backfill_id, now=now))


def _change(backfill_id: int, done: str, action: Callable[[Transaction, datetime], BackfillRecord]) -> None:
    _settings, store = _store()
    with store.transaction() as tx:
        record = action(tx, wiring.utcnow())
    click.echo(f"Backfill {backfill_id} of {record.dag_id} {done}.")


def register(cli: click.Group) -> None:
    cli.add_command(backfill)


__all__ = ["backfill", "register"]
