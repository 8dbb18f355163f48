"""``brisa triggerer``: run deferred tasks' triggers in this process (Airflow's command).

``brisa scheduler`` and ``brisa standalone`` already run a triggerer in a thread
(``[triggerer] embedded``); this command is for more capacity or a separate dyno.
Several triggerers share the triggers; one killed has its triggers taken over.
"""

from __future__ import annotations

import sys

import click

from brisa.cli import wiring


def register(cli: click.Group) -> None:
    cli.add_command(triggerer)


@click.command()
@click.option("--capacity", type=click.IntRange(min=1), default=None, help="Most triggers to run at once.")
def triggerer(capacity: int | None) -> None:
    """Run the triggers of deferred tasks until SIGTERM/SIGINT."""
    import dataclasses

    from brisa import logconfig
    from brisa.cli.engine import install_stop_signals

    settings = wiring.prepare_settings()
    if capacity is not None:
        settings = dataclasses.replace(
            settings, triggerer=dataclasses.replace(settings.triggerer, capacity=capacity)
        )
    logconfig.configure(settings.logging.level, settings.logging.format, mask=wiring.process_masker(settings))
    wiring.log_start(settings, "triggerer")
    wiring.ensure_schema(settings, wait_seconds=wiring.SCHEMA_WAIT_SECONDS)
    store = wiring.open_store(settings)
    runner = wiring.make_triggerer(settings, store)
    install_stop_signals(runner.request_stop)
    runner.start()
    try:
        runner.run_forever()
    finally:
        runner.stop()
        store.dispose()
    sys.exit(0)
