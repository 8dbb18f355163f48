"""``brisa celery worker``: run task tries sent by schedulers with ``executor = CeleryExecutor``.

A worker is the LocalExecutor's machinery behind a Celery consumer: each message is
claimed in the database, run in a task process forked by this worker's zygote and
supervised (logs, XComs, heartbeats, timeouts, masking) exactly as ``brisa scheduler``
does with the LocalExecutor.  Celery's ``threads`` pool gives one waiting thread per
slot; the zygote is forked before Celery starts any thread.

SIGTERM (or a first Ctrl+C) is a warm shutdown: no new tries are taken, running ones
get ``[scheduler] graceful_shutdown_timeout`` seconds, then are ended and put back
for retry without spending an attempt.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from brisa.cli import wiring

if TYPE_CHECKING:
    from celery import Celery

    from brisa.config import Settings
    from brisa.executors.celery import CeleryWorker
    from brisa.store.sql import Store

log = logging.getLogger("brisa.celery")


def register(cli: click.Group) -> None:
    cli.add_command(celery)


@click.group()
def celery() -> None:
    """Scale out on Celery: workers that run the tries of ``executor = CeleryExecutor``."""


@celery.command()
@click.option(
    "-q", "--queues", help="Comma-separated queues to take tries from [default: [celery] default_queue]."
)
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(min=1),
    help="Tries run at once [default: [celery] worker_concurrency].",
)
@click.option("--hostname", help="This worker's node name, e.g. 'worker1@%h' [default: celery@<host>].")
def worker(queues: str | None, concurrency: int | None, hostname: str | None) -> None:
    """Run tries from the Celery broker until SIGTERM/SIGINT (warm shutdown)."""
    from brisa import logconfig

    settings = wiring.prepare_settings()
    logconfig.configure(settings.logging.level, settings.logging.format, mask=wiring.process_masker(settings))
    wiring.log_start(settings, "celery worker")
    quiet_celery_loggers()
    wiring.ensure_schema(settings, wait_seconds=wiring.SCHEMA_WAIT_SECONDS)
    nodename = node_name(hostname)
    store = wiring.open_store(settings)
    runner = make_worker(
        settings, store, concurrency=concurrency_of(settings, concurrency), nodename=nodename
    )
    runner.start_zygote()  # before Celery (or anything else) starts a thread
    failed = run_worker(settings, runner, queues=queue_list(settings, queues), nodename=nodename)
    store.dispose()
    sys.exit(1 if failed else 0)


def quiet_celery_loggers() -> None:
    """Celery logs every message received and done, with its arguments (a run's conf may
    hold secrets); a try's story is in its own log already."""
    for name in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def node_name(hostname: str | None) -> str:
    """Celery's node name: ``name@host`` with ``%h``/``%n``/``%d`` expanded."""
    from celery.utils.nodenames import default_nodename, host_format

    return host_format(default_nodename(hostname))


def concurrency_of(settings: Settings, concurrency: int | None) -> int:
    return concurrency or settings.celery.worker_concurrency


def queue_list(settings: Settings, queues: str | None) -> list[str]:
    names = [q.strip() for q in (queues or "").split(",") if q.strip()]
    return names or [settings.celery.default_queue]


def make_worker(settings: Settings, store: Store, *, concurrency: int, nodename: str) -> CeleryWorker:
    from brisa.executors.celery import CeleryWorker
    from brisa.executors.local import LocalExecutor
    from brisa.services.run_actions import service_actions

    secrets = wiring.make_secrets(settings, store)
    secrets.check_key()  # a wrong fernet key is an error now, not in the first try that needs a secret
    executor = LocalExecutor(
        store,
        parallelism=concurrency,
        secrets=secrets,
        masker_factory=wiring.masker_factory(settings),
        actions=service_actions(),
        clock=wiring.utcnow,
        hostname=nodename,
        heartbeat_seconds=settings.scheduler.task_heartbeat_sec,
        max_log_bytes=settings.logging.max_log_bytes_per_try,
        pool=wiring.task_pool(settings),
        smtp_password=settings.smtp.smtp_password,
    )
    return CeleryWorker(
        store, executor, clock=wiring.utcnow, heartbeat_seconds=settings.scheduler.task_heartbeat_sec
    )


def run_worker(settings: Settings, runner: CeleryWorker, *, queues: list[str], nodename: str) -> bool:
    """Consume until a warm shutdown completes; True if the worker failed."""
    from celery import signals

    from brisa.executors.celery import install_task, make_celery_app

    app = make_celery_app(settings)
    install_task(app, runner)
    runner.start()
    grace = settings.scheduler.graceful_shutdown_timeout
    celery_worker = celery_worker_for(app, runner, queues=queues, nodename=nodename)

    def stop() -> None:
        wake_event_loop(celery_worker)
        runner.stop(grace)

    def on_shutting_down(**_: Any) -> None:
        # Runs in Celery's signal handler: stop the runner on a thread of its own.
        threading.Thread(target=stop, name="brisa-stop", daemon=True).start()

    signals.worker_shutting_down.connect(on_shutting_down, sender=nodename, weak=False)
    runner.on_fatal = lambda: os.kill(os.getpid(), signal.SIGTERM)
    log.info("celery worker %s: queues %s, %d slots", nodename, ",".join(queues), runner.executor.parallelism)
    try:
        celery_worker.start()
    finally:
        signals.worker_shutting_down.disconnect(on_shutting_down, sender=nodename)
        runner.stop(grace)
    return runner.failed or bool(celery_worker.exitcode)


def wake_event_loop(celery_worker: Any) -> None:
    """Make Celery's event loop look at its stop flag now, not after up to 10 s of idle polling."""
    hub = getattr(celery_worker, "hub", None)
    if hub is not None:
        hub.call_soon(lambda: None)


def celery_worker_for(app: Celery, runner: CeleryWorker, *, queues: list[str], nodename: str) -> Any:
    level = logging.getLevelName(logging.getLogger().level)
    return app.Worker(
        hostname=nodename,
        pool_cls="threads",
        concurrency=runner.executor.parallelism,
        queues=queues,
        loglevel=level if isinstance(level, str) else "INFO",
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        optimization="fair",
    )


__all__ = ["celery", "concurrency_of", "make_worker", "node_name", "queue_list", "register", "run_worker"]
