"""``.../taskInstances/{task_id}/links``: extra links read from the XComs each try stored."""

from __future__ import annotations

from airflow_client.client.models import ExtraLinkCollectionResponse as ClientLinks

from brisa.api.schemas import ExtraLinkCollectionResponse
from brisa.store.records import TaskKey
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_mapped, add_run, key

LINKS = {"Console": "_link_ConsoleLink", "Docs": "_link_DocsLink"}


def seed(api: Api) -> str:
    dag = make_dag(
        "etl",
        {"extract": [], "load": ["extract"]},
        task_options={"extract": {"extra_links": LINKS}},
    )
    run = add_run(api.store, add_dag(api.store, api.clock(), dag), api.clock())
    with api.store.transaction() as tx:
        tx.xcoms.set(
            key(run, "extract"), "_link_ConsoleLink", "https://console.example/run/1", now=api.clock()
        )
    return run.run_id


def links_url(run_id: str, task_id: str = "extract") -> str:
    return f"/api/v2/dags/etl/dagRuns/{run_id}/taskInstances/{task_id}/links"


def test_links_have_airflows_shape_with_null_for_a_link_not_given(api: Api) -> None:
    run_id = seed(api)
    body = api.client.get(links_url(run_id), headers=api.headers("Viewer")).json()
    ExtraLinkCollectionResponse.model_validate(body)
    with api.store.transaction() as tx:
        tx.xcoms.set(
            TaskKey("etl", run_id, "extract"), "_link_DocsLink", "https://docs.example/", now=api.clock()
        )
    # Airflow's own Python client reads it (its model types the URLs as str, not null:
    # a null link, which Airflow sends too, is the client's limitation).
    full = api.client.get(links_url(run_id), headers=api.headers("Viewer")).json()
    parsed = ClientLinks.from_dict(full)
    assert parsed is not None and parsed.extra_links["Docs"] == "https://docs.example/"
    assert body == {
        "extra_links": {"Console": "https://console.example/run/1", "Docs": None},
        "total_entries": 2,
    }


def test_a_task_without_links_answers_an_empty_collection(api: Api) -> None:
    run_id = seed(api)
    body = api.client.get(links_url(run_id, "load"), headers=api.headers("Viewer")).json()
    assert body == {"extra_links": {}, "total_entries": 0}


def test_map_index_picks_the_mapped_instance(api: Api) -> None:
    run_id = seed(api)
    with api.store.transaction() as tx:
        run = tx.runs.require("etl", run_id)
    add_mapped(api.store, run, "extract", 2, api.clock())
    with api.store.transaction() as tx:
        tx.xcoms.set(key(run, "extract", 1), "_link_DocsLink", "https://docs.example/1", now=api.clock())
    h = api.headers("Viewer")
    one = api.client.get(links_url(run_id), params={"map_index": 1}, headers=h).json()
    assert one["extra_links"] == {"Console": None, "Docs": "https://docs.example/1"}
    zero = api.client.get(links_url(run_id), params={"map_index": 0}, headers=h).json()
    assert zero["extra_links"] == {"Console": None, "Docs": None}


def test_unknown_instance_is_404_and_anonymous_is_refused(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Viewer")
    assert api.client.get(links_url("nope"), headers=h).status_code == 404
    assert api.client.get(links_url(run_id, "ghost"), headers=h).status_code == 404
    assert api.client.get(links_url(run_id), params={"map_index": 5}, headers=h).status_code == 404
    assert api.client.get(links_url(run_id)).status_code in (401, 403)


def test_the_task_lists_its_link_names(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    assert api.client.get("/api/v2/dags/etl/tasks/extract", headers=h).json()["extra_links"] == [
        "Console",
        "Docs",
    ]
    assert api.client.get("/api/v2/dags/etl/tasks/load", headers=h).json()["extra_links"] == []
