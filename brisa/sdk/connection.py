"""``Connection`` and ``BaseHook.get_connection``: connections from the task's runtime."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from brisa.runtime import current_runtime
from brisa.sdk.exceptions import AirflowException, AirflowNotFoundException
from brisa.secrets.masking import is_sensitive_name

FIELDS = ("conn_id", "conn_type", "description", "host", "schema", "login", "password", "port", "extra")


def _uri_codec() -> tuple[Any, Any] | None:
    """``brisa.secrets.uri``'s full codec when present (it handles every URI corner)."""
    try:
        from brisa.secrets.uri import format_uri, parse_uri
    except ImportError:
        return None
    return parse_uri, format_uri


def _simple_parse(uri: str) -> dict[str, Any]:
    parts = urlsplit(uri)
    extra = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair) if parts.query else {}
    return {
        "conn_type": parts.scheme.replace("-", "_") or None,
        "host": unquote(parts.hostname) if parts.hostname else None,
        "schema": unquote(parts.path.lstrip("/")) or None,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "port": parts.port,
        "extra": json.dumps({k: unquote(v) for k, v in extra.items()}) if extra else None,
    }


def _simple_format(fields: dict[str, Any]) -> str:
    uri = f"{str(fields.get('conn_type') or '').replace('_', '-')}://"
    if fields.get("login") or fields.get("password"):
        uri += quote(fields.get("login") or "", safe="")
        if fields.get("password"):
            uri += ":" + quote(fields["password"], safe="")
        uri += "@"
    uri += fields.get("host") or ""
    if fields.get("port"):
        uri += f":{fields['port']}"
    if fields.get("schema"):
        uri += "/" + quote(fields["schema"], safe="")
    extra = fields.get("extra")
    if extra:
        data = json.loads(extra) if isinstance(extra, str) else extra
        uri += "?" + "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in data.items())
    return uri


class Connection:
    """A connection's fields; ``Connection(uri=...)`` parses a URI."""

    def __init__(
        self,
        conn_id: str | None = None,
        conn_type: str | None = None,
        description: str | None = None,
        host: str | None = None,
        login: str | None = None,
        password: str | None = None,
        schema: str | None = None,
        port: int | None = None,
        extra: str | dict[str, Any] | None = None,
        uri: str | None = None,
    ) -> None:
        self.conn_id = conn_id
        self.description = description
        if uri is not None:
            codec = _uri_codec()
            parsed = codec[0](uri) if codec else _simple_parse(uri)
            conn_type, host, login, password = (
                parsed.get("conn_type"),
                parsed.get("host"),
                parsed.get("login"),
                parsed.get("password"),
            )
            schema, port, extra = parsed.get("schema"), parsed.get("port"), parsed.get("extra")
        self.conn_type = conn_type
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = int(port) if port not in (None, "") else None
        self.extra = json.dumps(extra) if isinstance(extra, dict) else extra

    def __repr__(self) -> str:
        return self.conn_id or ""

    @property
    def extra_dejson(self) -> dict[str, Any]:
        if not self.extra:
            return {}
        try:
            value = json.loads(self.extra)
        except ValueError:
            logging.getLogger(__name__).error("Failed parsing the json for conn_id %s", self.conn_id)
            return {}
        return value if isinstance(value, dict) else {}

    def get_extra(self) -> str | None:
        return self.extra

    def get_password(self) -> str | None:
        return self.password

    def get_uri(self) -> str:
        codec = _uri_codec()
        fields = self.to_dict()
        return codec[1](fields) if codec else _simple_format(fields)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def as_json(self) -> str:
        return json.dumps({k: v for k, v in self.to_dict().items() if k != "conn_id"})

    @classmethod
    def from_json(cls, value: str, conn_id: str | None = None) -> Connection:
        return cls(conn_id=conn_id, **json.loads(value))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Connection:
        fields = {k: data.get(k) for k in FIELDS if k in data}
        if "extra" not in fields and isinstance(data.get("extra_dejson"), dict):
            fields["extra"] = data["extra_dejson"]
        return cls(**fields)

    @classmethod
    def get_connection_from_secrets(cls, conn_id: str) -> Connection:
        runtime = current_runtime()
        data = runtime.get_connection(conn_id)
        if not data:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        connection = cls.from_dict({"conn_id": conn_id, **data})
        if connection.password:
            runtime.mask_secret(connection.password)
        for key, value in connection.extra_dejson.items():
            if is_sensitive_name(key) and isinstance(value, str) and value:
                runtime.mask_secret(value)
        return connection

    @classmethod
    def get(cls, conn_id: str) -> Connection:
        """Airflow 3's ``Connection.get``."""
        return cls.get_connection_from_secrets(conn_id)

    def get_hook(self, *, hook_params: dict[str, Any] | None = None) -> Any:
        """The hook that serves this connection's type, from the installed providers'
        connection types (and Brisa's own hooks); unknown types raise, naming the type."""
        return _hook_for(self.conn_type or "", self.conn_id, hook_params)


class BaseHook:
    """Base class for hooks; Brisa's only job for them is finding connections."""

    def __init__(self, logger_name: str | None = None, **kwargs: Any) -> None:
        self._logger_name = logger_name

    @property
    def log(self) -> logging.Logger:
        cls = type(self)
        return logging.getLogger(
            self._logger_name or f"airflow.task.hooks.{cls.__module__}.{cls.__qualname__}"
        )

    @classmethod
    def get_connection(cls, conn_id: str) -> Connection:
        return Connection.get_connection_from_secrets(conn_id)

    @classmethod
    def get_connections(cls, conn_id: str) -> list[Connection]:
        return [cls.get_connection(conn_id)]


__all__ = ["BaseHook", "Connection"]


def _hook_for(conn_type: str, conn_id: str | None, hook_params: dict[str, Any] | None = None) -> Any:
    """Airflow's ``Connection.get_hook``: the hook class of ``conn_type`` built for ``conn_id``."""
    from brisa.providers.connection_types import connection_types

    kind = connection_types().get(conn_type)
    if kind is None:
        raise AirflowException(
            f"Unknown hook type {conn_type!r}: no installed provider declares this connection type "
            "(brisa providers list; install one with `brisa providers install NAME`)"
        )
    return build_hook(kind.hook_class(), conn_id, hook_params)


def build_hook(hook_class: type, conn_id: str | None, hook_params: dict[str, Any] | None = None) -> Any:
    """``hook_class`` built for ``conn_id`` under the argument name it declares."""
    attribute = getattr(hook_class, "conn_name_attr", "conn_id")
    return hook_class(**{attribute: conn_id}, **(hook_params or {}))
