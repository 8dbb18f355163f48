#!/usr/bin/env python3
"""Brisa's benchmark: the figures of ../shared/bench/README.md, measured the same way.

    python bench/run.py                 # everything: SQLite and PostgreSQL, prints a table + JSON
    python bench/run.py --only sqlite   # one backend
    python bench/run.py --skip-throughput
    python bench/run.py --scale [--sizes small]   # the growth curves (bench/scale.py)
    python bench/run.py --airflow       # also Airflow 3.3.2's `airflow standalone`, alternately
    python bench/run.py --sidebyside --figures trigger,throughput   # bench/sidebyside.py

It calls ``../shared/bench/measure.py`` (the script Airflow's figures were taken with) for
``brisa scheduler`` on SQLite and on PostgreSQL, and ``brisa standalone`` on SQLite, then
measures sustained throughput: 50 runs of a 100-task DAG (5,000 task tries) through the
scheduler and the LocalExecutor, timed from the first try's start to the last try's end.
measure.py adds up the PSS of Brisa's process group, which leaves out the task processes
(each runs in a process group of its own); ``process_tree_sqlite`` is the peak PSS of the
scheduler's whole process tree during bench_wide, task processes included.
Nothing here is asserted; the numbers go in the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = ROOT.parent / "shared" / "bench" / "measure.py"
BENCH_DAGS = ROOT.parent / "shared" / "bench" / "dags"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS = {
    # Issue 21's fixed targets (SQLite, standalone; PostgreSQL within 1.5x of SQLite).
    "bench_chain_s": 0.2,
    "bench_wide_s": 0.6,
    "idle_pss_mb": 80,
    "bench_wide_peak_pss_mb": 120,
    "boot_s": 0.5,
    "tries_per_s": 200,
    "trigger_p50_ms": 20,
}


def brisa_bin() -> str:
    found = shutil.which("brisa")
    if not found:
        raise SystemExit("the `brisa` command is not installed: pip install -e .")
    return found


AIRFLOW_VENV = Path(os.environ.get("AIRFLOW_VENV", Path.home() / ".cache/brisa-test/airflow-3.3.2"))
"""Airflow 3.3.2 for ``--airflow`` (tests/importer/airflow_real.py installs it there)."""


def measure(mode: str, db: str | None, port: int, system: str = "brisa") -> dict:
    cmd = [sys.executable, str(MEASURE), system, "--mode", mode, "--port", str(port)]
    if db:
        cmd += ["--db", db]
    env = {**os.environ, "BRISA_BIN": brisa_bin(), "AIRFLOW_BIN": str(AIRFLOW_VENV / "bin" / "airflow")}
    if system == "airflow":  # Airflow's own venv: nothing of Brisa's on its path
        env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    before = round(os.getloadavg()[0], 1)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    if out.returncode:
        return {
            "system": system,
            "mode": mode,
            "db": "postgres" if db else "sqlite",
            "error": (out.stdout + out.stderr)[-800:],
        }
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"load": before}


def fresh_pg_database() -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"brisa_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + f"/{name}"


def drop_pg_database(name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


THROUGHPUT_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("bench_throughput", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_runs=50, max_active_tasks=64):
    for i in range(100):
        BashOperator(task_id=f"t{i}", bash_command="true")
"""


def start_scheduler(
    home: Path, db: str | None
) -> tuple[subprocess.Popen, Callable[..., subprocess.CompletedProcess]]:
    """A migrated ``brisa scheduler`` on ``home``'s dags folder, and a CLI on the same setup."""
    env = {
        **os.environ,
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(home / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__CORE__PARALLELISM": "32",
        **({"BRISA__DATABASE__SQL_ALCHEMY_CONN": db} if db else {}),
    }

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([brisa_bin(), *args], env=env, capture_output=True, text=True, timeout=120)

    cli("db", "migrate")
    with open(home / "scheduler.log", "w") as log:
        proc = subprocess.Popen(
            [brisa_bin(), "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return proc, cli


def throughput(db: str | None, runs: int = 50) -> dict:
    """Sustained tries per second over ``runs`` x 100 tasks."""
    home = Path(tempfile.mkdtemp(prefix="brisa-throughput-"))
    (home / "dags").mkdir()
    (home / "dags" / "bench_throughput.py").write_text(THROUGHPUT_DAG)
    proc, cli = start_scheduler(home, db)
    try:
        for _ in range(100):
            if "bench_throughput" in cli("dags", "list", "-o", "json").stdout:
                break
            time.sleep(0.2)
        for i in range(runs):
            cli("dags", "trigger", "bench_throughput", "--run-id", f"run_{i:03d}")
        deadline = time.time() + 900
        listed: list[dict] = []
        while time.time() < deadline:
            answer = cli("dags", "list-runs", "bench_throughput", "-o", "json", "--limit", "1000")
            if answer.returncode:
                print(f"list-runs failed (will retry): {answer.stderr.strip()[-300:]}", file=sys.stderr)
                time.sleep(1)
                continue
            listed = json.loads(answer.stdout)
            if len(listed) >= runs and all(r["state"] in ("success", "failed") for r in listed):
                break
            time.sleep(1)
        starts = [dt.datetime.fromisoformat(r["start_date"]) for r in listed]
        ends = [dt.datetime.fromisoformat(r["end_date"]) for r in listed if r["end_date"]]
        seconds = (max(ends) - min(starts)).total_seconds()
        failed = sum(1 for r in listed if r["state"] != "success")
        return {
            "tries": runs * 100,
            "seconds": round(seconds, 1),
            "tries_per_s": round(runs * 100 / seconds, 1),
            "failed_runs": failed,
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)


ONE_TASK_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("bench_one", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    BashOperator(task_id="only", bash_command="true")
"""


def _read_engine(home: Path, db: str | None):
    """A read-only view of the scheduler's database, to time runs without the CLI's cost."""
    import sqlalchemy as sa

    if db is None:
        return sa.create_engine(f"sqlite:///{home / 'brisa.db'}")
    return sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://", 1))


def _parse_when(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return (
        value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def trigger_latency(db: str | None, triggers: int = 50) -> dict:
    """Run created -> its first try started, over ``triggers`` one-task runs, one at a time.

    Each run is triggered with ``brisa dags trigger`` once the previous one ended (the
    scheduler idle in between, as a user's trigger usually finds it). Timed from the
    run's ``queued_at`` (the CLI's clock as it begins the transaction that creates the
    run) to the try's ``start_date``, both written by Brisa; the CLI returns ~0.4 s
    after its commit (interpreter teardown), too late to time from.
    """
    import sqlalchemy as sa

    home = Path(tempfile.mkdtemp(prefix="brisa-trigger-"))
    (home / "dags").mkdir()
    (home / "dags" / "bench_one.py").write_text(ONE_TASK_DAG)
    proc, cli = start_scheduler(home, db)
    engine = _read_engine(home, db)
    query = sa.text(
        "SELECT r.queued_at, t.start_date, r.state FROM dag_run r JOIN task_instance t"
        " ON t.dag_id = r.dag_id AND t.run_id = r.run_id WHERE r.dag_id = 'bench_one' AND r.run_id = :run"
    )
    gaps: list[float] = []
    try:
        while "bench_one" not in cli("dags", "list", "-o", "json").stdout:
            time.sleep(0.2)
        for i in range(triggers):
            cli("dags", "trigger", "bench_one", "--run-id", f"t{i:03d}")
            deadline = time.time() + 60
            while time.time() < deadline:
                with engine.connect() as conn:
                    row = conn.execute(query, {"run": f"t{i:03d}"}).first()
                if row is not None and row[2] in ("success", "failed"):
                    gaps.append((_parse_when(row[1]) - _parse_when(row[0])).total_seconds() * 1000)
                    break
                time.sleep(0.02)
        return {
            "triggers": len(gaps),
            "p50_ms": round(_percentile(gaps, 0.5), 1),
            "p99_ms": round(_percentile(gaps, 0.99), 1),
        }
    finally:
        engine.dispose()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def _load() -> float:
    """The 1-minute load average: the machine is shared, every figure carries it."""
    return round(os.getloadavg()[0], 2)


def _paas_bench():
    spec = importlib.util.spec_from_file_location("bench_paas", ROOT / "bench" / "paas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wide_tree_peak(db: str | None) -> dict:
    """Peak PSS of ``brisa scheduler`` and every process under it while bench_wide runs.

    measure.py adds up the scheduler's process group; each task process runs in a group
    of its own (so that ending a try ends what it started), so that figure leaves the
    task processes out. This one walks the process tree instead, every 20 ms.
    """
    paas = _paas_bench()
    home = Path(tempfile.mkdtemp(prefix="brisa-tree-"))
    shutil.copytree(BENCH_DAGS, home / "dags")
    proc, cli = start_scheduler(home, db)
    try:
        while "bench_wide" not in cli("dags", "list", "-o", "json").stdout:
            time.sleep(0.2)
        time.sleep(2)
        idle = paas.pss_mb(paas.descendants(proc.pid))
        cli("dags", "trigger", "bench_wide", "--run-id", "tree")
        peak, most, deadline, next_check = 0.0, 0, time.time() + 120, 0.0
        while time.time() < deadline:
            family = paas.descendants(proc.pid)
            peak, most = max(peak, paas.pss_mb(family)), max(most, len(family))
            if time.time() > next_check:  # the CLI costs CPU: ask about the run twice a second
                next_check = time.time() + 0.5
                runs = json.loads(cli("dags", "list-runs", "bench_wide", "-o", "json").stdout or "[]")
                if runs and runs[0]["state"] in ("success", "failed"):
                    break
            time.sleep(0.02)
        return {"idle_tree_pss_mb": idle, "bench_wide_peak_tree_pss_mb": peak, "peak_tree_processes": most}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def _scale_bench():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table(rows: list[dict]) -> str:
    keys = [
        "system",
        "mode",
        "db",
        "boot_s",
        "idle_pss_mb",
        "idle_procs",
        "bench_chain_s",
        "bench_wide_s",
        "bench_wide_peak_pss_mb",
        "load",
    ]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(str(row.get(k, row.get("error", "")[:40] if k == "system" else "")) for k in keys)
            + " |"
        )
    return "\n".join(lines)


def _sidebyside_bench():
    spec = importlib.util.spec_from_file_location("bench_sidebyside", ROOT / "bench" / "sidebyside.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    if "--scale" in sys.argv[1:]:
        _scale_bench().main([a for a in sys.argv[1:] if a != "--scale"])
        return
    if "--sidebyside" in sys.argv[1:]:
        _sidebyside_bench().main([a for a in sys.argv[1:] if a != "--sidebyside"])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-standalone", action="store_true")
    parser.add_argument(
        "--triggers", type=int, default=50, help="one-task runs timed for trigger -> first try"
    )
    parser.add_argument(
        "--only-latency",
        action="store_true",
        help="only trigger -> first try (and throughput unless skipped)",
    )
    parser.add_argument("--scale", action="store_true", help="the growth curves instead (bench/scale.py)")
    parser.add_argument(
        "--sidebyside", action="store_true", help="Brisa and Airflow per figure (bench/sidebyside.py)"
    )
    parser.add_argument(
        "--airflow",
        action="store_true",
        help=f"also `airflow standalone` after each Brisa one ({AIRFLOW_VENV})",
    )
    args = parser.parse_args()
    results: dict = {"date": dt.date.today().isoformat(), "runs": []}
    pg_name = None
    try:
        if args.only in (None, "sqlite"):
            if not args.only_latency:
                results["runs"].append({**measure("scheduler", None, 18181), "load": _load()})
                if not args.skip_standalone:
                    results["runs"].append({**measure("standalone", None, 18182), "load": _load()})
                if args.airflow:
                    results["runs"].append({**measure("standalone", None, 18184, "airflow"), "load": _load()})
                results["process_tree_sqlite"] = {**wide_tree_peak(None), "load": _load()}
            results["trigger_sqlite"] = {**trigger_latency(None, args.triggers), "load": _load()}
            if not args.skip_throughput:
                results["throughput_sqlite"] = {**throughput(None), "load": _load()}
        if args.only in (None, "postgres"):
            pg_name, url = fresh_pg_database()
            if not args.only_latency:
                results["runs"].append({**measure("scheduler", url, 18183), "load": _load()})
                if args.airflow:  # standalone on PostgreSQL, Brisa then Airflow, each in a fresh database
                    for system, port in (("brisa", 18185), ("airflow", 18186)):
                        drop_pg_database(pg_name)
                        pg_name, url = fresh_pg_database()
                        results["runs"].append({**measure("standalone", url, port, system), "load": _load()})
                drop_pg_database(pg_name)
                pg_name, url = fresh_pg_database()
            pg_url = url.replace("postgres://", "postgresql://", 1)
            results["trigger_postgres"] = {**trigger_latency(pg_url, args.triggers), "load": _load()}
            if not args.skip_throughput:
                drop_pg_database(pg_name)
                pg_name, url = fresh_pg_database()
                results["throughput_postgres"] = throughput(url.replace("postgres://", "postgresql://", 1))
    finally:
        if pg_name:
            drop_pg_database(pg_name)
    print(json.dumps(results), file=sys.stderr)
    print(table(results["runs"]))
    for key in (
        "process_tree_sqlite",
        "trigger_sqlite",
        "trigger_postgres",
        "throughput_sqlite",
        "throughput_postgres",
    ):
        if key in results:
            print(f"{key}: {results[key]}")
    print("targets:", TARGETS)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
