"""Shared by the executor and HA tests: DAG files, queued workloads, markers, processes."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload
from brisa.loader import parse_file
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.store.sql import Store
from tests.pg_template import migrated_pg_database

FERNET_KEY = "Jv0YA3Xo5q5CbYVd7pPa3nSkuTH7dnRU3LFMqH9dRSQ="


def utcnow() -> datetime:
    return datetime.now(UTC)


def write_dag(
    folder: Path,
    dag_id: str,
    *,
    tasks: int,
    markers: Path | None = None,
    seconds: float | dict[str, float] = 0,
    queues: dict[str, str] | None = None,
    dag_args: str = "schedule=None, catchup=False",
    task_args: str = "retries=0",
) -> Path:
    """A DAG file of ``tasks`` independent tasks: BashOperators running ``true``, or markers.

    With ``markers``, each try appends ``start <time> <pid>`` to a file named after the
    try, sleeps ``seconds`` (one for all, or by task id), then appends ``end <time>``;
    all inside the task process, so ending the process ends the try.  ``queues`` maps
    task ids to Celery queues.
    """
    sleeps = seconds if isinstance(seconds, dict) else {}
    default_sleep = 0 if isinstance(seconds, dict) else seconds
    if markers is None:
        operator = 'BashOperator(task_id=task_id, bash_command="true"'
    else:
        operator = (
            "PythonOperator(task_id=task_id, python_callable=mark, op_args=[SLEEPS.get(task_id, DEFAULT)]"
        )
    path = folder / f"{dag_id}.py"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(
        textwrap.dedent(
            f"""
            import os
            import time
            from datetime import datetime, timedelta
            from airflow.sdk import DAG
            from airflow.providers.standard.operators.bash import BashOperator
            from airflow.providers.standard.operators.python import PythonOperator

            QUEUES = {queues or {}!r}
            SLEEPS = {sleeps!r}
            DEFAULT = {default_sleep!r}


            def mark(seconds, **context):
                ti = context["ti"]
                path = f"{markers}/{{context['run_id']}}__{{ti.task_id}}__{{ti.try_number}}"
                with open(path, "a") as f:
                    f.write(f"start {{time.time()}} {{os.getpid()}}\\n")
                time.sleep(seconds)
                with open(path, "a") as f:
                    f.write(f"end {{time.time()}}\\n")


            with DAG({dag_id!r}, start_date=datetime(2024, 1, 1), max_active_tasks=512, {dag_args}) as dag:
                for i in range({tasks}):
                    task_id = f"t{{i}}"
                    {operator}, queue=QUEUES.get(task_id, "default"), {task_args})
            """
        )
    )
    return path


def load_dag(store: Store, path: Path, now: datetime) -> SerializedDag:
    """Parse a DAG file and store it unpaused, as the DAG processor would."""
    result = parse_file(str(path))
    assert result.errors == [], result.errors
    [dag] = result.dags
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=now)
    return dag


class CapturingExecutor(BaseExecutor):
    """Takes what the scheduler queues and runs nothing: the workloads a broker would carry."""

    def __init__(self) -> None:
        self.workloads: list[Workload] = []

    def submit(self, workloads: list[Workload]) -> None:
        self.workloads.extend(workloads)

    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        return []

    @property
    def slots_free(self) -> int:
        return 10_000

    def running_keys(self) -> set[Any]:
        return set()

    def stop(self, grace: float) -> None:
        return None


def queued_workloads(store: Store, dag: SerializedDag, now: datetime) -> list[Workload]:
    """Trigger a run of ``dag`` and queue its first tasks the way the scheduler does."""
    with store.transaction() as tx:
        trigger_run(tx, dag, now=now)
    executor = CapturingExecutor()
    scheduler = Scheduler(store, executor, config=SchedulerConfig(), clock=utcnow, hostname="test")
    scheduler.start_job()
    for _ in range(3):
        scheduler.tick(utcnow())
    return executor.workloads


# -- markers -----------------------------------------------------------------------------------
@dataclass
class Try:
    run_id: str
    task_id: str
    try_number: int
    starts: list[float] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)


def read_markers(folder: Path) -> dict[tuple[str, str, int], Try]:
    """Every try the task processes recorded: start time and pid, end time if it got there."""
    tries = {}
    for path in folder.iterdir():
        run_id, task_id, try_number = path.name.rsplit("__", 2)
        record = Try(run_id, task_id, int(try_number))
        for line in path.read_text().splitlines():
            word, *rest = line.split()
            if word == "start":
                record.starts.append(float(rest[0]))
                record.pids.append(int(rest[1]))
            elif word == "end":
                record.ends.append(float(rest[0]))
        tries[(run_id, task_id, int(try_number))] = record
    return tries


def assert_no_overlap(tries: dict[tuple[str, str, int], Try], killed_end: float | None = None) -> None:
    """Each try started once, and the tries of one task instance never ran at the same time."""
    by_ti: dict[tuple[str, str], list[Try]] = {}
    for record in tries.values():
        assert len(record.starts) == 1, f"try ran {len(record.starts)} times: {record}"
        by_ti.setdefault((record.run_id, record.task_id), []).append(record)
    for records in by_ti.values():
        # A try killed before its task code ran left no marker: numbers may skip, never repeat.
        records.sort(key=lambda r: r.try_number)
        for before, after in itertools.pairwise(records):
            end = before.ends[0] if before.ends else killed_end
            assert end is not None, f"try {before} never ended and nothing killed it"
            assert after.starts[0] >= end, f"{after} started before {before} was over"


def wait_until_dead(pids: list[int], timeout: float = 30.0) -> float:
    """Wait until none of ``pids`` runs; returns when that was seen."""
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() and not _zombie(pid) for pid in pids):
        assert time.monotonic() < deadline, f"task processes {pids} outlived their worker"
        time.sleep(0.02)
    return time.time()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


# -- a fresh PostgreSQL database per test --------------------------------------------------------
@contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """A new database with Brisa's schema (cloned from a migrated template), dropped afterwards."""
    with migrated_pg_database(admin_url) as url:
        yield url


# -- brisa processes ----------------------------------------------------------------------------------
class Processes:
    """``brisa scheduler`` / ``brisa celery worker`` subprocesses sharing one configuration."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[Any] = []

    @classmethod
    def configure(cls, home: Path, *, database: str, dags: Path, **options: str) -> Processes:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA", "REDIS_URL"))}
        env.update(
            BRISA_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__FERNET_KEY=FERNET_KEY,
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=database,
            AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL="3600",
        )
        env.update({f"AIRFLOW__{k.upper()}": v for k, v in options.items()})
        return cls(home, env)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.home / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop_all
        self._logs.append(log)
        proc = subprocess.Popen(
            ["brisa", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = proc
        return proc

    def scheduler(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, "scheduler")

    def worker(
        self, name: str, *, queues: str | None = None, concurrency: int = 4
    ) -> subprocess.Popen[bytes]:
        args = ["celery", "worker", "-c", str(concurrency), "--hostname", f"{name}@%h"]
        return self.start(name, *args, *(["-q", queues] if queues else []))

    def kill(self, name: str) -> None:
        """SIGKILL the process alone (its zygote and task processes must notice by themselves)."""
        proc = self.running.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def terminate(self, name: str, timeout: float = 60.0) -> int:
        proc = self.running.pop(name)
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout)

    def stop_all(self) -> None:
        for name in list(self.running):
            try:
                self.terminate(name, timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(name)
        for log in self._logs:
            log.close()

    def log(self, name: str) -> str:
        return (self.home / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.home.glob("*.log")
        )


def wait_for(
    predicate: Callable[[], Any], *, timeout: float, what: str, processes: Processes | None = None
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            details = processes.logs() if processes else ""
            raise AssertionError(f"timed out waiting for {what}\n{details}")
        time.sleep(0.25)
