"""Brisa's built-in notifiers, for ``on_failure_callback=[...]`` (see :mod:`brisa.sdk.notifier`)."""

from brisa.sdk.notifier import BaseNotifier, WebhookNotifier

__all__ = ["BaseNotifier", "WebhookNotifier"]
