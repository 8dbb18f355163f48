"""``airflow.configuration.conf``: a read-only view of the configuration for DAG code.

Wherever DAG code runs (a try, a DAG callback, a parse) Brisa installs a settings
source with :func:`use_config` (``brisa.loader.dag_conf.brisa_conf``: Brisa's
``[api] base_url``, also under Airflow's name ``[webserver] base_url``); for every key
it leaves unanswered, Airflow's defaults for the few keys DAG files commonly read apply.
A source is any object with ``get(section, key) -> str | None``, or such a function.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from brisa.sdk.exceptions import AirflowConfigException


class ConfigSource(Protocol):
    def get(self, section: str, key: str) -> str | None: ...


DEFAULTS: dict[tuple[str, str], str] = {
    ("core", "default_timezone"): "utc",
    ("core", "load_examples"): "False",
    ("core", "dags_are_paused_at_creation"): "True",
    ("core", "max_active_runs_per_dag"): "16",
    ("core", "max_active_tasks_per_dag"): "16",
    ("core", "default_task_retries"): "0",
    ("core", "dag_run_conf_overrides_params"): "True",
    ("core", "executor"): "LocalExecutor",
    ("scheduler", "catchup_by_default"): "True",
    ("operators", "default_owner"): "airflow",
    ("operators", "default_queue"): "default",
    ("webserver", "base_url"): "http://localhost:8080",
}

_source: ContextVar[ConfigSource | None] = ContextVar("brisa_config_source", default=None)

_NO_FALLBACK = object()


@contextmanager
def use_config(source: ConfigSource | Any) -> Iterator[Any]:
    token = _source.set(source)
    try:
        yield source
    finally:
        _source.reset(token)


def _lookup(source: Any, section: str, key: str) -> str | None:
    """Sources are objects with ``get(section, key)`` or plain ``lookup(section, key)`` functions."""
    if hasattr(source, "get"):
        return source.get(section, key)
    return source(section, key)


class ReadOnlyConf:
    """``conf.get("core", "dags_folder")``, ``conf.getboolean(...)`` and friends."""

    def get(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> Any:
        section, key = section.lower(), key.lower()
        source = _source.get()
        value = _lookup(source, section, key) if source is not None else None
        if value is None:
            value = DEFAULTS.get((section, key))
        if value is None:
            if fallback is not _NO_FALLBACK:
                return fallback
            raise AirflowConfigException(f"section/key [{section}/{key}] not found in config")
        return value

    def has_option(self, section: str, key: str) -> bool:
        return self.get(section, key, fallback=None) is not None

    def getboolean(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> bool:
        value = self.get(section, key, fallback=fallback)
        if isinstance(value, bool) or value is None:
            return bool(value)
        text = str(value).strip().lower().split("#")[0].strip()
        if text in ("t", "true", "1", "yes", "on"):
            return True
        if text in ("f", "false", "0", "no", "off", ""):
            return False
        raise AirflowConfigException(
            f'Failed to convert value to bool. Please check "{key}" key in "{section}" section.'
        )

    def getint(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> int:
        value = self.get(section, key, fallback=fallback)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise AirflowConfigException(
                f'Failed to convert value to int. Please check "{key}" key in "{section}" section.'
            ) from None

    def getfloat(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> float:
        value = self.get(section, key, fallback=fallback)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise AirflowConfigException(
                f'Failed to convert value to float. Please check "{key}" key in "{section}" section.'
            ) from None

    def getimport(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> Any:
        """The object a dotted-path option names (providers' pluggable classes), or None."""
        path = self.get(section, key, fallback=fallback)
        if not path:
            return None
        module, _sep, name = str(path).rpartition(".")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise AirflowConfigException(
                f'The object could not be loaded. Please check "{key}" key in "{section}" section. '
                f'Current value: "{path}".'
            ) from exc

    def getjson(self, section: str, key: str, fallback: Any = _NO_FALLBACK, **_: Any) -> Any:
        value = self.get(section, key, fallback=fallback)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value) if value.strip() else fallback if fallback is not _NO_FALLBACK else None
        except ValueError as exc:
            raise AirflowConfigException(f"Unable to parse [{section}] {key!r} as valid json") from exc


conf = ReadOnlyConf()

__all__ = ["ConfigSource", "ReadOnlyConf", "conf", "use_config"]
