"""The sources: config files, env variables, platform variables, ``_CMD`` and ``_SECRET``."""

import sys

import pytest

from brisa.config import (
    load_settings,
)
from brisa.errors import ConfigError
from tests.config.support import FERNET_KEY, HEROKU_DATABASE_URL, load, write


def test_brisa_home_defaults_to_airflow_home_then_home_brisa(tmp_path):
    assert load({"AIRFLOW_HOME": str(tmp_path / "af")}).home == tmp_path / "af"
    assert load({"AIRFLOW_HOME": "/af", "BRISA_HOME": str(tmp_path / "b")}).home == tmp_path / "b"
    assert load({"HOME": str(tmp_path)}).home == tmp_path / "brisa"


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


def test_the_smtp_password_may_come_from_a_command_or_a_secret_file(home):
    secret = home / "smtp_password"
    write(secret, "from-file\n")
    by_file = load({"AIRFLOW__SMTP__SMTP_PASSWORD_SECRET": str(secret)}, home=home)
    by_cmd = load({"BRISA__SMTP__SMTP_PASSWORD_CMD": "echo from-cmd"}, home=home)
    assert (by_file.smtp.smtp_password, by_cmd.smtp.smtp_password) == ("from-file", "from-cmd")


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


def test_on_a_heroku_dyno_home_is_the_app_checkout(tmp_path):

    settings = load_settings({"DYNO": "web.1", "HOME": str(tmp_path)})
    assert settings.home == tmp_path
    assert str(settings.core.dags_folder) == str(tmp_path / "dags")


def test_pgsslmode_in_the_environment_is_left_to_libpq():

    url = "postgres://u:p@db.example.com:5432/app"
    assert "sslmode=require" in load_settings({"DATABASE_URL": url, "HOME": "/tmp"}).database.sql_alchemy_conn
    plain = load_settings(
        {"DATABASE_URL": url, "PGSSLMODE": "disable", "HOME": "/tmp"}
    ).database.sql_alchemy_conn
    assert "sslmode" not in plain
