"""Notifiers in callback lists (Airflow 2.6+/3.x BaseNotifier) and Brisa's WebhookNotifier."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from brisa.sdk.notifier import BaseNotifier, WebhookNotifier


class Recording(BaseNotifier):
    template_fields = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message
        self.seen: list[str] = []

    def notify(self, context):
        self.seen.append(self.message)


def test_a_notifier_renders_its_template_fields_then_notifies():
    notifier = Recording("{{ run_id }} of {{ params.team }}")
    notifier({"run_id": "manual__1", "params": {"team": "data"}})
    assert notifier.seen == ["manual__1 of data"]


def test_a_failing_notifier_is_logged_and_never_raises(caplog):
    class Broken(BaseNotifier):
        def notify(self, context):
            raise RuntimeError("webhook down")

    Broken()({"run_id": "r"})
    assert "Failed to send notification: webhook down" in caplog.text


def test_a_notifier_without_notify_says_so(caplog):
    BaseNotifier()({})
    assert "must implement notify(context)" in caplog.text


@pytest.fixture
def hook_server():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "json": json.loads(body)}
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


NOTIFIED_DAG = """
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.notifications.basenotifier import BaseNotifier
from airflow.operators.bash import BashOperator
from brisa.notifiers import WebhookNotifier

class ToFile(BaseNotifier):
    template_fields = ("line",)

    def __init__(self, line):
        self.line = line

    def notify(self, context):
        Path({marks!r}).write_text(self.line)

hook = WebhookNotifier(
    url="http://127.0.0.1:{port}/hooks/{{{{ dag.dag_id }}}}",
    headers={{"Authorization": "Bearer {{{{ var.value.hook_token }}}}"}},
)

with DAG("notified", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(
        task_id="boom",
        bash_command="exit 3",
        on_failure_callback=[ToFile("{{{{ ti.task_id }}}} failed in {{{{ run_id }}}}"), hook],
    )
"""


def test_dags_test_calls_every_notifier_of_a_failure_callback_list(tmp_path, hook_server):
    port, received = hook_server
    dags = tmp_path / "dags"
    dags.mkdir()
    marks = tmp_path / "marks.txt"
    (dags / "notified.py").write_text(NOTIFIED_DAG.format(marks=str(marks), port=port))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.update(
        BRISA_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        BRISA__CORE__LOAD_EXAMPLES="False",
        AIRFLOW_VAR_HOOK_TOKEN="s3cret-token",
    )
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", "notified", "2024-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "boom: failed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    assert marks.read_text() == "boom failed in manual__2024-01-01T00:00:00+00:00"
    (call,) = received
    assert call["path"] == "/hooks/notified"
    assert call["auth"] == "Bearer s3cret-token"
    event = call["json"]
    assert (event["dag_id"], event["task_id"], event["state"], event["try_number"]) == (
        "notified",
        "boom",
        "failed",
        1,
    )
    assert "exit code 3" in event["exception"]
    assert "Notified http://127.0.0.1" in result.stdout


def test_the_webhook_body_can_be_a_template(hook_server):
    port, received = hook_server
    WebhookNotifier(url=f"http://127.0.0.1:{port}/x", body='{"text": "{{ reason }}"}')(
        {"reason": "task_failure"}
    )
    assert received[0]["json"] == {"text": "task_failure"}
