"""``airflow.decorators``: ``@task`` (and its variants), ``@dag``, ``@task_group``,
``@setup`` and ``@teardown``."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from brisa.sdk.dag import dag
from brisa.sdk.decorators.base import task_decorator_factory
from brisa.sdk.decorators.operators import (
    DecoratedSensorOperator,
    _BashDecoratedOperator,
    _BranchExternalPythonDecoratedOperator,
    _BranchPythonDecoratedOperator,
    _BranchPythonVirtualenvDecoratedOperator,
    _ExternalPythonDecoratedOperator,
    _PythonDecoratedOperator,
    _PythonVirtualenvDecoratedOperator,
    _ShortCircuitDecoratedOperator,
)
from brisa.sdk.exceptions import UnsupportedFeatureError
from brisa.sdk.taskgroup import task_group

_UNSUPPORTED = {
    "docker": "Brisa has no Docker provider",
    "kubernetes": "Brisa has no Kubernetes provider",
    "kubernetes_cmd": "Brisa has no Kubernetes provider",
    "pyspark": "Brisa has no Spark provider",
}


def _unsupported(name: str) -> Callable[..., Any]:
    def decorator(*args: Any, **kwargs: Any) -> Any:
        reason = _UNSUPPORTED.get(name, "it is not one of the decorators Brisa provides")
        raise UnsupportedFeatureError(
            f"@task.{name} is not supported by Brisa ({reason}); use @task, @task.bash, @task.branch, "
            "@task.short_circuit, @task.sensor, @task.virtualenv or @task.external_python"
        )

    return decorator


class TaskDecoratorCollection:
    """``task``: ``@task`` itself plus ``@task.python``, ``.bash``, ``.branch``,
    ``.short_circuit``, ``.sensor``, ``.virtualenv``, ``.external_python`` and their branch forms."""

    def __call__(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable, _PythonDecoratedOperator, multiple_outputs=multiple_outputs, **kwargs
        )

    def python(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return self(python_callable, multiple_outputs, **kwargs)

    def bash(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        _ignore_multiple_outputs(multiple_outputs, "@task.bash")
        return task_decorator_factory(
            python_callable, _BashDecoratedOperator, multiple_outputs=False, **kwargs
        )

    def branch(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable, _BranchPythonDecoratedOperator, multiple_outputs=multiple_outputs, **kwargs
        )

    def short_circuit(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable, _ShortCircuitDecoratedOperator, multiple_outputs=multiple_outputs, **kwargs
        )

    def sensor(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        _ignore_multiple_outputs(multiple_outputs, "@task.sensor")
        return task_decorator_factory(
            python_callable, DecoratedSensorOperator, multiple_outputs=False, **kwargs
        )

    def virtualenv(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable, _PythonVirtualenvDecoratedOperator, multiple_outputs=multiple_outputs, **kwargs
        )

    def branch_virtualenv(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable,
            _BranchPythonVirtualenvDecoratedOperator,
            multiple_outputs=multiple_outputs,
            **kwargs,
        )

    def external_python(
        self,
        python: str | None = None,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable,
            _ExternalPythonDecoratedOperator,
            multiple_outputs=multiple_outputs,
            python=python,
            **kwargs,
        )

    def branch_external_python(
        self,
        python: str | None = None,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return task_decorator_factory(
            python_callable,
            _BranchExternalPythonDecoratedOperator,
            multiple_outputs=multiple_outputs,
            python=python,
            **kwargs,
        )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)
        return _unsupported(name)


def _ignore_multiple_outputs(multiple_outputs: bool | None, decorator: str) -> None:
    """As Airflow: the value of these tasks is their command's output or the sensor's, never
    a dict to split, so ``multiple_outputs=True`` is ignored with a warning."""
    if multiple_outputs:
        warnings.warn(
            f"`multiple_outputs=True` is not supported in {decorator} tasks. Ignoring.",
            UserWarning,
            stacklevel=3,
        )


task = TaskDecoratorCollection()


def setup(python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """``@setup``: a TaskFlow task marked as a setup task."""
    return task_decorator_factory(python_callable, _PythonDecoratedOperator, role="setup", **kwargs)


def teardown(
    python_callable: Callable[..., Any] | None = None, *, on_failure_fail_dagrun: bool = False, **kwargs: Any
) -> Any:
    """``@teardown``: a TaskFlow task marked as a teardown task (runs when its setups ran)."""
    return task_decorator_factory(python_callable, _PythonDecoratedOperator, role="teardown", **kwargs)


__all__ = ["TaskDecoratorCollection", "dag", "setup", "task", "task_group", "teardown"]
