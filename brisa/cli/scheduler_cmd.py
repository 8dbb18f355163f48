"""``brisa scheduler``: the scheduler and the LocalExecutor, without the web server."""

from __future__ import annotations

import sys

import click

from brisa.cli import wiring


def register(cli: click.Group) -> None:
    cli.add_command(scheduler)


@click.command()
def scheduler() -> None:
    """Schedule DAG runs and run their tasks (with the configured executor) until SIGTERM/SIGINT."""
    from brisa import logconfig
    from brisa.cli.engine import Engine, install_stop_signals

    settings = wiring.prepare_settings()
    logconfig.configure(settings.logging.level, settings.logging.format, mask=wiring.process_masker(settings))
    wiring.log_start(settings, "scheduler")
    wiring.ensure_schema(settings, wait_seconds=wiring.SCHEMA_WAIT_SECONDS)
    engine = Engine(settings, job_type="scheduler")
    install_stop_signals(engine.request_stop)
    engine.start()
    engine.run()
    sys.exit(1 if engine.failed else 0)
