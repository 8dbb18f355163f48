"""``EmailOperator``: send an HTML email through ``[smtp]`` (Airflow's ``airflow.operators.email``
and ``airflow.providers.smtp.operators.smtp``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brisa.sdk.baseoperator import BaseOperator


class EmailOperator(BaseOperator):
    """Send ``html_content`` (templated; a ``.html`` file name is read and rendered) to ``to``."""

    template_fields = ("to", "from_email", "subject", "html_content", "files", "cc", "bcc")
    template_fields_renderers = {"html_content": "html"}
    template_ext = (".html",)
    ui_color = "#e6faf9"

    def __init__(
        self,
        *,
        to: str | Iterable[str],
        subject: str,
        html_content: str,
        files: list[str] | None = None,
        cc: str | Iterable[str] | None = None,
        bcc: str | Iterable[str] | None = None,
        mime_subtype: str = "mixed",
        mime_charset: str = "utf-8",
        conn_id: str | None = None,
        from_email: str | None = None,
        custom_headers: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.to = to
        self.subject = subject
        self.html_content = html_content
        self.files = files or []
        self.cc = cc
        self.bcc = bcc
        self.mime_subtype = mime_subtype
        self.mime_charset = mime_charset
        self.conn_id = conn_id
        self.from_email = from_email
        self.custom_headers = custom_headers

    def execute(self, context: dict[str, Any]) -> None:
        from brisa.sdk.email import send_email

        send_email(
            self.to,
            self.subject,
            self.html_content,
            files=self.files,
            cc=self.cc,
            bcc=self.bcc,
            mime_subtype=self.mime_subtype,
            mime_charset=self.mime_charset,
            conn_id=self.conn_id,
            from_email=self.from_email,
            custom_headers=self.custom_headers,
        )


__all__ = ["EmailOperator"]
