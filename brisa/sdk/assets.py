"""Assets (Airflow 3) and datasets (Airflow 2.4+): what data-aware schedules are made of.

Each generation keeps its names and rules:

* ``Asset(name, uri, group=..., extra=...)`` (3.x): a name or a uri, the other defaults
  to it; identified by (name, uri).  ``AssetAlias``, ``AssetAll``, ``AssetAny``.
* ``Dataset(uri, extra=...)`` (2.x): identified by its uri (its name is the uri, as
  Airflow 3's migration of 2.x datasets did).  ``DatasetAlias``, ``DatasetAll``,
  ``DatasetAny``.  2.x also refuses non-ASCII and over-long uris.

``a & b`` / ``a | b`` build the All/Any of the same generation.  Every object turns into
the condition dict the scheduler evaluates (``as_condition()``, one form for both
generations, see :mod:`brisa.timetables.asset_conditions`), and into its generation's
``as_expression()`` (what Airflow shows as the DAG's asset expression).
"""

from __future__ import annotations

import os
import urllib.parse
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

from brisa import serde

_MAX_LEN_3 = 1500
_MAX_LEN_2 = 3000
_PROHIBITED_NAMES = ("self", "context")


def sanitize_uri(uri: str, *, word: str = "Asset") -> str:
    """Airflow's URI rules: a plain string stays as is; a URI gets its scheme lower-cased,
    auth info dropped, query sorted, trailing slashes and fragment removed.  The scheme
    ``airflow`` is reserved; ``x-`` schemes are left alone."""
    parsed = urllib.parse.urlsplit(uri)
    if not parsed.scheme and not parsed.netloc:
        return uri
    scheme = parsed.scheme.lower()
    if not scheme or scheme.startswith("x-"):
        return uri
    if scheme == "airflow":
        raise ValueError(f"{word} scheme 'airflow' is reserved")
    _, auth, netloc = parsed.netloc.rpartition("@")
    if auth:
        warnings.warn(
            f"A {word.lower()} URI should not contain auth info (e.g. username or password). "
            "It has been automatically dropped.",
            UserWarning,
            stacklevel=4,
        )
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(parsed.query))) if parsed.query else ""
    cleaned = parsed._replace(
        scheme=scheme, netloc=netloc, path=parsed.path.rstrip("/") or "/", query=query, fragment=""
    )
    return urllib.parse.urlunsplit(cleaned)


def _check_identifier(kind: str, field: str, value: Any, *, limit: int = _MAX_LEN_3) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{kind} {field} must be a string")
    if not value:
        raise ValueError(f"{kind} {field} cannot be empty")
    if len(value) > limit:
        raise ValueError(f"{kind} {field} cannot exceed {limit} characters")
    if value.isspace():
        raise ValueError(f"{kind} {field} cannot be just whitespace")
    return value


class BaseAsset:
    """What ``DAG(schedule=...)`` accepts: an asset, an alias, or an All/Any of them."""

    generation: ClassVar[str] = "3"

    def __bool__(self) -> bool:
        return True

    def __or__(self, other: object) -> BaseAsset:
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return _any_of(self.generation)(self, other)

    def __and__(self, other: object) -> BaseAsset:
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return _all_of(self.generation)(self, other)

    def as_condition(self) -> dict[str, Any]:
        """The generation-neutral condition dict the scheduler evaluates."""
        raise NotImplementedError

    def as_expression(self) -> Any:
        """Airflow's own JSON form of this expression for the file's generation."""
        raise NotImplementedError

    def iter_assets(self) -> Iterator[tuple[tuple[str, str], Asset]]:
        return iter(())

    def iter_asset_aliases(self) -> Iterator[tuple[str, AssetAlias]]:
        return iter(())


BaseDataset = BaseAsset
"""Airflow 2.x's name of the base class."""


class Asset(os.PathLike, BaseAsset):  # type: ignore[type-arg]
    """Airflow 3's asset: ``Asset("name")``, ``Asset(uri="s3://...")`` or both."""

    asset_type: ClassVar[str] = "asset"

    def __init__(
        self,
        name: str | None = None,
        uri: Any = None,
        *,
        group: str | None = None,
        extra: dict[str, Any] | None = None,
        watchers: list[Any] | None = None,
    ) -> None:
        if name is None and uri is None:
            raise TypeError("Asset() requires either 'name' or 'uri'")
        name = str(uri) if name is None else name
        uri = name if uri is None else str(uri)
        _check_identifier("Asset", "name", name)
        if name in _PROHIBITED_NAMES:
            raise ValueError(f"prohibited name for asset: {name}")
        self.name = name
        self.uri = sanitize_uri(_check_identifier("Asset", "uri", uri))
        self.group = _check_identifier("Asset", "group", group) if group is not None else self.asset_type
        self.extra = dict(extra or {})
        self.watchers = list(watchers or [])

    @staticmethod
    def ref(*, name: str = "", uri: str = "") -> AssetRef:
        if name and uri:
            raise TypeError("Asset reference must be made to either name or URI, not both")
        if not (name or uri):
            raise TypeError("Asset reference expects keyword argument 'name' or 'uri'")
        return AssetRef(name=name or None, uri=uri or None)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.uri)

    def __fspath__(self) -> str:
        return self.uri

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Asset):
            return NotImplemented
        return (self.name, self.uri, self.group, self.extra) == (
            other.name,
            other.uri,
            other.group,
            other.extra,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.uri))

    def __repr__(self) -> str:
        fields = f"name={self.name!r}, uri={self.uri!r}, group={self.group!r}, extra={self.extra!r}"
        return f"{type(self).__name__}({fields})"

    def as_condition(self) -> dict[str, Any]:
        asset: dict[str, Any] = {"name": self.name, "uri": self.uri, "group": self.group}
        if self.watchers:  # absent without watchers: older DAGs keep their hash
            asset["watchers"] = [w.as_dict() for w in self.watchers]
        return {"asset": asset}

    def as_expression(self) -> Any:
        return self.as_condition()

    def iter_assets(self) -> Iterator[tuple[tuple[str, str], Asset]]:
        yield self.key, self


def asset_from_record(name: str, uri: str, group: str = "asset") -> Asset:
    """The ``Asset`` of a stored asset, as Airflow 3's context hands it to a task (no extra):
    its name and uri were checked when its DAG was parsed, so they are not checked again."""
    asset = Asset.__new__(Asset)
    asset.name, asset.uri, asset.group = name, uri, group
    asset.extra, asset.watchers = {}, []
    return asset


class Dataset(Asset):
    """Airflow 2.x's dataset: ``Dataset(uri, extra=None)``; its uri is its identity."""

    generation: ClassVar[str] = "2"

    def __init__(self, uri: Any, extra: dict[str, Any] | None = None) -> None:
        text = str(uri)
        _check_identifier("Dataset", "URI", text, limit=_MAX_LEN_2)
        if not text.isascii():
            raise ValueError("Dataset URI must only consist of ASCII characters")
        super().__init__(name=text, uri=sanitize_uri(text, word="Dataset"), extra=extra)
        self.name = self.uri

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Asset):
            return NotImplemented
        return (self.uri, self.extra) == (other.uri, other.extra)

    def __hash__(self) -> int:
        return hash(self.uri)

    def __repr__(self) -> str:
        return f"Dataset(uri={self.uri!r}, extra={self.extra!r})"

    def as_expression(self) -> Any:
        return self.uri


class AssetRef(BaseAsset):
    """``Asset.ref(name=...)`` / ``Asset.ref(uri=...)``: an asset defined elsewhere."""

    def __init__(self, *, name: str | None = None, uri: str | None = None) -> None:
        self.name = name
        self.uri = uri

    def as_condition(self) -> dict[str, Any]:
        return {"asset_ref": {"name": self.name} if self.name else {"uri": self.uri}}

    def as_expression(self) -> Any:
        return self.as_condition()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetRef) and (self.name, self.uri) == (other.name, other.uri)

    def __hash__(self) -> int:
        return hash((self.name, self.uri))


class AssetAlias(BaseAsset):
    """A name under which a task attaches asset events to assets chosen at run time."""

    def __init__(self, name: str, group: str = "asset") -> None:
        self.name = _check_identifier(type(self).__name__, "name", name)
        self.group = group

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetAlias) and self.name == other.name

    def __hash__(self) -> int:
        return hash(("alias", self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def as_condition(self) -> dict[str, Any]:
        return {"alias": {"name": self.name, "group": self.group}}

    def as_expression(self) -> Any:
        return self.as_condition()

    def iter_asset_aliases(self) -> Iterator[tuple[str, AssetAlias]]:
        yield self.name, self


class DatasetAlias(AssetAlias):
    """Airflow 2.10's ``DatasetAlias(name)``."""

    generation: ClassVar[str] = "2"

    def __init__(self, name: str) -> None:
        super().__init__(name)

    def as_expression(self) -> Any:
        return {"alias": self.name}


class _Boolean(BaseAsset):
    agg: ClassVar[str] = ""

    def __init__(self, *objects: BaseAsset) -> None:
        if not all(isinstance(o, BaseAsset) for o in objects):
            raise TypeError("expect asset expressions in condition")
        self.objects = list(objects)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.objects == other.objects  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.agg, len(self.objects)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.objects))})"

    def as_condition(self) -> dict[str, Any]:
        return {self.agg: [o.as_condition() for o in self.objects]}

    def as_expression(self) -> Any:
        return {self.agg: [o.as_expression() for o in self.objects]}

    def iter_assets(self) -> Iterator[tuple[tuple[str, str], Asset]]:
        for o in self.objects:
            yield from o.iter_assets()

    def iter_asset_aliases(self) -> Iterator[tuple[str, AssetAlias]]:
        for o in self.objects:
            yield from o.iter_asset_aliases()


class AssetAll(_Boolean):
    """Met when every one of its members was updated."""

    agg = "all"

    def __and__(self, other: object) -> BaseAsset:
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return type(self)(*self.objects, other)  # a & b & c stays flat, as in Airflow


class AssetAny(_Boolean):
    """Met when any one of its members was updated."""

    agg = "any"

    def __or__(self, other: object) -> BaseAsset:
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return type(self)(*self.objects, other)


class DatasetAll(AssetAll):
    generation: ClassVar[str] = "2"


class DatasetAny(AssetAny):
    generation: ClassVar[str] = "2"


def _all_of(generation: str) -> type[AssetAll]:
    return DatasetAll if generation == "2" else AssetAll


def _any_of(generation: str) -> type[AssetAny]:
    return DatasetAny if generation == "2" else AssetAny


class Metadata:
    """Yielded by a task to attach ``extra`` to the event of one of its outlets
    (``Metadata(asset, extra, alias=None)``; 2.10's first argument may be a uri)."""

    def __init__(self, target: Any, extra: dict[str, Any], alias: Any = None, **kwargs: Any) -> None:
        target = kwargs.pop("asset", kwargs.pop("uri", target))
        self.asset = target if isinstance(target, Asset) else Dataset(str(target))
        self.uri = self.asset.uri
        self.extra = dict(extra)
        self.alias = alias if alias is None or isinstance(alias, AssetAlias) else AssetAlias(str(alias))
        self.alias_name = self.alias.name if self.alias is not None else None


class AssetWatcher:
    """Airflow 3's event-driven asset watch: each event of ``trigger`` (run by the
    triggerer while an active, unpaused DAG is scheduled on the asset) is an event on the
    asset, with ``{"from_trigger": True, "payload": ...}`` as its extra."""

    def __init__(self, name: str, trigger: Any) -> None:
        from brisa.sdk.triggers.base import BaseEventTrigger

        if not isinstance(trigger, BaseEventTrigger):
            raise ValueError("Asset watcher trigger must inherit BaseEventTrigger")
        self.name = name
        self.trigger = trigger

    def as_dict(self) -> dict[str, Any]:
        """What the scheduler and triggerer need: the name and how to re-create the trigger."""
        classpath, kwargs = self.trigger.serialize()
        return {"name": self.name, "classpath": str(classpath), "kwargs": serde.dumps(kwargs)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssetWatcher):
            return NotImplemented
        return (self.name, self.trigger.serialize()) == (other.name, other.trigger.serialize())

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"AssetWatcher(name={self.name!r}, trigger={self.trigger!r})"


def _as_asset(value: Any) -> Asset:
    return value if isinstance(value, Asset) else Dataset(str(value))


def _event(
    asset: Asset, extra: dict[str, Any], alias: str | None, partition_keys: list[str] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "name": asset.name,
        "uri": asset.uri,
        "group": asset.group,
        "extra": extra,
        "alias": alias,
    }
    if partition_keys:  # absent: the event carries its run's partition key (if any)
        event["partition_keys"] = partition_keys
    return event


def emitted_events(outlets: Any, outlet_events: Any) -> tuple[dict[str, Any], ...]:
    """The events a successful task emits: one per outlet asset (with the ``extra`` set on
    ``outlet_events[asset]``), one per asset added to an outlet alias's event."""
    found = getattr(outlet_events, "find", None)
    events: list[dict[str, Any]] = []
    for outlet in outlets or ():
        if isinstance(outlet, Asset):
            extra: dict[str, Any] = {}
            keys: list[str] = []
            for accessed in found(("asset", outlet.name, outlet.uri), ("str", outlet.uri)) if found else ():
                extra.update(accessed.extra)
                keys.extend(k for k in getattr(accessed, "partition_keys", ()) if k not in keys)
            events.append(_event(outlet, extra, None, keys))
        elif isinstance(outlet, AssetAlias):
            for accessed in found(("alias", outlet.name), ("str", outlet.name)) if found else ():
                for asset, added in accessed.asset_alias_events:
                    events.append(_event(_as_asset(asset), {**accessed.extra, **added}, outlet.name))
    return tuple(events)


def collect_metadata(result: Any, outlet_events: Any) -> Any:
    """Run a generator task's body: each yielded :class:`Metadata` updates its outlet's
    event (and its alias's); the generator's return value is the task's, as in Airflow."""
    import inspect
    import logging

    if not inspect.isgenerator(result):
        return result
    while True:
        try:
            item = next(result)
        except StopIteration as stop:
            return stop.value
        if isinstance(item, Metadata):
            outlet_events[item.asset].extra.update(item.extra)
            if item.alias is not None:
                outlet_events[item.alias].add(item.asset, extra=item.extra)
        else:
            logging.getLogger(__name__).warning("Ignoring unknown data of %r received from task", type(item))


def outlet_refs(outlets: Any) -> list[dict[str, Any]]:
    """The asset/alias condition leaves of a task's outlets (lineage records are skipped)."""
    return [o.as_condition() for o in outlets or () if isinstance(o, Asset | AssetAlias | AssetRef)]


__all__ = [
    "Asset",
    "AssetAlias",
    "AssetAll",
    "AssetAny",
    "AssetRef",
    "AssetWatcher",
    "BaseAsset",
    "BaseDataset",
    "Dataset",
    "DatasetAlias",
    "DatasetAll",
    "DatasetAny",
    "Metadata",
    "asset_from_record",
    "collect_metadata",
    "emitted_events",
    "outlet_refs",
    "sanitize_uri",
]
