"""The ``history`` growth curve: list endpoints and pages over a store of N task instances.

The store is filled in bulk through the store's SQL (five ten-task DAGs, N / 10 runs,
mostly successful, some failed, the newest ones running), then each endpoint is called
``REPEAT`` times in-process (FastAPI's TestClient: the server's own time, no network).
Then ``brisa db clean --clean-before-timestamp`` keeps the newest ``KEEP`` task instances,
and the list endpoints are timed again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAGS, TASKS, REPEAT, KEEP, BATCH = 5, 10, 20, 10_000, 20_000
BASE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
FERNET_KEY = "Jm1Ud0Rbx7OmbnOtzPbI6kfnWQ3k7KLyVGTFJoKvcgU="
PASSWORD = "bench-history-password"
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _load() -> float:
    return round(os.getloadavg()[0], 1)


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A new, empty database URL on ``backend`` (sqlite or postgresql), dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="brisa-history-") as folder:
            yield f"sqlite:///{folder}/brisa.db"
        return
    import sqlalchemy as sa

    name = f"brisa_history_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def fill(store: Any, n: int) -> float:
    """N task instances: N / 10 runs of five ten-task DAGs, one hour apart; seconds taken."""
    from brisa.store import schema as s
    from brisa.testing import make_dag

    started = time.perf_counter()
    with store.transaction() as tx:
        for d in range(DAGS):
            chain = {f"t{i}": ([f"t{i - 1}"] if i else []) for i in range(TASKS)}
            tx.dags.upsert(make_dag(f"hist_{d}", chain), paused_when_new=False, now=BASE)
    runs = n // TASKS
    for first in range(0, runs, BATCH // TASKS):
        run_rows, ti_rows = [], []
        for r in range(first, min(runs, first + BATCH // TASKS)):
            run, tis = _run_rows(r, runs)
            run_rows.append(run)
            ti_rows += tis
        with store.transaction() as tx:
            tx.conn.execute(s.dag_run.insert(), run_rows)
            tx.conn.execute(s.task_instance.insert(), ti_rows)
    return time.perf_counter() - started


def _run_rows(r: int, runs: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run ``r`` (of ``runs``): DAG ``r % 5``, an hour after the DAG's previous run."""
    dag_id, when = f"hist_{r % DAGS}", BASE + dt.timedelta(hours=r // DAGS)
    state = "running" if r >= runs - DAGS else ("failed" if r % 25 == 3 else "success")
    end = None if state == "running" else when + dt.timedelta(minutes=5)
    run_id = f"scheduled__{when.isoformat()}"
    run = {
        "dag_id": dag_id,
        "run_id": run_id,
        "run_type": "scheduled",
        "state": state,
        "logical_date": when,
        "data_interval_start": when,
        "data_interval_end": when + dt.timedelta(hours=1),
        "run_after": when,
        "queued_at": when,
        "start_date": when,
        "end_date": end,
        "conf": "{}",
        "clear_number": 0,
    }
    tis = []
    for i in range(TASKS):
        ti_state = {"running": "success" if i < 5 else None, "failed": "failed" if i == 5 else None}.get(
            state, "success"
        )
        if state == "failed" and i > 5:
            ti_state = "upstream_failed"
        if state == "running" and i == 5:
            ti_state = "running"
        started = when + dt.timedelta(seconds=20 * i)
        tis.append(
            {
                "dag_id": dag_id,
                "run_id": run_id,
                "task_id": f"t{i}",
                "map_index": -1,
                "state": ti_state,
                "try_number": 1 if ti_state else 0,
                "max_tries": 0,
                "start_date": started if ti_state else None,
                "end_date": started + dt.timedelta(seconds=15) if ti_state not in (None, "running") else None,
                "duration": 15.0 if ti_state not in (None, "running") else None,
                "operator": "BashOperator",
            }
        )
    return run, tis


class Client:
    """The API and UI app in-process, with an admin's token and a logged-in browser."""

    def __init__(self, store: Any, home: str) -> None:
        from fastapi.testclient import TestClient

        from brisa.api.app import create_app
        from brisa.auth.passwords import hash_password, make_hasher
        from brisa.config import load_settings
        from brisa.secrets.service import SecretsService

        settings = load_settings({"BRISA__CORE__FERNET_KEY": FERNET_KEY}, home=home)
        hasher = make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)
        with store.transaction() as tx:
            tx.users.create(
                username="admin",
                email="",
                role="Admin",
                password_hash=hash_password(PASSWORD, hasher=hasher),
                now=dt.datetime.now(dt.UTC),
            )
        secrets = SecretsService.from_settings(settings, store, {})
        app = create_app(settings, store, secrets, clock=lambda: dt.datetime.now(dt.UTC), hasher=hasher)
        self.api = TestClient(app, follow_redirects=False)
        token = self.api.post("/auth/token", json={"username": "admin", "password": PASSWORD})
        self.api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        self.ui = TestClient(app, follow_redirects=False)
        nonce = re.search(r'name="login_csrf" value="([^"]+)"', self.ui.get("/login").text)
        form = {"username": "admin", "password": PASSWORD, "login_csrf": nonce.group(1) if nonce else ""}
        self.ui.post("/login", data=form | {"next": "/"})

    def time(self, client: Any, path: str) -> dict[str, float]:
        """p50 and p99 milliseconds of ``REPEAT`` calls (after one warm-up call)."""
        seconds = []
        for attempt in range(REPEAT + 1):
            started = time.perf_counter()
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
            if attempt:
                seconds.append(time.perf_counter() - started)
        seconds.sort()
        p99 = seconds[min(len(seconds) - 1, round(0.99 * (len(seconds) - 1)))]
        return {"p50": round(statistics.median(seconds) * 1000, 1), "p99": round(p99 * 1000, 1)}


def _endpoints(store: Any) -> dict[str, tuple[str, str]]:
    from brisa.store import schema as s

    with store.transaction(readonly=True) as tx:
        import sqlalchemy as sa

        newest = tx.conn.execute(
            sa.select(s.dag_run.c.run_id)
            .where(s.dag_run.c.dag_id == "hist_0")
            .order_by(s.dag_run.c.logical_date.desc())
            .limit(1)
        ).scalar()
    return {
        "api_dags": ("api", "/api/v2/dags"),
        "api_runs": ("api", "/api/v2/dags/hist_0/dagRuns"),
        "api_tis_all": ("api", "/api/v2/dags/~/dagRuns/~/taskInstances"),
        "api_tis_run": ("api", f"/api/v2/dags/hist_0/dagRuns/{newest}/taskInstances"),
        "ui_dags": ("ui", "/dags"),
        "ui_grid": ("ui", "/dags/hist_0/grid"),
    }


def measure(client: Client, store: Any, names: list[str] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, (which, path) in _endpoints(store).items():
        if names is None or name in names:
            timing = client.time(client.api if which == "api" else client.ui, path)
            row[f"{name}_p50_ms"], row[f"{name}_p99_ms"] = timing["p50"], timing["p99"]
    return row


def clean(url: str, n: int) -> float:
    """``brisa db clean`` keeping about ``KEEP`` task instances; seconds taken."""
    runs_per_dag = n // TASKS // DAGS
    keep = KEEP // TASKS // DAGS
    cutoff = BASE + dt.timedelta(hours=max(0, runs_per_dag - keep))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRISA__DATABASE__SQL_ALCHEMY_CONN": url}
    env["BRISA__CORE__FERNET_KEY"] = FERNET_KEY
    command = [sys.executable, "-m", "brisa.cli", "db", "clean", "--clean-before-timestamp"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, cutoff.isoformat(), "--yes"], env=env, capture_output=True, text=True, timeout=3600
    )
    if done.returncode:
        raise RuntimeError(f"db clean failed: {done.stderr[-800:]}")
    return time.perf_counter() - started


def history_point(n: int, backend: str = "sqlite") -> dict[str, Any]:
    from brisa.store import migrate
    from brisa.store.sql import Store

    with database(backend) as url, tempfile.TemporaryDirectory(prefix="brisa-history-home-") as home:
        store = Store(url)
        try:
            migrate.upgrade(store)
            row: dict[str, Any] = {"size": n, "backend": backend, "fill_s": round(fill(store, n), 1)}
            client = Client(store, home)
            row |= measure(client, store)
            row["load"] = _load()
            row["clean_s"] = round(clean(url, n), 1)
            after = measure(client, store, ["api_runs", "api_tis_all", "ui_grid"])
            row |= {f"after_clean_{k}": v for k, v in after.items()}
            row["load_after_clean"] = _load()
            return row
        finally:
            store.dispose()


def pg_history_point(n: int) -> dict[str, Any]:
    return history_point(n, "postgresql")


if __name__ == "__main__":
    print(history_point(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "sqlite"))
