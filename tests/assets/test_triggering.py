"""Asset-triggered runs: the pure plan, then the scheduler creating each run once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from brisa.assets.events import register_asset_change
from brisa.executors.inline import InlineExecutor
from brisa.scheduler.assets import create_asset_triggered_runs, plan_asset_runs
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.sdk.assets import Asset, AssetAlias, Dataset
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.repos.assets import QueuedEvent
from brisa.testing import FakeClock, make_dag
from brisa.tries.outcome import Outcome

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B = Asset("a"), Asset("b")


def consumer(dag_id, condition, generation="3"):
    timetable = {
        "type": "AssetTriggeredTimetable",
        "condition": condition.as_condition(),
        "generation": generation,
    }
    return make_dag(dag_id, {"t": []}, timetable=timetable, generation=generation)


def producer(dag_id, *outlets):
    return make_dag(
        dag_id, {"p": []}, task_options={"p": {"outlets": tuple(o.as_condition() for o in outlets)}}
    )


def queued(dag_id, asset, asset_id, at=T0):
    return QueuedEvent(dag_id, asset_id, asset.name, asset.uri, at)


# -- the plan (pure) ---------------------------------------------------------------------------------
def test_a_dag_runs_when_its_condition_is_met_at_the_time_of_its_newest_row():
    conditions = {"all": (A & B).as_condition(), "any": (A | B).as_condition()}
    rows = [queued("all", A, 1), queued("any", A, 1), queued("any", B, 2, T0 + timedelta(seconds=5))]
    plans = plan_asset_runs(conditions, rows, aliases={})
    assert [(p.dag_id, p.asset_ids, p.triggered_at) for p in plans] == [
        ("any", (1, 2), T0 + timedelta(seconds=5))
    ]
    rows.append(queued("all", B, 2, T0 + timedelta(seconds=9)))
    assert [p.dag_id for p in plan_asset_runs(conditions, rows, aliases={})] == ["all", "any"]


def test_paused_and_unknown_dags_get_no_plan_and_aliases_resolve():
    conditions = {"al": AssetAlias("x").as_condition(), "p": A.as_condition()}
    rows = [queued("al", B, 2), queued("p", A, 1), queued("gone", A, 1)]
    plans = plan_asset_runs(conditions, rows, aliases={"x": {B.key}}, paused={"p"})
    assert [p.dag_id for p in plans] == ["al"]
    assert plan_asset_runs(conditions, rows, aliases={}, paused={"p"}) == []


# -- the scheduler on a real store -----------------------------------------------------------------------
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


def _event(asset, extra=None, alias=None):
    return {"name": asset.name, "uri": asset.uri, "group": asset.group, "extra": extra or {}, "alias": alias}


def _add(store, clock, *dags, paused=()):
    with store.transaction() as tx:
        for dag in dags:
            tx.dags.upsert(dag, paused_when_new=dag.dag_id in paused, now=clock())


def _runs(store, dag_id):
    with store.transaction(readonly=True) as tx:
        return list(tx.runs.list(dag_id).items)


def test_a_producer_success_triggers_its_consumer_once_with_the_events(store):
    clock = FakeClock()
    prod, cons = producer("prod", A), consumer("cons", A)
    _add(store, clock, prod, cons)
    scheduler = _scheduler(store, clock, {"p": (_event(A, {"rows": 7}),)})
    with store.transaction() as tx:
        run = trigger_run(tx, prod, now=clock())
    _ticks(scheduler, clock)
    runs = _runs(store, "cons")
    assert len(runs) == 1
    (triggered,) = runs
    assert (triggered.run_type, triggered.logical_date, triggered.state) == (
        "asset_triggered",
        None,
        RunState.SUCCESS,
    )
    assert triggered.run_id.startswith("asset_triggered__")
    with store.transaction(readonly=True) as tx:
        (event,) = tx.assets.events_of_run("cons", triggered.run_id)
        assert (event.extra, event.source_dag_id, event.source_run_id, event.source_task_id) == (
            {"rows": 7},
            "prod",
            run.run_id,
            "p",
        )
        assert event.timestamp <= triggered.run_after
        assert tx.assets.queued() == []


def test_an_all_condition_waits_for_every_asset_and_a_paused_consumer_misses_events(store):
    clock = FakeClock()
    pa, pb = producer("pa", A), producer("pb", B)
    both, paused = consumer("both", A & B), consumer("paused", A)
    _add(store, clock, pa, pb, both, paused, paused={"paused"})
    scheduler = _scheduler(store, clock, {"p": ()})
    with store.transaction() as tx:
        a = tx.assets.find(*A.key).id
        b = tx.assets.find(*B.key).id
        register_asset_change(tx, a, now=clock())
    _ticks(scheduler, clock, n=3)
    assert _runs(store, "both") == [] and _runs(store, "paused") == []
    with store.transaction(readonly=True) as tx:
        assert [r.target_dag_id for r in tx.assets.queued()] == ["both"]
    with store.transaction() as tx:
        register_asset_change(tx, b, now=clock())
    _ticks(scheduler, clock, n=3)
    (run,) = _runs(store, "both")
    with store.transaction(readonly=True) as tx:
        assert len(tx.assets.events_of_run("both", run.run_id)) == 2


def test_a_2x_consumer_gets_a_dataset_triggered_run_with_a_logical_date_and_interval(store):
    clock = FakeClock()
    ds = Dataset("s3://bucket/out")
    cons = consumer("cons2", ds, generation="2")
    _add(store, clock, cons)
    with store.transaction() as tx:
        asset_id = tx.assets.find(*ds.key).id
        register_asset_change(tx, asset_id, now=clock())
        first = clock()
        clock.advance(30)
        register_asset_change(tx, asset_id, now=clock())
    created = create_asset_triggered_runs(store, {"cons2": cons}, paused=set(), now=clock())
    (run,) = created
    assert run.run_type == "dataset_triggered"
    assert run.logical_date == first  # the queue row keeps the first event's time
    assert (run.data_interval_start, run.data_interval_end) == (first, first)


def test_events_through_an_alias_resolve_it_and_trigger_its_consumers(store):
    clock = FakeClock()
    prod = make_dag("prod", {"p": []}, task_options={"p": {"outlets": (AssetAlias("al").as_condition(),)}})
    cons = consumer("cons", AssetAlias("al"))
    _add(store, clock, prod, cons)
    scheduler = _scheduler(store, clock, {"p": (_event(B, {"k": 1}, alias="al"),)})
    with store.transaction() as tx:
        trigger_run(tx, prod, now=clock())
    _ticks(scheduler, clock)
    (run,) = _runs(store, "cons")
    with store.transaction(readonly=True) as tx:
        (event,) = tx.assets.events_of_run("cons", run.run_id)
        assert (event.name, event.source_alias, event.extra) == ("b", "al", {"k": 1})
        assert tx.assets.alias_map() == {"al": {B.key}}


@pytest.mark.postgres
def test_two_schedulers_racing_create_each_consumer_run_once(pg_store):
    clock = FakeClock()
    consumers = [consumer(f"c{i}", A | B) for i in range(20)]
    _add(pg_store, clock, *consumers)
    dags = {d.dag_id: d for d in consumers}
    with pg_store.transaction() as tx:
        for asset in (A, B):
            register_asset_change(tx, tx.assets.find(*asset.key).id, now=clock())
    start = threading.Barrier(2)
    created: list[list] = [[], []]

    def scheduler(i):
        start.wait()
        for _ in range(5):
            created[i].extend(
                create_asset_triggered_runs(pg_store, dags, paused=set(), now=clock(), job_id=i)
            )

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.dag_id for r in created[0] + created[1]) == sorted(dags)
    for dag_id in dags:
        (run,) = _runs(pg_store, dag_id)
        with pg_store.transaction(readonly=True) as tx:
            assert len(tx.assets.events_of_run(dag_id, run.run_id)) == 2
    with pg_store.transaction(readonly=True) as tx:
        assert tx.assets.queued() == []


def test_no_dag_scheduled_on_assets_means_no_read_at_all():
    """The scheduler calls this every tick: without an asset-scheduled DAG it must not
    open a transaction (a chain of 20 tasks paid ~29 reads for nothing)."""

    class NoStore:
        def transaction(self, **kwargs):
            raise AssertionError("no DAG is scheduled on assets: nothing to read")

    dags = {"plain": make_dag("plain", {"t": []})}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert create_asset_triggered_runs(NoStore(), dags, paused=set(), now=now) == []
