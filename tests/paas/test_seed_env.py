"""The seed post's Heroku config vars, given to the real ``brisa`` command.

The post sets (``heroku config:set``)::

    SLUGIFY_USES_TEXT_UNIDECODE=yes            AIRFLOW_HOME=/app
    AIRFLOW__CORE__DAGS_FOLDER=/app/dags       AIRFLOW__CORE__FERNET_KEY=<a key>
    AIRFLOW__CORE__LOAD_EXAMPLES=False         AIRFLOW__CORE__SQL_ALCHEMY_CONN=<DATABASE_URL>
    AIRFLOW__CORE__EXECUTOR=LocalExecutor      AIRFLOW__WEBSERVER__AUTHENTICATE=True
    AIRFLOW__WEBSERVER__AUTH_BACKEND=airflow.contrib.auth.backends.password_auth

and its Procfile runs ``airflow initdb``. ``tests/config/`` checks how each value
is parsed; these tests check that the installed command sees them the same way, with
``$AIRFLOW_HOME/dags`` laid out as in the post.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.secrets.fernet import generate_key

SEED_VARIABLES = {
    "AIRFLOW__CORE__DAGS_FOLDER": ("core", "dags_folder"),
    "AIRFLOW__CORE__FERNET_KEY": ("core", "fernet_key"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": ("core", "load_examples"),
    "AIRFLOW__CORE__SQL_ALCHEMY_CONN": ("database", "sql_alchemy_conn"),
    "AIRFLOW__CORE__EXECUTOR": ("core", "executor"),
    "AIRFLOW__WEBSERVER__AUTHENTICATE": ("api", "authenticate"),
    "AIRFLOW__WEBSERVER__AUTH_BACKEND": ("api", "auth_backend"),
}
PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def seed_environment(app: Path, database_url: str) -> dict[str, str]:
    """The post's variables with ``/app`` moved to ``app``; nothing else from this machine."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "BRISA")) and k not in PLATFORM_VARIABLES
    }
    return keep | {
        "SLUGIFY_USES_TEXT_UNIDECODE": "yes",
        "AIRFLOW_HOME": str(app),
        "AIRFLOW__CORE__DAGS_FOLDER": str(app / "dags"),
        "AIRFLOW__CORE__FERNET_KEY": generate_key(),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__WEBSERVER__AUTHENTICATE": "True",
        "AIRFLOW__WEBSERVER__AUTH_BACKEND": "airflow.contrib.auth.backends.password_auth",
    }


def brisa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["brisa", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def config_of(env: dict[str, str]) -> dict[str, dict[str, dict[str, str]]]:
    done = brisa(env, "config", "list", "-o", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_each_seed_variable_is_the_source_of_its_option(tmp_path):
    env = seed_environment(tmp_path / "app", "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1")
    config = config_of(env)
    for variable, (section, key) in SEED_VARIABLES.items():
        assert config[section][key]["source"] == f"env {variable}", variable
    assert config["core"]["dags_folder"]["value"] == str(tmp_path / "app" / "dags")
    assert config["core"]["load_examples"]["value"] == "False"
    assert config["core"]["executor"]["value"] == "LocalExecutor"
    # The password is masked; Heroku's host gets TLS, as Heroku Postgres requires.
    assert config["database"]["sql_alchemy_conn"]["value"] == (
        "postgresql+psycopg://u:***@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1?sslmode=require"
    )


def test_slugify_is_ignored_and_airflow_home_is_brisas_home(tmp_path):
    env = seed_environment(tmp_path / "app", "sqlite:///" + str(tmp_path / "x.db"))
    del env["AIRFLOW__CORE__DAGS_FOLDER"]
    config = config_of(env)
    listed = [f"{section}.{key}" for section, options in config.items() for key in options]
    assert not [name for name in listed if "slugify" in name]
    assert config["core"]["dags_folder"] == {"value": str(tmp_path / "app" / "dags"), "source": "default"}


def test_switching_authentication_off_is_refused_before_anything_starts(tmp_path):
    env = seed_environment(tmp_path / "app", "sqlite:///" + str(tmp_path / "x.db"))
    env["AIRFLOW__WEBSERVER__AUTHENTICATE"] = "False"
    done = brisa(env, "standalone")
    assert done.returncode != 0
    assert "AIRFLOW__WEBSERVER__AUTHENTICATE" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.postgres
def test_the_seeds_release_command_creates_the_schema_from_sql_alchemy_conn(tmp_path):
    """``airflow initdb`` became ``brisa initdb``; the URL comes from AIRFLOW__CORE__SQL_ALCHEMY_CONN."""
    name = f"brisa_seed_{os.getpid()}_{tmp_path.name[-8:]}".lower().replace("-", "_")
    admin = sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + f"/{name}"
        env = seed_environment(tmp_path / "app", url)
        done = brisa(env, "initdb")
        assert done.returncode == 0, done.stderr
        assert f"127.0.0.1:5432/{name}" in done.stdout  # local: no sslmode forced
        assert brisa(env, "db", "check").returncode == 0
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
