"""The DAG processor: keeps the store's serialized DAGs in step with the DAG files.

Files are parsed in children of the zygote (``parse`` children), each with a timeout,
so a DAG file that hangs, crashes or leaks never touches the scheduler.  Results come
back as serialized DAGs and import errors and are written here, on the scheduler's
thread.  Parses are not paced by the scheduler's tick: a finished parse starts the
next at once, up to ``max_parallel`` at a time, and wakes the scheduler to write the
result (``brisa.scheduler.pacing`` holds the limits).  A changed file is parsed at
once; an unchanged one again every ``min_file_process_interval`` (for DAGs generated
from outside data).  A file that disappears takes its DAGs with it (deactivated,
history kept).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from brisa.errors import StoreError
from brisa.loader.parse_child import PARSE
from brisa.metrics import Metrics, NullMetrics
from brisa.plugins import registered_timetables
from brisa.process.pool import ChildHandler, ProcessPool, kill_group
from brisa.runtime import SECRET_READS, NoSecrets, SecretsReader
from brisa.scheduler import pacing
from brisa.serialized import SerializedDag
from brisa.services.dags import refresh_next_run
from brisa.store.sql import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessorConfig:
    folders: tuple[Path, ...]
    parse_timeout: float = 30.0
    min_file_process_interval: float = 30.0
    list_interval: float = 10.0
    generation_default: str = "2"
    catchup_default: bool = False
    paused_at_creation: bool = True
    max_parallel: int = 2
    """Parses at once; the wiring makes it one per core unless ``parsing_processes`` says."""
    safe_mode: bool = True


@dataclass
class _FileState:
    mtime: float
    size: int
    parsed_at: float


class _ParseChild(ChildHandler):
    def __init__(
        self,
        path: str,
        deadline: float,
        done: Callable[[str, Any, str], None],
        secrets: SecretsReader | None = None,
    ) -> None:
        self.path = path
        self.deadline = deadline
        self.done = done
        self.secrets = secrets or NoSecrets()
        self.result: Any = None
        self.timed_out = False
        self.output: list[bytes] = []

    def on_request(self, op: str, args: dict[str, Any]) -> Any:
        if op == "result":
            self.result = args.get("value")
            return None
        if op in SECRET_READS:  # the file's top-level code reads a secret
            return getattr(self.secrets, op)(**args)
        raise ValueError(f"unexpected request {op!r}")

    def on_output(self, data: bytes) -> None:
        if sum(len(x) for x in self.output) < 200_000:
            self.output.append(data)

    def on_tick(self, now: float) -> None:
        if not self.timed_out and now > self.deadline and self.pid:
            self.timed_out = True
            kill_group(self.pid, 9)

    def on_exit(self, status: int | None) -> None:
        output = b"".join(self.output).decode("utf-8", "replace")
        if self.timed_out:
            self.done(self.path, None, "timeout")
        elif self.result is None:
            self.done(self.path, None, f"the parsing process ended with status {status}: {output[-2000:]}")
        else:
            self.done(self.path, self.result, "")

    def on_spawn_failed(self, error: str) -> None:
        self.done(self.path, None, error)


@dataclass(frozen=True)
class DagChanges:
    """What the processor wrote since its last report: the DAGs it stored anew, or
    ``everything`` when DAGs went with their files (the scheduler then re-reads them all)."""

    dag_ids: frozenset[str]
    everything: bool = False


class DagProcessor:
    def __init__(
        self,
        store: Store,
        pool: ProcessPool,
        config: ProcessorConfig,
        *,
        clock: Callable[[], datetime],
        secrets: SecretsReader | None = None,
        metrics: Metrics | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.wake = wake
        """Makes the scheduler tick soon (called on the pool's thread when results wait)."""
        self.metrics: Metrics = metrics or NullMetrics()
        self._parse_started: dict[str, float] = {}
        self.secrets = secrets
        """Answers ``Variable.get`` / ``get_connection`` from DAG files' top-level code."""
        self.pool = pool
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        """Guards the parse queue: parses start on the scheduler's thread and the pool's."""
        self._files: dict[str, _FileState] = {}
        self._in_flight: set[str] = set()
        self._waiting: list[str] = []
        self._results: queue.SimpleQueue[tuple[str, Any, str]] = queue.SimpleQueue()
        self._unwritten = 0
        self._wake_pending = False
        self._last_list = 0.0
        self._changed_ids: set[str] = set()
        self._changed_everything = False
        self._last_change_report: float | None = None
        self._known_files: set[str] = set()
        self.parsed_once = False

    # -- called by the scheduler --------------------------------------------------------------
    def poll(self, now: datetime) -> None:
        self._write_results(now, budget=pacing.WRITE_BUDGET_SECONDS)
        mono = time.monotonic()
        if mono - self._last_list >= self.config.list_interval:
            self._last_list = mono
            self._list_files(now, mono)
        self._start_parsing()

    def backlog(self) -> tuple[int, int, int]:
        """Files waiting to be parsed, being parsed, parsed but not yet written."""
        with self._lock:
            return len(self._waiting), len(self._in_flight), self._unwritten

    def take_changed(self) -> DagChanges | None:
        """The DAGs written since the last report, at most every ``CHANGE_REPORT_SECONDS``."""
        mono = time.monotonic()
        last = self._last_change_report
        pending = bool(self._changed_ids) or self._changed_everything
        if not pacing.may_report_change(pending=pending, now=mono, last_report=last):
            return None
        changes = DagChanges(frozenset(self._changed_ids), self._changed_everything)
        self._changed_ids, self._changed_everything = set(), False
        self._last_change_report = mono
        return changes

    def parse_all(self, timeout: float = 60.0) -> None:
        """Parse every file now and wait (start-up, ``dags reserialize``)."""
        self._last_list = time.monotonic()
        self._list_files(self.clock(), self._last_list, force=True)
        deadline = time.monotonic() + timeout
        while self._busy() and time.monotonic() < deadline:
            self._start_parsing()
            self._write_results(self.clock(), block=0.05)
        self._write_results(self.clock())
        self.parsed_once = True

    # -- files ------------------------------------------------------------------------------------
    def _list_files(self, now: datetime, mono: float, force: bool = False) -> None:
        from brisa.loader import discover

        present: dict[str, os.stat_result] = {}
        for folder in self.config.folders:
            if not folder.exists():
                continue
            for path in discover(str(folder), safe_mode=self.config.safe_mode):
                try:
                    present[str(path)] = os.stat(path)
                except OSError:
                    continue
        changed: list[str] = []
        stale: list[str] = []
        with self._lock:
            for path, stat in present.items():
                known = self._files.get(path)
                if known is None or known.mtime != stat.st_mtime or known.size != stat.st_size:
                    changed.append(path)
                    self._files[path] = _FileState(
                        stat.st_mtime, stat.st_size, known.parsed_at if known else 0.0
                    )
                elif force or mono - known.parsed_at >= self.config.min_file_process_interval:
                    stale.append(path)
            self._waiting = pacing.parse_queue(
                self._waiting, changed=changed, stale=stale, in_flight=self._in_flight
            )
        gone = set(self._known_files) - set(present)
        self._known_files = set(present)
        if gone or force:
            self._forget_files(gone, present, now)

    def _forget_files(self, gone: Iterable[str], present: dict[str, Any], now: datetime) -> None:
        for path in gone:
            self._files.pop(path, None)
        with self.store.transaction() as tx:
            removed = tx.dags.deactivate_files_not_in(present)
            tx.dags.clear_import_errors_not_in(present)
        if removed:
            log.info("DAG files gone; deactivated %s", ", ".join(sorted(removed)))
            self._changed_everything = True

    def _busy(self) -> bool:
        with self._lock:
            return bool(self._waiting or self._in_flight or self._unwritten)

    def _start_parsing(self) -> None:
        """Start as many parses as ``pacing.parse_slots`` allows (either thread may call)."""
        with self._lock:
            slots = pacing.parse_slots(
                parallelism=self.config.max_parallel,
                in_flight=len(self._in_flight),
                unwritten=self._unwritten,
            )
            # A deque would pop faster, but a folder's worth of paths is popped once per
            # list interval at most: a list keeps the order tests and logs see.
            paths = self._waiting[:slots]
            del self._waiting[:slots]
            self._in_flight.update(paths)
            for path in paths:
                self._parse_started[path] = time.monotonic()
        for path in paths:
            payload = {
                "path": path,
                "timeout": self.config.parse_timeout,
                "generation_default": self.config.generation_default,
                "catchup_default": self.config.catchup_default,
                "folder": str(self._folder_of(path)),
            }
            deadline = time.monotonic() + self.config.parse_timeout
            child = _ParseChild(path, deadline, self._deliver, self.secrets)
            self.pool.spawn(PARSE, payload, child)

    def _folder_of(self, path: str) -> Path:
        for folder in self.config.folders:
            if Path(path).is_relative_to(folder):
                return folder
        return Path(path).parent

    def _deliver(self, path: str, result: Any, error: str) -> None:
        """A parse ended (on the pool's thread): free its slot, start the next, wake the writer."""
        with self._lock:
            self._in_flight.discard(path)
            self._unwritten += 1
            state = self._files.get(path)
            if state is not None:
                state.parsed_at = time.monotonic()
            self._results.put((path, result, error))
            wake = not self._wake_pending and self.wake is not None
            self._wake_pending = self._wake_pending or wake
        self._start_parsing()
        if wake and self.wake is not None:
            self.wake()

    # -- results -------------------------------------------------------------------------------------
    def _write_results(self, now: datetime, block: float = 0.0, budget: float | None = None) -> None:
        with self._lock:
            self._wake_pending = False  # a result delivered from now on wakes the scheduler again
        started, written = time.monotonic(), 0
        while pacing.keep_writing(written=written, elapsed=time.monotonic() - started, budget=budget):
            try:
                wait = block if not written else 0.0
                item = self._results.get(timeout=wait) if wait else self._results.get_nowait()
            except queue.Empty:
                return
            written += 1
            path, result, error = item
            self._count_parse(path, failed=result is None or bool(result.get("errors")))
            try:
                self._write_one(path, result, error, now)
            finally:
                with self._lock:
                    self._unwritten -= 1
        self._start_parsing()  # writing freed room for results
        if self.wake is not None and not self._results.empty():
            with self._lock:
                self._wake_pending = True
            self.wake()  # the budget ran out: the next tick writes the rest

    def _count_parse(self, path: str, *, failed: bool) -> None:
        """Airflow's dag_processing figures for one file parsed."""
        started = self._parse_started.pop(path, None)
        self.metrics.incr("dag_processing.processes")
        if failed:
            self.metrics.incr("dag_processing.import_errors")
        if started is not None:
            self.metrics.timing(f"dag_processing.last_duration.{Path(path).stem}", time.monotonic() - started)

    def _write_one(self, path: str, result: Any, error: str, now: datetime) -> None:
        if result is None:
            # The same words as the child's own alarm (brisa.loader), which usually fires
            # first; this one is the parent's backstop when the child does not answer.
            message = (
                f"DagBag import timeout for {path} after {self.config.parse_timeout:.0f}s: "
                "DAG file processing timed out and was stopped"
                if error == "timeout"
                else error
            )
            # Rows as the child reports them (its JSON): read by key, written to the store.
            errors: list[dict[str, Any]] = [{"lineno": None, "message": message, "stacktrace": message}]
            dags: list[SerializedDag] = []
        else:
            errors = result.get("errors") or []
            dags = [SerializedDag.from_dict(d) for d in result.get("dags") or []]
        source = _read_source(path)
        with self.store.transaction() as tx:
            for dag in dags:
                before = tx.dags.get(dag.dag_id)
                if (
                    before is not None
                    and before.is_active
                    and before.fileloc != path
                    and os.path.exists(before.fileloc)
                ):
                    errors.append(_clash_error(dag.dag_id, before.fileloc))
                    continue
                if before is not None and tx.dags.touch_if_unchanged(dag, now=now, source_code=source):
                    continue
                created = tx.dags.upsert(
                    dag,
                    paused_when_new=self.config.paused_at_creation,
                    now=now,
                    source_code=source,
                    timetables=registered_timetables,
                )
                if created or before is None or before.serialized_hash != dag.hash or not before.is_active:
                    _refresh_next_run(tx, dag, now)
                    self._changed_ids.add(dag.dag_id)
            if dags or not errors:
                # A file that fails to import as a whole keeps its DAGs as last parsed (as
                # Airflow does): a typo while editing must not stop their schedules.
                tx.dags.activate_only(path, [d.dag_id for d in dags if not _is_clash(d.dag_id, errors)])
            tx.dags.replace_import_errors(path, errors, now=now)
        if errors:
            log.warning(
                "import errors in %s: %s", path, "; ".join(e["message"].splitlines()[-1] for e in errors)
            )


def _refresh_next_run(tx: Any, dag: SerializedDag, now: datetime) -> None:
    """The DAG's next run; a timetable that fails (a plugin's is user code) leaves it unset."""
    try:
        refresh_next_run(tx, dag, now=now)
    except StoreError:
        raise
    except Exception:
        log.exception("DAG %s: its timetable failed; no next run", dag.dag_id)


def _clash_error(dag_id: str, other: str) -> dict[str, Any]:
    message = (
        f"AirflowDagDuplicatedIdException: Ignoring DAG {dag_id} as its ID is already defined in {other}"
    )
    return {"lineno": None, "message": message, "stacktrace": message, "dag_id": dag_id}


def _is_clash(dag_id: str, errors: list[dict[str, Any]]) -> bool:
    return any(e.get("dag_id") == dag_id for e in errors)


def _read_source(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(1_000_000)
    except OSError:
        return None


__all__ = ["DagChanges", "DagProcessor", "ProcessorConfig"]
