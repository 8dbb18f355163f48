"""``brisa dags ...``: Airflow's command names, reading and writing the metadata store."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render
from brisa.errors import InvalidInputError
from brisa.plan.runs import BACKFILL
from brisa.timetables.base import parse_when


def register(cli: click.Group) -> None:
    cli.add_command(dags)


@click.group()
def dags() -> None:
    """List, trigger, pause and test DAGs."""


def _store() -> Any:
    settings = wiring.load_settings()
    return settings, wiring.open_store(settings)


def run_row(run: Any) -> dict[str, Any]:
    return {
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "state": run.state.value,
        "run_type": run.run_type,
        "logical_date": run.logical_date,
        "run_after": run.run_after,
        "start_date": run.start_date,
        "end_date": run.end_date,
        "data_interval_start": run.data_interval_start,
        "data_interval_end": run.data_interval_end,
        "conf": run.conf,
        "backfill_id": run.backfill_id,
        "partition_key": run.partition_key,
    }


@dags.command("list")
@output_option
@click.option("--include-paused/--exclude-paused", default=True, help="Show paused DAGs too.")
@click.option("--local", is_flag=True, help="Parse the DAG files here instead of reading the metadata store.")
def dags_list(output: str, include_paused: bool, local: bool) -> None:
    """List the DAGs the scheduler knows (or, with --local, those the files define)."""
    if local:
        errors: list[Any] = []
        rows = [_local_row(d) for d in _parse_local(errors)]
        render(rows, output, columns=["dag_id", "fileloc", "owners", "schedule"])
        _report_import_errors(errors)
        return
    else:
        _, store = _store()
        with store.transaction(readonly=True) as tx:
            records = tx.dags.list(paused=None if include_paused else False, subdags=False).items
        rows = [
            {
                "dag_id": r.dag_id,
                "fileloc": r.fileloc,
                "owners": r.owners,
                "is_paused": r.is_paused,
                "schedule": r.timetable_summary,
                "next_dagrun": r.next_dagrun,
                "tags": ", ".join(r.tags),
            }
            for r in records
        ]
    render(rows, output, columns=["dag_id", "fileloc", "owners", "is_paused", "schedule"])


def _local_row(dag: Any) -> dict[str, Any]:
    return {
        "dag_id": dag.dag_id,
        "fileloc": dag.fileloc,
        "owners": ", ".join(dag.owners),
        "schedule": dag.schedule_summary,
        "generation": dag.generation,
    }


def _parse_local(errors: list[Any] | None = None, stats: list[Any] | None = None) -> list[Any]:
    import os

    from brisa.loader.local import parse_dag_files
    from brisa.secrets.local import local_secrets

    settings = wiring.load_settings()
    secrets = local_secrets(settings, os.environ)
    return list(parse_dag_files(settings, secrets, wiring.dag_folders(settings), errors, stats))


def _report_import_errors(errors: list[Any]) -> None:
    """On stderr, after the table: which files did not load (their DAGs are missing above)."""
    if errors:
        click.echo(f"{len(errors)} DAG file(s) failed to load:", err=True)
        for error in errors:
            click.echo(f"  {error.filename}: {error.message}", err=True)
        click.echo("Details: brisa dags list-import-errors --local", err=True)


@dags.command("list-import-errors")
@output_option
@click.option("--local", is_flag=True, help="Parse the DAG files here instead of reading the metadata store.")
def dags_list_import_errors(output: str, local: bool) -> None:
    """DAG files that failed to load, with where and why. Exits 1 when there are any
    (as Airflow's), so a CI step can run it."""
    if local:
        found: list[Any] = []
        _parse_local(found)
        rows = [_error_row(e.filename, e.lineno, e.traceback or e.message) for e in found]
    else:
        _, store = _store()
        with store.transaction(readonly=True) as tx:
            stored = tx.dags.import_errors().items
        rows = [_error_row(e.filename, e.lineno, e.stacktrace or e.message) for e in stored]
    render(rows, output, columns=["filename", "lineno", "error"])
    if rows:
        raise click.exceptions.Exit(1)


def _error_row(filename: str, lineno: int | None, error: str) -> dict[str, Any]:
    return {"filename": filename, "lineno": lineno, "error": error}


@dags.command("trigger")
@click.argument("dag_id")
@click.option("-c", "--conf", help="JSON object passed to the run (dag_run.conf).")
@click.option("-r", "--run-id", help="Run id (default: manual__<logical date>).")
@click.option(
    "-l", "--logical-date", "-e", "--exec-date", "logical_date", help="Logical date (default: now)."
)
@click.option("--partition-key", help="The run's asset partition key (Airflow 3.2+): its events carry it.")
@output_option
def dags_trigger(
    dag_id: str,
    conf: str | None,
    run_id: str | None,
    logical_date: str | None,
    partition_key: str | None,
    output: str,
) -> None:
    """Create a manual run; prints its run id."""
    from brisa.services.limits import RunLimits
    from brisa.services.runs import check_trigger, trigger_run

    settings, store = _store()
    parsed_conf = _parse_conf(conf)
    # Check (and import what checking needs) before taking the write lock: on SQLite a
    # scheduler cannot write while this process holds it.
    with store.transaction(readonly=True) as tx:
        check_trigger(
            tx.dags.require_serialized(dag_id),
            now=wiring.utcnow(),
            run_id=run_id,
            conf=parsed_conf,
            logical_date=parse_when(logical_date) if logical_date else None,
            limits=RunLimits.from_settings(settings),
        )
        _ = tx.runs, tx.tis, tx.audit  # import the repositories the write below uses
    now = wiring.utcnow()
    with store.transaction() as tx:
        dag = tx.dags.require_serialized(dag_id)
        run = trigger_run(
            tx,
            dag,
            now=now,
            run_id=run_id,
            conf=parsed_conf,
            triggered_by="cli",
            logical_date=parse_when(logical_date) if logical_date else None,
            limits=RunLimits.from_settings(settings),
            partition_key=partition_key,
        )
        tx.audit.record("trigger", now=now, owner=_cli_user(), dag_id=dag_id, run_id=run.run_id)
    if output == "table":
        click.echo(run.run_id)
    else:
        render([run_row(run)], output)


def _parse_conf(conf: str | None, flag: str = "--conf") -> dict[str, Any] | None:
    if conf is None:
        return None
    try:
        value = json.loads(conf)
    except ValueError as exc:
        raise InvalidInputError(f"{flag} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{flag} must be a JSON object")
    return value


def _cli_user() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _set_paused(dag_ids: tuple[str, ...], paused: bool, output: str) -> None:
    from brisa.services.dags import set_paused

    _, store = _store()
    now = wiring.utcnow()
    rows = []
    with store.transaction() as tx:
        for dag_id in dag_ids:
            record = set_paused(tx, dag_id, paused, now=now)
            tx.audit.record("paused" if paused else "unpaused", now=now, owner=_cli_user(), dag_id=dag_id)
            rows.append({"dag_id": record.dag_id, "is_paused": record.is_paused})
    render(rows, output)


@dags.command("pause")
@click.argument("dag_ids", nargs=-1, required=True)
@output_option
def dags_pause(dag_ids: tuple[str, ...], output: str) -> None:
    """Pause DAGs: no new runs, no new tasks."""
    _set_paused(dag_ids, True, output)


@dags.command("unpause")
@click.argument("dag_ids", nargs=-1, required=True)
@output_option
def dags_unpause(dag_ids: tuple[str, ...], output: str) -> None:
    """Unpause DAGs."""
    _set_paused(dag_ids, False, output)


@dags.command("list-runs")
@click.argument("dag_id")
@click.option("--state", help="Only runs in this state.")
@click.option("-s", "--start-date", help="Only runs with a logical date on or after this.")
@click.option("-e", "--end-date", help="Only runs with a logical date on or before this.")
@click.option("--no-backfill", is_flag=True, help="Leave out backfill runs.")
@click.option("--limit", type=int, default=100, show_default=True)
@output_option
def dags_list_runs(
    dag_id: str,
    state: str | None,
    start_date: str | None,
    end_date: str | None,
    no_backfill: bool,
    limit: int,
    output: str,
) -> None:
    """Runs of a DAG, newest first."""
    _, store = _store()
    with store.transaction(readonly=True) as tx:
        tx.dags.require(dag_id)
        runs = tx.runs.list(
            dag_id,
            states=[state] if state else None,
            logical_date_gte=parse_when(start_date) if start_date else None,
            logical_date_lte=parse_when(end_date) if end_date else None,
            limit=limit,
            order_by="-run_after",
        ).items
    if no_backfill:
        runs = [r for r in runs if r.run_type != BACKFILL]
    render(
        [run_row(r) for r in runs],
        output,
        columns=["dag_id", "run_id", "state", "logical_date", "start_date", "end_date"],
    )


@dags.command("state")
@click.argument("dag_id")
@click.argument("run")
def dags_state(dag_id: str, run: str) -> None:
    """The state of a run, by run id or logical date."""
    _, store = _store()
    with store.transaction(readonly=True) as tx:
        record = tx.runs.get(dag_id, run)
        if record is None:
            record = tx.runs.by_logical_date(dag_id, parse_when(run))
        if record is None:
            from brisa.errors import NotFoundError

            raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
    click.echo(record.state.value)


@dags.command("backfill")
@click.argument("dag_id")
@click.option("-s", "--start-date", required=True, help="First logical date (inclusive).")
@click.option("-e", "--end-date", required=True, help="Last logical date (inclusive).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until the runs finish.")
@click.option("--dry-run", is_flag=True, help="Print the runs that would be created.")
@click.option("-c", "--conf", help="JSON conf for every run.")
def dags_backfill(
    dag_id: str, start_date: str, end_date: str, wait: bool, dry_run: bool, conf: str | None
) -> None:
    """Create runs for every interval between two dates; the scheduler runs them."""
    from brisa.services.backfill import backfill_infos, create_backfill
    from brisa.services.limits import RunLimits, check_new_run

    settings, store = _store()
    start, end = parse_when(start_date), parse_when(end_date)
    parsed_conf = _parse_conf(conf)
    dates: dict[str, datetime | None] = {"start date": start, "end date": end}
    check_new_run(RunLimits.from_settings(settings), run_id=None, conf=parsed_conf, dates=dates)
    with store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
    infos = backfill_infos(dag, start, end)
    if dry_run:
        for info in infos:
            click.echo(
                f"{info.logical_date.isoformat()}  [{info.data_interval.start} -> {info.data_interval.end}]"
            )
        return
    with store.transaction() as tx:
        run_ids = create_backfill(tx, dag, infos, now=wiring.utcnow(), conf=parsed_conf)
    click.echo(
        f"Created {len(run_ids)} backfill run(s) of {dag_id}; already present: {len(infos) - len(run_ids)}."
    )
    if wait and infos:
        _wait_for_runs(store, dag_id, [r for r in _backfill_ids(infos)])


def _backfill_ids(infos: list[Any]) -> list[str]:
    from brisa.services.backfill import backfill_run_id

    return [backfill_run_id(i) for i in infos]


def _wait_for_runs(store: Any, dag_id: str, run_ids: list[str]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task(f"backfill {dag_id}", total=len(run_ids))
        while True:
            with store.transaction(readonly=True) as tx:
                states = [tx.runs.get(dag_id, r) for r in run_ids]
            done = sum(1 for r in states if r is None or r.state.is_finished)
            bar.update(task, completed=done)
            if done >= len(run_ids):
                break
            time.sleep(1.0)
    failed = [r.run_id for r in states if r is not None and r.state.value == "failed"]
    if failed:
        raise click.ClickException(f"{len(failed)} backfill run(s) failed: {', '.join(failed[:5])}")
    click.echo("Backfill finished.")


@dags.command("show")
@click.argument("dag_id")
def dags_show(dag_id: str) -> None:
    """The DAG's tasks and dependencies as a text graph."""
    from brisa.cli.graph import text_graph

    _, store = _store()
    with store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
    click.echo(text_graph(dag))


@dags.command("details")
@click.argument("dag_id")
@output_option
def dags_details(dag_id: str, output: str) -> None:
    """A DAG's settings, including which Airflow generation's meaning it gets."""
    _, store = _store()
    with store.transaction(readonly=True) as tx:
        record = tx.dags.require(dag_id)
        dag = tx.dags.require_serialized(dag_id)
    row = {
        "dag_id": dag.dag_id,
        "fileloc": dag.fileloc,
        "is_paused": record.is_paused,
        "schedule": dag.schedule_summary,
        "timetable": dag.timetable.get("type"),
        "start_date": dag.start_date,
        "end_date": dag.end_date,
        "catchup": dag.catchup,
        "generation": dag.generation,
        "generation_reason": dag.generation_reason,
        "max_active_runs": dag.max_active_runs,
        "max_active_tasks": dag.max_active_tasks,
        "tags": ", ".join(dag.tags),
        "next_dagrun": record.next_dagrun,
    }
    if output == "table":
        for key, value in row.items():
            click.echo(f"{key:<20} {value if value is not None else ''}")
    else:
        render([row], output)


@dags.command("test")
@click.argument("dag_id")
@click.argument("logical_date", required=False)
@click.option("-c", "--conf", help="JSON conf for the run.")
@click.option(
    "--mark-success-pattern",
    help="Tasks whose id matches this regular expression are marked success instead of run (sensors...).",
)
def dags_test(
    dag_id: str, logical_date: str | None, conf: str | None, mark_success_pattern: str | None
) -> None:
    """Run one whole DAG run here, task after task, logging to the terminal (Airflow's dag.test())."""
    import sys

    from brisa.cli.adhoc import test_dag

    settings = wiring.load_settings()
    when = parse_when(logical_date) if logical_date else wiring.utcnow()
    state = test_dag(
        settings, dag_id, when, conf=_parse_conf(conf), mark_success_pattern=mark_success_pattern
    )
    click.echo(f"DAG run of {dag_id} at {when.isoformat()} ended as {state.value}")
    sys.exit(0 if state.value == "success" else 1)
