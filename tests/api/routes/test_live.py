"""``/ui/api``: the polling endpoints the UI uses for live updates, with ETags."""

from __future__ import annotations

from brisa.states import RunState, TaskState
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_mapped, add_run, key, set_run_state, set_ti


def test_me_names_the_user_their_permissions_and_a_csrf_token(fast_api: Api) -> None:
    browser, token = fast_api.browser("Op")
    me = browser.get("/ui/api/me").json()
    assert (me["username"], me["role"], me["csrf_token"]) == (
        "op",
        "Op",
        token.split(".")[0] and me["csrf_token"],
    )
    assert "can_edit:Variables" in me["permissions"]
    assert "can_read:Users" not in me["permissions"]
    by_token = fast_api.client.get("/ui/api/me", headers=fast_api.headers("Viewer")).json()
    assert by_token["csrf_token"] is None


def test_grid_shows_runs_newest_first_and_a_cell_per_task(api: Api) -> None:
    dag = add_dag(api.store, api.clock())
    old = add_run(api.store, dag, api.clock())
    new = add_run(api.store, dag, api.clock(), days=1)
    set_run_state(api.store, old, RunState.SUCCESS)
    set_ti(api.store, key(old, "extract"), TaskState.SUCCESS, try_number=1)
    add_mapped(api.store, new, "load", 2, api.clock())
    set_ti(api.store, key(new, "load", 1), TaskState.FAILED)
    h = api.headers("Viewer")
    grid = api.client.get("/ui/api/dags/etl/grid", headers=h)
    body = grid.json()
    assert [t["task_id"] for t in body["tasks"]] == ["extract", "load"]
    assert body["tasks"][1]["upstream"] == ["extract"]
    assert [r["run_id"] for r in body["runs"]] == [new.run_id, old.run_id]
    assert body["runs"][1]["state"] == "success"
    assert body["instances"][old.run_id]["extract"]["state"] == "success"
    mapped = body["instances"][new.run_id]["load"]
    assert (mapped["state"], mapped["map_count"], mapped["state_counts"]) == (
        "failed",
        2,
        {"None": 1, "failed": 1},
    )
    assert (
        api.client.get("/ui/api/dags/etl/grid?limit=1", headers=h).json()["runs"][0]["run_id"] == new.run_id
    )
    unchanged = api.client.get("/ui/api/dags/etl/grid", headers=h | {"If-None-Match": grid.headers["ETag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    set_ti(api.store, key(new, "extract"), TaskState.RUNNING)
    changed = api.client.get("/ui/api/dags/etl/grid", headers=h | {"If-None-Match": grid.headers["ETag"]})
    assert changed.status_code == 200
    assert api.client.get("/ui/api/dags/nope/grid", headers=h).status_code == 404


def test_recent_runs_per_dag(api: Api) -> None:
    dag = add_dag(api.store, api.clock())
    for day in range(3):
        add_run(api.store, dag, api.clock(), days=day)
    h = api.headers("Viewer")
    body = api.client.get(
        "/ui/api/dags/recent_runs", params={"dag_ids": ["etl", "none"], "runs": 2}, headers=h
    )
    assert [r["logical_date"][:10] for r in body.json()["etl"]] == ["2026-01-04", "2026-01-03"]
    assert body.json()["none"] == []


def test_log_tail_follows_the_current_try(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING, try_number=1)
    with api.store.transaction() as tx:
        tx.logs.append(key(run, "extract"), 1, ["[2026-01-02T03:04:05+0000] hello\n"], now=api.clock())
    h = api.headers("Viewer")
    url = f"/ui/api/dags/etl/runs/{run.run_id}/tasks/extract/log"
    first = api.client.get(url, headers=h).json()
    assert (first["lines"], first["try_number"], first["state"], first["finished"]) == (
        ["[2026-01-02T03:04:05+00:00] hello"],
        1,
        "running",
        False,
    )
    with api.store.transaction() as tx:
        tx.logs.append(key(run, "extract"), 1, ["bye\n"], now=api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.SUCCESS)
    second = api.client.get(url, params={"token": first["token"]}, headers=h).json()
    assert (second["lines"], second["finished"]) == (["bye"], True)
