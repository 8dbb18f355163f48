"""The ambient authoring and execution contexts Airflow's API relies on.

Airflow lets DAG files write ``with DAG(...):`` and ``with TaskGroup(...):`` and lets
task code call ``get_current_context()``; all three are ambient.  Each lives here in a
:class:`~contextvars.ContextVar` holding an immutable tuple, so a parse or a try in
one thread or context never sees another's.

``collect_dags()`` is how the loader learns of DAGs created in ``with`` blocks or by
``@dag`` calls but never assigned to a module global (Airflow 2.4+ registers them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from brisa.sdk.exceptions import AirflowException

if TYPE_CHECKING:
    from brisa.sdk.dag import DAG
    from brisa.sdk.taskgroup import TaskGroup

Context = dict[str, Any]
"""``airflow.utils.context.Context``: the template context handed to ``execute``."""

_dag_stack: ContextVar[tuple[DAG, ...]] = ContextVar("brisa_dag_stack", default=())
_group_stack: ContextVar[tuple[TaskGroup, ...]] = ContextVar("brisa_group_stack", default=())
_collector: ContextVar[list[DAG] | None] = ContextVar("brisa_dag_collector", default=None)
_task_context: ContextVar[tuple[Context, ...]] = ContextVar("brisa_task_context", default=())
_airflow_1_file: ContextVar[Callable[[], bool] | None] = ContextVar("brisa_airflow_1_file", default=None)


# -- DAGs ------------------------------------------------------------------------
def push_dag(dag: DAG) -> None:
    _dag_stack.set((*_dag_stack.get(), dag))


def pop_dag() -> DAG | None:
    stack = _dag_stack.get()
    if not stack:
        return None
    _dag_stack.set(stack[:-1])
    return stack[-1]


def current_dag() -> DAG | None:
    stack = _dag_stack.get()
    return stack[-1] if stack else None


def register_dag(dag: DAG) -> None:
    """Tell the loader (if one is collecting) that ``dag`` was defined."""
    collected = _collector.get()
    if collected is not None and all(d is not dag for d in collected):
        collected.append(dag)


@contextmanager
def collect_dags() -> Iterator[list[DAG]]:
    """Collect every DAG auto-registered while the block runs, in order."""
    collected: list[DAG] = []
    token = _collector.set(collected)
    try:
        yield collected
    finally:
        _collector.reset(token)


# -- the DAG file being loaded ------------------------------------------------------
@contextmanager
def loading_file(written_for_airflow_1: Callable[[], bool]) -> Iterator[None]:
    """While the loader runs a DAG file: ``written_for_airflow_1()`` tells, from what the
    file has imported so far, whether it was written for Airflow 1.10 (whose operators
    took unknown arguments with a warning)."""
    token = _airflow_1_file.set(written_for_airflow_1)
    try:
        yield
    finally:
        _airflow_1_file.reset(token)


def file_written_for_airflow_1() -> bool:
    """False outside a DAG file's load (operators built by tests or task code stay strict)."""
    check = _airflow_1_file.get()
    return check is not None and check()


# -- task groups -------------------------------------------------------------------
def push_task_group(group: TaskGroup) -> None:
    _group_stack.set((*_group_stack.get(), group))


def pop_task_group() -> TaskGroup | None:
    stack = _group_stack.get()
    if not stack:
        return None
    _group_stack.set(stack[:-1])
    return stack[-1]


def current_task_group(dag: DAG | None) -> TaskGroup | None:
    """The innermost ``with TaskGroup`` block of ``dag``, else the DAG's root group."""
    for group in reversed(_group_stack.get()):
        if dag is None or group.dag is None or group.dag is dag:
            return group
    return dag.task_group if dag is not None else None


# -- the running task's context ------------------------------------------------------
@contextmanager
def use_context(context: Context) -> Iterator[Context]:
    """Make ``context`` what ``get_current_context()`` returns while the block runs."""
    token = _task_context.set((*_task_context.get(), context))
    try:
        yield context
    finally:
        _task_context.reset(token)


def get_current_context() -> Context:
    """The template context of the task being executed (TaskFlow tasks and callables)."""
    stack = _task_context.get()
    if not stack:
        raise AirflowException(
            "Current context was requested but no context was found! Are you running within an Airflow task?"
        )
    return stack[-1]


__all__ = [
    "Context",
    "collect_dags",
    "current_dag",
    "current_task_group",
    "file_written_for_airflow_1",
    "get_current_context",
    "loading_file",
    "pop_dag",
    "pop_task_group",
    "push_dag",
    "push_task_group",
    "register_dag",
    "use_context",
]
