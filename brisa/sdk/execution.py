"""How the task runner executes an operator: hooks, ``execute``, return-value XComs.

The runner's sequence for one try (see the report in ``docs`` for the full contract)::

    task = dag.get_task(task_id)
    if task.is_mapped:
        task = task.unmap(map_index, context)       # resolves the mapped XComArgs
    task = task.prepare_for_execution()
    task.render_template_fields(context, dag.get_template_env())
    result = execute_task(task, context)             # pushes the return value XComs
    run_callbacks(task.on_success_callback, context) # (or failure / retry / skipped)
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from brisa.sdk.context import use_context
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.xcom_arg import XCOM_RETURN_KEY

log = logging.getLogger("airflow.task")


def determine_kwargs(
    function: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The keyword arguments ``function`` takes from ``kwargs`` (a context), as Airflow.

    A function with ``**kwargs`` gets everything; otherwise only the names it declares.
    A positional argument may not also be a context name.
    """
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    for param in parameters[: len(args)]:
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD) and param.name in kwargs:
            raise ValueError(f"The key {param.name!r} in args is a part of kwargs and therefore reserved.")
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return dict(kwargs)
    positional = {p.name for p in parameters[: len(args)] if p.kind != p.VAR_POSITIONAL}
    return {
        p.name: kwargs[p.name]
        for p in parameters
        if p.name in kwargs
        and p.name not in positional
        and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }


def call_with_context(function: Callable[..., Any], args: Sequence[Any], context: Mapping[str, Any]) -> Any:
    return function(*args, **determine_kwargs(function, args, context))


def execute_task(
    task: Any, context: dict[str, Any], *, resume: tuple[str, dict[str, Any]] | None = None
) -> Any:
    """Run one rendered operator's ``execute`` with its hooks; push the return value.

    ``on_execute_callback`` and ``pre_execute`` run first, ``post_execute`` after.
    The return value is pushed as the ``return_value`` XCom when ``do_xcom_push``
    (and not None); with ``multiple_outputs`` each key of a returned dict is pushed too.
    Task signals (skip, fail, reschedule...) propagate to the caller.  ``resume`` is a
    deferred try's ``(next_method, next_kwargs)``: ``resume_execution`` runs instead of
    ``execute``, after the same hooks, as in Airflow.
    """
    with use_context(context):
        run_callbacks(getattr(task, "on_execute_callback", None), context)
        task.pre_execute(context)
        result = task.resume_execution(*resume, context) if resume else task.execute(context)
        task.post_execute(context, result)
        push_return_value(task, context, result)
    return result


def push_return_value(task: Any, context: Mapping[str, Any], result: Any) -> None:
    if not getattr(task, "do_xcom_push", True) or result is None:
        return
    ti = context["ti"]
    if getattr(task, "multiple_outputs", False):
        if not isinstance(result, Mapping):
            raise AirflowException(
                f"Returned output was type {type(result)} expected dictionary for multiple_outputs"
            )
        for key in result:
            if not isinstance(key, str):
                raise AirflowException(
                    f"Returned dictionary keys must be strings when using multiple_outputs, found {key} "
                    f"({type(key)}) instead"
                )
        for key, value in result.items():
            ti.xcom_push(key=key, value=value)
    ti.xcom_push(key=XCOM_RETURN_KEY, value=result)


def run_callbacks(
    callbacks: Callable[..., Any] | Iterable[Callable[..., Any]] | None, context: Any
) -> list[BaseException]:
    """Call a callback (or each of a list) with the context; errors are logged and
    returned, never raised: a failing callback does not change the task's state."""
    if callbacks is None:
        return []
    functions: list[Callable[..., Any]]
    if isinstance(callbacks, list | tuple):
        functions = list(callbacks)
    elif callable(callbacks):
        functions = [callbacks]
    else:  # another iterable of callbacks (Airflow documents lists): each of them
        functions = list(callbacks)
    failures: list[BaseException] = []
    for function in functions:
        try:
            function(context)
        except Exception as err:
            log.exception("Error when executing %s callback", getattr(function, "__name__", function))
            failures.append(err)
    return failures


__all__ = ["call_with_context", "determine_kwargs", "execute_task", "push_return_value", "run_callbacks"]
