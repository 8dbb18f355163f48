"""``/api/v2/providers``: installed provider packages and Brisa's own, in Airflow 3's shape."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.providers.fake import write_provider


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


def test_installed_providers_and_brisas_own_are_listed(api: Api, site) -> None:
    write_provider(site, "acme", version="2.3.4")
    response = api.client.get("/api/v2/providers", headers=api.headers("Op"))
    assert response.status_code == 200, response.text
    body = response.json()
    by_name = {p["package_name"]: p for p in body["providers"]}
    assert body["total_entries"] == len(body["providers"])
    assert by_name["apache-airflow-providers-acme"] == {
        "package_name": "apache-airflow-providers-acme",
        "description": "Acme",
        "version": "2.3.4",
        "documentation_url": "https://airflow.apache.org/docs/apache-airflow-providers-acme/2.3.4/",
    }
    own = by_name["apache-airflow-providers-common-sql"]
    assert own["documentation_url"] is None and "Brisa's own" in own["description"]
    assert list(by_name) == sorted(by_name)


def test_a_real_builtin_replaces_brisas_entry(api: Api, site) -> None:
    write_provider(site, "common.sql", version="1.30.0")
    body = api.client.get("/api/v2/providers", headers=api.headers("Op")).json()
    rows = [p for p in body["providers"] if p["package_name"] == "apache-airflow-providers-common-sql"]
    assert [row["version"] for row in rows] == ["1.30.0"]


def test_paged_and_for_ops_only(api: Api, site) -> None:
    everything = api.client.get("/api/v2/providers", headers=api.headers("Op")).json()
    page = api.client.get("/api/v2/providers?limit=2&offset=1", headers=api.headers("Op")).json()
    assert page == {"providers": everything["providers"][1:3], "total_entries": everything["total_entries"]}
    assert api.client.get("/api/v2/providers", headers=api.headers("Viewer")).status_code == 403
    assert api.client.get("/api/v2/providers").status_code == 401
