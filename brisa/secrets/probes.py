"""``brisa connections test``: a real check of a connection, for the types Brisa can reach.

Airflow asks each provider's hook (``test_connection``); Brisa ships no providers, so it
checks the types a Heroku app usually has with the clients it already depends on:

==================  ============================================================
``postgres``        connect with psycopg and run ``SELECT 1`` (``sslmode`` and
                    other libpq options from the extra)
``http``/``https``  ``GET`` the base URL the way Airflow's ``HttpHook`` builds it;
                    any status below 400 passes
``redis``           ``PING`` (``db``, ``ssl`` from the extra; login as ACL user)
``sqlite``          open the file named by ``host`` read-only and run ``SELECT 1``
``fs``              the ``path`` of the extra exists
==================  ============================================================

Any other type gets ``ProbeResult(ok=None)``: no test is available, which is not a pass.
Failure messages are masked: a driver's error never shows the connection's password.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from brisa.secrets.masking import SecretsMasker

DEFAULT_TIMEOUT = 10.0
POSTGRES_EXTRA_OPTIONS = (
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "application_name",
    "options",
    "keepalives",
    "keepalives_idle",
    "target_session_attrs",
)

HTTP_SESSION_OPTIONS = frozenset(
    {
        "timeout",
        "allow_redirects",
        "proxies",
        "verify",
        "stream",
        "cert",
        "max_redirects",
        "trust_env",
        "auth_type",
        "auth_kwargs",
        "session_conf",
    }
)
"""Extra keys ``HttpHook`` reads as options; the others are sent as headers, as there."""


@dataclass(frozen=True)
class ProbeResult:
    ok: bool | None
    """True: it answered; False: it failed; None: no test exists for this type."""
    message: str


def probe_connection(conn: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT) -> ProbeResult:
    """Try to reach ``conn`` (a connection dict of :mod:`brisa.secrets.backends`)."""
    conn_type = (conn.get("conn_type") or "").replace("-", "_")
    probe = PROBES.get("postgres" if conn_type == "postgresql" else conn_type)
    if probe is None:
        testable = ", ".join(sorted(PROBES))
        return ProbeResult(
            None, f"No test is available for connection type {conn_type!r} (Brisa tests {testable})."
        )
    try:
        return ProbeResult(True, probe(conn, timeout))
    except Exception as exc:  # any driver error is the answer we were asked for
        return ProbeResult(False, _masked(conn, f"{type(exc).__name__}: {exc}"))


def _masked(conn: Mapping[str, Any], text: str) -> str:
    masker = SecretsMasker(min_length=1)
    masker.add(conn.get("password"))
    masker.add(conn.get("extra") or {})
    return masker.mask(text)


def _extra(conn: Mapping[str, Any]) -> dict[str, Any]:
    return dict(conn.get("extra") or {})


def _postgres(conn: Mapping[str, Any], timeout: float) -> str:
    import psycopg

    extra = _extra(conn)
    options: dict[str, Any] = {name: str(extra[name]) for name in POSTGRES_EXTRA_OPTIONS if name in extra}
    with psycopg.connect(
        host=conn.get("host") or None,
        port=conn.get("port") or None,
        user=conn.get("login") or None,
        password=conn.get("password") or None,
        dbname=conn.get("schema") or extra.get("dbname") or None,
        connect_timeout=max(1, int(timeout)),
        **options,
    ) as db:
        version = db.execute("SELECT 1, current_setting('server_version')").fetchone()
    return f"PostgreSQL {version[1] if version else '?'} answered SELECT 1."


def http_base_url(conn: Mapping[str, Any]) -> str:
    """The URL Airflow's ``HttpHook`` calls: host as given if it has a scheme, else schema://host:port."""
    host = conn.get("host") or ""
    if "://" in host:
        url = host
    else:
        schema = conn.get("schema")
        scheme = (
            schema
            if schema in ("http", "https")
            else ("https" if conn.get("conn_type") == "https" else "http")
        )
        url = f"{scheme}://{host}"
    if conn.get("port"):
        url += f":{conn['port']}"
    return url


def _http(conn: Mapping[str, Any], timeout: float) -> str:
    import httpx

    url = http_base_url(conn)
    headers = {
        str(k): str(v)
        for k, v in _extra(conn).items()
        if k not in HTTP_SESSION_OPTIONS and isinstance(v, str | int | float)
    }
    auth = (conn["login"], conn.get("password") or "") if conn.get("login") else None
    response = httpx.get(url, auth=auth, headers=headers, timeout=timeout, follow_redirects=True)
    if response.status_code >= 400:
        raise ConnectionError(f"GET {url} answered {response.status_code} {response.reason_phrase}")
    return f"GET {url} answered {response.status_code} {response.reason_phrase}."


def _redis(conn: Mapping[str, Any], timeout: float) -> str:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    extra = _extra(conn)
    client = redis.Redis(
        host=conn.get("host") or "localhost",
        port=int(conn.get("port") or 6379),
        db=int(extra.get("db", 0)),
        username=conn.get("login") or None,
        password=conn.get("password") or None,
        ssl=str(extra.get("ssl", "")).lower() in ("1", "true", "yes"),
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # one attempt: the question is whether it answers now
    )
    try:
        client.ping()
    finally:
        client.close()
    return "Redis answered PING."


def _sqlite(conn: Mapping[str, Any], timeout: float) -> str:
    path = conn.get("host") or ""
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(f"no SQLite database file at {path!r} (the connection's host)")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
    try:
        db.execute("SELECT 1").fetchone()
    finally:
        db.close()
    return f"SQLite database {path} answered SELECT 1."


def _fs(conn: Mapping[str, Any], timeout: float) -> str:
    path = _extra(conn).get("path") or ""
    if not path:
        raise ValueError("the connection's extra has no 'path'")
    if not os.path.exists(path):
        raise FileNotFoundError(f"path {path!r} does not exist")
    return f"Path {path} exists."


PROBES: dict[str, Callable[[Mapping[str, Any], float], str]] = {
    "postgres": _postgres,
    "http": _http,
    "https": _http,
    "redis": _redis,
    "sqlite": _sqlite,
    "fs": _fs,
}


__all__ = ["DEFAULT_TIMEOUT", "PROBES", "ProbeResult", "http_base_url", "probe_connection"]
