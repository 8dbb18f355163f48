"""The Assets pages and the asset events on the run page."""

from __future__ import annotations

from datetime import timedelta

from brisa.assets.events import register_asset_change
from brisa.scheduler.assets import create_asset_triggered_runs
from brisa.sdk.assets import Asset
from brisa.store.records import TaskKey
from brisa.testing import make_dag
from brisa.ui.pages.assets import dependencies
from tests.ui.helpers import XSS, add_dag, assert_escaped

A, B = Asset("orders", uri="s3://lake/orders"), Asset("prices")


def seed(store, clock):
    consumer = make_dag(
        "report",
        {"t": []},
        timetable={"type": "AssetTriggeredTimetable", "condition": (A & B).as_condition()},
    )
    producer = make_dag("ingest", {"load": []}, task_options={"load": {"outlets": (A.as_condition(),)}})
    add_dag(store, consumer, clock())
    add_dag(store, producer, clock())
    with store.transaction() as tx:
        tx.dags.set_paused("report", False)
        asset_id = tx.assets.find(*A.key).id
        source = TaskKey("ingest", "manual__1", "load", -1)
        register_asset_change(tx, asset_id, now=clock(), extra={"rows": 5, "token": "s3cret"}, source=source)
    return asset_id


def test_the_assets_page_shows_producers_consumers_waiting_dags_and_dependencies(store, viewer, clock):
    seed(store, clock)
    html = viewer.get("/assets").text
    assert 'data-asset="orders"' in html and "s3://lake/orders" in html
    assert ">ingest</a>.<code>load</code>" in html and ">report</a>" in html
    waiting = html.split('data-testid="waiting"')[1].split("</td>")[0]  # report waits for prices
    assert ">report</a>" in waiting
    assert "ingest</a> → <code>orders</code> → <a" in html
    assert viewer.get("/assets?search=nothing").text.count("data-asset=") == 0


def test_the_asset_page_lists_its_events_redacted_with_the_runs_they_triggered(store, viewer, clock):
    asset_id = seed(store, clock)
    with store.transaction() as tx:
        register_asset_change(tx, tx.assets.find(*B.key).id, now=clock() + timedelta(seconds=1))
        dag = tx.dags.serialized("report")
    (run,) = create_asset_triggered_runs(store, {"report": dag}, paused=set(), now=clock())
    html = viewer.get(f"/assets/{asset_id}").text
    assert "&#34;rows&#34;: 5" in html or '"rows": 5' in html
    assert "s3cret" not in html
    assert ">report</a>" in html.split('data-testid="asset-events"')[1]
    assert viewer.get("/assets/999").status_code == 404
    run_page = viewer.get("/dags/report/grid", params={"run_id": run.run_id}).text
    events = run_page.split('data-testid="run-asset-events"')[1].split("</ul>")[0]
    assert "orders" in events and "prices" in events and "s3cret" not in events


def test_a_partitioned_run_and_its_events_show_the_partition_key(store, viewer, clock):
    from brisa.scheduler.partitions import create_partitioned_asset_runs
    from brisa.timetables.partitions import PartitionedAssetTimetable

    timetable = PartitionedAssetTimetable(assets=A)
    consumer = make_dag(
        "by_key", {"t": []}, timetable=timetable.serialize(), schedule_summary=timetable.summary
    )
    add_dag(store, consumer, clock())
    with store.transaction() as tx:
        tx.dags.set_paused("by_key", False)
        asset_id = tx.assets.ensure(A.name, A.uri, now=clock())
        register_asset_change(tx, asset_id, now=clock(), partition_key="2026-01-01T10")
    (run,) = create_partitioned_asset_runs(store, {"by_key": consumer}, paused=set(), now=clock())
    html = viewer.get(f"/assets/{asset_id}").text
    assert '<code data-testid="event-partition-key">2026-01-01T10</code>' in html
    run_page = viewer.get("/dags/by_key/grid", params={"run_id": run.run_id}).text
    assert '<code data-testid="run-partition-key">2026-01-01T10</code>' in run_page
    assert "Partition key" in run_page.split('data-testid="run-asset-events"')[1]


def test_names_are_escaped(store, viewer, clock):
    with store.transaction() as tx:
        tx.assets.ensure(XSS, XSS, now=clock())
    assert_escaped(viewer.get("/assets").text, XSS)


def test_dependencies_join_producers_to_consumers_through_each_asset():
    assets = [
        {
            "name": "a",
            "producing_tasks": [{"dag_id": "p"}, {"dag_id": "p"}],
            "scheduled_dags": [{"dag_id": "c"}],
        },
        {"name": "b", "producing_tasks": [], "scheduled_dags": [{"dag_id": "c"}]},
    ]
    assert dependencies(assets) == [("p", "a", "c")]


def test_the_dag_list_and_details_describe_an_asset_schedule(store, viewer, clock):
    seed(store, clock)
    listed = viewer.get("/dags").text
    row = listed.split('data-dag-id="report"')[1].split("</tr>")[0]
    assert "Triggered by assets" in row
    assert viewer.get("/dags/report/details").status_code == 200
