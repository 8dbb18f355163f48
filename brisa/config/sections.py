"""The typed sections of :class:`brisa.config.Settings`: one frozen class per config
section, one field per option of the table in :mod:`brisa.config.options`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True)
class CoreSettings:
    dags_folder: Path
    executor: str
    parallelism: int
    max_active_tasks_per_dag: int
    max_active_runs_per_dag: int
    load_examples: bool
    fernet_key: str | None = field(repr=False)
    dags_are_paused_at_creation: bool
    default_timezone: str
    dagbag_import_timeout: float
    dag_file_processor_timeout: float
    killed_task_cleanup_time: float
    default_airflow_generation: str
    hide_sensitive_var_conn_fields: bool
    sensitive_var_conn_names: tuple[str, ...]
    pass_sensitive_env_to_tasks: bool
    plugins_folder: Path
    max_dag_run_conf_depth: int
    max_dag_run_conf_bytes: int


@dataclass(frozen=True)
class DatabaseSettings:
    sql_alchemy_conn: str = field(repr=False)
    sql_alchemy_pool_size: int
    sql_alchemy_max_overflow: int
    sql_alchemy_pool_recycle: int
    sql_alchemy_pool_pre_ping: bool


@dataclass(frozen=True)
class SchedulerSettings:
    catchup_by_default: bool
    min_file_process_interval: float
    dag_dir_list_interval: float
    scheduler_heartbeat_sec: float
    task_heartbeat_sec: float
    scheduler_health_check_threshold: float
    task_instance_heartbeat_timeout: float
    graceful_shutdown_timeout: float
    max_dagruns_to_create_per_loop: int
    max_tis_per_query: int
    allowed_run_id_pattern: str
    parsing_processes: int
    """DAG files parsed at once; 0 means one per CPU core."""


@dataclass(frozen=True)
class ApiSettings:
    host: str
    port: int
    workers: int
    secret_key: str | None = field(repr=False)
    base_url: str | None
    expose_config: bool
    access_token_expiration: int
    session_lifetime_minutes: int
    authenticate: bool
    auth_backend: str
    max_request_body_bytes: int
    max_concurrent_password_checks: int
    login_failures_per_address: int


@dataclass(frozen=True)
class LoggingSettings:
    level: str
    format: str
    max_log_bytes_per_try: int
    min_length_masked_secret: int


@dataclass(frozen=True)
class CelerySettings:
    broker_url: str = field(repr=False)
    result_backend: str = field(repr=False)
    worker_concurrency: int
    default_queue: str
    visibility_timeout: int
    ssl_active: bool
    ssl_key: str | None
    ssl_cert: str | None
    ssl_cacert: str | None


@dataclass(frozen=True)
class SecretsSettings:
    backends: tuple[str, ...]


@dataclass(frozen=True)
class RetentionSettings:
    keep_days: int


@dataclass(frozen=True)
class SmtpSettings:
    """Airflow's ``[smtp]``: where failure/retry alerts and ``EmailOperator`` send mail."""

    smtp_host: str | None
    smtp_port: int
    smtp_starttls: bool
    smtp_ssl: bool
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    smtp_mail_from: str | None
    smtp_timeout: float
    smtp_retry_limit: int


@dataclass(frozen=True)
class EmailSettings:
    """Airflow's ``[email]``: the sender and the connection holding the SMTP login."""

    from_email: str | None
    email_conn_id: str
    subject_template: Path | None
    html_content_template: Path | None


@dataclass(frozen=True)
class MetricsSettings:
    """Airflow's ``[metrics]`` StatsD options, and Brisa's Prometheus endpoint."""

    statsd_on: bool
    statsd_host: str
    statsd_port: int
    statsd_prefix: str
    prometheus_port: int
    """``/metrics`` for Prometheus on this port of the process that schedules (0: off)."""
    prometheus_host: str


@dataclass(frozen=True)
class StandardSettings:
    """Airflow's ``[standard]``: how PythonVirtualenvOperator builds environments."""

    venv_install_method: str


@dataclass(frozen=True)
class TriggererSettings:
    """Airflow's ``[triggerer]``, and whether the scheduler runs one in its process."""

    capacity: int
    job_heartbeat_sec: float
    triggerer_health_check_threshold: float
    embedded: bool
    """Brisa's: ``brisa scheduler``/``standalone`` run a triggerer in a thread (no extra process)."""


SECTION_CLASSES: Mapping[str, type] = MappingProxyType(
    {
        "core": CoreSettings,
        "database": DatabaseSettings,
        "scheduler": SchedulerSettings,
        "api": ApiSettings,
        "logging": LoggingSettings,
        "celery": CelerySettings,
        "secrets": SecretsSettings,
        "database_retention": RetentionSettings,
        "smtp": SmtpSettings,
        "email": EmailSettings,
        "metrics": MetricsSettings,
        "standard": StandardSettings,
        "triggerer": TriggererSettings,
    }
)
"""Section name -> its class, in listing order."""


__all__ = [
    "SECTION_CLASSES",
    "ApiSettings",
    "CelerySettings",
    "CoreSettings",
    "DatabaseSettings",
    "EmailSettings",
    "LoggingSettings",
    "MetricsSettings",
    "RetentionSettings",
    "SchedulerSettings",
    "SecretsSettings",
    "SmtpSettings",
    "StandardSettings",
    "TriggererSettings",
]
