"""Brisa deployed the way a user deploys it, for end-to-end tests.

A :class:`Deployment` is a temporary ``BRISA_HOME`` with a DAGs folder (the files of
``tests/e2e/dags`` the test asks for), a ``markers`` folder those DAGs write to, and one
database: a SQLite file or a fresh PostgreSQL database. Tests start ``brisa scheduler``
subprocesses over it (each in its own process group), call the real ``brisa`` command,
and read what happened straight from the store.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from brisa.secrets.fernet import generate_key
from brisa.services.runs import trigger_run
from brisa.store import migrate
from brisa.store.records import RunRecord, TaskKey, TiRecord
from brisa.store.sql import Store
from tests.pg_template import migrated_pg_database

DAG_SOURCES = Path(__file__).resolve().parent / "dags"
PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def utcnow() -> datetime:
    return datetime.now(UTC)


def wait_for(predicate: Callable[[], Any], *, what: str, timeout: float, details: Callable[[], str]) -> Any:
    """Poll ``predicate`` until it returns something true; fail with ``details()`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{details()}")
        time.sleep(0.1)


class SchedulerProcess:
    """One ``brisa scheduler`` subprocess, leader of its own process group."""

    def __init__(self, popen: subprocess.Popen[bytes], log_path: Path) -> None:
        self.popen = popen
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the scheduler alone, as a crash would: its children must notice by themselves."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def kill_group(self) -> None:
        """SIGKILL the scheduler's whole process group (it and its zygotes), as ``kill -9 -<pgid>``
        would: the task processes, each in a group of its own, are left running."""
        os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def terminate(self, timeout: float) -> int:
        """SIGTERM, as Heroku does at a restart; returns the exit code."""
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout)

    def cleanup(self) -> None:
        """End whatever is left of this process group (a test that failed midway)."""
        if self.alive:
            try:
                self.terminate(30)
            except subprocess.TimeoutExpired:
                self.kill()
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


class Deployment:
    """A home, a DAGs folder, a markers folder and a migrated database; schedulers on demand."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.home = root / "home"
        self.dags = root / "dags"
        self.markers = root / "markers"
        for folder in (self.home, self.dags, self.markers):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(DAG_SOURCES / "e2e_markers.py", self.dags)
        (self.dags / ".airflowignore").write_text("e2e_markers\\.py\n")
        self.database_url = database_url
        self.env = _environment(self.home, self.dags, database_url)
        self.store = Store(database_url)
        migrate.upgrade(self.store)
        self.schedulers: list[SchedulerProcess] = []

    # -- set-up --------------------------------------------------------------------------
    def add_dags(self, *names: str) -> None:
        """Copy ``tests/e2e/dags/<name>.py`` into the DAGs folder."""
        for name in names:
            shutil.copy(DAG_SOURCES / f"{name}.py", self.dags)

    def write_dag(self, filename: str, source: str) -> None:
        (self.dags / filename).write_text(source)

    def create_pool(self, name: str, slots: int) -> None:
        with self.store.transaction() as tx:
            tx.pools.set(name, slots)

    # -- processes ----------------------------------------------------------------------
    def start_scheduler(self, command: str = "scheduler", **options: str) -> SchedulerProcess:
        """``brisa scheduler`` (or ``brisa triggerer``); ``options`` are ``section__key``
        settings, e.g. scheduler__x="1"."""
        env = dict(self.env)
        env.update({f"BRISA__{key.upper()}": value for key, value in options.items()})
        log_path = self.home / f"{command}-{len(self.schedulers) + 1}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                ["brisa", command], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        process = SchedulerProcess(popen, log_path)
        self.schedulers.append(process)
        return process

    def brisa(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """The real ``brisa`` command with this deployment's settings."""
        done = subprocess.run(
            ["brisa", *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"brisa {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return done

    def brisa_json(self, *args: str) -> Any:
        return json.loads(self.brisa(*args, "-o", "json").stdout)

    def close(self) -> None:
        for process in self.schedulers:
            process.cleanup()
        self.store.dispose()

    # -- waiting ----------------------------------------------------------------------------
    def wait(self, predicate: Callable[[], Any], *, what: str, timeout: float = 90) -> Any:
        """``predicate()`` once it is true; on timeout, fail showing the runs and the logs."""
        return wait_for(predicate, what=what, timeout=timeout, details=self.details)

    # -- runs -----------------------------------------------------------------------------
    def trigger(self, dag_id: str, **options: Any) -> str:
        """A manual run, created as ``brisa dags trigger`` would; returns its run id."""
        with self.store.transaction() as tx:
            dag = tx.dags.require_serialized(dag_id)
            return trigger_run(tx, dag, now=utcnow(), triggered_by="test", **options).run_id

    def wait_for_dags(self, *dag_ids: str, timeout: float = 60) -> None:
        def loaded() -> bool:
            with self.store.transaction(readonly=True) as tx:
                return all(tx.dags.serialized(d) is not None for d in dag_ids)

        self.wait(loaded, what=f"DAGs {', '.join(dag_ids)} to be parsed", timeout=timeout)

    def run(self, dag_id: str, run_id: str) -> RunRecord:
        with self.store.transaction(readonly=True) as tx:
            return tx.runs.require(dag_id, run_id)

    def runs(self, dag_id: str) -> list[RunRecord]:
        with self.store.transaction(readonly=True) as tx:
            return tx.runs.list(dag_id, order_by="logical_date").items

    def wait_for_run(self, dag_id: str, run_id: str, *, timeout: float = 90) -> RunRecord:
        """The run once it is finished (success or failed)."""

        def finished() -> RunRecord | None:
            run = self.run(dag_id, run_id)
            return run if run.state.is_finished else None

        return self.wait(finished, what=f"run {run_id} of {dag_id} to finish", timeout=timeout)

    def wait_for_runs(self, dag_id: str, count: int, *, timeout: float = 90) -> list[RunRecord]:
        """All runs of ``dag_id`` once there are ``count`` of them and all are finished."""

        def finished() -> list[RunRecord] | None:
            runs = self.runs(dag_id)
            return runs if len(runs) == count and all(r.state.is_finished for r in runs) else None

        return self.wait(finished, what=f"{count} finished runs of {dag_id}", timeout=timeout)

    # -- task instances ------------------------------------------------------------------------
    def tis(self, dag_id: str, run_id: str) -> dict[str, TiRecord]:
        """Task instances by task id (mapped ones as ``task_id[i]``)."""
        with self.store.transaction(readonly=True) as tx:
            return {_label(ti): ti for ti in tx.tis.for_run(dag_id, run_id)}

    def states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        return {label: ti.state.value if ti.state else None for label, ti in self.tis(dag_id, run_id).items()}

    def log(self, key: TaskKey, try_number: int) -> str:
        with self.store.transaction(readonly=True) as tx:
            return tx.logs.read(key, try_number)[0]

    def tries(self, key: TaskKey) -> list[Any]:
        with self.store.transaction(readonly=True) as tx:
            return tx.tis.tries(key)

    # -- diagnostics ------------------------------------------------------------------------------
    def details(self) -> str:
        """What a failed wait shows: unfinished runs, their task states, the schedulers' output."""
        lines = []
        try:
            with self.store.transaction(readonly=True) as tx:
                for run in tx.runs.unfinished():
                    states = {
                        _label(t): t.state.value if t.state else None
                        for t in tx.tis.for_run(run.dag_id, run.run_id)
                    }
                    lines.append(f"{run.dag_id} {run.run_id} {run.state.value}: {states}")
        except Exception as exc:  # the database may be the thing that failed
            lines.append(f"(could not read the store: {exc})")
        for process in self.schedulers:
            lines.append(f"--- {process.log_path.name} (pid {process.pid}, alive={process.alive})")
            lines.append(process.output()[-6000:])
        return "\n".join(lines)


def _label(ti: TiRecord) -> str:
    return ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"


def _environment(home: Path, dags: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA", "DATABASE_URL"))}
    env.update(
        BRISA_HOME=str(home),
        BRISA__CORE__DAGS_FOLDER=str(dags),
        BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        BRISA__CORE__LOAD_EXAMPLES="False",
        BRISA__CORE__FERNET_KEY=generate_key(),
        BRISA__CORE__PARALLELISM="8",
        BRISA__DATABASE__SQL_ALCHEMY_CONN=database_url,
    )
    return env


@contextmanager
def deployment(root: Path, backend: str) -> Iterator[Deployment]:
    """A deployment on ``backend`` ("sqlite" or "postgres"), torn down afterwards."""
    with _database(root, backend) as url:
        deployed = Deployment(root, url)
        try:
            yield deployed
        finally:
            deployed.close()


@contextmanager
def _database(root: Path, backend: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{root}/brisa.db"
        return
    # A clone of a migrated template: Deployment's own upgrade then finds the schema current.
    with migrated_pg_database(PG_ADMIN_URL, prefix="brisa_e2e") as url:
        yield url


__all__ = ["Deployment", "SchedulerProcess", "deployment", "utcnow", "wait_for"]
