"""``brisa api-server`` (alias ``brisa webserver``): the web UI and REST API, no scheduler.

``--workers`` defaults to ``$WEB_CONCURRENCY`` (``[api] workers``); with more than one,
uvicorn starts that many processes, each building the app with :func:`app_factory`.
"""

from __future__ import annotations

import signal
from typing import Any

import click

from brisa.cli import wiring

APP_FACTORY = "brisa.cli.api_server_cmd:app_factory"
GRACEFUL_SECONDS = 10


def register(cli: click.Group) -> None:
    cli.add_command(api_server)
    cli.add_command(webserver)


def make_app(settings: Any, store: Any, secrets: Any, *, on_change: Any = None) -> Any:
    """The FastAPI app over this process's store (imports FastAPI only when called)."""
    from brisa.api.app import create_app, freeze_startup_heap

    app = create_app(settings, store, secrets, clock=wiring.utcnow, on_change=on_change)
    freeze_startup_heap()
    return app


def app_factory() -> Any:
    """For uvicorn's worker processes: settings from the environment, a store per process."""
    settings = wiring.load_settings()
    store = wiring.open_store(settings)
    return make_app(settings, store, wiring.make_secrets(settings, store))


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from brisa import logconfig

    settings = wiring.prepare_settings()
    logconfig.configure(settings.logging.level, settings.logging.format, mask=wiring.process_masker(settings))
    wiring.log_start(settings, "api-server", port=port or settings.api.port)
    wiring.ensure_schema(settings, wait_seconds=wiring.SCHEMA_WAIT_SECONDS)
    options: dict[str, Any] = {
        "host": host or settings.api.host,
        "port": port or settings.api.port,
        "log_config": None,
        "lifespan": "off",
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
    }
    count = workers or settings.api.workers
    _exit_zero_on_stop_signals()
    if count > 1:
        uvicorn.run(APP_FACTORY, factory=True, workers=count, **options)
        return
    store = wiring.open_store(settings)
    uvicorn.run(make_app(settings, store, wiring.make_secrets(settings, store)), **options)


def _exit_zero_on_stop_signals() -> None:
    """A stop signal ends the process with status 0 (a requested stop is not a failure).

    uvicorn installs its own handlers while serving and, once it has shut down
    gracefully, restores these and raises the signal again: this handler then exits 0
    instead of the default one killing the process (status -15).
    """

    def stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, stop)


def _server_options(command: Any) -> Any:
    command = click.option(
        "-w", "--workers", type=click.IntRange(min=1), help="Processes (default: $WEB_CONCURRENCY, else 1)."
    )(command)
    command = click.option("-H", "--hostname", "--host", "host", help="Interface to bind ([api] host).")(
        command
    )
    return click.option(
        "-p", "--port", type=click.IntRange(1, 65535), help="Port (default: $PORT, else 8080)."
    )(command)


@click.command("api-server")
@_server_options
def api_server(port: int | None, host: str | None, workers: int | None) -> None:
    """Serve the web UI and the REST API (no scheduler: run `brisa scheduler` beside it)."""
    serve(host or "", port or 0, workers or 0)


@click.command("webserver")
@_server_options
def webserver(port: int | None, host: str | None, workers: int | None) -> None:
    """Alias of `brisa api-server` (Airflow 2's name)."""
    serve(host or "", port or 0, workers or 0)


__all__ = ["APP_FACTORY", "api_server", "app_factory", "make_app", "register", "serve", "webserver"]
