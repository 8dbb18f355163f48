"""Building Brisa's parts from Settings: the one place the CLI assembles objects."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brisa.config import Settings
    from brisa.executors.base import BaseExecutor
    from brisa.executors.celery import CeleryExecutor
    from brisa.executors.local import LocalExecutor
    from brisa.process.entrypoints import EntryPoints
    from brisa.process.pool import ProcessPool
    from brisa.scheduler.loop import Scheduler
    from brisa.scheduler.processor import DagProcessor
    from brisa.secrets.masking import SecretsMasker
    from brisa.secrets.service import SecretsService
    from brisa.store.sql import Store
    from brisa.triggerer.loop import Triggerer

EXAMPLES_FOLDER = Path(__file__).resolve().parent.parent / "example_dags"


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_settings() -> Settings:
    """The settings of this command; the plugins folder is set from them for the process."""
    from brisa.config import load_settings as load
    from brisa.plugins import configure_plugins

    settings = load(os.environ)
    _warn_once(settings.warnings)
    configure_plugins(settings.core.plugins_folder)
    return settings


_WARNED: set[str] = set()
"""Configuration warnings already shown by this process (commands load settings twice)."""


def _warn_once(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        if warning not in _WARNED:
            _WARNED.add(warning)
            print(f"Warning: {warning}", file=sys.stderr, flush=True)


def prepare_settings() -> Settings:
    """Settings for a long-running command; a local SQLite install gets keys made once."""
    settings = load_settings()
    if ensure_local_keys(settings):
        settings = load_settings()
    return settings


def log_start(settings: Settings, command: str, *, port: int | None = None) -> str:
    """One line saying what a long-running command runs on (the database's password
    hidden); logged at start, so that a wrong database or folder shows at once."""
    from brisa.config import mask_url_passwords

    core = settings.core
    line = (
        f"brisa {command} starting: database={mask_url_passwords(settings.database.sql_alchemy_conn)} "
        f"executor={core.executor} dags_folder={core.dags_folder} parallelism={core.parallelism}"
        + (f" port={port}" if port else "")
        + f" config={','.join(str(p) for p in settings.config_files) or '(none)'}"
    )
    logging.getLogger("brisa.cli").info(line)
    return line


def ensure_local_keys(settings: Settings) -> bool:
    """With no fernet key nor secret key, write fresh ones to brisa.cfg - off a PaaS only.

    On this machine the keys then live beside the configuration (as Airflow writes its
    ``fernet_key`` into airflow.cfg). On a platform-as-a-service (Heroku, Render...) the
    disk is gone at the next restart, and with it the only key that decrypts the secrets
    stored meanwhile; there a missing key stays an error at start.

    Keys are made exactly once: under an exclusive lock the file is read again, and keys
    another process stored meanwhile are kept (True: read the settings again, so that
    every process encrypts with the stored key). The file is replaced at once, mode 0600.
    """
    from brisa.secrets.private import exclusive_lock, private_dir

    if settings.platform is not None or settings.core.fernet_key or settings.api.secret_key:
        return False
    path = Path(settings.home) / "brisa.cfg"
    if settings.brisa_cfg is not None and settings.brisa_cfg != path:
        return False  # $BRISA_CONFIG is Brisa's layer: home/brisa.cfg would not be read
    # Beside an airflow.cfg is fine: both files are read, and only the keys are written
    # (none is set anywhere, or this would not run), so nothing the user set is hidden.
    private_dir(path.parent)
    with exclusive_lock(path.parent / LOCAL_KEYS_LOCK):
        if _write_keys(path):
            print(
                f"Generated a fernet key and a secret key in {path}: "
                "keep this file, it decrypts the stored secrets.",
                flush=True,
            )
    return True


LOCAL_KEYS_LOCK = ".brisa.cfg.lock"


def _write_keys(path: Path) -> bool:
    """Add fresh keys to ``path`` unless it has some already; True when written (hold the lock)."""
    import configparser
    import io

    from brisa.secrets.fernet import generate_key
    from brisa.secrets.private import write_private

    if _file_has_keys(path):
        return False  # another process was first
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    for section in ("core", "api"):
        if not parser.has_section(section):
            parser.add_section(section)
    parser.set("core", "fernet_key", generate_key())
    parser.set("api", "secret_key", generate_key())
    text = io.StringIO()
    parser.write(text)
    write_private(path, text.getvalue())
    return True


_KEY_OPTIONS = (("core", "fernet_key"), ("api", "secret_key"), ("webserver", "secret_key"))


def _file_has_keys(path: Path) -> bool:
    """Whether ``path`` sets a fernet key or a secret key (itself, ``_cmd`` or ``_secret``)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    for section, key in _KEY_OPTIONS:
        for name in (key, f"{key}_cmd", f"{key}_secret"):
            if parser.get(section, name, fallback="").strip() not in ("", "temporary_key"):
                return True
    return False


SCHEMA_WAIT_SECONDS = 60.0
"""How long a long-running command waits for ``brisa db migrate`` to bring PostgreSQL's
schema up to date: under honcho or docker compose the release command runs beside it."""


def ensure_schema(settings: Settings, *, wait_seconds: float = 0.0) -> None:
    """Create/upgrade the schema on SQLite; on PostgreSQL require ``brisa db migrate``,
    waiting up to ``wait_seconds`` for one that is running (an older schema only: a newer
    one, or a database that does not answer, is an error at once)."""
    from brisa.store import migrate

    store = open_store(settings)
    try:
        if store.is_sqlite:
            migrate.ensure_current(store)
        else:
            _wait_for_schema(store, wait_seconds)
    finally:
        store.dispose()


def _wait_for_schema(store: Store, wait_seconds: float) -> None:
    import time

    from brisa.store import migrate

    deadline = time.monotonic() + wait_seconds
    said = False
    while True:
        revision = migrate.current_revision(store)  # a database that does not answer: at once
        if revision == migrate.HEAD or not migrate.is_older(revision) or time.monotonic() >= deadline:
            migrate.check(store)  # current, or the usual "run `brisa db migrate`" error
            return
        if not said:
            logging.getLogger("brisa.cli").warning(
                "the database schema is not current yet: waiting up to %.0fs for `brisa db migrate` "
                "(the Procfile's release command)",
                wait_seconds,
            )
            said = True
        time.sleep(0.5)


def open_store(settings: Settings) -> Store:
    """The configured store; triggers' keyword arguments are sealed with the Fernet key."""
    from brisa.errors import SecretsError
    from brisa.secrets.fernet import FernetCodec
    from brisa.store.connect import open_store as open_configured  # not at import: CLI start-up

    store = open_configured(settings)
    try:
        store.cipher = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
    except SecretsError:
        # No key: commands that need secrets fail on their own (SecretsService); a trigger
        # written now stays plaintext, as before, and reads back with or without a key.
        store.cipher = None
    return store


def make_secrets(settings: Settings, store: Store) -> SecretsService:
    from brisa.secrets.service import SecretsService

    return SecretsService.from_settings(settings, store, dict(os.environ))


def make_masker(settings: Settings) -> SecretsMasker:
    """A masker with the configured rules and no secret registered yet."""
    from brisa.secrets.masking import SecretsMasker

    return SecretsMasker(
        extra_sensitive_names=settings.core.sensitive_var_conn_names,
        min_length=settings.logging.min_length_masked_secret,
        hide_sensitive_names=settings.core.hide_sensitive_var_conn_fields,
    )


def masker_factory(settings: Settings, environ: Mapping[str, str] | None = None) -> Callable[[], Any]:
    """Maskers for task logs, callbacks' output and this process's log: each knows from the
    start every secret of the settings (keys, URLs, passwords) and of the environment
    (``AIRFLOW_CONN_*``, sensitive ``AIRFLOW_VAR_*``), which task processes may print."""
    from brisa.config import sensitive_values
    from brisa.secrets.backends import EnvironmentBackend

    known = make_masker(settings)
    known.add_all(sensitive_values(settings))
    EnvironmentBackend(dict(os.environ if environ is None else environ)).register_secrets(known)
    return known.copy


def process_masker(settings: Settings) -> Callable[[str], str]:
    """What this process's own log lines go through (see :func:`masker_factory`)."""
    return masker_factory(settings)().mask


def task_pool(settings: Settings, environ: Mapping[str, str] | None = None) -> ProcessPool:
    """The zygote-backed pool of task, parse and callback processes (they run DAG code).

    Brisa's own secrets in the environment (keys, database and broker URLs, the SMTP
    password, their ``_CMD``/``_SECRET`` forms) are removed from theirs, unless ``[core]
    pass_sensitive_env_to_tasks``; ``AIRFLOW_CONN_*`` and ``AIRFLOW_VAR_*`` stay.
    """
    from brisa.config import sensitive_environment
    from brisa.process.pool import ProcessPool
    from brisa.runner.entrypoints import PRELOAD

    hidden: frozenset[str] = frozenset()
    if not settings.core.pass_sensitive_env_to_tasks:
        hidden = sensitive_environment(os.environ if environ is None else environ)
    return ProcessPool(child_entry_points(), preload=PRELOAD, hidden_env=hidden)


def child_entry_points() -> EntryPoints:
    """What the zygote's children run: the runner's tries and callbacks, the scheduler's parses."""
    from brisa.loader import parse_child
    from brisa.process.entrypoints import EntryPoints
    from brisa.runner import entrypoints as runner_entrypoints

    return parse_child.register(runner_entrypoints.register(EntryPoints()))


def dag_folders(settings: Settings) -> tuple[Path, ...]:
    folders = [Path(settings.core.dags_folder)]
    if settings.core.load_examples:
        folders.append(EXAMPLES_FOLDER)
    return tuple(folders)


def make_local_executor(settings: Settings, store: Store, secrets: SecretsService) -> LocalExecutor:
    from brisa.executors.local import LocalExecutor
    from brisa.services.run_actions import service_actions

    return LocalExecutor(
        store,
        parallelism=settings.core.parallelism,
        secrets=secrets,
        masker_factory=masker_factory(settings),
        actions=service_actions(),
        clock=utcnow,
        heartbeat_seconds=settings.scheduler.task_heartbeat_sec,
        max_log_bytes=settings.logging.max_log_bytes_per_try,
        pool=task_pool(settings),
        smtp_password=settings.smtp.smtp_password,
        tries_folder=tries_folder(settings),
    )


def tries_folder(settings: Settings) -> Path:
    """Where task processes keep their durable records (see ``brisa.runner.tryrecord``)."""
    return settings.home / "run" / "tries"


def make_celery_executor(settings: Settings, store: Store) -> CeleryExecutor:
    from brisa.executors.celery import CeleryExecutor, make_celery_app

    return CeleryExecutor(
        make_celery_app(settings),
        store,
        parallelism=settings.core.parallelism,
        default_queue=settings.celery.default_queue,
        clock=utcnow,
    )


def make_executor(settings: Settings, store: Store, secrets: SecretsService) -> BaseExecutor:
    """The executor ``[core] executor`` names (SequentialExecutor is a LocalExecutor by then)."""
    if settings.core.executor == "CeleryExecutor":
        return make_celery_executor(settings, store)
    return make_local_executor(settings, store, secrets)


def process_pool_for(executor: BaseExecutor, settings: Settings) -> ProcessPool:
    """The zygote-backed pool for parsing and callbacks: the LocalExecutor's own, or a new one."""
    from brisa.executors.local import LocalExecutor

    if isinstance(executor, LocalExecutor):
        return executor.pool
    return task_pool(settings)


def make_processor(
    settings: Settings,
    store: Store,
    pool: ProcessPool,
    *,
    secrets: Any = None,
    metrics: Any = None,
    wake: Callable[[], None] | None = None,
) -> DagProcessor:
    """The DAG processor: parses the DAG folders in ``pool``'s children, writes the store."""
    from brisa.scheduler.pacing import parse_parallelism
    from brisa.scheduler.processor import DagProcessor, ProcessorConfig

    s = settings.scheduler
    return DagProcessor(
        store,
        pool,
        ProcessorConfig(
            folders=dag_folders(settings),
            parse_timeout=settings.core.dagbag_import_timeout,
            min_file_process_interval=s.min_file_process_interval,
            list_interval=min(s.dag_dir_list_interval, 10.0),
            generation_default=settings.core.default_airflow_generation,
            catchup_default=s.catchup_by_default,
            paused_at_creation=settings.core.dags_are_paused_at_creation,
            max_parallel=parse_parallelism(s.parsing_processes, os.cpu_count()),
        ),
        clock=utcnow,
        secrets=secrets,
        metrics=metrics,
        wake=wake,
    )


def make_scheduler(
    settings: Settings,
    store: Store,
    executor: Any,
    pool: ProcessPool,
    *,
    job_type: str = "scheduler",
    secrets: Any = None,
    metrics: Any = None,
) -> Scheduler:
    from brisa.runner.callbacks import DagCallbacks
    from brisa.scheduler.loop import Scheduler, SchedulerConfig
    from brisa.store.retention import retention_hook

    s = settings.scheduler
    # A parse that ends wakes the scheduler (through its executor) to write the result.
    processor = make_processor(settings, store, pool, secrets=secrets, metrics=metrics, wake=executor.wake)
    config = SchedulerConfig(
        max_active_tasks_per_dag=settings.core.max_active_tasks_per_dag,
        max_active_runs_per_dag=settings.core.max_active_runs_per_dag,
        max_dagruns_per_loop=s.max_dagruns_to_create_per_loop,
        max_tis_per_query=s.max_tis_per_query,
        heartbeat_seconds=s.scheduler_heartbeat_sec,
        orphan_threshold_seconds=s.task_instance_heartbeat_timeout,
        job_type=job_type,
    )
    return Scheduler(
        store,
        executor,
        config=config,
        clock=utcnow,
        metrics=metrics,
        processor=processor,
        # DAG callbacks read secrets from the service the DAG processor reads them from.
        callbacks=DagCallbacks(
            pool, store, clock=utcnow, secrets=secrets, masker_factory=masker_factory(settings)
        ),
        housekeeping=retention_hook(settings, store),
    )


def make_triggerer(
    settings: Settings,
    store: Store,
    *,
    on_change: Callable[[], None] | None = None,
    secrets: SecretsService | None = None,
) -> Triggerer:
    """The triggerer of ``brisa triggerer``, or the one a scheduler runs in a thread."""
    from brisa.triggerer.loop import Triggerer, TriggererConfig

    t = settings.triggerer
    config = TriggererConfig(
        capacity=t.capacity,
        heartbeat_seconds=t.job_heartbeat_sec,
        health_check_threshold=t.triggerer_health_check_threshold,
    )
    paths = [str(folder) for folder in (*dag_folders(settings), settings.core.plugins_folder)]
    secrets = secrets if secrets is not None else make_secrets(settings, store)
    return Triggerer(
        store, config=config, clock=utcnow, on_change=on_change, import_paths=paths, secrets=secrets
    )


__all__ = [
    "EXAMPLES_FOLDER",
    "dag_folders",
    "load_settings",
    "log_start",
    "make_celery_executor",
    "make_executor",
    "make_local_executor",
    "make_masker",
    "make_processor",
    "make_scheduler",
    "make_secrets",
    "make_triggerer",
    "masker_factory",
    "open_store",
    "process_masker",
    "process_pool_for",
    "task_pool",
    "tries_folder",
    "utcnow",
]
