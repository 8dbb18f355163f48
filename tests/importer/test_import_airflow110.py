"""Importing an Airflow 1.10.15 database (SQLite, PostgreSQL and MySQL) into Brisa."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.auth.roles import Role
from brisa.errors import SecretsError
from brisa.importer import DEFAULT_KINDS
from brisa.importer.source import read_only_engine
from brisa.secrets.service import SecretsService
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.testing import FakeClock
from tests.api.conftest import build_api
from tests.importer import airflow110
from tests.importer.conftest import counts

FIRST = {
    "connections": (2, 0, 0),
    "variables": (2, 0, 0),
    "pools": (1, 1, 0),  # Brisa has its own default_pool already
    "users": (1, 0, 0),
    "dags": (2, 0, 0),
    "runs": (3, 0, 1),  # the running run waits for a later import
    "task_instances": (6, 0, 2),
}


def test_everything_is_imported_once_and_secrets_are_re_encrypted(
    source_url, memory_store: Store, run_import, brisa_settings
) -> None:
    airflow110.build(source_url)
    report = run_import(source_url, memory_store, [airflow110.FERNET_KEY])
    assert report.version.family == "1.10" and report.version.revision == airflow110.HEAD_1_10_15
    assert counts(report) == FIRST
    again = run_import(source_url, memory_store, [airflow110.FERNET_KEY])
    assert {kind: new for kind, (new, _, _) in counts(again).items()} == dict.fromkeys(FIRST, 0)

    secrets = SecretsService.from_settings(brisa_settings, memory_store, {})
    warehouse = secrets.get_connection("warehouse")
    assert (warehouse["password"], warehouse["extra"]) == ("pg-secret", {"sslmode": "require"})
    assert secrets.get_variable("env") == "production"
    assert secrets.get_variable("plain") == airflow110.PLAIN_VARIABLE
    with memory_store.transaction(readonly=True) as tx:
        stored = tx.connections.get("warehouse")
        assert stored.password != "pg-secret" and stored.is_encrypted
        assert tx.users.require("maria").role == Role.ADMIN.value
        assert tx.users.require("maria").password_hash.startswith("$2b$12$")
        paused = {d.dag_id: d.is_paused for d in tx.dags.list(active=None).items}
        assert paused == {"etl": False, "reports": True}


def test_runs_and_task_instances_keep_states_dates_tries_and_conf(
    source_url, memory_store: Store, run_import
) -> None:
    airflow110.build(source_url)
    run_import(source_url, memory_store, [airflow110.FERNET_KEY])
    with memory_store.engine.connect() as conn:
        runs = conn.execute(sa.select(s.dag_run).order_by(s.dag_run.c.logical_date)).mappings().all()
        tis = conn.execute(sa.select(s.task_instance)).mappings().all()
    assert [(r["run_type"], r["state"], r["conf"]) for r in runs] == [
        ("scheduled", "success", '{"day": 0}'),
        ("scheduled", "failed", '{"day": 1}'),
        ("scheduled", "success", '{"day": 2}'),
    ]
    assert runs[0]["logical_date"].isoformat() == "2021-03-01T00:00:00+00:00"
    assert runs[0]["run_id"] == "scheduled__2021-03-01T00:00:00"
    failed = [ti for ti in tis if ti["run_id"] == runs[1]["run_id"]]
    assert {(ti["task_id"], ti["state"], ti["try_number"], ti["max_tries"]) for ti in failed} == {
        ("extract", "failed", 2, 1),
        ("load", "failed", 2, 1),
    }
    assert all(ti["end_date"] is not None and ti["duration"] == 3600.0 for ti in tis)


@pytest.mark.parametrize(
    "keys", [[], ["wRlWrnCq6xDNrzVJDY_sI1n9mJt0Q8f5Fz8cNLkhq0s="]], ids=["missing", "wrong"]
)
@pytest.mark.filterwarnings("error:Previous unbuffered result")  # MySQL: the stream is dropped, not read
def test_a_wrong_or_missing_key_is_an_error_and_imports_nothing(
    source_url, memory_store: Store, run_import, keys
) -> None:
    airflow110.build(source_url)
    with pytest.raises(SecretsError, match="fernet"):
        run_import(source_url, memory_store, keys)
    with memory_store.engine.connect() as conn:
        for table in (s.connection, s.variable, s.user, s.dag, s.dag_run, s.task_instance):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


def test_a_rotated_key_list_decrypts_with_any_of_them(source_url, memory_store: Store, run_import) -> None:
    airflow110.build(source_url)
    newer = "wRlWrnCq6xDNrzVJDY_sI1n9mJt0Q8f5Fz8cNLkhq0s="
    report = run_import(source_url, memory_store, [newer, airflow110.FERNET_KEY])
    assert report.tallies["connections"].new == 2


def test_dry_run_counts_and_writes_nothing(source_url, memory_store: Store, run_import) -> None:
    airflow110.build(source_url)
    report = run_import(source_url, memory_store, [airflow110.FERNET_KEY], dry_run=True)
    assert report.dry_run and counts(report) == FIRST
    with memory_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.dag_run)).scalar_one() == 0


def test_xcoms_come_only_when_asked_for_with_their_pickled_values(
    source_url, memory_store: Store, run_import
) -> None:
    airflow110.build(source_url)
    assert "xcoms" not in run_import(source_url, memory_store, [airflow110.FERNET_KEY]).tallies
    report = run_import(source_url, memory_store, [airflow110.FERNET_KEY], kinds=("xcoms",))
    assert counts(report) == {"xcoms": (3, 0, 1)}
    with memory_store.transaction(readonly=True) as tx:
        record = tx.xcoms.get(TaskKey("etl", "scheduled__2021-03-02T00:00:00", "extract"), "return_value")
    assert record.value == {"rows": 10}


def test_only_limits_the_kinds(source_url, memory_store: Store, run_import) -> None:
    airflow110.build(source_url)
    report = run_import(source_url, memory_store, [airflow110.FERNET_KEY], kinds=("variables", "pools"))
    assert set(report.tallies) == {"variables", "pools"}


def test_the_source_is_never_written(tmp_path: Path, memory_store: Store, run_import) -> None:
    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    before = hashlib.sha256((tmp_path / "airflow.db").read_bytes()).hexdigest()
    run_import(url, memory_store, [airflow110.FERNET_KEY])
    assert hashlib.sha256((tmp_path / "airflow.db").read_bytes()).hexdigest() == before


def test_the_source_connection_refuses_writes(source_url) -> None:
    airflow110.build(source_url)
    engine = read_only_engine(source_url)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM variable"))
    finally:
        engine.dispose()


def test_a_1_10_user_logs_in_with_the_old_password_then_holds_an_argon2_hash(
    tmp_path: Path, memory_store: Store, run_import, brisa_settings
) -> None:
    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    run_import(url, memory_store, [airflow110.FERNET_KEY], kinds=("users",))
    from brisa.auth.passwords import make_hasher

    api = build_api(
        memory_store, brisa_settings, FakeClock(), make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)
    )
    bad = api.client.post("/auth/token", json={"username": "maria", "password": "not-it-at-all"})
    assert bad.status_code == 401
    good = api.client.post("/auth/token", json={"username": "maria", "password": airflow110.PASSWORD})
    assert good.status_code == 201, good.text
    with memory_store.transaction(readonly=True) as tx:
        assert tx.users.require("maria").password_hash.startswith("$argon2id$")
    again = api.client.post("/auth/token", json={"username": "maria", "password": airflow110.PASSWORD})
    assert again.status_code == 201


@pytest.mark.postgres
def test_into_a_postgresql_brisa(tmp_path: Path, pg_store: Store, run_import) -> None:
    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    assert counts(run_import(url, pg_store, [airflow110.FERNET_KEY], kinds=(*DEFAULT_KINDS, "xcoms"))) == {
        **FIRST,
        "xcoms": (3, 0, 1),
    }
    again = run_import(url, pg_store, [airflow110.FERNET_KEY], kinds=(*DEFAULT_KINDS, "xcoms"))
    assert sum(new for new, _, _ in counts(again).values()) == 0


def test_progress_is_reported_per_kind_up_to_its_total(tmp_path: Path, memory_store: Store) -> None:
    from datetime import UTC, datetime

    from cryptography.fernet import Fernet, MultiFernet

    from brisa.importer import ImportOptions, Recrypt, import_airflow, open_source

    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    seen: dict[str, tuple[int, int]] = {}
    recrypt = Recrypt(source=MultiFernet([Fernet(airflow110.FERNET_KEY)]), encrypt=lambda text: text)
    with open_source(url) as source:
        import_airflow(
            source,
            memory_store,
            recrypt,
            ImportOptions(dry_run=True),
            now=datetime(2026, 1, 1, tzinfo=UTC),
            hash_password=str,
            progress=lambda kind, done, total: seen.__setitem__(kind, (done, total)),
        )
    assert seen["runs"] == (4, 4) and seen["task_instances"] == (8, 8) and seen["connections"] == (2, 2)


def test_task_logs_come_from_the_log_folder_by_1_10s_layout(
    tmp_path: Path, memory_store: Store, run_import
) -> None:
    url = f"sqlite:///{tmp_path}/airflow.db"
    airflow110.build(url)
    folder = tmp_path / "logs"
    first = folder / "etl" / "extract" / "2021-03-02T00:00:00+00:00"  # the failed run: 2 tries
    first.mkdir(parents=True)
    (first / "1.log").write_text("try one failed\n")
    (first / "2.log").write_text("try two\n" * 10000)  # more than one chunk
    kinds = ("runs", "task_instances", "logs")
    report = run_import(url, memory_store, [airflow110.FERNET_KEY], kinds=kinds, logs_folder=folder)
    assert report.tallies["logs"].new == 2
    assert report.tallies["logs"].skipped == 6  # the other finished tries have no file
    key = TaskKey("etl", "scheduled__2021-03-02T00:00:00", "extract")
    with memory_store.transaction(readonly=True) as tx:
        assert tx.logs.read(key, 1)[0] == "try one failed\n"
        assert tx.logs.read(key, 2)[0] == "try two\n" * 10000
    again = run_import(url, memory_store, [airflow110.FERNET_KEY], kinds=kinds, logs_folder=folder)
    assert (again.tallies["logs"].new, again.tallies["logs"].present) == (0, 2)
