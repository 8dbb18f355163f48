"""Tries of this host whose supervisor died: adopted while they run, recorded when they end.

After a crash that killed the scheduler with its process group, its task processes run
on (see :mod:`brisa.runner.tryrecord`). The restarted scheduler's orphan check hands
each such try to :meth:`Adoption.recover`, which, from the try's durable record:

* applies the outcome the task process recorded while no scheduler was there (a success
  stays a success; a failure counts as a failed try, as the task itself decided);
* adopts a task process that still runs (the same process: pid, start time and boot):
  its row stays ``running``, heartbeated by this executor, until it ends (then as above)
  or passes its ``execution_timeout`` (then it is killed and the try fails);
* otherwise ends whatever the try left running, then fails the try, counting it.

So no other try of that task starts while one may still run here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from brisa.runner.supervisor import TIMEOUT_SLACK_SECONDS, LineMasker, chunk_lines, record_outcome
from brisa.runner.tryrecord import TryRecord, TryRecords, end_survivors
from brisa.store.records import TaskKey, TiRecord
from brisa.tries.outcome import ExecutorEvent, Outcome
from brisa.tries.retry import after_failed_try

log = logging.getLogger(__name__)

TryId = tuple[TaskKey, int]


class Adoption:
    """What the executor of this host knows of tries nobody supervises."""

    def __init__(
        self,
        records: TryRecords,
        *,
        masker_factory: Callable[[], LineMasker],
        clock: Callable[[], datetime],
    ) -> None:
        self.records = records
        self.masker_factory = masker_factory
        self.clock = clock
        self._adopted: dict[TryId, TryRecord] = {}
        self._lock = threading.Lock()

    def keys(self) -> set[TryId]:
        with self._lock:
            return set(self._adopted)

    # -- from the scheduler's orphan check --------------------------------------------------
    def recover(self, tx: Any, ti: TiRecord, job_id: int | None, now: datetime) -> Callable[[], None] | None:
        """Adopt ``ti``'s running try or record how it ended, in ``tx``; returns what to do
        once ``tx`` committed. None when this host has no record of that try."""
        record = self._read(ti.key, ti.try_number)
        if record is None:
            return None
        if record.is_running() and not self._past_deadline(record, now):
            self._adopt(tx, record, job_id, now)
            return lambda: None
        return self.conclude(tx, record, now)

    def discard(self, key: TaskKey, try_number: int) -> None:
        """The try was cleared while nobody supervised it: end what is left of it."""
        record = self._read(key, try_number)
        if record is not None:
            end_survivors(record.process, record.token)
            self.records.forget(key, try_number)

    def _read(self, key: TaskKey, try_number: int) -> TryRecord | None:
        record = self.records.read(key, try_number)
        if record is not None and record.outcome is None and not record.process.is_alive():
            # It may have written its end just before it exited.
            record = self.records.read(key, try_number)
        return record

    def _adopt(self, tx: Any, record: TryRecord, job_id: int | None, now: datetime) -> None:
        key, try_number = record.workload.key, record.workload.try_number
        tx.tis.update_fields(key, supervisor_job_id=job_id, last_heartbeat_at=now)
        note = f"its scheduler died; adopted the task process (pid {record.process.pid}), still running"
        tx.logs.append(key, try_number, [_line(now, note)], now=now)
        with self._lock:
            self._adopted[(key, try_number)] = record
        log.warning("adopted try %s of %s (pid %s) after a crash", try_number, key, record.process.pid)

    # -- on the executor's thread --------------------------------------------------------------
    def ended(self, now: datetime) -> list[TryRecord]:
        """Adopted tries that are over (or past their deadline), with what they recorded."""
        with self._lock:
            adopted = list(self._adopted.values())
        over = []
        for record in adopted:
            fresh = self._read(record.workload.key, record.workload.try_number) or record
            if not fresh.is_running() or self._past_deadline(fresh, now):
                over.append(fresh)
        return over

    def release(self, key: TaskKey, try_number: int) -> ExecutorEvent:
        """Stop tracking a try whose end is in the store (or that was cleared)."""
        with self._lock:
            self._adopted.pop((key, try_number), None)
        self.records.forget(key, try_number)
        return ExecutorEvent(key, try_number, None, "adopted try ended")

    def drop(self, tx: Any, key: TaskKey, try_number: int, now: datetime) -> Callable[[], ExecutorEvent]:
        """Its row moved on from outside (cleared, marked): end it, as a supervisor would
        (a cleared try's ``restarting`` goes back to none once nothing of it runs)."""
        with self._lock:
            record = self._adopted.get((key, try_number))
        if record is not None:
            end_survivors(record.process, record.token)
            record_outcome(tx, record.workload, None, {}, pid=record.process.pid, now=now)
        return lambda: self.release(key, try_number)

    # -- the end of a try ------------------------------------------------------------------------
    def conclude(self, tx: Any, record: TryRecord, now: datetime) -> Callable[[], None]:
        """Write how ``record``'s try ended; nothing of it runs once this returns."""
        killed = end_survivors(record.process, record.token)
        outcome, note = self._outcome(record, now, killed)
        key, try_number = record.workload.key, record.workload.try_number
        masker = self.masker_factory()
        output = self.records.output(key, try_number).decode("utf-8", errors="backslashreplace")
        lines = [_line(now, masker.mask(text), "") for text in output.splitlines()]
        tx.logs.append(key, try_number, chunk_lines([*lines, _line(now, note)]), now=now)
        for name, value in record.xcoms:
            tx.xcoms.set(key, name, value, now=now)
        record_outcome(tx, record.workload, outcome, {}, pid=record.process.pid, now=now)
        log.warning("try %s of %s ended while unsupervised: %s", try_number, key, outcome.state.value)
        return lambda: self.records.forget(key, try_number)

    def _outcome(self, record: TryRecord, now: datetime, killed: list[int]) -> tuple[Outcome, str]:
        if record.outcome is not None:
            state = record.outcome.state.value
            return record.outcome, f"the task process ended while no scheduler supervised it: {state}"
        w = record.workload
        if self._past_deadline(record, now):
            reason = "execution_timeout exceeded while no scheduler supervised it: killed"
        else:
            reason = "the task process ended without reporting how"
        outcome = after_failed_try(
            w.retry, try_number=w.try_number, max_tries=w.max_tries, now=now, seed=w.retry_seed, error=reason
        )
        ended = f" (ended {len(killed)} processes it left running)" if killed else ""
        note = (
            "the process supervising this try stopped answering (dead scheduler or worker); "
            f"{reason}{ended}; the try is {outcome.state.value}"
        )
        return outcome, note

    @staticmethod
    def _past_deadline(record: TryRecord, now: datetime) -> bool:
        timeout = record.workload.execution_timeout
        if not timeout:
            return False
        deadline = record.started_at + float(timeout) + TIMEOUT_SLACK_SECONDS
        return now.timestamp() > deadline


def _line(now: datetime, text: str, source: str = "{scheduler} ") -> str:
    return f"[{now.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}+0000] {source}{text}\n"


__all__ = ["Adoption"]
