"""Tries whose pool does not exist: said once in the task's log and the scheduler's.

Airflow leaves such a task scheduled and logs only in the scheduler. Brisa leaves it
scheduled too (creating the pool lets it run), but writes the reason into the log the
task page shows, and ``brisa tasks failed-deps`` and the task page give it as the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Sequence
from datetime import datetime

from brisa.plan.queue import missing_pool_message
from brisa.store.records import TaskKey, TiRecord
from brisa.store.sql import Transaction

log = logging.getLogger(__name__)

MAX_REMEMBERED = 10_000


class MissingPools:
    """Remembers which tries were told, so each is told once per scheduler process."""

    def __init__(self) -> None:
        self._told: set[tuple[TaskKey, int]] = set()

    def report(
        self, tx: Transaction, candidates: Sequence[TiRecord], pools: Container[str], now: datetime
    ) -> None:
        for ti in candidates:
            if ti.pool not in pools and (ti.key, ti.try_number) not in self._told:
                self._tell(tx, ti, now)

    def _tell(self, tx: Transaction, ti: TiRecord, now: datetime) -> None:
        if len(self._told) >= MAX_REMEMBERED:
            self._told.clear()
        self._told.add((ti.key, ti.try_number))
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        line = f"[{stamp}+0000] {{scheduler}} WARNING - {missing_pool_message(ti.pool)}\n"
        tx.logs.append(ti.key, ti.try_number, [line], now=now)
        log.warning("task %s not queued: %s", ti.key, missing_pool_message(ti.pool))


__all__ = ["MissingPools"]
