"""DAG-level callbacks (``on_success_callback``/``on_failure_callback`` of a DAG).

The scheduler never runs DAG code, so when a run ends it asks the zygote for a
``callback`` child which loads the DAG file and calls the callback with Airflow's
context (``dag``, ``dag_run``, ``reason``, ``run_id``...).  What the callback prints is
logged by the scheduler, masked like a try's log.

The callback may read what Airflow's DAG processor lets it read: the run's task
instances (``dag_run.get_task_instances()``), variables and connections (a failure alert
reads its webhook or API token).  The child asks over its control socket when the
callback calls, and the scheduler's pool thread answers from the store and the secrets
backends, as it answers task processes; every secret handed out is registered with the
masker of the callback's output.  Writes (variables, XComs, triggering) are refused.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from brisa.process.pool import ChildHandler, ProcessPool, kill_group
from brisa.runner.store_runtime import MaskedSecrets, Masker, TaskInstanceReader
from brisa.runtime import SECRET_READS, NoSecrets, ReadOnlyRuntime, SecretsReader, use_runtime
from brisa.secrets.masking import SecretsMasker
from brisa.serialized import SerializedDag
from brisa.states import RunState
from brisa.store.records import RunRecord
from brisa.store.sql import Store

log = logging.getLogger(__name__)

CALLBACK_TIMEOUT_SECONDS = 300.0


TI_REQUESTS = ("get_task_instances", "get_task_instance")
CALLBACK_REQUESTS = (*TI_REQUESTS, *SECRET_READS, "mask_secret")
"""What a callback child may ask its parent: reads, and masking what it read."""


class TaskInstanceSource(Protocol):
    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]: ...

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None: ...


class OutputMasker(Masker, Protocol):
    def mask(self, text: str) -> str: ...


class CallbackSource(TaskInstanceSource, SecretsReader, Protocol):
    """Where a DAG callback's reads are answered: its control socket in a callback
    child, :class:`CallbackAnswers` directly in ``brisa dags test``."""

    def mask_secret(self, value: Any) -> None: ...


class CallbackAnswers(TaskInstanceReader, MaskedSecrets):
    """The answers to one DAG callback: the run's task instances from the store,
    variables and connections from the secrets backends (``None``: refused).

    ``masker`` learns every secret handed out (and those the callback masks itself), so
    that the callback's output can be masked before it is logged.
    """

    masker: OutputMasker

    def __init__(self, store: Store, secrets: SecretsReader | None, masker: OutputMasker) -> None:
        TaskInstanceReader.__init__(self, store)
        MaskedSecrets.__init__(self, secrets or NoSecrets(), masker)

    def mask_secret(self, value: Any) -> None:
        self.masker.add(value)

    def answer(self, op: str, args: dict[str, Any]) -> Any:
        """A callback child's request; anything but a read (or a mask) is refused."""
        if op not in CALLBACK_REQUESTS:
            raise ValueError(f"a DAG callback cannot ask for {op!r}")
        return getattr(self, op)(**args)


class _CallbackChild(ChildHandler):
    def __init__(self, label: str, deadline: float, answers: CallbackAnswers) -> None:
        self.label = label
        self.deadline = deadline
        self.answers = answers
        self.output: list[bytes] = []

    def on_request(self, op: str, args: dict[str, Any]) -> Any:
        return self.answers.answer(op, args)

    def on_output(self, data: bytes) -> None:
        if sum(len(x) for x in self.output) < 100_000:
            self.output.append(data)

    def on_tick(self, now: float) -> None:
        if now > self.deadline and self.pid:
            kill_group(self.pid, 9)

    def on_exit(self, status: int | None) -> None:
        # Masked at the end, not as it arrives: a secret read late still hides what was
        # printed before it (an alert may print the message, then read the token to send it).
        text = self.answers.masker.mask(b"".join(self.output).decode("utf-8", "replace").strip())
        level = logging.INFO if status == 0 else logging.WARNING
        log.log(level, "%s ended with status %s%s", self.label, status, f":\n{text}" if text else "")

    def on_spawn_failed(self, error: str) -> None:
        log.warning("%s could not start: %s", self.label, error)


class DagCallbacks:
    """Runs DAG callbacks in callback children and answers their reads.

    ``secrets`` is the scheduler's secrets service (the DAG processor's, which answers a
    DAG file's top-level ``Variable.get``); ``masker_factory`` builds one masker per
    callback, as each try has its own.
    """

    def __init__(
        self,
        pool: ProcessPool,
        store: Store,
        *,
        clock: Callable[[], datetime],
        secrets: SecretsReader | None = None,
        masker_factory: Callable[[], OutputMasker] = SecretsMasker,
    ) -> None:
        self.pool = pool
        self.store = store
        self.clock = clock
        self.secrets = secrets
        self.masker_factory = masker_factory

    def run_dag_callback(self, dag: SerializedDag, run: RunRecord, state: RunState, reason: str) -> None:
        payload = callback_payload(dag, run, state, reason)
        label = f"{'on_success' if state == RunState.SUCCESS else 'on_failure'}_callback of {dag.dag_id}"
        deadline = time.monotonic() + CALLBACK_TIMEOUT_SECONDS
        answers = CallbackAnswers(self.store, self.secrets, self.masker_factory())
        self.pool.spawn("callback", payload, _CallbackChild(label, deadline, answers))


def callback_payload(dag: SerializedDag, run: RunRecord, state: RunState, reason: str) -> dict[str, Any]:
    """What a callback child needs to load the DAG and build the callback's context."""
    return {
        "fileloc": dag.fileloc,
        "dag_id": dag.dag_id,
        "run": _run_payload(run, state),
        "success": state == RunState.SUCCESS,
        "reason": airflow_reason(state, reason),
    }


def airflow_reason(state: RunState, reason: str) -> str:
    """Airflow's ``reason`` for a DAG callback ("success", "timed_out", "task_failure"):
    callbacks branch on it, so the scheduler's own wording must not leak into it."""
    if state == RunState.SUCCESS:
        return "success"
    return "timed_out" if "dagrun_timeout" in (reason or "") else "task_failure"


def call_dag_callback(payload: dict[str, Any], source: CallbackSource) -> int:
    """Load the DAG and call its success or failure callback; 1 if a callback raised.

    ``source`` answers the callback's reads (``dag_run.get_task_instances()``,
    ``Variable.get``, ``BaseHook.get_connection``)."""
    from brisa.loader.dag_conf import brisa_conf
    from brisa.runner.try_context import dag_callback_context, load_dag
    from brisa.sdk.execution import run_callbacks

    # The file is loaded under the callback's runtime too: its top-level code may read a
    # variable, as it did when the DAG processor parsed it.
    with brisa_conf(), use_runtime(CallbackRuntime(source)):
        dag = load_dag(payload["fileloc"], payload["dag_id"])
        callback = dag.on_success_callback if payload["success"] else dag.on_failure_callback
        if not callback:
            return 0
        context = dag_callback_context(dag, payload["run"], payload["reason"])
        return 1 if run_callbacks(callback, context) else 0


class CallbackRuntime(ReadOnlyRuntime):
    """The runtime of a DAG-level callback: read-only, like Airflow's DAG processor.

    The run's task instances, variables and connections are read through ``source``;
    ``mask_secret`` hides a value in the callback's logged output.  Writes and XComs
    fail as they fail outside a task, naming what was refused.
    """

    allowed = (
        "a DAG-level callback may only read the run's task instances "
        "(dag_run.get_task_instances()), variables and connections"
    )
    source: CallbackSource

    def __init__(self, source: CallbackSource) -> None:
        super().__init__(source)

    def get_task_instances(  # type: ignore[override]
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        return self.source.get_task_instances(dag_id=dag_id, run_id=run_id, states=states)

    def get_task_instance(  # type: ignore[override]
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        return self.source.get_task_instance(
            dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index
        )

    def mask_secret(self, value: Any) -> None:
        self.source.mask_secret(value)


def _run_payload(run: RunRecord, state: RunState) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "run_id": run.run_id,
        "run_type": run.run_type,
        "state": state.value,
        "logical_date": iso(run.logical_date),
        "data_interval_start": iso(run.data_interval_start),
        "data_interval_end": iso(run.data_interval_end),
        "run_after": iso(run.run_after),
        "start_date": iso(run.start_date),
        "conf": run.conf,
    }


def child_main(payload: dict[str, Any], control: socket.socket) -> int:  # pragma: no cover - child process
    from brisa.process.child_runtime import ChannelRuntime

    return call_dag_callback(payload, ChannelRuntime(control))


__all__ = [
    "CALLBACK_REQUESTS",
    "CallbackAnswers",
    "CallbackRuntime",
    "CallbackSource",
    "DagCallbacks",
    "OutputMasker",
    "TaskInstanceSource",
    "airflow_reason",
    "call_dag_callback",
    "callback_payload",
    "child_main",
]
