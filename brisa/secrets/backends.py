"""Where connections and variables come from: environment, memory, a chain of backends.

Every backend answers two questions and returns ``None`` for "not here"::

    get_connection(conn_id) -> dict | None   # keys: CONNECTION_KEYS
    get_variable(key)       -> str | None

A connection dict has ``conn_id``, ``description`` and the fields of
:data:`brisa.secrets.uri.CONNECTION_FIELDS`; ``extra`` is a dict. Callers get a fresh
dict each time and may change it. The metadata-database backend lives with the store;
``tests/secrets/test_backends.py`` holds the contract every backend passes.

Backends do not register what they return with a :class:`~brisa.secrets.masking.SecretsMasker`;
the caller that hands a connection to DAG code does (Airflow masks passwords on load).
The environment is the exception: task processes inherit it, so a task can print
``AIRFLOW_CONN_*`` without reading it through Brisa, and
:meth:`EnvironmentBackend.register_secrets` teaches a masker all of it up front.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from brisa.errors import ConfigError, InvalidInputError
from brisa.secrets.masking import SecretsMasker
from brisa.secrets.uri import CONNECTION_FIELDS, connection_from_json, parse_uri

CONNECTION_KEYS: tuple[str, ...] = ("conn_id", "description", *CONNECTION_FIELDS)

ENV_PREFIXES: tuple[str, ...] = ("BRISA", "AIRFLOW")
"""``BRISA_CONN_X`` wins over ``AIRFLOW_CONN_X`` (and the same for ``_VAR_``)."""


def make_connection(conn_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A complete connection dict: missing fields become ``None`` (``extra``: ``{}``)."""
    unknown = sorted(set(fields) - set(CONNECTION_KEYS))
    if unknown:
        raise InvalidInputError(f"connection {conn_id!r} has unknown field(s): {', '.join(unknown)}")
    conn: dict[str, Any] = {key: fields.get(key) for key in CONNECTION_KEYS}
    conn["conn_id"] = conn_id
    conn["extra"] = copy.deepcopy(dict(fields.get("extra") or {}))
    return conn


def connection_from_text(text: str) -> dict[str, Any]:
    """Fields of a serialized connection: JSON if it starts with ``{``, else a URI (Airflow's rule)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return connection_from_json(stripped)
    return parse_uri(stripped)


class BaseSecretsBackend(ABC):
    """A read-only source of connections and variables."""

    @abstractmethod
    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        """The connection, or ``None`` if this backend does not have it."""

    @abstractmethod
    def get_variable(self, key: str) -> str | None:
        """The variable's value, or ``None`` if this backend does not have it."""


class EnvironmentBackend(BaseSecretsBackend):
    """``BRISA_CONN_<ID>`` / ``AIRFLOW_CONN_<ID>`` (URI or JSON), ``BRISA_VAR_<KEY>`` / ``AIRFLOW_VAR_<KEY>``.

    As in Airflow the id is upper-cased to build the variable name, so ``my_db`` and
    ``MY_DB`` find the same connection. An empty ``*_CONN_*`` value counts as unset; an
    empty ``*_VAR_*`` value is the empty string. ``environ`` is passed in by the caller
    (the CLI passes ``os.environ``).
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        for prefix in ENV_PREFIXES:
            name = f"{prefix}_CONN_{conn_id.upper()}"
            value = self._environ.get(name, "")
            if value.strip():
                return make_connection(conn_id, self._parse(name, value))
        return None

    @staticmethod
    def _parse(name: str, value: str) -> dict[str, Any]:
        try:
            return connection_from_text(value)
        except InvalidInputError as exc:
            raise ConfigError(f"environment variable {name}: {exc}") from None

    def get_variable(self, key: str) -> str | None:
        for prefix in ENV_PREFIXES:
            value = self._environ.get(f"{prefix}_VAR_{key.upper()}")
            if value is not None:
                return value
        return None

    def register_secrets(self, masker: SecretsMasker) -> None:
        """Teach ``masker`` every secret held here, before any task reads it: each
        ``*_CONN_*`` value whole, its password and sensitive extras; each ``*_VAR_*``
        whose key looks sensitive, and sensitive keys nested in JSON values."""
        for name, value in self._environ.items():
            for prefix in ENV_PREFIXES:
                if name.startswith(f"{prefix}_CONN_") and value.strip():
                    _register_connection(masker, value)
                elif name.startswith(f"{prefix}_VAR_"):
                    masker.add_variable(name[len(prefix) + len("_VAR_") :].lower(), value)


def _register_connection(masker: SecretsMasker, text: str) -> None:
    masker.add_all([text.strip()])
    try:
        fields = connection_from_text(text)
    except InvalidInputError:
        return  # reading it fails with its own error; the whole text is registered
    masker.add(fields.get("password"))
    masker.add_sensitive_parts(fields.get("extra") or {})


class MemoryBackend(BaseSecretsBackend):
    """A dict-backed backend for tests and for ``brisa dags test``; ids are case-sensitive."""

    def __init__(
        self,
        connections: Mapping[str, Mapping[str, Any] | str] | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> None:
        self._connections: dict[str, dict[str, Any]] = {}
        self._variables: dict[str, str] = dict(variables or {})
        for conn_id, conn in (connections or {}).items():
            self.set_connection(conn_id, conn)

    def set_connection(self, conn_id: str, conn: Mapping[str, Any] | str) -> None:
        """Store a connection given as fields or as a URI/JSON text."""
        fields = connection_from_text(conn) if isinstance(conn, str) else conn
        self._connections[conn_id] = make_connection(conn_id, fields)

    def set_variable(self, key: str, value: str) -> None:
        self._variables[key] = value

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        stored = self._connections.get(conn_id)
        return None if stored is None else make_connection(conn_id, stored)

    def get_variable(self, key: str) -> str | None:
        return self._variables.get(key)


class ChainBackend(BaseSecretsBackend):
    """Asks each backend in order; the first answer wins.

    Unlike Airflow, an error in one backend is not logged and skipped: it propagates, so
    a broken backend is not mistaken for a missing connection.
    """

    def __init__(self, backends: Iterable[BaseSecretsBackend]) -> None:
        self.backends: tuple[BaseSecretsBackend, ...] = tuple(backends)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        for backend in self.backends:
            conn = backend.get_connection(conn_id)
            if conn is not None:
                return conn
        return None

    def get_variable(self, key: str) -> str | None:
        for backend in self.backends:
            value = backend.get_variable(key)
            if value is not None:
                return value
        return None


__all__ = [
    "CONNECTION_KEYS",
    "ENV_PREFIXES",
    "BaseSecretsBackend",
    "ChainBackend",
    "EnvironmentBackend",
    "MemoryBackend",
    "connection_from_text",
    "make_connection",
]
