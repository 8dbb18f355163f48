"""Running tasks by hand: ``brisa tasks render|test|run`` and ``brisa dags test``.

``render``/``test`` work on a throw-away in-memory store holding just the DAG and one
run, so they need no database and record nothing (as Airflow's ``tasks test``);
variables and connections still come from the configured backends when the metadata
database is reachable (:func:`brisa.secrets.local.local_secrets`).  ``dags test``
drives the real scheduler loop over that memory store with the inline executor, so
trigger rules, branching and mapping behave as in production, and each task logs to the
terminal.  ``tasks run`` is the opposite: it runs one task instance of a real run in a
child process and records the outcome.

It lives in the CLI because it wires everything (scheduler loop, inline executor, task
runner, memory store) the way only the CLI may; what it changes in the store is in
:mod:`brisa.services.adhoc`, parsing the DAG folders in :mod:`brisa.loader.local`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from brisa.cli import wiring
from brisa.errors import BrisaError, InvalidInputError, NotFoundError
from brisa.loader.dag_conf import brisa_conf
from brisa.loader.local import find_dag, parse_dag_files, the_dag
from brisa.loader.result import ImportErrorInfo
from brisa.plugins import registered_timetables
from brisa.runner.store_runtime import StoreRuntime
from brisa.runtime import use_runtime
from brisa.secrets.local import local_secrets
from brisa.serialized import SerializedDag
from brisa.services.adhoc import queue_by_hand, start_test_run
from brisa.services.run_actions import service_actions
from brisa.states import RunState, TaskState
from brisa.store.memory import memory_store
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.tries.build import build_workload, run_context
from brisa.tries.outcome import Outcome
from brisa.tries.workload import Workload

if TYPE_CHECKING:
    from brisa.triggerer.loop import Triggerer

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


def _secrets(settings: Any) -> Any:
    return local_secrets(settings, os.environ)


def adhoc_run(store: Store, dag: SerializedDag, when: datetime, **kwargs: Any) -> Any:
    """A manual run of ``dag`` at ``when`` in the throw-away ``store``."""
    with store.transaction() as tx:
        return start_test_run(tx, dag, when, now=utcnow(), **kwargs)


def adhoc_workload(settings: Any, dag_id: str, task_id: str, when: datetime, *, map_index: int = -1) -> Adhoc:
    secrets = _secrets(settings)
    dag = find_dag(settings, secrets, wiring.dag_folders(settings), dag_id)
    if task_id not in dag.tasks:
        raise NotFoundError(f"Task {task_id!r} not found in DAG {dag_id!r}")
    store = memory_store()
    run = adhoc_run(store, dag, when)
    with store.transaction(readonly=True) as tx:
        context = replace(run_context(tx, dag_id, run.run_id), start_date=utcnow())
    key = TaskKey(dag_id, run.run_id, task_id, map_index)
    workload = build_workload(dag, key, context, try_number=1, max_tries=0)
    return Adhoc(store, dag, workload, secrets)


def _runtime(adhoc: Adhoc, key: TaskKey) -> StoreRuntime:
    return StoreRuntime(
        adhoc.store, key, secrets=adhoc.secrets, masker=_Unmasked(), clock=utcnow, actions=service_actions()
    )


def render_task(adhoc: Adhoc) -> list[tuple[str, Any]]:
    """The rendered template fields of the task, in their declared order."""
    from brisa.runner.task_runner import TryContext, _prepare

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
    secrets = _secrets(settings)
    errors: list[ImportErrorInfo] = []
    folders = wiring.dag_folders(settings)
    dags = list(parse_dag_files(settings, secrets, folders, errors))
    dag = the_dag(dags, dag_id, folders, errors)
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
    from brisa.loader.parse import assign_generation
    from brisa.sdk.serialize import serialize_dag

    _terminal_logging()
    settings = wiring.load_settings()
    secrets = _secrets(settings)
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
        timetables=registered_timetables,
    )
    others = [
        d for d in parse_dag_files(settings, secrets, [os.path.dirname(fileloc)]) if d.dag_id != dag.dag_id
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

    store = memory_store()
    run = adhoc_run(store, dag, when, conf=conf, others=others)
    subdags = _SubDags(
        {other.dag_id: other for other in others if other.is_subdag}, others, secrets, mark_success
    )
    return _drive(store, dag, run.run_id, subdags, secrets, mark_success=mark_success)


def _drive(
    store: Store,
    dag: SerializedDag,
    run_id: str,
    subdags: _SubDags,
    secrets: Any,
    *,
    mark_success: re.Pattern[str] | None,
) -> RunState:
    """The scheduler loop over ``store`` with the inline executor until the run ends."""
    from brisa.executors.inline import InlineExecutor
    from brisa.runner.task_runner import run_try
    from brisa.scheduler.loop import Scheduler, SchedulerConfig

    adhoc = Adhoc(store, dag, None, secrets)  # type: ignore[arg-type]

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
    triggerer = _InlineTriggerer(store, secrets)
    deadline = time.monotonic() + 24 * 3600
    try:
        while time.monotonic() < deadline:
            scheduler.tick(utcnow())
            scheduler.handle_events(scheduler.executor.poll())
            with store.transaction(readonly=True) as tx:
                current = tx.runs.require(dag.dag_id, run_id)
                tis = tx.tis.for_run(dag.dag_id, run_id)
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

    def __init__(self, store: Store, secrets: Any) -> None:
        self.store = store
        self.secrets = secrets
        self.triggerer: Triggerer | None = None

    def wait_for_triggers(self) -> None:
        from brisa.triggerer.loop import Triggerer, TriggererConfig

        if self.triggerer is None:
            self.triggerer = Triggerer(
                self.store, config=TriggererConfig(), clock=utcnow, secrets=self.secrets
            )
            self.triggerer.start()
        self.triggerer.tick(utcnow())
        self.triggerer.wait(WAIT_POLL_SECONDS)

    def stop(self) -> None:
        if self.triggerer is not None:
            self.triggerer.stop()


class _SubDags:
    """``dags test`` and ``SubDagOperator``: the sub-DAG's run is run to its end here, in a
    test store of its own, when the operator creates it (the inline executor runs one try
    at a time, so the loop could not run the child while the operator waits for it).

    Each child run keeps its store, so that the operator's retry (``RESET_FAILED_TASKS``)
    clears only the child's failed tasks and runs them again, as the scheduler path does,
    instead of running the whole child again."""

    def __init__(
        self,
        dags: dict[str, SerializedDag],
        others: list[SerializedDag],
        secrets: Any,
        mark_success: re.Pattern[str] | None,
    ) -> None:
        self.dags = dags
        self.others = others
        self.secrets = secrets
        self.mark_success = mark_success
        self.finished: dict[tuple[str, str], RunState] = {}
        self.children: dict[tuple[str, str], tuple[Store, str]] = {}

    def runtime(self, adhoc: Adhoc, key: TaskKey) -> StoreRuntime:
        if not self.dags:
            return _runtime(adhoc, key)
        return _SubDagRuntime(
            adhoc.store,
            key,
            secrets=adhoc.secrets,
            masker=_Unmasked(),
            clock=utcnow,
            actions=service_actions(),
            subdags=self,
        )

    def run_child(
        self, sub: SerializedDag, run_id: str, when: datetime, conf: Any, reset: bool | str
    ) -> RunState:
        """Run the child of the parent run ``run_id`` to its end; a retry resumes it."""
        from brisa.runtime import RESET_FAILED_TASKS

        known = self.children.get((sub.dag_id, run_id))
        if known is not None and reset == RESET_FAILED_TASKS:
            store, child_run_id = known
            _clear_child_failures(store, sub, child_run_id)
        else:
            store = memory_store()
            child_run_id = adhoc_run(store, sub, when, conf=conf, others=self.others).run_id
            self.children[(sub.dag_id, run_id)] = (store, child_run_id)
        state = _drive(store, sub, child_run_id, self, self.secrets, mark_success=self.mark_success)
        self.finished[(sub.dag_id, run_id)] = state
        return state


def _clear_child_failures(store: Store, sub: SerializedDag, run_id: str) -> None:
    from brisa.runner.store_runtime import clear_failed_tasks

    with store.transaction() as tx:
        run = tx.runs.require(sub.dag_id, run_id)
        clear_failed_tasks(tx, sub, run, now=utcnow(), actions=service_actions())


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
        self.subdags.run_child(sub, run_id, when, kwargs.get("conf"), kwargs.get("reset_dag_run", False))
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

    store = wiring.open_store(settings)
    secrets = wiring.make_secrets(settings, store)
    executor = wiring.make_local_executor(settings, store, secrets)
    executor.start_zygote()
    executor.start()
    try:
        now = utcnow()
        with store.transaction() as tx:
            dag, record, ti = queue_by_hand(
                tx,
                dag_id,
                task_id,
                run,
                now=now,
                map_index=map_index,
                ignore_dependencies=ignore_dependencies,
            )
            key = ti.key
            context = run_context(tx, dag_id, record.run_id)
        workload = build_workload(
            dag, key, context, try_number=ti.try_number + 1, max_tries=ti.max_tries, ti=ti
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
    "render_task",
    "run_task_instance",
    "test_dag",
    "test_dag_object",
    "test_task",
]
