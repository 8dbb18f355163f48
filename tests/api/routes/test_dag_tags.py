"""``/api/v2/dagTags``: distinct tag names, filtered, ordered and paged."""

from __future__ import annotations

from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag


def seed(api: Api) -> None:
    now = api.clock()
    add_dag(api.store, now, make_dag("alpha", {"a": []}, tags=("etl", "daily")))
    add_dag(api.store, now, make_dag("beta", {"b": []}, tags=("etl", "hourly")))
    add_dag(api.store, now, make_dag("gamma", {"c": []}))


def test_tags_are_distinct_names_in_airflows_envelope(api: Api) -> None:
    seed(api)
    response = api.client.get("/api/v2/dagTags", headers=api.headers("Viewer"))
    assert response.status_code == 200, response.text
    assert response.json() == {"tags": ["daily", "etl", "hourly"], "total_entries": 3}


def test_pattern_order_and_pages(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    get = api.client.get
    assert get("/api/v2/dagTags?tag_name_pattern=ly", headers=h).json() == {
        "tags": ["daily", "hourly"],
        "total_entries": 2,
    }
    assert get("/api/v2/dagTags?tag_name_pattern=~", headers=h).json()["total_entries"] == 3
    assert get("/api/v2/dagTags?order_by=-name", headers=h).json()["tags"] == ["hourly", "etl", "daily"]
    assert get("/api/v2/dagTags?limit=1&offset=1", headers=h).json() == {"tags": ["etl"], "total_entries": 3}
    assert get("/api/v2/dagTags?limit=0", headers=h).json() == {"tags": [], "total_entries": 3}
    refused = get("/api/v2/dagTags?order_by=dag_id", headers=h)
    assert refused.status_code == 400
    assert get("/api/v2/dagTags?offset=-1", headers=h).status_code == 422
