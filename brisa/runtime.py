"""What a running task may ask of the outside world, and where the answer comes from.

DAG code calls ``Variable.get``, ``BaseHook.get_connection``, ``ti.xcom_pull`` and the
like without being handed anything: Airflow's API is ambient.  Brisa keeps that
ambient part to this one module.  The task runner installs a :class:`TaskRuntime`
for the duration of a try with :func:`use_runtime`; the SDK facades call
:func:`current_runtime`.

Implementations:

* ``brisa.process.child_runtime.ChannelRuntime`` - inside a task process: forwards every call
  to the supervisor over a socket (task processes never open the database).
* ``brisa.runner.store_runtime.StoreRuntime`` - in the supervisor, and in-process for
  ``brisa dags test``: answers from the metadata store and the secrets backends.
* :class:`ParseRuntime` - while a DAG file is parsed: variables and connections only.
* ``brisa.triggerer.reads.TriggerRuntime`` - in the triggerer, around each trigger: other DAGs'
  states, variables and connections.
* ``brisa.runner.callbacks.CallbackRuntime`` - in a DAG-level callback: variables,
  connections and the run's task instances, read-only, answered by the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from brisa.errors import BrisaError

RESET_FAILED_TASKS = "failed_tasks"
"""``trigger_dag(reset_dag_run=...)``: run again only the failed tasks of the existing run."""


class NoRuntimeError(BrisaError):
    """Raised when DAG code asks for a variable, connection or XCom outside a task."""


class TaskRuntime(Protocol):
    def xcom_pull(
        self,
        *,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str] | None,
        key: str | None,
        map_indexes: Sequence[int] | None,
    ) -> list[tuple[str, int, Any]]:
        """XComs of the given tasks of one run as ``(task_id, map_index, value)``;
        ``task_ids=None``: of any task, newest first."""

    def xcom_sequence(
        self, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None
    ) -> dict[str, Any]:
        """What mapping over one task's XCom needs, without the whole value: see
        :func:`sequence_answer` (the value of a mapped task is its map indexes' values)."""

    def xcom_push(self, *, key: str, value: Any) -> None:
        """Push an XCom for the task instance being run."""

    def get_variable(self, key: str) -> str | None: ...

    def set_variable(self, key: str, value: str, description: str | None = None) -> None: ...

    def delete_variable(self, key: str) -> None: ...

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        """A connection as a dict of Airflow's connection fields, or None."""

    def trigger_dag(
        self,
        *,
        dag_id: str,
        run_id: str | None,
        conf: dict[str, Any] | None,
        logical_date: str | None,
        reset_dag_run: bool | str,
    ) -> str:
        """Create a run of another DAG; returns its run id. ``reset_dag_run`` True replaces
        an existing run of that id; ``RESET_FAILED_TASKS`` clears only its failed and
        upstream_failed tasks instead (SubDagOperator's retry, as Airflow 2)."""

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None: ...

    def get_asset_events(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        name: str | None = None,
        uri: str | None = None,
        alias: str | None = None,
    ) -> list[dict[str, Any]]:
        """Asset events as dicts: a run's triggering ones (``dag_id``, ``run_id``), an
        asset's (``name``, ``uri``) or those emitted through an ``alias``; a read-only
        runtime finds none."""

    def count_task_states(
        self,
        *,
        dag_id: str,
        logical_dates: Sequence[str],
        task_ids: Sequence[str] | None,
        states: Sequence[str | None],
    ) -> int:
        """How many task instances (or runs when ``task_ids`` is None) are in ``states`` (None:
        no state yet)."""

    def get_task_group_task_ids(self, *, dag_id: str, group_id: str) -> list[str] | None:
        """The task ids of a task group of a DAG (nested groups included); None when the DAG
        or the group does not exist."""

    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        """A run's task instances as dicts of their fields, in creation order: every one,
        or those in ``states`` (None among them meaning no state yet)."""

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        """One task instance of a run as a dict of its fields, or None."""

    def skip_tasks(self, *, task_ids: Sequence[str], map_index: int | None = None) -> None:
        """Mark tasks of the current run skipped (branching, short-circuit).

        ``map_index`` None means every map index of each task.
        """

    def get_task_state(self, *, key: str) -> dict[str, Any] | None:
        """``{"value": ...}`` of a key of this try's task state store, None when absent or expired."""

    def set_task_state(self, *, key: str, value: Any, retention: float | None) -> None:
        """Keep ``value`` under ``key`` for ``retention`` seconds (None: never expires)."""

    def delete_task_state(self, *, key: str) -> None: ...

    def clear_task_state(self) -> None: ...

    def mask_secret(self, value: str | dict[str, Any]) -> None:
        """Hide ``value`` from this try's log from now on (a dict: its values, judged by key)."""

    def mask_text(self, text: str) -> str:
        """``text`` with every secret this try's log hides masked (alert emails)."""


class SecretsReader(Protocol):
    def get_variable(self, key: str) -> str | None: ...

    def get_connection(self, conn_id: str) -> dict[str, Any] | None: ...


SECRET_READS = ("get_variable", "get_connection")
"""What DAG code outside a task may ask the scheduler: a DAG file's top-level code while
it is parsed, and DAG-level callbacks (as Airflow's DAG processor reads the secrets
backends for both)."""


class NoSecrets:
    """The ``SecretsReader`` of a scheduler given no secrets service (some tests): every
    read is refused, so that DAG code fails as it would outside a task."""

    def get_variable(self, key: str) -> str | None:
        raise _no_secrets(f"variable {key!r}")

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        raise _no_secrets(f"connection {conn_id!r}")


def _no_secrets(what: str) -> NoRuntimeError:
    return NoRuntimeError(f"{what}: variables and connections are not available to this scheduler")


class ReadOnlyRuntime:
    """A runtime outside any try: variables and connections are read through ``source``;
    anything about a running try is refused, naming what was asked and, in
    :attr:`allowed`, what may be asked here instead."""

    allowed = "variables and connections"

    def __init__(self, source: SecretsReader) -> None:
        self.source = source

    def _refused(self, what: str) -> NoRuntimeError:
        return NoRuntimeError(f"{what} needs a running task; {self.allowed}")

    def get_variable(self, key: str) -> str | None:
        return self.source.get_variable(key)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return self.source.get_connection(conn_id)

    def xcom_pull(self, **_: Any) -> list[tuple[str, int, Any]]:
        raise self._refused("pulling an XCom")

    def xcom_push(self, **_: Any) -> None:
        raise self._refused("pushing an XCom")

    def xcom_sequence(self, **_: Any) -> dict[str, Any]:
        raise self._refused("pulling an XCom")

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        raise self._refused(f"setting variable {key!r}")

    def delete_variable(self, key: str) -> None:
        raise self._refused(f"deleting variable {key!r}")

    def trigger_dag(self, **_: Any) -> str:
        raise self._refused("triggering a DAG")

    def get_run_state(self, **_: Any) -> str | None:
        raise self._refused("reading a run's state")

    def count_task_states(self, **_: Any) -> int:
        raise self._refused("counting task states")

    def get_task_group_task_ids(self, **_: Any) -> list[str] | None:
        raise self._refused("reading another DAG's task groups")

    def get_task_instances(self, **_: Any) -> list[dict[str, Any]]:
        raise self._refused("reading a run's task instances")

    def get_asset_events(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        name: str | None = None,
        uri: str | None = None,
        alias: str | None = None,
    ) -> list[dict[str, Any]]:
        """No run triggered here, no inlet: no asset event."""
        return []

    def get_task_instance(self, **_: Any) -> dict[str, Any] | None:
        raise self._refused("reading a task instance")

    def skip_tasks(self, **_: Any) -> None:
        raise self._refused("skipping tasks")

    def get_task_state(self, **_: Any) -> dict[str, Any] | None:
        raise self._refused("reading the task state store")

    def set_task_state(self, **_: Any) -> None:
        raise self._refused("writing the task state store")

    def delete_task_state(self, **_: Any) -> None:
        raise self._refused("writing the task state store")

    def clear_task_state(self) -> None:
        raise self._refused("writing the task state store")

    def mask_secret(self, value: str | dict[str, Any]) -> None:
        """Nothing is logged here that a mask would apply to."""

    def mask_text(self, text: str) -> str:
        return text


class ParseRuntime(ReadOnlyRuntime):
    """What a DAG file's top-level code may ask while it is parsed: variables and
    connections, read-only.

    Airflow discourages ``Variable.get`` at the top of a DAG file (it runs at every
    parse) but allows it, and real files do it. Anything about a run - XComs,
    triggering, skipping - has no meaning at parse time and stays an error; writing
    variables from a parse is refused too (every parse would write).
    """

    allowed = "a DAG file's top-level code may only read variables and connections"


def mappable_items(value: Any) -> list[Any] | None:
    """The items mapping over ``value`` gives (a dict's are its ``(key, value)`` pairs),
    or None when it cannot be mapped over."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(value)
    return None


def sequence_answer(value: Any, items: Sequence[Any] | None, index: int | None) -> dict[str, Any]:
    """The answer to ``xcom_sequence`` for a pushed ``value`` and its :func:`mappable_items`:
    ``type`` (the value's type name) and, if it can be mapped over, ``length`` and the
    ``item`` at ``index`` (when asked for and in range). A mapped try asks for its own
    item only: handing each of N tries the whole N-item list costs O(N²) over the run."""
    answer: dict[str, Any] = {"type": type(value).__name__}
    if items is None:
        return answer
    answer["length"] = len(items)
    if index is not None and 0 <= index < len(items):
        answer["item"] = items[index]
    return answer


_current: ContextVar[TaskRuntime | None] = ContextVar("brisa_task_runtime", default=None)


class _OutsideRuntime:
    """The runtime of DAG code that runs outside any of Brisa's (a script, a test suite):
    unset in Brisa's own processes, where DAG code always runs under a runtime. Set once
    per process by :mod:`brisa.cli.outside`; the runtime itself is opened on first use."""

    factory: Callable[[], TaskRuntime] | None = None
    opened: TaskRuntime | None = None

    @classmethod
    def get(cls) -> TaskRuntime | None:
        if cls.opened is None and cls.factory is not None:
            cls.opened = cls.factory()
        return cls.opened


def set_outside_runtime(factory: Callable[[], TaskRuntime] | None) -> None:
    """DAG code outside any runtime gets ``factory()`` (opened once, on first use)."""
    _OutsideRuntime.factory, _OutsideRuntime.opened = factory, None


def current_runtime() -> TaskRuntime:
    runtime = _current.get() or _OutsideRuntime.get()
    if runtime is None:
        raise NoRuntimeError(
            "this needs a running task (or `brisa tasks test` / `brisa dags test`): "
            "variables, connections and XComs are only reachable while a task runs; "
            "DAG callbacks may read variables, connections and the run's task instances"
        )
    return runtime


def maybe_runtime() -> TaskRuntime | None:
    return _current.get()


@contextmanager
def use_runtime(runtime: TaskRuntime) -> Iterator[TaskRuntime]:
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)


__all__ = [
    "RESET_FAILED_TASKS",
    "SECRET_READS",
    "NoRuntimeError",
    "NoSecrets",
    "ParseRuntime",
    "ReadOnlyRuntime",
    "SecretsReader",
    "TaskRuntime",
    "current_runtime",
    "mappable_items",
    "maybe_runtime",
    "sequence_answer",
    "set_outside_runtime",
    "use_runtime",
]
