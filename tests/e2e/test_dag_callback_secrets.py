"""A DAG's failure callback reads a variable and a connection (Airflow's DAG processor
gives callbacks the secrets backends) through the real scheduler, LocalExecutor and
callback child; the scheduler logs the callback's output with the password masked."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

DAG_ID = "e2e_dag_callback_secrets"
WEBHOOK = "https://hooks.example.com/services/T0/B1"
PASSWORD = "s3cr3t-alert-pw"


def test_a_dag_failure_callback_reads_secrets_and_its_logged_output_is_masked(deployed):
    deployed.brisa("variables", "set", "webhook", WEBHOOK)
    deployed.brisa("connections", "add", "alerts", "--conn-uri", f"http://bot:{PASSWORD}@alerts.example.com")
    deployed.add_dags("dag_callback_secrets")
    scheduler = deployed.start_scheduler(api__base_url="https://brisa.example.com")
    deployed.wait_for_dags(DAG_ID)
    run_id = deployed.trigger(DAG_ID)
    assert deployed.wait_for_run(DAG_ID, run_id).state.value == "failed"

    # The callback child read both from the scheduler's secrets service (the metadata database).
    seen = deployed.wait(_marker(deployed), what="the DAG callback's marker", timeout=30)
    assert seen == {
        "webhook": WEBHOOK,
        "password": PASSWORD,
        "base_url": "https://brisa.example.com",
        "reason": "task_failure",
    }

    # The scheduler logs what the callback printed, the connection's password masked as in
    # a try's log (the webhook's name is not sensitive: shown, as Airflow shows it).
    def logged() -> str | None:
        output = scheduler.output()
        return output if f"on_failure_callback of {DAG_ID} ended with status 0" in output else None

    output = deployed.wait(logged, what="the scheduler's log of the callback", timeout=30)
    assert f"alert: {DAG_ID} failed; posting to {WEBHOOK} with password ***" in output
    assert PASSWORD not in output


def _marker(deployed):
    def read() -> dict | None:
        try:
            return json.loads((deployed.markers / "dag_callback_secrets.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    return read
