"""Partitioned assets (Airflow 3.2+): events carry their run's partition key, and a
``PartitionedAssetTimetable`` consumer gets one run per (mapped) key, exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from brisa.assets.events import register_asset_change
from brisa.executors.inline import InlineExecutor
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.scheduler.partitions import create_partitioned_asset_runs, plan_partition_runs
from brisa.sdk.assets import Asset
from brisa.services.dags import refresh_next_run
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.repos.partitions import QueuedPartition
from brisa.testing import FakeClock, make_dag
from brisa.timetables.partition_mappers import (
    AllowedKeyMapper,
    FanOutMapper,
    FixedKeyMapper,
    RollupMapper,
    StartOfDayMapper,
    StartOfHourMapper,
)
from brisa.timetables.partition_windows import DayWindow, SegmentWindow
from brisa.timetables.partitions import CronPartitionTimetable, PartitionedAssetTimetable
from brisa.tries.outcome import Outcome

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B = Asset("a"), Asset("b")


def consumer(dag_id, assets, **mappers):
    timetable = PartitionedAssetTimetable(assets=assets, **mappers)
    return make_dag(dag_id, {"t": []}, timetable=timetable.serialize(), schedule_summary=timetable.summary)


def producer(dag_id, *outlets, timetable=None):
    return make_dag(
        dag_id,
        {"p": []},
        task_options={"p": {"outlets": tuple(o.as_condition() for o in outlets)}},
        timetable=timetable.serialize() if timetable else None,
    )


def row(i, dag_id, key, asset, at=T0):
    return QueuedPartition(i, dag_id, key, i, asset.name, asset.uri, 100 + i, at)


# -- the plan (pure) ---------------------------------------------------------------------------------
def test_one_run_per_key_once_the_assets_under_that_key_meet_the_condition():
    conditions = {"both": PartitionedAssetTimetable(assets=A & B)}
    rows = [row(1, "both", "k1", A), row(2, "both", "k2", A), row(3, "both", "k1", B)]
    (plan,) = plan_partition_runs(conditions, rows, aliases={})
    assert (plan.dag_id, plan.partition_key, plan.row_ids, plan.event_ids) == (
        "both",
        "k1",
        (1, 3),
        (101, 103),
    )
    assert plan_partition_runs(conditions, rows, aliases={}, paused={"both"}) == []
    assert plan_partition_runs({}, rows, aliases={}) == []


# -- on a real store ------------------------------------------------------------------------------------
def _add(store, clock, *dags):
    with store.transaction() as tx:
        for dag in dags:
            tx.dags.upsert(dag, paused_when_new=False, now=clock())
            refresh_next_run(tx, dag, now=clock())


def _runs(store, dag_id):
    with store.transaction(readonly=True) as tx:
        return sorted(tx.runs.list(dag_id).items, key=lambda r: r.partition_key or "")


def _emit(store, clock, asset, key):
    with store.transaction() as tx:
        return register_asset_change(tx, tx.assets.find(*asset.key).id, now=clock(), partition_key=key)


def test_the_migration_adds_partition_columns_and_the_queue(store):
    inspector = sa.inspect(store.engine)
    assert "partition_key" in {c["name"] for c in inspector.get_columns("asset_event")}
    assert {"partition_key", "partition_date"} <= {c["name"] for c in inspector.get_columns("dag_run")}
    assert "asset_partition_queue" in inspector.get_table_names()


def test_a_consumer_run_per_mapped_key_and_none_for_keys_not_complete(store):
    clock = FakeClock()
    cons = consumer("cons", A & B, default_partition_mapper=StartOfDayMapper())
    plain = make_dag(
        "plain", {"t": []}, timetable={"type": "AssetTriggeredTimetable", "condition": A.as_condition()}
    )
    _add(store, clock, cons, plain)
    event = _emit(store, clock, A, "2026-01-01T10:00:00")
    assert event.partition_key == "2026-01-01T10:00:00"
    _emit(store, clock, B, "2026-01-01T23:00:00")  # the same day: key 2026-01-01 is complete
    _emit(store, clock, A, "2026-01-02T01:00:00")  # another day, B missing: no run
    dags = {"cons": cons, "plain": plain}
    (run,) = create_partitioned_asset_runs(store, dags, paused=set(), now=clock())
    assert (run.partition_key, run.run_type, run.logical_date) == ("2026-01-01", "asset_triggered", None)
    assert run.partition_date == datetime(2026, 1, 1, tzinfo=UTC)
    assert create_partitioned_asset_runs(store, dags, paused=set(), now=clock()) == []
    with store.transaction(readonly=True) as tx:
        assert [e.partition_key for e in tx.assets.events_of_run("cons", run.run_id)] == [
            "2026-01-01T10:00:00",
            "2026-01-01T23:00:00",
        ]
        assert [(q.partition_key, q.name) for q in tx.partitions.queued()] == [("2026-01-02", "a")]
        # a plain consumer of the asset is queued as ever, whatever the key
        assert [q.target_dag_id for q in tx.assets.queued()] == ["plain"]


def test_events_without_a_key_or_with_a_rejected_key_are_not_queued_for_the_consumer(store):
    clock = FakeClock()
    cons = consumer("cons", A, default_partition_mapper=AllowedKeyMapper(["us", "eu"]))
    _add(store, clock, cons)
    _emit(store, clock, A, None)
    _emit(store, clock, A, "apac")
    with store.transaction(readonly=True) as tx:
        assert tx.partitions.queued() == []
    _emit(store, clock, A, "eu")
    (run,) = create_partitioned_asset_runs(store, {"cons": cons}, paused=set(), now=clock())
    assert run.partition_key == "eu" and run.partition_date is None


def test_a_rollup_run_waits_for_every_segment_and_a_fan_out_makes_a_run_per_member(store):
    clock = FakeClock()
    rollup = RollupMapper(upstream_mapper=FixedKeyMapper("all"), window=SegmentWindow(["us", "eu", "apac"]))
    fan_out = FanOutMapper(upstream_mapper=StartOfDayMapper(), window=DayWindow())
    roll, fan = (
        consumer("roll", A, default_partition_mapper=rollup),
        consumer("fan", B, default_partition_mapper=fan_out),
    )
    _add(store, clock, roll, fan)
    dags = {"roll": roll, "fan": fan}
    for region in ("us", "eu", "us"):
        _emit(store, clock, A, region)
    assert create_partitioned_asset_runs(store, dags, paused=set(), now=clock()) == []
    _emit(store, clock, A, "apac")
    _emit(store, clock, B, "2026-01-01T10:00:00")
    created = create_partitioned_asset_runs(store, dags, paused=set(), now=clock())
    assert sorted((r.dag_id, r.partition_key) for r in created) == [
        *(("fan", f"2026-01-01T{h:02}") for h in range(24)),
        ("roll", "all"),
    ]
    (rolled,) = _runs(store, "roll")
    with store.transaction(readonly=True) as tx:
        assert len(tx.assets.events_of_run("roll", rolled.run_id)) == 4
        assert tx.partitions.queued() == []


def test_deleting_a_consumer_drops_its_queued_partitions(store):
    clock = FakeClock()
    cons = consumer("cons", A & B)
    _add(store, clock, cons)
    _emit(store, clock, A, "k")
    with store.transaction() as tx:
        assert len(tx.partitions.queued("cons")) == 1
        tx.dags.delete("cons")
    with store.transaction(readonly=True) as tx:
        assert tx.partitions.queued() == []


def _scheduler(store, clock, events_of):
    def run_try(workload):
        return Outcome(TaskState.SUCCESS, clock(), asset_events=events_of.get(workload.key.task_id, ()))

    scheduler = Scheduler(
        store,
        InlineExecutor(store, run_try, clock=clock),
        config=SchedulerConfig(),
        clock=clock,
        hostname="h",
    )
    scheduler.start_job()
    return scheduler


def _ticks(scheduler, clock, n=8):
    for _ in range(n):
        scheduler.tick(clock())
        scheduler.handle_events(scheduler.executor.poll())
        clock.advance(1)


def _event(asset, **more):
    return {"name": asset.name, "uri": asset.uri, "group": asset.group, "extra": {}, "alias": None, **more}


def test_a_cron_partition_run_carries_its_key_to_its_events_and_the_consumer_run(store):
    clock = FakeClock(datetime(2026, 1, 1, 10, 0, 30, tzinfo=UTC))
    cron = CronPartitionTimetable("0 * * * *", timezone="UTC", run_immediately=True)
    prod = producer("prod", A, timetable=cron)
    cons = consumer("cons", A, default_partition_mapper=StartOfHourMapper())
    _add(store, clock, prod, cons)
    _ticks(_scheduler(store, clock, {"p": (_event(A),)}), clock)
    (produced,) = _runs(store, "prod")
    assert (produced.partition_key, produced.partition_date) == ("2026-01-01T10:00:00", T0.replace(hour=10))
    (consumed,) = _runs(store, "cons")
    assert (consumed.partition_key, consumed.state) == ("2026-01-01T10", RunState.SUCCESS)
    with store.transaction(readonly=True) as tx:
        (event,) = tx.assets.events_of_run("cons", consumed.run_id)
        assert (event.partition_key, event.source_run_id) == ("2026-01-01T10:00:00", produced.run_id)


def test_add_partitions_emits_one_event_per_key_and_each_key_gets_its_run(store):
    clock = FakeClock()
    prod, cons = producer("prod", A), consumer("cons", A)
    _add(store, clock, prod, cons)
    scheduler = _scheduler(store, clock, {"p": (_event(A, partition_keys=["us", "eu"]),)})
    with store.transaction() as tx:
        trigger_run(tx, prod, now=clock())
    _ticks(scheduler, clock)
    assert [r.partition_key for r in _runs(store, "cons")] == ["eu", "us"]
    with store.transaction(readonly=True) as tx:
        events, _ = tx.assets.events(asset_id=tx.assets.find(*A.key).id)
        assert sorted(e.partition_key for e in events) == ["eu", "us"]


@pytest.mark.postgres
def test_two_schedulers_racing_create_each_partitioned_run_once(pg_store):
    clock = FakeClock()
    consumers = [consumer(f"c{i}", A | B) for i in range(10)]
    _add(pg_store, clock, *consumers)
    dags = {d.dag_id: d for d in consumers}
    for key in ("k1", "k2"):
        _emit(pg_store, clock, A, key)
        _emit(pg_store, clock, B, key)
    start = threading.Barrier(2)
    created: list[list] = [[], []]

    def scheduler(i):
        start.wait()
        for _ in range(5):
            created[i].extend(
                create_partitioned_asset_runs(pg_store, dags, paused=set(), now=clock(), job_id=i)
            )

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    made = sorted((r.dag_id, r.partition_key) for r in created[0] + created[1])
    assert made == sorted((d, k) for d in dags for k in ("k1", "k2"))
    for dag_id in dags:
        for run in _runs(pg_store, dag_id):
            with pg_store.transaction(readonly=True) as tx:
                assert len(tx.assets.events_of_run(dag_id, run.run_id)) == 2
    with pg_store.transaction(readonly=True) as tx:
        assert tx.partitions.queued() == []
