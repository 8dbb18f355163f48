"""The operator classes behind ``@task``, ``@task.bash``, ``@task.branch``,
``@task.short_circuit``, ``@task.sensor``, ``@task.virtualenv`` and ``@task.external_python``."""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Mapping
from typing import Any

from brisa.sdk.decorators.base import check_call_binds
from brisa.sdk.execution import determine_kwargs
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from brisa.sdk.operators.python_virtualenv import (
    BranchExternalPythonOperator,
    BranchPythonVirtualenvOperator,
    ExternalPythonOperator,
    PythonVirtualenvOperator,
)
from brisa.sdk.sensors.base import BaseSensorOperator, PokeReturnValue


class _PythonDecoratedOperator(PythonOperator):
    custom_operator_name = "@task"

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        check_call_binds(python_callable, tuple(op_args or ()), dict(op_kwargs or {}), partial=False)
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs, **kwargs)


class _BranchPythonDecoratedOperator(_PythonDecoratedOperator, BranchPythonOperator):
    custom_operator_name = "@task.branch"


class _ShortCircuitDecoratedOperator(_PythonDecoratedOperator, ShortCircuitOperator):
    custom_operator_name = "@task.short_circuit"


_TASK_DECORATOR_ROOTS = frozenset({"task", "setup", "teardown"})
_TASK_DECORATOR_NAMES = frozenset(
    {"virtualenv", "external_python", "branch_virtualenv", "branch_external_python"}
)


def _is_task_decorator(node: ast.expr) -> bool:
    """``@task.virtualenv(...)``, ``@setup``...: the decorators a venv script must not run."""
    target = node.func if isinstance(node, ast.Call) else node
    names = []
    while isinstance(target, ast.Attribute):
        names.append(target.attr)
        target = target.value
    root = target.id if isinstance(target, ast.Name) else ""
    return root in _TASK_DECORATOR_ROOTS or bool(_TASK_DECORATOR_NAMES.intersection(names))


def remove_task_decorators(source: str) -> str:
    """The function's source without its task decorators (other decorators are kept)."""
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.decorator_list:
        return source
    kept = [d for d in node.decorator_list if not _is_task_decorator(d)]
    head = "".join(f"@{ast.get_source_segment(source, d)}\n" for d in kept)
    return head + "".join(source.splitlines(keepends=True)[node.lineno - 1 :])


class _VenvDecoratedMixin:
    def get_python_source(self) -> str:
        return remove_task_decorators(super().get_python_source())  # type: ignore[misc]


class _PythonVirtualenvDecoratedOperator(
    _VenvDecoratedMixin, _PythonDecoratedOperator, PythonVirtualenvOperator
):
    custom_operator_name = "@task.virtualenv"


class _BranchPythonVirtualenvDecoratedOperator(
    _VenvDecoratedMixin, _PythonDecoratedOperator, BranchPythonVirtualenvOperator
):
    custom_operator_name = "@task.branch_virtualenv"


class _ExternalPythonDecoratedOperator(_VenvDecoratedMixin, _PythonDecoratedOperator, ExternalPythonOperator):
    custom_operator_name = "@task.external_python"


class _BranchExternalPythonDecoratedOperator(
    _VenvDecoratedMixin, _PythonDecoratedOperator, BranchExternalPythonOperator
):
    custom_operator_name = "@task.branch_external_python"


class _BashDecoratedOperator(BashOperator):
    """The function returns the command to run; it is rendered, then run like BashOperator."""

    custom_operator_name = "@task.bash"
    template_fields = ("env", "cwd", "op_args", "op_kwargs")

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        check_call_binds(python_callable, tuple(op_args or ()), dict(op_kwargs or {}), partial=False)
        kwargs.pop("multiple_outputs", None)
        super().__init__(bash_command="", **kwargs)
        self.python_callable = python_callable
        self.op_args = tuple(op_args or ())
        self.op_kwargs = dict(op_kwargs or {})

    def execute(self, context: dict[str, Any]) -> Any:
        merged = {**context, **self.op_kwargs}
        command = self.python_callable(
            *self.op_args, **determine_kwargs(self.python_callable, self.op_args, merged)
        )
        if not isinstance(command, str) or not command.strip():
            raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
        self.bash_command = self.render_template(command, context)
        return super().execute(context)


class DecoratedSensorOperator(BaseSensorOperator):
    """``@task.sensor``: the function is the poke; it returns a bool or PokeReturnValue."""

    custom_operator_name = "@task.sensor"
    template_fields = ("op_args", "op_kwargs")

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        check_call_binds(python_callable, tuple(op_args or ()), dict(op_kwargs or {}), partial=False)
        kwargs.pop("multiple_outputs", None)
        super().__init__(**kwargs)
        self.python_callable = python_callable
        self.op_args = tuple(op_args or ())
        self.op_kwargs = dict(op_kwargs or {})

    def poke(self, context: dict[str, Any]) -> PokeReturnValue | bool:
        merged = {**context, **self.op_kwargs}
        result = self.python_callable(
            *self.op_args, **determine_kwargs(self.python_callable, self.op_args, merged)
        )
        return result if isinstance(result, PokeReturnValue) else PokeReturnValue(bool(result))


__all__ = [
    "DecoratedSensorOperator",
    "_BashDecoratedOperator",
    "_BranchExternalPythonDecoratedOperator",
    "_BranchPythonDecoratedOperator",
    "_BranchPythonVirtualenvDecoratedOperator",
    "_ExternalPythonDecoratedOperator",
    "_PythonDecoratedOperator",
    "_PythonVirtualenvDecoratedOperator",
    "_ShortCircuitDecoratedOperator",
    "remove_task_decorators",
]
