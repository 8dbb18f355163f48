"""The scheduler's I/O shell: ``tick(now)`` loads, asks the pure planners, writes.

One tick:

1. record this job's heartbeat; take in freshly parsed DAGs;
2. create the runs timetables say are due (``runs.due_runs``);
3. start queued runs while ``max_active_runs`` allows;
4. plan every running run that changed (``plan.plan_run``) and write the plan;
5. queue scheduled tries within pools and limits (``queue.select_for_queue``);
6. now and then, adopt or reset tries whose supervisor died.

Every state change goes through ``advance_ti``/``advance_run``: compare-and-set, so
two schedulers on one PostgreSQL (Heroku's preboot, HA) can tick at the same time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from brisa.errors import BrisaError, ConflictError, StoreError, StoreUnavailable
from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload
from brisa.metrics import Metrics, NullMetrics
from brisa.plan.queue import Limits, select_for_queue
from brisa.plan.runs import (
    SCHEDULED,
    DuePlan,
    backfill_limits,
    due_runs,
    run_id_for,
    running_counts,
    runs_to_start,
)
from brisa.plan.tasks import PastState, RunPlan, plan_run
from brisa.plugins import registered_timetables
from brisa.scheduler.assets import create_asset_triggered_runs
from brisa.scheduler.contexts import RunContexts
from brisa.scheduler.orphans import OrphanReaper
from brisa.scheduler.partitions import create_partitioned_asset_runs
from brisa.scheduler.pools import MissingPools
from brisa.scheduler.workloads import prepare_workload, refuse_try
from brisa.serialized import SerializedDag
from brisa.services.dags import last_automated_interval, restriction_for
from brisa.services.runs import create_run, set_run_state, ti_rows
from brisa.states import RunState, TaskState, advance_ti
from brisa.store.jobs import end_job
from brisa.store.records import RunRecord, TiRecord
from brisa.store.sql import Store, Transaction
from brisa.timetables import timetable_from_dict
from brisa.tries.build import retry_policy
from brisa.tries.deferral import start_fields
from brisa.tries.retry import RetryPolicy

log = logging.getLogger(__name__)

LOCKED_RUN_RETRY = timedelta(seconds=0.5)
"""How soon to plan a run again that another scheduler was planning (its row was locked)."""


@dataclass(frozen=True)
class SchedulerConfig:
    max_active_tasks_per_dag: int = 16
    max_active_runs_per_dag: int = 16
    max_dagruns_per_loop: int = 50
    max_tis_per_query: int = 512
    heartbeat_seconds: float = 5.0
    orphan_check_seconds: float = 10.0
    orphan_threshold_seconds: float = 60.0
    idle_seconds: float = 1.0
    sweep_seconds: float = 5.0
    min_tick_seconds: float = 0.005
    job_type: str = "scheduler"


LOOK_EVERY_SECONDS = 0.05
RELOAD_ALL_ABOVE = 500
"""More DAGs reported changed than this: read every hash at once (one query, no huge IN list)."""


@dataclass(frozen=True)
class _Outlook:
    dags_due: bool
    runs_queued: bool
    tis_scheduled: bool
    settled_runs: set[tuple[str, str]]


class Scheduler:
    def __init__(
        self,
        store: Store,
        executor: BaseExecutor,
        *,
        config: SchedulerConfig,
        clock: Callable[[], datetime],
        processor: Any = None,
        callbacks: Any = None,
        hostname: str | None = None,
        housekeeping: Callable[[datetime], None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.metrics: Metrics = metrics or NullMetrics()
        """Airflow's StatsD figures (brisa/metrics.py); off unless [metrics] asks."""
        self.executor = executor
        self.config = config
        self.clock = clock
        self.processor = processor
        self.callbacks = callbacks
        self.housekeeping = housekeeping
        """Called at the end of every tick (the retention clean; it keeps its own pace)."""
        self.hostname = hostname or socket.getfqdn()
        self.job_id: int | None = None
        self._dags: dict[str, SerializedDag] = {}
        self._asset_dags: dict[str, SerializedDag] = {}
        """The DAGs of ``_dags`` scheduled on assets (what the asset steps look at)."""
        self._dag_hashes: dict[str, str] = {}
        self._paused: set[str] = set()
        self._dirty: dict[tuple[str, str], bool] = {}
        """Runs to plan; False when only leaf tasks finished (a cheap look may do)."""
        self._wake_at: dict[tuple[str, str], datetime] = {}
        self._last_sweep: datetime | None = None
        self._last_heartbeat: datetime | None = None
        self._orphans = OrphanReaper(
            store,
            executor,
            hostname=self.hostname,
            check_seconds=config.orphan_check_seconds,
            threshold_seconds=config.orphan_threshold_seconds,
            policy_for=self._retry_policy_of,
            mark_dirty=self._mark_dirty,
        )
        self._last_look = 0.0
        self._contexts = RunContexts()
        """What workloads carry of each running run; dropped when it starts, ends or ages."""
        self._last_dag_refresh: datetime | None = None
        self._queue_backlog = False
        """The last queueing pass filled its batch: more tries may be waiting, tick again now."""
        self._missing_pools = MissingPools()
        self._stop = threading.Event()

    # -- life cycle -------------------------------------------------------------------
    def start_job(self) -> int:
        now = self.clock()
        with self.store.transaction() as tx:
            self.job_id = tx.jobs.start(
                self.config.job_type, hostname=self.hostname, pid=os.getpid(), now=now
            )
        self._orphans.job_id = self.job_id
        if hasattr(self.executor, "job_id"):
            self.executor.job_id = self.job_id  # type: ignore[attr-defined]
        return self.job_id

    def end_job(self) -> None:
        end_job(self.store, self.job_id, now=self.clock())

    def request_stop(self) -> None:
        self._stop.set()
        self.executor.wake()

    @property
    def dags(self) -> Mapping[str, SerializedDag]:
        """The DAGs this scheduler plans from, as it last read them from the store."""
        return MappingProxyType(self._dags)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wake(self) -> None:
        """Tick soon (a run was triggered, a DAG unpaused)."""
        self._last_sweep = None
        self.executor.wake()

    def run_forever(self) -> None:
        """Tick until ``request_stop``; the caller stops the executor afterwards."""
        if self.job_id is None:
            self.start_job()
        backoff = 0.5
        last_tick = 0.0
        while not self._stop.is_set():
            # Under load, let events gather for a few milliseconds: one tick then plans a
            # run once for many finished tries instead of once per try.
            since = time.monotonic() - last_tick
            if since < self.config.min_tick_seconds:
                self.handle_events(self.executor.poll(timeout=self.config.min_tick_seconds - since))
            last_tick = time.monotonic()
            try:
                wait = self.tick(self.clock())
                self.metrics.timing("scheduler.scheduler_loop_duration", time.monotonic() - last_tick)
                backoff = 0.5
            except StoreUnavailable as exc:
                log.warning("metadata database unavailable (%s); retrying in %.1fs", exc, backoff)
                wait, backoff = backoff, min(backoff * 2, 10.0)
            except BrisaError as exc:
                log.error("scheduler tick failed: %s", exc)
                wait = self.config.idle_seconds
            except Exception:
                # A bug, or data no check foresaw: log it and keep scheduling everything else.
                log.exception("scheduler tick failed; retrying in %.1fs", backoff)
                wait, backoff = backoff, min(backoff * 2, 10.0)
            self.handle_events(self.executor.poll(timeout=wait))

    def handle_events(self, events: Iterable[ExecutorEvent]) -> None:
        """Note the runs whose tries ended, so the next tick plans them."""
        for event in events:
            run = (event.key.dag_id, event.key.run_id)
            self._dirty[run] = self._dirty.get(run, False) or not self._is_quiet_leaf(event)
            self._count_finished_try(event)

    def _count_finished_try(self, event: ExecutorEvent) -> None:
        if event.state is None:
            return
        self.metrics.incr(f"ti.finish.{event.key.dag_id}.{event.key.task_id}.{event.state}")
        if event.state == TaskState.SUCCESS.value:
            self.metrics.incr("ti_successes")
        elif event.state in (TaskState.FAILED.value, TaskState.UP_FOR_RETRY.value):
            self.metrics.incr("ti_failures")

    def _mark_dirty(self, dag_id: str, run_id: str) -> None:
        self._dirty[(dag_id, run_id)] = True

    def _is_quiet_leaf(self, event: ExecutorEvent) -> bool:
        """A leaf task that succeeded or was skipped changes nothing but maybe the run's end."""
        dag = self._dags.get(event.key.dag_id)
        task = dag.tasks.get(event.key.task_id) if dag else None
        return task is not None and not task.downstream and event.state in ("success", "skipped")

    # -- the tick ----------------------------------------------------------------------
    def tick(self, now: datetime) -> float:
        """One round of scheduling; returns how long the caller may wait before the next."""
        self._heartbeat(now)
        if self.processor is not None:
            self._guarded("the DAG processor", self.processor.poll, now)
        self._refresh_dags(now)
        self._guarded("asset-triggered runs", self._create_asset_runs, now)
        outlook = self._look(now, full=self._look_due())
        if outlook.dags_due:
            self._create_runs(now)
        if outlook.dags_due or outlook.runs_queued:
            self._start_runs(now)
        scheduled = self._plan_runs(now, settled=outlook.settled_runs)
        if scheduled or outlook.tis_scheduled or self._queue_backlog:
            self._queue(now)
        self._orphans.check(now)
        if self.housekeeping is not None:
            self._guarded("housekeeping", self.housekeeping, now)
        return self._next_wait(now)

    @staticmethod
    def _guarded(what: str, step: Callable[[datetime], None], now: datetime) -> None:
        """A step whose failure must not hold up the rest of the tick (the database's do)."""
        try:
            step(now)
        except StoreError:
            raise
        except Exception:
            log.exception("%s failed; the scheduler goes on", what)

    def _look_due(self) -> bool:
        """A tick woken by finished tries skips the look-around unless it is 50 ms old:
        those tries' runs are planned anyway, and a task's successor starts sooner."""
        now = time.monotonic()
        if self._dirty and now - self._last_look < LOOK_EVERY_SECONDS:
            return False
        self._last_look = now
        return True

    def _look(self, now: datetime, *, full: bool = True) -> _Outlook:
        """What this tick has to do, in one cheap read-only transaction."""
        quiet = [key for key, full_plan in self._dirty.items() if not full_plan]
        if not full and not quiet:
            return _Outlook(False, False, False, set())
        with self.store.transaction(readonly=True) as tx:
            settled = {key for key in quiet if tx.tis.count_unfinished(*key)}
            if not full:
                return _Outlook(False, False, False, settled)
            outlook = _Outlook(
                dags_due=bool(tx.dags.schedulable(now, limit=1)),
                runs_queued=bool(tx.runs.unfinished(states=(RunState.QUEUED,), limit=1)),
                tis_scheduled=bool(tx.tis.schedulable(limit=1)),
                settled_runs=settled,
            )
            if outlook.dags_due or outlook.runs_queued or outlook.tis_scheduled:
                # Runs are started and tries queued below: a DAG paused (or unpaused) a
                # moment ago must count now, not at the next refresh of the DAGs.
                self._paused = _paused_dag_ids(tx, self._dags)
        return outlook

    def _next_wait(self, now: datetime) -> float:
        if self._dirty or self._queue_backlog:
            return 0.0
        wait = self.config.idle_seconds
        for when in self._wake_at.values():
            wait = min(wait, max(0.0, (when - now).total_seconds()))
        return wait

    def _heartbeat(self, now: datetime) -> None:
        if self.job_id is None:
            return
        if (
            self._last_heartbeat
            and (now - self._last_heartbeat).total_seconds() < self.config.heartbeat_seconds
        ):
            return
        with self.store.transaction() as tx:
            alive = tx.jobs.heartbeat(self.job_id, now)
        self._last_heartbeat = now
        self.metrics.incr("scheduler_heartbeat")
        if not alive:
            log.error("job %s was declared dead by another scheduler; stopping", self.job_id)
            self.request_stop()

    def _refresh_dags(self, now: datetime) -> None:
        """Re-read what the DAG processor reported, and every DAG every couple of seconds
        (another process may have written them: a DAG processor of its own, ``dags
        reserialize``). Only the reported ones otherwise: reading every DAG's hash after
        each write made parsing a folder of N files cost N^2."""
        changes = self.processor.take_changed() if self.processor is not None else None
        due = not self._last_dag_refresh or (now - self._last_dag_refresh).total_seconds() >= 2
        if due or (changes is not None and (changes.everything or len(changes.dag_ids) > RELOAD_ALL_ABOVE)):
            self._last_dag_refresh = now
            self._reload_dags(None)
        elif changes is not None:
            self._reload_dags(changes.dag_ids)

    def _reload_dags(self, dag_ids: Collection[str] | None) -> None:
        """Load the DAGs among ``dag_ids`` (None: all) whose stored version changed."""
        with self.store.transaction(readonly=True) as tx:
            hashes = tx.dags.serialized_hashes(dag_ids)
            stale = [d for d, h in hashes.items() if self._dag_hashes.get(d) != h]
            for dag_id in stale:
                dag = tx.dags.serialized(dag_id)
                if dag is not None:
                    self._dags[dag_id] = dag
                    self._dag_hashes[dag_id] = hashes[dag_id]
                    if dag.asset_condition is not None:
                        self._asset_dags[dag_id] = dag
                    else:
                        self._asset_dags.pop(dag_id, None)
            self._paused = _paused_dag_ids(tx, self._dags)
        gone = (set(self._dags) if dag_ids is None else set(dag_ids) & set(self._dags)) - set(hashes)
        for dag_id in gone:
            self._dags.pop(dag_id, None)
            self._dag_hashes.pop(dag_id, None)
            self._asset_dags.pop(dag_id, None)

    # -- runs ------------------------------------------------------------------------------
    def _create_asset_runs(self, now: datetime) -> None:
        """Runs of the DAGs whose assets were updated (brisa/scheduler/assets.py)."""
        # Only the asset-scheduled DAGs: the steps run every tick, the DAGs can be thousands.
        create_asset_triggered_runs(
            self.store, self._asset_dags, paused=self._paused, now=now, job_id=self.job_id
        )
        create_partitioned_asset_runs(
            self.store, self._asset_dags, paused=self._paused, now=now, job_id=self.job_id
        )

    def _create_runs(self, now: datetime) -> None:
        with self.store.transaction() as tx:
            for record in tx.dags.schedulable(now, lock=True):
                dag = self._dags.get(record.dag_id)
                if dag is not None:
                    self._create_runs_for(tx, dag, now)

    def _create_runs_for(self, tx: Transaction, dag: SerializedDag, now: datetime) -> None:
        plan = self._due_plan(tx, dag, now)
        if plan is None:
            return
        for index, info in enumerate(plan.create):
            run_id = run_id_for(SCHEDULED, info.logical_date)
            partition_key, partition_date = plan.partition(index) or (None, None)
            if tx.runs.get(dag.dag_id, run_id) is not None or tx.runs.by_logical_date(
                dag.dag_id, info.logical_date
            ):
                continue
            create_run(
                tx,
                dag,
                run_id=run_id,
                run_type=SCHEDULED,
                logical_date=info.logical_date,
                data_interval=info.data_interval,
                run_after=info.run_after,
                now=now,
                triggered_by="timetable",
                creating_job_id=self.job_id,
                partition_key=partition_key,
                partition_date=partition_date,
            )
        nxt = plan.next_info
        tx.dags.set_next_run(
            dag.dag_id,
            logical_date=nxt.logical_date if nxt else None,
            interval_start=nxt.data_interval.start if nxt else None,
            interval_end=nxt.data_interval.end if nxt else None,
            create_after=nxt.run_after if nxt else None,
        )

    def _due_plan(self, tx: Transaction, dag: SerializedDag, now: datetime) -> DuePlan | None:
        """The runs due now; None when the DAG's timetable fails (a plugin's is user code,
        or its plugin is gone): that DAG gets no run, the others are not held up.  A
        sub-DAG gets none either: only its SubDagOperator creates its runs."""
        if dag.is_subdag:
            return None
        counts = tx.runs.count_by_state(dag.dag_id)
        active = counts.get(RunState.QUEUED.value, 0) + counts.get(RunState.RUNNING.value, 0)
        last = last_automated_interval(tx, dag.dag_id)
        try:
            return due_runs(
                timetable_from_dict(dag.timetable, registry=registered_timetables),
                restriction=restriction_for(dag),
                last_automated=last,
                active_runs=active,
                max_active_runs=dag.max_active_runs or self.config.max_active_runs_per_dag,
                now=now,
                limit=self.config.max_dagruns_per_loop,
            )
        except Exception:
            log.exception("DAG %s: its timetable failed; no run created", dag.dag_id)
            return None

    def _start_runs(self, now: datetime) -> None:
        with self.store.transaction() as tx:
            if not tx.try_lock("start_runs"):
                return  # another scheduler is starting runs; what it leaves, the next tick starts
            unfinished = tx.runs.unfinished()
            ids = {r.backfill_id for r in unfinished if r.backfill_id is not None}
            backfills = backfill_limits(tx.backfills.many(ids))
            running, per_backfill = running_counts(unfinished, backfills)
            queued: dict[str, list[RunRecord]] = {}
            for run in unfinished:
                if run.state != RunState.RUNNING:
                    queued.setdefault(run.dag_id, []).append(run)
            for dag_id, runs in queued.items():
                dag = self._dags.get(dag_id)
                if dag is None or dag_id in self._paused:
                    continue
                limit = dag.max_active_runs or self.config.max_active_runs_per_dag
                for run in runs_to_start(
                    runs,
                    running=running.get(dag_id, 0),
                    max_active_runs=limit,
                    backfills=backfills,
                    running_per_backfill=per_backfill,
                ):
                    if set_run_state(tx, run, RunState.RUNNING, now=now):
                        self._contexts.forget(dag_id, run.run_id)
                        self._mark_dirty(dag_id, run.run_id)
            tx.backfills.complete_finished(now=now)

    def _plan_runs(self, now: datetime, *, settled: set[tuple[str, str]]) -> bool:
        """Plan the runs that changed; True if some task instance became scheduled."""
        sweep = (
            self._last_sweep is None or (now - self._last_sweep).total_seconds() >= self.config.sweep_seconds
        )
        wanted = dict(self._dirty)
        self._dirty = {}
        for key, when in self._wake_at.items():
            if when <= now:
                wanted[key] = True
        if sweep:
            self._last_sweep = now
            with self.store.transaction(readonly=True) as tx:
                for r in tx.runs.unfinished(states=(RunState.RUNNING,)):
                    wanted[(r.dag_id, r.run_id)] = True
        for key, full in list(wanted.items()):
            if not full and key in settled:
                del wanted[key]  # only leaves finished and others still go: nothing to decide
        scheduled = False
        for dag_id, run_id in sorted(wanted):
            self._wake_at.pop((dag_id, run_id), None)
            if dag_id in self._paused or dag_id not in self._dags:
                continue
            try:
                scheduled = self._plan_one(dag_id, run_id, now) or scheduled
            except ConflictError as exc:
                log.info("run %s of %s changed under us (%s); will look again", run_id, dag_id, exc)
                self._mark_dirty(dag_id, run_id)
            except StoreError:
                raise
            except Exception as exc:  # about this run only: it fails, the others go on
                log.exception("planning run %s of %s failed; the run fails", run_id, dag_id)
                self._fail_run(
                    dag_id, run_id, f"the scheduler could not plan it: {type(exc).__name__}: {exc}", now
                )
        return scheduled

    def _fail_run(self, dag_id: str, run_id: str, reason: str, now: datetime) -> None:
        with self.store.transaction() as tx:
            run = tx.runs.get(dag_id, run_id)
            if run is None or run.state.is_finished:
                return
            failed = set_run_state(tx, run, RunState.FAILED, now=now)
        self._contexts.forget(dag_id, run_id)
        if failed:
            log.error("run %s of %s is failed (%s)", run_id, dag_id, reason)

    def _plan_one(self, dag_id: str, run_id: str, now: datetime) -> bool:
        dag = self._dags[dag_id]
        finished: RunRecord | None = None
        with self.store.transaction() as tx:
            # Lock, then read: the run another scheduler just finished or a user just
            # cleared is seen as it is now, not as it was before the lock.
            locked = tx.runs.lock(dag_id, run_id)
            run = tx.runs.get(dag_id, run_id)
            if run is None or run.state != RunState.RUNNING:
                return False
            if not locked:
                # Another scheduler plans it now and may miss what made us look: look again soon.
                self._wake_at[(dag_id, run_id)] = now + LOCKED_RUN_RETRY
                return False
            tis = tx.tis.for_run(dag_id, run_id)
            plan = plan_run(
                dag,
                run,
                tis,
                now=now,
                mapped_lengths=_mapped_lengths(tx, dag, run, tis),
                past=_past_states(tx, dag, run, tis),
            )
            self._apply(tx, dag, run, plan, now)
            if plan.run_state is not None and set_run_state(tx, run, plan.run_state, now=now):
                finished = run
                if run.backfill_id is not None:
                    tx.backfills.complete_finished(now=now, backfill_id=run.backfill_id)
                if run.start_date is not None:
                    seconds = (now - run.start_date).total_seconds()
                    self.metrics.timing(f"dagrun.duration.{plan.run_state.value}.{dag_id}", seconds)
                log.log(
                    logging.WARNING if plan.run_state == RunState.FAILED else logging.INFO,
                    "run %s of %s is %s%s",
                    run_id,
                    dag_id,
                    plan.run_state.value,
                    f" ({plan.reason})" if plan.reason else "",
                )
        if plan.wake_at is not None:
            self._wake_at[(dag_id, run_id)] = plan.wake_at
        if finished is not None and plan.run_state is not None:
            self._contexts.forget(dag_id, run_id)
            self._after_run(dag, finished, plan.run_state, plan.reason)
        return any(change.to == TaskState.SCHEDULED for change in plan.changes) or any(
            new.state == TaskState.SCHEDULED for new in plan.new_tis
        )

    def _apply(
        self, tx: Transaction, dag: SerializedDag, run: RunRecord, plan: RunPlan, now: datetime
    ) -> None:
        if plan.new_tis:
            tx.tis.create_many(ti_rows(dag, run.run_id, plan.new_tis), now=now)
        for change in plan.changes:
            fields: dict[str, Any] = {"updated_at": now, **change.fields}
            if change.to in (TaskState.SKIPPED, TaskState.UPSTREAM_FAILED, TaskState.REMOVED):
                fields.setdefault("start_date", now)
                fields.setdefault("end_date", now)
            if change.to == TaskState.SCHEDULED:
                fields.setdefault("next_try_at", None)
            if change.to == TaskState.DEFERRED:
                task = dag.tasks[change.key.task_id]
                assert task.start_trigger is not None  # the planner defers no other task
                start = start_fields(
                    tx, task.start_trigger, execution_timeout=task.execution_timeout, now=now
                )
                fields.update(start, next_try_at=None)
            advance_ti(tx, change.key, change.frm, change.to, **fields)

    def _after_run(self, dag: SerializedDag, run: RunRecord, state: RunState, reason: str) -> None:
        wants = dag.has_on_success_callback if state == RunState.SUCCESS else dag.has_on_failure_callback
        if wants and self.callbacks is not None:
            self.callbacks.run_dag_callback(dag, run, state, reason)

    # -- queueing ------------------------------------------------------------------------
    def _queue(self, now: datetime) -> None:
        self._queue_backlog = False
        slots = self.executor.slots_free
        if slots <= 0:
            return
        workloads: list[Workload] = []
        claimed: list[Workload] = []
        try:
            with self.store.transaction() as tx:
                claimed = self._queue_in(tx, now, slots, workloads)
        except BaseException:
            self.executor.abandon_claimed(claimed)
            raise
        started = {(w.key, w.try_number) for w in claimed}
        self.executor.start_claimed(claimed)
        self.executor.submit([w for w in workloads if (w.key, w.try_number) not in started])

    def _queue_in(
        self, tx: Transaction, now: datetime, slots: int, workloads: list[Workload]
    ) -> list[Workload]:
        """Queue what fits; the executor may start them in this same transaction."""
        if not tx.try_lock("queue"):
            self._queue_backlog = True  # another scheduler is queueing: again at the next tick
            return []
        limit = min(self.config.max_tis_per_query, max(64, slots * 4))
        fetched = tx.tis.schedulable(limit=limit, lock=True)
        candidates = [ti for ti in fetched if ti.dag_id in self._dags and ti.dag_id not in self._paused]
        if not candidates:
            return []
        counts, pool_slots = tx.tis.active_counts(), tx.pools.slots()
        self._report_slots(slots, counts, pool_slots)
        self._missing_pools.report(tx, candidates, pool_slots, now)
        chosen = select_for_queue(
            candidates,
            dags=self._dags,
            counts=counts,
            limits=Limits(
                executor_slots=slots,
                pool_slots=pool_slots,
                default_max_active_tasks=self.config.max_active_tasks_per_dag,
            ),
        )
        # Like Airflow's loop, which sleeps only when it queued nothing: a full batch means
        # the next one is probably waiting (with a Celery executor no finished try would
        # wake this loop for up to a second, capping it at one batch a second).
        self._queue_backlog = len(fetched) >= limit and bool(chosen)
        for ti in chosen:
            if not advance_ti(
                tx,
                ti.key,
                TaskState.SCHEDULED,
                TaskState.QUEUED,
                try_number_is=ti.try_number,
                try_number=ti.try_number + 1,
                queued_dttm=now,
                queued_by_job_id=self.job_id,
                updated_at=now,
            ):
                continue
            workload = prepare_workload(
                tx, ti, self._dags[ti.dag_id], self._contexts, dag_hash=self._dag_hashes.get(ti.dag_id)
            )
            if isinstance(workload, str):
                if refuse_try(tx, ti, workload, self._retry_policy_of(ti), now):
                    self._mark_dirty(ti.dag_id, ti.run_id)
            else:
                workloads.append(workload)
        return self.executor.claim_in(tx, workloads)

    def _report_slots(self, free: int, counts: Any, pool_slots: dict[str, int]) -> None:
        """Airflow's executor and pool gauges, as the queueing pass sees them (nothing to
        compute on this hot path when metrics are off)."""
        if isinstance(self.metrics, NullMetrics):
            return
        self.metrics.gauge("executor.open_slots", free)
        self.metrics.gauge("executor.running_tasks", len(self.executor.running_keys()))
        for pool, total in pool_slots.items():
            used = counts.by_pool.get(pool, 0)
            self.metrics.gauge(f"pool.open_slots.{pool}", max(total - used, 0) if total >= 0 else -1)
            self.metrics.gauge(f"pool.running_slots.{pool}", used)

    def _retry_policy_of(self, ti: TiRecord) -> RetryPolicy:
        """The task's retry settings, from its serialized DAG (the defaults if it is gone)."""
        dag = self._dags.get(ti.dag_id)
        task = dag.tasks.get(ti.task_id) if dag else None
        return retry_policy(task) if task else RetryPolicy()


def _mapped_lengths(
    tx: Transaction, dag: SerializedDag, run: RunRecord, tis: Iterable[TiRecord]
) -> dict[str, int | None]:
    """Lengths of the mapped tasks whose placeholder still waits to be expanded."""
    from brisa.scheduler.mapping import expansion_length

    pending = {ti.task_id for ti in tis if ti.map_index == -1 and ti.state is None}
    lengths: dict[str, int | None] = {}
    for task_id in pending:
        task = dag.tasks.get(task_id)
        if task is not None and task.mapped is not None:
            lengths[task_id] = expansion_length(tx, dag, run, task)
    return lengths


def _past_states(
    tx: Transaction, dag: SerializedDag, run: RunRecord, tis: Iterable[TiRecord]
) -> dict[str, PastState]:
    wanted = {
        ti.task_id
        for ti in tis
        if ti.state is None
        and ti.task_id in dag.tasks
        and (dag.tasks[ti.task_id].depends_on_past or dag.tasks[ti.task_id].wait_for_downstream)
    }
    if not wanted or run.logical_date is None:
        return {}
    prev = tx.runs.previous(dag.dag_id, run.logical_date)
    if prev is None:
        return {task_id: PastState(has_previous_run=False) for task_id in wanted}
    prev_tis = tx.tis.for_run(dag.dag_id, prev.run_id)
    by_task: dict[str, dict[int, TaskState | None]] = {}
    for ti in prev_tis:
        by_task.setdefault(ti.task_id, {})[ti.map_index] = ti.state
    result = {}
    for task_id in wanted:
        downstream_ok = all(
            state in (TaskState.SUCCESS, TaskState.SKIPPED)
            for down in dag.tasks[task_id].downstream
            for state in by_task.get(down, {}).values()
        )
        result[task_id] = PastState(True, by_task.get(task_id, {}), downstream_ok)
    return result


def _paused_dag_ids(tx: Transaction, dags: dict[str, SerializedDag]) -> set[str]:
    """Paused DAGs, and DAGs whose file is gone: no run starts, no try is queued for them.
    A sub-DAG follows its parent's pause, as in Airflow (its own flag is not used)."""
    held = tx.dags.held_ids()
    for dag in dags.values():
        if dag.is_subdag and dag.parent_dag_id is not None:
            held.discard(dag.dag_id)
            if dag.parent_dag_id in held:
                held.add(dag.dag_id)
    return held


__all__ = ["Scheduler", "SchedulerConfig"]
