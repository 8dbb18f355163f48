"""``send_email``: Airflow's ``airflow.utils.email.send_email`` over SMTP.

The server and sender come from Airflow's ``[smtp]`` and ``[email]`` sections (see
``brisa.config``); the login from the ``[email] email_conn_id`` connection (default
``smtp_default``) when one exists, else ``[smtp] smtp_user``/``smtp_password``, as
Airflow 2 does. Only the SMTP backend exists: ``[email] email_backend`` is not read.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brisa.sdk.exceptions import AirflowException

if TYPE_CHECKING:
    from brisa.config import EmailSettings, SmtpSettings

log = logging.getLogger(__name__)

NO_HOST = "[smtp] smtp_host is not configured"


class SmtpNotConfigured(AirflowException):
    """``[smtp] smtp_host`` is empty: Brisa has nowhere to send mail."""


@dataclass(frozen=True)
class MailConfig:
    """What sending needs from ``[smtp]`` and ``[email]``."""

    smtp: SmtpSettings
    email: EmailSettings

    @classmethod
    def load(cls) -> MailConfig:
        # Read at send time, not import: tasks and tests set the environment per process.
        from brisa.config import load_settings

        settings = load_settings(os.environ)
        smtp = settings.smtp
        if smtp.smtp_password is None:
            smtp = replace(smtp, smtp_password=_supervisors_smtp_password())
        return cls(smtp, settings.email)

    @property
    def is_configured(self) -> bool:
        return bool(self.smtp.smtp_host)


def _supervisors_smtp_password() -> str | None:
    """In a task process, the password its supervisor holds (the environment has it not)."""
    from brisa.runtime import maybe_runtime

    ask = getattr(maybe_runtime(), "smtp_password", None)
    return ask() if callable(ask) else None


def get_email_address_list(addresses: str | Iterable[str]) -> list[str]:
    """Airflow's parsing: a string splits on commas, else semicolons; a list is kept."""
    if isinstance(addresses, str):
        for delimiter in (",", ";"):
            if delimiter in addresses:
                return [address.strip() for address in addresses.split(delimiter) if address.strip()]
        return [addresses.strip()]
    return [address.strip() for address in addresses]


def send_email(
    to: str | Iterable[str],
    subject: str,
    html_content: str,
    files: Iterable[str] | None = None,
    dryrun: bool = False,
    cc: str | Iterable[str] | None = None,
    bcc: str | Iterable[str] | None = None,
    mime_subtype: str = "mixed",
    mime_charset: str = "utf-8",
    conn_id: str | None = None,
    custom_headers: dict[str, Any] | None = None,
    *,
    from_email: str | None = None,
    config: MailConfig | None = None,
    **_kwargs: Any,
) -> None:
    """Send an HTML email through the configured SMTP server (Airflow's semantics and
    positional order: ``to, subject, html_content, files, dryrun, cc, bcc, ...``).

    The sender is ``[smtp] smtp_mail_from``, else ``from_email``, else ``[email]
    from_email``. ``config`` is for tests; DAG code leaves it out.
    """
    config = config or MailConfig.load()
    mail_from = config.smtp.smtp_mail_from or from_email or config.email.from_email
    if not mail_from:
        raise AirflowException(
            "You should set from email - either by [smtp] smtp_mail_from or [email] from_email "
            "config or the `from_email` parameter"
        )
    message, recipients = build_mime_message(
        mail_from, to, subject, html_content, files, cc, bcc, mime_subtype, mime_charset
    )
    for name, value in (custom_headers or {}).items():
        message[name] = value
    if not dryrun:
        send_mime_email(mail_from, recipients, message, conn_id or config.email.email_conn_id, config)


def build_mime_message(
    mail_from: str,
    to: str | Iterable[str],
    subject: str,
    html_content: str,
    files: Iterable[str] | None = None,
    cc: str | Iterable[str] | None = None,
    bcc: str | Iterable[str] | None = None,
    mime_subtype: str = "mixed",
    mime_charset: str = "utf-8",
) -> tuple[MIMEMultipart, list[str]]:
    """The message and every envelope recipient (bcc ones get no header)."""
    to_list = get_email_address_list(to)
    message = MIMEMultipart(mime_subtype)
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = ", ".join(to_list)
    recipients = list(to_list)
    if cc:
        cc_list = get_email_address_list(cc)
        message["CC"] = ", ".join(cc_list)
        recipients += cc_list
    if bcc:
        recipients += get_email_address_list(bcc)
    message["Date"] = formatdate(localtime=True)
    message.attach(MIMEText(html_content, "html", mime_charset))
    for path in files or ():
        message.attach(_attachment(Path(path)))
    return message, recipients


def _attachment(path: Path) -> MIMEApplication:
    part = MIMEApplication(path.read_bytes(), Name=path.name)
    part["Content-Disposition"] = f'attachment; filename="{path.name}"'
    part["Content-ID"] = f"<{path.name}>"
    return part


def send_mime_email(
    mail_from: str, recipients: list[str], message: MIMEMultipart, conn_id: str | None, config: MailConfig
) -> None:
    """Deliver ``message``, retrying a dropped connection ``[smtp] smtp_retry_limit`` times."""
    if not config.is_configured:
        raise SmtpNotConfigured(f"{NO_HOST}: no email sent")
    user, password = _credentials(conn_id, config.smtp)
    attempts = max(1, config.smtp.smtp_retry_limit)
    for attempt in range(1, attempts + 1):
        try:
            client = _connect(config.smtp)
        except smtplib.SMTPServerDisconnected:
            if attempt == attempts:
                raise
            continue
        _deliver(client, config.smtp, user, password, mail_from, recipients, message)
        log.info("Sent an email to %s", recipients)
        return


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    factory = smtplib.SMTP_SSL if smtp.smtp_ssl else smtplib.SMTP
    return factory(host=smtp.smtp_host or "", port=smtp.smtp_port, timeout=smtp.smtp_timeout)


def _deliver(
    client: smtplib.SMTP,
    smtp: SmtpSettings,
    user: str | None,
    password: str | None,
    mail_from: str,
    recipients: list[str],
    message: MIMEMultipart,
) -> None:
    with client:
        # STARTTLS makes no sense on a connection that is already TLS.
        if smtp.smtp_starttls and not smtp.smtp_ssl:
            client.starttls()
        if user and password:
            client.login(user, password)
        client.sendmail(mail_from, recipients, message.as_string())


def _credentials(conn_id: str | None, smtp: SmtpSettings) -> tuple[str | None, str | None]:
    """The connection's login and password when it exists, else ``[smtp]``'s (Airflow 2)."""
    if conn_id:
        connection = _connection(conn_id)
        if connection is not None:
            return connection.login, connection.password
    return smtp.smtp_user, smtp.smtp_password


def _connection(conn_id: str) -> Any:
    from brisa.runtime import NoRuntimeError
    from brisa.sdk.connection import BaseHook
    from brisa.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except (AirflowNotFoundException, NoRuntimeError):
        return None  # no such connection, or no task around: the [smtp] login is used


__all__ = [
    "NO_HOST",
    "MailConfig",
    "SmtpNotConfigured",
    "build_mime_message",
    "get_email_address_list",
    "send_email",
    "send_mime_email",
]
