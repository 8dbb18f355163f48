#!/usr/bin/env python3
"""Throughput of Brisa on Celery: a bench_wide-like workload on 1, 2, 4 workers and 1, 2 schedulers.

Usage: python3 bench/celery.py [--tasks 2000] [--per-run 100] [--workers 1,2,4] [--schedulers 1,2]
                               [--concurrency 8] [--parallelism 64] [--broker URL] [--pg ADMIN_URL]

For every (schedulers, workers) pair: a fresh PostgreSQL database, ``brisa scheduler``
processes with ``executor = CeleryExecutor`` and ``brisa celery worker -c CONCURRENCY``
processes, one DAG of ``--per-run`` independent BashOperators running ``true`` (the
shape of /work/shared/bench/dags/bench_wide.py), triggered ``tasks / per-run`` times at
once.  Throughput is tasks divided by the time from the first run's start to the last
run's end (as the runs' start_date/end_date record them).  Prints a table, then one JSON line.

Each try loads its DAG file in the task process, as in Airflow, so one 2,000-task DAG
would measure parsing 2,000 operators per try; 20 runs of a 100-task DAG measure the
scheduler, the broker and the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

FERNET_KEY = "Jv0YA3Xo5q5CbYVd7pPa3nSkuTH7dnRU3LFMqH9dRSQ="
DAG_ID = "bench_wide_celery"


def main() -> None:
    args = parse_args()
    rows = []
    for schedulers in args.schedulers:
        for workers in args.workers:
            row = measure(args, schedulers=schedulers, workers=workers)
            rows.append(row)
            print(
                f"  {schedulers} scheduler(s), {workers} worker(s): {row['seconds']:.1f} s", file=sys.stderr
            )
    print_table(rows, args)
    print(json.dumps({"bench": "celery", "tasks": args.tasks, "concurrency": args.concurrency, "rows": rows}))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--per-run", type=int, default=100)
    parser.add_argument("--workers", type=_ints, default=[1, 2, 4])
    parser.add_argument("--schedulers", type=_ints, default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=8, help="slots per worker")
    parser.add_argument("--parallelism", type=int, default=64, help="tries in flight per scheduler")
    parser.add_argument("--broker", default=os.environ.get("BRISA_BENCH_BROKER", "redis://127.0.0.1:6379/0"))
    parser.add_argument(
        "--pg", default=os.environ.get("BRISA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--timeout", type=float, default=900)
    return parser.parse_args()


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


# -- one measurement ------------------------------------------------------------------------
def measure(args: argparse.Namespace, *, schedulers: int, workers: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="brisa-bench-celery-"))
    try:
        with fresh_database(args.pg) as database:
            env = environment(home, database, args)
            write_dag(home / "dags", args.per_run)
            procs = [spawn(home, env, f"scheduler{i}", "scheduler") for i in range(schedulers)]
            procs += [
                spawn(
                    home,
                    env,
                    f"worker{i}",
                    "celery",
                    "worker",
                    "-c",
                    str(args.concurrency),
                    "--hostname",
                    f"w{i}@%h",
                )
                for i in range(workers)
            ]
            try:
                return run_once(database, args, schedulers=schedulers, workers=workers)
            finally:
                stop(procs)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run_once(database: str, args: argparse.Namespace, *, schedulers: int, workers: int) -> dict[str, Any]:
    from brisa.services.runs import trigger_run
    from brisa.store.sql import Store

    store = Store(database)
    try:
        dag = wait(lambda: _serialized(store), args.timeout, "the DAG to be parsed")
        runs = args.tasks // args.per_run
        with store.transaction() as tx:
            run_ids = [trigger_run(tx, dag, now=datetime.now(UTC)).run_id for _ in range(runs)]
        records = wait(lambda: _finished(store, run_ids), args.timeout, "the runs to finish")
    finally:
        store.dispose()
    start = min(r.start_date for r in records)
    end = max(r.end_date for r in records)
    seconds = (end - start).total_seconds()
    return {
        "schedulers": schedulers,
        "workers": workers,
        "slots": workers * args.concurrency,
        "tasks": runs * args.per_run,
        "failed_runs": sum(r.state != "success" for r in records),
        "seconds": round(seconds, 2),
        "tasks_per_second": round(runs * args.per_run / seconds, 1),
    }


def _serialized(store: Any) -> Any:
    with store.transaction(readonly=True) as tx:
        return tx.dags.serialized(DAG_ID)


def _finished(store: Any, run_ids: list[str]) -> list[Any] | None:
    with store.transaction(readonly=True) as tx:
        records = [tx.runs.require(DAG_ID, run_id) for run_id in run_ids]
    return records if all(r.state.is_finished for r in records) else None


def wait(probe: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


# -- set-up -----------------------------------------------------------------------------------
@contextmanager
def fresh_database(admin_url: str) -> Any:
    from brisa.store import migrate
    from brisa.store.sql import Store

    name = f"brisa_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    store = Store(url)
    migrate.upgrade(store)
    store.dispose()
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def environment(home: Path, database: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA", "REDIS_URL"))}
    env.update(
        BRISA_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__CORE__FERNET_KEY=FERNET_KEY,
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CORE__PARALLELISM=str(args.parallelism),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=database,
        AIRFLOW__CELERY__BROKER_URL=args.broker,
        AIRFLOW__CELERY__DEFAULT_QUEUE=f"bench-{uuid.uuid4().hex[:8]}",
        AIRFLOW__LOGGING__LEVEL="WARNING",
    )
    return env


def write_dag(folder: Path, tasks: int) -> None:
    folder.mkdir(parents=True)
    (folder / f"{DAG_ID}.py").write_text(
        textwrap.dedent(
            f"""
            from datetime import datetime
            from airflow.sdk import DAG
            from airflow.providers.standard.operators.bash import BashOperator

            with DAG("{DAG_ID}", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
                     max_active_tasks=64, max_active_runs=64) as dag:
                for i in range({tasks}):
                    BashOperator(task_id=f"t{{i}}", bash_command="true")
            """
        )
    )


def spawn(home: Path, env: dict[str, str], name: str, *args: str) -> subprocess.Popen[bytes]:
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(
        ["brisa", *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# -- output ---------------------------------------------------------------------------------------
def print_table(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\n{args.tasks} BashOperator tasks (`true`) in {args.tasks // args.per_run} runs of {args.per_run}"
    )
    print(f"{args.concurrency} slots per worker, parallelism {args.parallelism} per scheduler\n")
    print("| schedulers | workers | slots | seconds | tasks/s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        flag = f" ({row['failed_runs']} runs failed)" if row["failed_runs"] else ""
        print(
            f"| {row['schedulers']} | {row['workers']} | {row['slots']} | {row['seconds']:.1f} | "
            f"{row['tasks_per_second']:.1f}{flag} |"
        )
    print()


if __name__ == "__main__":
    main()
