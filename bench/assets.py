#!/usr/bin/env python3
"""Asset event -> consumer run start latency, p50 and p99 (issue 17).

    PYTHONPATH=. python bench/assets.py                  # SQLite and PostgreSQL, 50 events each
    PYTHONPATH=. python bench/assets.py --only sqlite --events 100

A real ``brisa scheduler`` (LocalExecutor) runs one consumer DAG scheduled on an asset.
This script records events on that asset one at a time, the way ``POST
/api/v2/assets/events`` does (``register_asset_change`` in one transaction), and waits
for the run each event triggers to start; the latency is the run's ``start_date`` minus
the event's timestamp (both from this machine's clock). The scheduler is idle between
events; the event's commit wakes it (brisa/store/changes.py), else it would be found at
the next idle look (``idle_seconds``, 1 s). Each event comes a random 0-1 s after the previous run
started, so events land anywhere in the scheduler's idle second (``--no-jitter``: right
after a tick, the worst case). Nothing is asserted.

Side by side with Airflow 3.3.2: ``--airflow`` measures both systems the same way
instead, each as ``<system> standalone`` with the event posted from outside through
``POST /api/v2/assets/events`` (``bench/sidebyside.py``'s ``assets`` figure: Brisa with an
admin's token, Airflow with its simple auth manager's ``simple_auth_manager_all_admins``),
Brisa then Airflow, ``--rounds`` times, into ``bench/results/sidebyside.json``:

    PYTHONPATH=. python bench/assets.py --airflow --only postgres --events 50 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

CONSUMER = """
from airflow.sdk import DAG, Asset
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("bench_asset_consumer", schedule=Asset("bench_orders"), max_active_runs=1000):
    EmptyOperator(task_id="noop")
"""


def _env(home: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(home / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__DATABASE__SQL_ALCHEMY_CONN": url,
    }


def _pg_database() -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"brisa_bench_assets_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop(name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latencies(url: str, events: int, *, jitter: bool = True) -> list[float]:
    from brisa.assets.events import register_asset_change
    from brisa.sdk.timezone import utcnow
    from brisa.store.sql import Store

    home = Path(tempfile.mkdtemp(prefix="brisa-bench-assets-"))
    (home / "dags").mkdir()
    (home / "dags" / "consumer.py").write_text(CONSUMER)
    env = _env(home, url)
    subprocess.run(
        [sys.executable, "-m", "brisa.cli", "db", "migrate"], env=env, check=True, capture_output=True
    )
    with open(home / "scheduler.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "brisa.cli", "scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    store = Store(url)
    try:
        asset_id = _wait_for_consumer(store)
        found: list[float] = []
        pause = random.Random(17)
        for i in range(events):
            if jitter:
                time.sleep(pause.random())
            with store.transaction() as tx:
                event = register_asset_change(tx, asset_id, now=utcnow(), extra={"i": i})
            start = _wait_for_run_start(store, i + 1)
            found.append((start - event.timestamp).total_seconds())
        return found
    finally:
        store.dispose()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_consumer(store) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with store.transaction(readonly=True) as tx:
            record = tx.dags.get("bench_asset_consumer")
            asset = tx.assets.find("bench_orders", "bench_orders")
            if record is not None and asset is not None and tx.assets.consumers(asset.id):
                return asset.id
        time.sleep(0.2)
    raise SystemExit("the scheduler did not parse the consumer DAG in 2 minutes")


def _wait_for_run_start(store, count: int):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with store.transaction(readonly=True) as tx:
            runs = [r for r in tx.runs.list("bench_asset_consumer", limit=10_000).items if r.start_date]
        if len(runs) >= count:
            return max(r.start_date for r in runs)
        time.sleep(0.005)
    raise SystemExit("no run started within 2 minutes of the event")


def side_by_side(only: str | None, events: int, rounds: int) -> None:
    """``bench/sidebyside.py --figures assets``, alternating the systems ``rounds`` times.

    Each round's entries are kept apart in the saved results (``brisa/postgres#2``...), so
    both rounds of both systems stay side by side with the load each was measured at.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_sidebyside", ROOT / "bench" / "sidebyside.py")
    assert spec and spec.loader
    sidebyside = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sidebyside)
    for round_ in range(1, rounds + 1):
        for db in [only] if only else ["sqlite", "postgres"]:
            for system in ("brisa", "airflow"):
                key = f"{system}/{db}" + (f"#{round_}" if rounds > 1 else "")
                before = sidebyside.load()
                try:
                    value = sidebyside.asset_latency(system, db, events=events)
                except (RuntimeError, TimeoutError, OSError) as exc:
                    value = {"error": str(exc)[-300:]}
                entry = {
                    "load_before": before,
                    "at": sidebyside.dt.datetime.now(sidebyside.dt.UTC).isoformat(timespec="seconds"),
                    "result": value,
                }
                print(json.dumps({"assets": {key: entry}}), flush=True)
                # The plain key (the latest round) is what ``sidebyside.py --table`` shows.
                sidebyside.save({"assets": {key: entry, f"{system}/{db}": entry}}, sidebyside.RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--no-jitter", action="store_true", help="record each event right after a run starts")
    parser.add_argument(
        "--airflow", action="store_true", help="Brisa and Airflow standalone, events through the API"
    )
    parser.add_argument("--rounds", type=int, default=1, help="with --airflow: Brisa then Airflow, N times")
    args = parser.parse_args()
    if args.airflow:
        side_by_side(args.only, args.events, args.rounds)
        return
    results = {}
    for backend in ("sqlite", "postgres"):
        if args.only and args.only != backend:
            continue
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="brisa-bench-db-")
            values = latencies(f"sqlite:///{folder}/brisa.db", args.events, jitter=not args.no_jitter)
            shutil.rmtree(folder, ignore_errors=True)
        else:
            name, url = _pg_database()
            try:
                values = latencies(url, args.events, jitter=not args.no_jitter)
            finally:
                _drop(name)
        results[backend] = {
            "events": len(values),
            "p50_s": round(statistics.median(values), 3),
            "p99_s": round(_percentile(values, 0.99), 3),
            "max_s": round(max(values), 3),
        }
        print(f"{backend}: {results[backend]}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
