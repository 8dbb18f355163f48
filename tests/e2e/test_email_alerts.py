"""Alert emails through the real scheduler and LocalExecutor: a retry alert then a failure
alert from the task process, an EmailOperator's mail, and a secret masked in an alert."""

from __future__ import annotations

import pytest

from brisa.store.records import TaskKey
from tests.e2e.deployment import deployment
from tests.smtp_server import SmtpServer, body_of

pytestmark = [pytest.mark.slow]

SECRET = "k3y-d0-not-leak"
LEAK_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator

def call_api():
    raise ValueError("the API rejected key " + Variable.get("api_key"))

with DAG("e2e_email_leak", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="call", python_callable=call_api, email="sec@example.com")
"""


def by_kind(smtp: SmtpServer, count: int) -> dict[str, list]:
    """The mails received, by alert state ("failed", "up_for_retry") or "report"."""
    received: dict[str, list] = {}
    for got in smtp.wait_for(count, timeout=90):
        subject = got.message["Subject"]
        kind = subject.rsplit("[", 1)[-1].rstrip("]>") if subject.startswith("Airflow alert") else "report"
        received.setdefault(kind, []).append(got)
    return received


def test_the_scheduler_sends_retry_failure_and_operator_emails(tmp_path, smtp: SmtpServer):
    with deployment(tmp_path, "sqlite") as deployed:
        deployed.add_dags("email_alerts")
        deployed.write_dag("email_leak.py", LEAK_DAG)
        deployed.env.update(smtp.env, AIRFLOW_VAR_API_KEY=SECRET)
        deployed.start_scheduler()
        deployed.wait_for_dags("e2e_email_alerts", "e2e_email_leak")
        run_id = deployed.trigger("e2e_email_alerts")
        leak_run = deployed.trigger("e2e_email_leak")
        assert deployed.wait_for_run("e2e_email_alerts", run_id).state.value == "failed"
        assert deployed.wait_for_run("e2e_email_leak", leak_run).state.value == "failed"
        received = by_kind(smtp, 4)
        log = deployed.log(TaskKey("e2e_email_alerts", run_id, "fail", -1), 2)

    (report,) = received["report"]
    assert report.recipients == ["team@example.com"]
    (retry,) = received["up_for_retry"]
    ti = f"<TaskInstance: e2e_email_alerts.fail {run_id} [up_for_retry]>"
    assert retry.message["Subject"] == f"Airflow alert: {ti}"
    assert "Try 1 out of 2<br>" in body_of(retry.message)
    failures = {m.recipients[0]: m for m in received["failed"]}
    assert "Try 2 out of 2<br>" in body_of(failures["ops@example.com"].message)
    leak = body_of(failures["sec@example.com"].message)
    assert "the API rejected key ***" in leak and SECRET not in leak
    assert "Sent an alert email to ['ops@example.com']" in log


def test_an_alert_logs_in_with_the_smtp_password_the_task_process_does_not_see(tmp_path, smtp: SmtpServer):
    """``AIRFLOW__SMTP__SMTP_PASSWORD`` is not in the task's environment: the task process asks
    its supervisor for it when it sends an alert."""
    with deployment(tmp_path, "sqlite") as deployed:
        deployed.write_dag("email_leak.py", LEAK_DAG)
        deployed.env.update(
            smtp.env,
            AIRFLOW_VAR_API_KEY=SECRET,
            AIRFLOW__SMTP__SMTP_USER="apikey",
            AIRFLOW__SMTP__SMTP_PASSWORD="smtp-pass-0451",
        )
        deployed.start_scheduler()
        deployed.wait_for_dags("e2e_email_leak")
        run_id = deployed.trigger("e2e_email_leak")
        assert deployed.wait_for_run("e2e_email_leak", run_id).state.value == "failed"
        smtp.wait_for(1, timeout=90)
    assert smtp.logins == [("apikey", "smtp-pass-0451")]
