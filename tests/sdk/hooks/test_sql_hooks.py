"""The SQL hooks against a temporary SQLite file and a scratch PostgreSQL database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from brisa.runtime import use_runtime
from brisa.sdk.hooks.dbapi import DbApiHook, fetch_one_handler, split_sql_string
from brisa.sdk.hooks.postgres import PostgresHook
from brisa.sdk.hooks.sqlite import SqliteHook
from tests.conftest import PG_ADMIN_URL
from tests.sdk.fakes import MemoryRuntime


def pg_connection(database: str, **extra: Any) -> dict[str, Any]:
    """A postgres connection's fields for the test server, with a password trust auth ignores."""
    server = urlsplit(PG_ADMIN_URL)
    return {
        "conn_type": "postgres",
        "host": server.hostname,
        "port": server.port,
        "login": server.username,
        "password": "pg-s3cret-pw",
        "schema": database,
        "extra": extra or None,
    }


@pytest.fixture
def runtime() -> Iterator[MemoryRuntime]:
    runtime = MemoryRuntime()
    with use_runtime(runtime):
        yield runtime


@pytest.fixture
def sqlite_hook(runtime: MemoryRuntime, tmp_path) -> SqliteHook:
    runtime.connections["sqlite_default"] = {"conn_type": "sqlite", "host": str(tmp_path / "test.db")}
    hook = SqliteHook()
    hook.run("CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT)")
    return hook


# -- splitting -----------------------------------------------------------------------------------
def test_split_sql_string_ignores_semicolons_in_quotes_comments_and_dollar_quotes():
    sql = "SELECT 'a;b'; -- not; a split\nSELECT $body$x;y$body$;\n/* c; */ SELECT \"q;\" ;\n  ;"
    assert split_sql_string(sql) == [
        "SELECT 'a;b'",
        "-- not; a split\nSELECT $body$x;y$body$",
        '/* c; */ SELECT "q;"',
    ]


# -- SQLite ----------------------------------------------------------------------------------------
def test_sqlite_hook_inserts_and_reads_rows(sqlite_hook: SqliteHook, tmp_path):
    sqlite_hook.insert_rows("events", [(1, "a"), (2, "b"), (3, "c")], commit_every=2)
    sqlite_hook.insert_rows("events", [["d"]], target_fields=["name"])
    assert sqlite_hook.get_records("SELECT id, name FROM events WHERE id > ? ORDER BY id", [1]) == [
        (2, "b"),
        (3, "c"),
        (4, "d"),
    ]
    assert sqlite_hook.get_first("SELECT count(*) FROM events") == (4,)
    # Committed: another connection to the file sees the rows.
    with sqlite3.connect(tmp_path / "test.db") as other:
        assert other.execute("SELECT count(*) FROM events").fetchone() == (4,)


def test_sqlite_hook_path_in_the_uri_path_and_named_parameters(runtime: MemoryRuntime, tmp_path):
    runtime.connections["lite"] = {"conn_type": "sqlite", "schema": str(tmp_path / "uri.db")}
    hook = SqliteHook(sqlite_conn_id="lite")
    assert hook.get_first("SELECT :a + :b", parameters={"a": 2, "b": 3}) == (5,)
    assert (tmp_path / "uri.db").exists()


def test_run_returns_like_airflow(sqlite_hook: SqliteHook):
    both = "INSERT INTO events (name) VALUES ('x'); SELECT name FROM events"
    assert sqlite_hook.run(both, split_statements=True) is None  # no handler
    fetch = fetch_one_handler
    assert sqlite_hook.run("SELECT 1", handler=fetch) == (1,)
    assert sqlite_hook.run(both, handler=fetch, split_statements=True) == ("x",)
    assert sqlite_hook.run(both, handler=fetch, split_statements=True, return_last=False) == [None, ("x",)]
    assert sqlite_hook.run(["SELECT 1", "SELECT 2"], handler=fetch) == [(1,), (2,)]
    with pytest.raises(ValueError, match="List of SQL statements is empty"):
        sqlite_hook.run([])


def test_hooks_take_their_conn_id_positionally_or_as_airflow_3s_conn_id(runtime: MemoryRuntime, tmp_path):
    runtime.connections["lite"] = {"conn_type": "sqlite", "host": str(tmp_path / "x.db")}
    assert SqliteHook("lite").get_first("SELECT 1") == (1,)
    assert SqliteHook(conn_id="lite").get_conn_id() == "lite"
    assert PostgresHook(conn_id="pg").postgres_conn_id == "pg"
    assert PostgresHook().postgres_conn_id == "postgres_default"


def test_pandas_and_sqlalchemy_are_refused_clearly(sqlite_hook: SqliteHook):
    with pytest.raises(NotImplementedError, match="do not support pandas"):
        sqlite_hook.get_pandas_df("SELECT 1")
    with pytest.raises(NotImplementedError, match="SQLAlchemy"):
        sqlite_hook.get_sqlalchemy_engine()
    with pytest.raises(NotImplementedError, match="must implement get_conn"):
        DbApiHook().get_conn()


def test_sqlite_insert_rows_replace_overwrites_the_row_with_the_same_key(sqlite_hook: SqliteHook):
    sqlite_hook.insert_rows("events", [(1, "a"), (2, "b")])
    sqlite_hook.insert_rows("events", [(2, "B"), (3, "c")], replace=True)
    assert sqlite_hook.get_records("SELECT id, name FROM events ORDER BY id") == [
        (1, "a"),
        (2, "B"),
        (3, "c"),
    ]


# -- PostgreSQL -----------------------------------------------------------------------------------
@pytest.fixture
def pg_hook(runtime: MemoryRuntime, pg_scratch_database: str) -> PostgresHook:
    runtime.connections["postgres_default"] = pg_connection(pg_scratch_database, sslmode="disable")
    hook = PostgresHook()
    hook.run("CREATE TABLE events (id serial PRIMARY KEY, name text, amount numeric)")
    return hook


@pytest.mark.postgres
def test_postgres_hook_inserts_and_reads_rows(pg_hook: PostgresHook, runtime: MemoryRuntime):
    pg_hook.insert_rows("events", [("a", 1), ("b", 2)], target_fields=["name", "amount"])
    assert pg_hook.get_records("SELECT name FROM events WHERE amount > %s", [1]) == [("b",)]
    assert pg_hook.get_first("SELECT count(*) FROM events WHERE name = %(n)s", {"n": "a"}) == (1,)
    # The connection's password is masked in the task's logs once the hook read it.
    assert "pg-s3cret-pw" in runtime.masked


@pytest.mark.postgres
def test_postgres_hook_runs_several_statements_with_parameters_like_psycopg2(pg_hook: PostgresHook):
    pg_hook.run(
        "INSERT INTO events (name) VALUES (%(n)s); INSERT INTO events (name) VALUES (%(n)s || '!')",
        parameters={"n": "x"},
    )
    assert pg_hook.get_records("SELECT name FROM events ORDER BY id") == [("x",), ("x!",)]


@pytest.mark.postgres
def test_postgres_hook_commits_or_autocommits(pg_hook: PostgresHook, pg_scratch_database: str):
    pg_hook.run("INSERT INTO events (name) VALUES ('committed')")
    pg_hook.run("VACUUM events", autocommit=True)  # refused inside a transaction block
    other = PostgresHook(database=pg_scratch_database)
    assert other.get_records("SELECT name FROM events") == [("committed",)]
    conn = pg_hook.get_conn()
    pg_hook.set_autocommit(conn, True)
    assert pg_hook.get_autocommit(conn)
    conn.close()


@pytest.mark.postgres
def test_postgres_hook_passes_driver_extras_and_reads_airflows_own(
    runtime: MemoryRuntime, pg_scratch_database: str
):
    runtime.connections["dicts"] = pg_connection(
        pg_scratch_database, cursor="RealDictCursor", application_name="brisa-test", sqlalchemy_scheme="x"
    )
    hook = PostgresHook(postgres_conn_id="dicts")
    assert hook.get_first("SHOW application_name") == {"application_name": "brisa-test"}


@pytest.mark.postgres
def test_postgres_hook_database_overrides_the_connections(runtime: MemoryRuntime, pg_scratch_database: str):
    runtime.connections["elsewhere"] = pg_connection("postgres")
    hook = PostgresHook(postgres_conn_id="elsewhere", database=pg_scratch_database)
    assert hook.get_first("SELECT current_database()") == (pg_scratch_database,)
    assert hook.get_uri().endswith(f"/{pg_scratch_database}")


@pytest.mark.postgres
def test_postgres_hook_copies_files_in_and_out(pg_hook: PostgresHook, tmp_path):
    (tmp_path / "in.tsv").write_text("1\ta\t1.5\n2\tb\t\\N\n")
    pg_hook.bulk_load("events", str(tmp_path / "in.tsv"))
    assert pg_hook.get_records("SELECT id, name FROM events ORDER BY id") == [(1, "a"), (2, "b")]
    pg_hook.copy_expert(
        "COPY (SELECT name FROM events ORDER BY id) TO STDOUT WITH CSV", str(tmp_path / "out.csv")
    )
    assert (tmp_path / "out.csv").read_text() == "a\nb\n"
    pg_hook.bulk_dump("events", str(tmp_path / "dump.tsv"))
    assert (tmp_path / "dump.tsv").read_text() == "1\ta\t1.5\n2\tb\t\\N\n"


@pytest.mark.postgres
def test_postgres_insert_rows_replace_upserts_on_the_replace_index(pg_hook: PostgresHook):
    fields = ["id", "name", "amount"]
    pg_hook.insert_rows("events", [(1, "a", 1), (2, "b", 2)], target_fields=fields)
    pg_hook.insert_rows(
        "events", [(2, "B", 20), (3, "c", 3)], target_fields=fields, replace=True, replace_index="id"
    )
    pg_hook.insert_rows(
        "events", [(1,)], target_fields=["id"], replace=True, replace_index=["id"]
    )  # DO NOTHING
    rows = pg_hook.get_records("SELECT id, name, amount::int FROM events ORDER BY id")
    assert rows == [(1, "a", 1), (2, "B", 20), (3, "c", 3)]
    with pytest.raises(ValueError, match="replace_index"):
        pg_hook.insert_rows("events", [(4, "d", 4)], target_fields=fields, replace=True)
