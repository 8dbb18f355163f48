"""``brisa api-server`` / ``brisa webserver``: options, workers, and a real server process."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import click
import pytest
import uvicorn
from click.testing import CliRunner

from brisa.cli import api_server_cmd
from brisa.cli.api_server_cmd import APP_FACTORY, app_factory, register

PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")


@pytest.fixture
def home(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in PLATFORM_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def served(monkeypatch):
    """What uvicorn.run was asked to serve, instead of serving it."""
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setattr(api_server_cmd, "_exit_zero_on_stop_signals", lambda: None)  # keep pytest's handlers
    return calls


def run(*args):
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, list(args))


def test_defaults_come_from_port_and_the_settings(home, served, monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    assert run("api-server").exit_code == 0
    app, options = served[0]
    assert (options["port"], options["host"], options["log_config"]) == (5123, "0.0.0.0", None)
    assert "workers" not in options
    assert "/api/v2/dags" in app.openapi()["paths"]


def test_options_win_and_webserver_is_an_alias(home, served):
    assert run("webserver", "-p", "9001", "-H", "127.0.0.1").exit_code == 0
    assert (served[0][1]["port"], served[0][1]["host"]) == (9001, "127.0.0.1")


def test_web_concurrency_starts_worker_processes_that_build_the_app_themselves(home, served, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert run("api-server").exit_code == 0
    target, options = served[0]
    assert (target, options["factory"], options["workers"]) == (APP_FACTORY, True, 3)
    assert run("api-server", "-w", "1").exit_code == 0
    assert not isinstance(served[1][0], str)


def test_the_worker_factory_builds_an_app_from_the_environment(home):
    from brisa.cli import wiring

    wiring.ensure_schema(wiring.prepare_settings())
    app = app_factory()
    assert app.state.brisa.settings.home == home


def test_the_built_app_is_exempt_from_the_garbage_collector(home):
    # A full collection walking every module and template took 45-100 ms mid-request.
    import gc

    from brisa.cli import wiring

    wiring.ensure_schema(wiring.prepare_settings())
    gc.unfreeze()
    try:
        app_factory()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on creating and dropping apps


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_server_answers_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW")) and k != "PORT"}
    env["BRISA_HOME"] = str(tmp_path)
    port = free_port()
    command = [sys.executable, "-c", "from brisa.cli.main import main; main()", "api-server", "-p", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = wait_for_health(port, proc)
        assert body["metadatabase"] == {"status": "healthy"}
        assert body["scheduler"]["status"] is None  # no scheduler runs beside this server
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=25) == 0


def wait_for_health(port, proc, attempts=600):
    for _ in range(attempts):
        assert proc.poll() is None, proc.stdout.read()
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=1
            ) as answer:
                return json.loads(answer.read())
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server never answered")
