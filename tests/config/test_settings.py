"""``load_settings()`` and ``Settings``: defaults, the seed post on Heroku, the typed sections."""

import dataclasses
from pathlib import Path

import pytest

from brisa.config import (
    OPTIONS,
)
from brisa.errors import ConfigError, NotFoundError
from tests.config.support import FERNET_KEY, SEED_ENV, load


def test_defaults_are_airflows_under_brisa_home(home):
    settings = load(home=home)
    assert settings.home == home
    assert settings.config_file is None
    assert settings.core.dags_folder == home / "dags"
    assert settings.database.sql_alchemy_conn == f"sqlite:///{home}/brisa.db"
    assert settings.core.executor == "LocalExecutor"
    assert settings.core.load_examples is True
    assert settings.core.dags_are_paused_at_creation is True
    assert settings.core.max_active_tasks_per_dag == 16
    assert settings.core.max_active_runs_per_dag == 16
    assert settings.core.default_timezone == "utc"
    assert settings.core.dagbag_import_timeout == 30.0
    assert settings.core.default_airflow_generation == "2"
    assert settings.scheduler.catchup_by_default is False
    assert settings.scheduler.min_file_process_interval == 30
    assert settings.scheduler.dag_dir_list_interval == 300
    assert settings.scheduler.parsing_processes == 0  # one parse per core
    assert settings.scheduler.scheduler_health_check_threshold == 30
    assert settings.scheduler.graceful_shutdown_timeout == 20
    assert settings.database.sql_alchemy_pool_size == 5
    assert (settings.api.host, settings.api.port, settings.api.authenticate) == ("0.0.0.0", 8080, True)
    assert settings.logging.level == "INFO" and settings.logging.format == "auto"
    assert settings.secrets.backends == ("env", "metastore")
    assert settings.database_retention.keep_days == 0
    assert settings.core.fernet_key is None and settings.api.secret_key is None
    assert settings.source("core", "executor") == "default"


def test_every_option_is_a_typed_field_of_its_section(home):
    settings = load(home=home)
    for option in OPTIONS:
        section = getattr(settings, option.section)
        assert hasattr(section, option.key), option.id
    for name in (
        "core",
        "database",
        "scheduler",
        "api",
        "logging",
        "celery",
        "secrets",
        "database_retention",
    ):
        section = getattr(settings, name)
        assert {f.name for f in dataclasses.fields(section)} == {o.key for o in OPTIONS if o.section == name}


def test_settings_are_frozen_and_not_cached(home):
    settings = load(home=home)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.core = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.core.parallelism = 3
    assert load({"AIRFLOW__CORE__PARALLELISM": "3"}, home=home).core.parallelism == 3
    assert load(home=home).core.parallelism == 8


def test_repr_does_not_show_secrets(home):
    settings = load(SEED_ENV, home=home)
    assert FERNET_KEY not in repr(settings)
    assert "dbpass" not in repr(settings)
    assert settings.api.secret_key not in repr(settings)


def test_seed_heroku_environment(home):
    settings = load(SEED_ENV)
    assert settings.home == Path("/app")
    assert settings.core.dags_folder == Path("/app/dags")
    assert settings.core.fernet_key == FERNET_KEY
    assert settings.core.load_examples is False
    assert settings.core.executor == "LocalExecutor"
    assert settings.database.sql_alchemy_conn == (
        "postgresql+psycopg://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc?sslmode=require"
    )
    assert settings.source("database", "sql_alchemy_conn") == "env AIRFLOW__CORE__SQL_ALCHEMY_CONN"
    assert settings.api.port == 31337 and settings.source("api", "port") == "env PORT"
    assert settings.api.authenticate is True
    assert settings.api.auth_backend == "airflow.contrib.auth.backends.password_auth"
    assert settings.source("api", "authenticate") == "env AIRFLOW__WEBSERVER__AUTHENTICATE"


def test_slugify_variable_is_ignored_silently(home):
    settings = load({"SLUGIFY_USES_TEXT_UNIDECODE": "yes"}, home=home)
    assert all("slugify" not in item.key for item in settings.items())


def test_smtp_and_email_sections_take_airflows_defaults_and_hide_the_password(home):
    settings = load(
        {"AIRFLOW__SMTP__SMTP_PASSWORD": "hunter22", "AIRFLOW__SMTP__SMTP_HOST": "mail.x"}, home=home
    )
    smtp = settings.smtp
    assert (smtp.smtp_host, smtp.smtp_port, smtp.smtp_starttls, smtp.smtp_ssl) == ("mail.x", 25, True, False)
    assert (smtp.smtp_timeout, smtp.smtp_retry_limit, smtp.smtp_user) == (30.0, 5, None)
    assert smtp.smtp_password == "hunter22" and "hunter22" not in repr(settings)
    assert settings.item("smtp", "smtp_password").display_value == "***"
    assert settings.email.email_conn_id == "smtp_default" and settings.email.from_email is None
    assert load({}, home=home).smtp.smtp_host is None


def test_asking_for_an_option_that_is_not_set(home):
    with pytest.raises(NotFoundError, match=r"\[nope\] nothing"):
        load(home=home).source("nope", "nothing")


def test_sequential_executor_runs_local_with_parallelism_one(home):
    settings = load(
        {"AIRFLOW__CORE__EXECUTOR": "SequentialExecutor", "AIRFLOW__CORE__PARALLELISM": "32"}, home=home
    )
    assert (settings.core.executor, settings.core.parallelism) == ("LocalExecutor", 1)
    assert settings.source("core", "parallelism") == "forced to 1 by [core] executor = SequentialExecutor"


def test_custom_secrets_backend_classes_are_refused(home):
    with pytest.raises(ConfigError, match=r"\[secrets\] backend"):
        load(
            {"AIRFLOW__SECRETS__BACKEND": "airflow.providers.hashicorp.secrets.vault.VaultBackend"}, home=home
        )
    assert load({"AIRFLOW__SECRETS__BACKEND": ""}, home=home).secrets.backends == ("env", "metastore")


def test_listing_masks_keys_and_url_passwords(home):
    settings = load(SEED_ENV, home=home)
    shown = {(i.section, i.key): i.display_value for i in settings.items()}
    assert shown[("core", "fernet_key")] == "***"
    assert shown[("api", "secret_key")] == "***"
    assert "dbpass" not in shown[("database", "sql_alchemy_conn")]
    assert shown[("database", "sql_alchemy_conn")].startswith("postgresql+psycopg://dbuser:***@ec2-")


def test_public_names_are_exported():
    import brisa.config

    assert all(hasattr(brisa.config, name) for name in brisa.config.__all__)


def test_parsing_processes_reads_airflow_3s_dag_processor_name(home):
    settings = load({"AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "3"}, home=home)
    assert settings.scheduler.parsing_processes == 3
    with pytest.raises(ConfigError):
        load({"BRISA__SCHEDULER__PARSING_PROCESSES": "-1"}, home=home)
