"""``/api/v2/pools``: slots and how many tries hold them."""

from __future__ import annotations

from brisa.api.schemas import PoolCollectionResponse, PoolResponse
from brisa.states import TaskState
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, key, set_ti

URL = "/api/v2/pools"


def test_default_pool_shows_slots_held_by_state(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING)
    set_ti(api.store, key(run, "load"), TaskState.SCHEDULED)
    body = api.client.get(URL, headers=api.headers("Viewer")).json()
    PoolCollectionResponse.model_validate(body)
    assert body == {
        "pools": [
            {
                "name": "default_pool",
                "slots": 128,
                "description": "Default pool",
                "include_deferred": False,
                "occupied_slots": 1,
                "running_slots": 1,
                "queued_slots": 0,
                "scheduled_slots": 1,
                "open_slots": 127,
                "deferred_slots": 0,
            }
        ],
        "total_entries": 1,
    }


def test_deferred_tries_are_counted_apart_and_hold_no_slot(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING)
    set_ti(api.store, key(run, "load"), TaskState.DEFERRED)
    [pool] = api.client.get(URL, headers=api.headers("Viewer")).json()["pools"]
    assert (pool["deferred_slots"], pool["occupied_slots"], pool["open_slots"]) == (1, 1, 127)


def test_create_patch_delete(api: Api) -> None:
    h = api.headers("Op")
    created = api.client.post(URL, json={"name": "db", "slots": 2, "description": "the database"}, headers=h)
    assert created.status_code == 201
    PoolResponse.model_validate(created.json())
    assert api.client.post(URL, json={"name": "db", "slots": 2}, headers=h).status_code == 409
    patched = api.client.patch(f"{URL}/db", json={"slots": 5}, headers=h).json()
    assert (patched["slots"], patched["description"], patched["open_slots"]) == (5, "the database", 5)
    assert api.changes == ["changed"]
    assert api.client.patch(f"{URL}/db", json={"pool": "renamed"}, headers=h).status_code == 400
    unlimited = api.client.patch(f"{URL}/db?update_mask=slots", json={"slots": -1}, headers=h).json()
    assert unlimited["open_slots"] == -1
    assert [
        p["name"] for p in api.client.get(URL, params={"pool_name_pattern": "d"}, headers=h).json()["pools"]
    ] == [
        "db",
        "default_pool",
    ]
    assert api.client.delete(f"{URL}/db", headers=h).status_code == 204
    assert api.client.get(f"{URL}/db", headers=h).status_code == 404
    refused = api.client.delete(f"{URL}/default_pool", headers=h)
    assert (refused.status_code, refused.json()) == (400, {"detail": "the default pool cannot be deleted"})
