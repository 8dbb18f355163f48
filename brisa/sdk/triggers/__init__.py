"""Triggers: small asyncio waits a deferred task hands to the triggerer.

``base`` has Airflow's interface (``BaseTrigger``, ``TriggerEvent``, the task-ending
events of ``end_from_trigger``); ``temporal`` and ``file`` are the standard provider's
triggers.  The triggerer itself lives in :mod:`brisa.triggerer`.
"""

from __future__ import annotations

from brisa.sdk.triggers.base import (
    BaseEventTrigger,
    BaseTrigger,
    StartTriggerArgs,
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)

__all__ = [
    "BaseEventTrigger",
    "BaseTrigger",
    "StartTriggerArgs",
    "TaskFailedEvent",
    "TaskSkippedEvent",
    "TaskSuccessEvent",
    "TriggerEvent",
]
