"""The LocalExecutor: task tries in child processes of this machine.

Children are forked by the zygote (see ``brisa.process.zygote``) and watched by the process
pool's thread; each has a :class:`~brisa.runner.supervisor.TrySupervisor`.  A try
that crashes, leaks memory or calls ``os._exit`` only ends its own process.

Starting a try is a compare-and-set from ``queued`` to ``running`` on the try number
the scheduler queued, so a try can start once at most, whoever else is looking.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from brisa.errors import StoreUnavailable
from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload
from brisa.process.entrypoints import EntryPoints
from brisa.process.pool import ProcessPool
from brisa.runner import entrypoints as runner_entrypoints
from brisa.runner.adoption import Adoption
from brisa.runner.store_runtime import RunActions, SecretsSource, StoreRuntime
from brisa.runner.supervisor import (
    KILL_GRACE_SECONDS,
    Ending,
    TrySupervisor,
    Write,
    claim_tries,
    claim_tries_in,
)
from brisa.runner.tryrecord import TryRecords
from brisa.runner.xcom_sequences import XComSequences
from brisa.store.records import TaskKey, TiRecord
from brisa.store.sql import Store

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class LocalExecutor(BaseExecutor):
    name = "LocalExecutor"

    def __init__(
        self,
        store: Store,
        *,
        parallelism: int,
        secrets: SecretsSource,
        masker_factory: Callable[[], Any],
        actions: RunActions,
        clock: Callable[[], datetime] = utcnow,
        hostname: str | None = None,
        heartbeat_seconds: float = 5.0,
        max_log_bytes: int = 0,
        pool: ProcessPool | None = None,
        smtp_password: str | None = None,
        tries_folder: Path | None = None,
    ) -> None:
        self.store = store
        self.parallelism = parallelism
        self.secrets = secrets
        self.masker_factory = masker_factory
        self.actions = actions
        self.clock = clock
        self.hostname = hostname or socket.getfqdn()
        self.heartbeat_seconds = heartbeat_seconds
        self.max_log_bytes = max_log_bytes
        self.smtp_password = smtp_password
        # Items of upstream XComs that this executor's mapped tries ask for, decoded once.
        self.sequences = XComSequences()
        self.pool = pool or ProcessPool(
            runner_entrypoints.register(EntryPoints()), preload=runner_entrypoints.PRELOAD
        )
        self.records = TryRecords(tries_folder) if tries_folder is not None else None
        """Each task process's durable record, for a scheduler restarted after a crash."""
        self.adoption = (
            Adoption(self.records, masker_factory=masker_factory, clock=clock) if self.records else None
        )
        self._running: dict[tuple[TaskKey, int], TrySupervisor] = {}
        self._reserved = 0
        self._lock = threading.Lock()
        self._events: queue.SimpleQueue[ExecutorEvent | None] = queue.SimpleQueue()
        self._deferred: list[Callable[[], None]] = []
        self._ending: list[tuple[Write, ExecutorEvent]] = []
        self._unclaimed: list[Workload] = []
        self._last_heartbeat = 0.0
        self._stopping = False
        self.on_trigger: Callable[[], None] = lambda: None
        self.job_id: int | None = None
        """The job (scheduler, standalone or worker) supervising these tries; set by its owner."""

    # -- BaseExecutor --------------------------------------------------------------------
    def start(self) -> None:
        self.pool.add_periodic(self._periodic)
        self.pool.add_after_dispatch(self._write_ends)
        self.pool.on_zygote_lost = lambda: self._events.put(None)
        self.pool.start()

    def start_zygote(self) -> None:
        """Fork the zygote now (before the caller starts threads); ``start`` does the rest."""
        self.pool.start_zygote()

    @property
    def slots_free(self) -> int:
        with self._lock:
            return max(0, self.parallelism - len(self._running) - self._reserved)

    def running_keys(self) -> set[tuple[TaskKey, int]]:
        adopted = self.adoption.keys() if self.adoption else set()
        with self._lock:
            return set(self._running) | adopted

    def recover(self, tx: Any, ti: TiRecord, now: datetime) -> Callable[[], None] | None:
        if self.adoption is None or ti.hostname != self.hostname:
            return None
        return self.adoption.recover(tx, ti, self.job_id, now)

    def discard(self, ti: TiRecord) -> None:
        if self.adoption is not None and ti.hostname == self.hostname:
            self.adoption.discard(ti.key, ti.try_number)

    def submit(self, workloads: list[Workload]) -> None:
        if not workloads:
            return
        with self._lock:
            self._reserved += len(workloads)
        # Claimed and spawned on the caller's thread: each hand-off between threads costs a
        # GIL switch, and the scheduler waits for nothing here but the claim's transaction.
        self._start_tries(workloads)

    def claim_in(self, tx: Any, workloads: list[Workload]) -> list[Workload]:
        claimed = claim_tries_in(tx, workloads, now=self.clock(), hostname=self.hostname, job_id=self.job_id)
        with self._lock:
            self._reserved += len(claimed)
        return claimed

    def start_claimed(self, workloads: list[Workload]) -> None:
        with self._lock:
            self._reserved -= len(workloads)
        self._spawn(workloads)

    def abandon_claimed(self, workloads: list[Workload]) -> None:
        with self._lock:
            self._reserved -= len(workloads)

    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        events: list[ExecutorEvent] = []
        try:
            first = self._events.get(timeout=timeout) if timeout > 0 else self._events.get_nowait()
        except queue.Empty:
            return events
        if first is not None:
            events.append(first)
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return events
            if event is not None:
                events.append(event)

    def wake(self) -> None:
        self._events.put(None)

    @property
    def healthy(self) -> bool:
        return self.pool.zygote_alive

    def stop(self, grace: float) -> None:
        """Let running tries finish for ``grace`` seconds, then end them (marked for retry).

        Returns within about ``grace + KILL_GRACE_SECONDS + 3`` seconds: a platform such
        as Heroku kills the process 30 s after SIGTERM, and the default grace is 20 s.
        """
        self._stopping = True
        _wait_until(lambda: not self._running, time.monotonic() + grace)
        if self._running:
            log.warning("ending %d running tries after the %.0fs grace period", len(self._running), grace)
            self.pool.call_soon(self._end_all_for_shutdown)
            _wait_until(lambda: not self._running, time.monotonic() + KILL_GRACE_SECONDS + 1.0)
        self._flush_deferred(time.monotonic() + 2.0)
        self.pool.stop()

    def _flush_deferred(self, deadline: float) -> None:
        """Outcomes still waiting for the database get until ``deadline`` to be written."""
        while self._deferred and time.monotonic() < deadline:
            self.pool.call_soon(self._retry_deferred)
            time.sleep(0.2)
        if self._deferred:
            log.error(
                "%d finished tries could not be recorded (database unavailable); "
                "they count as lost and are retried after the restart",
                len(self._deferred),
            )

    # -- on the pool thread ------------------------------------------------------------------
    def _start_tries(self, workloads: list[Workload]) -> None:
        try:
            started = self._claim(workloads)
        except StoreUnavailable:
            # Keep them: the claim is tried again every tick until the database answers.
            log.warning("database unavailable; %d queued tries wait for it", len(workloads))
            with self._lock:
                self._unclaimed.extend(workloads)
            return
        with self._lock:
            self._reserved -= len(workloads)
        self._spawn(started)
        claimed = {(w.key, w.try_number) for w in started}
        for workload in workloads:
            if (workload.key, workload.try_number) not in claimed:
                self._events.put(ExecutorEvent(workload.key, workload.try_number, None, "not started"))

    def _spawn(self, started: list[Workload]) -> None:
        for workload in started:
            supervisor = self._supervisor_for(workload)
            with self._lock:
                self._running[(workload.key, workload.try_number)] = supervisor
            payload = workload.to_dict()
            if self.records is not None:
                payload["record"] = self.records.payload_for(workload)
            self.pool.spawn(
                runner_entrypoints.TASK,
                payload,
                supervisor,
                file=(workload.fileloc, workload.generation),
                detached=self.records is not None,
            )

    def _claim(self, workloads: list[Workload]) -> list[Workload]:
        return claim_tries(
            self.store, workloads, now=self.clock(), hostname=self.hostname, job_id=self.job_id
        )

    def _supervisor_for(self, workload: Workload) -> TrySupervisor:
        masker = self.masker_factory()
        runtime = StoreRuntime(
            self.store,
            workload.key,
            secrets=self.secrets,
            masker=masker,
            clock=self.clock,
            actions=self.actions,
            on_trigger=lambda: self.on_trigger(),
            sequences=self.sequences,
        )
        return TrySupervisor(
            workload,
            store=self.store,
            runtime=runtime,
            masker=masker,
            clock=self.clock,
            monotonic=time.monotonic,
            record_end=self._record_end,
            max_log_bytes=self.max_log_bytes,
            smtp_password=self.smtp_password,
        )

    def _record_end(self, write: Write, event: ExecutorEvent) -> None:
        """A try ended; its rows are written after this round of events (see _write_ends)."""
        self._ending.append((self._forgetting(write, event), event))

    def _forgetting(self, write: Write, event: ExecutorEvent) -> Write:
        """``write``, then the try's durable record goes once its end is in the store."""
        if self.records is None:
            return write
        records = self.records

        def write_then_forget(tx: Any) -> Callable[[], None]:
            committed = write(tx)

            def done() -> None:
                committed()
                records.forget(event.key, event.try_number)

            return done

        return write_then_forget

    def _write_ends(self) -> None:
        """Every try that ended in this round of events, recorded in one transaction."""
        if not self._ending:
            return
        ending, self._ending = self._ending, []
        try:
            with self.store.transaction() as tx:
                done = [write(tx) for write, _ in ending]
            for committed in done:
                committed()
        except StoreUnavailable:
            log.warning("database unavailable; will record the end of %d tries later", len(ending))
            self._deferred.extend(self._own_transaction(write) for write, _ in ending)
        for _, event in ending:
            self._finished(event)

    def _own_transaction(self, write: Write) -> Callable[[], None]:
        def retry() -> None:
            with self.store.transaction() as tx:
                committed = write(tx)
            committed()

        return retry

    def _finished(self, event: ExecutorEvent) -> None:
        with self._lock:
            self._running.pop((event.key, event.try_number), None)
        self._events.put(event)

    def _periodic(self, now: float) -> None:
        self._retry_unclaimed()
        self._retry_deferred()
        self._flush_logs()
        self._conclude_adopted()
        if now - self._last_heartbeat >= self.heartbeat_seconds:
            self._last_heartbeat = now
            self._heartbeat()

    def _retry_unclaimed(self) -> None:
        with self._lock:
            waiting, self._unclaimed = self._unclaimed, []
        if not waiting:
            return
        if self._stopping:
            # The scheduler puts them back to "scheduled" once this job has ended.
            with self._lock:
                self._reserved -= len(waiting)
            return
        self._start_tries(waiting)

    def _flush_logs(self) -> None:
        """Every running try's new log lines, in one transaction."""
        with self._lock:
            pending = [sup for sup in self._running.values() if sup.has_pending_logs]
        if not pending:
            return
        try:
            with self.store.transaction() as tx:
                done = [sup.write_logs(tx) for sup in pending]
        except StoreUnavailable:
            return
        for committed in done:
            committed()

    def _retry_deferred(self) -> None:
        while self._deferred:
            write = self._deferred[0]
            try:
                write()
            except StoreUnavailable:
                return
            self._deferred.pop(0)

    def _conclude_adopted(self) -> None:
        """Record the end of adopted tries that are over; the scheduler re-plans their runs."""
        if self.adoption is None or not self.adoption.keys():
            return
        now = self.clock()
        ended = self.adoption.ended(now)
        if not ended:
            return
        try:
            with self.store.transaction() as tx:
                done = [self.adoption.conclude(tx, record, now) for record in ended]
        except StoreUnavailable:
            return  # again at the next tick
        for committed, record in zip(done, ended, strict=True):
            committed()
            self._events.put(self.adoption.release(record.workload.key, record.workload.try_number))

    def _heartbeat(self) -> None:
        with self._lock:
            tries = [(key, try_number, sup) for (key, try_number), sup in self._running.items() if sup.pid]
        adopted = self.adoption.keys() if self.adoption else set()
        if not tries and not adopted:
            return
        try:
            with self.store.transaction() as tx:
                gone = set(tx.tis.heartbeat([(k, n) for k, n, _ in tries], self.clock()))
                dropped = self._drop_adopted(tx, adopted)
        except StoreUnavailable:
            return
        for release in dropped:
            self._events.put(release())
        for key, _, supervisor in tries:
            if key in gone and supervisor.ending is None:
                supervisor.note(
                    "the task instance was changed from outside (cleared, marked or timed out): stopping"
                )
                supervisor.end(Ending.EXTERNAL)

    def _drop_adopted(self, tx: Any, adopted: set[tuple[TaskKey, int]]) -> list[Callable[[], ExecutorEvent]]:
        """Heartbeat the adopted tries; end those whose row moved on from outside."""
        if self.adoption is None or not adopted:
            return []
        now = self.clock()
        gone = set(tx.tis.heartbeat(list(adopted), now))
        return [self.adoption.drop(tx, key, n, now) for key, n in adopted if key in gone]

    def _end_all_for_shutdown(self) -> None:
        with self._lock:
            supervisors = list(self._running.values())
        for supervisor in supervisors:
            supervisor.end(Ending.SHUTDOWN)


def _wait_until(done: Callable[[], bool], deadline: float) -> None:
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


__all__ = ["LocalExecutor"]
