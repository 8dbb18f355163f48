#!/usr/bin/env python3
"""What a Heroku dyno would see of ``brisa standalone``: the figures of docs/deploy/heroku.md.

    python bench/paas.py                   # PostgreSQL on 127.0.0.1, prints a summary and one JSON line
    python bench/paas.py --parallelism 16  # as a 1 GB dyno
    python bench/paas.py --keep            # leave the app folder (logs) and the database

As on Heroku: a fresh PostgreSQL database given as ``DATABASE_URL=postgres://...``, the
seed's ``AIRFLOW__...`` config vars, ``brisa db migrate`` (the release phase), then the
Procfile's ``web`` command, ``brisa standalone``, with ``PORT`` set and the seed's tutorial
as the only DAG, changed to catch up a month (``catchup=True``, ``end_date`` 30 days after
``start_date``; its ``sleep 5`` kept). Parallelism is 8, what a 512 MB dyno gets.

Measured:

* **bind**: seconds from starting the process to a TCP connection on ``$PORT`` (Heroku's
  boot timeout is 60 s), then to a healthy ``/api/v2/monitor/health``;
* **memory**: PSS (shared pages split between the processes sharing them, as
  ``../shared/bench/measure.py`` does) of every process the dyno runs: the standalone
  process and all its descendants (task processes start their own sessions, so the
  process group alone would miss them; the group's figure is given too). Idle is taken
  10 s after the DAG is parsed; peak is the highest sample (every 0.25 s) during the catchup;
* **connections**: ``pg_stat_activity`` rows of the database not opened by this script,
  idle and at most during the catchup;
* **catchup**: seconds from unpausing the DAG to its 31st successful run;
* **stop**: seconds from SIGTERM to the process being gone (Heroku kills at 30 s).

Nothing is asserted; the numbers go in the docs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DAG = ROOT / "brisa" / "example_dags" / "tutorial.py"
PG_ADMIN = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
OURS = "brisa-bench-paas"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def catchup_tutorial(days: int) -> str:
    source = SEED_DAG.read_text()
    old = "dag = DAG('tutorial', default_args=default_args, schedule_interval=timedelta(days=1))"
    new = (
        "dag = DAG('tutorial', default_args=default_args, schedule_interval=timedelta(days=1),\n"
        f"          catchup=True, end_date=datetime(2015, 6, 1) + timedelta(days={days}))"
    )
    if source.count(old) != 1:
        raise SystemExit("the seed tutorial changed: update bench/paas.py")
    return source.replace(old, new)


# -- processes and memory -------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    members.append(int(entry))
            except OSError:
                continue
    return members


def pss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total_kb += sum(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except OSError:
            continue
    return round(total_kb / 1024, 1)


# -- the database ------------------------------------------------------------------------------------


class Database:
    def __init__(self) -> None:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        self.sa = sa
        self.name = f"brisa_bench_paas_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(
            PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        base = PG_ADMIN.rsplit("/", 1)[0]
        self.url = base.replace("postgresql://", "postgres://", 1) + f"/{self.name}"
        self.engine = sa.create_engine(
            base.replace("postgresql://", "postgresql+psycopg://") + f"/{self.name}",
            poolclass=NullPool,
            connect_args={"application_name": OURS},
        )

    def scalar(self, sql: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(self.sa.text(sql), {"ours": OURS}).scalar() or 0)

    def connections(self) -> int:
        return self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name <> :ours"
        )

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(self.sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# -- the run ------------------------------------------------------------------------------------------


def environment(app: Path, database_url: str, port: int, parallelism: int) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA"))}
    return keep | {
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "AIRFLOW_HOME": str(app),
        "AIRFLOW__CORE__DAGS_FOLDER": str(app / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "BRISA__API__SECRET_KEY": uuid.uuid4().hex * 2,  # app.json's generated secret
    }


def wait(predicate, timeout: float, what: str, proc: subprocess.Popen, log: Path, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise SystemExit(f"brisa standalone exited ({proc.returncode}) waiting for {what}; see {log}")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}; see {log}")
        time.sleep(step)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=1) as response:
            return json.load(response).get("scheduler", {}).get("status") == "healthy"
    except (OSError, ValueError):
        return False


def measure(days: int, parallelism: int, keep: bool) -> dict:
    brisa = shutil.which("brisa") or sys.exit("the `brisa` command is not installed: pip install -e .")
    app = Path(tempfile.mkdtemp(prefix="brisa-paas-"))
    (app / "dags").mkdir()
    (app / "dags" / "tutorial_dag.py").write_text(catchup_tutorial(days))
    db = Database()
    port = free_port()
    env = environment(app, db.url, port, parallelism)
    out: dict = {"catchup_runs": days + 1, "parallelism": parallelism}
    try:
        subprocess.run([brisa, "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
        log = app / "web.log"
        started = time.monotonic()
        with open(log, "wb") as handle:
            proc = subprocess.Popen(
                [brisa, "standalone"],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            out |= run_and_sample(proc, log, started, db, port, env, brisa, days + 1)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        out["log_lines"] = len(log.read_text(errors="replace").splitlines())
    finally:
        if keep:
            out["kept"] = {"app": str(app), "database": db.url}
        else:
            db.drop()
            shutil.rmtree(app, ignore_errors=True)
    return out


def run_and_sample(proc, log, started, db, port, env, brisa, runs) -> dict:
    out: dict = {}
    wait(lambda: port_open(port), 60, "$PORT", proc, log)
    out["bind_port_s"] = round(time.monotonic() - started, 2)
    wait(lambda: healthy(port), 60, "a healthy API", proc, log)
    out["healthy_s"] = round(time.monotonic() - started, 2)
    wait(lambda: db.scalar("SELECT count(*) FROM serialized_dag") == 1, 60, "the DAG", proc, log, 0.1)
    time.sleep(10)
    out["idle_pss_mb"] = pss_mb(descendants(proc.pid))
    out["idle_group_pss_mb"] = pss_mb(group_members(proc.pid))
    out["idle_processes"] = len(descendants(proc.pid))
    out["idle_connections"] = db.connections()
    subprocess.run([brisa, "dags", "unpause", "tutorial"], env=env, check=True, capture_output=True)
    unpaused = time.monotonic()
    peak = {"pss": 0.0, "group": 0.0, "processes": 0, "connections": 0}
    done = "SELECT count(*) FROM dag_run WHERE state = 'success'"
    while db.scalar(done) < runs:
        if proc.poll() is not None or time.monotonic() - unpaused > 600:
            raise SystemExit(f"the catchup did not finish; see {log}")
        family = descendants(proc.pid)
        peak["pss"] = max(peak["pss"], pss_mb(family))
        peak["group"] = max(peak["group"], pss_mb(group_members(proc.pid)))
        peak["processes"] = max(peak["processes"], len(family))
        peak["connections"] = max(peak["connections"], db.connections())
        time.sleep(0.25)
    out["catchup_s"] = round(time.monotonic() - unpaused, 1)
    out |= {
        "peak_pss_mb": peak["pss"],
        "peak_group_pss_mb": peak["group"],
        "peak_processes": peak["processes"],
        "peak_connections": peak["connections"],
    }
    time.sleep(5)
    out["after_connections"] = db.connections()
    out["failed_tries"] = db.scalar("SELECT count(*) FROM task_instance_history WHERE state <> 'success'")
    stopping = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    out["stop_s"] = round(time.monotonic() - stopping, 2)
    out["exit_code"] = proc.returncode
    return out


def summary(out: dict) -> str:
    return "\n".join(
        [
            f"bind $PORT           {out['bind_port_s']} s (healthy API: {out['healthy_s']} s)",
            f"idle memory (PSS)    {out['idle_pss_mb']} MB in {out['idle_processes']} processes",
            f"peak memory (PSS)    {out['peak_pss_mb']} MB, {out['peak_processes']} processes at most",
            f"DB connections       {out['idle_connections']} idle, {out['peak_connections']} at most",
            f"catchup              {out['catchup_runs']} runs in {out['catchup_s']} s "
            f"({out['failed_tries']} failed tries)",
            f"SIGTERM to exit      {out['stop_s']} s (exit code {out['exit_code']})",
            f"stdout lines         {out['log_lines']} for the whole session",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="catchup length (default 30: 31 runs)")
    parser.add_argument("--parallelism", type=int, default=8, help="default 8, as a 512 MB dyno")
    parser.add_argument("--keep", action="store_true", help="keep the app folder and the database")
    args = parser.parse_args()
    out = measure(args.days, args.parallelism, args.keep)
    print(summary(out))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
