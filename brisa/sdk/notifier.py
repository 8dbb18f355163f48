"""Airflow's notifiers: ``on_failure_callback=[SomeNotifier(...)]`` (Airflow 2.6+ and 3.x).

A notifier is a callable object with templated fields: called with the callback's context,
it renders its ``template_fields`` against it and calls :meth:`BaseNotifier.notify`. A
notifier that fails is logged and never changes the task's state, as in Airflow.
:class:`WebhookNotifier` is Brisa's own: it posts the event as JSON to a URL (Slack's and
Teams' incoming webhooks, Discord, a pager, your own service).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)


class BaseNotifier:
    """Subclass it and implement :meth:`notify`; list in ``template_fields`` the attributes
    to render against the context first (they may hold ``{{ ... }}``)."""

    template_fields: Sequence[str] = ()
    template_ext: Sequence[str] = ()

    def notify(self, context: Mapping[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement notify(context)")

    async def async_notify(self, context: Mapping[str, Any]) -> None:
        """Airflow 3.1's asynchronous form; Brisa calls :meth:`notify`."""
        self.notify(context)

    def render_template_fields(self, context: Mapping[str, Any], jinja_env: Any = None) -> None:
        from brisa.templating import make_environment, render_field

        dag = context.get("dag")
        env = jinja_env or (dag.get_template_env() if dag is not None else make_environment())
        for name in self.template_fields:
            value = getattr(self, name, None)
            if value:
                setattr(self, name, render_field(value, dict(context), env, tuple(self.template_ext)))

    def __call__(self, *args: Any) -> None:
        # One argument: a task or DAG callback's context. Five: Airflow 2's SLA-miss callback.
        context = args[0] if len(args) == 1 else dict(zip(_SLA_ARGUMENTS, args, strict=False))
        try:
            self.render_template_fields(context)
            self.notify(context)
        except Exception as err:
            log.exception("Failed to send notification: %s", err)


_SLA_ARGUMENTS = ("dag", "task_list", "blocking_task_list", "slas", "blocking_tis")


class WebhookNotifier(BaseNotifier):
    """POST the event as JSON to ``url``. ``url``, ``headers`` and ``body`` are templated, so
    secrets come from variables or connections (``{{ var.value.slack_webhook }}``) and are
    masked in the log. Without ``body`` the JSON says what happened: DAG, task, run, state,
    try, the exception and the log's URL."""

    template_fields = ("url", "headers", "body")

    def __init__(
        self,
        url: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        method: str = "POST",
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.body = body
        self.headers = dict(headers or {})
        self.method = method
        self.timeout = timeout

    def notify(self, context: Mapping[str, Any]) -> None:
        payload = self.body if self.body is not None else event_of(context)
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload, default=str).encode()
        request = urllib.request.Request(
            self.url,
            data=data,
            method=self.method,
            headers={"Content-Type": "application/json", **self.headers},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            log.info("Notified %s: HTTP %s", self.url.split("?")[0], answer.status)


def event_of(context: Mapping[str, Any]) -> dict[str, Any]:
    """What a default webhook body says of a callback's context."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    exception = context.get("exception")
    return {
        "dag_id": getattr(context.get("dag"), "dag_id", None) or getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": getattr(dag_run, "run_id", None) or getattr(ti, "run_id", None),
        "state": getattr(ti, "state", None) if ti is not None else getattr(dag_run, "state", None),
        "try_number": getattr(ti, "try_number", None),
        "logical_date": context.get("logical_date"),
        "reason": context.get("reason"),
        "exception": f"{type(exception).__name__}: {exception}" if exception is not None else None,
        "log_url": getattr(ti, "log_url", None),
    }


__all__ = ["BaseNotifier", "WebhookNotifier", "event_of"]
