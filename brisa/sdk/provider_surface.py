"""The small pieces of Airflow's internal surface that provider packages import.

Provider code (``apache-airflow-providers-*``) reaches Airflow mostly through
``common.compat`` and the SDK, which Brisa already answers; what remains are helpers
from ``airflow.utils`` and ``airflow.exceptions``, and the trigger base classes that
deferrable operators import at module level.  :mod:`brisa.compat.provider_surface`
maps the ``airflow.*`` paths onto these.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from collections.abc import Callable, Mapping
from typing import Any


class AirflowProviderDeprecationWarning(DeprecationWarning):
    """Warned by providers about their own deprecated arguments and classes."""

    deprecated_provider_since: str | None = None


class RemovedInAirflow4Warning(DeprecationWarning):
    """Airflow 3's warning for what Airflow 4 removes."""


def to_boolean(text: str | bool | None) -> bool:
    """Airflow's ``airflow.utils.strings.to_boolean``: true for "true", "t", "y", "yes", "1"."""
    if isinstance(text, bool):
        return text
    return text is not None and text.strip().lower() in {"true", "t", "y", "yes", "1"}


def is_arg_set(value: Any) -> bool:
    """Whether an argument was given (not the ``NOTSET`` default)."""
    from brisa.sdk.params import NOTSET

    return value is not NOTSET


def exactly_one(*args: Any) -> bool:
    """Whether exactly one argument is truthy (providers check exclusive arguments)."""
    return sum(map(bool, args)) == 1


def at_most_one(*args: Any) -> bool:
    return sum(map(bool, args)) <= 1


def prune_dict(value: Any, mode: str = "strict") -> Any:
    """Airflow's ``prune_dict``: drop ``None`` values ("strict") or all falsy ones
    ("truthy"), recursing into dicts and lists; providers build request bodies with it."""

    def keep(item: Any) -> bool:
        return item is not None if mode == "strict" else bool(item)

    if isinstance(value, dict):
        pruned = {k: prune_dict(v, mode) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if keep(v) or (isinstance(v, dict | list) and v)}
    if isinstance(value, list):
        items = [prune_dict(v, mode) for v in value]
        return [v for v in items if keep(v) or (isinstance(v, dict | list) and v)]
    return value


def chunks(items: list[Any], chunk_size: int) -> Any:
    """Successive ``chunk_size``-long slices of ``items``."""
    if chunk_size <= 0:
        raise ValueError("Chunk size must be a positive integer")
    for start in range(0, len(items), chunk_size):
        yield items[start : start + chunk_size]


class BaseOperatorLink:
    """The base of operator extra links (console URLs): computed at the end of each try
    and stored as the XCom ``xcom_key`` (brisa/sdk/extra_links.py), as in Airflow 3."""

    name: str = ""

    @property
    def xcom_key(self) -> str:
        return f"_link_{type(self).__name__}"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        raise NotImplementedError


def merge_dicts(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """``second`` merged into a copy of ``first``, nested mappings merged key by key."""
    merged = copy.deepcopy(dict(first))
    for key, value in second.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_dicts(merged[key], value)
        else:
            merged[key] = value
    return merged


async def get_async_connection(conn_id: str, hook: Any = None) -> Any:
    """common.compat's ``get_async_connection``: the hook's (or BaseHook's) connection,
    looked up in a worker thread so the event loop of a hook's async method keeps running."""
    from brisa.sdk.connection import BaseHook

    return await asyncio.to_thread((hook or BaseHook).get_connection, conn_id)


async def get_async_extra_dejson(conn: Any) -> dict[str, Any]:
    return dict(conn.extra_dejson)


def send_sql_hook_lineage(*args: Any, **kwargs: Any) -> None:
    """common.sql's hook-lineage report (mysql and other SQL providers call it): Brisa
    collects no lineage, so nothing is sent."""
    return None


def require_openlineage_version(
    provider_min_version: str | None = None, client_min_version: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """common.compat's guard for OpenLineage-only methods: Brisa has no OpenLineage, so the
    method raises the optional-feature exception its callers already catch."""

    def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def refuse(*args: Any, **kwargs: Any) -> Any:
            from brisa.sdk.exceptions import AirflowOptionalProviderFeatureException

            raise AirflowOptionalProviderFeatureException(
                f"Brisa does not emit OpenLineage events: skipping {function.__name__}"
            )

        return refuse

    return decorator


class NoLineageCollector:
    """What ``get_hook_lineage_collector()`` returns here: hooks report the assets and
    extras they touched to it (``add_input_asset``, ``add_extra``...), and Brisa, which
    collects no lineage, keeps nothing."""

    has_collected = False

    @property
    def collected_assets(self) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(inputs=[], outputs=[], extra=[])

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith(("add_", "create_")):
            return lambda *args, **kwargs: None
        raise AttributeError(name)


def get_hook_lineage_collector() -> NoLineageCollector:
    return NoLineageCollector()


__all__ = [
    "AirflowProviderDeprecationWarning",
    "BaseOperatorLink",
    "NoLineageCollector",
    "RemovedInAirflow4Warning",
    "at_most_one",
    "chunks",
    "exactly_one",
    "get_async_connection",
    "get_async_extra_dejson",
    "get_hook_lineage_collector",
    "is_arg_set",
    "merge_dicts",
    "prune_dict",
    "require_openlineage_version",
    "send_sql_hook_lineage",
    "to_boolean",
]
