"""The store opens every URL spelling that configuration accepts, through the one normaliser
in ``brisa.config.urls`` (Store used to have its own, with other rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.store.sql import Store
from tests.conftest import PG_ADMIN_URL


def _select_one(store: Store) -> int:
    try:
        with store.engine.connect() as conn:
            return conn.execute(sa.text("SELECT 1")).scalar_one()
    finally:
        store.dispose()


# Heroku's form, Airflow's, old airflow.cfg drivers, and any case.
POSTGRESQL_SCHEMES = ["postgres", "postgresql", "postgresql+psycopg2", "postgresql+pg8000"]
POSTGRESQL_SCHEMES += ["postgresql+psycopg", "PostgreSQL"]


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", POSTGRESQL_SCHEMES)
def test_every_postgresql_spelling_opens_the_database_with_psycopg_3(scheme):
    rest = PG_ADMIN_URL.partition("://")[2]
    store = Store(f"{scheme}://{rest}")
    assert store.url == f"postgresql+psycopg://{rest}"
    assert store.engine.dialect.driver == "psycopg"
    assert _select_one(store) == 1


def test_an_absolute_sqlite_path(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'abs.db'}")
    assert store.url == f"sqlite:///{tmp_path}/abs.db"
    assert _select_one(store) == 1
    assert (tmp_path / "abs.db").is_file()


def test_a_relative_sqlite_path_is_opened_from_the_working_directory(tmp_path: Path, monkeypatch):
    # Configuration refuses relative paths; the store itself opens what it is given.
    monkeypatch.chdir(tmp_path)
    store = Store("sqlite:///relative.db")
    assert store.url == "sqlite:///relative.db"
    assert _select_one(store) == 1
    assert (tmp_path / "relative.db").is_file()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_sqlite_in_memory(url):
    store = Store(url)
    assert store.url == url and store.is_sqlite
    assert _select_one(store) == 1
