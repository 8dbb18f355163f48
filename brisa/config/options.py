"""The option table: every option Brisa reads, one entry each, with its parser, default,
Airflow's older locations (aliases) and whether it is sensitive.

To add an option, add one ``_opt(...)`` line to :data:`OPTIONS` and a field of the same
name to its section's class in :mod:`brisa.config.sections`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from brisa.config.parsers import (
    auth_backend,
    authenticate,
    choice,
    executor,
    expose_config,
    integer,
    log_level,
    name_list,
    optional_path,
    optional_text,
    parse_bool,
    path_value,
    regex,
    seconds,
    secrets_backends,
    text_value,
    timezone,
)
from brisa.config.resources import Resources
from brisa.config.urls import mask_config_value, metadata_database_url


@dataclass(frozen=True)
class ConfigItem:
    """One effective value, as text, and where it came from."""

    section: str
    key: str
    value: str
    source: str
    known: bool = True
    sensitive: bool = False

    @property
    def display_value(self) -> str:
        """The value with secrets hidden (what ``config list`` and the API show)."""
        return mask_config_value(self.value, sensitive=self.sensitive)


@dataclass
class OptionContext:
    """What derived defaults may look at: the home, the machine, earlier options."""

    home: Path
    resources: Resources
    items: dict[tuple[str, str], ConfigItem]


Default = str | Callable[[OptionContext], tuple[str, str]]


@dataclass(frozen=True)
class Option:
    """One row of the option table: how to parse the option's text, and its default."""

    section: str
    key: str
    parse: Callable[[str], Any]
    default: Default
    sensitive: bool = False
    aliases: tuple[tuple[str, str], ...] = ()
    shows_parsed: bool = False  # list the parsed text (normalized URLs), not what was written
    placeholders: frozenset[str] = frozenset()  # values from any source treated as unset
    airflow_cfg_defaults: frozenset[str] = frozenset()  # Airflow's defaults dumped into airflow.cfg

    @property
    def id(self) -> tuple[str, str]:
        return (self.section, self.key)

    def default_for(self, ctx: OptionContext) -> tuple[str, str]:
        if isinstance(self.default, str):
            return self.default, "default"
        return self.default(ctx)


def _default_dags_folder(ctx: OptionContext) -> tuple[str, str]:
    return str(ctx.home / "dags"), "default"


def _default_plugins_folder(ctx: OptionContext) -> tuple[str, str]:
    return str(ctx.home / "plugins"), "default"


def _default_database(ctx: OptionContext) -> tuple[str, str]:
    return f"sqlite:///{ctx.home / 'brisa.db'}", "default"


def _default_parallelism(ctx: OptionContext) -> tuple[str, str]:
    return str(ctx.resources.default_parallelism()), f"default ({ctx.resources.describe()})"


def _default_secret_key(ctx: OptionContext) -> tuple[str, str]:
    primary = ctx.items[("core", "fernet_key")].value.split(",")[0].strip()
    if not primary:
        return "", "default"
    derived = hmac.new(primary.encode("utf-8"), b"brisa [api] secret_key v1", "sha256").hexdigest()
    return derived, "derived from [core] fernet_key"


def _default_result_backend(ctx: OptionContext) -> tuple[str, str]:
    # Airflow's default too: Celery's SQLAlchemy result backend on the metadata database.
    database = ctx.items[("database", "sql_alchemy_conn")].value
    return f"db+{database}", "derived from [database] sql_alchemy_conn"


def _opt(name: str, parse: Callable[[str], Any], default: Default, *aliases: str, **kw: Any) -> Option:
    """``_opt("core.key", parse, default, "old_section.old_key", ...)``."""
    section, key = name.split(".")
    return Option(section, key, parse, default, aliases=tuple(_dotted(a) for a in aliases), **kw)


def _dotted(name: str) -> tuple[str, str]:
    section, key = name.split(".")
    return section, key


def _url(name: str, parse: Callable[[str], str], default: Default, *aliases: str) -> Option:
    return _opt(name, parse, default, *aliases, sensitive=True, shows_parsed=True)


_COUNT = integer(1)

OPTIONS: tuple[Option, ...] = (
    _opt("core.dags_folder", path_value, _default_dags_folder),
    _opt("core.executor", executor, "LocalExecutor"),
    _opt("core.parallelism", _COUNT, _default_parallelism, airflow_cfg_defaults=frozenset({"32"})),
    _opt("core.max_active_tasks_per_dag", _COUNT, "16", "core.dag_concurrency"),
    _opt("core.max_active_runs_per_dag", _COUNT, "16"),
    _opt("core.load_examples", parse_bool, "True"),
    _opt("core.fernet_key", optional_text, "", sensitive=True),
    _opt("core.dags_are_paused_at_creation", parse_bool, "True"),
    _opt("core.default_timezone", timezone, "utc"),
    _opt("core.dagbag_import_timeout", seconds, "30"),
    _opt("core.dag_file_processor_timeout", seconds, "50", "dag_processor.dag_file_processor_timeout"),
    _opt("core.killed_task_cleanup_time", seconds, "60"),
    _opt("core.default_airflow_generation", choice("2", "3"), "2"),
    _opt("core.hide_sensitive_var_conn_fields", parse_bool, "True", "admin.hide_sensitive_variable_fields"),
    _opt("core.sensitive_var_conn_names", name_list, "", "admin.sensitive_variable_fields"),
    _opt("core.pass_sensitive_env_to_tasks", parse_bool, "False"),
    _opt("core.plugins_folder", path_value, _default_plugins_folder),
    _opt("core.max_dag_run_conf_depth", integer(1, 200), "64"),
    _opt("core.max_dag_run_conf_bytes", _COUNT, str(1024 * 1024)),
    _url("database.sql_alchemy_conn", metadata_database_url, _default_database, "core.sql_alchemy_conn"),
    _opt("database.sql_alchemy_pool_size", integer(0), "5", "core.sql_alchemy_pool_size"),
    _opt("database.sql_alchemy_max_overflow", integer(0), "0", "core.sql_alchemy_max_overflow"),
    _opt("database.sql_alchemy_pool_recycle", integer(-1), "1800", "core.sql_alchemy_pool_recycle"),
    _opt("database.sql_alchemy_pool_pre_ping", parse_bool, "True", "core.sql_alchemy_pool_pre_ping"),
    _opt("scheduler.catchup_by_default", parse_bool, "False"),
    _opt("scheduler.min_file_process_interval", seconds, "30"),
    _opt("scheduler.dag_dir_list_interval", seconds, "300", "dag_processor.refresh_interval"),
    _opt("scheduler.parsing_processes", integer(0), "0", "dag_processor.parsing_processes"),
    _opt("scheduler.scheduler_heartbeat_sec", seconds, "5"),
    _opt("scheduler.task_heartbeat_sec", seconds, "5", "scheduler.job_heartbeat_sec"),
    _opt("scheduler.scheduler_health_check_threshold", seconds, "30"),
    _opt(
        "scheduler.task_instance_heartbeat_timeout",
        seconds,
        "300",
        "scheduler.scheduler_zombie_task_threshold",
    ),
    _opt("scheduler.graceful_shutdown_timeout", seconds, "20"),
    _opt("scheduler.max_dagruns_to_create_per_loop", _COUNT, "10"),
    _opt("scheduler.max_tis_per_query", _COUNT, "16"),
    _opt("scheduler.allowed_run_id_pattern", regex, r"^[A-Za-z0-9_.~:+-]+$"),
    _opt("api.host", text_value, "0.0.0.0", "webserver.web_server_host"),
    _opt("api.port", integer(1, 65535), "8080", "webserver.web_server_port"),
    _opt("api.workers", _COUNT, "1", "webserver.workers", airflow_cfg_defaults=frozenset({"4"})),
    _opt(
        "api.secret_key",
        optional_text,
        _default_secret_key,
        "webserver.secret_key",
        sensitive=True,
        placeholders=frozenset({"temporary_key"}),
    ),
    _opt("api.base_url", optional_text, "", "webserver.base_url"),
    _opt("api.expose_config", expose_config, "False", "webserver.expose_config"),
    _opt("api.access_token_expiration", _COUNT, "86400", "api_auth.jwt_expiration_time"),
    _opt("api.session_lifetime_minutes", _COUNT, "43200", "webserver.session_lifetime_minutes"),
    _opt("api.authenticate", authenticate, "True", "webserver.authenticate"),
    _opt("api.auth_backend", auth_backend, "password", "webserver.auth_backend"),
    _opt("api.max_request_body_bytes", _COUNT, str(4 * 1024 * 1024)),
    _opt("api.max_concurrent_password_checks", _COUNT, "2"),
    _opt("api.login_failures_per_address", integer(0), "20"),
    _opt("logging.level", log_level, "INFO", "logging.logging_level", "core.logging_level"),
    _opt("logging.format", choice("auto", "console", "logfmt", "json"), "auto"),
    _opt("logging.max_log_bytes_per_try", integer(0), str(10 * 1024 * 1024)),
    _opt("logging.min_length_masked_secret", integer(0), "5"),
    _url("celery.broker_url", text_value, "redis://localhost:6379/0"),
    _url("celery.result_backend", text_value, _default_result_backend, "celery.celery_result_backend"),
    _opt(
        "celery.worker_concurrency",
        _COUNT,
        _default_parallelism,
        "celery.celeryd_concurrency",
        airflow_cfg_defaults=frozenset({"16"}),
    ),
    _opt("celery.default_queue", text_value, "default", "operators.default_queue"),
    _opt("celery.visibility_timeout", _COUNT, "86400", "celery_broker_transport_options.visibility_timeout"),
    _opt("celery.ssl_active", parse_bool, "False"),
    _opt("celery.ssl_key", optional_text, ""),
    _opt("celery.ssl_cert", optional_text, ""),
    _opt("celery.ssl_cacert", optional_text, ""),
    _opt("secrets.backends", secrets_backends, "env,metastore"),
    _opt("database_retention.keep_days", integer(0), "0"),
    _opt("smtp.smtp_host", optional_text, ""),
    _opt("smtp.smtp_port", integer(1, 65535), "25"),
    _opt("smtp.smtp_starttls", parse_bool, "True"),
    _opt("smtp.smtp_ssl", parse_bool, "False"),
    _opt("smtp.smtp_user", optional_text, ""),
    _opt("smtp.smtp_password", optional_text, "", sensitive=True),
    _opt("smtp.smtp_mail_from", optional_text, ""),
    _opt("smtp.smtp_timeout", seconds, "30"),
    _opt("smtp.smtp_retry_limit", integer(0), "5"),
    _opt("email.from_email", optional_text, ""),
    _opt("email.email_conn_id", text_value, "smtp_default"),
    _opt("email.subject_template", optional_path, ""),
    _opt("email.html_content_template", optional_path, ""),
    _opt("metrics.statsd_on", parse_bool, "False", "scheduler.statsd_on"),
    _opt("metrics.statsd_host", text_value, "localhost", "scheduler.statsd_host"),
    _opt("metrics.statsd_port", integer(1, 65535), "8125", "scheduler.statsd_port"),
    _opt("metrics.statsd_prefix", optional_text, "airflow", "scheduler.statsd_prefix"),
    _opt("metrics.prometheus_port", integer(0, 65535), "0"),
    _opt("metrics.prometheus_host", text_value, "127.0.0.1"),
    _opt("standard.venv_install_method", choice("auto", "uv", "pip"), "auto"),
    _opt("triggerer.capacity", _COUNT, "1000", "triggerer.default_capacity"),
    _opt("triggerer.job_heartbeat_sec", seconds, "5"),
    _opt("triggerer.triggerer_health_check_threshold", seconds, "30"),
    _opt("triggerer.embedded", parse_bool, "True"),
)
"""Every option Brisa reads, in listing order. Aliases are Airflow's older locations."""

_BY_ID: Mapping[tuple[str, str], Option] = MappingProxyType({option.id: option for option in OPTIONS})
_BY_ALIAS: Mapping[tuple[str, str], tuple[Option, int]] = MappingProxyType(
    {alias: (option, -rank) for option in OPTIONS for rank, alias in enumerate(option.aliases, start=1)}
)


def find_option(section: str, name: str) -> tuple[Option, int] | None:
    """The option a (section, key) sets, and 0 for its own name or -n for its n-th alias."""
    option = _BY_ID.get((section, name))
    return (option, 0) if option is not None else _BY_ALIAS.get((section, name))


def classify_key(section: str, name: str) -> tuple[Option, str, int] | None:
    """The option a (section, key) sets, how (``value``, ``cmd`` or ``secret``), and its
    alias rank (see :func:`find_option`); None for a key Brisa does not know.

    As in Airflow, ``KEY_CMD`` / ``KEY_SECRET`` count only for a sensitive option; on
    another one the name stays an unknown key.
    """
    for kind, suffix in (("cmd", "_cmd"), ("secret", "_secret")):
        if name.endswith(suffix):
            target = find_option(section, name[: -len(suffix)])
            if target is not None and target[0].sensitive:
                return target[0], kind, target[1]
    target = find_option(section, name)
    return None if target is None else (target[0], "value", target[1])


__all__ = ["OPTIONS", "ConfigItem", "Default", "Option", "OptionContext", "classify_key", "find_option"]
