"""Airflow 3's ``@asset`` and ``@asset.multi``: a function that materializes assets
becomes a one-task DAG whose task has those assets as outlets.

``@asset`` names the asset, the DAG and the task after the function (``name=`` and
``dag_id=`` change that) and returns the asset, so other DAGs may schedule on it.  The
function's parameters: ``self`` is the asset, ``context`` the template context, a context
key (``outlet_events``, ``dag_run``, ...) its value, and any other one without a default is
an inlet (``Asset.ref(name=parameter)``) passed as the asset of that name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from brisa.sdk.assets import Asset, AssetAlias, BaseAsset, collect_metadata
from brisa.sdk.decorators.base import KNOWN_CONTEXT_KEYS
from brisa.sdk.operators.python import PythonOperator


def _check_arguments(function: Callable[..., Any]) -> None:
    for name, param in inspect.signature(function).parameters.items():
        if param.kind == param.VAR_POSITIONAL:
            raise TypeError(f"wildcard '*{name}' is not supported in @asset")
        if param.kind == param.VAR_KEYWORD:
            raise TypeError(f"wildcard '**{name}' is not supported in @asset")
        if param.kind == param.POSITIONAL_ONLY and param.default is param.empty:
            raise TypeError(f"positional-only argument '{name}' without a default is not supported in @asset")


def _inlet_names(function: Callable[..., Any]) -> list[str]:
    return [
        name
        for name, param in inspect.signature(function).parameters.items()
        if name not in ("self", "context") and name not in KNOWN_CONTEXT_KEYS and param.default is param.empty
    ]


class AssetMainOperator(PythonOperator):
    """The one task of an ``@asset`` DAG: calls the function with its assets."""

    def __init__(self, *, definition: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._definition = definition

    def execute(self, context: dict[str, Any]) -> Any:
        kwargs = dict(self._iter_kwargs(context))
        self.op_kwargs = {}
        return collect_metadata(self.python_callable(**kwargs), context.get("outlet_events"))

    def _iter_kwargs(self, context: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
        for key, param in inspect.signature(self.python_callable).parameters.items():
            if param.default is not param.empty:
                yield key, param.default
            elif key == "self":
                yield key, self._definition
            elif key == "context":
                yield key, context
            elif key in KNOWN_CONTEXT_KEYS:
                yield key, context.get(key)
            else:
                yield key, _inlet_asset(self.inlets, key)


def _inlet_asset(inlets: list[Any], name: str) -> Asset:
    for inlet in inlets:
        if isinstance(inlet, Asset) and inlet.name == name:
            return inlet
    return Asset(name=name)


class _DagFactory:
    def __init__(
        self,
        *,
        schedule: Any,
        dag_id: str | None = None,
        is_paused_upon_creation: bool | None = None,
        dag_display_name: str | None = None,
        description: str | None = None,
        params: Any = None,
        on_success_callback: Any = None,
        on_failure_callback: Any = None,
        access_control: Any = None,
        owner_links: dict[str, str] | None = None,
        tags: Collection[str] | None = None,
    ) -> None:
        self.schedule = schedule
        self.dag_kwargs = {
            "dag_id": dag_id,
            "is_paused_upon_creation": is_paused_upon_creation,
            "dag_display_name": dag_display_name,
            "description": description,
            "params": params,
            "on_success_callback": on_success_callback,
            "on_failure_callback": on_failure_callback,
            "access_control": access_control,
            "owner_links": owner_links,
            "tags": list(tags or ()),
        }

    def _build(
        self, function: Callable[..., Any], definition: Any, outlets: list[Any], default_id: str
    ) -> None:
        from brisa.sdk.dag import DAG

        if function.__name__ != function.__qualname__:
            raise ValueError("nested function not supported")
        _check_arguments(function)
        kwargs = {**self.dag_kwargs, "dag_id": self.dag_kwargs["dag_id"] or default_id}
        with DAG(schedule=self.schedule, catchup=False, airflow_generation="3", **kwargs):
            AssetMainOperator(
                task_id=function.__name__,
                python_callable=function,
                definition=definition,
                inlets=[Asset.ref(name=n) for n in _inlet_names(function)],
                outlets=outlets,
            )


class AssetDefinition(Asset):
    """The asset an ``@asset`` function materializes (its DAG was created with it)."""

    def __init__(self, *, function: Callable[..., Any], source: asset, **asset_kwargs: Any) -> None:
        super().__init__(**asset_kwargs)
        self._function = function
        source._build(function, self, [self], self.name)


class MultiAssetDefinition(BaseAsset):
    """``@asset.multi``: behaves as the All of its outlets in schedules."""

    def __init__(self, *, function: Callable[..., Any], source: Any) -> None:
        self._function = function
        self.outlets = list(source.outlets)
        source._build(function, self, self.outlets, function.__name__)

    def as_condition(self) -> dict[str, Any]:
        return {"all": [o.as_condition() for o in self.outlets]}

    def as_expression(self) -> Any:
        return {"all": [o.as_expression() for o in self.outlets]}

    def iter_assets(self) -> Iterator[tuple[tuple[str, str], Asset]]:
        for o in self.outlets:
            yield from o.iter_assets()

    def iter_asset_aliases(self) -> Iterator[tuple[str, AssetAlias]]:
        for o in self.outlets:
            yield from o.iter_asset_aliases()


class _Multi(_DagFactory):
    def __init__(self, *, outlets: Collection[BaseAsset], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outlets = list(outlets)

    def __call__(self, function: Callable[..., Any]) -> MultiAssetDefinition:
        if not self.outlets:
            raise ValueError("no outlets provided")
        return MultiAssetDefinition(function=function, source=self)


class asset(_DagFactory):
    """``@asset(schedule=..., uri=..., group=..., extra=...)`` on a function."""

    multi = _Multi

    def __init__(
        self,
        *,
        schedule: Any,
        name: str | None = None,
        uri: Any = None,
        group: str = Asset.asset_type,
        extra: dict[str, Any] | None = None,
        watchers: list[Any] | None = None,
        **dag_kwargs: Any,
    ) -> None:
        super().__init__(schedule=schedule, **dag_kwargs)
        self.name, self.uri, self.group, self.extra = name, uri, group, dict(extra or {})
        self.watchers = list(watchers or [])

    def __call__(self, function: Callable[..., Any]) -> AssetDefinition:
        name = self.name or function.__name__
        uri = name if self.uri is None else str(self.uri)
        return AssetDefinition(
            function=function,
            source=self,
            name=name,
            uri=uri,
            group=self.group,
            extra=self.extra,
            watchers=self.watchers,
        )


__all__ = ["AssetDefinition", "AssetMainOperator", "MultiAssetDefinition", "asset"]
