#!/usr/bin/env python3
"""Partitioned asset scheduling cost (issue 17): recording partitioned events, then one
scheduler step creating one run per key.

    PYTHONPATH=. python bench/partitions.py                 # SQLite file and PostgreSQL
    PYTHONPATH=. python bench/partitions.py --keys 500 --only sqlite

In process, on a fresh store: a consumer on ``a & b`` with ``StartOfHourMapper``; for each
of ``--keys`` hour keys an event on ``a`` and one on ``b`` (``register_asset_change``, one
transaction each, as a producing task's success records it); then
``create_partitioned_asset_runs`` creates every per-key run (one transaction each).
Reports the mean time per event and per run created. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from brisa.assets.events import register_asset_change
from brisa.scheduler.partitions import create_partitioned_asset_runs
from brisa.sdk.assets import Asset
from brisa.store import migrate
from brisa.store.sql import Store
from brisa.testing import make_dag
from brisa.timetables.partition_mappers import StartOfHourMapper
from brisa.timetables.partitions import PartitionedAssetTimetable

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
A, B = Asset("a"), Asset("b")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def measure(store: Store, keys: int) -> dict[str, float]:
    migrate.upgrade(store)
    timetable = PartitionedAssetTimetable(assets=A & B, default_partition_mapper=StartOfHourMapper())
    dag = make_dag("cons", {"t": []}, timetable=timetable.serialize(), schedule_summary=timetable.summary)
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        ids = [tx.assets.find(*asset.key).id for asset in (A, B)]
    started = time.perf_counter()
    for i in range(keys):
        key = (T0 + timedelta(hours=i, minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
        for asset_id in ids:
            with store.transaction() as tx:
                register_asset_change(tx, asset_id, now=T0, partition_key=key)
    recorded = time.perf_counter()
    runs = create_partitioned_asset_runs(store, {"cons": dag}, paused=set(), now=T0)
    done = time.perf_counter()
    assert len(runs) == keys
    return {
        "ms_per_event": (recorded - started) * 1000 / (2 * keys),
        "ms_per_run": (done - recorded) * 1000 / keys,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{tmp}/bench.db")
            print("sqlite", args.keys, "keys", measure(store, args.keys))
            store.dispose()
    if args.only != "sqlite":
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            store = Store(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
            print("postgres", args.keys, "keys", measure(store, args.keys))
            store.dispose()
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
