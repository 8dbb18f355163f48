"""Tries whose owner is gone: reset, adopted, or failed.

Now and then the loop looks at every queued, running or restarting try it does not
supervise itself.  A queued try whose scheduler died (or that this one queued long
ago and lost) goes back to ``scheduled``; a running try whose supervisor stopped
heartbeating is adopted by the executor if its process still runs on this host,
else it fails as its retry policy says (:func:`brisa.tries.retry.after_failed_try`).
Jobs that stopped heartbeating are declared dead here too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta

from brisa.executors.base import BaseExecutor
from brisa.scheduler.workloads import log_time
from brisa.states import TaskState, advance_ti
from brisa.store.records import TiRecord
from brisa.store.sql import Store, Transaction
from brisa.tries.retry import RetryPolicy, after_failed_try

log = logging.getLogger("brisa.scheduler.loop")

MAX_ORPHANS_PER_CHECK = 200


class OrphanReaper:
    def __init__(
        self,
        store: Store,
        executor: BaseExecutor,
        *,
        hostname: str,
        check_seconds: float,
        threshold_seconds: float,
        policy_for: Callable[[TiRecord], RetryPolicy],
        mark_dirty: Callable[[str, str], None],
    ) -> None:
        self.store = store
        self.executor = executor
        self.hostname = hostname
        self.check_seconds = check_seconds
        self.threshold = timedelta(seconds=threshold_seconds)
        self.policy_for = policy_for
        self.mark_dirty = mark_dirty
        self.job_id: int | None = None
        self._last_check: datetime | None = None
        self._recovered: list[Callable[[], None]] = []
        """What to do once the check's transaction committed (forget try records)."""

    def check(self, now: datetime) -> None:
        if self._last_check and (now - self._last_check).total_seconds() < self.check_seconds:
            return
        self._last_check = now
        self._recovered = []
        with self.store.transaction() as tx:
            self._declare_dead_jobs(tx, now)
            in_flight, dead = self._in_flight(tx)
            handled = 0
            for ti in in_flight:
                handled += self._handle(tx, ti, dead, now)
                if handled >= MAX_ORPHANS_PER_CHECK:
                    # Thousands of orphans (a big worker died) are taken in slices, so one
                    # transaction never holds the scheduler (and the web server's GIL) for long.
                    self._last_check = None
                    break
        for committed in self._recovered:
            committed()
        self._recovered = []

    def _in_flight(self, tx: Transaction) -> tuple[list[TiRecord], set[int]]:
        """Tries in flight that this executor does not supervise, and the dead jobs among
        their owners."""
        mine = {k for k, _ in self.executor.running_keys()}
        in_flight = [
            ti
            for ti in tx.tis.in_states([TaskState.QUEUED, TaskState.RUNNING, TaskState.RESTARTING])
            if ti.key not in mine
        ]
        owners = {ti.queued_by_job_id for ti in in_flight} | {ti.supervisor_job_id for ti in in_flight}
        alive = tx.jobs.alive_ids([j for j in owners if j is not None])
        return in_flight, {j for j in owners if j is not None and j not in alive}

    def _declare_dead_jobs(self, tx: Transaction, now: datetime) -> None:
        for job in tx.jobs.running():
            if job.id == self.job_id:
                continue
            gone = job.latest_heartbeat < now - self.threshold or (
                job.hostname == self.hostname and not _pid_alive(job.pid)
            )
            if gone and tx.jobs.mark_failed(job.id, now=now):
                log.warning(
                    "job %s (%s on %s, pid %s) is dead; adopting its work",
                    job.id,
                    job.job_type,
                    job.hostname,
                    job.pid,
                )

    def _handle(self, tx: Transaction, ti: TiRecord, dead: set[int], now: datetime) -> bool:
        """Reset or fail ``ti`` if whoever had it is gone; True if it did."""
        if ti.state == TaskState.QUEUED:
            return self._handle_queued(tx, ti, dead, now)
        supervisor_dead = ti.supervisor_job_id is not None and ti.supervisor_job_id in dead
        stale = ti.last_heartbeat_at is None or ti.last_heartbeat_at < now - self.threshold
        if not (supervisor_dead or stale):
            return False
        if ti.state == TaskState.RESTARTING:
            self.executor.discard(ti)  # nothing of the cleared try may run beside the next one
            advance_ti(tx, ti.key, TaskState.RESTARTING, None, try_number_is=ti.try_number, updated_at=now)
        elif (recovered := self.executor.recover(tx, ti, now)) is not None:
            # Adopted (it still runs here) or its recorded end applied: see brisa.runner.adoption.
            self._recovered.append(recovered)
        else:
            self._fail(tx, ti, now)
        self.mark_dirty(ti.dag_id, ti.run_id)
        return True

    def _handle_queued(self, tx: Transaction, ti: TiRecord, dead: set[int], now: datetime) -> bool:
        owner_dead = ti.queued_by_job_id in dead or ti.queued_by_job_id is None
        mine_but_lost = (
            ti.queued_by_job_id == self.job_id and ti.queued_dttm and ti.queued_dttm < now - self.threshold
        )
        if not (owner_dead or mine_but_lost):
            return False
        advance_ti(
            tx,
            ti.key,
            TaskState.QUEUED,
            TaskState.SCHEDULED,
            try_number_is=ti.try_number,
            try_number=max(0, ti.try_number - 1),
            updated_at=now,
        )
        self.mark_dirty(ti.dag_id, ti.run_id)
        return True

    def _fail(self, tx: Transaction, ti: TiRecord, now: datetime) -> None:
        outcome = after_failed_try(
            self.policy_for(ti), try_number=ti.try_number, max_tries=ti.max_tries, now=now, seed=str(ti.key)
        )
        state = outcome.state
        if advance_ti(
            tx,
            ti.key,
            TaskState.RUNNING,
            state,
            try_number_is=ti.try_number,
            end_date=now,
            next_try_at=outcome.next_try_at,
            updated_at=now,
        ):
            tx.logs.append(
                ti.key,
                ti.try_number,
                [
                    f"[{log_time(now)}] {{scheduler}} the process "
                    f"supervising this try stopped answering (dead scheduler or worker); "
                    f"the try is {state.value}\n"
                ],
                now=now,
            )
            tx.tis.archive_try(ti, state=state, end_date=now)
            log.warning("try %s of %s was orphaned; now %s", ti.try_number, ti.key, state.value)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["MAX_ORPHANS_PER_CHECK", "OrphanReaper"]
