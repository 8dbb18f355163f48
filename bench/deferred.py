#!/usr/bin/env python3
"""Deferred tasks: N tasks deferred at once on a time trigger (issue 17's benchmark).

    python bench/deferred.py                       # 1,000 tasks, SQLite
    python bench/deferred.py --tasks 1000 --db postgresql://postgres@127.0.0.1:5432/x
    python bench/deferred.py --airflow ~/.cache/brisa-test/airflow-3.3.2 \
        --db postgresql://postgres@127.0.0.1:5432/airflow_bench --lead 420   # the same, Airflow

``--airflow VENV`` runs the same DAG under that venv's ``airflow standalone`` (SQLite, or
the PostgreSQL database given with ``--db``; LocalExecutor, its scheduler, DAG processor,
API server and triggerer processes) and reports the same figures for its process tree.
Airflow 3.3.2 needs PostgreSQL here: on SQLite its 1,000 deferrals fail with "database is
locked". ``--airflow`` neither creates nor drops the database.

One DAG of N ``DateTimeSensorAsync`` tasks (a ``DateTimeTrigger`` each, the trigger a
``TimeDeltaTrigger`` becomes) all waiting for the same moment, given in the run's conf.
``brisa scheduler`` (LocalExecutor, its triggerer in a thread) runs them. Reported:

* the PSS of the scheduler's whole process tree (zygotes and any task process included)
  while all N wait deferred, against the same tree idle;
* for each task, the time from the trigger's moment to the end of its resumed try
  (p50, p95, p99, max): the triggerer noticing, writing the event, the scheduler queueing, a
  task process resuming.

Each result carries the 1-minute load average before and after (the machine may be shared)
and is appended to ``bench/results/deferred.json`` under ``<system>/<database>`` (``--out``;
``--no-save`` to only print). Nothing is asserted; the numbers go in the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DAG = """
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync

with DAG("bench_deferred", start_date=datetime(2024, 1, 1), schedule=None, max_active_tasks={n}):
    for i in range({n}):
        DateTimeSensorAsync(task_id=f"wait_{{i}}", target_time="{{{{ dag_run.conf['fire_at'] }}}}")
"""


def _paas():
    spec = importlib.util.spec_from_file_location("bench_paas", ROOT / "bench" / "paas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def brisa_command() -> list[str]:
    found = shutil.which("brisa")
    return [found] if found else [sys.executable, "-m", "brisa.cli"]


def environment(home: Path, db: str, parallelism: int) -> dict[str, str]:
    return {
        **os.environ,
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(home / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__CORE__PARALLELISM": str(parallelism),
        "BRISA__DATABASE__SQL_ALCHEMY_CONN": db,
    }


def states(store, run_id: str) -> list:
    with store.transaction(readonly=True) as tx:
        return tx.tis.for_run("bench_deferred", run_id)


def wait_until(predicate, timeout: float, what: str, step: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise SystemExit(f"timed out waiting for {what}")


def settled(states) -> bool:
    """Every task deferred, or already ended (a try that failed before deferring)."""
    states = list(states)
    return bool(states) and all(s in ("deferred", "success", "failed", "skipped") for s in states)


def load() -> float:
    """The 1-minute load average (/proc/loadavg's first field)."""
    return round(os.getloadavg()[0], 2)


def save(result: dict, path: Path) -> None:
    """Append ``result`` to the runs saved under its ``<system>/<database>`` key."""
    saved = json.loads(path.read_text()) if path.exists() else {}
    key = f"{result['system'].split()[0]}/{result['database']}"
    saved.setdefault(key, []).append(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1) + "\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(tasks: int, db: str | None, parallelism: int, lead: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from brisa.store import migrate
    from brisa.store.sql import Store

    paas = _paas()
    home = Path(tempfile.mkdtemp(prefix="brisa-deferred-"))
    (home / "dags").mkdir()
    (home / "dags" / "bench_deferred.py").write_text(DAG.format(n=tasks))
    url = db or f"sqlite:///{home}/brisa.db"
    env = environment(home, url, parallelism)
    store = Store(url)
    migrate.upgrade(store)
    with open(home / "scheduler.log", "w") as log:
        proc = subprocess.Popen(
            [*brisa_command(), "scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def parsed() -> bool:
            with store.transaction(readonly=True) as tx:
                return tx.dags.serialized("bench_deferred") is not None

        wait_until(parsed, 300, "the DAG to be parsed")
        time.sleep(3)
        idle = paas.pss_mb(paas.descendants(proc.pid))
        fire_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)
        conf = json.dumps({"fire_at": fire_at.isoformat()})
        started = time.time()
        subprocess.run(
            [*brisa_command(), "dags", "trigger", "bench_deferred", "--run-id", "bench", "--conf", conf],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        # As for Airflow below: if the moment comes before every task has deferred, go
        # on; the latency counts the tasks deferred by the moment.
        all_deferred: float | None = None
        while dt.datetime.now(dt.UTC) < fire_at - dt.timedelta(seconds=2):
            if settled(t.state for t in states(store, "bench")):
                all_deferred = time.time() - started
                break
            time.sleep(0.5)
        samples, processes = [], 0
        while dt.datetime.now(dt.UTC) < fire_at - dt.timedelta(seconds=1):
            family = paas.descendants(proc.pid)
            samples.append(paas.pss_mb(family))
            processes = max(processes, len(family))
            time.sleep(0.5)
        waiting = {t.task_id for t in states(store, "bench") if t.state == "deferred"}
        deferred = len(waiting)
        tis = wait_until(
            lambda: (
                (rows := states(store, "bench"))
                and all(t.state in ("success", "failed") for t in rows)
                and rows
            ),
            600,
            "every resumed try to end",
            step=0.5,
        )
        latencies = [
            (t.end_date - fire_at).total_seconds()
            for t in tis
            if t.task_id in waiting and t.state == "success" and t.end_date > fire_at
        ]
        return {
            "tasks": tasks,
            "system": "brisa",
            "database": url.split(":")[0].split("+")[0],
            "parallelism": parallelism,
            "deferred_at_once": deferred,
            "seconds_to_defer_all": round(all_deferred, 1) if all_deferred else None,
            "idle_tree_pss_mb": round(idle, 1),
            "deferred_tree_pss_mb_mean": round(statistics.mean(samples), 1) if samples else None,
            "deferred_tree_pss_mb_peak": round(max(samples), 1) if samples else None,
            "deferred_tree_processes": processes,
            "fire_to_finish_s_p50": round(percentile(latencies, 0.5), 2),
            "fire_to_finish_s_p95": round(percentile(latencies, 0.95), 2),
            "fire_to_finish_s_p99": round(percentile(latencies, 0.99), 2),
            "fire_to_finish_s_max": round(max(latencies), 2),
            "failed": sum(t.state != "success" for t in tis),
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
        store.dispose()
        shutil.rmtree(home, ignore_errors=True)


def run_airflow(
    venv: Path, tasks: int, parallelism: int, lead: float, db: str | None = None, resume_cap: float = 1800
) -> dict:
    """The same DAG under ``airflow standalone``, on SQLite or on the PostgreSQL ``db``.

    Airflow 3.3.2 on SQLite fails this one ("database is locked" with 1,000 deferrals):
    give it a PostgreSQL database (``--db``; this script neither creates nor drops it).
    """
    import sqlalchemy as sa

    paas = _paas()
    port = paas.free_port()
    home = Path(tempfile.mkdtemp(prefix="airflow-deferred-"))
    (home / "dags").mkdir()
    (home / "dags" / "bench_deferred.py").write_text(DAG.format(n=tasks))
    url = db or f"sqlite:///{home / 'airflow.db'}"
    # Airflow's venv has psycopg2 (tests/importer/airflow_real.py's pins); SQLAlchemy 2.1
    # reads a bare postgresql:// as psycopg 3, which that venv lacks. Its async engine is
    # derived from the dialect (asyncpg), whatever the sync driver.
    airflow_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA", "PYTHONPATH"))},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_url,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
    }
    airflow = str(venv / "bin" / "airflow")
    with open(home / "standalone.log", "w") as log:
        proc = subprocess.Popen(
            [airflow, "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def query(sql: str) -> list:
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(sql)))
        except sa.exc.OperationalError:  # SQLite busy, or no schema yet
            return []
        except sa.exc.ProgrammingError:  # PostgreSQL: no schema yet
            return []

    try:
        wait_until(
            lambda: query("SELECT 1 FROM serialized_dag WHERE dag_id = 'bench_deferred'"), 600, "the DAG"
        )
        time.sleep(10)
        idle = paas.pss_mb(paas.descendants(proc.pid))
        fire_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)
        conf = json.dumps({"fire_at": fire_at.isoformat()})
        started = time.time()
        subprocess.run(
            [airflow, "dags", "trigger", "bench_deferred", "--run-id", "bench", "--conf", conf],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        tis = "SELECT task_id, state, end_date FROM task_instance WHERE dag_id = 'bench_deferred'"
        # Airflow defers about one task a second on this machine: if the moment comes
        # first, go on rather than lose the run; only the tasks deferred by the moment
        # count for the latency (the others start after it and defer already due).
        all_deferred: float | None = None
        while dt.datetime.now(dt.UTC) < fire_at - dt.timedelta(seconds=2):
            if settled(s for _, s, _ in query(tis)):
                all_deferred = time.time() - started
                break
            time.sleep(1.0)
        samples, processes = [], 0
        while dt.datetime.now(dt.UTC) < fire_at - dt.timedelta(seconds=1):
            family = paas.descendants(proc.pid)
            samples.append(paas.pss_mb(family))
            processes = max(processes, len(family))
            time.sleep(1.0)
        waiting = {t for t, s, _ in query(tis) if s == "deferred"}
        deferred = len(waiting)
        ended = ("success", "failed", "upstream_failed")
        try:
            wait_until(
                lambda: all(s in ended for t, s, _ in query(tis) if t in waiting),
                resume_cap,
                "every resumed try to end",
                step=1.0,
            )
        except SystemExit:  # report the tries that did end, and how many did not
            pass
        rows = query(tis)
        # Fire to finish counts the tries that finished well: a failed resume (Airflow's
        # execution API timing out under load) is counted in "failed", not timed.
        ends = [_utc(end) for t, s, end in rows if t in waiting and s == "success" and end]
        latencies = [(end - fire_at).total_seconds() for end in ends if end > fire_at]
        return {
            "tasks": tasks,
            "system": "airflow " + venv.name,
            "database": url.split(":")[0].split("+")[0],
            "parallelism": parallelism,
            "deferred_at_once": deferred,
            "seconds_to_defer_all": round(all_deferred, 1) if all_deferred else None,
            "idle_tree_pss_mb": round(idle, 1),
            "deferred_tree_pss_mb_mean": round(statistics.mean(samples), 1) if samples else None,
            "deferred_tree_pss_mb_peak": round(max(samples), 1) if samples else None,
            "deferred_tree_processes": processes,
            "fire_to_finish_s_p50": round(percentile(latencies, 0.5), 2) if latencies else None,
            "fire_to_finish_s_p95": round(percentile(latencies, 0.95), 2) if latencies else None,
            "fire_to_finish_s_p99": round(percentile(latencies, 0.99), 2) if latencies else None,
            "fire_to_finish_s_max": round(max(latencies), 2) if latencies else None,
            "finished_ok": len(latencies),
            "failed": sum(
                s not in ("success", "deferred", "scheduled", "queued", "running") for _, s, _ in rows
            ),
            "not_ended_at_cap": sum(t in waiting and s not in ended for t, s, _ in rows),
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        engine.dispose()
        shutil.rmtree(home, ignore_errors=True)


def _utc(value: dt.datetime | str) -> dt.datetime:
    """SQLite hands back naive UTC strings, PostgreSQL aware datetimes."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--db", help="a database URL (default: SQLite in a temporary home)")
    parser.add_argument("--parallelism", type=int, default=32)
    parser.add_argument("--lead", type=float, default=180.0, help="seconds from triggering to the moment")
    parser.add_argument(
        "--airflow", type=Path, help="an Airflow venv: measure its `airflow standalone` instead"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "deferred.json")
    parser.add_argument("--no-save", action="store_true", help="print the result only")
    args = parser.parse_args()
    before, at = load(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if args.airflow:
        result = run_airflow(args.airflow.expanduser(), args.tasks, args.parallelism, args.lead, args.db)
    else:
        result = run(args.tasks, args.db, args.parallelism, args.lead)
    result.update(at=at, lead_s=args.lead, load_before=before, load_after=load())
    result["command"] = " ".join(["python", "bench/deferred.py", *sys.argv[1:]])
    print(json.dumps(result, indent=2))
    if not args.no_save:
        save(result, args.out)


if __name__ == "__main__":
    main()
