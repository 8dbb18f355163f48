"""Running tasks by hand: ``brisa tasks render|test|run`` and ``brisa dags test``.

``render``/``test`` work on a throw-away in-memory store holding just the DAG and one
run, so they need no database and record nothing (as Airflow's ``tasks test``);
variables and connections still come from the configured backends when the metadata
database is reachable.  ``dags test`` drives the real scheduler loop over that memory
store with the inline executor, so trigger rules, branching and mapping behave as in
production, and each task logs to the terminal.  ``tasks run`` is the opposite: it
runs one task instance of a real run in a child process and records the outcome.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from brisa.errors import BrisaError, InvalidInputError, NotFoundError
from brisa.executors.base import RunContext, Workload
from brisa.loader.result import ImportErrorInfo
from brisa.runner.outcome import Outcome
from brisa.runner.store_runtime import StoreRuntime
from brisa.runtime import ParseRuntime, use_runtime
from brisa.serialized import SerializedDag
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from brisa.store.sql import Store

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Adhoc:
    store: Store
    serialized: SerializedDag
    workload: Workload
    secrets: Any


class _Unmasked:
    def add(self, value: Any, name: str | None = None) -> None:
        """Nothing to hide on the user's own terminal."""

    def add_variable(self, key: str, value: Any) -> None:
        """Nothing to hide on the user's own terminal."""

    def add_sensitive_parts(self, value: Any) -> None:
        """Nothing to hide on the user's own terminal."""

    def mask(self, text: str) -> str:
        return text


def local_secrets(settings: Any) -> Any:
    """The configured secrets (env + metadata DB) if the DB answers; else env only."""
    import os

    from brisa.secrets.backends import EnvironmentBackend
    from brisa.secrets.fernet import FernetCodec, generate_key
    from brisa.secrets.service import SecretsService

    try:
        from brisa.cli import wiring
        from brisa.store import migrate

        store = wiring.open_store(settings)
        if migrate.is_current(store):
            return SecretsService.from_settings(settings, store, dict(os.environ))
    except BrisaError as exc:
        log.info("metadata database not used for variables/connections: %s", exc)
    from brisa.testing import memory_store

    return SecretsService(
        memory_store(), FernetCodec([generate_key()]), [EnvironmentBackend(dict(os.environ))]
    )


def parse_dag_files(
    settings: Any,
    secrets: Any,
    errors: list[ImportErrorInfo] | None = None,
    stats: list[FileStat] | None = None,
    folders: Iterable[str | Path] | None = None,
) -> Iterator[SerializedDag]:
    """Every DAG the DAG files define now, parsed in this process (like Airflow's DagBag).

    Top-level ``Variable.get`` / ``get_connection`` read ``secrets`` (see
    :func:`local_secrets`), as they read the DAG processor's when the scheduler parses.
    The files' import errors are appended to ``errors`` when it is given, and each file's
    parse time and DAGs to ``stats`` (``brisa dags report``). ``folders`` replaces the
    configured DAG folders (``dag.test()`` reads the folder of its own file).
    """
    from brisa.cli import wiring
    from brisa.loader import discover, parse_file
    from brisa.runner.task_runner import brisa_conf

    with use_runtime(ParseRuntime(secrets)), brisa_conf():
        for folder in wiring.dag_folders(settings) if folders is None else folders:
            for path in discover(Path(folder)):
                started = time.monotonic()
                result = parse_file(
                    str(path),
                    timeout=settings.core.dagbag_import_timeout,
                    generation_default=settings.core.default_airflow_generation,
                    catchup_default=settings.scheduler.catchup_by_default,
                    dags_folder=str(folder),
                )
                if errors is not None:
                    errors.extend(result.errors)
                if stats is not None:
                    stats.append(FileStat(str(path), time.monotonic() - started, tuple(result.dags)))
                yield from result.dags


@dataclass(frozen=True)
class FileStat:
    """One DAG file as parsed: how long it took and what it defined."""

    path: str
    seconds: float
    dags: tuple[SerializedDag, ...]


def find_dag(settings: Any, dag_id: str, secrets: Any) -> SerializedDag:
    """The DAG as the DAG files define it now."""
    errors: list[ImportErrorInfo] = []
    with contextlib.closing(parse_dag_files(settings, secrets, errors)) as dags:  # ends its runtime at once
        for dag in dags:
            if dag.dag_id == dag_id:
                return dag
    return _the_dag(settings, [], dag_id, errors)


def _the_dag(
    settings: Any, dags: list[SerializedDag], dag_id: str, errors: list[ImportErrorInfo]
) -> SerializedDag:
    """``dag_id`` among ``dags``; else a not-found error that names the files that failed
    to load (one of them may be where the DAG is defined)."""
    from brisa.cli import wiring

    for dag in dags:
        if dag.dag_id == dag_id:
            return dag
    message = f"DAG {dag_id!r} not found in {', '.join(str(f) for f in wiring.dag_folders(settings))}"
    if errors:
        failed = "; ".join(f"{e.filename}: {e.message}" for e in errors)
        message += f". These DAG files failed to load and may define it: {failed}"
    raise NotFoundError(message)


def _add_other_dags(store: Store, others: list[SerializedDag]) -> None:
    """The folder's other DAGs, paused, so that a TriggerDagRunOperator or an
    ExternalTaskSensor naming one finds it, as Airflow's dag.test() finds them in its
    metadata database; a run triggered for one is created, not run (dag.test() runs only
    the tested DAG's run)."""
    with store.transaction() as tx:
        for other in others:
            tx.dags.upsert(other, paused_when_new=True, now=utcnow())
            tx.dags.set_paused(other.dag_id, True)


def adhoc_run(store: Store, dag: SerializedDag, when: datetime, *, conf: dict[str, Any] | None = None) -> Any:
    """A manual run of ``dag`` at ``when`` in ``store`` (Airflow's temporary run for tests)."""
    from brisa.services.runs import trigger_run

    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=utcnow())
        # Airflow's dag.test() ignores pausing: without this, a DAG declaring
        # is_paused_upon_creation=True would never be scheduled and `dags test` would spin.
        tx.dags.set_paused(dag.dag_id, False)
        return trigger_run(tx, dag, now=utcnow(), logical_date=when, conf=conf or {}, triggered_by="test")


def adhoc_workload(settings: Any, dag_id: str, task_id: str, when: datetime, *, map_index: int = -1) -> Adhoc:
    from brisa.testing import memory_store

    secrets = local_secrets(settings)
    dag = find_dag(settings, dag_id, secrets)
    if task_id not in dag.tasks:
        raise NotFoundError(f"Task {task_id!r} not found in DAG {dag_id!r}")
    store = memory_store()
    run = adhoc_run(store, dag, when)
    workload = Workload(
        key=TaskKey(dag_id, run.run_id, task_id, map_index),
        try_number=1,
        max_tries=0,
        fileloc=dag.fileloc,
        run=RunContext(
            run_id=run.run_id,
            run_type=run.run_type,
            logical_date=run.logical_date,
            data_interval_start=run.data_interval_start,
            data_interval_end=run.data_interval_end,
            run_after=run.run_after,
            start_date=utcnow(),
            conf=run.conf,
            triggered_by="test",
        ),
        generation=dag.generation,
    )
    return Adhoc(store, dag, workload, secrets)


def _runtime(adhoc: Adhoc, key: TaskKey) -> StoreRuntime:
    return StoreRuntime(adhoc.store, key, secrets=adhoc.secrets, masker=_Unmasked(), clock=utcnow)


def render_task(adhoc: Adhoc) -> list[tuple[str, Any]]:
    """The rendered template fields of the task, in their declared order."""
    from brisa.runner.task_runner import TryContext, _prepare, brisa_conf
    from brisa.runtime import use_runtime

    state = TryContext()
    runtime = _runtime(adhoc, adhoc.workload.key)
    with use_runtime(runtime), brisa_conf():
        _prepare(state, adhoc.workload, runtime, utcnow)
    return [(name, getattr(state.task, name, None)) for name in state.task.template_fields]


def test_task(adhoc: Adhoc, *, task_params: str | None = None) -> Outcome:
    """Airflow's ``tasks test``: the context says ``test_mode`` and ``-t`` params update
    the task's own params (DAG code reads ``task.params`` as well as templates)."""
    from brisa.runner.task_runner import load_dag, run_try

    _terminal_logging()
    workload = adhoc.workload
    dag = load_dag(workload.fileloc, workload.key.dag_id, generation=workload.generation)
    if task_params:
        try:
            extra = json.loads(task_params)
        except ValueError as exc:
            raise InvalidInputError(f"--task-params is not valid JSON: {exc}") from None
        workload = replace(workload, run=replace(workload.run, conf={**workload.run.conf, **extra}))
        dag.get_task(workload.key.task_id).params.update(extra)
    return run_try(workload, _runtime(adhoc, workload.key), dag=dag, test_mode=True)


def test_dag(
    settings: Any,
    dag_id: str,
    when: datetime,
    *,
    conf: dict[str, Any] | None = None,
    mark_success_pattern: str | None = None,
) -> RunState:
    """Run every task of one run in this process, in dependency order, logging here; tasks
    whose id matches ``mark_success_pattern`` are marked success instead of run."""
    _terminal_logging()
    secrets = local_secrets(settings)
    errors: list[ImportErrorInfo] = []
    dags = list(parse_dag_files(settings, secrets, errors))
    dag = _the_dag(settings, dags, dag_id, errors)
    others = [other for other in dags if other.dag_id != dag_id]
    return _run_test(dag, others, when, conf, secrets, mark_success=_pattern(mark_success_pattern))


def _pattern(text: str | None) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise InvalidInputError(f"--mark-success-pattern is not a regular expression: {exc}") from None


def test_dag_object(
    dag: Any,
    when: datetime | None,
    *,
    conf: dict[str, Any] | None = None,
    mark_success_pattern: str | re.Pattern[str] | None = None,
) -> RunState:
    """Airflow's ``dag.test()`` called from DAG code (``python my_dag.py``): this DAG object,
    beside the other DAGs of its folder, run as ``brisa dags test`` runs it."""
    import os
    import sys

    from brisa.cli import wiring
    from brisa.loader.parse import assign_generation
    from brisa.sdk.serialize import serialize_dag

    _terminal_logging()
    settings = wiring.load_settings()
    secrets = local_secrets(settings)
    imported = [name for name in sys.modules if name == "airflow" or name.startswith("airflow.")]
    reason = assign_generation(dag, imported, settings.core.default_airflow_generation)
    fileloc = os.path.abspath(dag.fileloc)
    serialized = serialize_dag(
        dag,
        fileloc=fileloc,
        generation=dag.generation,
        generation_reason=reason,
        catchup_default=settings.scheduler.catchup_by_default,
        relative_fileloc=os.path.basename(fileloc),
    )
    others = [
        d
        for d in parse_dag_files(settings, secrets, folders=[os.path.dirname(fileloc)])
        if d.dag_id != dag.dag_id
    ]
    pattern = (
        mark_success_pattern
        if isinstance(mark_success_pattern, re.Pattern)
        else _pattern(mark_success_pattern)
    )
    return _run_test(serialized, others, when or utcnow(), conf, secrets, mark_success=pattern)


def _run_test(
    dag: SerializedDag,
    others: list[SerializedDag],
    when: datetime,
    conf: dict[str, Any] | None,
    secrets: Any,
    *,
    mark_success: re.Pattern[str] | None = None,
) -> RunState:
    from brisa.executors.inline import InlineExecutor
    from brisa.runner.task_runner import run_try
    from brisa.scheduler.loop import Scheduler, SchedulerConfig
    from brisa.testing import memory_store

    dag_id = dag.dag_id
    store = memory_store()
    _add_other_dags(store, others)
    run = adhoc_run(store, dag, when, conf=conf)
    adhoc = Adhoc(store, dag, None, secrets)  # type: ignore[arg-type]
    subdags = _SubDags(
        {other.dag_id: other for other in others if other.is_subdag},
        lambda sub, when, conf: _run_test(sub, others, when, conf, secrets, mark_success=mark_success),
    )

    def run_one(workload: Workload) -> Outcome:
        # As Airflow's dag.test(): a failed try with retries left is up for retry, and runs
        # again once its retry_delay has passed.
        index = f"[{workload.key.map_index}]" if workload.key.map_index >= 0 else ""
        again = f" (try {workload.try_number} of {workload.max_tries + 1})" if workload.try_number > 1 else ""
        if mark_success is not None and mark_success.search(workload.key.task_id):
            print(f"--- {workload.key.task_id}{index}: marked success (--mark-success-pattern)", flush=True)
            return Outcome(TaskState.SUCCESS, utcnow())
        print(f"--- {workload.key.task_id}{index}{again}", flush=True)
        return run_try(workload, subdags.runtime(adhoc, workload.key))

    scheduler = Scheduler(
        store,
        InlineExecutor(store, run_one),
        config=SchedulerConfig(),
        clock=utcnow,
        callbacks=_InlineDagCallbacks(store, secrets),
    )
    scheduler.start_job()
    triggerer = _InlineTriggerer(store)
    deadline = time.monotonic() + 24 * 3600
    try:
        while time.monotonic() < deadline:
            scheduler.tick(utcnow())
            scheduler.handle_events(scheduler.executor.poll())
            with store.transaction(readonly=True) as tx:
                current = tx.runs.require(dag_id, run.run_id)
                tis = tx.tis.for_run(dag_id, run.run_id)
            if current.state.is_finished:
                _summary(tis)
                return current.state
            if any(t.state == TaskState.DEFERRED for t in tis):
                triggerer.wait_for_triggers()
            elif any(t.state in _WAITING for t in tis):
                time.sleep(WAIT_POLL_SECONDS)
    finally:
        triggerer.stop()
    raise BrisaError("dags test did not finish")


class _InlineTriggerer:
    """``dags test``'s triggerer, as Airflow's dag.test() runs triggers inline: started at the
    first deferral, ticked by the test's loop on its store (one thread: in-memory SQLite)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.triggerer: Any = None

    def wait_for_triggers(self) -> None:
        from brisa.triggerer.loop import Triggerer, TriggererConfig

        if self.triggerer is None:
            self.triggerer = Triggerer(self.store, config=TriggererConfig(), clock=utcnow)
            self.triggerer.start()
        self.triggerer.tick(utcnow())
        self.triggerer.wait(WAIT_POLL_SECONDS)

    def stop(self) -> None:
        if self.triggerer is not None:
            self.triggerer.stop()


class _SubDags:
    """``dags test`` and ``SubDagOperator``: the sub-DAG's run is run to its end here, in a
    test store of its own, when the operator creates it (the inline executor runs one try
    at a time, so the loop could not run the child while the operator waits for it)."""

    def __init__(
        self, dags: dict[str, SerializedDag], drive: Callable[[SerializedDag, datetime, Any], RunState]
    ) -> None:
        self.dags = dags
        self.drive = drive
        self.finished: dict[tuple[str, str], RunState] = {}

    def runtime(self, adhoc: Adhoc, key: TaskKey) -> StoreRuntime:
        if not self.dags:
            return _runtime(adhoc, key)
        return _SubDagRuntime(
            adhoc.store, key, secrets=adhoc.secrets, masker=_Unmasked(), clock=utcnow, subdags=self
        )


class _SubDagRuntime(StoreRuntime):
    def __init__(self, *args: Any, subdags: _SubDags, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subdags = subdags

    def trigger_dag(self, *, dag_id: str, run_id: str | None, logical_date: str | None, **kwargs: Any) -> str:
        sub = self.subdags.dags.get(dag_id)
        if sub is None or run_id is None:
            return super().trigger_dag(dag_id=dag_id, run_id=run_id, logical_date=logical_date, **kwargs)
        when = datetime.fromisoformat(logical_date) if logical_date else utcnow()
        print(f"--- sub-DAG {dag_id}", flush=True)
        self.subdags.finished[(dag_id, run_id)] = self.subdags.drive(sub, when, kwargs.get("conf"))
        return run_id

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None:
        state = self.subdags.finished.get((dag_id, run_id))
        return state.value if state is not None else super().get_run_state(dag_id=dag_id, run_id=run_id)


# Tries waiting for their retry_delay or a sensor's reschedule: the loop polls until they are due.
_WAITING = frozenset({TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE})
WAIT_POLL_SECONDS = 0.2


class _InlineDagCallbacks:
    """``dags test`` calls the DAG's on_success/on_failure_callback here, in this process,
    as Airflow's dag.test() does (the scheduler would hand them to a callback child).
    They read the run's task instances straight from the test's store, and variables and
    connections from the secrets its tasks read (unmasked, like the tasks' output)."""

    def __init__(self, store: Store, secrets: Any) -> None:
        from brisa.runner.callbacks import CallbackAnswers

        self.answers = CallbackAnswers(store, secrets, _Unmasked())

    def run_dag_callback(self, dag: SerializedDag, run: Any, state: RunState, reason: str) -> None:
        from brisa.runner.callbacks import call_dag_callback, callback_payload

        print(f"--- DAG {'on_success' if state == RunState.SUCCESS else 'on_failure'}_callback", flush=True)
        call_dag_callback(callback_payload(dag, run, state, reason), self.answers)


def _summary(tis: list[Any]) -> None:
    print("\nTask instances:", flush=True)
    for ti in sorted(tis, key=lambda t: (t.start_date or utcnow(), t.task_id, t.map_index)):
        index = f"[{ti.map_index}]" if ti.map_index >= 0 else ""
        print(f"  {ti.task_id}{index}: {ti.state.value if ti.state else 'none'}", flush=True)


def _terminal_logging() -> None:
    from brisa.logconfig import quiet_noisy_loggers
    from brisa.runner.task_runner import LOG_FORMAT

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(asctime)s] " + LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    quiet_noisy_loggers()


def run_task_instance(
    settings: Any,
    dag_id: str,
    task_id: str,
    run: str,
    *,
    map_index: int = -1,
    ignore_dependencies: bool = False,
) -> str:
    """``brisa tasks run``: one task instance of a real run, in a child process, recorded."""
    from brisa.cli import wiring
    from brisa.scheduler.loop import _run_context, task_extra
    from brisa.states import advance_ti

    store = wiring.open_store(settings)
    secrets = wiring.make_secrets(settings, store)
    executor = wiring.make_local_executor(settings, store, secrets)
    executor.start_zygote()
    executor.start()
    try:
        now = utcnow()
        with store.transaction() as tx:
            dag = tx.dags.require_serialized(dag_id)
            record = tx.runs.get(dag_id, run)
            if record is None:
                from brisa.cli.dags_cmd import parse_when

                record = tx.runs.by_logical_date(dag_id, parse_when(run))
            if record is None:
                raise NotFoundError(f"DAG run {run!r} of DAG {dag_id!r} not found")
            key = TaskKey(dag_id, record.run_id, task_id, map_index)
            ti = tx.tis.require(key)
            allowed = {None, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE}
            if ignore_dependencies:
                allowed |= {TaskState.FAILED, TaskState.UPSTREAM_FAILED, TaskState.SKIPPED}
            if ti.state not in allowed:
                raise InvalidInputError(
                    f"task instance {key} is {ti.state.value if ti.state else 'none'}; "
                    "clear it first (or use --ignore-dependencies for failed ones)"
                )
            if ti.state != TaskState.SCHEDULED:
                advance_ti(
                    tx,
                    key,
                    ti.state,
                    None
                    if ti.state in (TaskState.FAILED, TaskState.UPSTREAM_FAILED, TaskState.SKIPPED)
                    else TaskState.SCHEDULED,
                )
                if ti.state in (TaskState.FAILED, TaskState.UPSTREAM_FAILED, TaskState.SKIPPED):
                    advance_ti(tx, key, None, TaskState.SCHEDULED)
            advance_ti(
                tx,
                key,
                TaskState.SCHEDULED,
                TaskState.QUEUED,
                try_number=ti.try_number + 1,
                queued_dttm=now,
                updated_at=now,
            )
            context = _run_context(tx, dag_id, record.run_id)
        workload = Workload(
            key=key,
            try_number=ti.try_number + 1,
            max_tries=ti.max_tries,
            fileloc=dag.fileloc,
            run=context,
            generation=dag.generation,
            queue=ti.queue,
            pool=ti.pool,
            priority_weight=ti.priority_weight,
            sensor_started_at=ti.sensor_started_at,
            extra=task_extra(dag.tasks[task_id]),
        )
        executor.submit([workload])
        while True:
            events = executor.poll(timeout=1.0)
            if any(e.key == key for e in events):
                break
        with store.transaction(readonly=True) as tx:
            final = tx.tis.require(key)
        return final.state.value if final.state else "none"
    finally:
        executor.stop(grace=0)


__all__ = [
    "Adhoc",
    "adhoc_workload",
    "find_dag",
    "parse_dag_files",
    "render_task",
    "run_task_instance",
    "test_dag",
    "test_task",
]
