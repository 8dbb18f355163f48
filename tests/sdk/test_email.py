"""``send_email`` and ``EmailOperator`` against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from brisa.config import load_settings
from brisa.runtime import use_runtime
from brisa.sdk.dag import DAG
from brisa.sdk.email import MailConfig, SmtpNotConfigured, get_email_address_list, send_email
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.email import EmailOperator
from tests.sdk.fakes import MemoryRuntime, make_context, run_task
from tests.smtp_server import SmtpServer, body_of, self_signed_context, smtp_server


def mail_config(tmp_path: Path, **env: str) -> MailConfig:
    settings = load_settings({"BRISA_HOME": str(tmp_path), **env})
    return MailConfig(settings.smtp, settings.email)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a@x.com", ["a@x.com"]),
        ("a@x.com, b@x.com", ["a@x.com", "b@x.com"]),
        ("a@x.com;b@x.com", ["a@x.com", "b@x.com"]),
        (["a@x.com", "b@x.com"], ["a@x.com", "b@x.com"]),
    ],
)
def test_addresses_split_on_commas_or_semicolons_like_airflow(given, expected):
    assert get_email_address_list(given) == expected


def test_send_email_delivers_to_to_cc_and_bcc_with_an_attachment(smtp: SmtpServer, tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("day,rows\n2024-01-01,3\n")
    config = mail_config(tmp_path, **smtp.env)
    send_email(
        "a@x.com; b@x.com",
        "Daily report",
        "<b>3 rows</b>",
        files=[str(report)],
        cc="c@x.com",
        bcc=["d@x.com"],
        config=config,
    )
    (got,) = smtp.wait_for(1)
    assert got.mail_from == "brisa@example.com"
    assert got.recipients == ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]
    assert got.message["To"] == "a@x.com, b@x.com" and got.message["CC"] == "c@x.com"
    assert got.message["Bcc"] is None and got.message["Subject"] == "Daily report"
    assert body_of(got.message).strip() == "<b>3 rows</b>"
    (attached,) = list(got.message.iter_attachments())
    assert attached.get_filename() == "report.csv"
    assert attached.get_content() == report.read_bytes()


def test_the_sender_is_smtp_mail_from_else_from_email(smtp: SmtpServer, tmp_path):
    env = {k: v for k, v in smtp.env.items() if k != "AIRFLOW__SMTP__SMTP_MAIL_FROM"}
    config = mail_config(tmp_path, **env, AIRFLOW__EMAIL__FROM_EMAIL="Ops <ops@x.com>")
    send_email("a@x.com", "s", "b", config=config)
    send_email("a@x.com", "s", "b", from_email="me@x.com", config=config)
    first, second = smtp.wait_for(2)
    assert first.message["From"] == "Ops <ops@x.com>" and second.message["From"] == "me@x.com"
    with pytest.raises(AirflowException, match="from email"):
        send_email("a@x.com", "s", "b", config=mail_config(tmp_path, **env))


def test_login_uses_the_smtp_user_or_the_email_connection(smtp: SmtpServer, tmp_path):
    config = mail_config(
        tmp_path, **smtp.env, AIRFLOW__SMTP__SMTP_USER="cfg-user", AIRFLOW__SMTP__SMTP_PASSWORD="cfg-pw"
    )
    send_email("a@x.com", "s", "b", config=config)
    runtime = MemoryRuntime()
    runtime.connections["smtp_default"] = {"conn_type": "smtp", "login": "conn-user", "password": "conn-pw"}
    with use_runtime(runtime):
        send_email("a@x.com", "s", "b", config=config)
    smtp.wait_for(2)
    assert smtp.logins == [("cfg-user", "cfg-pw"), ("conn-user", "conn-pw")]


def test_without_an_smtp_host_sending_fails_clearly(tmp_path):
    with pytest.raises(SmtpNotConfigured, match=r"\[smtp\] smtp_host is not configured"):
        send_email("a@x.com", "s", "b", from_email="me@x.com", config=mail_config(tmp_path))


def test_email_operator_sends_its_rendered_template_fields(smtp: SmtpServer, tmp_path, monkeypatch):
    for name, value in smtp.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    op = EmailOperator(
        task_id="mail",
        to="{{ params.who }}@x.com",
        subject="Run {{ ds }}",
        html_content="<p>{{ params.who }} ran {{ run_id }}</p>",
    )
    assert op.template_ext == (".html",)
    runtime = MemoryRuntime()
    context = make_context(op, runtime, ds="2024-01-01", params={"who": "ana"}, run_id="manual_1")
    op.render_template_fields(context)
    with use_runtime(runtime):
        op.execute(context)
    (got,) = smtp.wait_for(1)
    assert got.recipients == ["ana@x.com"] and got.message["Subject"] == "Run 2024-01-01"
    assert body_of(got.message).strip() == "<p>ana ran manual_1</p>"


def test_email_operator_reads_an_html_file_next_to_the_dag(smtp: SmtpServer, tmp_path, monkeypatch):
    for name, value in {**smtp.env, "BRISA_HOME": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "report.html").write_text("<h1>{{ dag.dag_id }} {{ ds }}</h1>")
    with DAG("d", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        EmailOperator(task_id="mail", to="a@x.com", subject="s", html_content="report.html")
    dag.fileloc = str(tmp_path / "dag.py")
    run_task(dag, "mail", MemoryRuntime(), logical_date=datetime(2024, 1, 2, tzinfo=UTC))
    (got,) = smtp.wait_for(1)
    assert body_of(got.message).strip() == "<h1>d 2024-01-02</h1>"


def test_starttls_then_login_when_the_server_requires_it(tmp_path):
    with smtp_server(tls=self_signed_context(tmp_path)) as server:
        env = {**server.env, "AIRFLOW__SMTP__SMTP_STARTTLS": "True"}
        config = mail_config(tmp_path, **env, AIRFLOW__SMTP__SMTP_USER="u", AIRFLOW__SMTP__SMTP_PASSWORD="p")
        send_email("a@x.com", "over tls", "b", config=config)
        (got,) = server.wait_for(1)
        assert got.message["Subject"] == "over tls" and server.logins == [("u", "p")]
        plain = mail_config(tmp_path, **server.env)
        with pytest.raises(smtplib.SMTPException):
            send_email("a@x.com", "in clear", "b", config=plain)


def test_arguments_come_in_airflows_positional_order(tmp_path, smtp):
    # send_email(to, subject, html_content, files, dryrun, cc, bcc, ...) as in airflow.utils.email
    config = mail_config(tmp_path, **smtp.env)
    send_email("a@x.com", "dry", "b", None, True, config=config)  # dryrun: nothing sent
    send_email("a@x.com", "s", "b", None, False, "c@x.com", config=config)
    (got,) = smtp.wait_for(1)  # the server has a message once the call returns
    assert got.message["Subject"] == "s" and got.message["CC"] == "c@x.com"
