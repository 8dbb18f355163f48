"""Airflow's failure/retry alert emails, sent by the task runner after a try fails."""

from __future__ import annotations

import logging
from pathlib import Path

from brisa.config import load_settings
from brisa.runner.alerts import alert_content, send_alert, wants_alert
from brisa.sdk.email import MailConfig
from brisa.sdk.operators.bash import BashOperator
from brisa.states import TaskState
from tests.sdk.fakes import MemoryRuntime, make_context
from tests.smtp_server import SmtpServer, body_of, free_port

SECRET = "tok-s3cret-value"


def mail_config(tmp_path: Path, **env: str) -> MailConfig:
    settings = load_settings({"BRISA_HOME": str(tmp_path), **env})
    return MailConfig(settings.smtp, settings.email)


def failed_try(state: TaskState = TaskState.FAILED, **task_args):
    task = BashOperator(task_id="load", bash_command="exit 1", email=["ops@x.com"], retries=1, **task_args)
    runtime = MemoryRuntime(dag_id="etl", run_id="manual__1")
    context = make_context(task, runtime)
    ti = context["ti"]
    ti.state, ti.try_number, ti.max_tries, ti.hostname = state.value, 2, 1, "worker-1"
    return task, context, runtime


def test_only_the_flag_of_the_ending_state_and_an_address_ask_for_an_alert():
    task, _, _ = failed_try(email_on_retry=False)
    assert wants_alert(task, TaskState.FAILED) and not wants_alert(task, TaskState.UP_FOR_RETRY)
    task.email = None
    assert not wants_alert(task, TaskState.FAILED)


def test_the_alert_is_airflows_default_with_secrets_masked(tmp_path):
    _, context, runtime = failed_try()
    runtime.mask_secret(SECRET)
    error = RuntimeError(f"bad token {SECRET}\nsecond <line>")
    subject, body = alert_content(context, error, runtime, mail_config(tmp_path))
    assert subject == "Airflow alert: <TaskInstance: etl.load manual__1 [failed]>"
    assert "Try 2 out of 2<br>" in body
    assert "Exception:<br>bad token ***<br>second &lt;line&gt;<br>" in body
    assert f'Log: <a href="{context["ti"].log_url}">Link</a>' in body and "Host: worker-1" in body
    assert SECRET not in body


def test_subject_and_body_templates_of_the_email_section(tmp_path):
    (tmp_path / "subject.j2").write_text("{{ ti.task_id }} failed: {{ exception }}")
    (tmp_path / "body.j2").write_text("try {{ try_number }}/{{ max_tries + 1 }}")
    config = mail_config(
        tmp_path,
        AIRFLOW__EMAIL__SUBJECT_TEMPLATE=str(tmp_path / "subject.j2"),
        AIRFLOW__EMAIL__HTML_CONTENT_TEMPLATE=str(tmp_path / "body.j2"),
    )
    _, context, runtime = failed_try()
    assert alert_content(context, ValueError("x"), runtime, config) == ("load failed: x", "try 2/2")


def test_a_failed_try_emails_the_tasks_addresses(smtp: SmtpServer, tmp_path, caplog):
    task, context, runtime = failed_try(TaskState.UP_FOR_RETRY)
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        send_alert(
            task,
            context,
            TaskState.UP_FOR_RETRY,
            ValueError("no"),
            runtime,
            mail_config(tmp_path, **smtp.env),
        )
    (got,) = smtp.wait_for(1)
    assert got.recipients == ["ops@x.com"]
    assert got.message["Subject"] == "Airflow alert: <TaskInstance: etl.load manual__1 [up_for_retry]>"
    assert "Exception:<br>no<br>" in body_of(got.message)
    assert "Sent an alert email to ['ops@x.com']" in caplog.text


def test_without_an_smtp_host_one_warning_and_no_error(tmp_path, caplog):
    task, context, runtime = failed_try()
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        send_alert(task, context, TaskState.FAILED, ValueError("no"), runtime, mail_config(tmp_path))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["email_on_failure is set but [smtp] smtp_host is not configured: no email sent"]


def test_an_smtp_error_is_logged_and_not_raised(tmp_path, caplog):
    task, context, runtime = failed_try()
    env = {"AIRFLOW__SMTP__SMTP_HOST": "127.0.0.1", "AIRFLOW__SMTP__SMTP_PORT": str(free_port())}
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        send_alert(task, context, TaskState.FAILED, ValueError("no"), runtime, mail_config(tmp_path, **env))
    assert "Failed to send the alert email to ['ops@x.com']" in caplog.text
