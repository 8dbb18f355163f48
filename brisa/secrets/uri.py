"""Airflow's connection URI and JSON forms (``AIRFLOW_CONN_X``, ``airflow connections add``).

A connection is a plain dict with the keys of :data:`CONNECTION_FIELDS`; ``extra`` is
always a dict (``{}`` when empty) and ``port`` an int or ``None``.

URI rules, as in Airflow's ``Connection.get_uri`` / ``_parse_from_uri``::

    conn-type://login:password@host:port/schema?extra_key=value
    conn-type://protocol://login:password@host:port/schema   (host "protocol://host")

* ``conn_type``: ``_`` is written as ``-`` and read back as ``_``; ``postgresql`` reads
  as ``postgres``.
* login, password, host and schema are percent-encoded with nothing left safe, so ``@``,
  ``/``, ``:``, ``%``, spaces and any Unicode survive.
* ``extra`` is written as a query string when every value is a string that survives
  one, otherwise as one ``__extra__`` parameter holding the JSON document; without a
  schema the query follows ``/`` (``conn://host/?a=b``).
* A port without a host or login is written ``@:port`` (so it reads back with login
  ``""``); an empty login without password is not written.
* A host holding a protocol (``http://host``) is written as a second scheme; the older
  form, the whole host percent-encoded (``http%3A%2F%2Fhost``), is read as well.

Deliberate differences from Airflow: hosts keep their case (Python's ``urlsplit``
lower-cases them, Airflow issue AIRFLOW-3615); IPv6 literals are written in brackets
(``[::1]``; Airflow percent-encodes the colons, which is also read); a missing host or
schema is ``None`` rather than ``""``; an extra that itself has a ``__extra__`` key is
always written in the JSON form so it reads back intact.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from brisa.errors import InvalidInputError

CONNECTION_FIELDS: tuple[str, ...] = ("conn_type", "host", "schema", "login", "password", "port", "extra")
JSON_FIELDS: frozenset[str] = frozenset({*CONNECTION_FIELDS, "description"})
EXTRA_KEY = "__extra__"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_NESTED_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")


def normalize_conn_type(conn_type: str | None) -> str | None:
    """Airflow's spelling: ``postgresql`` -> ``postgres``, ``-`` -> ``_``."""
    if not conn_type:
        return conn_type
    if conn_type == "postgresql":
        return "postgres"
    return conn_type.replace("-", "_")


# -- parsing ---------------------------------------------------------------------------


def parse_uri(uri: str) -> dict[str, Any]:
    """The connection fields of an Airflow connection URI.

    Raises :class:`InvalidInputError` for a malformed URI; messages never quote the URI,
    which usually holds a password.
    """
    conn_type, rest = _split_scheme(uri.strip())
    protocol = None
    nested = _NESTED_SCHEME.match(rest)
    if nested:
        protocol, rest = nested.group(1), rest[nested.end() :]
    rest = rest.partition("#")[0]
    location, _, query = rest.partition("?")
    authority, _, path = location.partition("/")
    if "://" in location:
        raise InvalidInputError("connection URI has more than two '://' (conn-type://protocol://host)")
    login, password, hostport = _split_userinfo(authority)
    host, port = _split_host_port(hostport)
    if protocol and host:
        host = f"{protocol}://{host}"
    return {
        "conn_type": normalize_conn_type(conn_type),
        "host": host,
        "schema": unquote(path) or None,
        "login": login,
        "password": password,
        "port": port,
        "extra": _parse_query(query),
    }


def _split_scheme(uri: str) -> tuple[str | None, str]:
    if uri.startswith("//"):
        return None, uri[2:]
    scheme, sep, rest = uri.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        raise InvalidInputError("not a connection URI: expected conn-type://login:password@host:port/schema")
    return scheme.lower(), rest


def _split_userinfo(authority: str) -> tuple[str | None, str | None, str]:
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        return None, None, authority
    login, colon, password = userinfo.partition(":")
    return unquote(login), (unquote(password) if colon else None), hostport


def _split_host_port(hostport: str) -> tuple[str | None, int | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise InvalidInputError("connection URI has an IPv6 host without its closing ']'")
        host, after = hostport[1:end], hostport[end + 1 :]
        if after and not after.startswith(":"):
            raise InvalidInputError("connection URI has text between the IPv6 host's ']' and the port")
        port_text = after[1:]
    else:
        host, _, port_text = hostport.partition(":")
    return (unquote(host) or None), _parse_port(port_text)


def _parse_port(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise InvalidInputError(f"connection URI has an invalid port {text!r}: expected a number up to 65535")
    return int(text)


def _parse_query(query: str) -> dict[str, Any]:
    if not query:
        return {}
    pairs = dict(parse_qsl(query, keep_blank_values=True))
    if EXTRA_KEY in pairs:
        return _extra_from_json(pairs[EXTRA_KEY], where="the __extra__ parameter")
    return pairs


def _extra_from_json(text: str, *, where: str) -> dict[str, Any]:
    try:
        extra = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{where} is not valid JSON ({exc.msg})") from None
    if not isinstance(extra, dict):
        raise InvalidInputError(f"{where} must be a JSON object")
    return extra


# -- formatting ------------------------------------------------------------------------


def format_uri(conn: Mapping[str, Any]) -> str:
    """The Airflow URI of a connection dict (``extra`` may be a dict or a JSON string)."""
    conn_type = conn.get("conn_type")
    uri = f"{conn_type.lower().replace('_', '-')}://" if conn_type else "//"
    protocol, host = _split_protocol(conn.get("host"))
    if protocol:
        uri += f"{protocol}://"
    authority = _format_userinfo(conn.get("login"), conn.get("password"))
    location = _format_host(host) if host else ""
    port = conn.get("port")
    if port:
        location += f":{int(port)}" if (location or authority) else f"@:{int(port)}"
    schema = conn.get("schema")
    if schema:
        location += "/" + quote(schema, safe="")
    uri += authority + location
    query = _format_extra(_extra_dict(conn.get("extra")))
    if query:
        uri += ("?" if schema else "/?") + query
    return uri


def _split_protocol(host: str | None) -> tuple[str | None, str | None]:
    if host and "://" in host:
        protocol, rest = host.split("://", 1)
        if rest and _SCHEME.fullmatch(protocol):
            return protocol, rest
    return None, host


def _format_userinfo(login: str | None, password: str | None) -> str:
    userinfo = ""
    if login is not None:
        userinfo += quote(login, safe="")
    if password is not None:
        userinfo += ":" + quote(password, safe="")
    return userinfo + "@" if userinfo else ""


def _format_host(host: str) -> str:
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return quote(host, safe="")
    return "[" + quote(host, safe=":") + "]"


def _extra_dict(extra: Any) -> dict[str, Any]:
    if not extra:
        return {}
    if isinstance(extra, str):
        return _extra_from_json(extra, where="connection extra")
    if not isinstance(extra, Mapping):
        raise InvalidInputError("connection extra must be a dict or a JSON object")
    return dict(extra)


def _format_extra(extra: dict[str, Any]) -> str:
    if not extra:
        return ""
    if EXTRA_KEY not in extra and all(isinstance(v, str) for v in extra.values()):
        query = urlencode(extra)
        if dict(parse_qsl(query, keep_blank_values=True)) == extra:
            return query
    return urlencode({EXTRA_KEY: json.dumps(extra)})


# -- JSON form -------------------------------------------------------------------------


def connection_from_json(text: str) -> dict[str, Any]:
    """The fields of the JSON form (``{"conn_type": "postgres", "host": ..., "extra": {...}}``).

    Returns :data:`CONNECTION_FIELDS` plus ``description``; ``extra`` may be given as an
    object or as a JSON string, ``port`` as a number or a numeric string.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"connection JSON is malformed ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise InvalidInputError("connection JSON must be an object")
    unknown = sorted(set(data) - JSON_FIELDS)
    if unknown:
        raise InvalidInputError(f"connection JSON has unknown field(s): {', '.join(unknown)}")
    fields = {
        name: _text_field(data, name) for name in ("host", "schema", "login", "password", "description")
    }
    return {
        "conn_type": normalize_conn_type(_text_field(data, "conn_type")),
        **fields,
        "port": _json_port(data.get("port")),
        "extra": _extra_dict(data.get("extra")),
    }


def _text_field(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"connection JSON field {name!r} must be a string")
    return value


def _json_port(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInputError("connection JSON field 'port' must be an integer")
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"connection JSON field 'port' must be an integer, not {value!r}") from None


__all__ = [
    "CONNECTION_FIELDS",
    "EXTRA_KEY",
    "JSON_FIELDS",
    "connection_from_json",
    "format_uri",
    "normalize_conn_type",
    "parse_uri",
]
