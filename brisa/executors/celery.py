"""The CeleryExecutor: task tries on Celery workers, on as many machines as needed.

A broker message is only a trigger; the task instance row is the truth.

* The scheduler queues a try (``scheduled -> queued``, try number N) and sends its
  :class:`~brisa.executors.base.Workload` to the task's Celery queue.
* A worker (``brisa celery worker``) runs each message under the same
  :class:`~brisa.executors.local.LocalExecutor` as ``brisa scheduler`` uses: zygote,
  task process, :class:`~brisa.runner.supervisor.TrySupervisor` writing logs, XComs,
  heartbeats and the outcome to the database.  Starting is the compare-and-set
  ``queued -> running`` on try N, so **a try starts at most once**, however many
  copies of its message exist: a redelivered message, or one sent again after the
  scheduler gave up waiting, finds the row no longer ``queued`` on try N and is
  dropped.
* **A try is never lost.**  The worker holds a ``celery_worker`` job row with a
  heartbeat, and heartbeats its running tries.  When a worker dies (``kill -9``, OOM,
  a dyno restart without warning), the schedulers' orphan check sees the dead job or
  the stale heartbeats and ends its tries as failed: they run again as try N+1 if
  ``retries`` allows, exactly as on the LocalExecutor.  A try still ``queued`` after
  ``[scheduler] task_instance_heartbeat_timeout`` (its message was lost with a
  worker, or waits behind long tries) goes back to ``scheduled`` and is sent again.

So correctness does not rest on the broker redelivering messages.  Messages are
acknowledged late (``acks_late``, ``task_reject_on_worker_lost``) and each worker
reserves one message per free slot (prefetch multiplier 1) so that work waits in the
broker, where any worker can take it, rather than behind a busy worker.

**Visibility timeout** (Redis).  Redis hands an unacknowledged message to another
worker after ``[celery] visibility_timeout`` seconds.  Brisa keeps Airflow's advice
of a value longer than the longest try (default 86400 s = 1 day): a shorter value
is safe (the copy is dropped by the compare-and-set) but wakes a second worker for
nothing.  A message taken by a worker that died before starting it comes back after
the visibility timeout or, sooner, through the scheduler's queued-try check above.
RabbitMQ redelivers at once when the worker's connection drops; its
``consumer_timeout`` (30 minutes by default) closes the channel of a worker holding a
message longer, which is equally harmless here (the try keeps running).

No result backend is used: the scheduler learns that a try ended by reading the
task instance rows (:meth:`CeleryExecutor.poll`), which it has to read anyway.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from celery import Celery
from celery.exceptions import Reject
from kombu.exceptions import OperationalError as BrokerError

from brisa.errors import StoreUnavailable
from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload
from brisa.states import ACTIVE, TaskState, advance_ti
from brisa.store.jobs import end_job
from brisa.store.records import TaskKey

if TYPE_CHECKING:
    from brisa.config import Settings
    from brisa.executors.local import LocalExecutor
    from brisa.store.sql import Store

log = logging.getLogger(__name__)

TASK_NAME = "brisa.run_try"
"""The one Celery task: run one try of one task instance."""

WORKER_JOB_TYPE = "celery_worker"
SDK_DEFAULT_QUEUE = "default"
"""The queue of a task that names none (``BaseOperator(queue=...)``'s default)."""

SEND_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}
BROKER_BACKOFF_SECONDS = (2.0, 60.0)
REQUEUE_PAUSE_SECONDS = 2.0

TryToken = tuple[TaskKey, int]


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- the Celery app ------------------------------------------------------------------------
def make_celery_app(settings: Settings) -> Celery:
    """A Celery app for ``settings``: broker, delivery guarantees, no result backend."""
    options = settings.celery
    app = Celery("brisa", set_as_current=False)
    app.conf.update(
        broker_url=options.broker_url,
        broker_use_ssl=broker_ssl_options(settings),
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": options.visibility_timeout},
        task_default_queue=options.default_queue,
        task_create_missing_queues=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        # A lost broker connection must not cancel running tries: they report to the
        # database, and their messages coming back are dropped by the claim.
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


def broker_ssl_options(settings: Settings) -> dict[str, Any] | None:
    """``broker_use_ssl`` from ``[celery] ssl_active/ssl_key/ssl_cert/ssl_cacert``.

    Without ``ssl_active`` it is None: a ``rediss://`` URL then carries its own
    ``ssl_cert_reqs`` (``none`` for Heroku Redis's self-signed certificate, added by
    the configuration when missing), and ``amqps://`` uses the system's CAs.
    """
    options = settings.celery
    if not options.ssl_active:
        return None
    scheme = urlsplit(options.broker_url).scheme.lower()
    if scheme.startswith("redis"):
        names = ("ssl_keyfile", "ssl_certfile", "ssl_ca_certs", "ssl_cert_reqs")
    else:
        names = ("keyfile", "certfile", "ca_certs", "cert_reqs")
    values = (options.ssl_key, options.ssl_cert, options.ssl_cacert, ssl.CERT_REQUIRED)
    return {name: value for name, value in zip(names, values, strict=True) if value is not None}


def queue_for(workload: Workload, default_queue: str) -> str:
    """The Celery queue a try goes to: the task's ``queue``, else ``[celery] default_queue``."""
    if not workload.queue or workload.queue == SDK_DEFAULT_QUEUE:
        return default_queue
    return workload.queue


# -- the scheduler side ----------------------------------------------------------------------
class CeleryExecutor(BaseExecutor):
    """Sends tries to Celery queues; learns from the store when they are over."""

    name = "CeleryExecutor"

    def __init__(
        self,
        app: Celery,
        store: Store,
        *,
        parallelism: int,
        default_queue: str = SDK_DEFAULT_QUEUE,
        clock: Callable[[], datetime] = utcnow,
        check_seconds: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.store = store
        self.parallelism = parallelism
        self.default_queue = default_queue
        self.clock = clock
        self.check_seconds = check_seconds
        self.monotonic = monotonic
        self._outstanding: set[TryToken] = set()
        self._wake = threading.Event()
        self._next_check = 0.0
        self._broker_down_until = 0.0
        self._backoff = BROKER_BACKOFF_SECONDS[0]

    # -- BaseExecutor ----------------------------------------------------------------------
    @property
    def slots_free(self) -> int:
        if self.monotonic() < self._broker_down_until:
            return 0
        return max(0, self.parallelism - len(self._outstanding))

    def running_keys(self) -> set[TryToken]:
        # Workers supervise the tries, not this process: the orphan check must judge them
        # by their workers' jobs and heartbeats, so none is "ours".
        return set()

    @property
    def healthy(self) -> bool:
        return True

    def submit(self, workloads: list[Workload]) -> None:
        if not workloads:
            return
        sent = self._send(workloads)
        self._outstanding.update((w.key, w.try_number) for w in sent)
        unsent = workloads[len(sent) :]
        if unsent:
            self._broker_failed(len(unsent))
            self._give_back(unsent)
        else:
            self._backoff = BROKER_BACKOFF_SECONDS[0]

    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        deadline = self.monotonic() + timeout
        while True:
            events = self._finished_tries()
            woken = self._wake.is_set()
            if woken:
                self._wake.clear()
            remaining = deadline - self.monotonic()
            if events or woken or remaining <= 0:
                return events
            until_check = self._next_check - self.monotonic() if self._outstanding else remaining
            self._wake.wait(max(0.01, min(remaining, until_check)))

    def wake(self) -> None:
        self._wake.set()

    def stop(self, grace: float) -> None:
        """Tries keep running on the workers; only the broker connections are closed."""
        self.app.close()

    # -- sending ---------------------------------------------------------------------------
    def _send(self, workloads: list[Workload]) -> list[Workload]:
        """Publish each workload in order; stops at the first broker error."""
        sent: list[Workload] = []
        try:
            with self.app.producer_or_acquire() as producer:
                for workload in workloads:
                    self.app.send_task(
                        TASK_NAME,
                        args=[workload.to_dict()],
                        queue=queue_for(workload, self.default_queue),
                        producer=producer,
                        retry=True,
                        retry_policy=SEND_RETRY_POLICY,
                    )
                    sent.append(workload)
        except (BrokerError, OSError) as exc:
            log.error("could not send tries to the Celery broker: %s", exc)
        return sent

    def _broker_failed(self, count: int) -> None:
        self._broker_down_until = self.monotonic() + self._backoff
        log.warning("%d tries go back to scheduled; sending again in %.0fs", count, self._backoff)
        self._backoff = min(self._backoff * 2, BROKER_BACKOFF_SECONDS[1])

    def _give_back(self, workloads: list[Workload]) -> None:
        """Tries that never reached the broker: ``queued -> scheduled``, no attempt spent."""
        now = self.clock()
        try:
            with self.store.transaction() as tx:
                for w in workloads:
                    advance_ti(
                        tx,
                        w.key,
                        TaskState.QUEUED,
                        TaskState.SCHEDULED,
                        try_number_is=w.try_number,
                        try_number=w.try_number - 1,
                        updated_at=now,
                    )
        except StoreUnavailable:
            log.warning("database unavailable; the orphan check will reschedule %d tries", len(workloads))

    # -- learning what finished -----------------------------------------------------------------
    def _finished_tries(self) -> list[ExecutorEvent]:
        """Outstanding tries whose row left ``queued``/``running`` on that try (rate-limited)."""
        now = self.monotonic()
        if not self._outstanding or now < self._next_check:
            return []
        self._next_check = now + self.check_seconds
        try:
            with self.store.transaction(readonly=True) as tx:
                active = {(ti.key, ti.try_number) for ti in tx.tis.in_states(ACTIVE)}
        except StoreUnavailable:
            return []
        done = self._outstanding - active
        self._outstanding -= done
        return [
            ExecutorEvent(key, try_number, None, "no longer queued nor running") for key, try_number in done
        ]


# -- the worker side -------------------------------------------------------------------------------
class CeleryWorker:
    """Runs the tries a Celery worker receives, each under this process's LocalExecutor.

    Celery calls :meth:`run` on one of its threads per message; the call claims the
    try, waits until its task process is over and its outcome written, and returns,
    so Celery acknowledges the message only then.
    """

    def __init__(
        self,
        store: Store,
        executor: LocalExecutor,
        *,
        clock: Callable[[], datetime] = utcnow,
        heartbeat_seconds: float = 5.0,
        job_hostname: str | None = None,
        requeue_pause: float = REQUEUE_PAUSE_SECONDS,
    ) -> None:
        self.store = store
        self.executor = executor
        self.clock = clock
        self.heartbeat_seconds = heartbeat_seconds
        self.job_hostname = job_hostname or socket.getfqdn()
        self.requeue_pause = requeue_pause
        self.job_id: int | None = None
        self.failed = False
        self.on_fatal: Callable[[], None] = lambda: None
        """Called once if the worker can no longer run tries (its zygote died)."""
        self._waiters: dict[TryToken, Future[ExecutorEvent | None]] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self._stopped = threading.Event()
        self._closed = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self._last_job_heartbeat = 0.0

    # -- life cycle -------------------------------------------------------------------------
    def start_zygote(self) -> None:
        """Fork the zygote; call before anything (Celery included) starts a thread."""
        self.executor.start_zygote()

    def start(self) -> None:
        self.job_id = self._start_job()
        self.executor.job_id = self.job_id
        self.executor.pool.add_periodic(self._heartbeat_job)
        self.executor.start()
        self._dispatcher = threading.Thread(target=self._dispatch, name="brisa-celery-events", daemon=True)
        self._dispatcher.start()

    def stop(self, grace: float) -> None:
        """Take no more tries; running ones get ``grace`` seconds, then end and go back for retry."""
        with self._lock:
            first = not self._stopping
            self._stopping = True
        if not first:
            self._stopped.wait()
            return
        try:
            self._wait_until_handed_over(timeout=5.0)
            self.executor.stop(grace)
            self._closed.set()
            if self._dispatcher is not None:
                self._dispatcher.join(5.0)
            self._release_waiters()
            self._end_job()
        finally:
            self._stopped.set()

    @property
    def stopping(self) -> bool:
        return self._stopping

    # -- one message -------------------------------------------------------------------------
    def handle(self, payload: dict[str, Any]) -> str:
        """The Celery task's body."""
        try:
            workload = Workload.from_dict(payload)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("dropping a message that is not a Brisa workload: %s", exc)
            return "invalid"
        return self.run(workload)

    def run(self, workload: Workload) -> str:
        """Run the try and wait for its end; what became of it, for Celery's log."""
        token = (workload.key, workload.try_number)
        with self._lock:
            if self._stopping:
                raise Reject("the worker is stopping", requeue=True)
            if token in self._waiters:
                log.info(
                    "try %s of %s already runs here: dropping the copy", workload.try_number, workload.key
                )
                return "duplicate"
            waiter: Future[ExecutorEvent | None] = Future()
            self._waiters[token] = waiter
            self.executor.submit([workload])
        event = waiter.result()
        if event is not None and event.state is not None:
            return event.state
        if self._still_queued(workload):
            # The claim could not be written (database away): let the broker keep it.
            time.sleep(self.requeue_pause)
            raise Reject("the database is unavailable", requeue=True)
        return "not started: claimed elsewhere or changed"

    def _still_queued(self, workload: Workload) -> bool:
        try:
            with self.store.transaction(readonly=True) as tx:
                ti = tx.tis.get(workload.key)
        except StoreUnavailable:
            return True
        return ti is not None and ti.state == TaskState.QUEUED and ti.try_number == workload.try_number

    # -- on the dispatcher thread -----------------------------------------------------------------
    def _dispatch(self) -> None:
        while not self._closed.is_set():
            for event in self.executor.poll(timeout=0.5):
                self._resolve((event.key, event.try_number), event)
            if not self.executor.healthy and not self.failed:
                self.failed = True
                log.error("the zygote process died: this worker cannot start tries any more; stopping")
                self.on_fatal()

    def _resolve(self, token: TryToken, event: ExecutorEvent | None) -> None:
        with self._lock:
            waiter = self._waiters.pop(token, None)
        if waiter is not None:
            waiter.set_result(event)

    def _release_waiters(self) -> None:
        with self._lock:
            tokens = list(self._waiters)
        for token in tokens:
            self._resolve(token, None)

    def _wait_until_handed_over(self, timeout: float) -> None:
        """Let tries already accepted reach the executor before it stops."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                waiting = set(self._waiters)
            if waiting <= self.executor.running_keys():
                return
            time.sleep(0.02)

    # -- the job row ---------------------------------------------------------------------------------
    def _start_job(self) -> int:
        with self.store.transaction() as tx:
            return tx.jobs.start(
                WORKER_JOB_TYPE, hostname=self.job_hostname, pid=os.getpid(), now=self.clock()
            )

    def _heartbeat_job(self, now: float) -> None:
        """On the process pool's thread, beside the tries' heartbeats."""
        if self.job_id is None or now - self._last_job_heartbeat < self.heartbeat_seconds:
            return
        self._last_job_heartbeat = now
        try:
            with self.store.transaction() as tx:
                alive = tx.jobs.heartbeat(self.job_id, self.clock())
            if not alive:
                self._replace_job()
        except StoreUnavailable:
            log.warning("database unavailable: worker heartbeat skipped")

    def _replace_job(self) -> None:
        # A scheduler declared this worker dead (it could not reach the database for a
        # while) and has retried its tries; their task processes stop at their next
        # heartbeat.  New tries run under a new job.
        old = self.job_id
        self.job_id = self._start_job()
        self.executor.job_id = self.job_id
        log.error("job %s was declared dead by a scheduler; carrying on as job %s", old, self.job_id)

    def _end_job(self) -> None:
        end_job(self.store, self.job_id, now=self.clock())


def install_task(app: Celery, worker: CeleryWorker) -> None:
    """Register :data:`TASK_NAME` on ``app``, run by ``worker`` (worker processes only)."""

    @app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def run_try(payload: dict[str, Any]) -> str:
        return worker.handle(payload)


__all__ = [
    "TASK_NAME",
    "WORKER_JOB_TYPE",
    "CeleryExecutor",
    "CeleryWorker",
    "broker_ssl_options",
    "install_task",
    "make_celery_app",
    "queue_for",
]
