"""``/api/v2/assets``: assets, aliases, events (GET and POST from outside), queued events,
materialize, in Airflow 3's shapes."""

from __future__ import annotations

from datetime import timedelta

from brisa.api.schemas import DAGRunResponse
from brisa.api.schemas.assets import (
    AssetAliasCollectionResponse,
    AssetCollectionResponse,
    AssetEventCollectionResponse,
    AssetEventResponse,
    AssetResponse,
    QueuedEventCollectionResponse,
    QueuedEventResponse,
)
from brisa.assets.events import register_asset_change
from brisa.scheduler.assets import create_asset_triggered_runs
from brisa.sdk.assets import Asset, AssetAlias
from brisa.store.records import TaskKey
from brisa.store.repos.triggers import WatcherSpec
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag

A = Asset("orders", uri="s3://lake/orders")


def seed(api: Api) -> dict[str, int]:
    consumer = make_dag(
        "report",
        {"t": []},
        timetable={"type": "AssetTriggeredTimetable", "condition": (A & AssetAlias("late")).as_condition()},
    )
    producer = make_dag("ingest", {"load": []}, task_options={"load": {"outlets": (A.as_condition(),)}})
    add_dag(api.store, api.clock(), consumer)
    add_dag(api.store, api.clock(), producer)
    with api.store.transaction() as tx:
        asset_id = tx.assets.find(*A.key).id
        event = register_asset_change(
            tx,
            asset_id,
            now=api.clock(),
            extra={"rows": 5, "password": "s3cret"},
            source=TaskKey("ingest", "manual__1", "load", -1),
        )
        alias_id = tx.assets.ensure_alias("late")
    return {"asset": asset_id, "event": event.id, "alias": alias_id}


def test_assets_list_with_consumers_producers_and_last_event(api: Api) -> None:
    ids = seed(api)
    body = api.client.get("/api/v2/assets", headers=api.headers("Viewer")).json()
    AssetCollectionResponse.model_validate(body)
    assert body["total_entries"] == 1
    (asset,) = body["assets"]
    assert (asset["name"], asset["uri"], asset["group"]) == ("orders", "s3://lake/orders", "asset")
    assert [d["dag_id"] for d in asset["scheduled_dags"]] == ["report"]
    assert [(t["dag_id"], t["task_id"]) for t in asset["producing_tasks"]] == [("ingest", "load")]
    assert asset["last_asset_event"]["id"] == ids["event"]
    assert asset["watchers"] == [] and asset["consuming_tasks"] == []
    one = api.client.get(f"/api/v2/assets/{ids['asset']}", headers=api.headers("Viewer")).json()
    AssetResponse.model_validate(one)
    assert one["id"] == ids["asset"]
    assert (
        api.client.get("/api/v2/assets?name_pattern=nothing", headers=api.headers("Viewer")).json()[
            "total_entries"
        ]
        == 0
    )
    assert api.client.get("/api/v2/assets/999", headers=api.headers("Viewer")).status_code == 404
    assert api.client.get("/api/v2/assets?order_by=bogus", headers=api.headers("Viewer")).status_code == 400


def test_assets_show_consuming_tasks_and_watchers(api: Api) -> None:
    """Tasks with the asset as an inlet (by the asset or an ``Asset.ref``, active DAGs
    only) and the asset's watchers with their triggers, as Airflow 3 lists them."""
    ids = seed(api)
    reader = make_dag(
        "audit", {"read": [], "other": []}, task_options={"read": {"inlets": (A.as_condition(),)}}
    )
    by_ref = make_dag(
        "summary", {"sum": []}, task_options={"sum": {"inlets": (Asset.ref(name="orders").as_condition(),)}}
    )
    gone = make_dag("old", {"x": []}, task_options={"x": {"inlets": (A.as_condition(),)}})
    for dag in (reader, by_ref, gone):
        add_dag(api.store, api.clock(), dag)
    with api.store.transaction() as tx:
        tx.dags.deactivate(["old"])
        tx.assets.triggers.set_watchers(
            ids["asset"],
            [WatcherSpec("drop", "brisa.triggers.file.FileTrigger", '{"filepath": "/x"}')],
            now=api.clock(),
        )
        (trigger_id,) = [t.id for _, t in tx.assets.triggers.watchers_of([ids["asset"]])[ids["asset"]]]
    for url in ("/api/v2/assets", f"/api/v2/assets/{ids['asset']}"):
        body = api.client.get(url, headers=api.headers("Viewer")).json()
        asset = body["assets"][0] if "assets" in body else body
        AssetResponse.model_validate(asset)
        assert [(t["dag_id"], t["task_id"]) for t in asset["consuming_tasks"]] == [
            ("audit", "read"),
            ("summary", "sum"),
        ]
        assert set(asset["consuming_tasks"][0]) == {"dag_id", "task_id", "created_at", "updated_at"}
        ((watcher),) = asset["watchers"]
        assert (watcher["name"], watcher["trigger_id"]) == ("drop", trigger_id)
        assert watcher["created_date"]


def test_events_list_redacts_extra_and_filters(api: Api) -> None:
    ids = seed(api)
    h = api.headers("Viewer")
    body = api.client.get("/api/v2/assets/events", headers=h).json()
    AssetEventCollectionResponse.model_validate(body)
    (event,) = body["asset_events"]
    assert event["extra"] == {"rows": 5, "password": "***"}
    assert (event["source_dag_id"], event["source_task_id"], event["source_map_index"]) == (
        "ingest",
        "load",
        -1,
    )
    assert (event["name"], event["uri"], event["asset_id"]) == ("orders", "s3://lake/orders", ids["asset"])
    assert event["created_dagruns"] == []
    assert api.client.get("/api/v2/assets/events?source_dag_id=other", headers=h).json()["total_entries"] == 0


def test_posting_an_event_queues_it_and_the_scheduler_creates_the_consumer_run(api: Api) -> None:
    ids = seed(api)
    assert (
        api.client.post(
            "/api/v2/assets/events", json={"asset_id": ids["asset"]}, headers=api.headers("Viewer")
        ).status_code
        == 403
    )
    posted = api.client.post(
        "/api/v2/assets/events",
        json={"asset_id": ids["asset"], "extra": {"k": 1}},
        headers=api.headers("User"),
    )
    assert posted.status_code == 200, posted.text
    AssetEventResponse.model_validate(posted.json())
    assert posted.json()["extra"] == {"k": 1, "from_rest_api": True}
    assert posted.json()["source_dag_id"] is None
    queued = api.client.get("/api/v2/dags/report/assets/queuedEvents", headers=api.headers("Viewer")).json()
    QueuedEventCollectionResponse.model_validate(queued)
    assert [(q["dag_id"], q["asset_id"]) for q in queued["queued_events"]] == [("report", ids["asset"])]
    one = api.client.get(
        f"/api/v2/dags/report/assets/{ids['asset']}/queuedEvents", headers=api.headers("Viewer")
    )
    QueuedEventResponse.model_validate(one.json())
    # the alias "late" resolves when an event is emitted through it: then the AND is met
    with api.store.transaction() as tx:
        register_asset_change(tx, ids["asset"], now=api.clock() + timedelta(seconds=1), alias="late")
        dag = tx.dags.serialized("report")
    (run,) = create_asset_triggered_runs(api.store, {"report": dag}, paused=set(), now=api.clock())
    events = api.client.get("/api/v2/assets/events?order_by=-timestamp", headers=api.headers("Viewer")).json()
    # As Airflow: the run consumes the events up to its queue row's time (the alias's later
    # event waits for the next run).
    created = {e["id"]: [r["run_id"] for r in e["created_dagruns"]] for e in events["asset_events"]}
    assert created[posted.json()["id"]] == [run.run_id]
    assert created[events["asset_events"][0]["id"]] == []
    assert (
        api.client.get("/api/v2/dags/report/assets/queuedEvents", headers=api.headers("Viewer")).status_code
        == 404
    )
    bad = api.client.post("/api/v2/assets/events", json={"asset_id": 999}, headers=api.headers("User"))
    assert bad.status_code == 404
    extra_field = api.client.post(
        "/api/v2/assets/events", json={"asset_id": 1, "x": 1}, headers=api.headers("User")
    )
    assert extra_field.status_code == 422


def test_deleting_queued_events(api: Api) -> None:
    ids = seed(api)
    assert (
        api.client.delete(
            "/api/v2/dags/report/assets/queuedEvents", headers=api.headers("Viewer")
        ).status_code
        == 403
    )
    h = api.headers("Op")
    assert (
        api.client.delete(f"/api/v2/dags/report/assets/{ids['asset']}/queuedEvents", headers=h).status_code
        == 204
    )
    assert api.client.delete("/api/v2/dags/report/assets/queuedEvents", headers=h).status_code == 404
    with api.store.transaction() as tx:
        register_asset_change(tx, ids["asset"], now=api.clock())
    assert api.client.get(f"/api/v2/assets/{ids['asset']}/queuedEvents", headers=h).status_code == 200
    assert api.client.delete(f"/api/v2/assets/{ids['asset']}/queuedEvents", headers=h).status_code == 204


def test_aliases_and_materialize(api: Api) -> None:
    ids = seed(api)
    h = api.headers("User")
    aliases = api.client.get("/api/v2/assets/aliases", headers=h).json()
    AssetAliasCollectionResponse.model_validate(aliases)
    assert [a["name"] for a in aliases["asset_aliases"]] == ["late"]
    assert api.client.get(f"/api/v2/assets/aliases/{ids['alias']}", headers=h).json()["name"] == "late"
    assert api.client.get("/api/v2/assets/aliases/999", headers=h).status_code == 404
    run = api.client.post(f"/api/v2/assets/{ids['asset']}/materialize", headers=h)
    assert run.status_code == 200, run.text
    DAGRunResponse.model_validate(run.json())
    assert (run.json()["dag_id"], run.json()["run_type"]) == ("ingest", "asset_materialization")
    listed = api.client.get("/api/v2/dags/ingest/dagRuns?run_type=asset_materialization", headers=h).json()
    assert [r["run_type"] for r in listed["dag_runs"]] == ["asset_materialization"]
    with api.store.transaction() as tx:
        orphan = tx.assets.ensure("nobody-makes-me", "nobody-makes-me", now=api.clock())
    assert api.client.post(f"/api/v2/assets/{orphan}/materialize", headers=h).status_code == 404


def test_a_2x_dataset_triggered_run_is_an_asset_triggered_run_on_the_api(api: Api) -> None:
    ids = seed(api)
    with api.store.transaction() as tx:
        tx.assets.resolve_alias("late", ids["asset"])
        dag = tx.dags.serialized("report")
    (run,) = create_asset_triggered_runs(api.store, {"report": dag}, paused=set(), now=api.clock())
    assert run.run_type == "dataset_triggered"  # make_dag's DAGs are generation 2
    h = api.headers("Viewer")
    listed = api.client.get("/api/v2/dags/report/dagRuns?run_type=asset_triggered", headers=h).json()
    assert [(r["dag_run_id"], r["run_type"]) for r in listed["dag_runs"]] == [(run.run_id, "asset_triggered")]
    assert (
        api.client.get("/api/v2/dags/report/dagRuns?run_type=manual", headers=h).json()["total_entries"] == 0
    )
    details = api.client.get("/api/v2/dags/report/details", headers=h).json()
    assert details["asset_expression"] == dag.asset_condition


def test_a_partitioned_event_and_run_show_their_partition_key(api: Api) -> None:
    from brisa.scheduler.partitions import create_partitioned_asset_runs
    from brisa.timetables.partitions import PartitionedAssetTimetable

    timetable = PartitionedAssetTimetable(assets=A)
    consumer = make_dag(
        "by_key", {"t": []}, timetable=timetable.serialize(), schedule_summary=timetable.summary
    )
    add_dag(api.store, api.clock(), consumer)
    with api.store.transaction() as tx:
        asset_id = tx.assets.find(*A.key).id
    posted = api.client.post(
        "/api/v2/assets/events",
        json={"asset_id": asset_id, "partition_key": "us"},
        headers=api.headers("User"),
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["partition_key"] == "us"
    (run,) = create_partitioned_asset_runs(api.store, {"by_key": consumer}, paused=set(), now=api.clock())
    events = api.client.get("/api/v2/assets/events", headers=api.headers("Viewer")).json()["asset_events"]
    (created,) = events[0]["created_dagruns"]
    assert (created["run_id"], created["partition_key"]) == (run.run_id, "us")
    shown = api.client.get(f"/api/v2/dags/by_key/dagRuns/{run.run_id}", headers=api.headers("Viewer")).json()
    assert DAGRunResponse.model_validate(shown).partition_key == "us"
    dag = api.client.get("/api/v2/dags/by_key", headers=api.headers("Viewer")).json()
    assert dag["timetable_partitioned"] is True
    empty = api.client.post(
        "/api/v2/assets/events", json={"asset_id": asset_id, "partition_key": ""}, headers=api.headers("User")
    )
    assert empty.status_code == 422
