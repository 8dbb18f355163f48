"""The repository's Procfile run as Heroku runs it, for the PaaS tests and ``bench/paas.py``.

An :class:`App` is what a dyno sees: an app directory (``AIRFLOW_HOME``, as the seed's
``/app``) holding ``dags/``, a fresh PostgreSQL database given as Heroku gives it
(``DATABASE_URL=postgres://...``), the seed's ``AIRFLOW__...`` config vars and a
``PORT`` per dyno. :meth:`App.start` runs one process type of the real ``Procfile``
through honcho (``honcho start web``), which like Heroku's dyno manager sends SIGTERM
to the process group and waits.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from brisa.secrets.fernet import generate_key

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile"
SEED_DAG = ROOT / "brisa" / "example_dags" / "tutorial.py"
PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
TEST_CONNECTIONS = "brisa-paas-test"
"""``application_name`` of the tests' own connections, to tell them from the dynos'."""
_PASSWORD_LINE = re.compile(r"Login with username: (\S+)\s+password: (\S+)")
_STARTED_LINE = re.compile(r"\| (\S+) started \(pid=(\d+)\)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], *, what: str, timeout: float, details: Callable[[], str]) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{details()}")
        time.sleep(0.1)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database; yields its URL in Heroku's ``postgres://`` form."""
    name = f"brisa_paas_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Dyno:
    """One ``honcho start <type>`` process: a dyno running one Procfile process type."""

    def __init__(self, popen: subprocess.Popen[bytes], log_path: Path, port: int) -> None:
        self.popen = popen
        self.log_path = log_path
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def process_group(self) -> int | None:
        """The process group honcho started the command in (its shell's pid)."""
        match = _STARTED_LINE.search(self.output())
        return int(match.group(2)) if match else None

    def group_members(self) -> list[int]:
        group = self.process_group()
        if group is None:
            return []
        members = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.getpgid(int(entry)) == group and not _is_zombie(int(entry)):
                        members.append(int(entry))
        return members

    def admin_password(self) -> str:
        match = _PASSWORD_LINE.search(self.output())
        if match is None:
            raise AssertionError(f"no admin password on the dyno's stdout:\n{self.output()}")
        return match.group(2)

    def stop(self, timeout: float = 40) -> float:
        """SIGTERM, as the dyno manager sends; seconds until honcho and every process are gone."""
        started = time.monotonic()
        self.popen.send_signal(signal.SIGTERM)
        self.popen.wait(timeout)
        wait_for(
            lambda: not self.group_members(),
            what="the dyno's processes to end",
            timeout=timeout,
            details=self.output,
        )
        return time.monotonic() - started

    def kill(self) -> None:
        group = self.process_group()
        if self.alive:
            self.popen.kill()
            self.popen.wait(10)
        if group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class App:
    """The app directory, database and config vars of one Heroku app."""

    def __init__(self, root: Path, database_url: str, *, dags: dict[str, str] | None = None) -> None:
        self.root = root
        self.dags = root / "dags"
        self.dags.mkdir(parents=True, exist_ok=True)
        for name, source in (dags or {"tutorial_dag.py": SEED_DAG.read_text()}).items():
            (self.dags / name).write_text(source)
        self.database_url = database_url
        self.env = seed_config_vars(root, database_url)
        self.dynos: list[Dyno] = []
        self.engine = sa.create_engine(
            database_url.replace("postgres://", "postgresql+psycopg://", 1),
            poolclass=NullPool,
            connect_args={"application_name": TEST_CONNECTIONS},
        )

    def run_release(self) -> subprocess.CompletedProcess[str]:
        """``honcho start release``: the release phase, before any dyno starts."""
        return subprocess.run(
            self._honcho("release"), env=self.env, capture_output=True, text=True, timeout=120, check=False
        )

    def start(self, process_type: str = "web", **extra_env: str) -> Dyno:
        port = free_port()
        env = {**self.env, "PORT": str(port), "DYNO": f"{process_type}.{len(self.dynos) + 1}", **extra_env}
        log_path = self.root / f"{process_type}-{len(self.dynos) + 1}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                self._honcho(process_type), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
            )
        dyno = Dyno(popen, log_path, port)
        self.dynos.append(dyno)
        return dyno

    def _honcho(self, process_type: str) -> list[str]:
        return ["honcho", "-f", str(PROCFILE), "-d", str(self.root), "-e", "/dev/null", "start", process_type]

    def wait_healthy(self, dyno: Dyno, timeout: float = 90) -> None:
        def healthy() -> bool:
            if not dyno.alive:
                raise AssertionError(f"the dyno exited with {dyno.popen.returncode}:\n{dyno.output()}")
            try:
                data = http_json("GET", dyno.url + "/api/v2/monitor/health")
            except (OSError, urllib.error.URLError):
                return False
            return data.get("scheduler", {}).get("status") == "healthy" and "ready" in dyno.output()

        wait_for(healthy, what="the web dyno to answer", timeout=timeout, details=dyno.output)

    def query(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def close(self) -> None:
        for dyno in self.dynos:
            dyno.kill()
        self.engine.dispose()


def seed_config_vars(app: Path, database_url: str) -> dict[str, str]:
    """The seed post's ``heroku config:set`` lines, with ``/app`` -> ``app`` and Heroku's DATABASE_URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "BRISA")) and k not in PLATFORM_VARIABLES
    }
    return env | {
        "SLUGIFY_USES_TEXT_UNIDECODE": "yes",
        "AIRFLOW_HOME": str(app),
        "AIRFLOW__CORE__DAGS_FOLDER": str(app / "dags"),
        "AIRFLOW__CORE__FERNET_KEY": generate_key(),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__WEBSERVER__AUTHENTICATE": "True",
        "AIRFLOW__WEBSERVER__AUTH_BACKEND": "airflow.contrib.auth.backends.password_auth",
        "DATABASE_URL": database_url,
        # A Basic dyno's 512 MB gives 8 (see brisa/config/resources.py); this machine has no limit.
        "AIRFLOW__CORE__PARALLELISM": "8",
    }


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


class Client:
    """The REST API as a signed-in user."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        self.token = http_json(
            "POST", base_url + "/auth/token", {"username": username, "password": password}
        )["access_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return http_json(method, self.base_url + path, body, self.token)

    def wait_for_dag(self, dag_id: str, timeout: float = 60) -> None:
        def parsed() -> bool:
            try:
                return bool(self.call("GET", f"/api/v2/dags/{dag_id}"))
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    raise
                return False

        wait_for(parsed, what=f"DAG {dag_id} to be parsed", timeout=timeout, details=lambda: "")


__all__ = [
    "TEST_CONNECTIONS",
    "App",
    "Client",
    "Dyno",
    "free_port",
    "fresh_database",
    "http_json",
    "seed_config_vars",
    "wait_for",
]
