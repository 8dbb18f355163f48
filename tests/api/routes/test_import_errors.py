"""``/api/v2/importErrors``."""

from __future__ import annotations

from brisa.api.schemas import ImportErrorCollectionResponse
from tests.api.conftest import Api


def test_list_and_get(api: Api) -> None:
    with api.store.transaction() as tx:
        tx.dags.replace_import_errors(
            "/dags/b.py", [{"message": "boom", "stacktrace": "Traceback: <boom>"}], now=api.clock()
        )
        tx.dags.replace_import_errors("/dags/a.py", [{"message": "only a message"}], now=api.clock())
    h = api.headers("Viewer")
    body = api.client.get("/api/v2/importErrors", params={"order_by": "-filename"}, headers=h).json()
    ImportErrorCollectionResponse.model_validate(body)
    first = body["import_errors"][0]
    assert (first["filename"], first["stack_trace"], first["bundle_name"]) == (
        "/dags/b.py",
        "Traceback: <boom>",
        "dags-folder",
    )
    assert body["import_errors"][1]["stack_trace"] == "only a message"
    one = api.client.get(f"/api/v2/importErrors/{first['import_error_id']}", headers=h).json()
    assert one == first
    assert api.client.get("/api/v2/importErrors/999", headers=h).status_code == 404
    assert api.client.get("/api/v2/importErrors/x", headers=h).status_code == 422
