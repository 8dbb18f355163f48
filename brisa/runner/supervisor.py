"""Supervising one task try from outside its process.

The supervisor answers the try's requests (XComs, variables, connections), stores its
output line by line (masked, in the database: a PaaS disk does not last), and writes
how the try ended.  If the process dies without reporting - a segfault, ``os._exit``,
the OOM killer - the supervisor decides the outcome itself with the same retry rules.

Writes that fail because the database is away are kept and retried (``pending``), so a
restarting database delays a try's record but loses nothing.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from brisa.assets.events import record_task_asset_events
from brisa.errors import StoreUnavailable
from brisa.process.pool import ChildHandler, kill_group
from brisa.runner.store_runtime import StoreRuntime
from brisa.states import TaskState, advance_ti
from brisa.store.sql import Store
from brisa.tries.deferral import defer_fields
from brisa.tries.outcome import ExecutorEvent, Outcome
from brisa.tries.retry import after_failed_try
from brisa.tries.workload import Workload

log = logging.getLogger(__name__)

LOG_CHUNK_BYTES = 64 * 1024
LOG_TAIL_BYTES = 64 * 1024
"""What a truncated log still keeps of its end: the last lines say how the try ended."""
LOG_FLUSH_SECONDS = 0.5
KILL_GRACE_SECONDS = 3.0
TIMEOUT_SLACK_SECONDS = 10.0


Write = Callable[[Any], Callable[[], None]]
"""Adds rows to a transaction; returns what to do once that transaction committed."""


class LineMasker(Protocol):
    def add(self, value: Any, name: str | None = None) -> None: ...

    def add_sensitive_parts(self, value: Any) -> None: ...

    def mask(self, text: str) -> str: ...

    def redact(self, obj: Any, name: str | None = None) -> Any: ...


class Ending:
    """Why the supervisor ended a try itself (None: the try ended on its own)."""

    TIMEOUT = "timeout"
    EXTERNAL = "external"
    SHUTDOWN = "shutdown"
    REFUSED = "refused"
    """No task process can be handed this workload: a failed try, counted."""


class TrySupervisor(ChildHandler):
    def __init__(
        self,
        workload: Workload,
        *,
        store: Store,
        runtime: StoreRuntime,
        masker: LineMasker,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        record_end: Callable[[Write, ExecutorEvent], None],
        max_log_bytes: int = 0,
        smtp_password: str | None = None,
    ) -> None:
        self.workload = workload
        self.smtp_password = smtp_password
        """``[smtp] smtp_password``, which the task process no longer has in its environment."""
        self.store = store
        self.runtime = runtime
        self.masker = masker
        self.clock = clock
        self.monotonic = monotonic
        self.record_end = record_end
        self.max_log_bytes = max_log_bytes
        self.outcome: Outcome | None = None
        self.ending: str | None = None
        self._partial = b""
        self._lines: list[str] = []
        self._buffered = 0
        self._logged = 0
        self._truncated = False
        self._tail: deque[tuple[datetime, bytes]] = deque()
        """Lines past ``max_log_bytes``, raw: only the last ``LOG_TAIL_BYTES`` are kept."""
        self._tail_bytes = 0
        self._skipped_bytes = 0
        self._last_flush = monotonic()
        self._started = monotonic()
        self._kill_at: float | None = None
        self._xcoms: list[tuple[str, Any]] = []
        self._rendered: dict[str, Any] | None = None
        self._refusal = ""
        timeout = workload.execution_timeout
        self._hard_deadline = self._started + timeout + TIMEOUT_SLACK_SECONDS if timeout else None

    # -- requests from the task process ------------------------------------------------------
    def on_request(self, op: str, args: dict[str, Any]) -> Any:
        if op == "done":
            self.outcome = Outcome.from_dict(args["outcome"])
            return None
        if op == "rendered":
            # redact, not mask: op_kwargs, env and other fields nest secrets in dicts and lists.
            # Written with the next batch of log lines (or the outcome), not on its own.
            self._rendered = {k: self.masker.redact(v, k) for k, v in args["fields"].items()}
            return None
        if op == "mask_secret":
            with contextlib.suppress(RecursionError):  # nested beyond reason: nothing learnt
                self.masker.add(args["value"])
            return None
        if op == "smtp_password":
            return self.smtp_password  # masked in the log like every configured secret
        if op == "mask_text":
            # The secrets live here, not in the task process: an alert email asks to mask.
            return self.masker.mask(args["text"])
        if op == "xcom_push":
            # Kept until the try ends and written with its outcome: nobody else may read
            # them earlier, and one transaction per try is much cheaper than one per push.
            self._xcoms.append((args["key"], args["value"]))
            # What it holds under sensitive keys is masked in the rest of the log.
            self.masker.add_sensitive_parts({args["key"]: args["value"]})
            return None
        if op in ("xcom_pull", "xcom_sequence") and self._xcoms:
            self._write_in_own_transaction(self._write_xcoms)
        handler = getattr(self.runtime, op, None)
        if op.startswith("_") or handler is None:
            raise ValueError(f"unknown request {op!r}")
        return handler(**args)

    # -- output ---------------------------------------------------------------------------
    def on_output(self, data: bytes) -> None:
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        for raw in lines:
            self._add_line(raw)
        if len(self._partial) > LOG_CHUNK_BYTES:  # a very long line without a newline
            self._add_line(self._partial)
            self._partial = b""
        if self._buffered >= LOG_CHUNK_BYTES:
            self.flush_logs()

    def _add_line(self, raw: bytes) -> None:
        if self._truncated:
            self._keep_in_tail(raw)
            return
        line = self._format(self.clock(), raw)
        if self.max_log_bytes and self._logged + self._buffered + len(line) > self.max_log_bytes:
            self._truncated = True
            self._keep_in_tail(raw)
            line = self._format(
                self.clock(),
                f"(log truncated: more than {self.max_log_bytes} bytes; "
                "see [logging] max_log_bytes_per_try; the last lines follow at the end)".encode(),
            )
        self._lines.append(line)
        self._buffered += len(line)

    def _format(self, when: datetime, raw: bytes) -> str:
        text = self.masker.mask(raw.decode("utf-8", errors="backslashreplace"))
        return f"[{when.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}+0000] {text}\n"

    def _keep_in_tail(self, raw: bytes) -> None:
        # Raw and unmasked until the end: most of a flood is dropped, so format only what stays.
        self._tail.append((self.clock(), raw))
        self._tail_bytes += len(raw)
        while self._tail_bytes > LOG_TAIL_BYTES and len(self._tail) > 1:
            _, dropped = self._tail.popleft()
            self._tail_bytes -= len(dropped)
            self._skipped_bytes += len(dropped)

    def _add_tail(self) -> None:
        """A truncated log ends with its last lines (and the supervisor's notes among them)."""
        if not self._tail:
            return
        lines = [self._format(when, raw) for when, raw in self._tail]
        if self._skipped_bytes:
            skipped = f"(... {self._skipped_bytes} bytes of log skipped ...)".encode()
            lines.insert(0, self._format(self._tail[0][0], skipped))
        self._tail.clear()
        self._lines.extend(lines)
        self._buffered += sum(len(line) for line in lines)

    def note(self, message: str) -> None:
        """A line of the supervisor's own in the try's log."""
        self._add_line(f"{{supervisor}} {message}".encode())

    @property
    def has_pending_logs(self) -> bool:
        return bool(self._lines) or self._rendered is not None

    def write_logs(self, tx: Any) -> Callable[[], None]:
        """Add the buffered lines (and rendered fields) to ``tx``; call the returned
        function once it committed."""
        chunks, size = chunk_lines(self._lines), self._buffered
        count = len(self._lines)
        rendered = self._rendered
        if chunks:
            tx.logs.append(self.workload.key, self.workload.try_number, chunks, now=self.clock())
        if rendered is not None:
            tx.tis.update_fields(self.workload.key, rendered_fields=rendered)

        def committed() -> None:
            if self._rendered is rendered:
                self._rendered = None
            del self._lines[:count]
            self._buffered -= size
            self._logged += size
            self._last_flush = self.monotonic()

        return committed

    def flush_logs(self) -> None:
        if self.has_pending_logs:
            self._write_in_own_transaction(self.write_logs)

    def _write_xcoms(self, tx: Any) -> Callable[[], None]:
        pushed, count = list(self._xcoms), len(self._xcoms)
        for key, value in pushed:
            tx.xcoms.set(self.workload.key, key, value, now=self.clock())

        def committed() -> None:
            del self._xcoms[:count]

        return committed

    def _write_in_own_transaction(self, write: Callable[[Any], Callable[[], None]]) -> None:
        try:
            with self.store.transaction() as tx:
                committed = write(tx)
            committed()
        except StoreUnavailable:
            self._last_flush = self.monotonic()  # try again at the next flush

    # -- time -------------------------------------------------------------------------------
    def on_tick(self, now: float) -> None:
        if now - self._last_flush >= LOG_FLUSH_SECONDS:
            self.flush_logs()
        if self._hard_deadline is not None and now > self._hard_deadline and self.ending is None:
            self.note(f"execution_timeout exceeded by {TIMEOUT_SLACK_SECONDS:.0f}s: killing the task process")
            self.end(Ending.TIMEOUT)
        if self._kill_at is not None and now >= self._kill_at and self.pid:
            kill_group(self.pid, signal.SIGKILL)
            self._kill_at = None

    def end(self, reason: str) -> None:
        """Stop the try: SIGTERM to its process group, SIGKILL after a grace period."""
        if self.ending is None:
            self.ending = reason
        if self.pid:
            kill_group(self.pid, signal.SIGTERM)
            self._kill_at = self.monotonic() + KILL_GRACE_SECONDS

    # -- the end ------------------------------------------------------------------------------
    @property
    def needs_exit_status(self) -> bool:
        # A try that reported its outcome (and was not ended by us) is over when its
        # control socket closes; the status only explains a process that died silently.
        return self.outcome is None or self.ending is not None

    def on_spawn_failed(self, error: str) -> None:
        self.note(f"could not start the task process: {error}")
        self.ending = Ending.SHUTDOWN
        self._finish(None)

    def on_spawn_refused(self, error: str) -> None:
        self.note(f"this try cannot start: {error}; it counts as a failed try")
        log.error("try %s of %s cannot start: %s", self.workload.try_number, self.workload.key, error)
        self.ending = Ending.REFUSED
        self._refusal = error
        self._finish(None)

    def on_exit(self, status: int | None) -> None:
        if self._partial:
            self._add_line(self._partial)
            self._partial = b""
        self._finish(status)

    def _finish(self, status: int | None) -> None:
        outcome, fields = self._decide(status)
        self._add_tail()
        event_state = outcome.state.value if outcome else None

        def write(tx: Any) -> Callable[[], None]:
            logs_written = self.write_logs(tx)
            xcoms_written = self._write_xcoms(tx)
            self._write_outcome(tx, outcome, fields)

            def committed() -> None:
                logs_written()
                xcoms_written()

            return committed

        # The executor writes it (with other tries that ended at the same moment) and then
        # tells the scheduler; if the database is away it keeps the write and retries.
        self.record_end(write, ExecutorEvent(self.workload.key, self.workload.try_number, event_state))

    def _decide(self, status: int | None) -> tuple[Outcome | None, dict[str, Any]]:
        now = self.clock()
        w = self.workload
        if self.ending == Ending.EXTERNAL:
            return None, {}
        if self.ending == Ending.SHUTDOWN:
            self.note("stopped by a shutdown: the task will run again (this try does not count)")
            return Outcome(TaskState.UP_FOR_RETRY, now, next_try_at=now), {"max_tries": w.max_tries + 1}
        if self.outcome is not None and self.ending is None:
            return self.outcome, {}
        if self.ending == Ending.TIMEOUT:
            reason = "execution_timeout exceeded"
        elif self.ending == Ending.REFUSED:
            reason = self._refusal
        else:
            reason = _describe_exit(status)
            self.note(f"the task process ended without reporting: {reason}")
        outcome = after_failed_try(
            w.retry, try_number=w.try_number, max_tries=w.max_tries, now=now, seed=w.retry_seed, error=reason
        )
        return outcome, {}

    def _write_outcome(self, tx: Any, outcome: Outcome | None, fields: dict[str, Any]) -> None:
        record_outcome(tx, self.workload, outcome, fields, pid=self.pid, now=self.clock())


def record_outcome(
    tx: Any,
    workload: Workload,
    outcome: Outcome | None,
    fields: dict[str, Any],
    *,
    pid: int | None,
    now: datetime,
) -> bool:
    """Write how a try ended (compare-and-set on ``running`` and its try number).

    ``outcome`` None means the try was stopped because its row changed from outside;
    a ``restarting`` row (cleared while running) then goes back to none.
    """
    key, try_number = workload.key, workload.try_number
    ti = tx.tis.get(key)
    if ti is None or ti.try_number != try_number:
        return False
    if outcome is None or ti.state == TaskState.RESTARTING:
        if ti.state == TaskState.RESTARTING:
            advance_ti(tx, key, TaskState.RESTARTING, None, try_number_is=try_number, updated_at=now)
        return False
    end = outcome.end_date
    extra = dict(fields)
    if outcome.state == TaskState.UP_FOR_RESCHEDULE:
        extra["try_number"] = try_number - 1  # the next poke is the same try, as in Airflow
    elif outcome.state == TaskState.DEFERRED and outcome.deferral is not None:
        extra.update(defer_fields(tx, outcome.deferral, try_number=try_number, now=now))
    elif outcome.state == TaskState.UP_FOR_RETRY:
        extra["sensor_started_at"] = None
    moved = advance_ti(
        tx,
        key,
        TaskState.RUNNING,
        outcome.state,
        try_number_is=try_number,
        end_date=end,
        duration=_duration(ti.start_date, end),
        next_try_at=outcome.next_try_at,
        pid=pid,
        updated_at=now,
        **extra,
    )
    if moved:
        # ``ti`` was read before this update: the archived try gets the pid it ran in too.
        tx.tis.archive_try(replace(ti, pid=pid), state=outcome.state, end_date=end)
        if outcome.state == TaskState.SUCCESS and outcome.asset_events:
            record_task_asset_events(tx, key, outcome.asset_events, now=end)
    return moved


def claim_tries(
    store: Store, workloads: list[Workload], *, now: datetime, hostname: str, job_id: int | None
) -> list[Workload]:
    """Move queued tries to running (compare-and-set); returns those this caller won."""
    with store.transaction() as tx:
        return claim_tries_in(tx, workloads, now=now, hostname=hostname, job_id=job_id)


def claim_tries_in(
    tx: Any, workloads: list[Workload], *, now: datetime, hostname: str, job_id: int | None
) -> list[Workload]:
    """:func:`claim_tries` inside a transaction the caller commits."""
    started = []
    for workload in workloads:
        fields = start_fields(workload, now=now, hostname=hostname, job_id=job_id)
        if advance_ti(
            tx, workload.key, TaskState.QUEUED, TaskState.RUNNING, try_number_is=workload.try_number, **fields
        ):
            started.append(workload)
    return started


def _describe_exit(status: int | None) -> str:
    if status is None:
        return "the process vanished"
    if status < 0:
        try:
            return f"killed by signal {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit code {status}"


def _duration(start: datetime | None, end: datetime) -> float | None:
    return (end - start).total_seconds() if start else None


def chunk_lines(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) > LOG_CHUNK_BYTES and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        chunks.append("".join(current))
    return chunks


def start_fields(workload: Workload, *, now: datetime, hostname: str, job_id: int | None) -> dict[str, Any]:
    """Columns set when a try starts running."""
    return {
        "supervisor_job_id": job_id,
        "start_date": now,
        "end_date": None,
        "duration": None,
        "hostname": hostname,
        "last_heartbeat_at": now,
        "next_try_at": None,
        "sensor_started_at": workload.sensor_started_at or now,
        "updated_at": now,
    }


__all__ = [
    "Ending",
    "TrySupervisor",
    "Write",
    "chunk_lines",
    "claim_tries",
    "claim_tries_in",
    "record_outcome",
    "start_fields",
]
