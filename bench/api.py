#!/usr/bin/env python3
"""100 concurrent REST API clients against `brisa standalone` while it runs `bench_wide`.

    python3 bench/api.py [--clients 100] [--interval 1.0] [--seconds 20] [--pg postgresql://...]

Creates a scratch PostgreSQL database seeded with 1,000 DAGs and 10,000 runs (the same
data as ``bench/ui.py``), starts a real ``brisa standalone`` on it with the benchmark
DAGs, triggers ``bench_wide``, and meanwhile has ``--clients`` concurrent clients (one
asyncio task and keep-alive connection each) call the API: the DAG list, the runs of all
DAGs, the task instances of the running run, and health, in turn. Each client sends a
request every ``--interval`` seconds (100 clients polling once a second, like dashboards
and scripts: 100 requests a second in all); ``--interval 0`` makes each client send its
next request as soon as the last answered, which measures the saturation throughput
instead. Prints the request count, throughput and latency percentiles as seen by the
clients (so including the network stack and this process's own work), and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from brisa.secrets.fernet import generate_key
from brisa.store import migrate
from brisa.store.sql import Store

ROOT = Path(__file__).resolve().parent.parent
BENCH_DAGS = ROOT.parent / "shared" / "bench" / "dags"


def _ui_bench():
    spec = importlib.util.spec_from_file_location("bench_ui", ROOT / "bench" / "ui.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def settle_history(store: Store) -> None:
    """The seeded runs are history: those seeded as running end as failed, so the scheduler
    measured here runs bench_wide, not a catch-up of 6,000 tries nobody supervises."""
    import sqlalchemy as sa

    from brisa.store import schema as s

    with store.transaction() as tx:
        tx.conn.execute(
            s.task_instance.update().where(s.task_instance.c.state == "running").values(state="failed")
        )
        tx.conn.execute(s.dag_run.update().where(s.dag_run.c.state == "running").values(state="failed"))
        tx.conn.execute(sa.text("ANALYZE"))


def start_standalone(db_url: str, port: int, home: Path) -> subprocess.Popen:
    dags = home / "dags"
    shutil.copytree(BENCH_DAGS, dags)
    env = {
        **os.environ,
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__CORE__PARALLELISM": "32",
        "BRISA__DATABASE__SQL_ALCHEMY_CONN": db_url,
        "PORT": str(port),
        "BRISA__CORE__FERNET_KEY": generate_key(),
    }
    return subprocess.Popen(
        ["brisa", "standalone"],
        env=env,
        stdout=open(home / "standalone.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(base: str, password: str, home: Path, timeout: float = 120) -> str:
    """A token for the seeded ``admin`` user once the server answers."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                token = httpx.post(
                    f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=10
                )
                if token.status_code == 201:
                    return token.json()["access_token"]
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"standalone not ready; see {home}/standalone.log")


async def client(
    base: str,
    headers: dict,
    urls: list[str],
    stop_at: float,
    interval: float,
    offset: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    await asyncio.sleep(offset)  # spread the clients over the interval
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        i = 0
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            url = urls[i % len(urls)]
            i += 1
            started = time.monotonic()
            response = await http.get(url)
            latencies.append(time.monotonic() - started)
            if response.status_code >= 400:
                errors.append(response.status_code)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def load(base: str, token: str, clients: int, seconds: float, interval: float, run_url: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    urls = ["/api/v2/dags?limit=50", "/api/v2/dags/~/dagRuns?limit=50", run_url, "/api/v2/monitor/health"]
    latencies: list[float] = []
    errors: list[int] = []
    stop_at = time.monotonic() + seconds
    await asyncio.gather(
        *(
            client(base, headers, urls, stop_at, interval, interval * n / clients, latencies, errors)
            for n in range(clients)
        )
    )
    latencies.sort()
    pct = lambda p: round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)  # noqa: E731
    return {
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a client's requests")
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    ui = _ui_bench()
    home = Path(tempfile.mkdtemp(prefix="brisa-api-bench-"))
    with ui.scratch_database(args.pg, keep=False) as url:
        store = Store(url)
        migrate.upgrade(store)
        ui.seed(store)
        settle_history(store)
        store.dispose()
        proc = start_standalone(url, args.port, home)
        try:
            base = f"http://127.0.0.1:{args.port}"
            token = wait_ready(base, ui.PASSWORD, home)
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(120):
                if httpx.get(f"{base}/api/v2/dags/bench_wide", headers=headers).status_code == 200:
                    break
                time.sleep(0.5)
            httpx.patch(f"{base}/api/v2/dags/bench_wide", headers=headers, json={"is_paused": False})
            answer = httpx.post(
                f"{base}/api/v2/dags/bench_wide/dagRuns",
                headers=headers,
                json={"conf": {}, "logical_date": None},
            )
            if answer.status_code != 200:
                raise SystemExit(f"trigger failed: {answer.status_code} {answer.text}")
            run = answer.json()
            run_url = f"/api/v2/dags/bench_wide/dagRuns/{run['dag_run_id']}/taskInstances?limit=100"
            result = asyncio.run(load(base, token, args.clients, args.seconds, args.interval, run_url))
            state = httpx.get(
                f"{base}/api/v2/dags/bench_wide/dagRuns/{run['dag_run_id']}", headers=headers
            ).json()
            result.update(
                clients=args.clients,
                seconds=args.seconds,
                bench_wide_state=state["state"],
                load_average=os.getloadavg()[0],
            )
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
    print(
        f"{result['clients']} clients, {result['seconds']:.0f}s: {result['requests']} requests "
        f"({result['req_per_s']}/s), p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {result['errors']}, bench_wide {result['bench_wide_state']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
