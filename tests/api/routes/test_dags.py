"""``/api/v2/dags``: Airflow's shapes, filters, ordering, pagination; pause and unpause."""

from __future__ import annotations

from brisa.api.context import FILE_TOKEN_PURPOSE
from brisa.api.routes.dags import BrisaDAGDetailsResponse
from brisa.api.schemas import DAGCollectionResponse, DAGResponse
from brisa.auth.sessions import unsign_payload
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, set_run_state, set_ti


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [dag["dag_id"] for dag in response.json()["dags"]]


def seed(api: Api) -> None:
    now = api.clock()
    add_dag(api.store, now, make_dag("alpha", {"a": []}, tags=("etl", "daily"), owners=("ann",)))
    add_dag(api.store, now, make_dag("beta", {"b": []}, tags=("etl",), owners=("bob", "ann")))
    gamma = add_dag(api.store, now, make_dag("gamma", {"c": []}, owners=("cy",)))
    with api.store.transaction() as tx:
        tx.dags.set_paused("beta", True)
    run = add_run(api.store, gamma, now)
    set_run_state(api.store, run, RunState.FAILED)


def test_list_has_airflows_shape(api: Api) -> None:
    seed(api)
    response = api.client.get("/api/v2/dags", headers=api.headers("Viewer"))
    body = response.json()
    assert DAGCollectionResponse.model_validate(body).total_entries == 3
    assert set(body["dags"][0]) == set(DAGResponse.model_fields)
    alpha = body["dags"][0]
    assert alpha["tags"] == [
        {"name": "daily", "dag_id": "alpha", "dag_display_name": "alpha"},
        {"name": "etl", "dag_id": "alpha", "dag_display_name": "alpha"},
    ]
    assert alpha["owners"] == ["ann"]
    assert alpha["bundle_name"] == "dags-folder"
    assert alpha["last_parsed_time"] == "2026-01-02T03:04:05Z"


def test_file_token_is_the_dag_files_path_signed(api: Api) -> None:
    seed(api)
    ctx = api.app.state.brisa
    for dag in api.client.get("/api/v2/dags", headers=api.headers("Viewer")).json()["dags"]:
        payload = unsign_payload(dag["file_token"], secret=ctx.secret_key, purpose=FILE_TOKEN_PURPOSE)
        assert payload == {"fileloc": dag["fileloc"]}


def test_list_filters(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    get = api.client.get
    assert ids(get("/api/v2/dags?paused=true", headers=h)) == ["beta"]
    assert ids(get("/api/v2/dags?tags=etl", headers=h)) == ["alpha", "beta"]
    assert ids(get("/api/v2/dags?tags=etl&tags=daily&tags_match_mode=all", headers=h)) == ["alpha"]
    assert ids(get("/api/v2/dags?owners=ann", headers=h)) == ["alpha", "beta"]
    assert ids(get("/api/v2/dags?dag_id_pattern=amm", headers=h)) == ["gamma"]
    assert ids(get("/api/v2/dags?dag_id_pattern=~", headers=h)) == ["alpha", "beta", "gamma"]
    assert ids(get("/api/v2/dags?last_dag_run_state=failed", headers=h)) == ["gamma"]
    assert ids(get("/api/v2/dags?dag_run_state=failed&dag_run_state=success", headers=h)) == ["gamma"]


def test_stale_dags_are_hidden_unless_asked_for(api: Api) -> None:
    seed(api)
    with api.store.transaction() as tx:
        tx.dags.deactivate(["alpha"])
    h = api.headers("Viewer")
    assert ids(api.client.get("/api/v2/dags", headers=h)) == ["beta", "gamma"]
    stale = api.client.get("/api/v2/dags?exclude_stale=false", headers=h).json()["dags"]
    assert (stale[0]["dag_id"], stale[0]["is_stale"]) == ("alpha", True)


def test_list_orders_and_pages(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    get = api.client.get
    assert ids(get("/api/v2/dags?order_by=-dag_id", headers=h)) == ["gamma", "beta", "alpha"]
    assert ids(get("/api/v2/dags?order_by=last_run_state&order_by=dag_id", headers=h)) == [
        "gamma",
        "alpha",
        "beta",
    ]
    page = get("/api/v2/dags?limit=1&offset=1", headers=h).json()
    assert ([d["dag_id"] for d in page["dags"]], page["total_entries"]) == (["beta"], 3)
    assert get("/api/v2/dags?limit=0", headers=h).json() == {"dags": [], "total_entries": 3}
    refused = get("/api/v2/dags?order_by=fileloc", headers=h)
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Ordering with 'fileloc' is disallowed or the attribute does not exist on the model"
    }
    assert get("/api/v2/dags?limit=-1", headers=h).status_code == 422


def test_get_and_404(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    assert api.client.get("/api/v2/dags/beta", headers=h).json()["is_paused"] is True
    missing = api.client.get("/api/v2/dags/nope", headers=h)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "DAG 'nope' not found"}


def test_schedule_flags_of_airflow_3_2_follow_the_timetable(api: Api) -> None:
    """``timetable_periodic`` and ``is_backfillable`` (required by Airflow's 3.2+ client)."""
    now = api.clock()
    cron = {"type": "CronTriggerTimetable", "expression": "0 0 * * *", "timezone": "UTC"}
    add_dag(api.store, now, make_dag("daily", {"a": []}, timetable=cron, schedule_summary="0 0 * * *"))
    add_dag(api.store, now, make_dag("once", {"a": []}, schedule_summary="@once"))
    add_dag(api.store, now, make_dag("manual", {"a": []}))  # schedule=None
    h = api.headers("Viewer")
    flags = {
        dag["dag_id"]: (dag["timetable_periodic"], dag["is_backfillable"], dag["timetable_partitioned"])
        for dag in api.client.get("/api/v2/dags", headers=h).json()["dags"]
    }
    assert flags == {
        "daily": (True, True, False),
        "manual": (False, False, False),
        "once": (False, False, False),
    }
    details = api.client.get("/api/v2/dags/daily/details", headers=h).json()
    assert (details["is_backfillable"], details["allowed_run_types"]) == (True, None)


def test_details_include_the_serialized_dag_and_brisas_generation(api: Api) -> None:
    dag = make_dag(
        "detailed",
        {"a": []},
        generation="3",
        generation_reason="imports airflow.sdk",
        dagrun_timeout=300.0,
        doc_md="# Hello",
        params={
            "n": {"value": 3, "schema": {"type": "integer"}, "description": "how many"},
            "api_token": {"value": "s3cr3t-value", "schema": {}, "description": None},
        },
    )
    add_dag(api.store, api.clock(), dag)
    response = api.client.get("/api/v2/dags/detailed/details", headers=api.headers("Viewer"))
    body = response.json()
    BrisaDAGDetailsResponse.model_validate(body)
    assert (body["generation"], body["generation_reason"]) == ("3", "imports airflow.sdk")
    assert body["dag_run_timeout"] == "PT5M"
    assert body["doc_md"] == "# Hello"
    assert body["params"]["n"] == {
        "__class": "airflow.sdk.definitions.param.Param",
        "value": 3,
        "description": "how many",
        "schema": {"type": "integer"},
        "source": "dag",
    }
    assert body["params"]["api_token"]["value"] == "***"
    assert body["latest_dag_version"]["version_number"] == 1
    assert body["concurrency"] == body["max_active_tasks"]


def test_unpausing_wakes_the_scheduler_and_is_audited(api: Api) -> None:
    seed(api)
    h = api.headers("User")
    response = api.client.patch("/api/v2/dags/beta", json={"is_paused": False}, headers=h)
    assert response.status_code == 200
    assert response.json()["is_paused"] is False
    assert api.changes == ["changed"]
    paused = api.client.patch("/api/v2/dags/beta?update_mask=is_paused", json={"is_paused": True}, headers=h)
    assert paused.json()["is_paused"] is True
    assert api.changes == ["changed"]
    with api.store.transaction(readonly=True) as tx:
        entries = tx.audit.list(dag_id="beta").items
    assert [(e.event, e.owner, e.extra) for e in entries] == [
        ("patch_dag", "user", '{"is_paused": true}'),
        ("patch_dag", "user", '{"is_paused": false}'),
    ]


def test_patch_may_only_change_is_paused(api: Api) -> None:
    seed(api)
    response = api.client.patch(
        "/api/v2/dags/beta?update_mask=description", json={"is_paused": False}, headers=api.headers("User")
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Only `is_paused` field can be updated through the REST API"}
    assert (
        api.client.patch("/api/v2/dags/beta", json={"owners": []}, headers=api.headers("User")).status_code
        == 422
    )


def test_patch_dags_pauses_the_page_the_filters_select(api: Api) -> None:
    seed(api)
    h = api.headers("Op")
    response = api.client.patch(
        "/api/v2/dags?dag_id_pattern=~&tags=etl&update_mask=is_paused", json={"is_paused": True}, headers=h
    )
    assert response.status_code == 200, response.text
    body = DAGCollectionResponse.model_validate(response.json())
    assert [(dag.dag_id, dag.is_paused) for dag in body.dags] == [("alpha", True), ("beta", True)]
    assert body.total_entries == 2
    assert ids(api.client.get("/api/v2/dags?paused=true", headers=h)) == ["alpha", "beta"]
    first = api.client.patch("/api/v2/dags?limit=1&paused=true", json={"is_paused": False}, headers=h).json()
    assert ([dag["dag_id"] for dag in first["dags"]], first["total_entries"]) == (["alpha"], 2)
    assert ids(api.client.get("/api/v2/dags?paused=true", headers=h)) == ["beta"]
    refused = api.client.patch("/api/v2/dags", json={"is_paused": True}, headers=api.headers("Viewer"))
    assert refused.status_code == 403
    masked = api.client.patch("/api/v2/dags?update_mask=description", json={"is_paused": True}, headers=h)
    assert masked.status_code == 400


def test_delete_forgets_the_dags_history_and_is_audited(api: Api) -> None:
    seed(api)
    with api.store.transaction(readonly=True) as tx:
        (run,) = tx.runs.list("gamma").items
    key = TaskKey("gamma", run.run_id, "c")
    with api.store.transaction() as tx:
        tx.xcoms.set(key, "return_value", 1, now=api.clock())
        tx.logs.append(key, 1, ["line\n"], now=api.clock())
    response = api.client.delete("/api/v2/dags/gamma", headers=api.headers("User"))
    assert response.status_code == 204
    assert response.content == b""
    h = api.headers("Viewer")
    assert api.client.get("/api/v2/dags/gamma", headers=h).status_code == 404
    assert ids(api.client.get("/api/v2/dags?paused=false", headers=h)) == ["alpha"]
    with api.store.transaction(readonly=True) as tx:
        assert tx.runs.list("gamma").total == 0
        assert tx.tis.get(key) is None
        assert tx.xcoms.pull(dag_id="gamma", run_id=run.run_id, task_ids=["c"]) == []
        assert tx.logs.read(key, 1) == ("", -1)
        entries = tx.audit.list(dag_id="gamma").items
    assert [(e.event, e.owner) for e in entries] == [("delete_dag", "user")]


def test_delete_is_404_for_unknown_dags_and_refused_to_viewers(api: Api) -> None:
    seed(api)
    missing = api.client.delete("/api/v2/dags/nope", headers=api.headers("User"))
    assert missing.status_code == 404
    refused = api.client.delete("/api/v2/dags/alpha", headers=api.headers("Viewer"))
    assert refused.status_code == 403
    assert api.client.get("/api/v2/dags/alpha", headers=api.headers("Viewer")).status_code == 200


def test_delete_is_refused_while_a_task_instance_runs(api: Api) -> None:
    seed(api)
    with api.store.transaction(readonly=True) as tx:
        (run,) = tx.runs.list("gamma").items
    set_ti(api.store, TaskKey("gamma", run.run_id, "c"), TaskState.RUNNING)
    response = api.client.delete("/api/v2/dags/gamma", headers=api.headers("User"))
    assert response.status_code == 409
    assert response.json() == {"detail": "Task instances of dag with id: 'gamma' are still running"}
    with api.store.transaction(readonly=True) as tx:
        assert tx.dags.get("gamma") is not None
        assert tx.audit.list(dag_id="gamma").items == []


def test_subdags_are_left_out_of_the_list_and_reachable_by_id(api: Api) -> None:
    # Airflow 2's GET /dags filtered out ``DagModel.is_subdag``; GET /dags/{id} still answers.
    from dataclasses import replace

    now = api.clock()
    add_dag(api.store, now, make_dag("parent", {"a": []}))
    add_dag(api.store, now, replace(make_dag("parent.section", {"a": []}), is_subdag=True))
    h = api.headers("Viewer")
    listed = api.client.get("/api/v2/dags", headers=h)
    assert ids(listed) == ["parent"] and listed.json()["total_entries"] == 1
    assert api.client.get("/api/v2/dags/parent.section", headers=h).json()["dag_id"] == "parent.section"
