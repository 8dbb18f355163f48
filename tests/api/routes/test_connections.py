"""``/api/v2/connections``: CRUD through SecretsService; passwords write-only, extras redacted."""

from __future__ import annotations

import json

from brisa.api.schemas import ConnectionResponse
from tests.api.conftest import Api

URL = "/api/v2/connections"
BODY = {
    "connection_id": "warehouse",
    "conn_type": "postgres",
    "host": "db.internal",
    "login": "etl",
    "schema": "dwh",
    "port": 5432,
    "password": "pa55word!",
    "extra": '{"sslmode": "require", "secret_token": "tok-123456"}',
}


def test_create_and_read_never_shows_the_password(api: Api) -> None:
    h = api.headers("Op")
    created = api.client.post(URL, json=BODY, headers=h)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == set(ConnectionResponse.model_fields) - {"schema_"} | {"schema"}
    assert (body["password"], body["schema"], body["port"]) == ("***", "dwh", 5432)
    assert json.loads(body["extra"]) == {"sslmode": "require", "secret_token": "***"}
    assert api.app.state.brisa.secrets.get_connection("warehouse")["password"] == "pa55word!"
    assert api.client.post(URL, json=BODY, headers=h).status_code == 409
    listed = api.client.get(URL, headers=h).json()
    assert [c["connection_id"] for c in listed["connections"]] == ["warehouse"]
    assert "pa55word" not in json.dumps(listed)


def test_patch_keeps_secrets_not_sent_or_sent_back_masked(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json=BODY, headers=h)
    shown = api.client.get(f"{URL}/warehouse", headers=h).json()
    back = shown | {"host": "db2.internal"}
    assert api.client.patch(f"{URL}/warehouse", json=back, headers=h).json()["host"] == "db2.internal"
    stored = api.app.state.brisa.secrets.get_connection("warehouse")
    assert stored["password"] == "pa55word!"
    assert stored["extra"] == {"sslmode": "require", "secret_token": "tok-123456"}
    partial = {"connection_id": "warehouse", "conn_type": "postgres", "port": 6543}
    assert api.client.patch(f"{URL}/warehouse", json=partial, headers=h).json()["port"] == 6543
    assert api.app.state.brisa.secrets.get_connection("warehouse")["login"] == "etl"
    cleared = {"connection_id": "warehouse", "conn_type": "postgres", "password": None}
    assert (
        api.client.patch(f"{URL}/warehouse?update_mask=password", json=cleared, headers=h).json()["password"]
        is None
    )
    mismatch = {"connection_id": "other", "conn_type": "postgres"}
    assert api.client.patch(f"{URL}/warehouse", json=mismatch, headers=h).status_code == 400


def test_delete_and_validation(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json=BODY, headers=h)
    assert api.client.delete(f"{URL}/warehouse", headers=h).status_code == 204
    assert api.client.get(f"{URL}/warehouse", headers=h).status_code == 404
    assert api.client.post(URL, json=BODY | {"extra": "[1]"}, headers=h).status_code == 422
    assert api.client.post(URL, json=BODY | {"connection_id": "bad id"}, headers=h).status_code == 422


def test_bulk_creates_updates_and_deletes_and_reports_errors_per_action(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json=BODY, headers=h)
    other = {"connection_id": "api", "conn_type": "http", "host": "example.com"}
    response = api.client.patch(
        URL,
        json={
            "actions": [
                {"action": "create", "entities": [other]},
                {"action": "create", "entities": [BODY]},
                {"action": "update", "entities": [{**BODY, "host": "db2", "password": "***"}]},
                {"action": "delete", "entities": ["api", "missing"], "action_on_non_existence": "skip"},
            ]
        },
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "create": {
            "success": ["api"],
            "errors": [
                {
                    "error": "The connections with these connection_ids: ['warehouse'] already exist.",
                    "status_code": 409,
                }
            ],
        },
        "update": {"success": ["warehouse"], "errors": []},
        "delete": {"success": ["api"], "errors": []},
    }
    assert api.client.get(f"{URL}/api", headers=h).status_code == 404
    assert api.client.get(f"{URL}/warehouse", headers=h).json()["host"] == "db2"
    assert api.app.state.brisa.secrets.get_connection("warehouse")["password"] == "pa55word!"  # "***" kept it


def test_bulk_overwrite_keeps_masked_secrets_and_viewers_are_refused(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json=BODY, headers=h)
    resent = {**BODY, "password": "***", "port": 6543}
    action = {"action": "create", "entities": [resent], "action_on_existence": "overwrite"}
    assert api.client.patch(URL, json={"actions": [action]}, headers=h).json()["create"]["success"] == [
        "warehouse"
    ]
    assert api.client.get(f"{URL}/warehouse", headers=h).json()["port"] == 6543
    assert api.app.state.brisa.secrets.get_connection("warehouse")["password"] == "pa55word!"
    viewer = api.client.patch(URL, json={"actions": [action]}, headers=api.headers("Viewer"))
    assert viewer.status_code == 403
