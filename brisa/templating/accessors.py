"""The lazy helpers templates reach through ``var``, ``conn``, ``conf`` and the event maps.

Variables and connections are fetched from the task's ``TaskRuntime`` only when a
template touches them, exactly like Airflow's ``VariableAccessor`` and
``ConnectionAccessor``::

    {{ var.value.bucket }}              {{ var.value.get('missing', 'fallback') }}
    {{ var.json.settings.retries }}     {{ var.json.get('missing', {}) }}
    {{ conn.warehouse.host }}           {{ conn.get('maybe_missing').login }}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from brisa.errors import ConfigError, DagError, NotFoundError
from brisa.runtime import TaskRuntime

log = logging.getLogger(__name__)


class _NotSet:
    def __repr__(self) -> str:
        return "NOTSET"


NOTSET: Any = _NotSet()


class VariableNotFound(NotFoundError, KeyError):
    """A variable a template asked for does not exist (a ``KeyError``, as in Airflow)."""


class ConnectionNotFound(NotFoundError):
    """A connection a template asked for does not exist."""


def _is_dunder(name: str) -> bool:
    # Python and Jinja probe objects for protocol attributes; they are never variables.
    return name.startswith("__") and name.endswith("__")


class VariableAccessor:
    """``var.value`` (strings) or ``var.json`` (parsed JSON)."""

    def __init__(self, runtime: TaskRuntime, *, deserialize_json: bool) -> None:
        self._runtime = runtime
        self._deserialize_json = deserialize_json

    def __getattr__(self, key: str) -> Any:
        if _is_dunder(key):
            raise AttributeError(key)
        return self.get(key)

    def get(self, key: str, default: Any = NOTSET) -> Any:
        raw = self._runtime.get_variable(key)
        if raw is None:
            if default is NOTSET:
                raise VariableNotFound(f"Variable {key} does not exist")
            return default
        return json.loads(raw) if self._deserialize_json else raw

    def __repr__(self) -> str:
        kind = "json" if self._deserialize_json else "value"
        return f"<VariableAccessor var.{kind}>"


class ConnectionAccessor:
    """``conn``: connections by id, as :class:`TemplateConnection` objects."""

    def __init__(self, runtime: TaskRuntime) -> None:
        self._runtime = runtime

    def __getattr__(self, conn_id: str) -> TemplateConnection:
        if _is_dunder(conn_id):
            raise AttributeError(conn_id)
        found = self._runtime.get_connection(conn_id)
        if found is None:
            raise ConnectionNotFound(f"The conn_id `{conn_id}` isn't defined")
        return TemplateConnection.from_dict({"conn_id": conn_id, **found})

    def get(self, conn_id: str, default_conn: Any = None) -> Any:
        try:
            return getattr(self, conn_id)
        except ConnectionNotFound:
            return default_conn

    def __repr__(self) -> str:
        return "<ConnectionAccessor conn>"


class TemplateConnection:
    """The fields of one connection, shaped like Airflow's ``Connection``."""

    EXTRA_KEY = "__extra__"

    def __init__(
        self,
        conn_id: str,
        conn_type: str | None = None,
        host: str | None = None,
        schema: str | None = None,
        login: str | None = None,
        password: str | None = None,
        port: int | str | None = None,
        extra: str | Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> None:
        self.conn_id = conn_id
        self.conn_type = conn_type
        self.host = host
        self.schema = schema
        self.login = login
        self.password = password
        self.port = int(port) if port not in (None, "") else None
        self.extra = json.dumps(extra) if isinstance(extra, Mapping) else extra
        self.description = description

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateConnection:
        fields = ("conn_type", "host", "schema", "login", "password", "port", "extra", "description")
        return cls(data["conn_id"], **{name: data.get(name) for name in fields})

    @property
    def extra_dejson(self) -> dict[str, Any]:
        """``extra`` parsed as JSON; ``{}`` when empty or not valid JSON (as Airflow)."""
        if not self.extra:
            return {}
        try:
            parsed = json.loads(self.extra)
        except ValueError:
            log.warning("extra of connection %s is not valid JSON", self.conn_id)
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def get_uri(self) -> str:
        """The connection as an Airflow connection URI (``type://login:pass@host:port/schema?extra``)."""
        uri = f"{self.conn_type.lower().replace('_', '-')}://" if self.conn_type else "//"
        protocol, host = self.host.split("://", 1) if self.host and "://" in self.host else (None, self.host)
        if protocol:
            uri += f"{protocol}://"
        authority = self._authority()
        uri += authority + self._host_block(host, authority)
        return uri + self._query()

    def _authority(self) -> str:
        block = quote(self.login, safe="") if self.login is not None else ""
        if self.password is not None:
            block += ":" + quote(self.password, safe="")
        return block + "@" if block else ""

    def _host_block(self, host: str | None, authority: str) -> str:
        block = quote(host, safe="") if host else ""
        if self.port:
            # A port with neither host nor login needs the "@" to stay a port.
            block += f"@:{self.port}" if not block and not authority else f":{self.port}"
        if self.schema:
            block += f"/{quote(self.schema, safe='')}"
        return block

    def _query(self) -> str:
        if not self.extra:
            return ""
        prefix = "?" if self.schema else "/?"
        extra = self.extra_dejson
        try:
            query = urlencode(extra)
        except TypeError:
            query = ""
        if query and extra == dict(parse_qsl(query, keep_blank_values=True)):
            return prefix + query
        # Not expressible as a flat query string: carry the JSON whole.
        return prefix + urlencode({self.EXTRA_KEY: self.extra})

    def __repr__(self) -> str:
        return self.conn_id


class ConfAccessor:
    """``conf`` in generation-2 templates: ``conf.get(section, key)`` and typed getters.

    Built over a ``lookup(section, key) -> str | None`` function.
    """

    def __init__(self, lookup: Callable[[str, str], str | None] | None = None) -> None:
        self._lookup = lookup or (lambda section, key: None)

    def get(self, section: str, key: str, fallback: Any = NOTSET, **_: Any) -> Any:
        value = self._lookup(section, key)
        if value is not None:
            return value
        if fallback is NOTSET:
            raise ConfigError(f"section/key [{section}/{key}] not found in config")
        return fallback

    def has_option(self, section: str, key: str) -> bool:
        return self._lookup(section, key) is not None

    def getboolean(self, section: str, key: str, fallback: Any = NOTSET) -> bool:
        value = str(self.get(section, key, fallback)).strip().lower()
        if value in ("t", "true", "1"):
            return True
        if value in ("f", "false", "0"):
            return False
        raise ConfigError(f'[{section}] {key} must be a boolean ("True" or "False"), not {value!r}')

    def getint(self, section: str, key: str, fallback: Any = NOTSET) -> int:
        return int(self.get(section, key, fallback))

    def getfloat(self, section: str, key: str, fallback: Any = NOTSET) -> float:
        return float(self.get(section, key, fallback))


def as_conf(conf: Any) -> Any:
    """What templates see as ``conf``: an object with ``.get`` as is, a function wrapped."""
    if conf is None:
        return ConfAccessor()
    if callable(getattr(conf, "get", None)):
        return conf
    if callable(conf):
        return ConfAccessor(conf)
    raise TypeError(f"conf must have .get(section, key) or be a function, not {conf!r}")


class OutletEvent:
    """What a task may attach to the asset event one of its outlets emits: ``extra``,
    and for an alias, the assets (and extras) it emits events on with :meth:`add`."""

    def __init__(self, key: Any = None) -> None:
        self.key = key
        self.extra: dict[str, Any] = {}
        self.asset_alias_events: list[tuple[Any, dict[str, Any]]] = []
        self.partition_keys: list[str] = []
        """Set by :meth:`add_partitions`; empty: the event carries the run's partition key."""

    def add(self, asset: Any, extra: dict[str, Any] | None = None) -> None:
        """``outlet_events[alias].add(Asset(...), extra={...})`` (a uri string in 2.10)."""
        self.asset_alias_events.append((asset, dict(extra or {})))

    def add_partitions(self, keys: Any) -> None:
        """Airflow 3.3's ``outlet_events[asset].add_partitions(...)``: the outlet emits one
        event per key (a string or several), instead of one with the run's partition key."""
        given = [keys] if isinstance(keys, str) else list(keys) if isinstance(keys, Iterable) else [keys]
        for key in given:
            if not isinstance(key, str) or not key:
                raise DagError(f"add_partitions(): a partition key must be a non-empty string, not {key!r}")
            if key not in self.partition_keys:
                self.partition_keys.append(key)

    def __repr__(self) -> str:
        return f"<OutletEvent extra={self.extra!r}>"


def outlet_key(key: Any) -> tuple[str, ...]:
    """One key for the ways a file names an outlet: an asset (by name and uri), an alias
    (by name), or a string (2.10's uri or alias name, told apart when the events are sent)."""
    if isinstance(key, str):
        return ("str", key)
    if hasattr(key, "uri") and hasattr(key, "name"):
        return ("asset", key.name, key.uri)
    if hasattr(key, "name"):
        return ("alias", key.name)
    return ("other", repr(key))


class OutletEventAccessors(Mapping[Any, OutletEvent]):
    """``outlet_events[asset].extra[...] = ...``: created on first access."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, ...], OutletEvent] = {}

    def __getitem__(self, key: Any) -> OutletEvent:
        return self._events.setdefault(outlet_key(key), OutletEvent(key))

    def find(self, *keys: tuple[str, ...]) -> list[OutletEvent]:
        """The events already accessed under any of ``keys`` (none is created)."""
        return [self._events[k] for k in keys if k in self._events]

    def __iter__(self) -> Iterator[Any]:
        return iter(event.key for event in self._events.values())

    def __len__(self) -> int:
        return len(self._events)


class NoEvents(Mapping[Any, list[Any]]):
    """``inlet_events`` / ``triggering_*_events``: no asset events in this run."""

    def __getitem__(self, key: Any) -> list[Any]:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0


__all__ = [
    "NOTSET",
    "ConfAccessor",
    "ConnectionAccessor",
    "ConnectionNotFound",
    "NoEvents",
    "OutletEvent",
    "OutletEventAccessors",
    "TemplateConnection",
    "VariableAccessor",
    "VariableNotFound",
    "as_conf",
]
