"""Running one try of one task: its life cycle, from the DAG file to an outcome.

``run_try`` loads the DAG file, finds the task (unmapping it for its map index),
builds Airflow's template context (:mod:`brisa.runner.try_context`), renders the
template fields, executes the operator under its ``execution_timeout`` and turns what
happened into an :class:`Outcome`, calling the task's callbacks as Airflow does.  It
talks to the world only through a ``TaskRuntime``: over the control socket in a task
process (:mod:`brisa.runner.task_process`), or directly to the store for
``brisa dags test`` / ``brisa tasks test``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from brisa.loader.dag_conf import brisa_conf
from brisa.process.alarm import alarm
from brisa.runner.try_context import build_try_context, hostname, load_dag, rendered_fields
from brisa.runtime import TaskRuntime, current_runtime, use_runtime
from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.tries.deferral import deferral_of, resume_of
from brisa.tries.outcome import Outcome
from brisa.tries.retry import after_failed_try
from brisa.tries.workload import Workload

log = logging.getLogger("airflow.task")

LOG_FORMAT = "{%(filename)s:%(lineno)d} %(levelname)s - %(message)s"


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- one try -----------------------------------------------------------------------------------
@dataclass
class TryContext:
    """What one try has built so far (for callbacks when something fails midway)."""

    dag: Any = None
    task: Any = None
    context: dict[str, Any] | None = None


def run_try(
    workload: Workload,
    runtime: TaskRuntime,
    *,
    clock: Callable[[], datetime] = utcnow,
    report_rendered: Callable[[dict[str, Any]], None] | None = None,
    dag: Any = None,
    test_mode: bool = False,
) -> Outcome:
    """Run ``workload`` and say how it ended; never raises for task errors.

    ``test_mode`` is ``brisa tasks test``'s: the context's ``test_mode`` is True then."""
    state = TryContext(dag=dag)
    with use_runtime(runtime), brisa_conf():
        log.info(
            "Running %s, try %d of %d, on host %s",
            _label(workload),
            workload.try_number,
            workload.max_tries + 1,
            hostname(),
        )
        try:
            _prepare(state, workload, runtime, clock, test_mode=test_mode)
            if report_rendered is not None:
                report_rendered(rendered_fields(state.task))
            _execute(state, workload)
        except BaseException as err:
            _push_extra_links(state)
            return _outcome_for_error(err, state, workload, clock)
        _push_extra_links(state)
        end = clock()
        _end_callbacks(state, workload, "on_success_callback", TaskState.SUCCESS, end)
        _log_marking(workload, "SUCCESS")
        return Outcome(TaskState.SUCCESS, end, asset_events=_asset_events(state))


def _push_extra_links(state: TryContext) -> None:
    """Store the task's extra link URLs as XComs at the end of the try, whatever its
    outcome (Airflow 3 does the same), so the API reads them without operator code."""
    from brisa.sdk.extra_links import compute_links

    if state.task is None or state.context is None:
        return  # the try failed before the task existed: no link to compute
    ti = state.context["ti"]
    for key, url in compute_links(state.task, ti):
        try:
            ti.xcom_push(key=key, value=url)
        except Exception:
            log.exception("Could not store the extra link %s", key)


def _asset_events(state: TryContext) -> tuple[dict[str, Any], ...]:
    """What the task's outlets emit (recorded with the outcome: brisa/assets/events.py)."""
    from brisa.sdk.assets import emitted_events

    return emitted_events(getattr(state.task, "outlets", ()), (state.context or {}).get("outlet_events"))


def _prepare(
    state: TryContext,
    workload: Workload,
    runtime: TaskRuntime,
    clock: Callable[[], datetime],
    *,
    test_mode: bool = False,
) -> None:
    if state.dag is None:
        state.dag = load_dag(workload.fileloc, workload.key.dag_id, generation=workload.generation)
    task = state.dag.get_task(workload.key.task_id)
    state.task = task
    state.context = build_try_context(state.dag, task, workload, runtime, clock, test_mode=test_mode)
    if getattr(task, "is_mapped", False):
        task = task.unmap(workload.key.map_index, state.context)
        state.context["task"] = task
        state.context["ti"].task = task
    task = task.prepare_for_execution()
    state.task = task
    state.context["task"] = task
    state.context["ti"].task = task
    task.render_template_fields(state.context, state.dag.get_template_env())


def _execute(state: TryContext, workload: Workload) -> Any:
    from brisa.sdk.execution import execute_task

    task = state.task
    assert state.context is not None
    with _terminate_on_sigterm(task), _timeout(task.execution_timeout):
        return execute_task(task, state.context, resume=resume_of(workload))


def _outcome_for_error(
    err: BaseException, state: TryContext, workload: Workload, clock: Callable[[], datetime]
) -> Outcome:
    from brisa.sdk import exceptions as exc

    now = clock()
    if isinstance(err, exc.AirflowSkipException):
        log.info("Skipping task: %s", err or type(err).__name__)
        _end_callbacks(state, workload, "on_skipped_callback", TaskState.SKIPPED, now)
        _log_marking(workload, "SKIPPED")
        return Outcome(TaskState.SKIPPED, now)
    if isinstance(err, exc.AirflowRescheduleException):
        log.info("Rescheduling task, poking again at %s", err.reschedule_date)
        return Outcome(TaskState.UP_FOR_RESCHEDULE, now, next_try_at=_aware(err.reschedule_date))
    if isinstance(err, exc.TaskDeferred):
        return _deferred(err, now)
    log.error("Task failed with exception", exc_info=(type(err), err, err.__traceback__))
    retryable = not isinstance(err, exc.AirflowFailException | exc.AirflowSensorTimeout)
    outcome = after_failed_try(
        workload.retry,
        try_number=workload.try_number,
        max_tries=workload.max_tries,
        now=now,
        seed=workload.retry_seed,
        retryable=retryable,
        error=f"{type(err).__name__}: {err}",
    )
    to = outcome.state
    if state.context is not None:
        state.context["exception"] = err
    callback = "on_retry_callback" if to == TaskState.UP_FOR_RETRY else "on_failure_callback"
    _end_callbacks(state, workload, callback, to, now)
    _email_alert(state, to, err)
    _log_marking(workload, "UP_FOR_RETRY" if to == TaskState.UP_FOR_RETRY else "FAILED")
    return outcome


def _deferred(err: Any, now: datetime) -> Outcome:
    """The try hands its trigger to the triggerer; no callback runs (Airflow's)."""
    try:
        deferral = deferral_of(err, now)
    except Exception as exc:  # the trigger cannot be serialized: a task error, not a deferral
        log.error("Task failed: its trigger cannot be serialized", exc_info=exc)
        return Outcome(TaskState.FAILED, now, error=f"{type(exc).__name__}: {exc}")
    log.info("Pausing task as DEFERRED. trigger=%s method=%s", deferral.classpath, deferral.method_name)
    return Outcome(TaskState.DEFERRED, now, deferral=deferral)


def _end_callbacks(state: TryContext, workload: Workload, name: str, to: TaskState, end: datetime) -> None:
    """Call the task's ``name`` callback as Airflow does: once the try has its final state.

    The supervisor records that state only after the callbacks (the ``done`` request), so
    the context's ``ti`` is given it here, and the run's task instances read during the
    callback show this try as ending (see :class:`EndingTryRuntime`).
    """
    if state.task is None or state.context is None:
        return
    from brisa.sdk.execution import run_callbacks

    ti = state.context["ti"]
    ti.state, ti.end_date = to.value, end
    with use_runtime(EndingTryRuntime(current_runtime(), workload.key, to.value, end)):
        run_callbacks(getattr(state.task, name, None), state.context)


def _email_alert(state: TryContext, to: TaskState, err: BaseException) -> None:
    """Airflow's ``email_on_failure``/``email_on_retry`` mail, after the callbacks as there."""
    if state.task is None or state.context is None:
        return
    from brisa.runner.alerts import send_alert

    send_alert(state.task, state.context, to, err, current_runtime())


class EndingTryRuntime:
    """A try's runtime while its callbacks run, showing its own task instance in the state
    the try ends in: the store still says running until the supervisor records the outcome.
    Everything else goes to the try's runtime unchanged."""

    def __init__(self, runtime: TaskRuntime, key: TaskKey, state: str, end_date: datetime) -> None:
        self.runtime = runtime
        self.key = key
        self.state = state
        self.end_date = end_date

    def __getattr__(self, name: str) -> Any:
        return getattr(self.runtime, name)

    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        if (dag_id, run_id) != (self.key.dag_id, self.key.run_id):
            return self.runtime.get_task_instances(dag_id=dag_id, run_id=run_id, states=states)
        # Filtered here, not by the store: it would match this try's stale "running".
        rows = self.runtime.get_task_instances(dag_id=dag_id, run_id=run_id, states=None)
        ended = [self._ended(row) for row in rows]
        return [row for row in ended if states is None or row["state"] in states]

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        row = self.runtime.get_task_instance(
            dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index
        )
        return None if row is None else self._ended(row)

    def _ended(self, row: dict[str, Any]) -> dict[str, Any]:
        if TaskKey(row["dag_id"], row["run_id"], row["task_id"], row["map_index"]) != self.key:
            return row
        start = row.get("start_date")
        duration = (self.end_date - start).total_seconds() if start else None
        return {**row, "state": self.state, "end_date": self.end_date, "duration": duration}


def _log_marking(workload: Workload, state: str) -> None:
    run = workload.run
    log.info(
        "Marking task as %s. dag_id=%s, task_id=%s, run_id=%s, map_index=%s, logical_date=%s",
        state,
        workload.key.dag_id,
        workload.key.task_id,
        workload.key.run_id,
        workload.key.map_index,
        run.logical_date.strftime("%Y%m%dT%H%M%S") if run.logical_date else None,
    )


# -- signals and timeouts ---------------------------------------------------------------------
def _timeout(limit: Any) -> contextlib.AbstractContextManager[None]:
    """Raise AirflowTaskTimeout in the task when ``execution_timeout`` passes."""
    from brisa.sdk.exceptions import AirflowTaskTimeout

    seconds = _seconds(limit) if limit is not None else None
    message = f"Timeout, PID: {os.getpid()} (execution_timeout of {seconds or 0:g}s exceeded)"
    return alarm(seconds, lambda: AirflowTaskTimeout(message))


@contextlib.contextmanager
def _terminate_on_sigterm(task: Any) -> Iterator[None]:
    """SIGTERM (the supervisor ending the try) calls ``on_kill`` and fails the try."""
    if not _in_main_thread():
        yield
        return
    from brisa.sdk.exceptions import AirflowTaskTerminated

    def terminate(signum: int, _frame: Any) -> None:
        log.error("Received %s. Terminating subprocesses.", signal.Signals(signum).name)
        try:
            task.on_kill()
        finally:
            raise AirflowTaskTerminated(f"Task received {signal.Signals(signum).name} signal")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _label(workload: Workload) -> str:
    key = workload.key
    index = f" map_index={key.map_index}" if key.map_index >= 0 else ""
    return f"<TaskInstance: {key.dag_id}.{key.task_id} {key.run_id}{index} [running]>"


__all__ = [
    "EndingTryRuntime",
    "TryContext",
    "run_try",
]
