"""``/api/v2/variables``: CRUD through SecretsService, stored encrypted, shown masked."""

from __future__ import annotations

import json

from brisa.api.schemas import VariableCollectionResponse
from tests.api.conftest import Api

URL = "/api/v2/variables"


def test_create_read_update_delete(api: Api) -> None:
    h = api.headers("Op")
    created = api.client.post(URL, json={"key": "env", "value": "prod", "description": "where"}, headers=h)
    assert created.status_code == 201
    assert created.json() == {"key": "env", "value": "prod", "description": "where", "is_encrypted": True}
    assert api.client.post(URL, json={"key": "env", "value": "x"}, headers=h).status_code == 409
    patched = api.client.patch(f"{URL}/env", json={"key": "env", "value": "staging"}, headers=h).json()
    assert (patched["value"], patched["description"]) == ("staging", None)
    masked = api.client.patch(
        f"{URL}/env?update_mask=description",
        json={"key": "env", "value": "no", "description": "d"},
        headers=h,
    )
    assert (masked.json()["value"], masked.json()["description"]) == ("staging", "d")
    assert api.client.patch(f"{URL}/env", json={"key": "other", "value": "x"}, headers=h).status_code == 400
    assert api.client.delete(f"{URL}/env", headers=h).status_code == 204
    assert api.client.get(f"{URL}/env", headers=h).status_code == 404
    assert api.client.delete(f"{URL}/env", headers=h).status_code == 404
    with api.store.transaction(readonly=True) as tx:
        events = [
            (e.event, e.owner, json.loads(e.extra))
            for e in reversed(tx.audit.list().items)
            if e.event != "login"
        ]
    assert events == [
        ("post_variable", "op", {"key": "env"}),
        ("patch_variable", "op", {"key": "env"}),
        ("patch_variable", "op", {"key": "env"}),
        ("delete_variable", "op", {"key": "env"}),
    ]


def test_values_are_stored_encrypted_and_json_values_kept_as_json(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "cfg", "value": {"rows": 3, "api_key": "k-12345"}}, headers=h)
    with api.store.transaction(readonly=True) as tx:
        stored = tx.variables.get("cfg")
    assert stored.is_encrypted and "rows" not in stored.val
    assert api.app.state.brisa.secrets.get_variable("cfg") == '{"rows": 3, "api_key": "k-12345"}'
    shown = api.client.get(f"{URL}/cfg", headers=h).json()["value"]
    assert json.loads(shown) == {"rows": 3, "api_key": "***"}


def test_sensitive_keys_are_masked_and_the_mask_never_overwrites_the_secret(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "db_password", "value": "s3cret-value"}, headers=h)
    assert api.client.get(f"{URL}/db_password", headers=h).json()["value"] == "***"
    api.client.patch(
        f"{URL}/db_password", json={"key": "db_password", "value": "***", "description": "kept"}, headers=h
    )
    assert api.app.state.brisa.secrets.get_variable("db_password") == "s3cret-value"


def test_list_filters_orders_and_pages(api: Api) -> None:
    h = api.headers("Op")
    for name in ("b_two", "a_one", "c_three"):
        api.client.post(URL, json={"key": name, "value": name}, headers=h)
    body = api.client.get(URL, params={"order_by": "-key", "limit": 2}, headers=h).json()
    VariableCollectionResponse.model_validate(body)
    assert ([v["key"] for v in body["variables"]], body["total_entries"]) == (["c_three", "b_two"], 3)
    assert api.client.get(URL, params={"variable_key_pattern": "one"}, headers=h).json()["total_entries"] == 1


def test_keys_with_slashes_and_html_are_data(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "team/x", "value": "<b>bold</b>"}, headers=h)
    response = api.client.get(f"{URL}/team/x", headers=h)
    assert response.headers["content-type"] == "application/json"
    assert response.json()["value"] == "<b>bold</b>"


def test_a_value_no_key_decrypts_is_a_500_naming_the_variable_but_lists_still_work(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "ok", "value": "fine"}, headers=h)
    with api.store.transaction() as tx:
        tx.variables.put("broken", "not-a-fernet-token", description=None, is_encrypted=True)
    response = api.client.get(f"{URL}/broken", headers=h)
    assert response.status_code == 500
    assert "broken" in response.json()["detail"]
    listed = api.client.get(URL, headers=h).json()["variables"]
    assert [(v["key"], v["value"]) for v in listed] == [("broken", ""), ("ok", "fine")]


def bulk(api: Api, *actions: dict, role: str = "Op"):  # type: ignore[no-untyped-def]
    return api.client.patch(URL, json={"actions": list(actions)}, headers=api.headers(role))


def test_bulk_creates_updates_and_deletes_each_action_on_its_own(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "old", "value": "1"}, headers=h)
    response = bulk(
        api,
        {"action": "create", "entities": [{"key": "a", "value": {"n": 1}}, {"key": "b", "value": "x"}]},
        {"action": "update", "entities": [{"key": "old", "value": "2", "description": "d"}]},
        {"action": "delete", "entities": ["b", {"key": "a", "value": ""}]},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "create": {"success": ["a", "b"], "errors": []},
        "update": {"success": ["old"], "errors": []},
        "delete": {"success": ["b", "a"], "errors": []},
    }
    assert api.client.get(f"{URL}/old", headers=h).json()["description"] == "d"
    assert api.client.get(URL, headers=h).json()["total_entries"] == 1


def test_bulk_reports_conflicts_and_missing_keys_per_action(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "k", "value": "1"}, headers=h)
    failed = bulk(
        api,
        {"action": "create", "entities": [{"key": "k", "value": "2"}, {"key": "new", "value": "x"}]},
        {"action": "delete", "entities": ["nope"]},
    ).json()
    assert failed["update"] is None
    assert failed["create"] == {
        "success": [],
        "errors": [{"error": "The variables with these keys: ['k'] already exist.", "status_code": 409}],
    }
    assert failed["delete"]["errors"][0]["status_code"] == 404
    assert api.client.get(f"{URL}/new", headers=h).status_code == 404
    skipped = bulk(
        api,
        {"action": "create", "entities": [{"key": "k", "value": "2"}], "action_on_existence": "skip"},
        {"action": "update", "entities": [{"key": "gone", "value": "2"}], "action_on_non_existence": "skip"},
    ).json()
    assert (skipped["create"], skipped["update"]) == ({"success": [], "errors": []},) * 2
    overwritten = bulk(
        api,
        {"action": "create", "entities": [{"key": "k", "value": "3"}], "action_on_existence": "overwrite"},
    )
    assert overwritten.json()["create"]["success"] == ["k"]
    assert api.client.get(f"{URL}/k", headers=h).json()["value"] == "3"


def test_bulk_needs_the_permission_of_each_action(api: Api) -> None:
    assert bulk(api, {"action": "delete", "entities": ["k"]}, role="Viewer").status_code == 403
    assert bulk(api, {"action": "bogus", "entities": []}).status_code == 422


def test_bulk_overwrite_with_the_mask_keeps_the_secret(api: Api) -> None:
    h = api.headers("Op")
    api.client.post(URL, json={"key": "db_password", "value": "s3cret"}, headers=h)
    resent = {"key": "db_password", "value": "***", "description": "d"}
    action = {"action": "create", "entities": [resent], "action_on_existence": "overwrite"}
    assert bulk(api, action).json()["create"]["success"] == ["db_password"]
    assert api.app.state.brisa.secrets.get_variable("db_password") == "s3cret"
