"""Server time of the UI's busiest pages on PostgreSQL with 1,000 DAGs and 10,000 runs.

    python3 bench/ui.py [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--requests 200]

Creates a scratch database, migrates it, seeds 1,000 DAGs (3 tasks each) and 10,000 runs
(30,000 task instances; one DAG has 1,000 runs, the others about 9 each), builds the
real app (``create_app`` with the UI) and times each page inside the ASGI app: from
the request entering the app to the last byte of the response, so the test client's
own overhead is not counted. Pages are requested in turn, round after round, so that
load from elsewhere on the machine weighs on all of them alike. Prints p50/p99 per page;
the database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from brisa.api.app import create_app, freeze_startup_heap
from brisa.auth.passwords import hash_password, make_hasher
from brisa.config import load_settings
from brisa.secrets.fernet import generate_key
from brisa.secrets.service import SecretsService
from brisa.store import migrate
from brisa.store import schema as s
from brisa.store.sql import Store
from brisa.testing import make_dag

DAGS = 1_000
RUNS = 10_000
BIG_DAG_RUNS = 1_000
TASKS = ("extract", "transform", "load")
STATES = ("success", "success", "success", "failed", "running")
T0 = datetime(2025, 1, 1, tzinfo=UTC)
PASSWORD = "bench password"


# --- the database ------------------------------------------------------------------------------


@contextmanager
def scratch_database(admin_url: str, keep: bool) -> Iterator[str]:
    name = f"brisa_bench_{uuid.uuid4().hex[:8]}"
    psycopg_url = admin_url.replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(psycopg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if not keep:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def dag_id(n: int) -> str:
    return f"dag_{n:04d}"


def seed(store: Store) -> None:
    started = time.perf_counter()
    with store.transaction() as tx:
        for n in range(DAGS):
            dag = make_dag(
                dag_id(n),
                {"extract": [], "transform": ["extract"], "load": ["transform"]},
                timetable={"type": "CronDataIntervalTimetable", "expression": "0 0 * * *", "timezone": "UTC"},
                schedule_summary="0 0 * * *",
                tags=(f"team_{n % 10}", "bench"),
                owners=("bench",),
            )
            tx.dags.upsert(dag, paused_when_new=n % 3 == 0, now=T0, source_code="# bench\n")
        runs, tis = run_rows()
        tx.conn.execute(s.dag_run.insert(), runs)
        tx.conn.execute(s.task_instance.insert(), tis)
        tx.users.create(
            username="admin",
            email="",
            role="Admin",
            password_hash=hash_password(PASSWORD, hasher=fast_hasher()),
            now=T0,
        )
    with store.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    seconds = time.perf_counter() - started
    print(f"seeded {DAGS} DAGs, {RUNS} runs, {RUNS * len(TASKS)} task instances in {seconds:.1f} s")


def runs_per_dag() -> Iterator[tuple[str, int]]:
    """DAG 0 gets BIG_DAG_RUNS runs; the rest are spread over the other DAGs."""
    yield dag_id(0), BIG_DAG_RUNS
    rest, others = RUNS - BIG_DAG_RUNS, DAGS - 1
    for n in range(1, DAGS):
        yield dag_id(n), rest // others + (1 if n <= rest % others else 0)


def run_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    runs, tis = [], []
    for owner, count in runs_per_dag():
        for k in range(count):
            day = T0 + timedelta(days=k)
            state = "running" if k == count - 1 else STATES[k % len(STATES)]
            run_id = f"scheduled__{day.isoformat()}"
            runs.append(run_row(owner, run_id, day, state))
            tis.extend(ti_row(owner, run_id, task, day, state) for task in TASKS)
    return runs, tis


def run_row(owner: str, run_id: str, day: datetime, state: str) -> dict[str, Any]:
    return {
        "dag_id": owner,
        "run_id": run_id,
        "run_type": "scheduled",
        "state": state,
        "logical_date": day,
        "data_interval_start": day,
        "data_interval_end": day + timedelta(days=1),
        "run_after": day + timedelta(days=1),
        "queued_at": day,
        "start_date": day,
        "end_date": None if state == "running" else day + timedelta(minutes=5),
        "conf": "{}",
        "updated_at": day,
    }


def ti_row(owner: str, run_id: str, task: str, day: datetime, state: str) -> dict[str, Any]:
    return {
        "dag_id": owner,
        "run_id": run_id,
        "task_id": task,
        "map_index": -1,
        "state": state,
        "try_number": 1,
        "start_date": day,
        "end_date": None if state == "running" else day + timedelta(minutes=1),
        "duration": None if state == "running" else 60.0,
        "operator": "EmptyOperator",
        "updated_at": day,
    }


# --- the app and the clock ----------------------------------------------------------------------


def fast_hasher() -> Any:
    return make_hasher(time_cost=1, memory_cost_kib=64, parallelism=1)


class ServerTimer:
    """ASGI wrapper: how long the app took for each request, up to its last body byte."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        started = time.perf_counter()

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append(time.perf_counter() - started)

        await self.app(scope, receive, timed_send)


def build_client(url: str) -> tuple[TestClient, ServerTimer, Store]:
    environ = {"BRISA__API__SECRET_KEY": "b" * 48, "BRISA__CORE__FERNET_KEY": generate_key()}
    settings = load_settings(environ, home="/tmp/brisa-bench-home")
    store = Store(url, pool_size=5)
    app = create_app(
        settings,
        store,
        SecretsService.from_settings(settings, store, {}),
        clock=lambda: datetime.now(UTC),
        hasher=fast_hasher(),
    )
    timer = ServerTimer(app)
    client = TestClient(timer, follow_redirects=False)
    login(client)
    freeze_startup_heap()  # as `brisa api-server` does once its app is built
    return client, timer, store


def login(client: TestClient) -> None:
    page = client.get("/login").text
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": "admin", "password": PASSWORD, "login_csrf": nonce})
    assert answer.status_code == 303, answer.text


# --- measuring ---------------------------------------------------------------------------------

PAGES = {
    "DAG list, page 1": "/dags",
    "DAG list, page 20": "/dags?page=20",
    "DAG list, search + tag": "/dags?q=dag_05&tag=team_5",
    "grid, DAG with 1,000 runs": "/dags/dag_0000/grid",
    "grid, DAG with 9 runs": "/dags/dag_0500/grid",
    "grid poll (partial)": "/dags/dag_0000/grid?partial=1",
    "graph": "/dags/dag_0000/graph",
}


def measure(client: TestClient, timer: ServerTimer, requests: int) -> dict[str, dict[str, float]]:
    """Every page in turn, ``requests`` rounds: a burst of load elsewhere hits all pages alike."""
    for _ in range(10):  # warm caches: compiled templates, pooled connections, PostgreSQL plans
        for path in PAGES.values():
            assert client.get(path).status_code == 200, path
    samples: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(requests):
        for name, path in PAGES.items():
            timer.samples.clear()
            client.get(path)
            samples[name].extend(timer.samples)
    return {name: summary(sorted(values)) for name, values in samples.items()}


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": 1000 * statistics.median(samples),
        "p99_ms": 1000 * samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "max_ms": 1000 * samples[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with scratch_database(args.pg, args.keep) as url:
        store = Store(url)
        migrate.upgrade(store)
        seed(store)
        store.dispose()
        client, timer, app_store = build_client(url)
        results = measure(client, timer, args.requests)
        client.close()
        app_store.dispose()
    report(results, args.json)


def report(results: dict[str, dict[str, float]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(results, indent=2))
        return
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min): other work inflates the numbers")
    print(f"{'page':<28} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, numbers in results.items():
        print(f"{name:<28} {numbers['p50_ms']:8.1f} {numbers['p99_ms']:8.1f} {numbers['max_ms']:8.1f}")


if __name__ == "__main__":
    main()
