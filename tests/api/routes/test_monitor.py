"""``/api/v2/monitor/health`` and ``/api/v2/version``."""

from __future__ import annotations

from datetime import timedelta

from brisa import __version__
from brisa.api.schemas import HealthInfoResponse
from tests.api.conftest import Api


def test_health_reports_the_newest_scheduler_heartbeat(api: Api) -> None:
    url = "/api/v2/monitor/health"
    body = api.client.get(url).json()
    HealthInfoResponse.model_validate(body)
    assert body["scheduler"] == {"status": None, "latest_scheduler_heartbeat": None}
    with api.store.transaction() as tx:
        tx.jobs.start("standalone", hostname="h", pid=1, now=api.clock() - timedelta(hours=1))
        tx.jobs.start("scheduler", hostname="h", pid=2, now=api.clock())
    body = api.client.get(url).json()
    assert body["scheduler"] == {
        "status": "healthy",
        "latest_scheduler_heartbeat": "2026-01-02T03:04:05+00:00",
    }
    assert body["dag_processor"]["status"] == "healthy"
    assert body["metadatabase"] == {"status": "healthy"}
    assert body["triggerer"] == {"status": None, "latest_triggerer_heartbeat": None}
    api.clock.advance(api.settings.scheduler.scheduler_health_check_threshold + 1)
    assert api.client.get(url).json()["scheduler"]["status"] == "unhealthy"


def test_health_reports_the_newest_triggerer_heartbeat(api: Api) -> None:
    url = "/api/v2/monitor/health"
    with api.store.transaction() as tx:
        tx.jobs.start("triggerer", hostname="h", pid=3, now=api.clock())
    body = api.client.get(url).json()
    HealthInfoResponse.model_validate(body)
    assert body["triggerer"] == {
        "status": "healthy",
        "latest_triggerer_heartbeat": "2026-01-02T03:04:05+00:00",
    }
    api.clock.advance(api.settings.triggerer.triggerer_health_check_threshold + 1)
    assert api.client.get(url).json()["triggerer"]["status"] == "unhealthy"


def test_version_reports_the_airflow_api_level_and_brisas_version(fast_api: Api) -> None:
    response = fast_api.client.get("/api/v2/version", headers=fast_api.headers("Viewer"))
    assert response.json() == {"version": "3.1.0", "git_version": f"brisa {__version__}"}


def test_version_needs_no_login_as_in_airflow(fast_api: Api) -> None:
    # Airflow serves it without credentials, and its generated client sends none for it.
    response = fast_api.client.get("/api/v2/version")
    assert response.status_code == 200
    assert response.json()["version"] == "3.1.0"
    operation = fast_api.client.get("/openapi.json").json()["paths"]["/api/v2/version"]["get"]
    assert "security" not in operation
