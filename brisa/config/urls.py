"""Database and broker URLs: the one place where their spellings are normalised and their
passwords hidden. ``brisa.config`` and ``brisa.store`` (and the importer) all call
:func:`normalize_database_url`, so a URL means the same database wherever it is given.

Database URLs: ``postgres://`` (Heroku's form), ``postgresql://``, ``postgresql+psycopg2://``
and ``postgresql+pg8000://`` (old airflow.cfg files) become ``postgresql+psycopg://``
(psycopg 3, the driver Brisa ships), whatever the scheme's case; ``mysql://`` becomes
``mysql+pymysql://`` (the importer reads Airflow's MySQL databases with PyMySQL);
``sqlite:`` and other URLs are returned unchanged. Broker URLs: see :func:`normalize_redis_url`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from brisa.secret_names import REPLACEMENT

_POSTGRES_SCHEMES = frozenset(
    {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+pg8000"}
)
_LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def normalize_database_url(
    url: str, *, require_ssl_when_remote: bool = False, sslmode_from_env: bool = False
) -> str:
    """PostgreSQL URLs in any of Airflow's and Heroku's spellings -> ``postgresql+psycopg://``.

    ``sslmode=require`` is added for remote hosts when asked, and always for Heroku's
    ``postgres://`` form. Airflow's ``mysql://`` becomes ``mysql+pymysql://``; other
    databases' URLs are returned unchanged.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        raise ValueError(
            "not a database URL: expected e.g. postgresql://user:password@host:5432/db "
            "or sqlite:////absolute/path/brisa.db"
        )
    if scheme.lower() == "mysql":
        # Airflow's spelling means mysqlclient, a C build; Brisa's mysql extra is PyMySQL.
        return f"mysql+pymysql://{rest}"
    if scheme.lower() not in _POSTGRES_SCHEMES:
        return url
    normalized = f"postgresql+psycopg://{rest}"
    if sslmode_from_env:
        return normalized  # PGSSLMODE is set: libpq applies it (e.g. "disable" on Dokku)
    if require_ssl_when_remote or scheme.lower() == "postgres":
        return _with_default_sslmode(normalized)
    return normalized


def metadata_database_url(url: str) -> str:
    """``[database] sql_alchemy_conn``: a PostgreSQL URL (normalized) or an absolute SQLite
    path. Other databases and relative SQLite paths are refused, saying what to write."""
    normalized = normalize_database_url(url)
    scheme = normalized.partition("://")[0].lower()
    if scheme.split("+")[0] not in ("sqlite", "postgresql"):
        written = url.partition("://")[0].lower()  # as the user wrote it, not as normalised
        raise ValueError(
            f"Brisa's metadata database is PostgreSQL or SQLite, not {written}:// "
            "(MySQL/MariaDB and others are not supported): use postgresql://user:password@host:5432/db, "
            "or leave it unset for SQLite in $BRISA_HOME/brisa.db"
        )
    if scheme.startswith("sqlite"):
        _require_absolute_sqlite_path(normalized)
    return normalized


def _require_absolute_sqlite_path(url: str) -> None:
    """As Airflow refuses them: a relative path would depend on each command's directory."""
    path = url.partition("://")[2].removeprefix("/").split("?")[0]
    if path in ("", ":memory:") or path.startswith("/") or path.startswith("file:"):
        return
    raise ValueError(
        f"sqlite:///{path} is a path relative to the working directory, so each command would "
        f"open another database: write an absolute path with four slashes (sqlite:////abs/path/{path}) "
        "or leave it unset for $BRISA_HOME/brisa.db"
    )


def _with_default_sslmode(url: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host_in_query = query.get("host", "")
    is_local = (parts.hostname or "") in _LOCAL_HOSTS or host_in_query.startswith("/")
    if "sslmode" in query or is_local:
        return url
    return _append_query(url, parts.query, "sslmode=require")


def normalize_redis_url(url: str) -> str:
    """``rediss://`` without ``ssl_cert_reqs`` gets ``ssl_cert_reqs=none`` (Heroku Redis)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "rediss" or "ssl_cert_reqs" in dict(parse_qsl(parts.query)):
        return url
    return _append_query(url, parts.query, "ssl_cert_reqs=none")


def _append_query(url: str, query: str, parameter: str) -> str:
    if query:
        return f"{url}&{parameter}"
    return f"{url}{'' if url.endswith('?') else '?'}{parameter}"


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:)(?P<password>\S*)(?=@)")


def mask_url_passwords(text: str) -> str:
    """Hide the password of every ``scheme://user:password@`` in ``text``.

    The match runs to the last ``@``, so a password holding a raw ``@`` or ``/`` is
    hidden whole (at worst, more than the password is hidden).
    """
    return _URL_PASSWORD.sub(lambda m: m.group("head") + REPLACEMENT, text)


def mask_config_value(value: str, *, sensitive: bool) -> str:
    """The value as ``config list`` shows it: URL passwords always hidden, keys whole."""
    if not value:
        return value
    if sensitive and "://" not in value:
        return REPLACEMENT
    return mask_url_passwords(value)


def is_plain_url(value: str) -> bool:
    """A URL with no password and no query (``sqlite:////home/brisa.db``, ``redis://host``)
    holds no secret: logs may show it, so that they say which database a process uses."""
    if "://" not in value:
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return not parts.password and not parts.query


def url_password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        password = urlsplit(value.strip()).password
    except ValueError:
        return None
    return unquote(password) if password else None


__all__ = [
    "is_plain_url",
    "mask_config_value",
    "mask_url_passwords",
    "metadata_database_url",
    "normalize_database_url",
    "normalize_redis_url",
    "url_password",
]
