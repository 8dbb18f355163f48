"""The TaskFlow machinery: ``@task``-style decorators turning functions into tasks.

Calling a decorated function inside a DAG creates one operator and returns its
:class:`~brisa.sdk.xcom_arg.XComArg`; ``.partial(...).expand(...)`` creates a mapped
task whose mapped values become keyword arguments of the function.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from typing import Any

from brisa.sdk import context as ambient
from brisa.sdk.mapped import ExpandInput, MappedOperator
from brisa.sdk.xcom_arg import XComArg

KNOWN_CONTEXT_KEYS = frozenset(
    {
        "conf",
        "dag",
        "dag_run",
        "data_interval_end",
        "data_interval_start",
        "ds",
        "ds_nodash",
        "execution_date",
        "exception",
        "inlets",
        "inlet_events",
        "logical_date",
        "macros",
        "map_index_template",
        "next_ds",
        "next_ds_nodash",
        "next_execution_date",
        "outlets",
        "outlet_events",
        "params",
        "partition_date",
        "partition_key",
        "prev_data_interval_start_success",
        "prev_data_interval_end_success",
        "prev_ds",
        "prev_ds_nodash",
        "prev_execution_date",
        "prev_execution_date_success",
        "prev_start_date_success",
        "prev_end_date_success",
        "run_id",
        "run_after",
        "task",
        "task_instance",
        "task_instance_key_str",
        "task_state_store",
        "test_mode",
        "templates_dict",
        "ti",
        "tomorrow_ds",
        "tomorrow_ds_nodash",
        "triggering_dataset_events",
        "triggering_asset_events",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "var",
        "conn",
        "yesterday_ds",
        "yesterday_ds_nodash",
    }
)


def infer_multiple_outputs(function: Callable[..., Any]) -> bool:
    """True when the function is annotated to return a dict (or a TypedDict)."""
    try:
        return_type = typing.get_type_hints(function).get("return")
    except Exception:
        return False
    if return_type is None:
        return False
    origin = typing.get_origin(return_type) or return_type
    if origin in (dict, typing.Dict, Mapping):  # noqa: UP006
        return True
    return isinstance(origin, type) and issubclass(origin, dict)


def check_call_binds(
    function: Callable[..., Any], args: Any, kwargs: Mapping[str, Any], *, partial: bool
) -> None:
    """Fail at definition time when the call cannot match the function's signature
    (context parameters such as ``ti`` are filled at run time and not required)."""
    signature = inspect.signature(function)
    bound = signature.bind_partial(*args, **kwargs)
    if partial:
        return
    for param in signature.parameters.values():
        required = param.default is param.empty and param.kind not in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        )
        if required and param.name not in bound.arguments and param.name not in KNOWN_CONTEXT_KEYS:
            raise TypeError(f"missing a required argument: {param.name!r}")


def unique_task_id(task_id: str, dag: Any, group: Any) -> str:
    """``task_id``, or ``task_id__N`` when the DAG already has it (repeated calls)."""
    if dag is None:
        return task_id
    full_id = group.child_id(task_id) if group is not None else task_id
    if full_id not in dag.task_dict:
        return task_id
    core = re.split(r"__\d+$", task_id)[0]
    prefix = group.child_id(core) if group is not None else core
    pattern = re.compile(rf"^{re.escape(prefix)}__(\d+)$")
    suffixes = sorted(int(m.group(1)) for t in dag.task_dict if (m := pattern.match(t)))
    return f"{core}__{suffixes[-1] + 1 if suffixes else 1}"


class _TaskDecorator:
    """A decorated function: call it to add a task, ``.override`` to change arguments."""

    def __init__(
        self,
        function: Callable[..., Any],
        operator_class: type,
        multiple_outputs: bool | None = None,
        kwargs: dict[str, Any] | None = None,
        role: str | None = None,
    ) -> None:
        self.function = function
        self.operator_class = operator_class
        self.multiple_outputs = (
            infer_multiple_outputs(function) if multiple_outputs is None else multiple_outputs
        )
        self.kwargs = dict(kwargs or {})
        self.role = role
        functools.update_wrapper(self, function)

    def __repr__(self) -> str:
        return f"<TaskDecorator {self.function.__qualname__} -> {self.operator_class.__name__}>"

    def _operator_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.kwargs)
        dag = kwargs.get("dag") or ambient.current_dag()
        group = kwargs.get("task_group") or ambient.current_task_group(dag)
        kwargs["task_id"] = unique_task_id(kwargs.get("task_id") or self.function.__name__, dag, group)
        kwargs.setdefault("multiple_outputs", self.multiple_outputs)
        if self.function.__doc__ and "doc_md" not in kwargs:
            kwargs["doc_md"] = inspect.cleandoc(self.function.__doc__)
        return kwargs

    def __call__(self, *args: Any, **kwargs: Any) -> XComArg:
        check_call_binds(self.function, args, kwargs, partial=False)
        operator = self.operator_class(
            python_callable=self.function, op_args=args, op_kwargs=kwargs, **self._operator_kwargs()
        )
        self._apply_role(operator)
        return XComArg(operator)

    def _apply_role(self, operator: Any) -> None:
        if self.role == "setup":
            operator.as_setup()
        elif self.role == "teardown":
            operator.as_teardown()

    def override(self, **kwargs: Any) -> _TaskDecorator:
        multiple_outputs = kwargs.pop("multiple_outputs", self.multiple_outputs)
        return _TaskDecorator(
            self.function, self.operator_class, multiple_outputs, {**self.kwargs, **kwargs}, self.role
        )

    # -- mapping ---------------------------------------------------------------------
    def partial(self, **kwargs: Any) -> _TaskDecoratorPartial:
        check_call_binds(self.function, (), kwargs, partial=True)
        return _TaskDecoratorPartial(self, kwargs)

    def expand(self, **mapped_kwargs: Any) -> XComArg:
        return self.partial().expand(**mapped_kwargs)

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> XComArg:
        return self.partial().expand_kwargs(kwargs, strict=strict)


class _TaskDecoratorPartial:
    def __init__(self, decorator: _TaskDecorator, op_kwargs: dict[str, Any]) -> None:
        self.decorator = decorator
        self.op_kwargs = op_kwargs

    def _mapped(self, expand_input: ExpandInput) -> XComArg:
        partial_kwargs = {
            "python_callable": self.decorator.function,
            "op_args": (),
            "op_kwargs": self.op_kwargs,
            **self.decorator._operator_kwargs(),
        }
        mapped = MappedOperator(
            self.decorator.operator_class, partial_kwargs, expand_input, mapped_into="op_kwargs"
        )
        return XComArg(mapped)

    def expand(self, **mapped_kwargs: Any) -> XComArg:
        if not mapped_kwargs:
            raise TypeError("no arguments to expand against")
        check_call_binds(self.decorator.function, (), {**self.op_kwargs, **mapped_kwargs}, partial=True)
        for name, value in mapped_kwargs.items():
            if name in self.op_kwargs:
                raise TypeError(f"unmappable or already specified argument: {name}")
            if not isinstance(value, XComArg | list | tuple | dict):
                raise ValueError(
                    f"expand() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}"
                )
        return self._mapped(ExpandInput("expand", mapped_kwargs))

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> XComArg:
        if not isinstance(kwargs, XComArg | list | tuple):
            raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        return self._mapped(ExpandInput("expand_kwargs", kwargs))


def task_decorator_factory(
    python_callable: Callable[..., Any] | None,
    operator_class: type,
    *,
    multiple_outputs: bool | None = None,
    role: str | None = None,
    **kwargs: Any,
) -> Any:
    """``@deco`` (``python_callable`` given) or ``@deco(...)`` (returns the decorator)."""
    if python_callable is not None:
        if not callable(python_callable):
            raise TypeError("The decorated object must be callable")
        return _TaskDecorator(python_callable, operator_class, multiple_outputs, kwargs, role)
    return lambda function: _TaskDecorator(function, operator_class, multiple_outputs, kwargs, role)


__all__ = [
    "KNOWN_CONTEXT_KEYS",
    "check_call_binds",
    "infer_multiple_outputs",
    "task_decorator_factory",
    "unique_task_id",
]
