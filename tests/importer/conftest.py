"""Source databases for the importer: Airflow 1.10 built here, 2.x and 3.x made by Airflow."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from brisa.auth.passwords import make_hasher
from brisa.config import load_settings
from brisa.importer import ImportOptions, ImportReport, Recrypt, import_airflow, open_source
from brisa.secrets.fernet import FernetCodec
from brisa.store.sql import Store
from tests.conftest import PG_ADMIN_URL

BRISA_FERNET_KEY = "Jm1Ud0Rbx7OmbnOtzPbI6kfnWQ3k7KLyVGTFJoKvcgU="
NOW_TEXT = "2026-01-02T03:04:05+00:00"


MYSQL_ADMIN_URL = os.environ.get("BRISA_TEST_MYSQL", "mysql://root@127.0.0.1:3306")
MYSQL_SERVER_ZONE = "+05:00"
"""The session time zone the MySQL source's server gives (a managed MySQL set to local
time, say): Airflow sets UTC on its own sessions, and so must the importer."""


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def mysql_url(name: str) -> str:
    """Airflow's ``mysql://`` URL of database ``name``, on a server not in UTC."""
    zone = quote(f"SET time_zone = '{MYSQL_SERVER_ZONE}'")
    return f"{MYSQL_ADMIN_URL}/{name}?init_command={zone}"


@pytest.fixture
def mysql_scratch_database() -> Iterator[str]:
    """An empty MySQL/MariaDB database, dropped after the test (mark such tests ``mysql``)."""
    name = f"brisa_mysql_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(MYSQL_ADMIN_URL.replace("mysql://", "mysql+pymysql://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def source_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database for a source, on SQLite, PostgreSQL and MySQL (MariaDB)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/airflow.db"
    elif request.param == "postgres":
        yield pg_url(request.getfixturevalue("pg_scratch_database"))
    else:
        yield mysql_url(request.getfixturevalue("mysql_scratch_database"))


@pytest.fixture
def brisa_codec() -> FernetCodec:
    return FernetCodec([BRISA_FERNET_KEY])


@pytest.fixture
def brisa_settings(tmp_path):  # type: ignore[no-untyped-def]
    return load_settings({"BRISA__CORE__FERNET_KEY": BRISA_FERNET_KEY}, home=str(tmp_path))


Importer = Callable[..., ImportReport]


@pytest.fixture
def run_import(brisa_codec: FernetCodec) -> Importer:
    """``run_import(url, store, keys, **options)``: the library call the CLI makes."""
    from datetime import datetime

    from cryptography.fernet import Fernet, MultiFernet

    fast = make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)

    def run(url: str, store: Store, keys: list[str], **options) -> ImportReport:  # type: ignore[no-untyped-def]
        source_keys = MultiFernet([Fernet(k) for k in keys]) if keys else None
        recrypt = Recrypt(source=source_keys, encrypt=brisa_codec.encrypt)
        with open_source(url) as source:
            return import_airflow(
                source,
                store,
                recrypt,
                ImportOptions(**options),
                now=datetime.fromisoformat(NOW_TEXT),
                hash_password=lambda p: fast.hash(p),
            )

    return run


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    return {kind: (t.new, t.present, t.skipped) for kind, t in report.tallies.items()}
