"""``/api/v2/eventLogs``: the audit log in Airflow's event-log shape, for Admins only."""

from __future__ import annotations

import json
from datetime import timedelta

from brisa.api.schemas import EventLogCollectionResponse, EventLogResponse
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run

URL = "/api/v2/eventLogs"


def seed(api: Api) -> str:
    """What the API records when an Op triggers a run and marks a task, and an older CLI row."""
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    later = api.clock() + timedelta(minutes=1)
    with api.store.transaction() as tx:
        tx.audit.record("cli_clear", now=api.clock() - timedelta(days=1), owner="cli", dag_id="etl")
        tx.audit.record(
            "trigger_dag_run",
            now=api.clock(),
            owner="op",
            dag_id="etl",
            run_id=run.run_id,
            extra={"conf": {"api_key": "k-123456", "rows": 3}},
        )
        tx.audit.record(
            "patch_task_instance",
            now=later,
            owner="op",
            dag_id="etl",
            run_id=run.run_id,
            task_id="load",
            map_index=-1,
            try_number=2,
            extra={"new_state": "success"},
        )
    return run.run_id


def events(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [entry["event"] for entry in response.json()["event_logs"]]


def test_list_maps_the_audit_log_onto_airflows_event_log_fields(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Admin")  # logging in records a "login" row too
    body = api.client.get(URL, headers=h).json()
    EventLogCollectionResponse.model_validate(body)
    assert body["total_entries"] == 4
    assert [entry["event"] for entry in body["event_logs"]] == [
        "cli_clear",
        "trigger_dag_run",
        "patch_task_instance",
        "login",
    ]
    marked = body["event_logs"][2]
    assert set(marked) == set(EventLogResponse.model_fields)
    assert marked == {
        "event_log_id": marked["event_log_id"],
        "when": "2026-01-02T03:05:05Z",
        "dag_id": "etl",
        "task_id": "load",
        "run_id": run_id,
        "map_index": -1,
        "try_number": 2,
        "event": "patch_task_instance",
        "logical_date": "2026-01-02T03:04:05Z",
        "owner": "op",
        "extra": '{"new_state": "success"}',
        "dag_display_name": "etl",
    }
    login = body["event_logs"][3]
    assert (login["owner"], login["dag_id"], login["logical_date"], login["dag_display_name"]) == (
        "admin",
        None,
        None,
        None,
    )
    assert json.loads(body["event_logs"][1]["extra"]) == {"conf": {"api_key": "***", "rows": 3}}


def test_get_one_and_404(api: Api) -> None:
    seed(api)
    h = api.headers("Admin")
    first = api.client.get(URL, params={"event": "trigger_dag_run"}, headers=h).json()["event_logs"][0]
    assert api.client.get(f"{URL}/{first['event_log_id']}", headers=h).json() == first
    missing = api.client.get(f"{URL}/99999", headers=h)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "The Event Log with id: `99999` not found"}
    assert api.client.get(f"{URL}/x", headers=h).status_code == 422


def test_filters_and_order(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Admin")
    get = api.client.get
    assert events(get(URL, params={"dag_id": "etl", "owner": "op"}, headers=h)) == [
        "trigger_dag_run",
        "patch_task_instance",
    ]
    exact = {"run_id": run_id, "task_id": "load", "map_index": -1, "try_number": 2}
    assert events(get(URL, params=exact, headers=h)) == ["patch_task_instance"]
    assert events(get(URL, params={"try_number": 1}, headers=h)) == []
    listed = {"included_events": ["cli_clear", "login", "trigger_dag_run"], "excluded_events": ["login"]}
    assert events(get(URL, params=listed, headers=h)) == ["cli_clear", "trigger_dag_run"]
    window = {"after": "2026-01-02T03:04:05Z", "before": "2026-01-02T03:06:00"}  # naive: UTC
    assert events(get(URL, params=window, headers=h)) == ["patch_task_instance"]
    # The login shares the trigger's time: the id breaks the tie, in the first key's direction.
    newest = get(URL, params={"order_by": "-when", "limit": 2, "offset": 1}, headers=h)
    assert events(newest) == ["login", "trigger_dag_run"]
    assert newest.json()["total_entries"] == 4
    by_date = get(URL, params={"order_by": ["logical_date", "-event_log_id"]}, headers=h)
    assert events(by_date) == ["patch_task_instance", "trigger_dag_run", "login", "cli_clear"]
    refused = get(URL, params={"order_by": "map_index"}, headers=h)
    assert refused.status_code == 400
    assert "Ordering with 'map_index' is disallowed" in refused.json()["detail"]
    assert get(URL, params={"before": "yesterday"}, headers=h).status_code == 422


def test_only_admins_read_the_audit_log_as_with_airflows_fab_roles(api: Api) -> None:
    seed(api)
    for role in ("Viewer", "User", "Op"):
        assert api.client.get(URL, headers=api.headers(role)).status_code == 403, role
        assert api.client.get(f"{URL}/1", headers=api.headers(role)).status_code == 403, role
    assert api.client.get(URL, headers=api.headers("Admin")).status_code == 200
    assert api.client.get(URL).status_code == 401
