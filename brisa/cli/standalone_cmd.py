"""``brisa standalone``: web UI, REST API, scheduler and LocalExecutor in one process.

Start-up order, and why:

1. SIGTERM/SIGINT handlers, so a signal during start-up still stops cleanly;
2. settings, process logs, the schema (created on SQLite, checked on PostgreSQL);
3. the Engine, which forks the task zygote: before this process has any other thread;
4. the port, served by uvicorn in a thread; until the full app is built a light
   :class:`~brisa.api.bootstrap.StartingApp` answers ``/api/v2/monitor/health``;
5. on first start (no users at all), the ``admin`` user with a random password, printed
   once and kept in ``$BRISA_HOME/standalone_admin_password.txt`` (mode 0600);
6. the executor and the scheduler thread (DAG files are parsed from here on);
7. the full app (FastAPI, the API's routes, the UI's pages) is built at the first request
   other than health, not at start: a standalone nobody browses never imports them
   (about 45 MB of PSS less, see docs/performance.md); the first visitor waits for the
   build once.

The main thread then watches. A signal stops the web server from accepting requests and
the Engine gracefully (``[scheduler] graceful_shutdown_timeout``); the process exits 0.
If the scheduler thread, the executor's zygote or the web server dies, or the full app
cannot be built, it stops the rest
and exits 1 so that the platform restarts it. Whatever happens it is gone within
:data:`HARD_STOP_SECONDS` of the stop (Heroku kills after 30 s).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from brisa.cli import wiring

log = logging.getLogger("brisa.standalone")

ADMIN_PASSWORD_FILE = "standalone_admin_password.txt"
HARD_STOP_SECONDS = 28.0
WATCH_SECONDS = 0.5
WEB_GRACE_SECONDS = 5
AFTER_FORK_MODULES = (
    "uvicorn",
    "uvicorn.server",
    "uvicorn.protocols.http.auto",
    "uvicorn.lifespan.off",
    "uvicorn.loops.auto",
    "brisa.api.bootstrap",
    "brisa.api.health",
    "brisa.auth.passwords",
    "brisa.auth.users",
)
"""What this process uses once the zygote is forked (web server, first admin): imported
before the fork, so that importing them does not copy pages the zygote shares."""


def register(cli: click.Group) -> None:
    cli.add_command(standalone)


@click.command()
@click.option("-p", "--port", type=click.IntRange(1, 65535), help="Port (default: $PORT, else 8080).")
@click.option("-H", "--hostname", "--host", "host", help="Interface to bind ([api] host).")
def standalone(port: int | None, host: str | None) -> None:
    """Run the web UI, the REST API, the scheduler and the LocalExecutor in this one process."""
    sys.exit(run(host=host, port=port))


def run(*, host: str | None, port: int | None) -> int:
    # The cyclic collector would run a few dozen times over the ~800 modules imported on
    # the way to a healthy API (about a tenth of their import time); it is off until the
    # web server is up, and the zygote turns it on again for itself and its children.
    gc.disable()
    try:
        return _run(host=host, port=port)
    finally:
        gc.enable()


def _run(*, host: str | None, port: int | None) -> int:
    from brisa import logconfig
    from brisa.cli.engine import Engine, install_stop_signals

    stop = threading.Event()
    install_stop_signals(stop.set, on_force=_force_exit)
    settings = wiring.prepare_settings()
    logconfig.configure(settings.logging.level, settings.logging.format, mask=wiring.process_masker(settings))
    wiring.log_start(settings, "standalone", port=port or settings.api.port)
    wiring.ensure_schema(settings, wait_seconds=wiring.SCHEMA_WAIT_SECONDS)
    if stop.is_set():
        return 0
    engine = Engine(settings, job_type="standalone", preload=AFTER_FORK_MODULES)

    def build_app() -> Any:
        from brisa.cli.api_server_cmd import make_app

        log.info("building the web app (first request)")
        return make_app(settings, engine.store, engine.secrets, on_change=engine.scheduler.wake)

    server, starting = _web_server(settings, engine.store, host=host, port=port, build=build_app)
    web = _thread("brisa-web", server.run, sockets=[bind_port(server.config)])
    gc.enable()
    ensure_admin(Path(settings.home), engine.store, echo=_say)
    engine.start()
    scheduler = _thread("brisa-scheduler", engine.run)
    log.info("standalone is ready: web UI and API on port %s", server.config.port)
    failure = watch(stop, engine, scheduler, web, starting=starting)
    return shut_down(server, engine, [scheduler, web], failure)


def ensure_admin(home: Path, store: Any, *, echo: Callable[[str], None]) -> bool:
    """Create ``admin`` (role Admin) when there are no users; True when it was created now.

    The password is printed once, here, and written to ``home``'s password file so a
    restart on the same disk can show where it is (never the password again).
    """
    from brisa.auth.passwords import hash_password
    from brisa.auth.users import standalone_admin
    from brisa.errors import ConflictError

    path = home / ADMIN_PASSWORD_FILE
    with store.transaction(readonly=True) as tx:
        has_users = tx.users.count() > 0
    if has_users:
        if path.exists():
            echo(f"standalone | the password of the first admin user is in {path}")
        return False
    spec = standalone_admin()
    try:
        with store.transaction() as tx:
            tx.users.create(
                username=spec.username,
                email="",
                role=spec.role.value,
                password_hash=hash_password(spec.password),
                now=wiring.utcnow(),
            )
    except ConflictError:  # another process on the same database was faster
        return False
    write_private(path, spec.password + "\n")
    echo(f"standalone | Login with username: {spec.username}  password: {spec.password}")
    echo(f"standalone | (the password is also in {path}; change it with `brisa users reset-password`)")
    return True


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read (0600 from the moment it exists)."""
    from brisa.secrets.private import private_dir

    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def _web_server(
    settings: Any, store: Any, *, host: str | None, port: int | None, build: Callable[[], Any] | None = None
) -> tuple[Any, Any]:
    import uvicorn

    from brisa.api.bootstrap import StartingApp
    from brisa.api.health import health_report

    threshold = settings.scheduler.scheduler_health_check_threshold
    starting = StartingApp(
        lambda: health_report(store, now=wiring.utcnow(), threshold_seconds=threshold), build=build
    )
    config = uvicorn.Config(
        starting,
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_config=None,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=WEB_GRACE_SECONDS,
    )
    config.load()  # import the protocol classes now, not in the web thread while the app is built
    return uvicorn.Server(config), starting


def bind_port(config: Any) -> Any:
    """uvicorn's listening socket; a port already taken is one error naming it."""
    from brisa.errors import ConfigError

    try:
        return config.bind_socket()
    except (SystemExit, OSError):  # uvicorn logs the errno and exits
        raise ConfigError(
            f"cannot listen on {config.host}:{config.port}: the port is in use (or not allowed): "
            "stop what listens there, or choose another port with --port, $PORT or [api] port"
        ) from None


def watch(
    stop: threading.Event,
    engine: Any,
    scheduler: threading.Thread,
    web: threading.Thread,
    *,
    starting: Any = None,
) -> str | None:
    """Wait for a stop signal; or return why the process must end (a part of it died, or
    ``starting`` could not build the full app)."""
    while not stop.wait(WATCH_SECONDS):
        if starting is not None and starting.failure is not None:
            return "the web app could not be built"
        if not scheduler.is_alive():
            return "the scheduler thread stopped"
        if not engine.executor.healthy:
            return "the executor's zygote process died"
        if not web.is_alive():
            return "the web server stopped"
    return None


def shut_down(server: Any, engine: Any, threads: list[threading.Thread], failure: str | None) -> int:
    """Stop accepting requests, stop the Engine gracefully; 0 only if all went well."""
    deadline = time.monotonic() + HARD_STOP_SECONDS
    if failure is not None:
        log.error("stopping: %s", failure)
    server.should_exit = True
    engine.request_stop()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    code = 1 if failure is not None or engine.failed else 0
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        log.error("still running after %.0f s: %s; exiting anyway", HARD_STOP_SECONDS, ", ".join(stuck))
        _exit_now(1)
    return code


def _thread(name: str, target: Callable[..., Any], **kwargs: Any) -> threading.Thread:
    thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=True)
    thread.start()
    return thread


def _say(message: str) -> None:
    print(message, flush=True)


def _force_exit() -> None:
    log.warning("second stop signal: exiting at once")
    _exit_now(1)


def _exit_now(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = [
    "ADMIN_PASSWORD_FILE",
    "HARD_STOP_SECONDS",
    "ensure_admin",
    "register",
    "run",
    "shut_down",
    "standalone",
    "watch",
    "write_private",
]
