"""The real http provider: HttpOperator, HttpSensor and HttpHook against a local server."""

from __future__ import annotations

import pytest

from tests.providers.running import Project
from tests.providers.servers import recording_server

pytestmark = pytest.mark.slow

DAG = """
from datetime import datetime

from airflow.providers.http.hooks.http import HttpHook
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def use_hook(ti):
    item = HttpHook(method="GET", http_conn_id="local_api").run("/items/7").json()
    assert ti.xcom_pull(task_ids="post") == 7
    return item["name"]


with DAG("provider_http", start_date=datetime(2024, 1, 1), schedule=None):
    wait = HttpSensor(
        task_id="wait", http_conn_id="local_api", endpoint="/ready", poke_interval=1, timeout=120
    )
    post = HttpOperator(
        task_id="post",
        http_conn_id="local_api",
        endpoint="/items",
        method="POST",
        data='{"day": "{{ ds }}"}',
        headers={"Content-Type": "application/json"},
        response_filter=lambda response: response.json()["id"],
    )
    hook = PythonOperator(task_id="hook", python_callable=use_hook)
    wait >> post >> hook
"""


@pytest.fixture
def api():
    with recording_server() as server:
        server.replies[("GET", "/ready")] = (404, {"ready": False})
        server.replies[("POST", "/items")] = (200, {"id": 7})
        server.replies[("GET", "/items/7")] = (200, {"id": 7, "name": "seven"})
        yield server


def _project(providers, tmp_path, api) -> Project:
    return Project.create(providers, tmp_path, {"provider_http.py": DAG}, AIRFLOW_CONN_LOCAL_API=api.url)


def _become_ready(api) -> None:
    # The sensor's first poke sees 404 (HttpSensor pokes again), the next one 200.
    def ready_after_first(method: str, path: str) -> None:
        api.replies[("GET", "/ready")] = (200, {"ready": True})

    api.on_request = ready_after_first


def test_dags_test_runs_the_http_operator_sensor_and_hook(providers, tmp_path, api):
    _become_ready(api)
    done = _project(providers, tmp_path, api).dags_test("provider_http")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hook: success" in done.stdout
    assert api.paths("GET").count("/ready") == 2
    (post,) = [r for r in api.requests if r.method == "POST"]
    assert post.path == "/items" and post.json() == {"day": "2024-01-01"}
    assert api.paths("GET")[-1] == "/items/7"


def test_the_scheduler_runs_the_http_dag(providers, tmp_path, api):
    _become_ready(api)
    project = _project(providers, tmp_path, api)
    assert project.scheduled_run("provider_http") == {"wait": "success", "post": "success", "hook": "success"}
    assert [r.path for r in api.requests if r.method == "POST"] == ["/items"]
