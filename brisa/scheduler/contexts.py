"""What workloads carry of each running run, read from the store once a minute at most.

A chain of tasks queues one try at a time, each needing its run's context (with the
previous successful run's dates): reading it once per run, not per try, keeps the
queueing transaction short.  The loop drops a run's entry when it starts or ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from brisa.tries.build import run_context
from brisa.tries.workload import RunContext

CONTEXT_TTL_SECONDS = 60.0
MAX_CONTEXTS = 1000
"""Past this many entries, the expired ones are dropped."""

RunKey = tuple[str, str]


class RunContexts:
    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._entries: dict[RunKey, tuple[float, RunContext, str | None]] = {}

    def get(self, tx: Any, dag_id: str, run_id: str) -> tuple[RunContext, str | None]:
        """The run's context and why it cannot be handed to a task process (or None)."""
        now = self._monotonic()
        cached = self._entries.get((dag_id, run_id))
        if cached is not None and now - cached[0] < CONTEXT_TTL_SECONDS:
            return cached[1], cached[2]
        if len(self._entries) > MAX_CONTEXTS:
            self._entries = {k: v for k, v in self._entries.items() if now - v[0] < CONTEXT_TTL_SECONDS}
        context = run_context(tx, dag_id, run_id)
        problem = context.handoff_problem()
        self._entries[(dag_id, run_id)] = (now, context, problem)
        return context, problem

    def forget(self, dag_id: str, run_id: str) -> None:
        """The run started or ended: its dates or state changed."""
        self._entries.pop((dag_id, run_id), None)


__all__ = ["CONTEXT_TTL_SECONDS", "RunContexts"]
