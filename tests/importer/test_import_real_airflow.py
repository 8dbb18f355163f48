"""Importing databases made by real Airflow 2.10 and 3.3 (SQLite and PostgreSQL) into Brisa."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.auth.passwords import make_hasher
from brisa.importer import KINDS
from brisa.importer.mapping import simple_auth_users
from brisa.importer.source import read_only_engine
from brisa.secrets.service import SecretsService
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.sql import Store, normalize_url
from brisa.testing import FakeClock
from tests.api.conftest import build_api
from tests.conftest import _pg_engine
from tests.importer import airflow_real
from tests.importer.conftest import counts, pg_url

pytestmark = pytest.mark.slow

SOURCES = [
    ("2.10.5", "sqlite"),
    pytest.param(("2.10.5", "postgres"), marks=pytest.mark.postgres),
    ("3.3.2", "sqlite"),
    pytest.param(("3.3.2", "postgres"), marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=SOURCES, ids=lambda p: "-".join(p))
def airflow_source(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[airflow_real.AirflowSource]:  # type: ignore[no-untyped-def]
    version, backend = request.param
    home = tmp_path_factory.mktemp(f"airflow-{version}-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{home}/airflow.db"
        yield airflow_real.make_source(version, url, url, home)
        return
    name = f"airflow_src_{uuid.uuid4().hex[:10]}"
    engine = _pg_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        airflow_url = pg_url(name).replace("postgresql://", "postgresql+psycopg2://")
        yield airflow_real.make_source(version, airflow_url, pg_url(name), home)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _import(run_import, source: airflow_real.AirflowSource, store: Store, **options):  # type: ignore[no-untyped-def]
    return run_import(
        source.url,
        store,
        [airflow_real.FERNET_KEY],
        simple_auth_users=simple_auth_users(source.simple_auth_users),
        simple_auth_passwords=source.passwords,
        **options,
    )


EXPECTED = {
    "connections": (1, 0, 0),
    "variables": (2, 0, 0),
    "pools": (1, 1, 0),
    "users": (2, 0, 0),
    "dags": (2, 0, 0),
    "runs": (2, 0, 1),  # the triggered run is still queued: not finished, not imported
    "task_instances": (4, 0, 2),  # ... and its task instances (Airflow creates them at trigger)
}


def test_everything_is_imported_once(airflow_source, memory_store: Store, run_import, brisa_settings) -> None:
    dry = _import(run_import, airflow_source, memory_store, dry_run=True)
    assert dry.version.release.startswith(airflow_source.version[:3])
    assert counts(dry) == EXPECTED
    assert counts(_import(run_import, airflow_source, memory_store)) == EXPECTED
    again = _import(run_import, airflow_source, memory_store)
    assert {kind: new for kind, (new, _, _) in counts(again).items()} == dict.fromkeys(EXPECTED, 0)

    secrets = SecretsService.from_settings(brisa_settings, memory_store, {})
    warehouse = secrets.get_connection("warehouse")
    assert (warehouse["login"], warehouse["password"], warehouse["host"]) == (
        "etl",
        "pg-secret",
        "db.example.com",
    )
    assert secrets.get_variable("env") == "production"
    with memory_store.transaction(readonly=True) as tx:
        assert {u.username: u.role for u in tx.users.list().items} == {"bob": "Viewer", "maria": "Admin"}
        paused = {d.dag_id: d.is_paused for d in tx.dags.list(active=None).items}
        assert paused == {"etl": False, "reports": True}
        assert tx.pools.get("db").slots == 3


def test_runs_and_task_instances_keep_their_states(airflow_source, memory_store: Store, run_import) -> None:
    _import(run_import, airflow_source, memory_store, kinds=("runs", "task_instances"))
    with memory_store.engine.connect() as conn:
        runs = {r["dag_id"]: r for r in conn.execute(sa.select(s.dag_run)).mappings()}
        tis = {(t["dag_id"], t["task_id"]): t for t in conn.execute(sa.select(s.task_instance)).mappings()}
    assert {d: (r["state"], r["run_type"]) for d, r in runs.items()} == {
        "etl": ("success", "manual"),
        "reports": ("failed", "manual"),
    }
    assert runs["etl"]["logical_date"].isoformat() == "2024-01-01T00:00:00+00:00"
    assert {k: t["state"] for k, t in tis.items()} == {
        ("etl", "extract"): "success",
        ("etl", "load"): "success",
        ("reports", "build"): "failed",
        ("reports", "send"): "upstream_failed",
    }
    assert tis[("etl", "extract")]["try_number"] == 1
    assert tis[("etl", "extract")]["run_id"] == runs["etl"]["run_id"]


def test_xcoms_come_with_their_values(airflow_source, memory_store: Store, run_import) -> None:
    report = _import(run_import, airflow_source, memory_store, kinds=("runs", "xcoms"))
    assert report.tallies["xcoms"].new >= 2
    with memory_store.transaction(readonly=True) as tx:
        run_id = tx.runs.list(dag_id="etl").items[0].run_id
        record = tx.xcoms.get(TaskKey("etl", run_id, "extract"), "return_value")
    assert record.value == "extract"


def test_users_log_in_with_their_airflow_password(
    airflow_source, memory_store: Store, run_import, brisa_settings
) -> None:
    _import(run_import, airflow_source, memory_store, kinds=("users",))
    password = airflow_source.passwords.get("maria", airflow_real.FAB_PASSWORD)
    api = build_api(
        memory_store, brisa_settings, FakeClock(), make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)
    )
    assert (
        api.client.post("/auth/token", json={"username": "maria", "password": "wrong-password"}).status_code
        == 401
    )
    response = api.client.post("/auth/token", json={"username": "maria", "password": password})
    assert response.status_code == 201, response.text
    with memory_store.transaction(readonly=True) as tx:
        assert tx.users.require("maria").password_hash.startswith("$argon2id$")


def test_the_source_is_never_written(airflow_source, memory_store: Store, run_import) -> None:
    before = _fingerprint(airflow_source.url)
    _import(run_import, airflow_source, memory_store, kinds=KINDS)
    assert _fingerprint(airflow_source.url) == before
    engine = read_only_engine(airflow_source.url)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("UPDATE variable SET val = 'x'"))
    finally:
        engine.dispose()


def _fingerprint(url: str) -> str:
    """The SQLite file's bytes; on PostgreSQL every row of the tables the import reads."""
    if url.startswith("sqlite"):
        return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()
    engine = sa.create_engine(normalize_url(url))
    tables = ("connection", "variable", "slot_pool", "ab_user", "dag", "dag_run", "task_instance", "xcom")
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            rows = [
                conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in tables if t in names
            ]
    finally:
        engine.dispose()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
