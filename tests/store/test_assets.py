"""The asset tables' repository on every backend (SQLite in memory, on disk, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brisa.errors import InvalidInputError
from brisa.sdk.assets import Asset, AssetAlias
from brisa.testing import make_dag
from tests.store.test_repos import _run

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B = Asset("a", "s3://b/a"), Asset("b")


def consumer(dag_id="consumer", condition=None):
    cond = condition or (A & AssetAlias("al")).as_condition()
    return make_dag(dag_id, {"t": []}, timetable={"type": "AssetTriggeredTimetable", "condition": cond})


def producer(dag_id="producer"):
    return make_dag(dag_id, {"p": []}, task_options={"p": {"outlets": (A.as_condition(), B.as_condition())}})


def test_ensure_is_idempotent_and_keys_on_name_and_uri(store):
    with store.transaction() as tx:
        first = tx.assets.ensure("a", "s3://b/a", now=T0, extra={"k": 1})
        assert tx.assets.ensure("a", "s3://b/a", now=T0) == first
        other = tx.assets.ensure("a", "other", now=T0)
    with store.transaction(readonly=True) as tx:
        assert other != first
        record = tx.assets.get(first)
        assert (record.name, record.uri, record.group, record.extra) == ("a", "s3://b/a", "asset", {"k": 1})
        assert [r.id for r in tx.assets.find_by(name="a")] == [first, other]


def test_upserting_dags_records_their_schedule_and_outlet_references(store):
    with store.transaction() as tx:
        tx.dags.upsert(consumer(), paused_when_new=False, now=T0)
        tx.dags.upsert(producer(), paused_when_new=False, now=T0)
    with store.transaction(readonly=True) as tx:
        a = tx.assets.find(*A.key)
        b = tx.assets.find(*B.key)
        assert tx.assets.consumers(a.id) == ["consumer"]
        assert tx.assets.consumers(b.id) == []
        assert tx.assets.producers(a.id) == [("producer", "p")]
        assert [name for _, name, _ in tx.assets.aliases()] == ["al"]
        page, total = tx.assets.list(dag_ids=["consumer"])
        assert ([r.name for r in page], total) == (["a"], 1)
    with store.transaction() as tx:  # the schedule changed: references follow
        tx.dags.upsert(consumer(condition=B.as_condition()), paused_when_new=False, now=T0)
    with store.transaction(readonly=True) as tx:
        assert tx.assets.consumers(tx.assets.find(*A.key).id) == []
        assert tx.assets.consumers(tx.assets.find(*B.key).id) == ["consumer"]


def test_an_alias_resolved_to_an_asset_makes_its_dags_consumers(store):
    with store.transaction() as tx:
        tx.dags.upsert(consumer(), paused_when_new=False, now=T0)
        b = tx.assets.ensure(*B.key, now=T0)
        assert tx.assets.consumers(b) == []
        tx.assets.resolve_alias("al", b)
        tx.assets.resolve_alias("al", b)  # twice is once
    with store.transaction(readonly=True) as tx:
        assert tx.assets.consumers(b) == ["consumer"]
        assert tx.assets.alias_map() == {"al": {B.key}}


def test_events_keep_their_source_and_extra_and_page(store):
    with store.transaction() as tx:
        a = tx.assets.ensure(*A.key, now=T0)
        b = tx.assets.ensure(*B.key, now=T0)
        first = tx.assets.add_event(
            a,
            timestamp=T0,
            extra={"rows": 3},
            source_dag_id="producer",
            source_run_id="manual__1",
            source_task_id="p",
            source_map_index=2,
        )
        tx.assets.add_event(b, timestamp=T0 + timedelta(seconds=1))
        tx.assets.add_event(a, timestamp=T0 + timedelta(seconds=2), source_alias="al")
    with store.transaction(readonly=True) as tx:
        assert (first.name, first.uri, first.extra) == ("a", "s3://b/a", {"rows": 3})
        assert first.source_map_index == 2
        events, total = tx.assets.events(asset_id=a, order_by="-timestamp")
        assert total == 2 and [e.source_alias for e in events] == ["al", None]
        events, total = tx.assets.events(source_dag_id="producer")
        assert [e.id for e in events] == [first.id] and total == 1
        assert len(tx.assets.events(limit=1)[0]) == 1 and tx.assets.events(limit=1)[1] == 3
        between = tx.assets.events_between([a, b], after=T0, up_to=T0 + timedelta(seconds=2))
        assert [e.name for e in between] == ["b", "a"]
        with pytest.raises(InvalidInputError):
            tx.assets.events(order_by="nope")


def test_the_queue_keeps_the_first_time_and_is_taken_once(store):
    with store.transaction() as tx:
        a = tx.assets.ensure(*A.key, now=T0)
        tx.assets.queue(a, ["consumer", "other"], now=T0)
        tx.assets.queue(a, ["consumer"], now=T0 + timedelta(minutes=1))
    with store.transaction(readonly=True) as tx:
        rows = tx.assets.queued("consumer")
        assert [(r.key, r.created_at) for r in rows] == [(A.key, T0)]
        assert {r.target_dag_id for r in tx.assets.queued()} == {"consumer", "other"}
    with store.transaction() as tx:
        assert tx.assets.take_queue("consumer", [a], up_to=T0 - timedelta(seconds=1)) == 0
        assert tx.assets.take_queue("consumer", [a], up_to=T0) == 1
        assert tx.assets.take_queue("consumer", [a], up_to=T0) == 0
        assert tx.assets.clear_queue("other") == 1


def test_runs_link_the_events_that_triggered_them_and_deleting_the_dag_forgets_it(store):
    dag = consumer()
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        a = tx.assets.find(*A.key).id
        event = tx.assets.add_event(a, timestamp=T0)
        run = _run(tx, dag)
        tx.assets.link_run(run.id, [event.id, event.id])
        tx.assets.queue(a, ["consumer"], now=T0)
    with store.transaction(readonly=True) as tx:
        assert [e.id for e in tx.assets.events_of_run("consumer", "manual__1")] == [event.id]
        assert tx.assets.runs_of_event(event.id) == [("consumer", "manual__1")]
    with store.transaction() as tx:
        tx.dags.delete("consumer")
    with store.transaction(readonly=True) as tx:
        assert tx.assets.events_of_run("consumer", "manual__1") == []
        assert tx.assets.queued() == [] and tx.assets.consumers(a) == []
        assert tx.assets.event(event.id) is not None  # events outlive their consumers


def test_a_schedule_on_an_asset_reference_consumes_the_assets_known_by_that_name(store):
    with store.transaction() as tx:
        tx.dags.upsert(producer(), paused_when_new=False, now=T0)
        tx.dags.upsert(consumer("by_ref", Asset.ref(name="b").as_condition()), paused_when_new=False, now=T0)
    with store.transaction(readonly=True) as tx:
        assert tx.assets.consumers(tx.assets.find(*B.key).id) == ["by_ref"]
        assert tx.assets.consumers(tx.assets.find(*A.key).id) == []
