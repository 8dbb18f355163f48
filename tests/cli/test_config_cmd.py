import json
import os
import shlex
import sys

import click
import pytest
from click.testing import CliRunner

from brisa.cli import main as cli_main
from brisa.cli.config_cmd import register
from brisa.errors import NotFoundError

FERNET_KEY = "x3k9Yb1Xo3uVTrZsV6n0hyRUYl2mQ3w2Q3lRZ9KXb2s="
DATABASE_URL = "postgres://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc"
PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Only what each test sets: no BRISA_/AIRFLOW_ variables from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in PLATFORM_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))


@pytest.fixture
def heroku(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", FERNET_KEY)
    monkeypatch.setenv("AIRFLOW__CORE__SQL_ALCHEMY_CONN", DATABASE_URL)
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    monkeypatch.setenv("PORT", "31337")


def run(*args: str):
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, list(args))


def test_list_shows_values_and_sources_with_secrets_masked(heroku):
    result = run("config", "list")
    assert result.exit_code == 0, result.output
    assert FERNET_KEY not in result.output
    assert "dbpass" not in result.output
    rows = {tuple(line.split()[:2]): line for line in result.output.splitlines() if not line.startswith("#")}
    assert rows[("core", "fernet_key")].split()[2:] == ["***", "env", "AIRFLOW__CORE__FERNET_KEY"]
    assert "postgresql+psycopg://dbuser:***@ec2-" in rows[("database", "sql_alchemy_conn")]
    assert rows[("api", "port")].split()[2:] == ["31337", "env", "PORT"]
    assert rows[("core", "executor")].split()[2:] == ["LocalExecutor", "default"]


def test_list_marks_keys_brisa_does_not_use(tmp_path):
    (tmp_path / "brisa.cfg").write_text("[sentry]\nsentry_on = True\n")
    result = run("config", "list", "--section", "sentry")
    assert result.exit_code == 0, result.output
    assert "sentry_on" in result.output and "(not used by Brisa)" in result.output


def test_list_one_section_as_json(heroku):
    result = run("config", "list", "--section", "database", "-o", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document) == ["database"]
    conn = document["database"]["sql_alchemy_conn"]
    assert conn["source"] == "env AIRFLOW__CORE__SQL_ALCHEMY_CONN"
    assert conn["value"].startswith("postgresql+psycopg://dbuser:***@")
    assert "known" not in conn


def test_json_flags_unknown_keys(monkeypatch):
    monkeypatch.setenv("AIRFLOW__LDAP__BIND_PASSWORD", "hunter22")
    monkeypatch.setenv("AIRFLOW__SMTP__SMTP_PASSWORD", "hunter22")
    document = json.loads(run("config", "list", "-o", "json").output)
    assert document["ldap"]["bind_password"] == {
        "value": "***",
        "source": "env AIRFLOW__LDAP__BIND_PASSWORD",
        "known": False,
    }
    assert document["smtp"]["smtp_password"] == {"value": "***", "source": "env AIRFLOW__SMTP__SMTP_PASSWORD"}


def test_list_as_environment_variables(heroku):
    result = run("config", "list", "-o", "env")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "BRISA__CORE__EXECUTOR=LocalExecutor" in lines
    assert "BRISA__CORE__FERNET_KEY='***'" in lines
    [conn] = [line for line in lines if line.startswith("BRISA__DATABASE__SQL_ALCHEMY_CONN=")]
    value = shlex.split(conn.split("=", 1)[1])[0]
    assert value.startswith("postgresql+psycopg://dbuser:***@")


def test_unknown_section_is_not_found():
    result = run("config", "list", "--section", "nope")
    assert isinstance(result.exception, NotFoundError)


def test_get_value_prints_the_raw_value(heroku):
    result = run("config", "get-value", "core", "fernet_key")
    assert result.exit_code == 0
    assert result.output == FERNET_KEY + "\n"


def test_get_value_accepts_airflows_old_location(heroku):
    result = run("config", "get-value", "core", "sql_alchemy_conn")
    assert result.output.strip() == (
        "postgresql+psycopg://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc?sslmode=require"
    )


def test_get_value_of_an_unset_option_is_not_found():
    result = run("config", "get-value", "core", "no_such_key")
    assert isinstance(result.exception, NotFoundError)


def test_config_is_registered_on_the_brisa_command():
    cli_main._register_all()
    assert "config" in cli_main.cli.commands
    assert set(cli_main.cli.commands["config"].commands) == {"list", "get-value"}


def test_bad_configuration_exits_with_the_config_error_code(monkeypatch, capsys):
    monkeypatch.setenv("AIRFLOW__WEBSERVER__AUTHENTICATE", "False")
    monkeypatch.setattr(sys, "argv", ["brisa", "config", "list"])
    with pytest.raises(SystemExit) as info:
        cli_main.main()
    assert info.value.code == 6
    assert "no unauthenticated mode" in capsys.readouterr().err


def test_public_names_are_exported():
    from brisa.cli import config_cmd

    assert all(hasattr(config_cmd, name) for name in config_cmd.__all__)


def test_config_list_defaults_is_a_commented_template_of_every_option(tmp_path):
    import configparser

    from brisa_cli import brisa, home_env

    from brisa.config import OPTIONS

    env = home_env(tmp_path, BRISA__CORE__PARALLELISM="3")
    result = brisa("config", "list", "--defaults", env=env)
    assert result.returncode == 0, result.stderr
    parser = configparser.ConfigParser()
    parser.read_string(result.stdout)
    assert parser.sections() == list(dict.fromkeys(o.section for o in OPTIONS))
    assert all(not parser.options(section) for section in parser.sections())  # all commented out
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.endswith(" =") or " = " in line] == [
        o.key for o in OPTIONS
    ]
    assert "# max_active_tasks_per_dag = 16" in lines and "# Also read from: [core] dag_concurrency" in lines
    assert "# parallelism = 3" not in lines  # defaults, not the effective value
    only = brisa("config", "list", "--defaults", "--section", "scheduler", env=env).stdout
    assert "[scheduler]" in only and "[core]" not in only
