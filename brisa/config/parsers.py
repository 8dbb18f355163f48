"""Value parsers: an option's text -> its typed value, or ValueError saying what to write.

Each option of the table in :mod:`brisa.config.options` names one of these; the error's
message becomes part of the ConfigError that names where the value came from.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable
from pathlib import Path

_TRUE = frozenset({"t", "true", "1", "yes", "y", "on"})
_FALSE = frozenset({"f", "false", "0", "no", "n", "off"})


def parse_bool(text: str) -> bool:
    # Airflow strips a trailing "# comment" from booleans, since airflow.cfg has them.
    value = text.split("#", 1)[0].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("expected a boolean: true/false, 1/0, yes/no")


def integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError("expected a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ValueError(f"must be at least {minimum}{upper}")
        return value

    return parse


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError("must be a finite number of seconds, 0 or more")
    return value


def text_value(text: str) -> str:
    return text


def optional_text(text: str) -> str | None:
    return text or None


def path_value(text: str) -> Path:
    if not text:
        raise ValueError("expected a path")
    return Path(text)


def optional_path(text: str) -> Path | None:
    return path_value(text) if text.strip() else None


def choice(*names: str) -> Callable[[str], str]:
    by_lower = {name.lower(): name for name in names}

    def parse(text: str) -> str:
        try:
            return by_lower[text.lower()]
        except KeyError:
            raise ValueError(f"expected one of: {', '.join(names)}") from None

    return parse


def name_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


_EXECUTORS = ("LocalExecutor", "CeleryExecutor", "SequentialExecutor")


def regex(text: str) -> str:
    try:
        re.compile(text.strip())
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return text.strip()


def executor(text: str) -> str:
    if "," in text:
        raise ValueError("Brisa runs one executor: choose LocalExecutor or CeleryExecutor")
    name = text.rsplit(".", 1)[-1]  # Airflow accepts import paths
    try:
        return choice(*_EXECUTORS)(name)
    except ValueError:
        raise ValueError(
            "Brisa supports LocalExecutor and CeleryExecutor "
            "(SequentialExecutor runs as LocalExecutor with parallelism 1)"
        ) from None


def timezone(text: str) -> str:
    if text.lower() in ("utc", "system"):
        return text.lower()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone: use utc, system or an IANA name such as Europe/Lisbon") from None
    return text


_LOG_LEVELS = {"CRITICAL": "CRITICAL", "FATAL": "CRITICAL", "ERROR": "ERROR", "WARNING": "WARNING"}
_LOG_LEVELS |= {"WARN": "WARNING", "INFO": "INFO", "DEBUG": "DEBUG"}


def log_level(text: str) -> str:
    try:
        return _LOG_LEVELS[text.upper()]
    except KeyError:
        raise ValueError("expected one of: CRITICAL, ERROR, WARNING, INFO, DEBUG") from None


def authenticate(text: str) -> bool:
    if not parse_bool(text):
        raise ValueError(
            "Brisa has no unauthenticated mode: the UI and API always require a login. "
            "Remove this setting or set it to True, and create a user to sign in with"
        )
    return True


_PASSWORD_BACKENDS = frozenset({"password", "password_auth", "session", "basic_auth", "default"})


def auth_backend(text: str) -> str:
    for name in (part.strip() for part in text.split(",") if part.strip()):
        if name.rsplit(".", 1)[-1] not in _PASSWORD_BACKENDS:
            raise ValueError(
                f"{name} is not supported: Brisa signs users in with the passwords in its own "
                "database (Airflow's password_auth); LDAP, OAuth and Kerberos backends are not available"
            )
    return text or "password"


_SECRETS_BACKENDS = ("env", "metastore")


def secrets_backends(text: str) -> tuple[str, ...]:
    names = name_list(text)
    unknown = [name for name in names if name not in _SECRETS_BACKENDS]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError("expected a comma-separated order of env and metastore, e.g. env,metastore")
    return names


def expose_config(text: str) -> bool:
    # Airflow also accepts "non-sensitive-only"; Brisa always masks secrets, so it is True.
    return text.strip().lower() == "non-sensitive-only" or parse_bool(text)


__all__ = [
    "auth_backend",
    "authenticate",
    "choice",
    "executor",
    "expose_config",
    "integer",
    "log_level",
    "name_list",
    "optional_path",
    "optional_text",
    "parse_bool",
    "path_value",
    "regex",
    "seconds",
    "secrets_backends",
    "text_value",
    "timezone",
]
