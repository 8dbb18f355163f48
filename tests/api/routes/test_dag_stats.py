"""``/api/v2/dagStats``: runs per state of each DAG that has runs."""

from __future__ import annotations

from brisa.api.schemas import DagStatsCollectionResponse
from brisa.states import RunState
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, set_run_state


def stats(state_counts: dict[str, int]) -> list[dict[str, object]]:
    return [
        {"state": state, "count": state_counts.get(state, 0)}
        for state in ("queued", "running", "success", "failed")
    ]


def seed(api: Api) -> None:
    now = api.clock()
    etl = add_dag(api.store, now)
    other = add_dag(api.store, now, dag_id="other")
    add_dag(api.store, now, dag_id="idle")
    for day, state in enumerate((RunState.SUCCESS, RunState.SUCCESS, RunState.FAILED, None)):
        run = add_run(api.store, etl, now, days=day)
        if state is not None:
            set_run_state(api.store, run, state)
    set_run_state(api.store, add_run(api.store, other, now), RunState.RUNNING)


def test_counts_every_state_of_each_dag_with_runs(api: Api) -> None:
    seed(api)
    response = api.client.get("/api/v2/dagStats", headers=api.headers("Viewer"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "dags": [
            {
                "dag_id": "etl",
                "dag_display_name": "etl",
                "stats": stats({"queued": 1, "success": 2, "failed": 1}),
            },
            {"dag_id": "other", "dag_display_name": "other", "stats": stats({"running": 1})},
        ],
        "total_entries": 2,
    }
    DagStatsCollectionResponse.model_validate(response.json())


def test_dag_ids_filter(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    body = api.client.get("/api/v2/dagStats?dag_ids=other&dag_ids=idle&dag_ids=nope", headers=h).json()
    assert [dag["dag_id"] for dag in body["dags"]] == ["other"]
    assert body["total_entries"] == 1
    assert api.client.get("/api/v2/dagStats?dag_ids=nope", headers=h).json() == {
        "dags": [],
        "total_entries": 0,
    }
