"""Airflow's trigger interface: ``BaseTrigger.run()`` yields ``TriggerEvent``s.

A trigger is rebuilt in the triggerer from ``serialize()``: a class path and keyword
arguments (JSON with :mod:`brisa.serde`'s tags, so datetimes and timedeltas survive).
Its first event resumes the deferred task, or with ``end_from_trigger`` a
``TaskSuccessEvent``/``TaskFailedEvent``/``TaskSkippedEvent`` ends it without a worker.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


class TriggerEvent:
    """What a trigger fires with; the resumed method gets ``payload`` as ``event``."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __repr__(self) -> str:
        return f"TriggerEvent<{self.payload!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TriggerEvent) and other.payload == self.payload

    def __hash__(self) -> int:
        return hash(repr(self.payload))


class _TaskEndEvent(TriggerEvent):
    """Ends the task in ``task_state`` from the triggerer (``end_from_trigger``)."""

    task_state = ""

    def __init__(self, *, xcoms: dict[str, Any] | None = None) -> None:
        super().__init__(payload=self.task_state)
        self.xcoms = xcoms


class TaskSuccessEvent(_TaskEndEvent):
    task_state = "success"


class TaskFailedEvent(_TaskEndEvent):
    task_state = "failed"


class TaskSkippedEvent(_TaskEndEvent):
    task_state = "skipped"


class BaseTrigger(abc.ABC):
    """Subclasses implement ``serialize()`` and ``async run()``."""

    supports_triggerer_queue = True

    def __init__(self, **kwargs: Any) -> None:
        self.trigger_id: int | None = None
        self.task_instance: Any = None
        self.triggerer_job_id: int | None = None

    @property
    def log(self) -> logging.Logger:
        return logging.getLogger(f"airflow.triggers.{type(self).__name__}")

    @abc.abstractmethod
    def serialize(self) -> tuple[str, dict[str, Any]]:
        """``(classpath, kwargs)``: how the triggerer re-creates this trigger."""

    @abc.abstractmethod
    def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait asynchronously; yield one event (more are ignored for a task)."""

    async def cleanup(self) -> None:  # noqa: B027 - optional hook
        """Called when the trigger stops running (fired, cancelled, moved)."""

    def __repr__(self) -> str:
        classpath, kwargs = self.serialize()
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        return f"<{classpath} {args}>"


class BaseEventTrigger(BaseTrigger, abc.ABC):
    """Airflow 3's base for triggers that may also watch assets."""


@dataclass
class StartTriggerArgs:
    """What an operator with ``start_from_trigger`` defers on without running a worker."""

    trigger_cls: str
    next_method: str
    trigger_kwargs: dict[str, Any] | None = None
    next_kwargs: dict[str, Any] | None = None
    timeout: timedelta | None = None


def classpath_of(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


__all__ = [
    "BaseEventTrigger",
    "BaseTrigger",
    "StartTriggerArgs",
    "TaskFailedEvent",
    "TaskSkippedEvent",
    "TaskSuccessEvent",
    "TriggerEvent",
    "classpath_of",
]
