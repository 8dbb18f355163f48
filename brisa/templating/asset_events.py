"""The context's asset events: ``triggering_asset_events`` (3.x), ``triggering_dataset_events``
(2.x) and ``inlet_events``, read from the runtime on first use (most tasks never look).

Each event reads like Airflow's ``AssetEvent``/``DatasetEvent``: ``extra``, ``timestamp``,
``source_dag_id``, ``source_task_id``, ``source_run_id``, ``source_map_index``, and the
``asset`` (2.x: ``dataset``) it is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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
        source_aliases=[SimpleNamespace(name=data["source_alias"], group="asset")]
        if data.get("source_alias")
        else [],
        timestamp=datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp,
    )


def _events(runtime: TaskRuntime, **query: str | None) -> list[AssetEventView]:
    return [event_view(e) for e in runtime.get_asset_events(**query)]


class AssetKeyView:
    """A 3.x run's triggering asset, as the key of ``triggering_asset_events`` when no SDK
    classes are handed in (the API's rendering): equal to (and hashed as) any asset with the
    same name and uri. The runner hands in :class:`AssetKeys` that build real ``Asset`` and
    ``AssetAlias`` objects, which is what a DAG author sees in Airflow 3."""

    __slots__ = ("group", "name", "uri")

    def __init__(self, name: str, uri: str, group: str = "asset") -> None:
        self.name, self.uri, self.group = name, uri, group

    def __eq__(self, other: object) -> bool:
        return (getattr(other, "name", None), getattr(other, "uri", None)) == (self.name, self.uri)

    def __hash__(self) -> int:
        return hash((self.name, self.uri))

    def __repr__(self) -> str:
        return f"Asset(name={self.name!r}, uri={self.uri!r}, group={self.group!r})"


class AliasKeyView:
    """An alias the run's events came through, as a key (see :class:`AssetKeyView`)."""

    __slots__ = ("group", "name")

    def __init__(self, name: str, group: str = "asset") -> None:
        self.name, self.group = name, group

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AliasKeyView) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("alias", self.name))

    def __repr__(self) -> str:
        return f"AssetAlias(name={self.name!r}, group={self.group!r})"


@dataclass(frozen=True)
class AssetKeys:
    """How ``triggering_asset_events`` builds its keys: ``asset(name, uri, group)`` and
    ``alias(name)``; the runner passes the SDK's ``Asset``/``AssetAlias`` builders."""

    asset: Callable[[str, str, str], Any] = AssetKeyView
    alias: Callable[[str], Any] = AliasKeyView


def _is_alias(key: Any) -> bool:
    """An ``AssetAlias``/``DatasetAlias``, told by its condition form (``{"alias": ...}``)."""
    if isinstance(key, AliasKeyView):
        return True
    as_condition = getattr(key, "as_condition", None)
    if isinstance(key, str) or not callable(as_condition):
        return False
    condition = as_condition()
    return isinstance(condition, Mapping) and "alias" in condition


class TriggeringAssetEvents(Mapping[Any, list[AssetEventView]]):
    """The events that triggered this run.

    2.x files (``triggering_dataset_events``): keyed by uri string, as Airflow 2's dict.
    3.x files (``triggering_asset_events``): Airflow 3's ``TriggeringAssetEventsAccessor`` —
    iterating gives ``Asset`` objects, and an ``AssetAlias`` for each alias events came
    through; ``[Asset(...)]`` looks up by name and uri, ``[Asset.ref(name=...)]`` by one of
    them, ``[AssetAlias(...)]`` gives the events emitted through that alias, and any other
    key type raises ``TypeError``. An asset without events gives ``[]`` (as Airflow's
    defaultdict does). ``for_asset(name=, uri=)`` and ``for_asset_alias(name=)`` too.
    """

    def __init__(
        self,
        runtime: TaskRuntime,
        dag_id: str,
        run_id: str,
        *,
        generation: str,
        keys: AssetKeys | None = None,
    ) -> None:
        self._runtime, self._dag_id, self._run_id = runtime, dag_id, run_id
        self._generation = generation
        self._keys = keys or AssetKeys()
        self._loaded: dict[Any, list[AssetEventView]] | None = None

    def _by_key(self) -> dict[Any, list[AssetEventView]]:
        if self._loaded is None:
            self._loaded = {}
            for event in _events(self._runtime, dag_id=self._dag_id, run_id=self._run_id):
                for key in self._keys_of(event):
                    self._loaded.setdefault(key, []).append(event)
        return self._loaded

    def _keys_of(self, event: AssetEventView) -> list[Any]:
        asset = event.asset
        if self._generation == "2":
            return [asset.uri]
        aliases = [self._keys.alias(alias.name) for alias in event.source_aliases]
        return [self._keys.asset(asset.name, asset.uri, asset.group), *aliases]

    def __getitem__(self, key: Any) -> list[AssetEventView]:
        loaded = self._by_key()
        if self._generation != "2" and isinstance(key, str):
            raise TypeError(f"Key should be either an asset or an asset alias, not {type(key)}")
        for found, events in loaded.items():
            if _matches(found, key):
                return events
        return []

    def for_asset(self, *, name: str | None = None, uri: str | None = None) -> list[AssetEventView]:
        if not name and not uri:
            raise ValueError("name and uri cannot both be None")
        return self._asset_events(name, uri)

    def for_asset_alias(self, *, name: str) -> list[AssetEventView]:
        return self[AliasKeyView(name)]

    def _asset_events(self, name: str | None, uri: str | None) -> list[AssetEventView]:
        for found, events in self._by_key().items():
            if _is_alias(found) or isinstance(found, str):
                continue
            if (not name or found.name == name) and (not uri or found.uri == uri):
                return events
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(self._by_key())

    def __len__(self) -> int:
        return len(self._by_key())

    def __str__(self) -> str:
        return f"TriggeringAssetEventAccessor(_events={self._by_key()})"


def _matches(found: Any, key: Any) -> bool:
    if isinstance(found, str):  # 2.x: by uri, or a Dataset's uri
        return key == found or getattr(key, "uri", None) == found
    if _is_alias(found) or _is_alias(key):
        return _is_alias(found) and _is_alias(key) and found.name == key.name
    name, uri = getattr(key, "name", None), getattr(key, "uri", None)
    if name and uri:
        return (name, uri) == (found.name, found.uri)
    return (bool(name) and name == found.name) or (bool(uri) and uri == found.uri)  # an AssetRef


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


__all__ = [
    "AliasKeyView",
    "AssetEventView",
    "AssetKeyView",
    "AssetKeys",
    "InletEvents",
    "TriggeringAssetEvents",
    "event_view",
]
