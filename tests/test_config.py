import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest

from brisa.config import (
    OPTIONS,
    Resources,
    Settings,
    detect_resources,
    load_settings,
    mask_config_value,
    mask_url_passwords,
    normalize_database_url,
)
from brisa.errors import ConfigError, NotFoundError

SMALL_DYNO = Resources(memory_mb=512, cpus=None)
FERNET_KEY = "x3k9Yb1Xo3uVTrZsV6n0hyRUYl2mQ3w2Q3lRZ9KXb2s="

# The seed post's Heroku settings (AIRFLOW__CORE__SQL_ALCHEMY_CONN is `heroku config:get DATABASE_URL`).
HEROKU_DATABASE_URL = "postgres://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc"
SEED_ENV = {
    "SLUGIFY_USES_TEXT_UNIDECODE": "yes",
    "AIRFLOW_HOME": "/app",
    "AIRFLOW__CORE__DAGS_FOLDER": "/app/dags",
    "AIRFLOW__CORE__FERNET_KEY": FERNET_KEY,
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__SQL_ALCHEMY_CONN": HEROKU_DATABASE_URL,
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__WEBSERVER__AUTHENTICATE": "True",
    "AIRFLOW__WEBSERVER__AUTH_BACKEND": "airflow.contrib.auth.backends.password_auth",
    "DATABASE_URL": HEROKU_DATABASE_URL,
    "PORT": "31337",
}


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def load(environ=None, *, home=None, resources=SMALL_DYNO, **kwargs) -> Settings:
    return load_settings(
        environ or {}, home=None if home is None else str(home), resources=resources, **kwargs
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# -- defaults --------------------------------------------------------------------------------


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


def test_brisa_home_defaults_to_airflow_home_then_home_brisa(tmp_path):
    assert load({"AIRFLOW_HOME": str(tmp_path / "af")}).home == tmp_path / "af"
    assert load({"AIRFLOW_HOME": "/af", "BRISA_HOME": str(tmp_path / "b")}).home == tmp_path / "b"
    assert load({"HOME": str(tmp_path)}).home == tmp_path / "brisa"


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


# -- the seed post on Heroku -------------------------------------------------------------------


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


# -- layers ------------------------------------------------------------------------------------


def test_brisa_variables_win_over_airflow_variables(home):
    settings = load({"AIRFLOW__CORE__PARALLELISM": "4", "BRISA__CORE__PARALLELISM": "6"}, home=home)
    assert settings.core.parallelism == 6
    assert settings.source("core", "parallelism") == "env BRISA__CORE__PARALLELISM"


def test_environment_wins_over_file_which_wins_over_defaults(home):
    write(home / "brisa.cfg", "[core]\nparallelism = 5\nmax_active_runs_per_dag = 3\n")
    settings = load({"AIRFLOW__CORE__PARALLELISM": "7"}, home=home)
    assert settings.config_file == home / "brisa.cfg"
    assert settings.core.parallelism == 7
    assert settings.core.max_active_runs_per_dag == 3
    assert settings.source("core", "max_active_runs_per_dag") == "brisa.cfg"


def test_airflow_cfg_and_brisa_cfg_are_both_read_brisa_cfg_on_top(tmp_path):
    # The seed's journey: `initdb` writes brisa.cfg (keys), then the user edits airflow.cfg.
    # brisa.cfg used to shadow airflow.cfg whole; now both are read.
    airflow_home = tmp_path / "airflow"
    write(airflow_home / "airflow.cfg", "[core]\nmax_active_runs_per_dag = 2\nload_examples = False\n")
    environ = {"AIRFLOW_HOME": str(airflow_home), "BRISA_HOME": str(tmp_path / "brisa")}
    settings = load(environ)
    assert settings.config_file == airflow_home / "airflow.cfg"
    assert settings.core.max_active_runs_per_dag == 2
    assert settings.source("core", "max_active_runs_per_dag") == "airflow.cfg"
    assert settings.warnings == ()
    brisa_cfg = write(tmp_path / "brisa" / "brisa.cfg", "[core]\nmax_active_tasks_per_dag = 4\n")
    settings = load(environ)
    assert settings.config_files == (airflow_home / "airflow.cfg", brisa_cfg)
    assert settings.core.max_active_runs_per_dag == 2  # airflow.cfg still read
    assert settings.core.load_examples is False
    assert settings.core.max_active_tasks_per_dag == 4
    assert settings.warnings == ()


def test_where_both_files_disagree_brisa_cfg_wins_and_a_warning_names_both(tmp_path):
    airflow_home = tmp_path / "airflow"
    write(
        airflow_home / "airflow.cfg",
        "[core]\nsql_alchemy_conn = postgresql+psycopg2://u:pw@db/airflow\nparallelism = 8\n",
    )
    brisa_cfg = write(
        tmp_path / "brisa" / "brisa.cfg",
        "[database]\nsql_alchemy_conn = sqlite:////tmp/x.db\n[core]\nparallelism = 8\n",
    )
    settings = load({"AIRFLOW_HOME": str(airflow_home), "BRISA_HOME": str(tmp_path / "brisa")})
    assert settings.database.sql_alchemy_conn == "sqlite:////tmp/x.db"
    (warning,) = settings.warnings  # parallelism agrees: no warning for it
    assert warning.startswith("[database] sql_alchemy_conn is set differently in ")
    assert str(brisa_cfg) in warning and str(airflow_home / "airflow.cfg") in warning
    assert "pw" not in warning


def test_explicit_config_paths(tmp_path, home):
    cfg = write(tmp_path / "elsewhere.cfg", "[core]\nmax_active_runs_per_dag = 9\n")
    assert load(home=home, cfg_path=str(cfg)).core.max_active_runs_per_dag == 9
    assert load({"BRISA_CONFIG": str(cfg)}, home=home).core.max_active_runs_per_dag == 9
    airflow_cfg = write(tmp_path / "a.cfg", "[core]\nmax_active_runs_per_dag = 11\n")
    assert load({"AIRFLOW_CONFIG": str(airflow_cfg)}, home=home).core.max_active_runs_per_dag == 11
    with pytest.raises(ConfigError, match="does not exist"):
        load(home=home, cfg_path=str(tmp_path / "missing.cfg"))
    with pytest.raises(ConfigError, match="AIRFLOW_CONFIG"):
        load({"AIRFLOW_CONFIG": str(tmp_path / "missing.cfg")}, home=home)


def test_moved_keys_are_read_from_airflows_old_locations(home):
    write(home / "brisa.cfg", "[core]\nsql_alchemy_conn = sqlite:////data/old.db\ndag_concurrency = 3\n")
    settings = load(
        {"AIRFLOW__WEBSERVER__WEB_SERVER_PORT": "9090", "AIRFLOW__WEBSERVER__WORKERS": "3"}, home=home
    )
    assert settings.database.sql_alchemy_conn == "sqlite:////data/old.db"
    assert settings.source("database", "sql_alchemy_conn") == "brisa.cfg [core] sql_alchemy_conn"
    assert settings.core.max_active_tasks_per_dag == 3
    assert settings.api.port == 9090 and settings.api.workers == 3
    assert settings.raw_value("core", "sql_alchemy_conn") == "sqlite:////data/old.db"
    assert settings.source("webserver", "web_server_port") == "env AIRFLOW__WEBSERVER__WEB_SERVER_PORT"


def test_the_new_name_wins_over_the_old_one_in_the_same_layer(home):
    environ = {
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN": "sqlite:////old.db",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////new.db",
    }
    assert load(environ, home=home).database.sql_alchemy_conn == "sqlite:////new.db"


def test_unknown_keys_are_kept_and_listed(home):
    write(home / "brisa.cfg", "[core]\nlog_format = [%%(asctime)s]\n[ldap]\nbind_password = hunter22\n")
    settings = load({"AIRFLOW__KUBERNETES__NAMESPACE": "x"}, home=home)
    log_format = settings.item("core", "log_format")
    assert (log_format.value, log_format.known, log_format.source) == ("[%(asctime)s]", False, "brisa.cfg")
    assert settings.item("ldap", "bind_password").display_value == "***"
    assert settings.raw_value("kubernetes", "namespace") == "x"
    keys = [(item.section, item.key) for item in settings.items()]
    assert keys.index(("core", "log_format")) > keys.index(("core", "executor"))
    assert keys[-1] == ("ldap", "bind_password")


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


def test_the_smtp_password_may_come_from_a_command_or_a_secret_file(home):
    secret = home / "smtp_password"
    write(secret, "from-file\n")
    by_file = load({"AIRFLOW__SMTP__SMTP_PASSWORD_SECRET": str(secret)}, home=home)
    by_cmd = load({"BRISA__SMTP__SMTP_PASSWORD_CMD": "echo from-cmd"}, home=home)
    assert (by_file.smtp.smtp_password, by_cmd.smtp.smtp_password) == ("from-file", "from-cmd")


def test_asking_for_an_option_that_is_not_set(home):
    with pytest.raises(NotFoundError, match=r"\[nope\] nothing"):
        load(home=home).source("nope", "nothing")


# -- _CMD and _SECRET --------------------------------------------------------------------------


def python_command(code: str) -> str:
    return f"{sys.executable} -c '{code}'"


CMD_PRINTING_THE_KEY = python_command('print("' + FERNET_KEY + '")')


def test_cmd_variable_runs_a_command_for_a_sensitive_option(home):
    environ = {"AIRFLOW__CORE__FERNET_KEY_CMD": CMD_PRINTING_THE_KEY}
    settings = load(environ, home=home)
    assert settings.core.fernet_key == FERNET_KEY
    assert settings.source("core", "fernet_key") == "cmd AIRFLOW__CORE__FERNET_KEY_CMD"


def test_cmd_sees_the_given_environment(home):
    environ = {
        "DB_PASSWORD": "from-env",
        "BRISA__DATABASE__SQL_ALCHEMY_CONN_CMD": python_command(
            'import os; print("sqlite:////" + os.environ["DB_PASSWORD"])'
        ),
    }
    assert load(environ, home=home).database.sql_alchemy_conn == "sqlite:////from-env"


def test_cmd_in_a_config_file(home):
    write(home / "brisa.cfg", f"[core]\nfernet_key_cmd = {CMD_PRINTING_THE_KEY}\n")
    settings = load(home=home)
    assert settings.core.fernet_key == FERNET_KEY
    assert settings.source("core", "fernet_key") == "cmd brisa.cfg [core] fernet_key_cmd"


def test_plain_value_wins_over_cmd(home):
    environ = {"AIRFLOW__CORE__FERNET_KEY": "plain", "AIRFLOW__CORE__FERNET_KEY_CMD": "false"}
    assert load(environ, home=home).core.fernet_key == "plain"


def test_cmd_on_a_non_sensitive_option_is_not_run(home):
    settings = load({"AIRFLOW__CORE__PARALLELISM_CMD": "echo 99"}, home=home)
    assert settings.core.parallelism == 8
    assert settings.item("core", "parallelism_cmd").known is False


def test_failing_command_names_the_variable_and_hides_stdout(home):
    code = 'import sys; print("leaked-secret"); sys.stderr.write("boom"); sys.exit(3)'
    with pytest.raises(ConfigError, match=r"AIRFLOW__CORE__FERNET_KEY_CMD.*status 3: boom") as info:
        load({"AIRFLOW__CORE__FERNET_KEY_CMD": python_command(code)}, home=home)
    assert "leaked-secret" not in str(info.value)


def test_missing_command_is_a_config_error(home):
    with pytest.raises(ConfigError, match="cannot run the command"):
        load({"AIRFLOW__CORE__FERNET_KEY_CMD": "/no/such/program"}, home=home)


def test_secret_variable_reads_a_file(tmp_path, home):
    secret = write(tmp_path / "run" / "fernet", FERNET_KEY + "\n")
    settings = load({"AIRFLOW__CORE__FERNET_KEY_SECRET": str(secret)}, home=home)
    assert settings.core.fernet_key == FERNET_KEY
    assert settings.source("core", "fernet_key") == "secret AIRFLOW__CORE__FERNET_KEY_SECRET"


def test_missing_secret_file_names_the_variable_and_path(tmp_path, home):
    with pytest.raises(
        ConfigError, match=r"BRISA__API__SECRET_KEY_SECRET: cannot read the secret file .*nope"
    ):
        load({"BRISA__API__SECRET_KEY_SECRET": str(tmp_path / "nope")}, home=home)


# -- platform variables ------------------------------------------------------------------------


def test_port_is_used_unless_set_explicitly(home):
    write(home / "airflow.cfg", "[webserver]\nweb_server_port = 8080\n")
    assert load({"PORT": "5000"}, home=home).api.port == 5000
    assert load({"PORT": "5000", "AIRFLOW__API__PORT": "6000"}, home=home).api.port == 6000
    assert load({"PORT": "5000", "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": "7000"}, home=home).api.port == 7000


def test_web_concurrency_sets_api_workers(home):
    settings = load({"WEB_CONCURRENCY": "3"}, home=home)
    assert settings.api.workers == 3 and settings.source("api", "workers") == "env WEB_CONCURRENCY"


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (HEROKU_DATABASE_URL, "postgresql+psycopg://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc?sslmode=require"),
        ("postgresql://u:p@db.internal/app?sslmode=disable", "postgresql+psycopg://u:p@db.internal/app?sslmode=disable"),
        ("postgresql://u:p@db.internal/app?application_name=x", "postgresql+psycopg://u:p@db.internal/app?application_name=x&sslmode=require"),
        ("postgres://u:p@localhost:5432/app", "postgresql+psycopg://u:p@localhost:5432/app"),
        ("postgres://u:p@127.0.0.1/app", "postgresql+psycopg://u:p@127.0.0.1/app"),
        ("postgresql:///app?host=/var/run/postgresql", "postgresql+psycopg:///app?host=/var/run/postgresql"),
        ("sqlite:////data/brisa.db", "sqlite:////data/brisa.db"),
    ],
)  # fmt: skip
def test_database_url(home, database_url, expected):
    settings = load({"DATABASE_URL": database_url}, home=home)
    assert settings.database.sql_alchemy_conn == expected
    assert settings.source("database", "sql_alchemy_conn") == "env DATABASE_URL"


def test_explicit_sql_alchemy_conn_wins_over_database_url(home):
    environ = {"DATABASE_URL": HEROKU_DATABASE_URL, "BRISA__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////x.db"}
    assert load(environ, home=home).database.sql_alchemy_conn == "sqlite:////x.db"


def test_database_url_wins_over_a_config_file(home):
    write(home / "airflow.cfg", "[core]\nsql_alchemy_conn = sqlite:////local.db\n")
    assert load({"DATABASE_URL": "postgres://u:p@localhost/x"}, home=home).database.sql_alchemy_conn == (
        "postgresql+psycopg://u:p@localhost/x"
    )


def test_old_psycopg2_urls_map_to_psycopg_3(home):
    write(
        home / "airflow.cfg",
        "[core]\nsql_alchemy_conn = postgresql+psycopg2://postgres:postgres@localhost:5432/airflow\n",
    )
    assert (
        load(home=home).database.sql_alchemy_conn
        == "postgresql+psycopg://postgres:postgres@localhost:5432/airflow"
    )


def test_explicit_postgresql_url_to_a_remote_host_is_not_forced_to_ssl(home):
    environ = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://u:p@postgres:5432/airflow"}
    assert (
        load(environ, home=home).database.sql_alchemy_conn == "postgresql+psycopg://u:p@postgres:5432/airflow"
    )


def test_redis_url_sets_broker_and_result_backend(home):
    settings = load({"REDIS_URL": "redis://:pw@redis.internal:6379"}, home=home)
    assert settings.celery.broker_url == "redis://:pw@redis.internal:6379"
    assert settings.celery.result_backend == "redis://:pw@redis.internal:6379"
    assert settings.source("celery", "broker_url") == "env REDIS_URL"


def test_heroku_rediss_url_gets_ssl_cert_reqs_none(home):
    settings = load({"REDIS_URL": "rediss://:pw@ec2-1-2-3-4.compute-1.amazonaws.com:25070"}, home=home)
    assert (
        settings.celery.broker_url
        == "rediss://:pw@ec2-1-2-3-4.compute-1.amazonaws.com:25070?ssl_cert_reqs=none"
    )
    kept = load({"REDIS_URL": "rediss://:pw@h:1/0?ssl_cert_reqs=required"}, home=home)
    assert kept.celery.broker_url == "rediss://:pw@h:1/0?ssl_cert_reqs=required"


def test_explicit_broker_wins_over_redis_url(home):
    environ = {"REDIS_URL": "redis://r:6379", "AIRFLOW__CELERY__BROKER_URL": "amqp://guest@rabbit//"}
    settings = load(environ, home=home)
    assert settings.celery.broker_url == "amqp://guest@rabbit//"
    assert settings.celery.result_backend == "redis://r:6379"


def test_result_backend_defaults_to_the_metadata_database(home):
    settings = load({"DATABASE_URL": "postgres://u:p@localhost/x"}, home=home)
    assert settings.celery.result_backend == "db+postgresql+psycopg://u:p@localhost/x"
    assert settings.source("celery", "result_backend") == "derived from [database] sql_alchemy_conn"


# -- authentication ----------------------------------------------------------------------------


def test_authenticate_false_is_refused(home):
    with pytest.raises(ConfigError, match=r"AIRFLOW__WEBSERVER__AUTHENTICATE.*no unauthenticated mode"):
        load({"AIRFLOW__WEBSERVER__AUTHENTICATE": "False"}, home=home)


def test_authenticate_false_in_a_file_is_refused_unless_overridden(home):
    write(home / "airflow.cfg", "[webserver]\nauthenticate = False\n")
    with pytest.raises(ConfigError, match=r"airflow.cfg \[webserver\] authenticate"):
        load(home=home)
    assert load({"AIRFLOW__WEBSERVER__AUTHENTICATE": "True"}, home=home).api.authenticate is True


@pytest.mark.parametrize(
    "backend", ["airflow.contrib.auth.backends.ldap_auth", "airflow.contrib.auth.backends.google_auth"]
)
def test_non_password_auth_backends_are_refused(home, backend):
    with pytest.raises(ConfigError, match="not supported"):
        load({"AIRFLOW__WEBSERVER__AUTH_BACKEND": backend}, home=home)


# -- executor and parallelism ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CeleryExecutor", "CeleryExecutor"),
        ("airflow.executors.local_executor.LocalExecutor", "LocalExecutor"),
    ],
)
def test_executors(home, value, expected):
    assert load({"AIRFLOW__CORE__EXECUTOR": value}, home=home).core.executor == expected


def test_sequential_executor_runs_local_with_parallelism_one(home):
    settings = load(
        {"AIRFLOW__CORE__EXECUTOR": "SequentialExecutor", "AIRFLOW__CORE__PARALLELISM": "32"}, home=home
    )
    assert (settings.core.executor, settings.core.parallelism) == ("LocalExecutor", 1)
    assert settings.source("core", "parallelism") == "forced to 1 by [core] executor = SequentialExecutor"


@pytest.mark.parametrize("value", ["KubernetesExecutor", "LocalExecutor,CeleryExecutor", "DaskExecutor"])
def test_unsupported_executors_are_refused(home, value):
    with pytest.raises(ConfigError, match="AIRFLOW__CORE__EXECUTOR"):
        load({"AIRFLOW__CORE__EXECUTOR": value}, home=home)


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (Resources(memory_mb=512), 8),
        (Resources(memory_mb=1024), 16),
        (Resources(memory_mb=2560), 32),
        (Resources(memory_mb=100), 2),
        (Resources(), 32),
        (Resources(memory_mb=1024, cpus=0.5), 4),
        (Resources(cpus=2), 16),
    ],
)
def test_default_parallelism_comes_from_the_container_limits(home, resources, expected):
    settings = load(home=home, resources=resources)
    assert settings.core.parallelism == expected
    assert settings.celery.worker_concurrency == expected
    assert settings.source("core", "parallelism").startswith("default (")


def test_airflow_cfg_big_machine_defaults_do_not_override_sizing(home):
    write(
        home / "airflow.cfg",
        "[core]\nparallelism = 32\n[celery]\nworker_concurrency = 16\n[webserver]\nworkers = 4\n",
    )
    settings = load(home=home)
    assert (settings.core.parallelism, settings.celery.worker_concurrency, settings.api.workers) == (8, 8, 1)
    write(home / "brisa.cfg", "[core]\nparallelism = 32\n")
    assert load(home=home).core.parallelism == 32
    assert load({"AIRFLOW__CORE__PARALLELISM": "32"}).core.parallelism == 32


def test_cgroup_v2_limits(tmp_path):
    write(tmp_path / "memory.max", "536870912\n")
    write(tmp_path / "cpu.max", "150000 100000\n")
    assert detect_resources(tmp_path) == Resources(memory_mb=512, cpus=1.5)
    write(tmp_path / "memory.max", "max\n")
    write(tmp_path / "cpu.max", "max 100000\n")
    assert detect_resources(tmp_path) == Resources()


def test_cgroup_v1_limits(tmp_path):
    write(tmp_path / "memory" / "memory.limit_in_bytes", "1073741824\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "200000\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_period_us", "100000\n")
    assert detect_resources(tmp_path) == Resources(memory_mb=1024, cpus=2.0)
    write(tmp_path / "memory" / "memory.limit_in_bytes", "9223372036854771712\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "-1\n")
    assert detect_resources(tmp_path) == Resources()


def test_no_cgroup_files_means_no_limits(tmp_path):
    assert detect_resources(tmp_path / "missing") == Resources()


# -- values and errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("True", True), ("false", False), ("1", True), ("0", False), ("True # c", True)]
)
def test_booleans(home, text, expected):
    assert load({"AIRFLOW__CORE__LOAD_EXAMPLES": text}, home=home).core.load_examples is expected


def test_bad_value_from_the_environment_names_the_variable_and_value(home):
    with pytest.raises(
        ConfigError, match=r"\[core\] parallelism = 'lots' from env AIRFLOW__CORE__PARALLELISM"
    ):
        load({"AIRFLOW__CORE__PARALLELISM": "lots"}, home=home)


def test_bad_value_from_a_file_names_the_file_and_key(home):
    write(home / "brisa.cfg", "[core]\nload_examples = maybe\n")
    with pytest.raises(ConfigError, match=r"'maybe' from .*brisa.cfg \[core\] load_examples"):
        load(home=home)


def test_bad_sensitive_value_is_not_echoed(home):
    with pytest.raises(ConfigError, match="sql_alchemy_conn") as info:
        load({"BRISA__DATABASE__SQL_ALCHEMY_CONN": "hunter22-no-scheme"}, home=home)
    assert "hunter22" not in str(info.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AIRFLOW__CORE__DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("AIRFLOW__LOGGING__LEVEL", "LOUD"),
        ("AIRFLOW__LOGGING__FORMAT", "xml"),
        ("AIRFLOW__API__PORT", "70000"),
        ("AIRFLOW__CORE__PARALLELISM", "0"),
        ("AIRFLOW__CORE__DEFAULT_AIRFLOW_GENERATION", "1"),
        ("AIRFLOW__SECRETS__BACKENDS", "env,vault"),
        ("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "-1"),
    ],
)
def test_invalid_values_are_config_errors(home, variable, value):
    with pytest.raises(ConfigError, match=variable):
        load({variable: value}, home=home)


def test_logging_level_from_airflows_older_keys(home):
    assert load({"AIRFLOW__CORE__LOGGING_LEVEL": "warn"}, home=home).logging.level == "WARNING"


def test_timezone_names(home):
    assert load(
        {"AIRFLOW__CORE__DEFAULT_TIMEZONE": "America/Sao_Paulo"}, home=home
    ).core.default_timezone == ("America/Sao_Paulo")


def test_environment_variables_are_expanded_in_values(tmp_path):
    write(tmp_path / "brisa.cfg", "[core]\ndags_folder = $BRISA_HOME/my_dags\n")
    settings = load({"BRISA_HOME": str(tmp_path), "AIRFLOW__LOGGING__LEVEL": "${LEVEL}", "LEVEL": "debug"})
    assert settings.core.dags_folder == tmp_path / "my_dags"
    assert settings.logging.level == "DEBUG"


def test_seed_fernet_literal_is_kept_verbatim_for_the_codec_to_reject(home):
    write(home / "airflow.cfg", '[core]\nfernet_key = $(python "contrib/generate_fernet_key.py")\n')
    assert load(home=home).core.fernet_key == '$(python "contrib/generate_fernet_key.py")'


def test_percent_signs_in_files_follow_airflows_interpolation(home):
    write(home / "brisa.cfg", "[database]\nsql_alchemy_conn = postgresql://u:p%%40ss@localhost/db\n")
    assert load(home=home).database.sql_alchemy_conn == "postgresql+psycopg://u:p%40ss@localhost/db"
    write(home / "brisa.cfg", "[database]\nsql_alchemy_conn = postgresql://u:p%40ss@localhost/db\n")
    with pytest.raises(ConfigError, match="write a literal % as %%") as info:
        load(home=home)
    assert "p%40ss" not in str(info.value)


def test_malformed_ini_is_a_config_error(home):
    write(home / "brisa.cfg", "no section header\n")
    with pytest.raises(ConfigError, match="not a valid INI file"):
        load(home=home)


def test_custom_secrets_backend_classes_are_refused(home):
    with pytest.raises(ConfigError, match=r"\[secrets\] backend"):
        load(
            {"AIRFLOW__SECRETS__BACKEND": "airflow.providers.hashicorp.secrets.vault.VaultBackend"}, home=home
        )
    assert load({"AIRFLOW__SECRETS__BACKEND": ""}, home=home).secrets.backends == ("env", "metastore")


def test_expose_config_accepts_airflows_non_sensitive_only(home):
    assert (
        load({"AIRFLOW__WEBSERVER__EXPOSE_CONFIG": "non-sensitive-only"}, home=home).api.expose_config is True
    )


# -- secret_key ----------------------------------------------------------------------------------


def test_secret_key_is_derived_from_the_fernet_key(home):
    first = load({"AIRFLOW__CORE__FERNET_KEY": FERNET_KEY}, home=home)
    again = load({"AIRFLOW__CORE__FERNET_KEY": f"{FERNET_KEY},other"}, home=home)
    other = load({"AIRFLOW__CORE__FERNET_KEY": "another-key"}, home=home)
    assert first.api.secret_key == again.api.secret_key != other.api.secret_key
    assert FERNET_KEY not in first.api.secret_key
    assert first.source("api", "secret_key") == "derived from [core] fernet_key"


def test_explicit_secret_key_wins(home):
    environ = {"AIRFLOW__CORE__FERNET_KEY": FERNET_KEY, "AIRFLOW__WEBSERVER__SECRET_KEY": "s3cret"}
    assert load(environ, home=home).api.secret_key == "s3cret"


def test_airflow_1_10s_public_placeholder_secret_key_is_ignored(home):
    write(home / "airflow.cfg", "[webserver]\nsecret_key = temporary_key\n")
    assert load(home=home).api.secret_key is None


# -- masking ---------------------------------------------------------------------------------------


def test_listing_masks_keys_and_url_passwords(home):
    settings = load(SEED_ENV, home=home)
    shown = {(i.section, i.key): i.display_value for i in settings.items()}
    assert shown[("core", "fernet_key")] == "***"
    assert shown[("api", "secret_key")] == "***"
    assert "dbpass" not in shown[("database", "sql_alchemy_conn")]
    assert shown[("database", "sql_alchemy_conn")].startswith("postgresql+psycopg://dbuser:***@ec2-")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
        ("postgresql://u:p@ss/w@host/db", "postgresql://u:***@host/db"),
        ("sqlite:////data/brisa.db", "sqlite:////data/brisa.db"),
        ("http://host:8080/path", "http://host:8080/path"),
    ],
)
def test_url_password_masking(text, expected):
    assert mask_url_passwords(text) == expected


def test_mask_config_value():
    assert mask_config_value("abc", sensitive=True) == "***"
    assert mask_config_value("", sensitive=True) == ""
    assert mask_config_value("plain", sensitive=False) == "plain"


def test_normalize_database_url_rejects_non_urls():
    with pytest.raises(ValueError, match="not a database URL"):
        normalize_database_url("localhost:5432")


def test_public_names_are_exported():
    import brisa.config

    assert all(hasattr(brisa.config, name) for name in brisa.config.__all__)


def test_on_a_heroku_dyno_home_is_the_app_checkout(tmp_path):
    from brisa.config import load_settings

    settings = load_settings({"DYNO": "web.1", "HOME": str(tmp_path)})
    assert settings.home == tmp_path
    assert str(settings.core.dags_folder) == str(tmp_path / "dags")


def test_pgsslmode_in_the_environment_is_left_to_libpq():
    from brisa.config import load_settings

    url = "postgres://u:p@db.example.com:5432/app"
    assert "sslmode=require" in load_settings({"DATABASE_URL": url, "HOME": "/tmp"}).database.sql_alchemy_conn
    plain = load_settings(
        {"DATABASE_URL": url, "PGSSLMODE": "disable", "HOME": "/tmp"}
    ).database.sql_alchemy_conn
    assert "sslmode" not in plain


# -- what task processes must not see, and what logs must hide ----------------------------------


def test_sensitive_environment_names_brisas_own_secrets_but_not_connections_or_variables():
    from brisa.config import sensitive_environment

    environ = {
        "AIRFLOW__API__SECRET_KEY": "k",
        "AIRFLOW__WEBSERVER__SECRET_KEY": "k",
        "AIRFLOW__CORE__FERNET_KEY": "k",
        "BRISA__CORE__FERNET_KEY_CMD": "cat key",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "u",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET": "/run/secrets/db",
        "AIRFLOW__SMTP__SMTP_PASSWORD": "p",
        "AIRFLOW__CELERY__BROKER_URL": "redis://:p@h",
        "AIRFLOW__LDAP__BIND_PASSWORD": "p",
        "AIRFLOW__SOMETHING__NEW_SECRET": "s",
        "DATABASE_URL": "postgres://u:p@h/d",
        "REDIS_URL": "redis://:p@h",
        # what tasks keep
        "AIRFLOW_CONN_WAREHOUSE": "postgresql://u:p@h/d",
        "AIRFLOW_VAR_TOKEN": "t",
        "AIRFLOW__CORE__DAGS_FOLDER": "/dags",
        "AIRFLOW__API__BASE_URL": "https://brisa.example.com",
        "AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES": "pin",
        "BRISA_HOME": "/srv/brisa",
        "PATH": "/usr/bin",
    }
    assert sensitive_environment(environ) == {
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__WEBSERVER__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
        "BRISA__CORE__FERNET_KEY_CMD",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET",
        "AIRFLOW__SMTP__SMTP_PASSWORD",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__LDAP__BIND_PASSWORD",
        "AIRFLOW__SOMETHING__NEW_SECRET",
        "DATABASE_URL",
        "REDIS_URL",
    }


def test_sensitive_values_are_every_key_url_and_url_password_of_the_settings(home):
    from brisa.config import sensitive_values

    other_key = "b" * 43 + "="
    settings = load_settings(
        {
            "BRISA__CORE__FERNET_KEY": f"{FERNET_KEY},{other_key}",
            "BRISA__DATABASE__SQL_ALCHEMY_CONN": "postgresql://etl:p%40ssw0rd@db/brisa",
            "AIRFLOW__SMTP__SMTP_PASSWORD": "smtp-pass-1",
        },
        home=str(home),
        resources=SMALL_DYNO,
    )
    found = sensitive_values(settings)
    assert {FERNET_KEY, other_key, "p@ssw0rd", "smtp-pass-1", settings.api.secret_key} <= set(found)
    assert "postgresql+psycopg://etl:p%40ssw0rd@db/brisa" in found
    assert not settings.core.pass_sensitive_env_to_tasks


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@localhost/airflow", "not mysql://"),
        ("mysql+mysqldb://u:secret@db/airflow", "not mysql+mysqldb://"),
        ("mssql+pyodbc://u@db/airflow", "PostgreSQL or SQLite"),
        ("sqlite:///relative.db", "relative to the working directory"),
        ("sqlite:///./x/brisa.db", "sqlite:////abs/path/./x/brisa.db"),
    ],
)
def test_unsupported_metadata_databases_and_relative_sqlite_paths_are_one_clear_error(home, url, says):
    # Airflow also refuses relative SQLite paths ("Cannot use relative path").
    with pytest.raises(ConfigError, match="sql_alchemy_conn") as info:
        load({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url}, home=home)
    assert says in str(info.value)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize("url", ["sqlite:////abs/brisa.db", "sqlite://", "postgres://u:p@db.example/x"])
def test_absolute_sqlite_memory_and_postgresql_urls_are_accepted(home, url):
    assert load({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url}, home=home).database.sql_alchemy_conn


def test_parsing_processes_reads_airflow_3s_dag_processor_name(home):
    settings = load({"AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "3"}, home=home)
    assert settings.scheduler.parsing_processes == 3
    with pytest.raises(ConfigError):
        load({"BRISA__SCHEDULER__PARSING_PROCESSES": "-1"}, home=home)
