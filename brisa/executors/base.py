"""The executor interface; the workload handed to it is :mod:`brisa.tries`'s.

An executor runs task tries somewhere (in-process, in child processes, on Celery
workers).  Whoever supervises a try writes its progress to the store through
``advance_ti``; the events an executor returns only tell the scheduler that a try is
over (so it re-plans that run at once) and that a slot is free.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import datetime
from typing import Any

from brisa.errors import ExecutorError
from brisa.store.records import TaskKey
from brisa.tries.outcome import ExecutorEvent
from brisa.tries.workload import Workload


class BaseExecutor(abc.ABC):
    """Runs workloads; never decides task states on its own."""

    name = "base"

    def start(self) -> None:  # noqa: B027 - optional hook
        """Prepare to run tries (processes, connections); called once, before threads."""

    @abc.abstractmethod
    def submit(self, workloads: list[Workload]) -> None:
        """Start these tries (their rows are already ``queued``)."""

    @abc.abstractmethod
    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        """Events since the last call, waiting up to ``timeout`` seconds for the first."""

    @property
    @abc.abstractmethod
    def slots_free(self) -> int:
        """How many more tries this executor takes now."""

    @abc.abstractmethod
    def running_keys(self) -> set[tuple[TaskKey, int]]:
        """(key, try_number) of the tries this executor currently supervises."""

    def claim_in(self, tx: Any, workloads: list[Workload]) -> list[Workload]:
        """Start tries inside the caller's transaction (queued -> running), if this executor
        supervises them in this process; returns those claimed, to pass to
        :meth:`start_claimed` after the commit. Saves a transaction per try on the
        critical path of a chain of tasks. By default nothing is claimed here."""
        return []

    def start_claimed(self, workloads: list[Workload]) -> None:
        """Run tries claimed by :meth:`claim_in` once its transaction committed."""
        if workloads:
            raise ExecutorError(f"{self.name} does not claim tries in the scheduler's transaction")

    def abandon_claimed(self, workloads: list[Workload]) -> None:  # noqa: B027 - optional hook
        """The transaction of :meth:`claim_in` failed: forget those tries."""

    def recover(self, tx: Any, ti: Any, now: datetime) -> Callable[[], None] | None:
        """A running try whose supervisor died: if its process ran on this host, adopt it
        or record how it ended, in ``tx``; returns what to do once ``tx`` committed. None
        when this executor knows nothing of it (the scheduler then fails the try)."""
        return None

    def discard(self, ti: Any) -> None:  # noqa: B027 - optional hook
        """A try cleared while its supervisor was dead: end what is left of it on this host."""

    def wake(self) -> None:  # noqa: B027 - optional hook
        """Make a pending ``poll`` return early (e.g. a run was triggered)."""

    @abc.abstractmethod
    def stop(self, grace: float) -> None:
        """Stop taking work; let running tries finish for ``grace`` seconds, then end them."""


__all__ = ["BaseExecutor", "ExecutorEvent", "Workload"]
