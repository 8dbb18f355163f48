"""``/api/v2/dags/{dag_id}/dagRuns``: list (``~``), trigger with conf and params, clear, mark, delete."""

from __future__ import annotations

from brisa.api.schemas import DAGRunCollectionResponse, DAGRunResponse, TaskInstanceCollectionResponse
from brisa.states import RunState, TaskState
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, key, set_run_state, set_ti

RUNS = "/api/v2/dags/etl/dagRuns"


def run_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [run["dag_run_id"] for run in response.json()["dag_runs"]]


def test_list_has_airflows_shape_and_tilde_lists_every_dag(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    other = add_dag(api.store, api.clock(), dag_id="other")
    add_run(api.store, etl, api.clock(), conf={"x": 1})
    add_run(api.store, other, api.clock())
    h = api.headers("Viewer")
    body = api.client.get(RUNS, headers=h).json()
    DAGRunCollectionResponse.model_validate(body)
    assert set(body["dag_runs"][0]) == set(DAGRunResponse.model_fields)
    assert body["dag_runs"][0] | {"dag_versions": None} == {
        "dag_run_id": "manual__2026-01-02T03:04:05+00:00",
        "dag_id": "etl",
        "logical_date": "2026-01-02T03:04:05Z",
        "queued_at": "2026-01-02T03:04:05Z",
        "start_date": None,
        "end_date": None,
        "duration": None,
        "data_interval_start": "2026-01-02T03:04:05Z",
        "data_interval_end": "2026-01-02T03:04:05Z",
        "run_after": "2026-01-02T03:04:05Z",
        "last_scheduling_decision": "2026-01-02T03:04:05Z",
        "run_type": "manual",
        "state": "queued",
        "triggered_by": "test",
        "triggering_user_name": None,
        "conf": {"x": 1},
        "note": None,
        "dag_versions": None,
        "bundle_version": None,
        "dag_display_name": "etl",
        "partition_key": None,
    }
    assert body["total_entries"] == 1
    every = api.client.get("/api/v2/dags/~/dagRuns", headers=h).json()
    assert sorted(run["dag_id"] for run in every["dag_runs"]) == ["etl", "other"]
    assert api.client.get("/api/v2/dags/nope/dagRuns", headers=h).status_code == 404


def test_list_filters_ranges_order_and_pages(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    first = add_run(api.store, etl, api.clock())
    add_run(api.store, etl, api.clock(), days=1)
    third = add_run(api.store, etl, api.clock(), days=2)
    set_run_state(api.store, first, RunState.FAILED)
    set_run_state(api.store, third, RunState.RUNNING)
    h = api.headers("Viewer")
    get = api.client.get
    assert run_ids(get(f"{RUNS}?state=failed&state=running", headers=h)) == [first.run_id, third.run_id]
    assert run_ids(get(f"{RUNS}?logical_date_gte=2026-01-03T03:04:05Z", headers=h))[0].startswith(
        "manual__2026-01-03"
    )
    assert len(run_ids(get(f"{RUNS}?logical_date_gt=2026-01-03T03:04:05 00:00", headers=h))) == 1
    assert run_ids(get(f"{RUNS}?order_by=-logical_date&limit=1", headers=h)) == [third.run_id]
    assert run_ids(get(f"{RUNS}?run_id_pattern=01-04", headers=h)) == [third.run_id]
    assert get(f"{RUNS}?run_type=scheduled", headers=h).json() == {"dag_runs": [], "total_entries": 0}
    assert get(f"{RUNS}?order_by=duration&order_by=-conf", headers=h).status_code == 200
    assert get(f"{RUNS}?state=bogus", headers=h).status_code == 422


def test_trigger_with_conf_validated_against_params(api: Api) -> None:
    dag = make_dag("etl", {"a": []}, params={"n": {"value": 1, "schema": {"type": "integer", "minimum": 0}}})
    add_dag(api.store, api.clock(), dag)
    h = api.headers("User")
    body = {"logical_date": "2026-02-01T00:00:00Z", "conf": {"n": 5}, "note": "by hand", "dag_run_id": "mine"}
    response = api.client.post(RUNS, json=body, headers=h)
    assert response.status_code == 200, response.text
    run = response.json()
    assert (run["dag_run_id"], run["conf"], run["note"], run["state"]) == (
        "mine",
        {"n": 5},
        "by hand",
        "queued",
    )
    assert (run["triggered_by"], run["triggering_user_name"]) == ("rest_api", "user")
    assert api.changes == ["changed"]
    bad = api.client.post(RUNS, json={"logical_date": None, "conf": {"n": -1}}, headers=h)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Invalid input for param n: -1 is less than the minimum of 0"
    assert (
        api.client.post(RUNS, json={"logical_date": None, "conf": {"n": "x"}}, headers=h).status_code == 400
    )
    with api.store.transaction(readonly=True) as tx:
        tis = tx.tis.for_run("etl", "mine")
        audit = tx.audit.list(event="trigger_dag_run").items
    assert [ti.task_id for ti in tis] == ["a"]
    assert [(a.owner, a.run_id) for a in audit] == [("user", "mine")]


def test_trigger_with_a_partition_key_gives_the_run_that_key(api: Api) -> None:
    add_dag(api.store, api.clock(), make_dag("etl", {"a": []}))
    h = api.headers("User")
    response = api.client.post(RUNS, json={"logical_date": None, "partition_key": "eu"}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["partition_key"] == "eu"
    with api.store.transaction(readonly=True) as tx:
        assert tx.runs.get("etl", response.json()["dag_run_id"]).partition_key == "eu"
    too_long = api.client.post(RUNS, json={"logical_date": None, "partition_key": "k" * 251}, headers=h)
    assert too_long.status_code == 422


def test_trigger_names_each_invalid_param_in_airflows_words(api: Api) -> None:
    """Airflow 2.10.5's POST /dagRuns and 3.1's trigger_dag_run answer 400 with the
    ParamValidationError of ``create_dagrun`` (``Invalid input for param <name>: ...``);
    a param without a default and no value in ``conf`` is one. Airflow stops at the first
    invalid param, Brisa names each, in the same words, joined by "; "."""
    params = {
        "needed": {"value": None, "has_value": False, "schema": {"type": "string"}},
        "n": {"value": 1, "schema": {"type": "integer"}},
    }
    add_dag(api.store, api.clock(), make_dag("etl", {"a": []}, params=params))
    h = api.headers("User")
    missing = api.client.post(RUNS, json={"logical_date": None}, headers=h)
    assert (missing.status_code, missing.json()["detail"]) == (
        400,
        "Invalid input for param needed: No value passed and Param has no default value",
    )
    both = api.client.post(RUNS, json={"logical_date": None, "conf": {"n": "x"}}, headers=h)
    assert both.json()["detail"] == (
        "Invalid input for param n: 'x' is not of type 'integer'; "
        "Invalid input for param needed: No value passed and Param has no default value"
    )
    fine = api.client.post(RUNS, json={"logical_date": None, "conf": {"needed": "yes"}}, headers=h)
    assert fine.status_code == 200, fine.text


def test_trigger_errors(api: Api) -> None:
    add_dag(api.store, api.clock())
    h = api.headers("User")
    assert (
        api.client.post("/api/v2/dags/nope/dagRuns", json={"logical_date": None}, headers=h).status_code
        == 404
    )
    assert api.client.post(RUNS, json={}, headers=h).status_code == 422  # logical_date must be present
    assert api.client.post(RUNS, json={"logical_date": "2026-01-01T00:00:00"}, headers=h).status_code == 422
    first = api.client.post(RUNS, json={"logical_date": None, "dag_run_id": "r1"}, headers=h)
    assert first.status_code == 200
    duplicate = api.client.post(RUNS, json={"logical_date": None, "dag_run_id": "r1"}, headers=h)
    assert duplicate.status_code == 409
    with api.store.transaction() as tx:
        tx.dags.replace_import_errors("/dags/etl.py", [{"message": "boom"}], now=api.clock())
    assert api.client.post(RUNS, json={"logical_date": None}, headers=h).status_code == 400


def test_clear_a_run_dry_run_then_for_real(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    set_run_state(api.store, run, RunState.FAILED)
    set_ti(api.store, key(run, "extract"), TaskState.SUCCESS)
    set_ti(api.store, key(run, "load"), TaskState.FAILED)
    h = api.headers("User")
    url = f"{RUNS}/{run.run_id}/clear"
    dry = api.client.post(url, json={"only_failed": True}, headers=h).json()
    TaskInstanceCollectionResponse.model_validate(dry)
    assert [ti["task_id"] for ti in dry["task_instances"]] == ["load"]
    assert api.changes == []
    done = api.client.post(url, json={"dry_run": False}, headers=h)
    assert done.status_code == 200
    assert done.json()["state"] == "queued"
    assert api.changes == ["changed"]
    with api.store.transaction(readonly=True) as tx:
        assert [ti.state for ti in tx.tis.for_run("etl", run.run_id)] == [None, None]
        assert tx.runs.require("etl", run.run_id).clear_number == 1


def test_clear_takes_airflows_note_and_only_new(api: Api) -> None:
    """``note`` and ``only_new`` (Airflow 3.2+; its client always sends ``only_new``)."""
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    set_run_state(api.store, run, RunState.SUCCESS)
    set_ti(api.store, key(run, "extract"), TaskState.SUCCESS)
    set_ti(api.store, key(run, "load"), TaskState.SUCCESS)
    add_dag(api.store, api.clock(), make_dag("etl", {"extract": [], "load": ["extract"], "report": ["load"]}))
    h = api.headers("User")
    url = f"{RUNS}/{run.run_id}/clear"
    dry = api.client.post(url, json={"only_new": True, "only_failed": False}, headers=h)
    assert dry.json() == {  # Airflow's NewTaskResponse: the task has no instance yet
        "task_instances": [{"task_id": "report", "task_display_name": "report"}],
        "total_entries": 1,
    }
    both = api.client.post(url, json={"only_new": True, "only_failed": True}, headers=h)
    assert both.status_code == 422
    assert "only_new and only_failed are mutually exclusive" in both.text
    done = api.client.post(url, json={"dry_run": False, "only_new": True, "note": "report added"}, headers=h)
    assert (done.json()["state"], done.json()["note"]) == ("queued", "report added")
    with api.store.transaction(readonly=True) as tx:
        states = {ti.task_id: ti.state for ti in tx.tis.for_run("etl", run.run_id)}
        (audit,) = tx.audit.list(event="clear_dag_run").items
    assert states == {"extract": TaskState.SUCCESS, "load": TaskState.SUCCESS, "report": None}
    assert '"task_ids": ["report"]' in audit.extra
    assert api.client.post(url, json={"only_new": True}, headers=h).json()["total_entries"] == 0
    again = api.client.post(url, json={"dry_run": False, "only_new": True}, headers=h).json()
    assert (again["state"], again["note"]) == ("queued", "report added")  # no new task, no note: unchanged
    cleared = api.client.post(url, json={"dry_run": False, "note": "rerun"}, headers=h).json()
    assert cleared["note"] == "rerun"


def test_mark_a_run_success_or_failed_and_set_its_note(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    set_run_state(api.store, run, RunState.RUNNING)
    set_ti(api.store, key(run, "extract"), TaskState.RUNNING)
    h = api.headers("User")
    url = f"{RUNS}/{run.run_id}"
    failed = api.client.patch(url, json={"state": "failed"}, headers=h)
    assert failed.json()["state"] == "failed"
    with api.store.transaction(readonly=True) as tx:
        assert [ti.state for ti in tx.tis.for_run("etl", run.run_id)] == [TaskState.FAILED, TaskState.SKIPPED]
    success = api.client.patch(url, json={"state": "success", "note": "fixed by hand"}, headers=h).json()
    assert (success["state"], success["note"]) == ("success", "fixed by hand")
    with api.store.transaction(readonly=True) as tx:
        assert {ti.state for ti in tx.tis.for_run("etl", run.run_id)} == {
            TaskState.SUCCESS,
            TaskState.SKIPPED,
        }
    note_only = api.client.patch(f"{url}?update_mask=note", json={"state": "queued", "note": "n"}, headers=h)
    assert (note_only.json()["state"], note_only.json()["note"]) == ("success", "n")
    assert api.client.patch(url, json={"state": "running"}, headers=h).status_code == 422
    assert api.client.patch(f"{url}?update_mask=conf", json={}, headers=h).status_code == 400


def test_delete_a_run(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    run = add_run(api.store, etl, api.clock())
    h = api.headers("User")
    response = api.client.delete(f"{RUNS}/{run.run_id}", headers=h)
    assert (response.status_code, response.content) == (204, b"")
    assert api.client.get(f"{RUNS}/{run.run_id}", headers=h).status_code == 404
    assert api.client.delete(f"{RUNS}/{run.run_id}", headers=h).status_code == 404
    with api.store.transaction(readonly=True) as tx:
        assert tx.tis.for_run("etl", run.run_id) == []


def test_list_batch_takes_the_filters_in_a_body(api: Api) -> None:
    etl = add_dag(api.store, api.clock())
    other = add_dag(api.store, api.clock(), dag_id="other")
    third = add_dag(api.store, api.clock(), dag_id="third")
    first = add_run(api.store, etl, api.clock())
    add_run(api.store, etl, api.clock(), days=1)
    add_run(api.store, other, api.clock(), days=2)
    add_run(api.store, third, api.clock())
    set_run_state(api.store, first, RunState.FAILED)
    h = api.headers("Viewer")
    url = "/api/v2/dags/~/dagRuns/list"
    body = {"dag_ids": ["etl", "other"], "order_by": "-logical_date", "page_limit": 2}
    response = api.client.post(url, json=body, headers=h)
    assert run_ids(response) == ["manual__2026-01-04T03:04:05+00:00", "manual__2026-01-03T03:04:05+00:00"]
    assert response.json()["total_entries"] == 3
    failed = api.client.post(
        url, json={"states": ["failed"], "logical_date_lte": "2026-01-02T03:04:05Z"}, headers=h
    )
    assert [(run["dag_id"], run["state"]) for run in failed.json()["dag_runs"]] == [("etl", "failed")]
    assert api.client.post(url, json={"conf_contains": "x"}, headers=h).status_code == 400
    assert api.client.post(url, json={"page_size": 1}, headers=h).status_code == 422


# --- limits on what a trigger may send (docs/security.md) -----------------------------------


def deep_json(levels: int) -> str:
    """``{"a": {"a": ... 1 ...}}``, ``levels`` objects deep, written without recursion."""
    return '{"a":' * levels + "1" + "}" * levels


def post_raw(api: Api, body: str, role: str = "User"):  # type: ignore[no-untyped-def]
    headers = {**api.headers(role), "Content-Type": "application/json"}
    return api.client.post(RUNS, content=body, headers=headers)


def count_runs(api: Api) -> int:
    with api.store.transaction(readonly=True) as tx:
        return tx.runs.search(dag_id="etl", limit=1000).total


def test_trigger_refuses_deep_conf_before_writing_and_listings_stay_up(api: Api) -> None:
    add_dag(api.store, api.clock())
    for levels in (65, 300, 500, 100_000):
        response = post_raw(api, f'{{"logical_date": null, "conf": {deep_json(levels)}}}')
        assert response.status_code == 400, (levels, response.text[:300])
        assert response.json()["detail"], levels
    assert (
        "nested more than 64 levels"
        in post_raw(api, f'{{"logical_date": null, "conf": {deep_json(300)}}}').text
    )
    assert count_runs(api) == 0
    ok = post_raw(api, f'{{"logical_date": null, "dag_run_id": "deep", "conf": {deep_json(63)}}}')
    assert ok.status_code == 200, ok.text
    for path in (RUNS, "/api/v2/dags/~/dagRuns", f"{RUNS}/deep"):
        assert api.client.get(path, headers=api.headers("Viewer")).status_code == 200, path


def test_the_deepest_conf_a_setting_allows_can_be_answered(store, settings, clock, hasher) -> None:  # type: ignore[no-untyped-def]
    """The ceiling (200) stays below what the JSON encoder refuses: the trigger answers 200."""
    from brisa.config import load_settings
    from tests.api.conftest import FERNET_KEY, build_api

    env = {"BRISA__CORE__FERNET_KEY": FERNET_KEY, "BRISA__CORE__MAX_DAG_RUN_CONF_DEPTH": "200"}
    api = build_api(store, load_settings(env, home=str(settings.home)), clock, hasher)
    add_dag(api.store, api.clock())
    assert post_raw(api, f'{{"logical_date": null, "conf": {deep_json(201)}}}').status_code == 400
    ok = post_raw(api, f'{{"logical_date": null, "dag_run_id": "r", "conf": {deep_json(200)}}}')
    assert ok.status_code == 200, ok.text
    assert api.client.get("/api/v2/dags/~/dagRuns", headers=api.headers("Viewer")).status_code == 200


def test_runs_stored_before_the_limits_are_listed_with_their_conf_cut(api: Api) -> None:
    """A run whose conf is deeper than the API can encode (stored by an older Brisa) is cut, not a 500."""
    from brisa.services.limits import TOO_DEEP
    from brisa.services.runs import create_run

    dag = add_dag(api.store, api.clock())
    conf: dict = {}
    for _ in range(300):
        conf = {"a": conf}
    with api.store.transaction() as tx:
        create_run(
            tx,
            dag,
            run_id="old",
            run_type="manual",
            logical_date=api.clock(),
            data_interval=None,
            run_after=api.clock(),
            now=api.clock(),
            conf=conf,
        )
    h = api.headers("Viewer")
    for path in (RUNS, "/api/v2/dags/~/dagRuns", f"{RUNS}/old"):
        response = api.client.get(path, headers=h)
        assert response.status_code == 200, path
    shown = api.client.get(f"{RUNS}/old", headers=h).json()["conf"]
    for _ in range(200):
        shown = shown["a"]
    assert shown == TOO_DEEP


def test_trigger_refuses_conf_too_big_or_not_json(store, settings, clock, hasher) -> None:  # type: ignore[no-untyped-def]
    from brisa.config import load_settings
    from tests.api.conftest import FERNET_KEY, build_api

    env = {"BRISA__CORE__FERNET_KEY": FERNET_KEY, "BRISA__CORE__MAX_DAG_RUN_CONF_BYTES": "1000"}
    api = build_api(store, load_settings(env, home=str(settings.home)), clock, hasher)
    add_dag(api.store, api.clock())
    big = api.client.post(
        RUNS, json={"logical_date": None, "conf": {"x": "y" * 1000}}, headers=api.headers("User")
    )
    assert big.status_code == 400
    assert "at most 1000" in big.json()["detail"]
    for value in ("NaN", "Infinity", "-Infinity"):
        response = post_raw(api, f'{{"logical_date": null, "conf": {{"x": [1, {value}]}}}}')
        assert response.status_code == 400, value
        assert "NaN or Infinity" in response.json()["detail"]
    assert count_runs(api) == 0


def test_trigger_refuses_logical_dates_out_of_range(api: Api) -> None:
    add_dag(api.store, api.clock())
    h = api.headers("User")
    for when in (
        "0001-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
        "9000-01-01T00:00:00Z",
        "9999-12-31T00:00:00Z",
    ):
        response = api.client.post(RUNS, json={"logical_date": when}, headers=h)
        assert response.status_code == 400, when
        assert "out of range" in response.json()["detail"]
    interval = {
        "logical_date": "2026-01-01T00:00:00Z",
        "data_interval_start": "0001-01-01T00:00:00Z",
        "data_interval_end": "2026-01-01T00:00:00Z",
    }
    assert api.client.post(RUNS, json=interval, headers=h).status_code == 400
    assert count_runs(api) == 0
    assert api.client.post(RUNS, json={"logical_date": "1000-01-01T00:00:00Z"}, headers=h).status_code == 200


def test_trigger_takes_airflows_run_id_rules(api: Api) -> None:
    add_dag(api.store, api.clock())
    h = api.headers("User")
    refused = ["a\x00b", "a/b", "..", "   ", "", "tab\there", "a b", "é", "x" * 251, "a\\b", "new\n"]
    for i, run_id in enumerate(refused):
        body = {"logical_date": f"2026-03-{i + 1:02d}T00:00:00Z", "dag_run_id": run_id}
        response = api.client.post(RUNS, json=body, headers=h)
        assert response.status_code in (400, 422), repr(run_id)
        assert response.json()["detail"], repr(run_id)
    assert count_runs(api) == 0
    accepted = ["my-run_1.0:x+y~", "x" * 250, "manual__2026-01-01T00:00:00+00:00"]
    for i, run_id in enumerate(accepted):
        body = {"logical_date": f"2026-04-{i + 1:02d}T00:00:00Z", "dag_run_id": run_id}
        assert api.client.post(RUNS, json=body, headers=h).status_code == 200, run_id


def test_allowed_run_id_pattern_is_a_setting(store, settings, clock, hasher) -> None:  # type: ignore[no-untyped-def]
    from brisa.config import load_settings
    from tests.api.conftest import FERNET_KEY, build_api

    env = {
        "BRISA__CORE__FERNET_KEY": FERNET_KEY,
        "AIRFLOW__SCHEDULER__ALLOWED_RUN_ID_PATTERN": "^run-[0-9]+$",
    }
    api = build_api(store, load_settings(env, home=str(settings.home)), clock, hasher)
    add_dag(api.store, api.clock())
    h = api.headers("User")
    refused = api.client.post(RUNS, json={"logical_date": None, "dag_run_id": "other"}, headers=h)
    assert refused.status_code == 400
    assert "^run-[0-9]+$" in refused.json()["detail"]
    assert (
        api.client.post(RUNS, json={"logical_date": None, "dag_run_id": "run-7"}, headers=h).status_code
        == 200
    )
