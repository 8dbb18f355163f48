"""Brisa's settings: the only module that reads environment variables and config files.

``load_settings(environ)`` returns a frozen :class:`Settings`; nothing is read at import
and nothing is cached, so tests pass their own ``environ`` and ``home``. The home is
``home``, else ``$BRISA_HOME``, else ``$AIRFLOW_HOME``, else ``~/brisa``.

Where a value comes from, lowest precedence first:

1. **Defaults.** Mostly Airflow's; see the option table below. Derived ones: paths under
   ``BRISA_HOME``; ``parallelism`` from the container's limits (below); ``[api]
   secret_key`` from ``[core] fernet_key`` (HMAC-SHA256 of its first key; ``None`` when
   neither is set); ``[celery] result_backend`` from the database, as in Airflow.
2. **Two config files** (INI, Airflow's sections and keys), both read: Airflow's
   (``$AIRFLOW_CONFIG``, else ``$AIRFLOW_HOME/airflow.cfg``, else ``$BRISA_HOME/airflow.cfg``),
   then Brisa's on top (``cfg_path``, else ``$BRISA_CONFIG``, else ``$BRISA_HOME/brisa.cfg``,
   where a local install's generated keys are written). Where both set an option differently
   brisa.cfg's value is used and ``Settings.warnings`` says so, naming both files, so an
   edit to airflow.cfg is never silently hidden. As in Airflow, ``%`` is an interpolation
   character (write ``%%``) and ``$VAR`` / ``~`` are expanded from the environment.
3. **Platform variables**: ``PORT`` -> ``[api] port``, ``WEB_CONCURRENCY`` -> ``[api]
   workers``, ``DATABASE_URL`` -> ``[database] sql_alchemy_conn``, ``REDIS_URL`` ->
   ``[celery] broker_url`` and ``result_backend``. They beat the file because an
   ``airflow.cfg`` made by ``airflow initdb`` holds every default (``web_server_port =
   8080``, a local database) and is often deployed as is.
4. ``AIRFLOW__SECTION__KEY``, then 5. ``BRISA__SECTION__KEY`` (Brisa's name wins).

Within a layer, for sensitive options (the URLs and keys, ``[smtp] smtp_password``),
``KEY_CMD`` runs a command and takes its standard output (split with ``shlex``, no
shell, environment = ``environ``, 60 s limit) and ``KEY_SECRET`` reads the file at the
given path (Docker/Kubernetes secret mounts). Airflow's ``_SECRET`` asks its secrets
backend instead; Brisa has no config backend, so the value is a file path. The plain key
beats ``_CMD``, which beats ``_SECRET``. As in Airflow, ``_CMD``/``_SECRET`` on a
non-sensitive key do nothing (the name is kept as an unknown key).

**Moved keys.** Airflow's old locations are read as aliases, below the new name in the
same layer: ``[core] sql_alchemy_conn`` -> ``[database] sql_alchemy_conn``,
``[webserver] web_server_port`` -> ``[api] port``, ``[core] dag_concurrency`` ->
``[core] max_active_tasks_per_dag``, and the others in the option table.

**URLs.** ``postgres://`` (Heroku's form) and ``postgresql://`` and
``postgresql+psycopg2://`` (old airflow.cfg files) become ``postgresql+psycopg://``
(psycopg 3). ``DATABASE_URL`` and any ``postgres://`` URL get ``sslmode=require`` when
the host is not local and no ``sslmode`` is given (Heroku Postgres refuses plain
connections); an explicit ``sslmode`` is kept. ``REDIS_URL`` with ``rediss://`` and no
``ssl_cert_reqs`` gets ``ssl_cert_reqs=none``: Heroku Redis serves TLS with a
self-signed certificate, so verifying it fails. This is encryption without server
authentication; set ``ssl_cert_reqs=required`` in the URL where the certificate is valid.

**Executors.** ``LocalExecutor`` (default) and ``CeleryExecutor``, by name or Airflow
import path. ``SequentialExecutor`` means "one task at a time": it runs as the
``LocalExecutor`` with ``parallelism`` forced to 1.

**Default parallelism.** ``os.cpu_count()`` reports the host's CPUs (8 on a 512 MB Heroku
dyno), so the default is sized from the cgroup instead::

    max(2, min(32, memory_mb // 64, ceil(8 * cpu_quota)))

one task per 64 MB of the memory limit (cgroup v2 ``memory.max``, v1
``memory.limit_in_bytes``), at most 8 tasks per CPU of CPU quota (v2 ``cpu.max``, v1
``cpu.cfs_quota_us``), between 2 and 32; a missing limit counts as 32 (Airflow's
default). A 512 MB dyno gets 8, a 2.5 GB one 32. ``[celery] worker_concurrency``
follows the same rule. Because ``airflow initdb`` writes Airflow's big-machine numbers
into airflow.cfg, the values ``parallelism = 32``, ``worker_concurrency = 16`` and
``[webserver] workers = 4`` read from an airflow.cfg are treated as unset.

**Authentication is always on.** ``[webserver] authenticate = True`` and ``auth_backend =
airflow.contrib.auth.backends.password_auth`` (old Heroku guides) are accepted;
``authenticate = False`` and non-password backends are refused with a ConfigError.
Airflow 1.10's shipped ``secret_key = temporary_key`` is public, so it is treated as
unset. ``SLUGIFY_USES_TEXT_UNIDECODE`` and other non-Brisa variables are ignored.

Options Brisa does not know are kept, listed by ``brisa config list`` and otherwise
ignored. A value that does not parse raises ConfigError naming where it came from.
"""

from __future__ import annotations

import configparser
import hmac
import math
import os
import re
import shlex
import subprocess
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from brisa.errors import ConfigError, NotFoundError
from brisa.secrets.masking import REPLACEMENT, is_sensitive_name

# -- container resources ---------------------------------------------------------------

MB_PER_TASK = 64
TASKS_PER_CPU = 8
MIN_DEFAULT_PARALLELISM = 2
MAX_DEFAULT_PARALLELISM = 32
_UNLIMITED_BYTES = 1 << 60  # cgroup v1 reports "no limit" as a number near 2**63


@dataclass(frozen=True)
class Resources:
    """The container's limits; ``None`` means no limit was found."""

    memory_mb: int | None = None
    cpus: float | None = None

    def default_parallelism(self) -> int:
        by_memory = self.memory_mb // MB_PER_TASK if self.memory_mb else MAX_DEFAULT_PARALLELISM
        by_cpu = math.ceil(self.cpus * TASKS_PER_CPU) if self.cpus else MAX_DEFAULT_PARALLELISM
        return max(MIN_DEFAULT_PARALLELISM, min(MAX_DEFAULT_PARALLELISM, by_memory, by_cpu))

    def describe(self) -> str:
        memory = f"{self.memory_mb} MB memory limit" if self.memory_mb else "no memory limit"
        cpus = f"{self.cpus:g} CPU quota" if self.cpus else "no CPU quota"
        return f"{memory}, {cpus}"


def detect_resources(cgroup_root: Path = Path("/sys/fs/cgroup")) -> Resources:
    """Read the memory limit and CPU quota of this process's cgroup (v2 or v1)."""
    return Resources(memory_mb=_memory_limit_mb(cgroup_root), cpus=_cpu_quota(cgroup_root))


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _memory_limit_mb(root: Path) -> int | None:
    for path in (root / "memory.max", root / "memory" / "memory.limit_in_bytes"):
        text = _read_text(path)
        if text is None:
            continue
        if not text.isdigit() or int(text) >= _UNLIMITED_BYTES:
            return None
        return int(text) // (1024 * 1024)
    return None


def _cpu_quota(root: Path) -> float | None:
    v2 = _read_text(root / "cpu.max")
    if v2 is not None:
        quota, _, period = v2.partition(" ")
        return _quota(quota, period or "100000")
    for folder in ("cpu", "cpu,cpuacct"):
        quota = _read_text(root / folder / "cpu.cfs_quota_us")
        period = _read_text(root / folder / "cpu.cfs_period_us")
        if quota is not None and period is not None:
            return _quota(quota, period)
    return None


def _quota(quota: str, period: str) -> float | None:
    if not quota.isdigit() or not period.isdigit() or int(quota) == 0 or int(period) == 0:
        return None  # "max" (v2) or -1 (v1): no quota
    return int(quota) / int(period)


# -- URLs --------------------------------------------------------------------------------

_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"})
_LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def normalize_database_url(
    url: str, *, require_ssl_when_remote: bool = False, sslmode_from_env: bool = False
) -> str:
    """PostgreSQL URLs in any of Airflow's and Heroku's spellings -> ``postgresql+psycopg://``.

    ``sslmode=require`` is added for remote hosts when asked, and always for Heroku's
    ``postgres://`` form; other databases' URLs are returned unchanged.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        raise ValueError(
            "not a database URL: expected e.g. postgresql://user:password@host:5432/db "
            "or sqlite:////absolute/path/brisa.db"
        )
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
        raise ValueError(
            f"Brisa's metadata database is PostgreSQL or SQLite, not {scheme}:// "
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


# -- value parsers: text -> typed value, ValueError with a reason ------------------------

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


def _integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError("must be a finite number of seconds, 0 or more")
    return value


def _text(text: str) -> str:
    return text


def _optional_text(text: str) -> str | None:
    return text or None


def _path(text: str) -> Path:
    if not text:
        raise ValueError("expected a path")
    return Path(text)


def _optional_path(text: str) -> Path | None:
    return _path(text) if text.strip() else None


def _choice(*names: str) -> Callable[[str], str]:
    by_lower = {name.lower(): name for name in names}

    def parse(text: str) -> str:
        try:
            return by_lower[text.lower()]
        except KeyError:
            raise ValueError(f"expected one of: {', '.join(names)}") from None

    return parse


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


_EXECUTORS = ("LocalExecutor", "CeleryExecutor", "SequentialExecutor")


def _regex(text: str) -> str:
    try:
        re.compile(text.strip())
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return text.strip()


def _executor(text: str) -> str:
    if "," in text:
        raise ValueError("Brisa runs one executor: choose LocalExecutor or CeleryExecutor")
    name = text.rsplit(".", 1)[-1]  # Airflow accepts import paths
    try:
        return _choice(*_EXECUTORS)(name)
    except ValueError:
        raise ValueError(
            "Brisa supports LocalExecutor and CeleryExecutor "
            "(SequentialExecutor runs as LocalExecutor with parallelism 1)"
        ) from None


def _timezone(text: str) -> str:
    if text.lower() in ("utc", "system"):
        return text.lower()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone: use utc, system or an IANA name such as Europe/Lisbon") from None
    return text


_LOG_LEVELS = {"CRITICAL": "CRITICAL", "FATAL": "CRITICAL", "ERROR": "ERROR", "WARNING": "WARNING"}
_LOG_LEVELS |= {"WARN": "WARNING", "INFO": "INFO", "DEBUG": "DEBUG"}


def _log_level(text: str) -> str:
    try:
        return _LOG_LEVELS[text.upper()]
    except KeyError:
        raise ValueError("expected one of: CRITICAL, ERROR, WARNING, INFO, DEBUG") from None


def _authenticate(text: str) -> bool:
    if not parse_bool(text):
        raise ValueError(
            "Brisa has no unauthenticated mode: the UI and API always require a login. "
            "Remove this setting or set it to True, and create a user to sign in with"
        )
    return True


_PASSWORD_BACKENDS = frozenset({"password", "password_auth", "session", "basic_auth", "default"})


def _auth_backend(text: str) -> str:
    for name in (part.strip() for part in text.split(",") if part.strip()):
        if name.rsplit(".", 1)[-1] not in _PASSWORD_BACKENDS:
            raise ValueError(
                f"{name} is not supported: Brisa signs users in with the passwords in its own "
                "database (Airflow's password_auth); LDAP, OAuth and Kerberos backends are not available"
            )
    return text or "password"


_SECRETS_BACKENDS = ("env", "metastore")


def _secrets_backends(text: str) -> tuple[str, ...]:
    names = _names(text)
    unknown = [name for name in names if name not in _SECRETS_BACKENDS]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError("expected a comma-separated order of env and metastore, e.g. env,metastore")
    return names


def _expose_config(text: str) -> bool:
    # Airflow also accepts "non-sensitive-only"; Brisa always masks secrets, so it is True.
    return text.strip().lower() == "non-sensitive-only" or parse_bool(text)


# -- the typed sections ------------------------------------------------------------------


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


_SECTION_CLASSES: Mapping[str, type] = MappingProxyType(
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
    }
)


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


@dataclass(frozen=True)
class Settings:
    """Brisa's effective configuration, grouped by section.

    Secret fields (keys, database and broker URLs) are left out of ``repr()`` so that a
    logged Settings does not leak them; ``entries`` has every value as text with its source.
    """

    home: Path
    config_file: Path | None
    """The config file of highest precedence read (brisa.cfg, else airflow.cfg), if any."""
    core: CoreSettings
    database: DatabaseSettings
    scheduler: SchedulerSettings
    api: ApiSettings
    logging: LoggingSettings
    celery: CelerySettings
    secrets: SecretsSettings
    database_retention: RetentionSettings
    smtp: SmtpSettings
    email: EmailSettings
    metrics: MetricsSettings
    standard: StandardSettings
    entries: Mapping[tuple[str, str], ConfigItem] = field(repr=False, compare=False)
    config_files: tuple[Path, ...] = ()
    """Every config file read, lowest precedence first (airflow.cfg, then brisa.cfg)."""
    brisa_cfg: Path | None = None
    """The file read as Brisa's own (``$BRISA_CONFIG`` or ``$BRISA_HOME/brisa.cfg``), if any."""
    warnings: tuple[str, ...] = ()
    """What the configuration itself should tell the user (an option both files set
    differently); commands log them at start."""
    platform: str | None = None
    """The platform-as-a-service this runs on (``heroku``, ``render``...), None elsewhere:
    their disks do not outlive a restart, so nothing that must last is written there."""

    def item(self, section: str, key: str) -> ConfigItem:
        """The entry for an option; Airflow's old names (``core``, ``sql_alchemy_conn``) work too."""
        wanted = (section.lower(), key.lower())
        target = _target(*wanted)
        found = self.entries.get((target[0].section, target[0].key) if target else wanted)
        if found is None:
            raise NotFoundError(f"the option [{wanted[0]}] {wanted[1]} is not set")
        return found

    def source(self, section: str, key: str) -> str:
        """Where the effective value came from: ``default``, ``env AIRFLOW__CORE__X``, ..."""
        return self.item(section, key).source

    def raw_value(self, section: str, key: str) -> str:
        """The effective value as text, unmasked."""
        return self.item(section, key).value

    def items(self, section: str | None = None) -> list[ConfigItem]:
        """Every entry, section by section: Brisa's options in table order, then unused keys."""
        return [item for item in self.entries.values() if section is None or item.section == section.lower()]


# -- the option table --------------------------------------------------------------------


@dataclass
class _Context:
    """What derived defaults may look at: the home, the machine, earlier options."""

    home: Path
    resources: Resources
    items: dict[tuple[str, str], ConfigItem]


Default = str | Callable[[_Context], tuple[str, str]]


@dataclass(frozen=True)
class _Option:
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

    def default_for(self, ctx: _Context) -> tuple[str, str]:
        if isinstance(self.default, str):
            return self.default, "default"
        return self.default(ctx)


def _default_dags_folder(ctx: _Context) -> tuple[str, str]:
    return str(ctx.home / "dags"), "default"


def _default_plugins_folder(ctx: _Context) -> tuple[str, str]:
    return str(ctx.home / "plugins"), "default"


def _default_database(ctx: _Context) -> tuple[str, str]:
    return f"sqlite:///{ctx.home / 'brisa.db'}", "default"


def _default_parallelism(ctx: _Context) -> tuple[str, str]:
    return str(ctx.resources.default_parallelism()), f"default ({ctx.resources.describe()})"


def _default_secret_key(ctx: _Context) -> tuple[str, str]:
    primary = ctx.items[("core", "fernet_key")].value.split(",")[0].strip()
    if not primary:
        return "", "default"
    derived = hmac.new(primary.encode("utf-8"), b"brisa [api] secret_key v1", "sha256").hexdigest()
    return derived, "derived from [core] fernet_key"


def _default_result_backend(ctx: _Context) -> tuple[str, str]:
    # Airflow's default too: Celery's SQLAlchemy result backend on the metadata database.
    database = ctx.items[("database", "sql_alchemy_conn")].value
    return f"db+{database}", "derived from [database] sql_alchemy_conn"


def _opt(name: str, parse: Callable[[str], Any], default: Default, *aliases: str, **kw: Any) -> _Option:
    """``_opt("core.key", parse, default, "old_section.old_key", ...)``."""
    section, key = name.split(".")
    return _Option(section, key, parse, default, aliases=tuple(tuple(a.split(".")) for a in aliases), **kw)


def _url(name: str, parse: Callable[[str], str], default: Default, *aliases: str) -> _Option:
    return _opt(name, parse, default, *aliases, sensitive=True, shows_parsed=True)


_COUNT = _integer(1)

OPTIONS: tuple[_Option, ...] = (
    _opt("core.dags_folder", _path, _default_dags_folder),
    _opt("core.executor", _executor, "LocalExecutor"),
    _opt("core.parallelism", _COUNT, _default_parallelism, airflow_cfg_defaults=frozenset({"32"})),
    _opt("core.max_active_tasks_per_dag", _COUNT, "16", "core.dag_concurrency"),
    _opt("core.max_active_runs_per_dag", _COUNT, "16"),
    _opt("core.load_examples", parse_bool, "True"),
    _opt("core.fernet_key", _optional_text, "", sensitive=True),
    _opt("core.dags_are_paused_at_creation", parse_bool, "True"),
    _opt("core.default_timezone", _timezone, "utc"),
    _opt("core.dagbag_import_timeout", _seconds, "30"),
    _opt("core.dag_file_processor_timeout", _seconds, "50", "dag_processor.dag_file_processor_timeout"),
    _opt("core.killed_task_cleanup_time", _seconds, "60"),
    _opt("core.default_airflow_generation", _choice("2", "3"), "2"),
    _opt("core.hide_sensitive_var_conn_fields", parse_bool, "True", "admin.hide_sensitive_variable_fields"),
    _opt("core.sensitive_var_conn_names", _names, "", "admin.sensitive_variable_fields"),
    _opt("core.pass_sensitive_env_to_tasks", parse_bool, "False"),
    _opt("core.plugins_folder", _path, _default_plugins_folder),
    _opt("core.max_dag_run_conf_depth", _integer(1, 200), "64"),
    _opt("core.max_dag_run_conf_bytes", _COUNT, str(1024 * 1024)),
    _url("database.sql_alchemy_conn", metadata_database_url, _default_database, "core.sql_alchemy_conn"),
    _opt("database.sql_alchemy_pool_size", _integer(0), "5", "core.sql_alchemy_pool_size"),
    _opt("database.sql_alchemy_max_overflow", _integer(0), "0", "core.sql_alchemy_max_overflow"),
    _opt("database.sql_alchemy_pool_recycle", _integer(-1), "1800", "core.sql_alchemy_pool_recycle"),
    _opt("database.sql_alchemy_pool_pre_ping", parse_bool, "True", "core.sql_alchemy_pool_pre_ping"),
    _opt("scheduler.catchup_by_default", parse_bool, "False"),
    _opt("scheduler.min_file_process_interval", _seconds, "30"),
    _opt("scheduler.dag_dir_list_interval", _seconds, "300", "dag_processor.refresh_interval"),
    _opt("scheduler.parsing_processes", _integer(0), "0", "dag_processor.parsing_processes"),
    _opt("scheduler.scheduler_heartbeat_sec", _seconds, "5"),
    _opt("scheduler.task_heartbeat_sec", _seconds, "5", "scheduler.job_heartbeat_sec"),
    _opt("scheduler.scheduler_health_check_threshold", _seconds, "30"),
    _opt(
        "scheduler.task_instance_heartbeat_timeout",
        _seconds,
        "300",
        "scheduler.scheduler_zombie_task_threshold",
    ),
    _opt("scheduler.graceful_shutdown_timeout", _seconds, "20"),
    _opt("scheduler.max_dagruns_to_create_per_loop", _COUNT, "10"),
    _opt("scheduler.max_tis_per_query", _COUNT, "16"),
    _opt("scheduler.allowed_run_id_pattern", _regex, r"^[A-Za-z0-9_.~:+-]+$"),
    _opt("api.host", _text, "0.0.0.0", "webserver.web_server_host"),
    _opt("api.port", _integer(1, 65535), "8080", "webserver.web_server_port"),
    _opt("api.workers", _COUNT, "1", "webserver.workers", airflow_cfg_defaults=frozenset({"4"})),
    _opt(
        "api.secret_key",
        _optional_text,
        _default_secret_key,
        "webserver.secret_key",
        sensitive=True,
        placeholders=frozenset({"temporary_key"}),
    ),
    _opt("api.base_url", _optional_text, "", "webserver.base_url"),
    _opt("api.expose_config", _expose_config, "False", "webserver.expose_config"),
    _opt("api.access_token_expiration", _COUNT, "86400", "api_auth.jwt_expiration_time"),
    _opt("api.session_lifetime_minutes", _COUNT, "43200", "webserver.session_lifetime_minutes"),
    _opt("api.authenticate", _authenticate, "True", "webserver.authenticate"),
    _opt("api.auth_backend", _auth_backend, "password", "webserver.auth_backend"),
    _opt("api.max_request_body_bytes", _COUNT, str(4 * 1024 * 1024)),
    _opt("api.max_concurrent_password_checks", _COUNT, "2"),
    _opt("api.login_failures_per_address", _integer(0), "20"),
    _opt("logging.level", _log_level, "INFO", "logging.logging_level", "core.logging_level"),
    _opt("logging.format", _choice("auto", "console", "logfmt", "json"), "auto"),
    _opt("logging.max_log_bytes_per_try", _integer(0), str(10 * 1024 * 1024)),
    _opt("logging.min_length_masked_secret", _integer(0), "5"),
    _url("celery.broker_url", _text, "redis://localhost:6379/0"),
    _url("celery.result_backend", _text, _default_result_backend, "celery.celery_result_backend"),
    _opt(
        "celery.worker_concurrency",
        _COUNT,
        _default_parallelism,
        "celery.celeryd_concurrency",
        airflow_cfg_defaults=frozenset({"16"}),
    ),
    _opt("celery.default_queue", _text, "default", "operators.default_queue"),
    _opt("celery.visibility_timeout", _COUNT, "86400", "celery_broker_transport_options.visibility_timeout"),
    _opt("celery.ssl_active", parse_bool, "False"),
    _opt("celery.ssl_key", _optional_text, ""),
    _opt("celery.ssl_cert", _optional_text, ""),
    _opt("celery.ssl_cacert", _optional_text, ""),
    _opt("secrets.backends", _secrets_backends, "env,metastore"),
    _opt("database_retention.keep_days", _integer(0), "0"),
    _opt("smtp.smtp_host", _optional_text, ""),
    _opt("smtp.smtp_port", _integer(1, 65535), "25"),
    _opt("smtp.smtp_starttls", parse_bool, "True"),
    _opt("smtp.smtp_ssl", parse_bool, "False"),
    _opt("smtp.smtp_user", _optional_text, ""),
    _opt("smtp.smtp_password", _optional_text, "", sensitive=True),
    _opt("smtp.smtp_mail_from", _optional_text, ""),
    _opt("smtp.smtp_timeout", _seconds, "30"),
    _opt("smtp.smtp_retry_limit", _integer(0), "5"),
    _opt("email.from_email", _optional_text, ""),
    _opt("email.email_conn_id", _text, "smtp_default"),
    _opt("email.subject_template", _optional_path, ""),
    _opt("email.html_content_template", _optional_path, ""),
    _opt("metrics.statsd_on", parse_bool, "False", "scheduler.statsd_on"),
    _opt("metrics.statsd_host", _text, "localhost", "scheduler.statsd_host"),
    _opt("metrics.statsd_port", _integer(1, 65535), "8125", "scheduler.statsd_port"),
    _opt("metrics.statsd_prefix", _optional_text, "airflow", "scheduler.statsd_prefix"),
    _opt("metrics.prometheus_port", _integer(0, 65535), "0"),
    _opt("metrics.prometheus_host", _text, "127.0.0.1"),
    _opt("standard.venv_install_method", _choice("auto", "uv", "pip"), "auto"),
)
"""Every option Brisa reads, in listing order. Aliases are Airflow's older locations."""

_BY_ID: Mapping[tuple[str, str], _Option] = MappingProxyType({option.id: option for option in OPTIONS})
_BY_ALIAS: Mapping[tuple[str, str], tuple[_Option, int]] = MappingProxyType(
    {alias: (option, -rank) for option in OPTIONS for rank, alias in enumerate(option.aliases, start=1)}
)


def _target(section: str, name: str) -> tuple[_Option, int] | None:
    """The option a (section, key) sets, and 0 for its own name or -n for its n-th alias."""
    option = _BY_ID.get((section, name))
    return (option, 0) if option is not None else _BY_ALIAS.get((section, name))


# -- reading the layers --------------------------------------------------------------------

# airflow.cfg under brisa.cfg: both are read, and brisa.cfg (Brisa's own, where its keys are
# generated) wins where both set an option; load_settings warns when they disagree.
_AIRFLOW_FILE, _BRISA_FILE, _PLATFORM, _AIRFLOW_ENV, _BRISA_ENV = 1, 2, 3, 4, 5
_FILE_LAYERS = {"airflow.cfg": _AIRFLOW_FILE, "brisa.cfg": _BRISA_FILE}
_KIND_RANK = {"value": 2, "cmd": 1, "secret": 0}
_COMMAND_TIMEOUT = 60.0


@dataclass(frozen=True)
class _Raw:
    """One setting as written in a config file or an environment variable."""

    section: str
    name: str
    value: str
    layer: int
    origin: str  # "brisa.cfg", "airflow.cfg" or "env"
    var: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class _Candidate:
    rank: tuple[int, int, int]  # layer, own name before aliases, value before _cmd before _secret
    kind: str  # "value", "cmd" or "secret"
    text: str  # the value, the command, or the secret file's path
    source: str
    where: str
    origin: str
    expand: bool = True


def _label(raw: _Raw, kind: str, is_alias: bool) -> str:
    if raw.var is not None:
        return f"env {raw.var}" if kind == "value" else f"{kind} {raw.var}"
    place = raw.origin if kind == "value" and not is_alias else f"{raw.origin} [{raw.section}] {raw.name}"
    return place if kind == "value" else f"{kind} {place}"


def _where(raw: _Raw) -> str:
    return f"env {raw.var}" if raw.var is not None else f"{raw.path} [{raw.section}] {raw.name}"


def _classify(raw: _Raw) -> tuple[_Option, _Candidate] | None:
    for kind, suffix in (("cmd", "_cmd"), ("secret", "_secret")):
        if raw.name.endswith(suffix):
            target = _target(raw.section, raw.name[: -len(suffix)])
            if target is not None and target[0].sensitive:
                return target[0], _candidate(raw, kind, target[1])
    target = _target(raw.section, raw.name)
    return None if target is None else (target[0], _candidate(raw, "value", target[1]))


def _candidate(raw: _Raw, kind: str, alias_rank: int) -> _Candidate:
    return _Candidate(
        rank=(raw.layer, alias_rank, _KIND_RANK[kind]),
        kind=kind,
        text=raw.value,
        source=_label(raw, kind, alias_rank != 0),
        where=_where(raw),
        origin=raw.origin,
    )


def _env_raws(environ: Mapping[str, str], prefix: str, layer: int) -> list[_Raw]:
    raws = []
    for var in sorted(environ):
        if var.startswith(prefix):
            section, sep, name = var[len(prefix) :].partition("__")
            if sep and section and name:
                raws.append(_Raw(section.lower(), name.lower(), environ[var], layer, "env", var=var))
    return raws


def _read_config_file(path: Path, origin: str) -> list[_Raw]:
    parser = configparser.ConfigParser(interpolation=configparser.BasicInterpolation())
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except configparser.Error as exc:
        raise ConfigError(f"config file {path} is not a valid INI file: {exc.message}") from None
    return [
        _file_raw(parser, path, origin, section, name)
        for section in parser.sections()
        for name in parser[section]
    ]


def _file_raw(parser: configparser.ConfigParser, path: Path, origin: str, section: str, name: str) -> _Raw:
    try:
        value = parser.get(section, name)
    except configparser.InterpolationError:
        # The parser's own message quotes the value, which may be a password.
        raise ConfigError(
            f"{path} [{section}] {name}: '%' starts an interpolation such as %(name)s; "
            "write a literal % as %%"
        ) from None
    return _Raw(section.lower(), name.lower(), value, _FILE_LAYERS[origin], origin, path=path)


def _platform_candidates(environ: Mapping[str, str]) -> Iterator[tuple[tuple[str, str], _Candidate]]:
    def candidate(var: str, text: str) -> _Candidate:
        return _Candidate((_PLATFORM, 0, 2), "value", text, f"env {var}", f"env {var}", "env", expand=False)

    port = environ.get("PORT", "").strip()
    if port:
        yield ("api", "port"), candidate("PORT", port)
    workers = environ.get("WEB_CONCURRENCY", "").strip()
    if workers:
        yield ("api", "workers"), candidate("WEB_CONCURRENCY", workers)
    database = environ.get("DATABASE_URL", "").strip()
    if database:
        pgsslmode = bool(environ.get("PGSSLMODE", "").strip())
        yield (
            ("database", "sql_alchemy_conn"),
            candidate("DATABASE_URL", _platform_database_url(database, pgsslmode)),
        )
    redis = environ.get("REDIS_URL", "").strip()
    if redis:
        yield ("celery", "broker_url"), candidate("REDIS_URL", normalize_redis_url(redis))
        yield ("celery", "result_backend"), candidate("REDIS_URL", normalize_redis_url(redis))


def _platform_database_url(url: str, sslmode_from_env: bool) -> str:
    try:
        return normalize_database_url(url, require_ssl_when_remote=True, sslmode_from_env=sslmode_from_env)
    except ValueError as exc:
        raise ConfigError(f"env DATABASE_URL is invalid: {exc}") from None


# -- resolving values ------------------------------------------------------------------------

_VAR_REFERENCE = re.compile(r"\$(\w+)|\$\{([^}]*)\}")


def expand_vars(text: str, environ: Mapping[str, str]) -> str:
    """Airflow's ``expand_env_var`` over ``environ``: ``$VAR``, ``${VAR}`` and ``~``, until stable.

    Unknown variables are left as written (so ``$(command)`` stays literal).
    """
    for _ in range(10):
        expanded = _VAR_REFERENCE.sub(lambda m: environ.get(m.group(1) or m.group(2), m.group(0)), text)
        if (expanded == "~" or expanded.startswith("~/")) and environ.get("HOME"):
            expanded = environ["HOME"] + expanded[1:]
        if expanded == text:
            break
        text = expanded
    return text


def _run_command(command: str, where: str, environ: Mapping[str, str]) -> str:
    try:
        argv = shlex.split(command)
        if not argv:
            raise ValueError("empty command")
        done = subprocess.run(
            argv, capture_output=True, text=True, env=dict(environ), timeout=_COMMAND_TIMEOUT, check=False
        )
    except (ValueError, OSError) as exc:
        raise ConfigError(f"{where}: cannot run the command: {exc}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where}: the command did not finish within {_COMMAND_TIMEOUT:g} s") from None
    if done.returncode != 0:
        # Only stderr is quoted: stdout would be the secret.
        raise ConfigError(
            f"{where}: the command exited with status {done.returncode}: {done.stderr.strip()[-500:]}"
        )
    return done.stdout


def _read_secret_file(path_text: str, where: str) -> str:
    try:
        return Path(path_text.strip()).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{where}: cannot read the secret file {path_text.strip()}: {reason}") from None


def _candidate_text(candidate: _Candidate, environ: Mapping[str, str]) -> str:
    if candidate.kind == "cmd":
        return _run_command(candidate.text, candidate.where, environ)
    if candidate.kind == "secret":
        return _read_secret_file(candidate.text, candidate.where)
    return expand_vars(candidate.text, environ) if candidate.expand else candidate.text


def _is_ignored(option: _Option, candidate: _Candidate, text: str) -> bool:
    if text in option.placeholders:
        return True
    return candidate.origin == "airflow.cfg" and text in option.airflow_cfg_defaults


def _resolve(
    option: _Option, candidates: list[_Candidate], environ: Mapping[str, str], ctx: _Context
) -> tuple[ConfigItem, Any]:
    for candidate in sorted(candidates, key=lambda c: c.rank, reverse=True):
        text = _candidate_text(candidate, environ).strip()
        if not _is_ignored(option, candidate, text):
            return _parse(option, text, candidate.source, candidate.where)
    text, source = option.default_for(ctx)
    return _parse(option, text, source, source)


def _parse(option: _Option, text: str, source: str, where: str) -> tuple[ConfigItem, Any]:
    try:
        value = option.parse(text)
    except ValueError as exc:
        shown = mask_config_value(text, sensitive=True) if option.sensitive else repr(text)
        raise ConfigError(
            f"[{option.section}] {option.key} = {shown} from {where} is invalid: {exc}"
        ) from None
    listed = value if option.shows_parsed else text
    item = ConfigItem(option.section, option.key, listed, source, known=True, sensitive=option.sensitive)
    return item, value


# -- secrets in the environment and the settings ---------------------------------------------

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
    raw = _Raw(section, key, "", _AIRFLOW_ENV, "env")
    classified = _classify(raw)
    if classified is not None:
        return classified[0].sensitive
    return is_sensitive_name(key, extra_names) or any(word in key for word in _SECRET_WORDS)


def sensitive_values(settings: Settings) -> tuple[str, ...]:
    """Every secret the settings hold, to mask in logs: each sensitive value whole, each key
    of a comma-separated ``fernet_key``, and the password of each URL."""
    found: list[str] = []
    for item in settings.entries.values():
        if item.sensitive and item.value.strip():
            if not _is_plain_url(item.value):
                found.append(item.value.strip())
            found += [part.strip() for part in item.value.split(",") if "," in item.value]
            found += [password for password in (_url_password(item.value),) if password]
    return tuple(dict.fromkeys(part for part in found if part))


def _is_plain_url(value: str) -> bool:
    """A URL with no password and no query (``sqlite:////home/brisa.db``, ``redis://host``)
    holds no secret: logs may show it, so that they say which database a process uses."""
    if "://" not in value:
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return not parts.password and not parts.query


def _url_password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        password = urlsplit(value.strip()).password
    except ValueError:
        return None
    return unquote(password) if password else None


# -- assembling Settings ---------------------------------------------------------------------


def _resolve_home(environ: Mapping[str, str], home: str | None) -> Path:
    if home is not None:
        return Path(expand_vars(home, environ))
    for name in ("BRISA_HOME", "AIRFLOW_HOME"):
        value = environ.get(name, "").strip()
        if value:
            return Path(expand_vars(value, environ))
    user_home = environ.get("HOME", "").strip()
    if environ.get("DYNO", "").strip():
        # On Heroku the app's checkout is $HOME (/app): its dags/ folder is the one to use.
        return Path(user_home) if user_home else Path.cwd()
    return (Path(user_home) if user_home else Path.home()) / "brisa"


def _find_config_files(
    environ: Mapping[str, str], home: Path, cfg_path: str | None
) -> list[tuple[Path, str]]:
    """The config files to read, lowest precedence first: Airflow's, then Brisa's."""
    found = [airflow] if (airflow := _find_airflow_cfg(environ, home)) else []
    brisa = _find_brisa_cfg(environ, home, cfg_path)
    return [*found, brisa] if brisa else found


def _find_brisa_cfg(environ: Mapping[str, str], home: Path, cfg_path: str | None) -> tuple[Path, str] | None:
    explicit = cfg_path or environ.get("BRISA_CONFIG", "").strip()
    if explicit:
        path = Path(expand_vars(explicit, environ))
        if not path.is_file():
            named = "" if cfg_path else " (BRISA_CONFIG)"
            raise ConfigError(f"config file {path}{named} does not exist")
        return path, "brisa.cfg"
    if (home / "brisa.cfg").is_file():
        return home / "brisa.cfg", "brisa.cfg"
    return None


def _find_airflow_cfg(environ: Mapping[str, str], home: Path) -> tuple[Path, str] | None:
    airflow_config = environ.get("AIRFLOW_CONFIG", "").strip()
    if airflow_config:
        path = Path(expand_vars(airflow_config, environ))
        if not path.is_file():
            raise ConfigError(f"AIRFLOW_CONFIG points to {path}, which does not exist")
        return path, "airflow.cfg"
    for base in (environ.get("AIRFLOW_HOME", "").strip(), str(home)):
        path = Path(expand_vars(base, environ)) / "airflow.cfg" if base else None
        if path is not None and path.is_file():
            return path, "airflow.cfg"
    return None


def _file_disagreements(
    candidates: Mapping[tuple[str, str], list[_Candidate]], files: list[tuple[Path, str]]
) -> tuple[str, ...]:
    """A warning for each option both files set, differently (brisa.cfg's is used)."""
    if len(files) < 2:
        return ()
    by_origin = {origin: path for path, origin in files}
    warnings = []
    for (section, key), found in candidates.items():
        values = {c.origin: c.text.strip() for c in sorted(found, key=lambda c: c.rank) if c.kind == "value"}
        if {"airflow.cfg", "brisa.cfg"} <= set(values) and values["airflow.cfg"] != values["brisa.cfg"]:
            warnings.append(
                f"[{section}] {key} is set differently in {by_origin['brisa.cfg']} and "
                f"{by_origin['airflow.cfg']}: the value in {by_origin['brisa.cfg']} is used"
            )
    return tuple(warnings)


def _gather(
    raws: list[_Raw], environ: Mapping[str, str]
) -> tuple[dict[tuple[str, str], list[_Candidate]], dict[tuple[str, str], ConfigItem]]:
    """Candidates for known options, and unknown keys (raws come lowest layer first)."""
    candidates: dict[tuple[str, str], list[_Candidate]] = {option.id: [] for option in OPTIONS}
    unknown: dict[tuple[str, str], ConfigItem] = {}
    for raw in raws:
        classified = _classify(raw)
        if classified is not None:
            candidates[classified[0].id].append(classified[1])
        else:
            unknown[(raw.section, raw.name)] = _unknown_item(raw)
    for option_id, candidate in _platform_candidates(environ):
        candidates[option_id].append(candidate)
    return candidates, unknown


def _unknown_item(raw: _Raw) -> ConfigItem:
    source = _label(raw, "value", False)
    return ConfigItem(
        raw.section, raw.name, raw.value, source, known=False, sensitive=is_sensitive_name(raw.name)
    )


def _apply_sequential_executor(
    items: dict[tuple[str, str], ConfigItem], typed: dict[tuple[str, str], Any]
) -> None:
    if typed[("core", "executor")] != "SequentialExecutor":
        return
    typed[("core", "executor")] = "LocalExecutor"
    typed[("core", "parallelism")] = 1
    items[("core", "parallelism")] = ConfigItem(
        "core", "parallelism", "1", "forced to 1 by [core] executor = SequentialExecutor"
    )


def _refuse_custom_secrets_backend(unknown: Mapping[tuple[str, str], ConfigItem]) -> None:
    item = unknown.get(("secrets", "backend"))
    if item is not None and item.value.strip():
        raise ConfigError(
            f"[secrets] backend = {item.value.strip()} ({item.source}): Brisa does not load secrets "
            "backend classes; choose its built-in backends with [secrets] backends (env, metastore)"
        )


def _ordered_entries(
    items: dict[tuple[str, str], ConfigItem], unknown: dict[tuple[str, str], ConfigItem]
) -> dict[tuple[str, str], ConfigItem]:
    sections = list(_SECTION_CLASSES)
    order = {section: index for index, section in enumerate(sections)}
    extra = sorted(unknown.values(), key=lambda i: (order.get(i.section, len(sections)), i.section, i.key))
    merged = [*items.values(), *extra]
    merged.sort(key=lambda i: order.get(i.section, len(sections)))  # stable: table order kept
    return {(item.section, item.key): item for item in merged}


def _build_section(cls: type, section: str, typed: Mapping[tuple[str, str], Any]) -> Any:
    return cls(**{f.name: typed[(section, f.name)] for f in fields(cls)})


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    home: str | None = None,
    cfg_path: str | None = None,
    resources: Resources | None = None,
) -> Settings:
    """Read the configuration (see the module docstring for the layers).

    ``environ`` defaults to ``os.environ``; ``resources`` (the container's limits, used
    for the default parallelism) defaults to what the cgroup files say.
    """
    environ = os.environ if environ is None else environ
    brisa_home = _resolve_home(environ, home)
    files = _find_config_files(environ, brisa_home, cfg_path)
    file_raws = [raw for path, origin in files for raw in _read_config_file(path, origin)]
    env_raws = [*_env_raws(environ, "AIRFLOW__", _AIRFLOW_ENV), *_env_raws(environ, "BRISA__", _BRISA_ENV)]
    candidates, unknown = _gather([*file_raws, *env_raws], environ)
    _refuse_custom_secrets_backend(unknown)
    ctx = _Context(home=brisa_home, resources=resources or detect_resources(), items={})
    typed: dict[tuple[str, str], Any] = {}
    for option in OPTIONS:
        ctx.items[option.id], typed[option.id] = _resolve(option, candidates[option.id], environ, ctx)
    _apply_sequential_executor(ctx.items, typed)
    sections = {name: _build_section(cls, name, typed) for name, cls in _SECTION_CLASSES.items()}
    return Settings(
        home=brisa_home,
        config_file=files[-1][0] if files else None,
        config_files=tuple(path for path, _ in files),
        brisa_cfg=next((path for path, origin in files if origin == "brisa.cfg"), None),
        warnings=_file_disagreements(candidates, files),
        entries=MappingProxyType(_ordered_entries(ctx.items, unknown)),
        platform=detect_platform(environ),
        **sections,
    )


def default_entries(home: Path, resources: Resources | None = None) -> list[tuple[_Option, ConfigItem]]:
    """Every option at its default for this home (``brisa config list --defaults``)."""
    ctx = _Context(home=home, resources=resources or detect_resources(), items={})
    entries = []
    for option in OPTIONS:
        value, source = option.default_for(ctx)
        item = ConfigItem(option.section, option.key, value, source, sensitive=option.sensitive)
        ctx.items[option.id] = item
        entries.append((option, item))
    return entries


_PLATFORM_MARKERS = (
    ("DYNO", "heroku"),
    ("RENDER", "render"),
    ("RAILWAY_ENVIRONMENT", "railway"),
    ("FLY_APP_NAME", "fly"),
    ("DOKKU_APP_TYPE", "dokku"),
    ("K_SERVICE", "cloud-run"),
)


def detect_platform(environ: Mapping[str, str]) -> str | None:
    """Which PaaS sets these variables (Heroku's DYNO, Render's RENDER...), if any."""
    for variable, name in _PLATFORM_MARKERS:
        if environ.get(variable, "").strip():
            return name
    return None


__all__ = [
    "OPTIONS",
    "ApiSettings",
    "CelerySettings",
    "ConfigItem",
    "CoreSettings",
    "DatabaseSettings",
    "EmailSettings",
    "LoggingSettings",
    "MetricsSettings",
    "Resources",
    "RetentionSettings",
    "SchedulerSettings",
    "SecretsSettings",
    "Settings",
    "SmtpSettings",
    "StandardSettings",
    "default_entries",
    "detect_platform",
    "detect_resources",
    "expand_vars",
    "load_settings",
    "mask_config_value",
    "mask_url_passwords",
    "metadata_database_url",
    "normalize_database_url",
    "normalize_redis_url",
    "parse_bool",
    "sensitive_environment",
    "sensitive_values",
]
