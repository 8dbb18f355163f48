"""The helpers of Airflow's common.compat provider that are plain functions and classes.

``airflow.providers.common.compat`` re-exports Airflow objects under one path for
Airflow 2 and 3; most of its names map onto Brisa's objects in
:mod:`brisa.compat.common_compat`.  These are the few it defines itself.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from brisa.sdk.operators.bash import context_to_airflow_vars as env_vars

PROVIDER_VERSION = "1.23.0"
"""The apache-airflow-providers-common-compat release whose names Brisa provides."""


def context_merge(context: MutableMapping[str, Any], *args: Any, **kwargs: Any) -> None:
    """Merge mappings and keyword arguments into ``context``, in place."""
    context.update(*args, **kwargs)


_CONTEXT_VARS = (
    "DAG_ID",
    "TASK_ID",
    "LOGICAL_DATE",
    "EXECUTION_DATE",
    "TRY_NUMBER",
    "DAG_RUN_ID",
    "DAG_OWNER",
    "DAG_EMAIL",
)

AIRFLOW_VAR_NAME_FORMAT_MAPPING: dict[str, dict[str, str]] = {
    f"AIRFLOW_CONTEXT_{var}": {
        "default": f"airflow.ctx.{var.lower()}",
        "env_var_format": f"AIRFLOW_CTX_{var}",
    }
    for var in _CONTEXT_VARS
}
"""Airflow's names for the task's identity passed to other systems; Brisa sets both dates."""


def context_to_airflow_vars(context: Mapping[str, Any], in_env_var_format: bool = False) -> dict[str, str]:
    """The task's identity as ``airflow.ctx.dag_id``-style keys, or ``AIRFLOW_CTX_DAG_ID``-style ones."""
    values = env_vars(context)
    if in_env_var_format:
        return values
    return {f"airflow.ctx.{key.removeprefix('AIRFLOW_CTX_').lower()}": value for key, value in values.items()}


def is_async_callable(function: Any) -> bool:
    """Whether ``function`` (through any ``functools.partial``) is a coroutine function."""
    while isinstance(function, partial):
        function = function.func
    return inspect.iscoroutinefunction(function)


def import_string(dotted_path: str) -> Any:
    """The attribute ``a.b.C`` names, importing module ``a.b``; ImportError if it is not there."""
    module_path, _, attribute = dotted_path.rpartition(".")
    if not module_path:
        raise ImportError(f"{dotted_path} doesn't look like a module path")
    module = importlib.import_module(module_path)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f'Module "{module_path}" does not define a "{attribute}" attribute/class') from None


def qualname(obj: Any, use_qualname: bool = False) -> str:
    """``module.Name`` of a class or function, or of an instance's class."""
    target = obj if hasattr(obj, "__module__") and hasattr(obj, "__name__") else type(obj)
    name = target.__qualname__ if use_qualname else target.__name__
    return f"{target.__module__}.{name}"


def iter_namespace(namespace: Any) -> Iterator[pkgutil.ModuleInfo]:
    """The modules of a namespace package, as ``pkgutil.iter_modules`` gives them."""
    return pkgutil.iter_modules(namespace.__path__, namespace.__name__ + ".")


def is_valid_dotpath(path: Any) -> bool:
    """Whether ``path`` is a dotted Python path (``a.b.C``)."""
    return (
        isinstance(path, str) and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", path, re.ASCII) is not None
    )


def get_provider_info() -> dict[str, Any]:
    """The provider's metadata, as its ``get_provider_info`` entry point answers."""
    return {
        "package-name": "apache-airflow-providers-common-compat",
        "name": "Common Compat",
        "description": "Brisa's stand-in for the Common Compatibility provider\n",
        "integrations": [{"integration-name": "Common Compat", "tags": ["software"]}],
    }


def default_if_none(arg: bool | None) -> bool:
    return arg or False


# Lineage entities: plain records DAG files pass as ``inlets``/``outlets``; Brisa keeps them
# on the task and does not emit lineage.


@dataclass
class File:
    template_fields: ClassVar[tuple[str, ...]] = ("url",)
    url: str
    type_hint: str | None = None


@dataclass(kw_only=True)
class User:
    template_fields: ClassVar[tuple[str, ...]] = ("email", "first_name", "last_name")
    email: str
    first_name: str | None = None
    last_name: str | None = None


@dataclass(kw_only=True)
class Tag:
    template_fields: ClassVar[tuple[str, ...]] = ("tag_name",)
    tag_name: str


@dataclass(kw_only=True)
class Column:
    template_fields: ClassVar[tuple[str, ...]] = ("name", "description", "data_type", "tags")
    name: str
    data_type: str
    description: str | None = None
    tags: list[Tag] = field(default_factory=list)


@dataclass(kw_only=True)
class Table:
    template_fields: ClassVar[tuple[str, ...]] = (
        "database",
        "cluster",
        "name",
        "tags",
        "description",
        "columns",
        "owners",
        "extra",
    )
    database: str
    cluster: str
    name: str
    tags: list[Tag] = field(default_factory=list)
    description: str | None = None
    columns: list[Column] = field(default_factory=list)
    owners: list[User] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    type_hint: str | None = None


__all__ = [
    "AIRFLOW_VAR_NAME_FORMAT_MAPPING",
    "PROVIDER_VERSION",
    "Column",
    "File",
    "Table",
    "Tag",
    "User",
    "context_merge",
    "context_to_airflow_vars",
    "default_if_none",
    "get_provider_info",
    "import_string",
    "is_async_callable",
    "is_valid_dotpath",
    "iter_namespace",
    "qualname",
]
