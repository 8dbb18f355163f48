"""The real slack provider: SlackWebhookOperator, and its notifiers as DAG and task callbacks,
against a local HTTP server standing in for Slack's webhook and Web API."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from tests.providers.running import Project
from tests.providers.servers import recording_server

pytestmark = pytest.mark.slow

DAG = """
from datetime import datetime

from airflow.providers.slack.notifications.slack import SlackNotifier
from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    "provider_slack",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_failure_callback=SlackWebhookNotifier(
        slack_webhook_conn_id="slack_hook", text="run of {{ dag.dag_id }} failed"
    ),
):
    SlackWebhookOperator(
        task_id="post", slack_webhook_conn_id="slack_hook", message="post from {{ dag.dag_id }}"
    )
    BashOperator(
        task_id="broken",
        bash_command="exit 3",
        retries=0,
        on_failure_callback=SlackNotifier(
            slack_conn_id="slack_api", channel="#alerts", text="{{ ti.task_id }} failed in {{ dag.dag_id }}"
        ),
    )
"""


@pytest.fixture
def slack():
    with recording_server() as server:
        yield server


def _project(providers, tmp_path, slack) -> Project:
    webhook = {"conn_type": "slackwebhook", "password": f"{slack.url}/services/T000/B000/XXXX"}
    api = {"conn_type": "slack", "password": "xoxb-test-token", "extra": {"base_url": f"{slack.url}/api/"}}
    return Project.create(
        providers,
        tmp_path,
        {"provider_slack.py": DAG},
        AIRFLOW_CONN_SLACK_HOOK=json.dumps(webhook),
        AIRFLOW_CONN_SLACK_API=json.dumps(api),
    )


def _check_messages(slack) -> None:
    by_path: dict[str, list[bytes]] = {}
    for request in slack.requests:
        by_path.setdefault(request.path, []).append(request.body)
    webhook_posts = [json.loads(body) for body in by_path.pop("/services/T000/B000/XXXX")]
    assert sorted(post["text"] for post in webhook_posts) == [
        "post from provider_slack",
        "run of provider_slack failed",
    ]
    (api_post,) = by_path.pop("/api/chat.postMessage")
    fields = json.loads(api_post) if api_post.startswith(b"{") else parse_qs(api_post.decode())
    assert fields["channel"] in ("#alerts", ["#alerts"])
    assert fields["text"] in ("broken failed in provider_slack", ["broken failed in provider_slack"])
    assert by_path == {}
    (api_request,) = [r for r in slack.requests if r.path.startswith("/api/")]
    assert api_request.headers["Authorization"] == "Bearer xoxb-test-token"


def test_dags_test_posts_to_slack_and_notifies_failures(providers, tmp_path, slack):
    done = _project(providers, tmp_path, slack).dags_test("provider_slack")
    assert "post: success" in done.stdout and "broken: failed" in done.stdout, done.stdout + done.stderr
    _check_messages(slack)


def test_the_scheduler_runs_the_slack_dag_and_its_notifiers(providers, tmp_path, slack):
    states = _project(providers, tmp_path, slack).scheduled_run("provider_slack")
    assert states == {"post": "success", "broken": "failed"}
    _check_messages(slack)
