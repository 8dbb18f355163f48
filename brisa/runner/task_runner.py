"""Running one try of one task: the code inside the task process.

``run_try`` loads the DAG file, finds the task (unmapping it for its map index),
builds Airflow's template context, renders the template fields, executes the operator
under its ``execution_timeout`` and turns what happened into an :class:`Outcome`,
calling the task's callbacks as Airflow does.  It talks to the world only through a
``TaskRuntime``: over the control socket in a task process (``child_main``), or
directly to the store for ``brisa dags test`` / ``brisa tasks test``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from brisa.executors.base import RunContext, Workload
from brisa.hooks.retries import RetryPolicy, state_after_failure
from brisa.runner.outcome import Outcome
from brisa.runtime import TaskRuntime, current_runtime, use_runtime
from brisa.states import TaskState
from brisa.store.records import TaskKey

log = logging.getLogger("airflow.task")

LOG_FORMAT = "{%(filename)s:%(lineno)d} %(levelname)s - %(message)s"


def utcnow() -> datetime:
    return datetime.now(UTC)


@functools.cache
def hostname() -> str:
    return socket.getfqdn()


def warm_up() -> None:
    """Called by the zygote before it forks: children inherit what this caches."""
    hostname()
    # Python finds its temporary directory by writing a probe file in it, once per
    # process; BashOperator's working directory would pay that in every task.
    tempfile.gettempdir()


# -- the task process --------------------------------------------------------------------
def child_main(payload: dict[str, Any], control: socket.socket) -> int:  # pragma: no cover - child process
    from brisa.runner.channel import ChannelClosed, ChannelRuntime
    from brisa.runner.tryrecord import TaskRecord

    record = TaskRecord.begin(payload)
    if record is not None:
        record.orphan_proof_streams()
    _configure_logging()
    workload = Workload.from_dict(payload)
    runtime = ChannelRuntime(control)
    outcome = run_try(workload, runtime, report_rendered=runtime.report_rendered)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        runtime.report_done(outcome.to_dict())
    except ChannelClosed:
        if record is None:
            raise
        # The scheduler died with its process group: a restarted one reads this.
        record.end(outcome, runtime.pushed)
    return 0


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


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
            return _outcome_for_error(err, state, workload, clock)
        end = clock()
        _end_callbacks(state, workload, "on_success_callback", TaskState.SUCCESS, end)
        _log_marking(workload, "SUCCESS")
        return Outcome(TaskState.SUCCESS, end)


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
    from brisa.triggerer.deferral import resume_of

    task = state.task
    assert state.context is not None
    with _terminate_on_sigterm(task), _timeout(task.execution_timeout):
        return execute_task(task, state.context, resume=resume_of(workload.extra))


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
    to, next_try_at = state_after_failure(
        _retry_policy(state.task, workload),
        try_number=workload.try_number,
        max_tries=workload.max_tries,
        now=now,
        seed=f"{workload.key.dag_id}#{workload.key.task_id}#{workload.run.logical_date}",
        retryable=retryable,
    )
    if state.context is not None:
        state.context["exception"] = err
    callback = "on_retry_callback" if to == TaskState.UP_FOR_RETRY else "on_failure_callback"
    _end_callbacks(state, workload, callback, to, now)
    _email_alert(state, to, err)
    _log_marking(workload, "UP_FOR_RETRY" if to == TaskState.UP_FOR_RETRY else "FAILED")
    return Outcome(to, now, next_try_at=next_try_at, error=f"{type(err).__name__}: {err}")


def _deferred(err: Any, now: datetime) -> Outcome:
    """The try hands its trigger to the triggerer; no callback runs (Airflow's)."""
    from brisa.triggerer.deferral import deferral_of

    try:
        deferral = deferral_of(err, now)
    except Exception as exc:  # the trigger cannot be serialized: a task error, not a deferral
        log.error("Task failed: its trigger cannot be serialized", exc_info=exc)
        return Outcome(TaskState.FAILED, now, error=f"{type(exc).__name__}: {exc}")
    log.info("Pausing task as DEFERRED. trigger=%s method=%s", deferral["classpath"], err.method_name)
    return Outcome(TaskState.DEFERRED, now, deferral=deferral)


def _retry_policy(task: Any, workload: Workload) -> RetryPolicy:
    if task is None:
        extra = workload.extra
        return RetryPolicy(
            float(extra.get("retry_delay", 300.0)),
            bool(extra.get("retry_exponential_backoff")),
            extra.get("max_retry_delay"),
        )
    max_delay = getattr(task, "max_retry_delay", None)
    return RetryPolicy(
        retry_delay=_seconds(getattr(task, "retry_delay", 300.0)),
        exponential_backoff=bool(getattr(task, "retry_exponential_backoff", False)),
        max_retry_delay=_seconds(max_delay) if max_delay is not None else None,
    )


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


# -- context ----------------------------------------------------------------------------------
def load_dag(fileloc: str, dag_id: str, *, generation: str = "2") -> Any:
    """The DAG object: preloaded by this process's file zygote, else loaded now."""
    from brisa.loader import load_dag_object
    from brisa.runner import dag_cache

    return dag_cache.get(fileloc, dag_id) or load_dag_object(fileloc, dag_id, generation_default=generation)


def build_try_context(
    dag: Any,
    task: Any,
    workload: Workload,
    runtime: TaskRuntime,
    clock: Callable[[], datetime],
    *,
    test_mode: bool = False,
) -> dict[str, Any]:
    from brisa.sdk.params import resolve_run_params
    from brisa.sdk.taskinstance import TaskInstance
    from brisa.templating import build_context
    from brisa.templating.context import PreviousRuns

    run = workload.run
    dag_run = dag_run_view(dag.dag_id, run)
    ti = TaskInstance(
        dag_id=dag.dag_id,
        task_id=task.task_id,
        run_id=run.run_id,
        task=task,
        map_index=workload.key.map_index,
        try_number=workload.try_number,
        max_tries=workload.max_tries,
        state="running",
        hostname=hostname(),
        start_date=clock(),
        logical_date=run.logical_date,
        sensor_start_date=workload.sensor_started_at,
        dag_run=dag_run,
        pool=workload.pool,
        queue=workload.queue,
        priority_weight=workload.priority_weight,
        generation=workload.generation,
    )
    params = resolve_run_params(task.params, run.conf)
    prev = PreviousRuns(
        prev_data_interval_start_success=run.prev_data_interval_start_success,
        prev_data_interval_end_success=run.prev_data_interval_end_success,
        prev_start_date_success=run.prev_start_date_success,
        prev_end_date_success=run.prev_end_date_success,
        prev_logical_date_success=run.prev_logical_date_success,
    )
    return build_context(
        dag=dag,
        task=task,
        dag_run=dag_run,
        ti=ti,
        generation=workload.generation,
        runtime=runtime,
        conf=config_lookup,
        params=params,
        prev=prev,
        test_mode=test_mode,
    )


def dag_run_view(dag_id: str, run: RunContext, state: str = "running") -> Any:
    from brisa.sdk.dagrun import DagRun

    return DagRun(
        dag_id=dag_id,
        run_id=run.run_id,
        run_type=run.run_type,
        logical_date=run.logical_date,
        data_interval_start=run.data_interval_start,
        data_interval_end=run.data_interval_end,
        start_date=run.start_date,
        run_after=run.run_after,
        conf=run.conf,
        state=state,
        triggered_by=run.triggered_by,
        ui_url=ui_base_url,
    )


def ui_base_url() -> str:
    """The web UI's address for ``log_url`` links: ``[api] base_url`` (Airflow's
    ``[webserver] base_url``), else Airflow's default."""
    from brisa.sdk.dagrun import DEFAULT_UI_URL

    return config_lookup("api", "base_url") or DEFAULT_UI_URL


def dag_callback_context(dag: Any, run: dict[str, Any], reason: str) -> dict[str, Any]:
    """The context DAG-level callbacks get (Airflow's: dag, dag_run, reason, run_id...)."""

    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(run[key]) if run.get(key) else None

    context = RunContext(
        run_id=run["run_id"],
        run_type=run["run_type"],
        logical_date=when("logical_date"),
        data_interval_start=when("data_interval_start"),
        data_interval_end=when("data_interval_end"),
        run_after=when("run_after") or utcnow(),
        start_date=when("start_date"),
        conf=run.get("conf") or {},
    )
    dag_run = dag_run_view(dag.dag_id, context, state=run["state"])
    return {
        "dag": dag,
        "dag_run": dag_run,
        "reason": reason,
        "run_id": run["run_id"],
        "logical_date": context.logical_date,
        "ds": context.logical_date.strftime("%Y-%m-%d") if context.logical_date else None,
        "params": getattr(dag, "params", {}),
    }


DAG_CODE_SETTINGS = frozenset(
    {
        ("webserver", "base_url"),
        ("api", "base_url"),
        ("core", "dags_folder"),
        ("core", "default_timezone"),
        ("core", "executor"),
    }
)
"""What ``airflow.configuration.conf`` answers DAG code from Brisa's settings (an alert
builds links with ``[webserver] base_url``, a DAG file finds its SQL files under
``[core] dags_folder``); other keys keep the answers of :mod:`brisa.sdk.configuration`
(Airflow's defaults). Never secrets such as the database URL or the Fernet key."""


def dag_code_config(section: str, key: str) -> str | None:
    """``conf.get(section, key)`` in DAG code: Brisa's value of a :data:`DAG_CODE_SETTINGS`
    key when one is set; None (Airflow's default, or the caller's fallback) otherwise."""
    if (section, key) not in DAG_CODE_SETTINGS:
        return None
    return config_lookup(section, key) or None  # unset is "", not Airflow's default URL


@contextlib.contextmanager
def brisa_conf() -> Iterator[None]:
    """While DAG code runs: ``airflow.configuration.conf`` answers from Brisa's settings.

    The settings are read only if DAG code asks (see :func:`config_lookup`)."""
    from brisa.sdk.configuration import use_config

    with use_config(dag_code_config):
        yield


_config_cache: dict[tuple[str, str], str | None] = {}


def config_lookup(section: str, key: str) -> str | None:
    """``{{ conf.get(section, key) }}`` in generation-2 templates: Brisa's effective config.

    None (so the caller's ``fallback``, or a "not found" error) for an option that is not
    set, and for secrets (database and broker URLs, keys): DAG code has no use for them
    and a rendered template would show them.
    """
    if (section, key) not in _config_cache:
        from brisa.config import load_settings
        from brisa.errors import NotFoundError

        try:
            item = load_settings(os.environ).item(section, key)
        except NotFoundError:
            item = None
        _config_cache[(section, key)] = None if item is None or item.sensitive else item.value
    return _config_cache[(section, key)]


def rendered_fields(task: Any) -> dict[str, Any]:
    """The rendered template fields, JSON-safe, for the UI's "Rendered" tab."""
    from brisa.sdk.xcom_arg import describe_value

    fields = {}
    for name in getattr(task, "template_fields", ()):
        value = getattr(task, name, None)
        fields[name] = (
            value if isinstance(value, str | int | float | bool | type(None)) else describe_value(value)
        )
    return fields


# -- signals and timeouts ---------------------------------------------------------------------
@contextlib.contextmanager
def _timeout(limit: Any) -> Iterator[None]:
    """Raise AirflowTaskTimeout in the task when ``execution_timeout`` passes."""
    seconds = _seconds(limit) if limit is not None else None
    if not seconds or seconds <= 0 or not _in_main_thread():
        yield
        return
    from brisa.sdk.exceptions import AirflowTaskTimeout

    def expire(_signum: int, _frame: Any) -> None:
        raise AirflowTaskTimeout(f"Timeout, PID: {os.getpid()} (execution_timeout of {seconds:g}s exceeded)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
    "DAG_CODE_SETTINGS",
    "EndingTryRuntime",
    "TryContext",
    "brisa_conf",
    "build_try_context",
    "child_main",
    "config_lookup",
    "dag_callback_context",
    "dag_code_config",
    "dag_run_view",
    "load_dag",
    "rendered_fields",
    "run_try",
    "ui_base_url",
]
