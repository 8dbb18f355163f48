"""``brisa backfill create``: Airflow 3's backfill command over the metadata database.

It creates the backfill's runs (and clears the existing ones ``--reprocess-behavior`` asks
for) and returns; the scheduler runs them, as in Airflow 3. ``brisa dags backfill`` is the
older form that can wait for the runs. Brisa keeps no backfill record (the runs, of run type
``backfill``, are the record), so ``--max-active-runs`` is accepted but not applied: the
DAG's own ``max_active_runs`` limits backfill runs together with its other runs.
"""

from __future__ import annotations

import click

from brisa.cli import wiring
from brisa.cli.dags_cmd import _parse_conf, _store
from brisa.errors import InvalidInputError
from brisa.services.backfill import BackfillOutcome, Reprocess, completed_infos, run_backfill
from brisa.services.limits import RunLimits, check_new_run
from brisa.timetables.base import parse_when

MAX_ACTIVE_RUNS_NOTE = (
    "Note: Brisa keeps no backfill record, so --max-active-runs is not applied: "
    "the DAG's max_active_runs ({limit}) limits its backfill runs with its other runs."
)


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
    help="Accepted for Airflow's scripts; Brisa applies the DAG's max_active_runs instead.",
)
@click.option("--dry-run", is_flag=True, help="Print the logical dates the backfill would consider.")
@click.option("--dag-run-conf", help="JSON conf for every run of the backfill.")
def backfill_create(
    dag_id: str,
    from_date: str,
    to_date: str,
    reprocess_behavior: str,
    run_backwards: bool,
    max_active_runs: int | None,
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
    with store.transaction() as tx:
        outcome = run_backfill(
            tx, dag, infos, now=wiring.utcnow(), conf=conf, reprocess=Reprocess(reprocess_behavior)
        )
    _report(dag_id, outcome, paused=paused)
    if max_active_runs is not None:
        click.echo(
            MAX_ACTIVE_RUNS_NOTE.format(limit=dag.max_active_runs or "the scheduler's default"), err=True
        )


def _report(dag_id: str, outcome: BackfillOutcome, *, paused: bool) -> None:
    click.echo(
        f"Backfill of {dag_id}: created {len(outcome.created)} run(s), "
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


def register(cli: click.Group) -> None:
    cli.add_command(backfill)


__all__ = ["backfill", "register"]
