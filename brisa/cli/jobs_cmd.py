"""``brisa jobs check``: Airflow 3's health probe over the job table (exit 0 when alive).

A job is alive while it is running and heartbeated within ``[scheduler]
scheduler_health_check_threshold``. Airflow's job types map onto Brisa's processes: the
scheduler also parses DAG files, so ``SchedulerJob`` and ``DagProcessorJob`` mean a ``brisa
scheduler`` or ``brisa standalone`` process; ``TriggererJob`` is a ``triggerer`` job (the
thread of a scheduler, or ``brisa triggerer``). Brisa's own names (``scheduler``,
``standalone``, ``triggerer``, ``celery_worker``) are accepted too.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import click

from brisa.cli import wiring
from brisa.errors import InvalidInputError

SCHEDULER_TYPES = ("scheduler", "standalone")
JOB_TYPES: dict[str, tuple[str, ...]] = {
    "SchedulerJob": SCHEDULER_TYPES,
    "TriggererJob": ("triggerer",),
    "DagProcessorJob": SCHEDULER_TYPES,
    "scheduler": ("scheduler",),
    "standalone": ("standalone",),
    "triggerer": ("triggerer",),
    "celery_worker": ("celery_worker",),
}


@click.group("jobs")
def jobs() -> None:
    """Inspect the processes (jobs) that heartbeat in the metadata database."""


@jobs.command("check")
@click.option("--job-type", type=click.Choice(list(JOB_TYPES)), help="Only jobs of this type.")
@click.option("--hostname", help="Only jobs on this host (as the job recorded it).")
@click.option("--limit", type=int, default=1, show_default=True, help="How many recent jobs to look at.")
@click.option(
    "--allow-multiple", is_flag=True, help="Succeed when several jobs are alive (needs --limit > 1)."
)
@click.option("--local", is_flag=True, help="Only jobs on this host (its fully qualified name).")
def check_command(
    job_type: str | None, hostname: str | None, limit: int, allow_multiple: bool, local: bool
) -> None:
    """Exit 0 when a running job heartbeated recently; 1 otherwise (for liveness probes)."""
    if allow_multiple and limit <= 1:
        raise InvalidInputError(
            "To use option --allow-multiple, you must set the limit to a value greater than 1."
        )
    if hostname and local:
        raise InvalidInputError("You can't use --hostname and --local at the same time")
    settings = wiring.load_settings()
    store = wiring.open_store(settings)
    with store.transaction(readonly=True) as tx:
        running = tx.jobs.running(JOB_TYPES[job_type] if job_type else None)
    host = socket.getfqdn() if local else hostname
    threshold = timedelta(seconds=settings.scheduler.scheduler_health_check_threshold)
    alive = alive_jobs(running, host=host, limit=limit, now=wiring.utcnow(), threshold=threshold)
    _report(len(alive), allow_multiple)


def alive_jobs(
    running: Sequence[Any], *, host: str | None, limit: int, now: datetime, threshold: timedelta
) -> list[Any]:
    """The newest ``limit`` running jobs (of ``host``) that heartbeated within ``threshold``."""
    found = sorted(
        (j for j in running if host is None or j.hostname == host), key=lambda j: j.latest_heartbeat
    )
    newest = list(reversed(found))[:limit] if limit > 0 else list(reversed(found))
    return [j for j in newest if now - j.latest_heartbeat <= threshold]


def _report(count: int, allow_multiple: bool) -> None:
    if count == 0:
        raise click.ClickException("No alive jobs found.")
    if count > 1 and not allow_multiple:
        raise click.ClickException(f"Found {count} alive jobs. Expected only one.")
    click.echo("Found one alive job." if count == 1 else f"Found {count} alive jobs.")


def register(cli: click.Group) -> None:
    cli.add_command(jobs)


__all__ = ["JOB_TYPES", "alive_jobs", "jobs", "register"]
