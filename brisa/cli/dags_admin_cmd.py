"""More of Airflow's ``dags`` commands: ``delete``, ``list-jobs``, ``report``, ``reserialize``,
``show-dependencies`` and ``clear``.

Registered on the ``dags`` group of :mod:`brisa.cli.dags_cmd` (kept in their own module so
that one stays short). ``dags clear`` is ``tasks clear`` under Airflow 1.10's DAG-level name.
"""

from __future__ import annotations

from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render

JOB_COLUMNS = ("id", "job_type", "state", "hostname", "pid", "start_date", "end_date", "latest_heartbeat")


@click.command("delete")
@click.argument("dag_id")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def dags_delete(dag_id: str, yes: bool) -> None:
    """Delete every database record of DAG_ID (runs, task instances, logs, XComs); exits 4
    while one of its tasks runs. Its file, if still in the folder, brings the DAG back."""
    from brisa.services.dags import delete_dag

    store = wiring.open_store(wiring.load_settings())
    if not yes:
        click.confirm(
            f"This will drop all existing records related to the specified DAG: {dag_id}. Proceed?",
            abort=True,
        )
    with store.transaction() as tx:
        delete_dag(tx, dag_id)
        tx.audit.record("delete_dag", now=wiring.utcnow(), owner="cli", dag_id=dag_id)
    click.echo(f"Deleted DAG {dag_id} and all its records.")


@click.command("list-jobs")
@click.option("-d", "--dag-id", help="Only the jobs that queued or supervised this DAG's task instances.")
@click.option("--state", type=click.Choice(["running", "success", "failed"]), help="Only jobs in this state.")
@click.option("--limit", type=int, default=100, show_default=True)
@output_option
def dags_list_jobs(dag_id: str | None, state: str | None, limit: int, output: str) -> None:
    """The scheduler, standalone and worker jobs, newest first."""
    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        ids = _job_ids_of(tx, dag_id) if dag_id else None
        records = tx.jobs.recent(limit=limit, state=state, ids=ids)
    render([{c: getattr(r, c) for c in JOB_COLUMNS} for r in records], output, columns=JOB_COLUMNS)


def _job_ids_of(tx: Any, dag_id: str) -> set[int]:
    tx.dags.require(dag_id)
    tis = tx.tis.search(dag_id=dag_id).items
    return {j for ti in tis for j in (ti.queued_by_job_id, ti.supervisor_job_id) if j is not None}


@click.command("report")
@output_option
def dags_report(output: str) -> None:
    """Parse the DAG files here and show, per file, the time it took and the DAGs it defines
    (Airflow's DagBag loading report); files that failed are listed on stderr."""
    from brisa.cli.dags_cmd import _parse_local, _report_import_errors

    errors: list[Any] = []
    stats: list[Any] = []
    _parse_local(errors, stats)
    rows = [
        {
            "file": stat.path,
            "duration": f"{stat.seconds:.3f}",
            "dag_num": len(stat.dags),
            "task_num": sum(len(d.tasks) for d in stat.dags),
            "dags": ", ".join(d.dag_id for d in stat.dags),
        }
        for stat in sorted(stats, key=lambda s: -s.seconds)
    ]
    render(rows, output, columns=["file", "duration", "dag_num", "task_num", "dags"])
    _report_import_errors(errors)


@click.command("reserialize")
@click.option(
    "--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for the parse."
)
def dags_reserialize(timeout: float) -> None:
    """Parse every DAG file now and write the DAGs and import errors to the database, as the
    scheduler's DAG processor does (Airflow's ``dags reserialize``)."""
    settings = wiring.prepare_settings()
    wiring.ensure_schema(settings)
    store = wiring.open_store(settings)
    pool = wiring.task_pool(settings)
    pool.start()
    try:
        secrets = wiring.make_secrets(settings, store)
        wiring.make_processor(settings, store, pool, secrets=secrets).parse_all(timeout)
    finally:
        pool.stop()
    with store.transaction(readonly=True) as tx:
        dags, errors = tx.dags.list(paused=None).total, tx.dags.import_errors().total
    click.echo(f"Reserialized the DAG files: {dags} DAG(s), {errors} import error(s).")


@click.command("show-dependencies")
@output_option
def dags_show_dependencies(output: str) -> None:
    """Dependencies between DAGs: which DAG triggers another (TriggerDagRunOperator) and which
    waits for another (ExternalTaskSensor), read from the DAGs in the database."""
    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        dags = [tx.dags.serialized(r.dag_id) for r in tx.dags.list(paused=None).items]
    rows = [row for dag in dags if dag is not None for row in dag_dependencies(dag)]
    render(rows, output, columns=["source", "target", "dependency_type", "task_id"])


def dag_dependencies(dag: Any) -> list[dict[str, str]]:
    """Edges of the DAG-to-DAG graph that this DAG's tasks declare (Airflow's "trigger" and
    "sensor" dependencies); a templated DAG id is shown as written."""
    rows = []
    for task in dag.tasks.values():
        triggered = task.extra.get("trigger_dag_id")
        if isinstance(triggered, str):
            rows.append(_edge(dag.dag_id, triggered, "trigger", task.task_id))
        awaited = task.extra.get("external_dag_id")
        if isinstance(awaited, str) and task.is_sensor:
            rows.append(_edge(awaited, dag.dag_id, "sensor", task.task_id))
    return rows


def _edge(source: str, target: str, kind: str, task_id: str) -> dict[str, str]:
    return {"source": source, "target": target, "dependency_type": kind, "task_id": task_id}


def register(cli: click.Group) -> None:
    from brisa.cli.dags_cmd import dags
    from brisa.cli.tasks_cmd import tasks_clear

    for command in (dags_delete, dags_list_jobs, dags_report, dags_reserialize, dags_show_dependencies):
        dags.add_command(command)
    dags.add_command(tasks_clear, "clear")


__all__ = [
    "dag_dependencies",
    "dags_delete",
    "dags_list_jobs",
    "dags_report",
    "dags_reserialize",
    "dags_show_dependencies",
    "register",
]
