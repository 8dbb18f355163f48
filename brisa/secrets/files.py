"""Files of variables and connections, as Airflow's ``import``/``export`` commands read and write them.

The format follows the file's extension, as in Airflow's local-filesystem secrets backend:

* ``.json``: one object. Variables: ``{"key": value}``; a value that is not a string is
  stored as JSON (``json.dumps(value, indent=2)``, as Airflow's ``Variable.set``), and
  ``{"value": v, "description": d}`` also sets the description. Connections:
  ``{"conn_id": "URI"}`` or ``{"conn_id": {"conn_type": ..., "host": ..., "extra": {...}}}``
  (fields of Airflow's ``Connection``; ``extra`` as an object or JSON text, or
  ``extra_dejson``; or ``uri`` alone).
* ``.yaml`` / ``.yml``: the same document in YAML.
* ``.env``: ``KEY=VALUE`` lines; blank lines and ``#`` comments are skipped; each key once.
  A connection value is a URI, or JSON when it starts with ``{``.

Error messages give line numbers, never the content: these files hold passwords.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from brisa.errors import InvalidInputError, NotFoundError, SecretsError
from brisa.secrets.backends import connection_from_text
from brisa.secrets.uri import format_uri, parse_uri
from brisa.secrets.views import VariableEntry

FILE_FORMATS: tuple[str, ...] = ("json", "yaml", "yml", "env")
SERIALIZATION_FORMATS: tuple[str, ...] = ("uri", "json")
_COMMENT = re.compile(r"\s*#")
_CONNECTION_KEYS = frozenset(
    {"conn_id", "conn_type", "description", "host", "login", "password", "schema", "port", "extra"}
)


# -- reading -----------------------------------------------------------------------------------


def file_format(path: str | Path) -> str:
    """``json``, ``yaml`` or ``env`` from the file's extension; :class:`InvalidInputError` otherwise."""
    extension = Path(path).suffix.lstrip(".").lower()
    if extension not in FILE_FORMATS:
        known = " ".join(f".{name}" for name in FILE_FORMATS)
        raise InvalidInputError(f"unsupported file format: the file must end with one of {known}")
    return "yaml" if extension == "yml" else extension


def read_document(path: str | Path, *, what: str) -> dict[str, Any]:
    """The file's ``{key: value}`` document (``what``: "variables" or "connections", for messages)."""
    fmt = file_format(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"Missing {what} file {path}") from None
    if not text.strip():
        raise InvalidInputError(f"{path}: the file is empty")
    parsers = {"json": _parse_json, "yaml": _parse_yaml, "env": _parse_env}
    return parsers[fmt](text, str(path))


def _parse_json(text: str, path: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}, line {exc.lineno}: {exc.msg}") from None
    return _require_object(document, path)


def _parse_yaml(text: str, path: str) -> dict[str, Any]:
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # str(exc) quotes the offending line, which may hold a password: give only where and what.
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise InvalidInputError(f"{path}, line {line}: {exc.problem or 'invalid YAML'}") from None
    except yaml.YAMLError:
        raise InvalidInputError(f"{path}: invalid YAML") from None
    return _require_object(document, path)


def _require_object(document: Any, path: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise InvalidInputError(f"{path}: the file must hold one object (key: value pairs)")
    return {str(key): value for key, value in document.items()}


def _parse_env(text: str, path: str) -> dict[str, Any]:
    document: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or _COMMENT.match(line):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        problem = _env_line_problem(key, sep, value, document)
        if problem:
            raise InvalidInputError(f"{path}, line {number}: {problem}")
        document[key] = value
    return document


def _env_line_problem(key: str, sep: str, value: str, seen: Mapping[str, str]) -> str | None:
    if not sep:
        return "expected KEY=VALUE"
    if not key:
        return "the key is empty"
    if not value:
        return "the value is empty"
    if key in seen:
        return f"{key!r} is given more than once"
    return None


# -- variables -----------------------------------------------------------------------------


def variables_from_document(document: Mapping[str, Any]) -> dict[str, tuple[str, str | None]]:
    """``{key: (stored text, description)}`` from an import document (Airflow's rules)."""
    return {key: _variable_value(key, raw) for key, raw in document.items()}


def _variable_value(key: str, raw: Any) -> tuple[str, str | None]:
    value, description = raw, None
    if isinstance(raw, dict) and "value" in raw:
        value, description = raw["value"], raw.get("description")
    if description is not None and not isinstance(description, str):
        raise InvalidInputError(f"variable {key!r}: description must be a string")
    text = value if isinstance(value, str) else json.dumps(value, indent=2, default=str)
    return text, description


def variables_document(entries: Iterable[VariableEntry]) -> dict[str, Any]:
    """The export document: JSON values decoded, descriptions kept; what import reads back."""
    entries = list(entries)
    unreadable = [entry.key for entry in entries if entry.error is not None]
    if unreadable:
        raise SecretsError(
            f"cannot export: variable(s) {', '.join(map(repr, unreadable))} cannot be decrypted "
            "with the configured fernet key(s)"
        )
    document: dict[str, Any] = {}
    for entry in entries:
        value = _exported_value(entry.value or "")
        wrapped = entry.description or (isinstance(value, dict) and "value" in value)
        document[entry.key] = {"value": value, "description": entry.description} if wrapped else value
    return document


def _exported_value(text: str) -> Any:
    # Import stores strings verbatim and JSON-encodes anything else, so only a text that
    # decodes to a non-string may be exported decoded.
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return text if isinstance(decoded, str) else decoded


# -- connections -----------------------------------------------------------------------------


def connections_from_document(document: Mapping[str, Any], *, path: str = "") -> dict[str, dict[str, Any]]:
    """``{conn_id: connection fields}`` from an import document; every entry is checked first."""
    where = f"{path}: " if path else ""
    connections = {}
    for conn_id, value in document.items():
        try:
            fields = _connection_fields(conn_id, value)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}connection {conn_id!r}: {exc}") from None
        if not fields.get("conn_type"):
            raise InvalidInputError(f"{where}connection {conn_id!r} has no conn_type")
        connections[conn_id] = {"description": None, **fields}
    return connections


def _connection_fields(conn_id: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return connection_from_text(value)
    if not isinstance(value, dict):
        raise InvalidInputError("a connection must be a URI or an object of connection fields")
    fields = dict(value)
    if fields.pop("conn_id", conn_id) != conn_id:
        raise InvalidInputError("the conn_id inside the entry differs from its key")
    description = fields.pop("description", None)
    if "uri" in fields:
        return {**_fields_from_uri(fields), "description": description}
    if "extra_dejson" in fields:
        if "extra" in fields:
            raise InvalidInputError("give extra or extra_dejson, not both")
        fields["extra"] = fields.pop("extra_dejson")
    unknown = sorted(set(fields) - _CONNECTION_KEYS)
    if unknown:
        raise InvalidInputError(f"unknown field(s): {', '.join(unknown)}")
    return connection_from_text(json.dumps({**fields, "description": description}, default=str))


def _fields_from_uri(fields: dict[str, Any]) -> dict[str, Any]:
    uri = fields.pop("uri")
    if fields:
        raise InvalidInputError(f"uri cannot be combined with {', '.join(sorted(fields))}")
    if not isinstance(uri, str):
        raise InvalidInputError("uri must be a string")
    return parse_uri(uri)


def export_connections(connections: Iterable[Mapping[str, Any]], fmt: str, serialization: str = "uri") -> str:
    """The export file's text: ``json``/``yaml`` documents of fields, or ``env`` lines."""
    conns = sorted(connections, key=lambda conn: conn["conn_id"])
    if fmt == "env":
        serialize = format_uri if serialization == "uri" else lambda c: json.dumps(_exported_fields(c))
        return "".join(f"{conn['conn_id']}={serialize(conn)}\n" for conn in conns)
    document = {conn["conn_id"]: _exported_fields(conn) for conn in conns}
    return dump_document(document, fmt)


def _exported_fields(conn: Mapping[str, Any]) -> dict[str, Any]:
    extra = conn.get("extra")
    return {
        "conn_type": conn.get("conn_type"),
        "description": conn.get("description"),
        "login": conn.get("login"),
        "password": conn.get("password"),
        "host": conn.get("host"),
        "port": conn.get("port"),
        "schema": conn.get("schema"),
        "extra": json.dumps(extra) if extra else None,
    }


def dump_document(document: Mapping[str, Any], fmt: str) -> str:
    """A document as ``json`` (sorted, indented like Airflow's export) or ``yaml`` text."""
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(dict(document), sort_keys=True, allow_unicode=True, default_flow_style=False)
    return json.dumps(document, sort_keys=True, indent=4) + "\n"


__all__ = [
    "FILE_FORMATS",
    "SERIALIZATION_FORMATS",
    "connections_from_document",
    "dump_document",
    "export_connections",
    "file_format",
    "read_document",
    "variables_document",
    "variables_from_document",
]
