"""Airflow's failure and retry emails (``email_on_failure``, ``email_on_retry``).

Called by the task runner once a failed try has its state and its callbacks have run,
as Airflow's ``TaskInstance.email_alert`` is. An alert never changes the try's outcome:
a missing ``[smtp] smtp_host`` or an SMTP error is one line in the task log.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from brisa.runtime import TaskRuntime
from brisa.sdk.email import NO_HOST, MailConfig, send_email
from brisa.states import TaskState

log = logging.getLogger("airflow.task")

DEFAULT_SUBJECT = "Airflow alert: {{ti}}"
DEFAULT_HTML = (
    "Try {{try_number}} out of {{max_tries + 1}}<br>"
    "Exception:<br>{{exception_html}}<br>"
    'Log: <a href="{{ti.log_url}}">Link</a><br>'
    "Host: {{ti.hostname}}<br>"
)
"""Airflow 2's default alert (its mark-success link is left out: Brisa's UI has none)."""

_FLAGS = {TaskState.FAILED: "email_on_failure", TaskState.UP_FOR_RETRY: "email_on_retry"}


def wants_alert(task: Any, state: TaskState) -> bool:
    """Airflow's rule: the task has ``email`` and the flag of the state it ends in."""
    flag = _FLAGS.get(state)
    return bool(flag and getattr(task, "email", None) and getattr(task, flag, False))


def send_alert(
    task: Any,
    context: dict[str, Any],
    state: TaskState,
    error: BaseException,
    runtime: TaskRuntime,
    config: MailConfig | None = None,
) -> None:
    """Email the task's ``email`` about this try if it asks to; log, never raise."""
    if not wants_alert(task, state):
        return
    try:
        config = config or MailConfig.load()
        if not config.is_configured:
            log.warning("%s is set but %s: no email sent", _FLAGS[state], NO_HOST)
            return
        subject, body = alert_content(context, error, runtime, config)
        send_email(task.email, subject, body, config=config)
        log.info("Sent an alert email to %s", task.email)
    except Exception as err:  # an alert must not turn into a second failure of the try
        log.error("Failed to send the alert email to %s: %s", task.email, _masked(runtime, str(err)))


def alert_content(
    context: dict[str, Any], error: BaseException, runtime: TaskRuntime, config: MailConfig
) -> tuple[str, str]:
    """Subject and HTML body, rendered from ``[email]``'s templates or Airflow's defaults,
    with every secret of this try masked (the body quotes the exception)."""
    ti = context["ti"]
    values = {
        **context,
        "exception": error,
        "exception_html": html.escape(str(error)).replace("\n", "<br>"),
        "try_number": ti.try_number,
        "max_tries": ti.max_tries,
    }
    subject = _render(config.email.subject_template, DEFAULT_SUBJECT, values)
    body = _render(config.email.html_content_template, DEFAULT_HTML, values)
    # The SMTP password may appear in an error; it is a secret of this try too.
    if config.smtp.smtp_password:
        runtime.mask_secret(config.smtp.smtp_password)
    return _masked(runtime, subject), _masked(runtime, body)


def _render(path: Path | None, default: str, values: dict[str, Any]) -> str:
    import jinja2

    source = path.read_text() if path else default
    return jinja2.Environment(autoescape=False).from_string(source).render(**values)


def _masked(runtime: TaskRuntime, text: str) -> str:
    return runtime.mask_text(text)


__all__ = ["DEFAULT_HTML", "DEFAULT_SUBJECT", "alert_content", "send_alert", "wants_alert"]
