"""DAG-level callbacks (``on_success_callback``/``on_failure_callback`` of a DAG).

The scheduler never runs DAG code, so when a run ends it asks the zygote for a
``callback`` child which loads the DAG file and calls the callback with Airflow's
context (``dag``, ``dag_run``, ``reason``, ``run_id``...).  What the callback prints is
logged by the scheduler.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from brisa.executors.procpool import ChildHandler, ProcessPool, kill_group
from brisa.serialized import SerializedDag
from brisa.states import RunState
from brisa.store.records import RunRecord

log = logging.getLogger(__name__)

CALLBACK_TIMEOUT_SECONDS = 300.0


class _CallbackChild(ChildHandler):
    def __init__(self, label: str, deadline: float) -> None:
        self.label = label
        self.deadline = deadline
        self.output: list[bytes] = []

    def on_output(self, data: bytes) -> None:
        if sum(len(x) for x in self.output) < 100_000:
            self.output.append(data)

    def on_tick(self, now: float) -> None:
        if now > self.deadline and self.pid:
            kill_group(self.pid, 9)

    def on_exit(self, status: int | None) -> None:
        text = b"".join(self.output).decode("utf-8", "replace").strip()
        level = logging.INFO if status == 0 else logging.WARNING
        log.log(level, "%s ended with status %s%s", self.label, status, f":\n{text}" if text else "")

    def on_spawn_failed(self, error: str) -> None:
        log.warning("%s could not start: %s", self.label, error)


class DagCallbacks:
    def __init__(self, pool: ProcessPool, *, clock: Callable[[], datetime]) -> None:
        self.pool = pool
        self.clock = clock

    def run_dag_callback(self, dag: SerializedDag, run: RunRecord, state: RunState, reason: str) -> None:
        payload = callback_payload(dag, run, state, reason)
        label = f"{'on_success' if state == RunState.SUCCESS else 'on_failure'}_callback of {dag.dag_id}"
        self.pool.spawn(
            "callback", payload, _CallbackChild(label, time.monotonic() + CALLBACK_TIMEOUT_SECONDS)
        )


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


def call_dag_callback(payload: dict[str, Any]) -> int:
    """Load the DAG and call its success or failure callback; 1 if a callback raised."""
    from brisa.runner.task_runner import dag_callback_context, load_dag
    from brisa.sdk.execution import run_callbacks

    dag = load_dag(payload["fileloc"], payload["dag_id"])
    callback = dag.on_success_callback if payload["success"] else dag.on_failure_callback
    if not callback:
        return 0
    context = dag_callback_context(dag, payload["run"], payload["reason"])
    return 1 if run_callbacks(callback, context) else 0


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
    return call_dag_callback(payload)


__all__ = ["DagCallbacks", "airflow_reason", "call_dag_callback", "callback_payload", "child_main"]
