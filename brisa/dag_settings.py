"""Brisa's settings as DAG code sees them: ``airflow.configuration.conf`` and ``{{ conf }}``.

Used wherever DAG code runs: the loader's parse, a file zygote's preload, a task try, a
DAG-level callback.  The settings are read only if DAG code asks, once per process
(a task or parse process lives for one file or one try; the cache goes with it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

DAG_CODE_SETTINGS = frozenset(
    {
        ("webserver", "base_url"),
        ("api", "base_url"),
        ("core", "dags_folder"),
        ("core", "default_timezone"),
        ("core", "executor"),
    }
)
"""What ``airflow.configuration.conf`` answers DAG code from Brisa's settings (an alert
builds links with ``[webserver] base_url``, a DAG file finds its SQL files under
``[core] dags_folder``); other keys keep the answers of :mod:`brisa.sdk.configuration`
(Airflow's defaults). Never secrets such as the database URL or the Fernet key."""


def dag_code_config(section: str, key: str) -> str | None:
    """``conf.get(section, key)`` in DAG code: Brisa's value of a :data:`DAG_CODE_SETTINGS`
    key when one is set; None (Airflow's default, or the caller's fallback) otherwise."""
    if (section, key) not in DAG_CODE_SETTINGS:
        return None
    return config_lookup(section, key) or None  # unset is "", not Airflow's default URL


@contextlib.contextmanager
def brisa_conf() -> Iterator[None]:
    """While DAG code runs: ``airflow.configuration.conf`` answers from Brisa's settings.

    The settings are read only if DAG code asks (see :func:`config_lookup`)."""
    from brisa.sdk.configuration import use_config

    with use_config(dag_code_config):
        yield


_config_cache: dict[tuple[str, str], str | None] = {}


def config_lookup(section: str, key: str) -> str | None:
    """``{{ conf.get(section, key) }}`` in generation-2 templates: Brisa's effective config.

    None (so the caller's ``fallback``, or a "not found" error) for an option that is not
    set, and for secrets (database and broker URLs, keys): DAG code has no use for them
    and a rendered template would show them.
    """
    if (section, key) not in _config_cache:
        from brisa.config import load_settings
        from brisa.errors import NotFoundError

        try:
            item = load_settings(os.environ).item(section, key)
        except NotFoundError:
            item = None
        _config_cache[(section, key)] = None if item is None or item.sensitive else item.value
    return _config_cache[(section, key)]


__all__ = ["DAG_CODE_SETTINGS", "brisa_conf", "config_lookup", "dag_code_config"]
