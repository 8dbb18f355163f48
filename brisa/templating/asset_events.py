"""The context's asset events: ``triggering_asset_events`` (3.x), ``triggering_dataset_events``
(2.x) and ``inlet_events``, read from the runtime on first use (most tasks never look).

Each event reads like Airflow's ``AssetEvent``/``DatasetEvent``: ``extra``, ``timestamp``,
``source_dag_id``, ``source_task_id``, ``source_run_id``, ``source_map_index``, and the
``asset`` (2.x: ``dataset``) it is on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from brisa.runtime import TaskRuntime


class AssetEventView(SimpleNamespace):
    """One asset event as a DAG file sees it."""

    def __repr__(self) -> str:
        return f"AssetEvent(uri={self.uri!r}, timestamp={self.timestamp}, extra={self.extra!r})"


def event_view(data: Mapping[str, Any]) -> AssetEventView:
    asset = SimpleNamespace(name=data["name"], uri=data["uri"], group=data.get("group", "asset"), extra={})
    timestamp = data["timestamp"]
    return AssetEventView(
        id=data.get("id"),
        asset=asset,
        dataset=asset,
        asset_id=data.get("asset_id"),
        dataset_id=data.get("asset_id"),
        uri=data["uri"],
        extra=dict(data.get("extra") or {}),
        source_dag_id=data.get("source_dag_id"),
        source_task_id=data.get("source_task_id"),
        source_run_id=data.get("source_run_id"),
        source_map_index=data.get("source_map_index"),
        source_aliases=[data["source_alias"]] if data.get("source_alias") else [],
        timestamp=datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp,
    )


def _events(runtime: TaskRuntime, **query: str | None) -> list[AssetEventView]:
    return [event_view(e) for e in runtime.get_asset_events(**query)]


class AssetKeyView:
    """A 3.x run's triggering asset, as the key of ``triggering_asset_events``: equal to (and
    hashed as) any asset with the same name and uri, ``Asset(...)`` included.  Plain data, so
    that templating (below the SDK) need not build SDK objects."""

    __slots__ = ("group", "name", "uri")

    def __init__(self, name: str, uri: str, group: str = "asset") -> None:
        self.name, self.uri, self.group = name, uri, group

    def __eq__(self, other: object) -> bool:
        return (getattr(other, "name", None), getattr(other, "uri", None)) == (self.name, self.uri)

    def __hash__(self) -> int:
        return hash((self.name, self.uri))

    def __repr__(self) -> str:
        return f"Asset(name={self.name!r}, uri={self.uri!r}, group={self.group!r})"


def _is_alias(key: Any) -> bool:
    """An ``AssetAlias``/``DatasetAlias``, told by its condition form (``{"alias": ...}``)."""
    as_condition = getattr(key, "as_condition", None)
    if isinstance(key, str) or not callable(as_condition):
        return False
    condition = as_condition()
    return isinstance(condition, Mapping) and "alias" in condition


class TriggeringAssetEvents(Mapping[Any, list[AssetEventView]]):
    """The events that triggered this run, by asset: keyed by uri in 2.x files (as
    ``triggering_dataset_events``), by asset (or its name or uri) in 3.x ones."""

    def __init__(self, runtime: TaskRuntime, dag_id: str, run_id: str, *, generation: str) -> None:
        self._runtime, self._dag_id, self._run_id = runtime, dag_id, run_id
        self._generation = generation
        self._loaded: dict[Any, list[AssetEventView]] | None = None

    def _by_key(self) -> dict[Any, list[AssetEventView]]:
        if self._loaded is None:
            self._loaded = {}
            for event in _events(self._runtime, dag_id=self._dag_id, run_id=self._run_id):
                self._loaded.setdefault(self._key_of(event.asset), []).append(event)
        return self._loaded

    def _key_of(self, asset: Any) -> Any:
        if self._generation == "2":
            return asset.uri
        return AssetKeyView(asset.name, asset.uri, asset.group)

    def __getitem__(self, key: Any) -> list[AssetEventView]:
        loaded = self._by_key()
        for found, events in loaded.items():
            if _matches(found, key):
                return events
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(self._by_key())

    def __len__(self) -> int:
        return len(self._by_key())


def _matches(found: Any, key: Any) -> bool:
    if isinstance(found, str):
        return key == found or getattr(key, "uri", None) == found
    if isinstance(key, str):
        return key in (found.name, found.uri)
    return (getattr(key, "name", None), getattr(key, "uri", None)) == (found.name, found.uri) or (
        getattr(key, "uri", None) == found.uri and getattr(key, "name", None) is None
    )


class InletEvents(Mapping[Any, list[AssetEventView]]):
    """``inlet_events[asset]``: every event on one of the task's inlets, oldest first."""

    def __init__(self, runtime: TaskRuntime, inlets: list[Any]) -> None:
        self._runtime = runtime
        self._inlets = inlets
        self._cache: dict[tuple[Any, Any], list[AssetEventView]] = {}

    def __getitem__(self, key: Any) -> list[AssetEventView]:
        name = getattr(key, "name", None)
        uri = getattr(key, "uri", None) if not isinstance(key, str) else key
        if (name, uri) not in self._cache:
            if _is_alias(key):  # the events emitted through it
                self._cache[(name, uri)] = _events(self._runtime, alias=name)
            else:
                self._cache[(name, uri)] = _events(self._runtime, name=name, uri=uri)
        return self._cache[(name, uri)]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inlets)

    def __len__(self) -> int:
        return len(self._inlets)


__all__ = ["AssetEventView", "AssetKeyView", "InletEvents", "TriggeringAssetEvents", "event_view"]
