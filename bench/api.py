#!/usr/bin/env python3
"""100 concurrent REST API clients against `brisa standalone` while it runs `bench_wide`.

    python3 bench/api.py [--clients 100] [--interval 1.0] [--seconds 20] [--web-workers N]
                         [--pg postgresql://...]

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

``--web-workers N`` runs the production layout instead of one process: ``brisa scheduler``
plus ``brisa api-server --workers N`` on the same database. The clients speak HTTP/1.1 over
raw asyncio streams rather than httpx: at 100 requests a second httpx spent ~3 ms of CPU per
request in this process, which on a 2-core machine competed with the server being measured.
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


def start_brisa(db_url: str, port: int, home: Path, web_workers: int) -> list[subprocess.Popen]:
    """``brisa standalone``, or with ``web_workers`` a scheduler and an api-server of that many processes."""
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
    commands = [["brisa", "standalone"]]
    if web_workers:
        commands = [["brisa", "scheduler"], ["brisa", "api-server", "--workers", str(web_workers)]]
    return [
        subprocess.Popen(
            command,
            env=env,
            stdout=open(home / f"{command[1]}.log", "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for command in commands
    ]


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
    raise SystemExit(f"Brisa not ready; see the logs in {home}")


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive HTTP/1.1 GET; returns the status. The API answers JSON with a length."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def client(
    host: str,
    port: int,
    token: str,
    urls: list[str],
    stop_at: float,
    interval: float,
    offset: float,
    first: int,
    latencies: list[tuple[float, float, str]],
    errors: list[int],
) -> None:
    # A bare asyncio HTTP/1.1 client: httpx spends ~3 ms of CPU per request, and this
    # process shares the machine's two cores with the server it measures.
    requests = [
        f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        for url in urls
    ]
    await asyncio.sleep(offset)  # spread the clients over the interval
    reader, writer = await asyncio.open_connection(host, port)
    try:
        i = first  # clients start at different URLs, so each second asks for a mix
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            n = i % len(requests)
            i += 1
            started = time.monotonic()
            status = await fetch(reader, writer, requests[n])
            latencies.append((started, time.monotonic() - started, urls[n]))
            if status >= 400:
                errors.append(status)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    finally:
        writer.close()


async def load(
    host: str, port: int, token: str, clients: int, seconds: float, interval: float, run_url: str
) -> dict:
    urls = ["/api/v2/dags?limit=50", "/api/v2/dags/~/dagRuns?limit=50", run_url, "/api/v2/monitor/health"]
    latencies: list[tuple[float, float, str]] = []
    errors: list[int] = []
    began = time.monotonic()
    stop_at = began + seconds
    await asyncio.gather(
        *(
            client(host, port, token, urls, stop_at, interval, interval * n / clients, n, latencies, errors)
            for n in range(clients)
        )
    )
    every = sorted(latency for _, latency, _ in latencies)
    by_url = {url: sorted(lat for _, lat, u in latencies if u == url) for url in urls}
    by_second: dict[int, list[float]] = {}
    for started, latency, _ in latencies:
        by_second.setdefault(int(started - began), []).append(latency)
    return {
        "requests": len(every),
        "req_per_s": round(len(every) / seconds, 1),
        "p50_ms": percentile(every, 0.50),
        "p90_ms": percentile(every, 0.90),
        "p99_ms": percentile(every, 0.99),
        "mean_ms": round(statistics.fmean(every) * 1000, 1),
        "errors": len(errors),
        "p99_ms_by_url": {url: percentile(values, 0.99) for url, values in by_url.items()},
        "p99_ms_by_second": [percentile(sorted(by_second[s]), 0.99) for s in sorted(by_second)],
    }


def percentile(ordered: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of sorted latencies in seconds, in milliseconds."""
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a client's requests")
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument(
        "--web-workers",
        type=int,
        default=0,
        help="run `brisa scheduler` and `brisa api-server --workers N` instead of standalone",
    )
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
        procs = start_brisa(url, args.port, home, args.web_workers)
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
            result = asyncio.run(
                load("127.0.0.1", args.port, token, args.clients, args.seconds, args.interval, run_url)
            )
            state = httpx.get(
                f"{base}/api/v2/dags/bench_wide/dagRuns/{run['dag_run_id']}", headers=headers
            ).json()
            result.update(
                clients=args.clients,
                layout=f"api-server --workers {args.web_workers} + scheduler"
                if args.web_workers
                else "standalone",
                seconds=args.seconds,
                bench_wide_state=state["state"],
                load_average=os.getloadavg()[0],
            )
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
    print(
        f"{result['clients']} clients, {result['seconds']:.0f}s: {result['requests']} requests "
        f"({result['req_per_s']}/s), p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {result['errors']}, bench_wide {result['bench_wide_state']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
