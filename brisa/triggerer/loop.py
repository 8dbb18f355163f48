"""The triggerer's shell: heartbeat, claim triggers, run them, write what they fire.

One ``Triggerer`` is a job row of type ``triggerer``.  Each ``tick(now)``:

1. heartbeats its job (a job declared dead starts a new one: its triggers went to others);
2. writes the results its runner produced (events, failures) - ``events``;
3. resumes the tries whose ``trigger_timeout`` passed, drops triggers nobody waits on;
4. claims triggers per ``plan.plan_claims`` (compare-and-set) and makes its runner run
   exactly those it owns - so after a kill -9 the claims of the dead job are taken
   over by the next triggerer to tick, and the triggers re-created from their rows.

It runs in a thread of ``brisa scheduler``/``brisa standalone`` (``[triggerer]
embedded``) or alone as ``brisa triggerer``.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from brisa.errors import StoreUnavailable
from brisa.runtime import SecretsReader, TaskRuntime
from brisa.store.repos.triggers import TriggerRecord
from brisa.store.sql import Store, Transaction
from brisa.triggerer import events
from brisa.triggerer.classes import build_trigger
from brisa.triggerer.plan import plan_claims, plan_running
from brisa.triggerer.reads import TriggerRuntime
from brisa.triggerer.runner import Result, TriggerRunner

log = logging.getLogger("brisa.triggerer")

JOB_TYPE = "triggerer"


@dataclass(frozen=True)
class TriggererConfig:
    capacity: int = 1000
    heartbeat_seconds: float = 5.0
    health_check_threshold: float = 30.0
    """A triggerer whose heartbeat is older than this is dead: its triggers are taken over."""
    sync_seconds: float = 1.0
    """How often the triggers owned are compared with the database (claims, timeouts)."""


class Triggerer:
    def __init__(
        self,
        store: Store,
        *,
        config: TriggererConfig,
        clock: Callable[[], datetime],
        hostname: str | None = None,
        on_change: Callable[[], None] | None = None,
        import_paths: Sequence[str] = (),
        runtime: TaskRuntime | None = None,
        secrets: SecretsReader | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.hostname = hostname or socket.getfqdn()
        self.on_change = on_change
        """Called after tries were resumed (the scheduler in this process ticks at once)."""
        self.import_paths = tuple(import_paths)
        """Where trigger classes of DAG authors live (the DAGs and plugins folders), as Airflow
        puts them on ``sys.path``: a trigger's class path is a module path from there."""
        self.job_id: int | None = None
        # Triggers read other DAGs' states from the store (WorkflowTrigger) and providers'
        # triggers look their connections up (async hooks) through these secrets.
        self.runner = TriggerRunner(runtime or TriggerRuntime(store, secrets))
        self._last_heartbeat: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        for path in self.import_paths:
            if path not in sys.path:
                sys.path.append(path)
        self.runner.start()
        self._start_job(self.clock())

    def start_thread(self) -> None:
        """Start and tick in a daemon thread (inside the scheduler's process)."""
        self.start()
        self._thread = threading.Thread(target=self.run_forever, name="brisa-triggerer", daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        if self.job_id is None:
            self.start()
        while not self._stop.is_set():
            try:
                self.tick(self.clock())
            except StoreUnavailable as exc:
                log.warning("metadata database unavailable (%s); the triggerer retries", exc)
            except Exception:
                log.exception("triggerer tick failed; it goes on")
            self.wait(self.config.sync_seconds)

    def request_stop(self) -> None:
        self._stop.set()
        self.runner.results.put(Result(-1))  # wake the wait

    def stop(self) -> None:
        """Stop running triggers and give them back for other triggerers to claim at once."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(10.0)
        self.runner.stop()
        if self.job_id is None:
            return
        try:
            with self.store.transaction() as tx:
                tx.triggers.release(self.job_id)
                tx.jobs.end(self.job_id, now=self.clock())
        except StoreUnavailable:
            log.warning("could not release the triggers of job %s: database unavailable", self.job_id)

    def _start_job(self, now: datetime) -> None:
        with self.store.transaction() as tx:
            self.job_id = tx.jobs.start(JOB_TYPE, hostname=self.hostname, pid=os.getpid(), now=now)
        self._last_heartbeat = now
        log.info("triggerer job %s started (capacity %d)", self.job_id, self.config.capacity)

    # -- one tick -------------------------------------------------------------------------
    def tick(self, now: datetime) -> None:
        self._heartbeat(now)
        self._write_results(self._drain(), now)
        self._sync(now)

    def _heartbeat(self, now: datetime) -> None:
        assert self.job_id is not None
        last = self._last_heartbeat
        if last is not None and (now - last).total_seconds() < self.config.heartbeat_seconds:
            return
        with self.store.transaction() as tx:
            alive = tx.jobs.heartbeat(self.job_id, now)
        self._last_heartbeat = now
        if not alive:
            log.warning("triggerer job %s was declared dead; starting a new one", self.job_id)
            for trigger_id in self.runner.running:
                self.runner.cancel(trigger_id)
            self._start_job(now)

    def _drain(self) -> list[Result]:
        results: list[Result] = []
        while True:
            try:
                result = self.runner.results.get_nowait()
            except queue.Empty:
                return results
            if result.trigger_id >= 0:
                results.append(result)

    def _write_results(self, results: list[Result], now: datetime) -> None:
        if not results:
            return
        moved = 0
        try:
            with self.store.transaction() as tx:
                for r in results:
                    moved += _write_result(tx, r, now)
        except Exception:
            # Not written: kept for the next tick, or the tries would wait on triggers that fired.
            for result in results:
                self.runner.results.put(result)
            raise
        for result in results:
            if result.final:
                self.runner.forget(result.trigger_id)
        self._changed(moved)

    def _sync(self, now: datetime) -> None:
        assert self.job_id is not None
        if not self.runner.running and not self._any_work():
            return
        threshold = timedelta(seconds=self.config.health_check_threshold)
        with self.store.transaction() as tx:
            timed_out = events.time_out(tx, now=now)
            tx.triggers.delete_unused()
            waiting = tx.triggers.waiting()
            alive = {j.id for j in tx.jobs.running((JOB_TYPE,)) if now - j.latest_heartbeat <= threshold}
            alive.add(self.job_id)
            claims = plan_claims(waiting, me=self.job_id, alive=alive, capacity=self.config.capacity)
            won = {
                c.trigger_id
                for c in claims
                if tx.triggers.claim(c.trigger_id, previous=c.previous, triggerer_id=self.job_id)
            }
            owned = {w.trigger_id for w in waiting if w.triggerer_id == self.job_id} | won
            watchers = {w.trigger_id for w in waiting if w.is_watcher}
            to_start, to_stop = plan_running(owned, self.runner.running)
            rows = tx.triggers.get_many(sorted(to_start))
        for trigger_id in to_stop:
            self.runner.cancel(trigger_id)
        for row in rows:
            self._run_trigger(row, watcher=row.id in watchers)
        self._changed(len(timed_out))

    def _any_work(self) -> bool:
        """One read, no write lock: most of the time (no deferred tries) this is all a sync
        does, every second, beside a scheduler that wants the write lock."""
        with self.store.transaction(readonly=True) as tx:
            return tx.triggers.any_work()

    def _run_trigger(self, row: TriggerRecord, *, watcher: bool) -> None:
        try:
            trigger = build_trigger(row.classpath, row.kwargs)
        except Exception as exc:
            log.exception("trigger %s (%s) cannot be created", row.id, row.classpath)
            self.runner.results.put(Result(row.id, None, (f"{type(exc).__name__}: {exc}",), watcher=watcher))
            return
        trigger.trigger_id = row.id
        trigger.triggerer_job_id = self.job_id
        self.runner.add(row.id, trigger, watcher=watcher)

    def _changed(self, moved: int) -> None:
        if moved and self.on_change is not None:
            self.on_change()

    def wait(self, seconds: float) -> None:
        """Sleep until the next sync, waking early when a trigger fired (written at once)."""
        try:
            first = self.runner.results.get(timeout=seconds)
        except queue.Empty:
            return
        self.runner.results.put(first)


def _write_result(tx: Transaction, result: Result, now: datetime) -> int:
    """Write one trigger's event or failure; how many tries moved or asset events were made."""
    if result.watcher:
        if result.event is not None:
            return events.submit_asset_event(tx, result.trigger_id, result.event, now=now)
        return 0  # a watcher that failed or ended is started again at the next sync
    if result.event is not None:
        return len(events.submit_event(tx, result.trigger_id, result.event, now=now))
    return len(events.submit_failure(tx, result.trigger_id, list(result.traceback), now=now))


__all__ = ["JOB_TYPE", "Triggerer", "TriggererConfig"]
