"""How the source database is opened (no connection is made here)."""

from __future__ import annotations

import sys

import pytest

from brisa.errors import ConfigError, InvalidInputError
from brisa.importer.source import read_only_engine


def test_a_remote_postgres_source_requires_tls_as_heroku_does() -> None:
    engine = read_only_engine("postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.query["sslmode"] == "require"
    assert (
        read_only_engine("postgres://u:p@remote.example.com/d?sslmode=disable").url.query["sslmode"]
        == "disable"
    )


def test_a_sqlite_source_is_opened_read_only() -> None:
    engine = read_only_engine("sqlite:////data/airflow.db")
    assert engine.url.database == "file:/data/airflow.db"
    assert engine.url.query == {"mode": "ro", "uri": "true"}


@pytest.mark.parametrize("url", ["oracle://x/y", "sqlite://"])
def test_unsupported_sources_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        read_only_engine(url)


def test_airflows_mysql_url_is_read_with_pymysql() -> None:
    engine = read_only_engine("mysql://u:p@db.example.com:3306/airflow?charset=utf8mb4")
    assert engine.url.drivername == "mysql+pymysql"
    assert (engine.url.host, engine.url.database, engine.url.query) == (
        "db.example.com",
        "airflow",
        {"charset": "utf8mb4"},
    )
    assert read_only_engine("mysql+pymysql://u@h/airflow").url.drivername == "mysql+pymysql"


def test_a_missing_mysql_driver_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymysql", None)  # as if it were not installed
    with pytest.raises(ConfigError, match=r"pip install 'brisa\[mysql\]'"):
        read_only_engine("mysql://u@h/airflow")
