"""Task instances: list (``~``), get, mapped, tries, mark (PATCH) and clearTaskInstances."""

from __future__ import annotations

from datetime import timedelta

from brisa.api.schemas import (
    TaskInstanceCollectionResponse,
    TaskInstanceHistoryCollectionResponse,
    TaskInstanceResponse,
)
from brisa.states import RunState, TaskState
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_mapped, add_run, key, set_run_state, set_ti


def tis_url(run_id: str = "~", dag_id: str = "etl") -> str:
    return f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"


def task_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [ti["task_id"] for ti in response.json()["task_instances"]]


def test_list_has_airflows_shape_and_tilde_means_every_dag_and_run(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    add_run(api.store, add_dag(api.store, api.clock(), dag_id="other"), api.clock())
    set_ti(
        api.store, key(run, "extract"), TaskState.SUCCESS, try_number=1, start_date=api.clock(), duration=2.5
    )
    h = api.headers("Viewer")
    body = api.client.get(tis_url(run.run_id), headers=h).json()
    TaskInstanceCollectionResponse.model_validate(body)
    first = body["task_instances"][0]
    assert set(first) == set(TaskInstanceResponse.model_fields)
    assert (first["task_id"], first["state"], first["try_number"], first["duration"]) == (
        "extract",
        "success",
        1,
        2.5,
    )
    assert (first["logical_date"], first["run_after"]) == ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z")
    assert first["executor_config"] == "{}"
    assert len(task_ids(api.client.get("/api/v2/dags/~/dagRuns/~/taskInstances", headers=h))) == 4
    assert task_ids(api.client.get(tis_url(), headers=h)) == ["extract", "load"]
    assert api.client.get(tis_url("nope"), headers=h).status_code == 404


def test_list_filters(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.FAILED, duration=10.0, try_number=2)
    h = api.headers("Viewer")
    get = api.client.get
    assert task_ids(get(f"{tis_url()}?state=failed", headers=h)) == ["extract"]
    assert task_ids(get(f"{tis_url()}?state=none", headers=h)) == ["load"]
    assert task_ids(get(f"{tis_url()}?duration_gte=5", headers=h)) == ["extract"]
    assert task_ids(get(f"{tis_url()}?try_number=2", headers=h)) == ["extract"]
    assert task_ids(get(f"{tis_url()}?task_display_name_pattern=oa", headers=h)) == ["load"]
    assert task_ids(get(f"{tis_url()}?order_by=-state&order_by=map_index", headers=h)) == ["extract", "load"]
    assert task_ids(get(f"{tis_url()}?logical_date_lt=2026-01-01T00:00:00Z", headers=h)) == []
    assert get(f"{tis_url()}?order_by=hostname", headers=h).status_code == 400
    assert task_ids(get(f"{tis_url()}?state=deferred", headers=h)) == []  # a state Brisa never writes


def test_get_mapped_and_tries(api: Api) -> None:
    dag = make_dag("etl", {"extract": [], "load": ["extract"]})
    add_dag(api.store, api.clock(), dag)
    run = add_run(api.store, dag, api.clock())
    add_mapped(api.store, run, "load", 3, api.clock())
    set_ti(api.store, key(run, "extract"), TaskState.UP_FOR_RETRY, try_number=1, start_date=api.clock())
    with api.store.transaction() as tx:
        ti = tx.tis.require(key(run, "extract"))
        tx.tis.archive_try(ti, state=TaskState.FAILED, end_date=api.clock() + timedelta(seconds=3))
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING, try_number=2)
    h = api.headers("Viewer")
    url = tis_url(run.run_id)
    assert api.client.get(f"{url}/extract", headers=h).json()["state"] == "running"
    assert api.client.get(f"{url}/load/2", headers=h).json()["map_index"] == 2
    assert api.client.get(f"{url}/load", headers=h).status_code == 404
    mapped = api.client.get(f"{url}/load/listMapped", headers=h).json()
    assert [ti["map_index"] for ti in mapped["task_instances"]] == [0, 1, 2]
    tries = api.client.get(f"{url}/extract/tries", headers=h).json()
    TaskInstanceHistoryCollectionResponse.model_validate(tries)
    assert [(t["try_number"], t["state"]) for t in tries["task_instances"]] == [(1, "failed"), (2, "running")]
    assert tries["task_instances"][0]["duration"] == 3.0
    one = api.client.get(f"{url}/extract/tries/1", headers=h).json()
    assert one["state"] == "failed"
    assert api.client.get(f"{url}/extract/tries/9", headers=h).status_code == 404
    assert api.client.get(f"{url}/load/1/tries", headers=h).json() == {
        "task_instances": [],
        "total_entries": 0,
    }


def test_mark_a_task_instance_with_dry_run_and_downstream(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    set_run_state(api.store, run, RunState.RUNNING)
    h = api.headers("User")
    url = f"{tis_url(run.run_id)}/extract"
    body = {"new_state": "failed", "include_downstream": True}
    dry = api.client.patch(f"{url}/dry_run", json=body, headers=h).json()
    assert [ti["task_id"] for ti in dry["task_instances"]] == ["extract", "load"]
    assert api.changes == []
    done = api.client.patch(url, json=body, headers=h).json()
    assert sorted((ti["task_id"], ti["state"]) for ti in done["task_instances"]) == [
        ("extract", "failed"),
        ("load", "failed"),
    ]
    assert api.changes == ["changed"]
    noted = api.client.patch(
        f"{url}?update_mask=note", json={"new_state": "success", "note": "why"}, headers=h
    )
    assert [(ti["state"], ti["note"]) for ti in noted.json()["task_instances"]] == [("failed", "why")]
    assert api.client.patch(url, json={"new_state": "running"}, headers=h).status_code == 422
    with api.store.transaction(readonly=True) as tx:
        assert [a.event for a in tx.audit.list(dag_id="etl").items] == ["patch_task_instance"] * 2


def test_mark_every_instance_of_a_mapped_task_or_one_of_them(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    add_mapped(api.store, run, "load", 2, api.clock())
    h = api.headers("User")
    one = api.client.patch(f"{tis_url(run.run_id)}/load/1", json={"new_state": "skipped"}, headers=h).json()
    assert [(ti["map_index"], ti["state"]) for ti in one["task_instances"]] == [(1, "skipped")]
    every = api.client.patch(f"{tis_url(run.run_id)}/load", json={"new_state": "success"}, headers=h).json()
    assert sorted((ti["map_index"], ti["state"]) for ti in every["task_instances"]) == [
        (0, "success"),
        (1, "success"),
    ]


def test_clear_task_instances_of_a_run_and_of_a_date_range(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    first = add_run(api.store, etl, api.clock())
    second = add_run(api.store, etl, api.clock(), days=1)
    for run in (first, second):
        set_run_state(api.store, run, RunState.FAILED)
        set_ti(api.store, key(run, "extract"), TaskState.SUCCESS)
        set_ti(api.store, key(run, "load"), TaskState.FAILED)
    h = api.headers("User")
    url = "/api/v2/dags/etl/clearTaskInstances"
    dry = api.client.post(url, json={"dag_run_id": first.run_id}, headers=h).json()
    assert [(ti["task_id"], ti["state"]) for ti in dry["task_instances"]] == [("load", "failed")]
    upstream = {"dry_run": True, "only_failed": False, "task_ids": ["load"], "include_upstream": True}
    assert (
        len(
            api.client.post(url, json=upstream | {"dag_run_id": first.run_id}, headers=h).json()[
                "task_instances"
            ]
        )
        == 2
    )
    assert api.changes == []
    window = {"dry_run": False, "start_date": "2026-01-03T00:00:00Z", "end_date": "2026-01-04T00:00:00Z"}
    cleared = api.client.post(url, json=window, headers=h).json()
    assert [(ti["dag_run_id"], ti["task_id"], ti["state"]) for ti in cleared["task_instances"]] == [
        (second.run_id, "load", None)
    ]
    assert api.changes == ["changed"]
    with api.store.transaction(readonly=True) as tx:
        assert tx.runs.require("etl", second.run_id).state == RunState.QUEUED
        assert tx.runs.require("etl", first.run_id).state == RunState.FAILED
    pairs = {"dry_run": True, "only_failed": False, "task_ids": [["extract", -1]], "dag_run_id": first.run_id}
    assert task_ids(api.client.post(url, json=pairs, headers=h)) == ["extract"]
    future = {"dry_run": True, "dag_run_id": first.run_id, "include_future": True, "only_failed": False}
    assert len(api.client.post(url, json=future, headers=h).json()["task_instances"]) == 3
    bad = {"only_failed": True, "only_running": True}
    assert api.client.post(url, json=bad, headers=h).status_code == 422


def test_clear_with_prevent_running_task_refuses_and_note_is_written(api: Api) -> None:
    """Airflow 3.2's ``prevent_running_task`` (its client always sends it) and ``note``."""
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    set_run_state(api.store, run, RunState.RUNNING)
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING)
    set_ti(api.store, key(run, "load"), TaskState.FAILED)
    h = api.headers("User")
    url = "/api/v2/dags/etl/clearTaskInstances"
    body = {"dry_run": False, "dag_run_id": run.run_id, "only_failed": False, "prevent_running_task": True}
    refused = api.client.post(url, json=body, headers=h)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Cannot clear running task instances (extract)")
    with api.store.transaction(readonly=True) as tx:  # nothing was cleared
        assert [ti.state for ti in tx.tis.for_run("etl", run.run_id)] == [TaskState.RUNNING, TaskState.FAILED]
    dry = api.client.post(url, json=body | {"dry_run": True}, headers=h)
    assert task_ids(dry) == ["extract", "load"]
    failed_only = body | {"only_failed": True, "note": "flaky source"}
    cleared = api.client.post(url, json=failed_only, headers=h).json()["task_instances"]
    assert [(ti["task_id"], ti["state"], ti["note"]) for ti in cleared] == [("load", None, "flaky source")]
    restarted = api.client.post(url, json=body | {"prevent_running_task": False}, headers=h)
    assert [(ti["task_id"], ti["state"]) for ti in restarted.json()["task_instances"]] == [
        ("extract", "restarting")
    ]


BATCH = "/api/v2/dags/~/dagRuns/~/taskInstances/list"


def test_list_batch_takes_the_filters_in_a_body(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    first = add_run(api.store, etl, api.clock())
    second = add_run(api.store, etl, api.clock(), days=1)
    add_run(api.store, add_dag(api.store, api.clock(), dag_id="other"), api.clock())
    set_ti(api.store, key(first, "extract"), TaskState.SUCCESS, start_date=api.clock(), duration=30.0)
    set_ti(api.store, key(second, "extract"), TaskState.FAILED, start_date=api.clock(), duration=5.0)
    h = api.headers("Viewer")
    post = api.client.post
    everything = post(BATCH, json={}, headers=h).json()
    TaskInstanceCollectionResponse.model_validate(everything)
    assert everything["total_entries"] == 6
    assert set(everything["task_instances"][0]) == set(TaskInstanceResponse.model_fields)
    body = {"dag_ids": ["etl"], "task_ids": ["extract"], "order_by": "-duration", "page_limit": 1}
    page = post(BATCH, json=body, headers=h)
    assert [(ti["dag_run_id"], ti["state"]) for ti in page.json()["task_instances"]] == [
        (first.run_id, "success")
    ]
    assert page.json()["total_entries"] == 2
    runs = {"dag_run_ids": [second.run_id], "state": [None, "failed"], "page_offset": 1}
    assert task_ids(post(BATCH, json=runs, headers=h)) == ["load"]
    assert task_ids(post(BATCH, json={"duration_gt": 5, "duration_lte": 30}, headers=h)) == ["extract"]
    window = {"logical_date_gte": "2026-01-03T00:00:00Z", "pool": ["default_pool"], "queue": ["default"]}
    assert task_ids(post(BATCH, json=window | {"order_by": "id"}, headers=h)) == ["extract", "load"]
    assert post(BATCH, json={"executor": ["LocalExecutor"]}, headers=h).json()["total_entries"] == 0


def test_list_batch_refuses_what_airflow_refuses(api: Api) -> None:
    h = api.headers("Viewer")
    post = api.client.post
    assert post("/api/v2/dags/etl/dagRuns/~/taskInstances/list", json={}, headers=h).status_code == 422
    assert post("/api/v2/dags/~/dagRuns/r1/taskInstances/list", json={}, headers=h).status_code == 422
    refused = post(BATCH, json={"order_by": "task_id"}, headers=h)
    assert refused.status_code == 400
    assert "Ordering with 'task_id' is disallowed" in refused.json()["detail"]
    assert post(BATCH, json={"page_size": 10}, headers=h).status_code == 422
    assert post(BATCH, json={"start_date_gte": "2026-01-01T00:00:00"}, headers=h).status_code == 422
    assert post(BATCH, json={"state": ["sleeping"]}, headers=h).status_code == 422
    assert post(BATCH, json={"page_limit": -1}, headers=h).status_code == 422
    assert post(BATCH, json={}).status_code == 401


def test_a_deferred_task_instance_shows_its_trigger_and_filters_as_deferred(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    with api.store.transaction() as tx:
        trigger_id = tx.triggers.create(
            "brisa.sdk.triggers.file.FileTrigger", '{"filepath":"/x"}', now=api.clock()
        )
    set_ti(api.store, key(run, "extract"), TaskState.DEFERRED, trigger_id=trigger_id)
    h = api.headers("Viewer")
    one = api.client.get(f"{tis_url(run.run_id)}/extract", headers=h).json()
    TaskInstanceResponse.model_validate(one)
    assert one["state"] == "deferred"
    assert one["trigger"] == {
        "id": trigger_id,
        "classpath": "brisa.sdk.triggers.file.FileTrigger",
        "kwargs": '{"filepath":"/x"}',
        "created_date": "2026-01-02T03:04:05Z",
        "triggerer_id": None,
    }
    listed = api.client.get(tis_url(run.run_id), params={"state": "deferred"}, headers=h).json()
    assert [ti["task_id"] for ti in listed["task_instances"]] == ["extract"]
    assert listed["task_instances"][0]["trigger"]["id"] == trigger_id
    assert one["triggerer_job"] is None  # no triggerer has claimed it yet


def test_a_deferred_task_instance_shows_the_triggerer_job_running_its_trigger(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    with api.store.transaction() as tx:
        trigger_id = tx.triggers.create("brisa.sdk.triggers.file.FileTrigger", "{}", now=api.clock())
        job_id = tx.jobs.start("triggerer", hostname="box", pid=4242, now=api.clock())
        assert tx.triggers.claim(trigger_id, previous=None, triggerer_id=job_id)
    set_ti(api.store, key(run, "extract"), TaskState.DEFERRED, trigger_id=trigger_id)
    h = api.headers("Viewer")
    one = api.client.get(f"{tis_url(run.run_id)}/extract", headers=h).json()
    TaskInstanceResponse.model_validate(one)
    assert one["trigger"]["triggerer_id"] == job_id
    assert one["triggerer_job"] == {
        "id": job_id,
        "dag_id": None,
        "state": "running",
        "job_type": "TriggererJob",
        "start_date": "2026-01-02T03:04:05Z",
        "end_date": None,
        "latest_heartbeat": "2026-01-02T03:04:05Z",
        "executor_class": None,
        "hostname": "box",
        "unixname": None,
        "dag_display_name": None,
    }
    listed = api.client.get(tis_url(run.run_id), headers=h).json()["task_instances"]
    by_task = {ti["task_id"]: ti["triggerer_job"] for ti in listed}
    assert by_task["extract"]["id"] == job_id
    assert all(job is None for task, job in by_task.items() if task != "extract")
