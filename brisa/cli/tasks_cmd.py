"""``brisa tasks ...``: inspect, clear, render, test and run task instances."""

from __future__ import annotations

import re
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render
from brisa.states import TaskState
from brisa.timetables.base import parse_when


def register(cli: click.Group) -> None:
    cli.add_command(tasks)


@click.group()
def tasks() -> None:
    """Inspect, clear, render and test tasks."""


def ti_row(ti: Any) -> dict[str, Any]:
    return {
        "dag_id": ti.dag_id,
        "run_id": ti.run_id,
        "task_id": ti.task_id,
        "map_index": ti.map_index,
        "state": ti.state.value if ti.state else None,
        "try_number": ti.try_number,
        "start_date": ti.start_date,
        "end_date": ti.end_date,
    }


@tasks.command("list")
@click.argument("dag_id")
@output_option
def tasks_list(dag_id: str, output: str) -> None:
    """The tasks of a DAG."""
    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
    render([{"task_id": t.task_id, "operator": t.operator} for t in dag.tasks.values()], output)


@tasks.command("states-for-dag-run")
@click.argument("dag_id")
@click.argument("run")
@output_option
def tasks_states_for_dag_run(dag_id: str, run: str, output: str) -> None:
    """Every task instance of a run (by run id or logical date) and its state."""
    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        record = tx.runs.get(dag_id, run) or tx.runs.by_logical_date(dag_id, parse_when(run))
        if record is None:
            from brisa.errors import NotFoundError

            raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
        tis = tx.tis.for_run(dag_id, record.run_id)
    render(
        [ti_row(t) for t in tis],
        output,
        columns=["dag_id", "run_id", "task_id", "map_index", "state", "try_number", "start_date", "end_date"],
    )


@tasks.command("state")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("run")
@click.option("--map-index", type=int, default=-1)
def tasks_state(dag_id: str, task_id: str, run: str, map_index: int) -> None:
    """The state of one task instance."""
    from brisa.store.records import TaskKey

    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        record = tx.runs.get(dag_id, run) or tx.runs.by_logical_date(dag_id, parse_when(run))
        if record is None:
            from brisa.errors import NotFoundError

            raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
        ti = tx.tis.require(TaskKey(dag_id, record.run_id, task_id, map_index))
    click.echo(ti.state.value if ti.state else "None")


def _require_ti(tx: Any, dag_id: str, task_id: str, run: str, map_index: int) -> Any:
    from brisa.errors import NotFoundError
    from brisa.store.records import TaskKey

    record = tx.runs.get(dag_id, run) or tx.runs.by_logical_date(dag_id, parse_when(run))
    if record is None:
        raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
    return tx.tis.require(TaskKey(dag_id, record.run_id, task_id, map_index))


@tasks.command("failed-deps")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("run")
@click.option("--map-index", type=int, default=-1)
def tasks_failed_deps(dag_id: str, task_id: str, run: str, map_index: int) -> None:
    """Why a task instance is not running (Airflow's "dependencies not met"), such as a pool
    that does not exist. Exits 0 either way, as Airflow's."""
    from brisa.services.deps import failed_deps

    store = wiring.open_store(wiring.load_settings())
    with store.transaction(readonly=True) as tx:
        ti = _require_ti(tx, dag_id, task_id, run, map_index)
        reasons = failed_deps(tx, ti, tx.dags.serialized(dag_id), now=wiring.utcnow())
    if not reasons:
        click.echo("Task instance dependencies are all met.")
        return
    click.echo(f"Dependencies not met for {ti.key}, state={ti.state.value if ti.state else None}:")
    for dep, reason in reasons:
        click.echo(f"{dep}: {reason}")


@tasks.command("clear")
@click.argument("dag_id")
@click.option("-t", "--task-regex", help="Only tasks whose id matches this regular expression.")
@click.option("-s", "--start-date", help="Only runs with a logical date on or after this.")
@click.option("-e", "--end-date", help="Only runs with a logical date on or before this.")
@click.option("-f", "--only-failed", is_flag=True, help="Only failed (and upstream_failed) tasks.")
@click.option("-r", "--only-running", is_flag=True, help="Only running tasks.")
@click.option("-d", "--downstream", is_flag=True, help="Also their downstream tasks.")
@click.option("-u", "--upstream", is_flag=True, help="Also their upstream tasks.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def tasks_clear(
    dag_id: str,
    task_regex: str | None,
    start_date: str | None,
    end_date: str | None,
    only_failed: bool,
    only_running: bool,
    downstream: bool,
    upstream: bool,
    yes: bool,
) -> None:
    """Clear task instances so the scheduler runs them again."""
    from brisa.services.tasks import clear_task_instances, relatives

    store = wiring.open_store(wiring.load_settings())
    now = wiring.utcnow()
    with store.transaction() as tx:
        dag = tx.dags.require_serialized(dag_id)
        chosen = [t for t in dag.tasks if task_regex is None or re.search(task_regex, t)]
        task_ids = relatives(dag, chosen, upstream=upstream, downstream=downstream)
        runs = tx.runs.list(
            dag_id,
            logical_date_gte=parse_when(start_date) if start_date else None,
            logical_date_lte=parse_when(end_date) if end_date else None,
        ).items
        plan = []
        for run in runs:
            tis = [t for t in tx.tis.for_run(dag_id, run.run_id) if t.task_id in task_ids]
            if only_failed:
                tis = [t for t in tis if t.state in (TaskState.FAILED, TaskState.UPSTREAM_FAILED)]
            if only_running:
                tis = [t for t in tis if t.state == TaskState.RUNNING]
            if tis:
                plan.append((run, tis))
        count = sum(len(tis) for _, tis in plan)
        if count == 0:
            click.echo("No task instances to clear.")
            return
        if not yes:
            for run, tis in plan:
                for ti in tis:
                    click.echo(f"  {run.run_id} {ti.task_id} ({ti.state.value if ti.state else 'none'})")
            click.confirm(f"Clear these {count} task instance(s)?", abort=True)
        cleared = 0
        for run, tis in plan:
            cleared += len(clear_task_instances(tx, dag, run, tis, now=now))
            tx.audit.record("clear", now=now, owner="cli", dag_id=dag_id, run_id=run.run_id)
    click.echo(f"Cleared {cleared} task instance(s).")


def _adhoc(dag_id: str, task_id: str, when: str, *, map_index: int = -1) -> Any:
    """(store-or-None, serialized-or-None, DAG object, workload) for a task at a date."""
    from brisa.cli.adhoc import adhoc_workload

    settings = wiring.load_settings()
    return adhoc_workload(settings, dag_id, task_id, parse_when(when), map_index=map_index)


@tasks.command("render")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("logical_date")
@click.option("--map-index", type=int, default=-1)
def tasks_render(dag_id: str, task_id: str, logical_date: str, map_index: int) -> None:
    """Print a task's template fields rendered for a logical date (nothing runs)."""
    from brisa.cli.adhoc import render_task

    for name, value in render_task(_adhoc(dag_id, task_id, logical_date, map_index=map_index)):
        click.echo(f"# {'-' * 58}\n# property: {name}\n# {'-' * 58}\n{value}\n")


@tasks.command("test")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("logical_date")
@click.option("--map-index", type=int, default=-1)
@click.option("-t", "--task-params", help="JSON params overriding the task's params.")
def tasks_test(dag_id: str, task_id: str, logical_date: str, map_index: int, task_params: str | None) -> None:
    """Run one task here, logging to the terminal; no state is recorded (XComs stay in memory)."""
    import sys

    from brisa.cli.adhoc import test_task

    outcome = test_task(_adhoc(dag_id, task_id, logical_date, map_index=map_index), task_params=task_params)
    click.echo(f"Task {task_id} ended as {outcome.state.value}")
    sys.exit(0 if outcome.state in (TaskState.SUCCESS, TaskState.SKIPPED) else 1)


@tasks.command("run")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("run")
@click.option("--map-index", type=int, default=-1)
@click.option("-i", "--ignore-dependencies", is_flag=True, help="Run even if upstream tasks did not succeed.")
def tasks_run(dag_id: str, task_id: str, run: str, map_index: int, ignore_dependencies: bool) -> None:
    """Run one task instance of an existing run in a child process and record its state."""
    import sys

    from brisa.cli.adhoc import run_task_instance

    settings = wiring.prepare_settings()
    outcome_state = run_task_instance(
        settings, dag_id, task_id, run, map_index=map_index, ignore_dependencies=ignore_dependencies
    )
    click.echo(f"Task {task_id} ended as {outcome_state}")
    sys.exit(0 if outcome_state in ("success", "skipped") else 1)
