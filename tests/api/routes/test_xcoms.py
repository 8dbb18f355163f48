"""XCom entries: list with ``~`` and filters, one entry natively or as a string."""

from __future__ import annotations

from brisa.api.schemas import XComCollectionResponse, XComResponse
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, key


def seed(api: Api) -> str:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    with api.store.transaction() as tx:
        tx.xcoms.set(
            key(run, "extract"), "return_value", {"rows": 3, "password": "hunter22"}, now=api.clock()
        )
        tx.xcoms.set(key(run, "extract"), "count", 3, now=api.clock())
        tx.xcoms.set(key(run, "load"), "return_value", "done", now=api.clock())
    return run.run_id


def test_list_has_airflows_shape_and_filters(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Viewer")
    url = "/api/v2/dags/~/dagRuns/~/taskInstances/~/xcomEntries"
    body = api.client.get(url, headers=h).json()
    XComCollectionResponse.model_validate(body)
    assert set(body["xcom_entries"][0]) == set(XComResponse.model_fields)
    assert [(x["task_id"], x["key"]) for x in body["xcom_entries"]] == [
        ("extract", "count"),
        ("extract", "return_value"),
        ("load", "return_value"),
    ]
    assert body["xcom_entries"][0]["logical_date"] == "2026-01-02T03:04:05Z"
    only = api.client.get(
        f"/api/v2/dags/etl/dagRuns/{run_id}/taskInstances/load/xcomEntries", headers=h
    ).json()
    assert only["total_entries"] == 1
    assert api.client.get(url, params={"xcom_key": "count"}, headers=h).json()["total_entries"] == 1
    assert api.client.get(url, params={"xcom_key_pattern": "val"}, headers=h).json()["total_entries"] == 2
    assert (
        api.client.get(url, params={"limit": 1, "offset": 2}, headers=h).json()["xcom_entries"][0]["task_id"]
        == "load"
    )


def test_get_one_entry_natively_or_as_a_string_with_sensitive_keys_masked(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Viewer")
    url = f"/api/v2/dags/etl/dagRuns/{run_id}/taskInstances/extract/xcomEntries/return_value"
    native = api.client.get(url, headers=h).json()
    assert native["value"] == {"rows": 3, "password": "***"}
    assert (
        api.client.get(url, params={"stringify": True}, headers=h).json()["value"]
        == "{'rows': 3, 'password': '***'}"
    )
    assert api.client.get(url.replace("return_value", "nope"), headers=h).status_code == 404
