"""XCom entries: list with ``~`` and filters, one entry natively or as a string, create, update."""

from __future__ import annotations

from brisa.api.schemas import XComCollectionResponse, XComResponse, XComResponseNative
from brisa.secrets.service import SecretsService
from tests.api.conftest import Api, build_api
from tests.api.helpers import add_dag, add_mapped, add_run, key


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


def entries_url(run_id: str, task_id: str = "extract", dag_id: str = "etl") -> str:
    return f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries"


def test_create_stores_the_value_as_a_pushed_xcom(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock(), days=1)
    h = api.headers("Admin")
    value = {"rows": [1, 2], "token": "t-0123456789", "ok": True, "none": None}
    created = api.client.post(entries_url(run.run_id), json={"key": "stats", "value": value}, headers=h)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == set(XComResponseNative.model_fields)
    assert body == {
        "key": "stats",
        "timestamp": "2026-01-02T03:04:05Z",
        "logical_date": "2026-01-03T03:04:05Z",
        "map_index": -1,
        "task_id": "extract",
        "dag_id": "etl",
        "run_id": run.run_id,
        "dag_display_name": "etl",
        "task_display_name": "extract",
        "run_after": "2026-01-03T03:04:05Z",  # the run's (Airflow 3.2), not the XCom's time
        "value": value | {"token": "***"},
    }
    with api.store.transaction(readonly=True) as tx:  # what a downstream task's xcom_pull reads
        (pulled,) = tx.xcoms.pull(dag_id="etl", run_id=run.run_id, task_ids=["extract"], key="stats")
        audit = tx.audit.list(event="create_xcom_entry").items
    assert pulled.value == value
    assert [(a.owner, a.task_id, a.map_index, a.extra) for a in audit] == [
        ("admin", "extract", -1, '{"key": "stats"}')
    ]
    got = api.client.get(f"{entries_url(run.run_id)}/stats", headers=h).json()
    assert got == body
    plain = api.client.post(entries_url(run.run_id), json={"key": "n", "value": None}, headers=h)
    assert (plain.status_code, plain.json()["value"]) == (201, None)


def test_create_answers_409_for_an_existing_key_and_404_for_unknown_targets(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    add_mapped(api.store, run, "load", 2, api.clock())
    h = api.headers("Admin")
    post = api.client.post
    body = {"key": "k", "value": 1}
    assert post(entries_url(run.run_id), json=body, headers=h).status_code == 201
    again = post(entries_url(run.run_id), json=body | {"value": 2}, headers=h)
    assert again.status_code == 409
    assert again.json()["detail"] == "The XCom with key: `k` with mentioned task instance already exists."
    assert post(entries_url(run.run_id, "load"), json=body | {"map_index": 1}, headers=h).status_code == 201
    for url, mapped, found in (
        (entries_url(run.run_id, dag_id="nope"), -1, "nope"),
        (entries_url(run.run_id, "nope"), -1, "Task with ID: `nope` not found in dag: `etl`"),
        (entries_url("nope"), -1, "nope"),
        (entries_url(run.run_id, "load"), 5, "load"),
        (entries_url(run.run_id, "load"), -1, "load"),
    ):
        response = post(url, json=body | {"map_index": mapped}, headers=h)
        assert response.status_code == 404, (url, mapped, response.text)
        assert found in response.json()["detail"]
    with api.store.transaction(readonly=True) as tx:
        assert tx.xcoms.get(key(run, "extract"), "k").value == 1


def test_create_refuses_malformed_bodies(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    h = api.headers("Admin")
    url = entries_url(run.run_id)
    for bad in (
        {"key": "k"},
        {"value": 1},
        {"key": "", "value": 1},
        {"key": "k", "value": 1, "map_index": -2},
        {"key": "k", "value": 1, "run_id": "x"},
    ):
        assert api.client.post(url, json=bad, headers=h).status_code == 422, bad
    tagged = {"key": "k", "value": [{"__brisa_type__": "datetime", "value": "soon"}]}
    refused = api.client.post(url, json=tagged, headers=h)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Couldn't serialise the XCom with key: `k`")


def test_update_replaces_the_value_of_an_existing_xcom(api: Api) -> None:
    run_id = seed(api)
    h = api.headers("Admin")
    url = f"{entries_url(run_id)}/count"
    api.clock.advance(60)
    patched = api.client.patch(url, json={"value": [4, 5]}, headers=h)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["value"], patched.json()["timestamp"]) == ([4, 5], "2026-01-02T03:04:05Z")
    with api.store.transaction(readonly=True) as tx:
        (pulled,) = tx.xcoms.pull(dag_id="etl", run_id=run_id, task_ids=["extract"], key="count")
        audit = [(a.event, a.owner) for a in tx.audit.list(event="update_xcom_entry").items]
    assert pulled.value == [4, 5]
    assert audit == [("update_xcom_entry", "admin")]
    missing = api.client.patch(f"{entries_url(run_id)}/nope", json={"value": 1}, headers=h)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "The XCom with key: `nope` with mentioned task instance doesn't exist."
    other_index = api.client.patch(url, json={"value": 1, "map_index": 0}, headers=h)
    assert other_index.status_code == 404
    assert api.client.patch(url, json={"map_index": -1}, headers=h).status_code == 422


def test_only_admins_create_or_edit_xcoms_as_with_airflows_fab_roles(api: Api) -> None:
    run_id = seed(api)
    for role in ("Viewer", "User", "Op"):
        h = api.headers(role)
        created = api.client.post(entries_url(run_id), json={"key": "x", "value": 1}, headers=h)
        assert created.status_code == 403, role
        patched = api.client.patch(f"{entries_url(run_id)}/count", json={"value": 1}, headers=h)
        assert patched.status_code == 403, role
    assert api.client.get(f"{entries_url(run_id)}/count", headers=api.headers("Viewer")).status_code == 200


def test_an_xcom_holding_a_connection_password_or_a_secret_variable_is_masked(api: Api) -> None:
    """A task returned secrets under keys that look harmless: the values are masked anyway,
    as are keys whose names are sensitive at any depth."""
    secrets = SecretsService.from_settings(api.settings, api.store, {})
    secrets.set_connection({"conn_id": "warehouse", "conn_type": "postgres", "password": "pg-pass-123"})
    secrets.set_variable("api_token", "tok-456789")
    secrets.set_variable("service", '{"url": "https://x", "auth": {"token": "nested-tok-42"}}')
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    value = {
        "dsn": "postgresql://etl:pg-pass-123@db/warehouse",
        "header": "Bearer tok-456789",
        "rows": [{"note": "nested-tok-42"}, {"client": {"access_token": "abc-not-registered"}}],
    }
    with api.store.transaction() as tx:
        tx.xcoms.set(key(run, "extract"), "return_value", value, now=api.clock())
    url = f"{entries_url(run.run_id)}/return_value"
    shown = api.client.get(url, headers=api.headers("Viewer")).json()["value"]
    assert shown == {
        "dsn": "postgresql://etl:***@db/warehouse",
        "header": "Bearer ***",
        "rows": [{"note": "***"}, {"client": {"access_token": "***"}}],
    }
    text = api.client.get(url, params={"stringify": True}, headers=api.headers("Viewer")).json()["value"]
    assert not any(secret in text for secret in ("pg-pass-123", "tok-456789", "nested-tok-42", "abc-not"))


def test_an_xcom_holding_a_secret_from_the_environment_or_the_settings_is_masked(
    store, settings, clock, hasher
) -> None:
    conn = "postgresql://etl:env-pass-987@db/warehouse"
    api = build_api(store, settings, clock, hasher)
    api.app.state.brisa.secrets = SecretsService.from_settings(
        settings, store, {"AIRFLOW_CONN_WAREHOUSE": conn, "AIRFLOW_VAR_SLACK_TOKEN": "xoxb-env-token"}
    )
    run = add_run(store, add_dag(store, clock()), clock())
    fernet_key = settings.core.fernet_key
    with store.transaction() as tx:
        tx.xcoms.set(
            key(run, "extract"), "leak", [conn, "xoxb-env-token", fernet_key, "env-pass-987"], now=clock()
        )
    shown = api.client.get(f"{entries_url(run.run_id)}/leak", headers=api.headers("Viewer")).json()["value"]
    assert shown == ["***", "***", "***", "***"]
