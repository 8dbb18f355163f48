"""``/api/v2/dagSources/{dag_id}``: the stored DAG file text, as JSON or plain text."""

from __future__ import annotations

from brisa.api.schemas import DAGSourceResponse
from brisa.testing import make_dag
from tests.api.conftest import Api

SOURCE = 'from airflow import DAG\n\nwith DAG("etl") as dag:\n    pass\n'


def seed(api: Api, source: str | None = SOURCE) -> None:
    with api.store.transaction() as tx:
        tx.dags.upsert(make_dag("etl", {"a": []}), paused_when_new=False, now=api.clock(), source_code=source)


def test_json_by_default_with_airflows_fields(api: Api) -> None:
    seed(api)
    response = api.client.get("/api/v2/dagSources/etl", headers=api.headers("Viewer"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "content": SOURCE,
        "dag_id": "etl",
        "version_number": 1,
        "dag_display_name": "etl",
    }
    DAGSourceResponse.model_validate(response.json())


def test_accept_text_plain_gives_the_bare_source(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    for accept in ("text/plain", "text/plain; charset=utf-8", "text/plain, application/json"):
        response = api.client.get("/api/v2/dagSources/etl", headers=h | {"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == SOURCE
    for accept in ("application/json", "*/*", "application/json, text/plain", "text/html,*/*;q=0.8"):
        response = api.client.get("/api/v2/dagSources/etl", headers=h | {"Accept": accept})
        assert response.json()["content"] == SOURCE, accept


def test_other_media_types_are_406(api: Api) -> None:
    seed(api)
    headers = api.headers("Viewer") | {"Accept": "application/xml"}
    response = api.client.get("/api/v2/dagSources/etl", headers=headers)
    assert response.status_code == 406
    assert response.json() == {"detail": "Only application/json or text/plain is supported"}


def test_unknown_dags_and_versions_are_404(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    assert api.client.get("/api/v2/dagSources/nope", headers=h).status_code == 404
    assert api.client.get("/api/v2/dagSources/etl?version_number=1", headers=h).status_code == 200
    other = api.client.get("/api/v2/dagSources/etl?version_number=2", headers=h)
    assert other.status_code == 404
    assert other.json() == {"detail": "The source code of the DAG etl, version_number 2 was not found"}


def test_a_dag_stored_without_source_has_null_content(api: Api) -> None:
    seed(api, source=None)
    h = api.headers("Viewer")
    assert api.client.get("/api/v2/dagSources/etl", headers=h).json()["content"] is None
    text = api.client.get("/api/v2/dagSources/etl", headers=h | {"Accept": "text/plain"})
    assert (text.status_code, text.text) == (200, "")
