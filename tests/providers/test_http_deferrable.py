"""The real http provider in deferrable mode: ``HttpSensor(deferrable=True)`` and
``HttpOperator(deferrable=True)`` defer to the provider's own triggers (aiohttp), which
Brisa's triggerer runs against a local server, reading the connection through Brisa's
secrets (the environment under ``dags test``, the metadata database under the scheduler)."""

from __future__ import annotations

import json

import pytest

from tests.providers.running import Project
from tests.providers.servers import recording_server

pytestmark = pytest.mark.slow

DAG = """
from datetime import datetime

from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def check(ti):
    assert ti.xcom_pull(task_ids="post") == '{"id": 7}', ti.xcom_pull(task_ids="post")


with DAG("provider_http_deferrable", start_date=datetime(2024, 1, 1), schedule=None):
    wait = HttpSensor(
        task_id="wait",
        http_conn_id="local_api",
        endpoint="/ready",
        poke_interval=1,
        timeout=120,
        deferrable=True,
    )
    post = HttpOperator(
        task_id="post",
        http_conn_id="local_api",
        endpoint="/items",
        method="POST",
        data='{"day": "{{ ds }}"}',
        headers={"Content-Type": "application/json"},
        deferrable=True,
    )
    wait >> post >> PythonOperator(task_id="check", python_callable=check)
"""


@pytest.fixture
def api():
    with recording_server() as server:
        server.replies[("GET", "/ready")] = (404, {"ready": False})
        server.replies[("POST", "/items")] = (200, {"id": 7})

        # The sensor's first poke (in the task) sees 404 and defers; the trigger's sees 200.
        def ready_after_first(method: str, path: str) -> None:
            server.replies[("GET", "/ready")] = (200, {"ready": True})

        server.on_request = ready_after_first
        yield server


def _check_requests(api) -> dict[str, str]:
    assert api.paths("GET").count("/ready") == 2
    (post,) = [r for r in api.requests if r.method == "POST"]
    assert post.path == "/items"
    return post.json()


def test_dags_test_runs_the_deferred_sensor_and_operator_in_the_triggerer(providers, tmp_path, api):
    project = Project.create(
        providers, tmp_path, {"provider_http_deferrable.py": DAG}, AIRFLOW_CONN_LOCAL_API=api.url
    )
    done = project.dags_test("provider_http_deferrable")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "Pausing task as DEFERRED. trigger=airflow.providers.http.triggers.http.HttpSensorTrigger"
        in done.stdout
    )
    assert "trigger=airflow.providers.http.triggers.http.HttpTrigger" in done.stdout
    assert "check: success" in done.stdout
    assert _check_requests(api) == {"day": "2024-01-01"}


def test_the_schedulers_triggerer_reads_the_connection_from_the_store(providers, tmp_path, api):
    project = Project.create(providers, tmp_path, {"provider_http_deferrable.py": DAG})
    assert project.brisa("db", "migrate").returncode == 0
    conn = json.dumps({"conn_type": "http", "host": api.url})
    added = project.brisa("connections", "add", "local_api", "--conn-json", conn)
    assert added.returncode == 0, added.stderr
    states = project.scheduled_run("provider_http_deferrable")
    assert states == {"wait": "success", "post": "success", "check": "success"}, project.scheduler_output
    _check_requests(api)
