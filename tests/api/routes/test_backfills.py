"""``/api/v2/backfills`` (Airflow 3's BackfillApi): create, list, get, pause, unpause, cancel."""

from __future__ import annotations

from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag

DAILY = {"type": "DeltaDataIntervalTimetable", "delta": 86400.0}
BODY = {
    "dag_id": "etl",
    "from_date": "2025-12-01T00:00:00Z",
    "to_date": "2025-12-03T00:00:00Z",
    "max_active_runs": 2,
    "dag_run_conf": {"table": "users"},
    "reprocess_behavior": "failed",
}


def _create(api: Api, **changes):  # type: ignore[no-untyped-def]
    add_dag(api.store, api.clock(), make_dag("etl", {"a": []}, timetable=DAILY))
    return api.client.post("/api/v2/backfills", json={**BODY, **changes}, headers=api.headers())


def test_create_records_the_backfill_and_its_runs_carry_its_id(api: Api) -> None:
    created = _create(api)
    assert created.status_code == 200, created.text
    body = created.json()
    assert {
        k: body[k] for k in ("dag_id", "max_active_runs", "dag_run_conf", "reprocess_behavior", "is_paused")
    } == {
        "dag_id": "etl",
        "max_active_runs": 2,
        "dag_run_conf": {"table": "users"},
        "reprocess_behavior": "failed",
        "is_paused": False,
    }
    assert body["completed_at"] is None and body["dag_display_name"] == "etl"
    with api.store.transaction(readonly=True) as tx:
        runs = tx.runs.list("etl").items
    assert len(runs) == 3 and {r.backfill_id for r in runs} == {body["id"]}
    again = api.client.post("/api/v2/backfills", json=BODY, headers=api.headers())
    assert again.status_code == 409  # one active backfill per DAG, as Airflow 3


def test_list_and_get(api: Api) -> None:
    backfill_id = _create(api).json()["id"]
    h = api.headers("Viewer")
    listed = api.client.get("/api/v2/backfills?dag_id=etl", headers=h).json()
    assert listed["total_entries"] == 1 and listed["backfills"][0]["id"] == backfill_id
    assert api.client.get("/api/v2/backfills?dag_id=other", headers=h).json()["total_entries"] == 0
    assert api.client.get(f"/api/v2/backfills/{backfill_id}", headers=h).json()["id"] == backfill_id
    assert api.client.get("/api/v2/backfills/999", headers=h).status_code == 404


def test_pause_unpause_cancel(api: Api) -> None:
    backfill_id = _create(api).json()["id"]
    h = api.headers()
    assert api.client.put(f"/api/v2/backfills/{backfill_id}/pause", headers=h).json()["is_paused"] is True
    assert api.client.put(f"/api/v2/backfills/{backfill_id}/unpause", headers=h).json()["is_paused"] is False
    cancelled = api.client.put(f"/api/v2/backfills/{backfill_id}/cancel", headers=h).json()
    assert cancelled["completed_at"] is not None and cancelled["is_paused"] is True
    with api.store.transaction(readonly=True) as tx:
        assert {r.state.value for r in tx.runs.list("etl").items} == {"failed"}
    assert api.client.put(f"/api/v2/backfills/{backfill_id}/cancel", headers=h).status_code == 409
    assert (
        api.client.put(f"/api/v2/backfills/{backfill_id}/pause", headers=api.headers("Viewer")).status_code
        == 403
    )


def test_refused_requests(api: Api) -> None:
    assert _create(api, from_date="2025-12-05T00:00:00Z", to_date="2025-12-01T00:00:00Z").status_code == 400
    assert _create(api, dag_id="missing").status_code == 404
    assert _create(api, max_active_runs=0).status_code in (400, 422)
