"""``brisa standalone``: the first admin, the watch over its parts, and the real process."""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from brisa.cli.standalone_cmd import ADMIN_PASSWORD_FILE, ensure_admin, shut_down, watch, write_private
from brisa.testing import memory_store


def test_the_first_admin_is_created_once_and_its_password_printed_once(tmp_path):
    store = memory_store()
    said = []
    assert ensure_admin(tmp_path, store, echo=said.append) is True
    password = (tmp_path / ADMIN_PASSWORD_FILE).read_text().strip()
    assert said[0] == f"standalone | Login with username: admin  password: {password}"
    assert stat.S_IMODE((tmp_path / ADMIN_PASSWORD_FILE).stat().st_mode) == 0o600
    with store.transaction(readonly=True) as tx:
        assert tx.users.require("admin").role == "Admin"
    later = []
    assert ensure_admin(tmp_path, store, echo=later.append) is False
    assert later == [
        f"standalone | the password of the first admin user is in {tmp_path / ADMIN_PASSWORD_FILE}"
    ]
    assert password not in " ".join(later)


def test_no_admin_is_made_when_users_exist(tmp_path):
    store = memory_store()
    with store.transaction() as tx:
        tx.users.create(
            username="ann", email="", role="Viewer", password_hash="x", now=datetime(2026, 1, 1, tzinfo=UTC)
        )
    said = []
    assert ensure_admin(tmp_path, store, echo=said.append) is False
    assert said == []
    assert not (tmp_path / ADMIN_PASSWORD_FILE).exists()


def test_write_private_replaces_a_file_and_keeps_it_private(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "new\n")
    assert (path.read_text(), stat.S_IMODE(path.stat().st_mode)) == ("new\n", 0o600)


def test_write_private_makes_a_missing_home_readable_by_its_owner_only(tmp_path):
    previous = os.umask(0o022)
    try:
        write_private(tmp_path / "home" / ADMIN_PASSWORD_FILE, "pw\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700


class FakeExecutor:
    healthy = True


class FakeEngine:
    def __init__(self):
        self.executor = FakeExecutor()
        self.failed = False
        self.stop_requested = threading.Event()

    def request_stop(self):
        self.stop_requested.set()


class FakeServer:
    should_exit = False


def thread_until(event):
    thread = threading.Thread(target=event.wait, daemon=True)
    thread.start()
    return thread


def test_watch_returns_when_a_part_dies_and_not_before_a_stop():
    engine, stop, done = FakeEngine(), threading.Event(), threading.Event()
    alive = thread_until(done)
    finished = threading.Thread(target=lambda: None)
    finished.start()
    finished.join()
    assert watch(stop, engine, finished, alive) == "the scheduler thread stopped"
    assert watch(stop, engine, alive, finished) == "the web server stopped"
    engine.executor.healthy = False
    assert watch(stop, engine, alive, alive) == "the executor's zygote process died"
    engine.executor.healthy = True
    failed = types.SimpleNamespace(failure=RuntimeError("no templates"))
    assert watch(stop, engine, alive, alive, starting=failed) == "the web app could not be built"
    stop.set()
    assert watch(stop, engine, alive, alive, starting=types.SimpleNamespace(failure=None)) is None
    done.set()


def test_shut_down_stops_the_web_server_and_the_engine_and_reports_failures():
    engine, server = FakeEngine(), FakeServer()
    scheduler = thread_until(engine.stop_requested)
    assert shut_down(server, engine, [scheduler], None) == 0
    assert server.should_exit and engine.stop_requested.is_set()
    assert shut_down(FakeServer(), FakeEngine(), [], "the scheduler thread stopped") == 1
    crashed = FakeEngine()
    crashed.failed = True
    assert shut_down(FakeServer(), crashed, [], None) == 1


# --- the real process --------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def home(tmp_path):
    (tmp_path / "dags").mkdir()
    return tmp_path


def start(home, port, *, new_session=False, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW")) and k != "PORT"}
    env.update(
        BRISA_HOME=str(home),
        BRISA__CORE__DAGS_FOLDER=str(home / "dags"),
        BRISA__CORE__LOAD_EXAMPLES="False",
        PORT=str(port),
        **{f"BRISA__{key.upper()}": value for key, value in settings.items()},
    )
    command = [sys.executable, "-c", "from brisa.cli.main import main; main()", "standalone"]
    log = open(home / "standalone.log", "a")  # noqa: SIM115 - closed when the process is reaped
    popen = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=new_session
    )
    return popen, log


def health(port, proc, attempts=600):
    for _ in range(attempts):
        assert proc.poll() is None, "standalone exited early"
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=1
            ) as answer:
                return json.loads(answer.read())
        except OSError:
            time.sleep(0.05)
    raise AssertionError("standalone never answered its health check")


def stop(proc, log):
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=25)
    finally:
        log.close()


def token(port, password):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["access_token"]


def dags_as_admin(port, access_token):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/dags", headers={"Authorization": f"Bearer {access_token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


BUILT = "building the web app (first request)"


@pytest.mark.slow
def test_standalone_serves_prints_the_admin_password_once_and_stops_on_sigterm(home):
    port = free_port()
    proc, log = start(home, port)
    try:
        assert health(port, proc)["metadatabase"] == {"status": "healthy"}
    finally:
        assert stop(proc, log) == 0
    password = (home / ADMIN_PASSWORD_FILE).read_text().strip()
    proc, log = start(home, port)
    try:
        health(port, proc)
        time.sleep(0.5)  # the full app is built at the first request other than health
        assert BUILT not in (home / "standalone.log").read_text()
        assert dags_as_admin(port, token(port, password)) == {"dags": [], "total_entries": 0}
        assert BUILT in (home / "standalone.log").read_text()
        anonymous = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/dags")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(anonymous, timeout=10)
        assert refused.value.code == 401
    finally:
        assert stop(proc, log) == 0
    output = (home / "standalone.log").read_text()
    assert output.count(password) == 1
    assert output.count("Login with username: admin") == 1
    assert "the password of the first admin user is in" in output


HELD_DAG = """
import os, time
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.operators.python import PythonOperator

HOME = Path({home!r})

def held(**context):
    (HOME / "started").write_text(str(os.getpid()))
    while not (HOME / "release").exists():
        time.sleep(0.05)
    print("released while no standalone ran", flush=True)
    (HOME / "ended").touch()
    return "done"

with DAG("held", schedule=None, start_date=datetime(2024, 1, 1), default_args={{"retries": 1}}):
    PythonOperator(task_id="held", python_callable=held)
"""


def _poll(predicate, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


@pytest.mark.slow
def test_a_try_ending_while_a_killed_standalone_is_down_keeps_its_success(home):
    from brisa.services.runs import trigger_run
    from brisa.store.sql import Store
    from tests.e2e.tries import identities_alive, process_identities

    (home / "dags" / "held.py").write_text(HELD_DAG.format(home=str(home)))
    port = free_port()
    proc, log = start(home, port, new_session=True, core__dags_are_paused_at_creation="False")
    store = Store(f"sqlite:///{home / 'brisa.db'}")
    try:
        health(port, proc)

        def parsed():
            with store.transaction(readonly=True) as tx:
                return tx.dags.serialized("held")

        dag = _poll(parsed, "the DAG to be parsed")
        with store.transaction() as tx:
            run_id = trigger_run(tx, dag, now=datetime.now(UTC), triggered_by="test").run_id
        _poll((home / "started").exists, "the try to start")
        group = process_identities(group=proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)  # the standalone, its zygotes: not the task process
        proc.wait(10)
        log.close()
        _poll(lambda: not identities_alive(group), "the standalone's process group to end")
        (home / "release").touch()
        _poll((home / "ended").exists, "the try to end while no standalone runs")

        proc, log = start(home, port)
        health(port, proc)

        def finished():
            with store.transaction(readonly=True) as tx:
                run = tx.runs.require("held", run_id)
                return run if run.state.is_finished else None

        run = _poll(finished, "the run to finish")
        with store.transaction(readonly=True) as tx:
            ti = tx.tis.for_run("held", run_id)[0]
            text = tx.logs.read(ti.key, 1)[0]
            returned = tx.xcoms.raw_value(ti.key)
        assert (run.state.value, ti.state.value, ti.try_number) == ("success", "success", 1)
        assert "released while no standalone ran" in text
        assert "ended while no scheduler supervised it: success" in text
        assert returned == '"done"'
    finally:
        if proc.poll() is None:
            assert stop(proc, log) == 0
        store.dispose()


def test_the_collector_is_off_while_standalone_starts_and_on_again_after(monkeypatch):
    import gc

    import brisa.cli.standalone_cmd as standalone_cmd

    seen = []

    def fake_run(*, host, port):
        seen.append(gc.isenabled())
        raise RuntimeError("start-up failed")

    monkeypatch.setattr(standalone_cmd, "_run", fake_run)
    with pytest.raises(RuntimeError):
        standalone_cmd.run(host=None, port=None)
    assert (seen, gc.isenabled()) == ([False], True)
