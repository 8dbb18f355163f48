"""Brisa's settings: the only package that reads environment variables and config files.

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

**URLs.** ``postgres://`` (Heroku's form) and ``postgresql://``,
``postgresql+psycopg2://`` and ``postgresql+pg8000://`` (old airflow.cfg files) become
``postgresql+psycopg://`` (psycopg 3), in any case. ``DATABASE_URL`` and any
``postgres://`` URL get ``sslmode=require`` when the host is not local and no
``sslmode`` is given (Heroku Postgres refuses plain connections); an explicit
``sslmode`` is kept. ``REDIS_URL`` with ``rediss://`` and no ``ssl_cert_reqs`` gets
``ssl_cert_reqs=none``: Heroku Redis serves TLS with a self-signed certificate, so
verifying it fails. This is encryption without server authentication; set
``ssl_cert_reqs=required`` in the URL where the certificate is valid.

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

The package, lowest layer first (each module imports only those above it):

* ``resources``: the container's memory limit and CPU quota (cgroup v2/v1).
* ``urls``: the one database/broker URL normaliser (also used by ``brisa.store``), masking.
* ``parsers``: option text -> typed value, or ValueError saying what to write.
* ``options``: the option table (``OPTIONS``), ``ConfigItem``, derived defaults.
* ``sections``: the typed section classes (``CoreSettings``...).
* ``sources``: env vars, the two files, platform variables, ``_CMD``/``_SECRET``; the
  only reader of ``os.environ``.
* ``resolve``: which candidate wins for each option, and its parsing.
* ``sensitive``: which variables and values are secrets.
* ``settings``: ``Settings``, ``load_settings()``, ``default_entries()``.
"""

from brisa.config.options import OPTIONS, ConfigItem
from brisa.config.parsers import parse_bool
from brisa.config.resources import (
    MAX_DEFAULT_PARALLELISM,
    MB_PER_TASK,
    MIN_DEFAULT_PARALLELISM,
    TASKS_PER_CPU,
    Resources,
    detect_resources,
)
from brisa.config.sections import (
    ApiSettings,
    CelerySettings,
    CoreSettings,
    DatabaseSettings,
    EmailSettings,
    LoggingSettings,
    MetricsSettings,
    RetentionSettings,
    SchedulerSettings,
    SecretsSettings,
    SmtpSettings,
    StandardSettings,
    TriggererSettings,
)
from brisa.config.sensitive import PLATFORM_SECRETS, sensitive_environment, sensitive_values
from brisa.config.settings import Settings, default_entries, load_settings
from brisa.config.sources import detect_platform, expand_vars
from brisa.config.urls import (
    mask_config_value,
    mask_url_passwords,
    metadata_database_url,
    normalize_database_url,
    normalize_redis_url,
)

__all__ = [
    "MAX_DEFAULT_PARALLELISM",
    "MB_PER_TASK",
    "MIN_DEFAULT_PARALLELISM",
    "OPTIONS",
    "PLATFORM_SECRETS",
    "TASKS_PER_CPU",
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
    "TriggererSettings",
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
