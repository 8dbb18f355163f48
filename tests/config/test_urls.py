"""Database and broker URLs: the one normaliser, validation of the metadata database, masking."""

import pytest

from brisa.config import (
    mask_config_value,
    mask_url_passwords,
    metadata_database_url,
    normalize_database_url,
    normalize_redis_url,
)
from brisa.config.urls import is_plain_url, url_password
from brisa.errors import ConfigError
from tests.config.support import load, write


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


# -- the one normaliser, scheme by scheme --------------------------------------------------------

REMOTE = "u:p@db.example.com:5432/app"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgres://{REMOTE}", f"postgresql+psycopg://{REMOTE}?sslmode=require"),  # Heroku's form
        ("postgres://u:p@localhost:5432/app", "postgresql+psycopg://u:p@localhost:5432/app"),
        (f"postgresql://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        (f"postgresql+psycopg2://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        (f"postgresql+pg8000://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        (f"postgresql+psycopg://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        (f"POSTGRESQL://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        (f"PostgreSQL+Psycopg2://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        ("sqlite:////abs/path/brisa.db", "sqlite:////abs/path/brisa.db"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite:///file:brisa?mode=memory&uri=true", "sqlite:///file:brisa?mode=memory&uri=true"),
        ("mysql://u:p@h:3306/airflow", "mysql+pymysql://u:p@h:3306/airflow"),  # importer sources
        ("MySQL://u:p@h/airflow?charset=utf8mb4", "mysql+pymysql://u:p@h/airflow?charset=utf8mb4"),
        ("mysql+mysqldb://u:p@h/airflow", "mysql+mysqldb://u:p@h/airflow"),
        ("mysql+pymysql://u:p@h/airflow", "mysql+pymysql://u:p@h/airflow"),
    ],
)
def test_normalize_database_url_each_scheme(url, expected):
    assert normalize_database_url(url) == expected


def test_store_and_config_share_the_one_normaliser():
    from brisa.config import urls
    from brisa.store import normalize_url as store_reexport
    from brisa.store.sql import normalize_url

    assert normalize_url is urls.normalize_database_url is store_reexport


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://{REMOTE}", f"postgresql+psycopg://{REMOTE}?sslmode=require"),
        (f"postgresql://{REMOTE}?sslmode=disable", f"postgresql+psycopg://{REMOTE}?sslmode=disable"),
        (f"postgresql://{REMOTE}?connect_timeout=5", f"postgresql+psycopg://{REMOTE}?connect_timeout=5&sslmode=require"),
        (f"postgresql://{REMOTE}?", f"postgresql+psycopg://{REMOTE}?sslmode=require"),
        ("postgresql://u@127.0.0.1/app", "postgresql+psycopg://u@127.0.0.1/app"),
        ("postgresql://u@[::1]/app", "postgresql+psycopg://u@[::1]/app"),
        ("postgresql:///app?host=/run/postgresql", "postgresql+psycopg:///app?host=/run/postgresql"),
        ("sqlite:////abs/brisa.db", "sqlite:////abs/brisa.db"),
    ],
)  # fmt: skip
def test_sslmode_is_required_for_remote_hosts_when_asked(url, expected):
    assert normalize_database_url(url, require_ssl_when_remote=True) == expected


def test_pgsslmode_from_the_environment_leaves_sslmode_to_libpq():
    url = f"postgres://{REMOTE}"
    assert normalize_database_url(url, sslmode_from_env=True) == f"postgresql+psycopg://{REMOTE}"
    both = normalize_database_url(url, require_ssl_when_remote=True, sslmode_from_env=True)
    assert both == f"postgresql+psycopg://{REMOTE}"


@pytest.mark.parametrize("url", ["", "://host/db", "postgres:/host/db", "/var/lib/brisa.db"])
def test_text_without_a_scheme_is_not_a_database_url(url):
    with pytest.raises(ValueError, match="not a database URL"):
        normalize_database_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@localhost/app", "postgresql+psycopg://u:p@localhost/app"),
        (f"postgresql+psycopg2://{REMOTE}", f"postgresql+psycopg://{REMOTE}"),
        ("sqlite:////abs/brisa.db", "sqlite:////abs/brisa.db"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite:///file:brisa.db?uri=true", "sqlite:///file:brisa.db?uri=true"),
    ],
)
def test_metadata_database_url_accepts_postgresql_and_absolute_sqlite(url, expected):
    assert metadata_database_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://u:p@h/airflow", "not mysql://"),
        ("mssql+pyodbc://u:p@h/airflow", r"not mssql\+pyodbc://"),
        ("sqlite:///brisa.db", "relative to the working directory"),
    ],
)
def test_metadata_database_url_refuses_other_databases_and_relative_sqlite(url, says):
    with pytest.raises(ValueError, match=says):
        metadata_database_url(url)


# -- broker URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rediss://:pw@h:6380/0", "rediss://:pw@h:6380/0?ssl_cert_reqs=none"),  # Heroku Redis
        ("REDISS://:pw@h:6380/0", "REDISS://:pw@h:6380/0?ssl_cert_reqs=none"),
        ("rediss://:pw@h:6380/0?", "rediss://:pw@h:6380/0?ssl_cert_reqs=none"),
        ("rediss://:pw@h:6380/0?db=1", "rediss://:pw@h:6380/0?db=1&ssl_cert_reqs=none"),
        ("rediss://:pw@h:6380/0?ssl_cert_reqs=required", "rediss://:pw@h:6380/0?ssl_cert_reqs=required"),
        ("redis://:pw@h:6379/0", "redis://:pw@h:6379/0"),
        ("amqp://guest:guest@rabbit:5672//", "amqp://guest:guest@rabbit:5672//"),
        ("amqps://guest:guest@rabbit:5671//", "amqps://guest:guest@rabbit:5671//"),
        ("sqla+postgresql://u:p@h/db", "sqla+postgresql://u:p@h/db"),
    ],
)  # fmt: skip
def test_normalize_redis_url_each_broker_scheme(url, expected):
    assert normalize_redis_url(url) == expected


def test_only_redis_url_is_normalised_an_explicit_broker_url_is_kept_as_written(home):
    environ = {
        "AIRFLOW__CELERY__BROKER_URL": "rediss://:pw@h:6380/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql://u:p@h/db",
    }
    settings = load(environ, home=home)
    assert settings.celery.broker_url == "rediss://:pw@h:6380/0"
    assert settings.celery.result_backend == "db+postgresql://u:p@h/db"


@pytest.mark.parametrize(
    ("value", "plain", "password"),
    [
        ("sqlite:////home/brisa.db", True, None),
        ("redis://h:6379/0", True, None),
        ("redis://:s%40cret@h:6379/0", False, "s@cret"),
        ("postgresql+psycopg://u:pw@h/db?sslmode=require", False, "pw"),
        ("postgresql+psycopg://u@h/db?sslmode=require", False, None),
        ("not a url", False, None),
    ],
)
def test_plain_urls_and_url_passwords(value, plain, password):
    assert is_plain_url(value) is plain
    assert url_password(value) == password


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg2", "postgresql+pg8000", "PostgreSQL"])
def test_sql_alchemy_conn_in_any_postgresql_spelling_is_listed_as_psycopg_3(home, scheme):
    settings = load({"AIRFLOW__CORE__SQL_ALCHEMY_CONN": f"{scheme}://u:p@db:5432/airflow"}, home=home)
    assert settings.database.sql_alchemy_conn == "postgresql+psycopg://u:p@db:5432/airflow"
    assert settings.raw_value("database", "sql_alchemy_conn") == "postgresql+psycopg://u:p@db:5432/airflow"
