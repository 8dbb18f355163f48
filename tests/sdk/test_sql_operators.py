"""SQLExecuteQueryOperator, PostgresOperator and SqliteOperator run as tasks."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.sql import PostgresOperator, SQLExecuteQueryOperator, SqliteOperator

from .fakes import MemoryRuntime, run_task
from .hooks.test_sql_hooks import pg_connection

LOGICAL = datetime(2024, 3, 4, tzinfo=UTC)
ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
LOAD_SQL = """
CREATE TABLE events (day TEXT, source TEXT);
INSERT INTO events VALUES ('{{ ds }}', 'file'), ('{{ ds }}', '{{ params.source }}');
"""


def dag_in(folder: Path, factory: Any) -> DAG:
    """A DAG whose file is in ``folder``: template files are looked up next to it."""
    with DAG("d", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        factory()
    dag.fileloc = str(folder / "dag.py")
    return dag


def sqlite_runtime(tmp_path: Path) -> MemoryRuntime:
    runtime = MemoryRuntime()
    runtime.connections["lite"] = {"conn_type": "sqlite", "host": str(tmp_path / "t.db")}
    return runtime


def test_sql_file_next_to_the_dag_is_rendered_and_rows_go_to_xcom(tmp_path):
    (tmp_path / "load.sql").write_text(LOAD_SQL)

    def tasks() -> None:
        SqliteOperator(
            task_id="load",
            sqlite_conn_id="lite",
            sql="load.sql",
            split_statements=True,
            params={"source": "p"},
        )
        SQLExecuteQueryOperator(
            task_id="read",
            conn_id="lite",
            sql="SELECT day, source FROM events WHERE day = ? ORDER BY source",
            parameters=["{{ ds }}"],
        )

    dag, runtime = dag_in(tmp_path, tasks), sqlite_runtime(tmp_path)
    assert run_task(dag, "load", runtime, logical_date=LOGICAL) is None
    rows = [["2024-03-04", "file"], ["2024-03-04", "p"]]
    assert run_task(dag, "read", runtime, logical_date=LOGICAL) == rows
    assert runtime.xcoms[("d", "r", "read", -1, "return_value")] == rows


def test_every_statements_result_and_no_push(tmp_path, caplog):
    def tasks() -> None:
        SQLExecuteQueryOperator(
            task_id="all",
            conn_id="lite",
            sql="SELECT 1; SELECT 2, 3",
            split_statements=True,
            return_last=False,
            show_return_value_in_logs=True,
        )
        SQLExecuteQueryOperator(task_id="quiet", conn_id="lite", sql="SELECT 1", do_xcom_push=False)

    dag, runtime = dag_in(tmp_path, tasks), sqlite_runtime(tmp_path)
    with caplog.at_level(logging.INFO):
        assert run_task(dag, "all", runtime) == [[[1]], [[2, 3]]]
    assert "Operator output is: [[(1,)], [(2, 3)]]" in caplog.text
    assert run_task(dag, "quiet", runtime) is None
    assert ("d", "r", "quiet", -1, "return_value") not in runtime.xcoms


def test_other_databases_fail_naming_the_conn_type(tmp_path):
    dag = dag_in(tmp_path, lambda: SQLExecuteQueryOperator(task_id="q", conn_id="shop", sql="SELECT 1"))
    runtime = MemoryRuntime()
    runtime.connections["shop"] = {"conn_type": "mysql", "host": "db.example.com"}
    with pytest.raises(AirflowException, match=r"support only postgres and sqlite.*conn_type 'mysql'"):
        run_task(dag, "q", runtime)


@pytest.mark.postgres
def test_postgres_operator_runs_a_sql_file_with_parameters(tmp_path, pg_scratch_database):
    (tmp_path / "load.sql").write_text(LOAD_SQL.replace("'{{ params.source }}'", "%(source)s"))

    def tasks() -> None:
        PostgresOperator(task_id="load", sql="load.sql", parameters={"source": "pg"})
        PostgresOperator(
            task_id="read",
            sql="SELECT source, count(*) FROM events WHERE day = '{{ ds }}' GROUP BY source ORDER BY 1",
            database=pg_scratch_database,
        )

    dag, runtime = dag_in(tmp_path, tasks), MemoryRuntime()
    runtime.connections["postgres_default"] = pg_connection(pg_scratch_database)
    assert run_task(dag, "load", runtime, logical_date=LOGICAL) is None
    assert run_task(dag, "read", runtime, logical_date=LOGICAL) == [["file", 1], ["pg", 1]]
    assert "pg-s3cret-pw" in runtime.masked


@pytest.mark.postgres
def test_sql_execute_query_operator_chooses_the_postgres_hook(tmp_path, pg_scratch_database):
    dag = dag_in(
        tmp_path,
        lambda: SQLExecuteQueryOperator(
            task_id="q", conn_id="pg", sql=f"SELECT %s::date + 1, '{ID}'::uuid", parameters=[LOGICAL.date()]
        ),
    )
    runtime = MemoryRuntime()
    runtime.connections["pg"] = {**pg_connection(pg_scratch_database), "conn_type": "postgresql"}
    # Dates stay dates (Brisa's XComs keep them); UUIDs become text, as JSON needs.
    assert run_task(dag, "q", runtime) == [[date(2024, 3, 5), ID]]
