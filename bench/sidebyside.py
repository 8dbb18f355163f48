#!/usr/bin/env python3
"""Brisa and Apache Airflow 3.3.2 measured the same way, one after the other (issues 21, 17).

    python bench/sidebyside.py --figures trigger,throughput --db sqlite,postgres
    python bench/sidebyside.py --figures tasks,expand --sizes 10,100,1000 --systems airflow
    python bench/sidebyside.py --figures assets --events 30

Each measurement starts ``<system> standalone`` in a fresh home (SQLite, or a fresh
PostgreSQL database), LocalExecutor, parallelism 32, and drives it through the same REST
calls (``POST /api/v2/dags/{id}/dagRuns``, ``POST /api/v2/assets/events``); times are read
from the metadata database (``dag_run``, ``task_instance``: both systems use those names)
against this machine's clock. Airflow runs from the virtualenv at ``$AIRFLOW_VENV``
(default ``~/.cache/brisa-test/airflow-3.3.2``) with ``[core]
simple_auth_manager_all_admins`` on; Brisa gets an admin user and a token. Figures:

* ``trigger``: a one-task DAG triggered N times, one at a time; from sending the POST to
  the task's ``start_date`` (p50, p99).
* ``throughput``: 50 runs of a 100-task DAG (5,000 tries); tries a second from the first
  try's start to the last one's end. Capped (``--cap``): a system that has not finished
  reports the tries ended so far over the time so far.
* ``tasks`` / ``expand``: one DAG of N ``BashOperator("true")`` tasks, or one ``@task``
  mapped over N items; from the POST to the run's ``end_date``, with the peak PSS of the
  standalone's whole process tree. Capped: "not finished in N s".
* ``assets``: a consumer DAG scheduled on an asset; an event posted from outside, then the
  wait for the run it triggers; event POST to the run's ``start_date`` (p50, p99).

Every figure carries the 1-minute load average; the machine may be shared. Results go to
``bench/results/sidebyside.json`` (merged by figure, system and database). Nothing is asserted.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "sidebyside.json"
AIRFLOW_VENV = Path(os.environ.get("AIRFLOW_VENV", Path.home() / ".cache/brisa-test/airflow-3.3.2"))
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password"

ONE_TASK = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("bench_one", start_date=datetime(2024, 1, 1), schedule=None, catchup=False, max_active_runs=100):
    BashOperator(task_id="t", bash_command="true")
"""
WIDE = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_runs={runs}, max_active_tasks=64):
    for i in range({tasks}):
        BashOperator(task_id=f"t{{i}}", bash_command="true")
"""
EXPAND = """
from datetime import datetime
from airflow.sdk import DAG, task

with DAG("bench_expand", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_tasks=64):
    @task
    def items():
        return list(range({items}))

    @task
    def one(x):
        return None

    one.expand(x=items())
"""
CONSUMER = """
from airflow.sdk import DAG, Asset
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("bench_asset_consumer", schedule=Asset("bench_orders"), max_active_runs=1000):
    EmptyOperator(task_id="noop")
"""


def load() -> float:
    return round(os.getloadavg()[0], 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def utc(value: Any) -> dt.datetime:
    """A timestamp column as an aware UTC datetime: SQLite hands back naive UTC strings."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _paas():
    spec = importlib.util.spec_from_file_location("bench_paas", ROOT / "bench" / "paas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAAS = _paas()


class Standalone:
    """``<system> standalone`` in a fresh home, with an API client and the database at hand."""

    def __init__(self, system: str, db: str, dags: dict[str, str]) -> None:
        import sqlalchemy as sa

        self.system, self.db, self.port = system, db, PAAS.free_port()
        self.trigger_retries = 0
        self.home = Path(tempfile.mkdtemp(prefix=f"sbs-{system}-"))
        (self.home / "dags").mkdir()
        for name, source in dags.items():
            (self.home / "dags" / f"{name}.py").write_text(source)
        self.pg_name = f"sbs_{system}_{uuid.uuid4().hex[:8]}" if db == "postgres" else None
        if self.pg_name:
            self._admin(f'CREATE DATABASE "{self.pg_name}"')
            self.url = f"postgresql://postgres@127.0.0.1:5432/{self.pg_name}"
            self.engine = sa.create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"))
        else:
            self.url = f"sqlite:///{self.home / 'metadata.db'}"
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30})
        self.headers: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA"))}
        prefix = self.system.upper()
        for key, value in {
            "CORE__DAGS_FOLDER": str(self.home / "dags"),
            "CORE__LOAD_EXAMPLES": "False",
            "CORE__EXECUTOR": "LocalExecutor",
            "CORE__PARALLELISM": "32",
            "CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "DATABASE__SQL_ALCHEMY_CONN": self.url,
            "API__PORT": str(self.port),
        }.items():
            env[f"{prefix}__{key}"] = value
        env[f"{prefix}_HOME"] = str(self.home)
        if self.system == "airflow":
            env.pop("PYTHONPATH", None)
            # Its venv has psycopg2 (tests/importer/airflow_real.py's pins); SQLAlchemy 2.1
            # reads a bare postgresql:// as psycopg 3. The async engine follows the dialect.
            url = self.url.replace("postgresql://", "postgresql+psycopg2://", 1)
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = url
            env["PATH"] = f"{AIRFLOW_VENV / 'bin'}:{env['PATH']}"
            env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "True"
            env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{self.port}/execution/"
            env["AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL"] = "5"
        else:
            env["PORT"] = str(self.port)
        return env

    def command(self) -> list[str]:
        if self.system == "airflow":
            return [str(AIRFLOW_VENV / "bin" / "airflow")]
        found = shutil.which("brisa")
        return [found] if found else [sys.executable, "-m", "brisa.cli"]

    def start(self, dag_ids: list[str]) -> None:
        env = self.env()
        if self.system == "brisa":
            for step in (
                ["db", "migrate"],
                ["users", "create", "-u", "admin", "-e", "a@b.c", "-r", "Admin", "-p", PASSWORD],
            ):
                cmd = [*self.command(), *step]
                subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
        with open(self.home / "standalone.log", "w") as log:
            self.proc = subprocess.Popen(
                [*self.command(), "standalone"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait(self._healthy, 300, "a healthy API")
        if self.system == "brisa":
            answer = self.http("POST", "/auth/token", {"username": "admin", "password": PASSWORD})
            self.headers = {"Authorization": f"Bearer {answer['access_token']}"}
        parsed = "SELECT 1 FROM serialized_dag WHERE dag_id=:d"
        for dag_id in dag_ids:
            self.wait(lambda d=dag_id: self.query(parsed, d=d), 600, f"{dag_id} to be parsed")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.engine.dispose()
        if self.pg_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Standalone:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @staticmethod
    def _admin(sql: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
        engine.dispose()

    # -- helpers --------------------------------------------------------------------------------
    def _healthy(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"{self.system} standalone exited; see {self.home}/standalone.log")
        try:
            self.http("GET", "/api/v2/monitor/health")
            return True
        except Exception:  # not up yet
            return False

    def http(self, method: str, path: str, body: dict | None = None) -> Any:
        import httpx

        answer = httpx.request(
            method, f"http://127.0.0.1:{self.port}{path}", json=body, headers=self.headers, timeout=60
        )
        answer.raise_for_status()
        return answer.json()

    def query(self, sql: str, **params: Any) -> list:
        import sqlalchemy as sa

        try:
            with self.engine.connect() as conn:
                return list(conn.execute(sa.text(sql), params))
        except sa.exc.OperationalError:  # SQLite busy, or the schema not there yet
            return []

    def trigger(self, dag_id: str, run_id: str, conf: dict | None = None) -> float:
        """Trigger a run through the API; the wall-clock time the request was sent.

        A server error is tried again (up to 5 times, a second apart) and counted in
        ``trigger_retries``: Airflow on SQLite answers 500 ("database is locked") while its
        scheduler writes. A run the retried request created anyway is not an error.
        """
        import httpx

        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf or {}}
        for attempt in range(6):
            sent = time.time()
            try:
                self.http("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)
                return sent
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code == 409 and attempt:
                    return sent  # the failed attempt had created it
                if exc.response.status_code < 500 or attempt == 5:
                    raise RuntimeError(f"triggering {dag_id}: {exc}: {exc.response.text[-300:]}") from exc
                self.trigger_retries += 1
                time.sleep(1)
        raise AssertionError("unreachable")

    def tree_pss(self) -> float:
        return PAAS.pss_mb(PAAS.descendants(self.proc.pid)) if self.proc else 0.0

    @staticmethod
    def wait(predicate: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(step)
        raise TimeoutError(f"not finished in {timeout:.0f} s: {what}")


# -- the figures ------------------------------------------------------------------------------------


def trigger_latency(system: str, db: str, runs: int = 20, **_: Any) -> dict[str, Any]:
    """Trigger a one-task DAG ``runs`` times, one after another: POST to the try's start."""
    with Standalone(system, db, {"bench_one": ONE_TASK}) as s:
        s.start(["bench_one"])
        latencies = []
        for i in range(runs):
            sent = s.trigger("bench_one", f"r{i}")
            started = s.wait(
                lambda r=f"r{i}": s.query(
                    "SELECT start_date FROM task_instance WHERE run_id=:r AND start_date IS NOT NULL", r=r
                ),
                120,
                "a task to start",
                step=0.005,
            )
            latencies.append((utc(started[0][0]).timestamp() - sent) * 1000)
            s.wait(lambda r=f"r{i}": _run_state(s, "bench_one", r) in ("success", "failed"), 120, "the run")
        return {
            "runs": runs,
            "trigger_to_start_ms_p50": round(percentile(latencies, 0.5), 1),
            "trigger_to_start_ms_p99": round(percentile(latencies, 0.99), 1),
            "load": load(),
        }


def _run_state(s: Standalone, dag_id: str, run_id: str) -> str | None:
    rows = s.query("SELECT state FROM dag_run WHERE dag_id=:d AND run_id=:r", d=dag_id, r=run_id)
    return rows[0][0] if rows else None


def throughput(system: str, db: str, cap: float = 900, runs: int = 50, **_: Any) -> dict[str, Any]:
    """``runs`` x 100 tries; tries a second from the first try's start to the last one's end."""
    source = WIDE.format(dag_id="bench_throughput", runs=runs, tasks=100)
    with Standalone(system, db, {"bench_throughput": source}) as s:
        s.start(["bench_throughput"])
        for i in range(runs):
            s.trigger("bench_throughput", f"run_{i:03d}")
        done_sql = (
            "SELECT count(*) FROM dag_run WHERE dag_id='bench_throughput' AND state IN ('success','failed')"
        )
        finished = True
        try:
            s.wait(lambda: s.query(done_sql)[0][0] >= runs if s.query(done_sql) else False, cap, "", step=1)
        except TimeoutError:
            finished = False
        rows = s.query(
            "SELECT min(start_date), max(end_date), count(end_date) FROM task_instance "
            "WHERE dag_id='bench_throughput' AND end_date IS NOT NULL"
        )
        first, last, ended = rows[0]
        end = utc(last).timestamp() if finished else time.time()
        seconds = end - utc(first).timestamp()
        return {
            "tries": runs * 100,
            "tries_ended": ended,
            "finished": finished,
            "seconds": round(seconds, 1),
            "tries_per_s": round(ended / seconds, 1),
            "trigger_retries": s.trigger_retries,
            "load": load(),
        }


def run_to_success(system: str, db: str, dag_id: str, source: str, size: int, cap: float) -> dict[str, Any]:
    """Trigger one run of ``dag_id``; seconds from the POST to its end, and the tree's peak PSS."""
    with Standalone(system, db, {dag_id: source}) as s:
        s.start([dag_id])
        idle = s.tree_pss()
        sent = s.trigger(dag_id, "scale")
        peak, deadline, next_check = idle, time.time() + cap, 0.0
        while time.time() < deadline:
            peak = max(peak, s.tree_pss())
            if time.time() > next_check:
                next_check = time.time() + 0.5
                if _run_state(s, dag_id, "scale") in ("success", "failed"):
                    break
            time.sleep(0.05)
        else:
            return {"size": size, "error": f"not finished in {cap:.0f} s", "peak_mb": peak, "load": load()}
        rows = s.query("SELECT state, end_date FROM dag_run WHERE dag_id=:d AND run_id='scale'", d=dag_id)
        return {
            "size": size,
            "run_s": round(utc(rows[0][1]).timestamp() - sent, 2),
            "state": rows[0][0],
            "idle_mb": idle,
            "peak_mb": peak,
            "load": load(),
        }


def tasks_curve(system: str, db: str, sizes: list[int], cap: float = 900, **_: Any) -> list[dict]:
    return [
        run_to_success(system, db, "bench_tasks", WIDE.format(dag_id="bench_tasks", runs=1, tasks=n), n, cap)
        for n in sizes
    ]


def expand_curve(system: str, db: str, sizes: list[int], cap: float = 900, **_: Any) -> list[dict]:
    return [run_to_success(system, db, "bench_expand", EXPAND.format(items=n), n, cap) for n in sizes]


def asset_latency(system: str, db: str, events: int = 30, **_: Any) -> dict[str, Any]:
    """Events posted on an asset one at a time: POST to the consumer run's start."""
    import random

    with Standalone(system, db, {"bench_asset_consumer": CONSUMER}) as s:
        s.start(["bench_asset_consumer"])
        assets = s.http("GET", "/api/v2/assets?name_pattern=bench_orders")["assets"]
        asset_id = assets[0]["id"]
        count = "SELECT count(*) FROM dag_run WHERE dag_id='bench_asset_consumer' AND start_date IS NOT NULL"
        latest = (
            "SELECT start_date FROM dag_run WHERE dag_id='bench_asset_consumer' AND start_date IS NOT NULL "
            "ORDER BY start_date DESC LIMIT 1"
        )
        latencies = []
        for i in range(events):
            time.sleep(random.random())  # land anywhere in the scheduler's loop
            sent = time.time()
            s.http("POST", "/api/v2/assets/events", {"asset_id": asset_id, "extra": {"i": i}})
            s.wait(lambda n=i + 1: (s.query(count) or [(0,)])[0][0] >= n, 120, "the consumer run", step=0.005)
            latencies.append((utc(s.query(latest)[0][0]).timestamp() - sent) * 1000)
        return {
            "events": events,
            "event_to_run_start_ms_p50": round(percentile(latencies, 0.5), 1),
            "event_to_run_start_ms_p99": round(percentile(latencies, 0.99), 1),
            "event_to_run_start_ms_max": round(max(latencies), 1),
            "load": load(),
        }


FIGURES: dict[str, Callable[..., Any]] = {
    "trigger": trigger_latency,
    "throughput": throughput,
    "tasks": tasks_curve,
    "expand": expand_curve,
    "assets": asset_latency,
}


def save(results: dict[str, Any], path: Path) -> None:
    """Merge into the saved results: a figure re-measured replaces only its own entry."""
    saved = json.loads(path.read_text()) if path.exists() else {}
    for key, value in results.items():
        saved.setdefault(key, {}).update(value) if isinstance(value, dict) else saved.__setitem__(key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1))


# -- the table --------------------------------------------------------------------------------------

ROWS: dict[str, list[tuple[str, str]]] = {
    "standalone": [
        ("boot_s", "start to a healthy API (s)"),
        ("idle_pss_mb", "idle PSS, process group (MB)"),
        ("bench_chain_s", "bench_chain, run start to end (s)"),
        ("bench_wide_s", "bench_wide, run start to end (s)"),
        ("bench_wide_peak_pss_mb", "peak PSS during bench_wide (MB)"),
    ],
    "trigger": [
        ("trigger_to_start_ms_p50", "trigger to first task start, p50 (ms)"),
        ("trigger_to_start_ms_p99", "trigger to first task start, p99 (ms)"),
    ],
    "throughput": [("tries_per_s", "sustained task tries a second")],
    "assets": [
        ("event_to_run_start_ms_p50", "asset event to consumer run start, p50 (ms)"),
        ("event_to_run_start_ms_p99", "asset event to consumer run start, p99 (ms)"),
    ],
    "deferred": [
        ("deferred_tree_pss_mb_mean", "1,000 deferred: process tree PSS while they wait (MB)"),
        ("fire_to_finish_s_p50", "1,000 deferred: trigger moment to task end, p50 (s)"),
        ("fire_to_finish_s_p99", "1,000 deferred: trigger moment to task end, p99 (s)"),
    ],
}
HIGHER_IS_BETTER = {"tries_per_s"}


def _cell(entry: dict[str, Any] | None, key: str) -> tuple[Any, str]:
    """A figure and the load it was measured at, from one saved entry."""
    if not entry:
        return None, ""
    result = entry.get("result", {})
    value = result.get(key) if isinstance(result, dict) else None
    if value is None and isinstance(result, dict) and "error" in result:
        value = "failed"
    if key == "tries_per_s" and isinstance(result, dict) and result.get("finished") is False:
        value = f"{value} ({result['tries_ended']:,} tries in {result['seconds']:.0f} s, capped)"
    return value, str(result.get("load", entry.get("load_before", ""))) if isinstance(result, dict) else ""


def _ratio(brisa: Any, airflow: Any, key: str) -> str:
    def number(value: Any) -> float | None:
        try:
            return float(str(value).split()[0])
        except (ValueError, IndexError):
            return None

    b, a = number(brisa), number(airflow)
    if not a or not b:
        return ""
    return f"{(b / a if key in HIGHER_IS_BETTER else a / b):.1f}x"


def table(saved: dict[str, Any]) -> str:
    """Markdown: figure, database, Brisa, Airflow, Brisa's lead (x), load (Brisa / Airflow)."""
    lines = [
        "| figure | db | Brisa | Airflow 3.3.2 | Brisa ahead by | load B / A |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for figure, rows in ROWS.items():
        for db in ("sqlite", "postgres"):
            ours, theirs = (
                saved.get(figure, {}).get(f"brisa/{db}"),
                saved.get(figure, {}).get(f"airflow/{db}"),
            )
            if not ours and not theirs:
                continue
            for key, label in rows:
                (b, lb), (a, la) = _cell(ours, key), _cell(theirs, key)
                cells = [label, db, "—" if b is None else b, "—" if a is None else a, _ratio(b, a, key)]
                lines.append("| " + " | ".join(str(c) for c in [*cells, f"{lb} / {la}"]) + " |")
    return "\n".join(lines) + "\n\n" + curve_table(saved)


def curve_table(saved: dict[str, Any]) -> str:
    lines = [
        "| curve | size | Brisa run (s) | Airflow run (s) | Brisa ahead by | peak PSS B / A (MB)"
        " | load B / A |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for curve in ("tasks", "expand"):
        for db in ("sqlite", "postgres"):
            ours = {p["size"]: p for p in saved.get(curve, {}).get(f"brisa/{db}", {}).get("points", [])}
            theirs = {p["size"]: p for p in saved.get(curve, {}).get(f"airflow/{db}", {}).get("points", [])}
            for size in sorted(ours.keys() | theirs.keys()):
                b, a = ours.get(size, {}), theirs.get(size, {})
                run_b, run_a = b.get("run_s", b.get("error", "—")), a.get("run_s", a.get("error", "—"))
                cells = [
                    f"{curve} ({db})",
                    f"{size:,}",
                    run_b,
                    run_a,
                    _ratio(run_b, run_a, "run_s"),
                    f"{b.get('peak_mb', '—')} / {a.get('peak_mb', '—')}",
                    f"{b.get('load', '')} / {a.get('load', '')}",
                ]
                lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--figures", default="trigger,throughput,tasks,expand,assets")
    parser.add_argument("--systems", default="brisa,airflow", help="measured alternately, in this order")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10,100,1000", help="for tasks and expand")
    parser.add_argument("--cap", type=float, default=900, help="seconds before a point is given up")
    parser.add_argument(
        "--runs", type=int, default=None, help="trigger: runs (20); throughput: runs of 100 tasks (50)"
    )
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--table", action="store_true", help="print --out's saved figures; measure nothing")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(args.out.read_text())))
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    for figure in args.figures.split(","):
        for db in args.db.split(","):
            for system in args.systems.split(","):
                extra = {"runs": args.runs} if args.runs else {}
                before = load()
                try:
                    value = FIGURES[figure](
                        system, db, sizes=sizes, cap=args.cap, events=args.events, **extra
                    )
                except Exception as exc:  # one failed figure must not lose the rest
                    value = {"error": str(exc)[-300:]}
                entry = {"load_before": before, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
                entry["points" if isinstance(value, list) else "result"] = value
                print(json.dumps({figure: {f"{system}/{db}": entry}}), flush=True)
                save({figure: {f"{system}/{db}": entry}}, args.out)


if __name__ == "__main__":
    main()
