"""How the source database is opened (no connection is made here)."""

from __future__ import annotations

import pytest

from brisa.errors import InvalidInputError
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
