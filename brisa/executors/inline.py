"""The InlineExecutor: runs each try in this process, at once, one after another.

The executor fake (tests, ``brisa dags test``): the same claim and outcome writes as
the LocalExecutor, without processes.  ``run_try`` decides what a try does; by default
the real task runner runs the DAG file's task in-process.
"""

from __future__ import annotations

import queue
import socket
from collections.abc import Callable
from datetime import UTC, datetime

from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload
from brisa.runner.supervisor import claim_tries, record_outcome
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.tries.outcome import Outcome

RunTry = Callable[[Workload], Outcome]


class InlineExecutor(BaseExecutor):
    name = "InlineExecutor"

    def __init__(
        self,
        store: Store,
        run_try: RunTry,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parallelism: int = 32,
    ) -> None:
        self.store = store
        self.run_try = run_try
        self.clock = clock
        self.parallelism = parallelism
        self.job_id: int | None = None
        self.submitted: list[Workload] = []
        self._events: queue.SimpleQueue[ExecutorEvent] = queue.SimpleQueue()

    @property
    def slots_free(self) -> int:
        return self.parallelism

    def running_keys(self) -> set[tuple[TaskKey, int]]:
        return set()

    def submit(self, workloads: list[Workload]) -> None:
        self.submitted.extend(workloads)
        started = claim_tries(
            self.store, workloads, now=self.clock(), hostname=socket.getfqdn(), job_id=self.job_id
        )
        for workload in started:
            outcome = self.run_try(workload)
            with self.store.transaction() as tx:
                record_outcome(tx, workload, outcome, {}, pid=None, now=self.clock())
            self._events.put(ExecutorEvent(workload.key, workload.try_number, outcome.state.value))

    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def stop(self, grace: float) -> None:
        """Nothing runs in the background."""


__all__ = ["InlineExecutor", "RunTry"]
