"""Which environment variables and settings values are secrets: task processes do not
inherit the variables, and logs mask the values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from brisa.config.options import classify_key
from brisa.config.urls import is_plain_url, url_password
from brisa.secret_names import is_sensitive_name

if TYPE_CHECKING:
    from brisa.config.settings import Settings

PLATFORM_SECRETS = ("DATABASE_URL", "REDIS_URL")
"""Platform variables holding Brisa's database and broker URLs (with their passwords)."""
_SECRET_WORDS = ("fernet", "sql_alchemy_conn", "broker_url", "result_backend", "_cmd")


def sensitive_environment(environ: Mapping[str, str], extra_names: tuple[str, ...] = ()) -> frozenset[str]:
    """The names of the variables in ``environ`` that hold Brisa's own secrets.

    ``AIRFLOW__SECTION__KEY`` / ``BRISA__SECTION__KEY`` of a sensitive option (keys, URLs,
    ``[smtp] smtp_password``) or of its ``_CMD`` / ``_SECRET`` forms, any such variable
    whose key looks sensitive (``password``, ``secret``, ``fernet``, ``sql_alchemy_conn``,
    ``_cmd``...), and ``DATABASE_URL`` / ``REDIS_URL``. Task processes do not get them
    (unless ``[core] pass_sensitive_env_to_tasks``); ``AIRFLOW_CONN_*`` and
    ``AIRFLOW_VAR_*`` are not among them: DAG code reads connections and variables there.
    """
    names = {name for name in PLATFORM_SECRETS if name in environ}
    for prefix in ("AIRFLOW__", "BRISA__"):
        for var in environ:
            section, sep, key = var[len(prefix) :].partition("__") if var.startswith(prefix) else ("", "", "")
            if sep and _is_secret_setting(section.lower(), key.lower(), extra_names):
                names.add(var)
    return frozenset(names)


def _is_secret_setting(section: str, key: str, extra_names: tuple[str, ...]) -> bool:
    classified = classify_key(section, key)
    if classified is not None:
        return classified[0].sensitive
    return is_sensitive_name(key, extra_names) or any(word in key for word in _SECRET_WORDS)


def sensitive_values(settings: Settings) -> tuple[str, ...]:
    """Every secret the settings hold, to mask in logs: each sensitive value whole, each key
    of a comma-separated ``fernet_key``, and the password of each URL."""
    found: list[str] = []
    for item in settings.entries.values():
        if item.sensitive and item.value.strip():
            if not is_plain_url(item.value):
                found.append(item.value.strip())
            found += [part.strip() for part in item.value.split(",") if "," in item.value]
            found += [password for password in (url_password(item.value),) if password]
    return tuple(dict.fromkeys(part for part in found if part))


__all__ = ["PLATFORM_SECRETS", "sensitive_environment", "sensitive_values"]
