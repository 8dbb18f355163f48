"""A SQL DAG through the real scheduler and LocalExecutor on PostgreSQL, as on Heroku:
the connection comes from ``AIRFLOW_CONN_MY_PG``, the rows land in the database, the
rows read back reach the downstream task through XCom, and the task log masks the
connection's password."""

from __future__ import annotations

import json
import shutil

import psycopg
import pytest

from brisa.store.records import TaskKey
from tests.e2e.deployment import DAG_SOURCES, deployment

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

DAG_ID = "e2e_sql_providers"
PASSWORD = "pg-s3cret-pw"  # the server's trust auth ignores it


def test_a_postgres_sql_dag_runs_and_its_task_log_masks_the_password(tmp_path, pg_scratch_database):
    with deployment(tmp_path, "postgres") as deployed:
        deployed.add_dags("sql_providers")
        shutil.copy(DAG_SOURCES / "sql_providers_load.sql", deployed.dags)
        uri = f"postgres://postgres:{PASSWORD}@127.0.0.1:5432/{pg_scratch_database}"
        deployed.env["AIRFLOW_CONN_MY_PG"] = uri
        deployed.start_scheduler()
        deployed.wait_for_dags(DAG_ID)
        run_id = deployed.trigger(DAG_ID)
        assert deployed.wait_for_run(DAG_ID, run_id).state.value == "success", deployed.details()

        ds = deployed.run(DAG_ID, run_id).logical_date.strftime("%Y-%m-%d")
        rows = [[ds, "heroku"], [ds, f"dag:{DAG_ID}"]]
        assert json.loads((deployed.markers / "sql_providers.json").read_text()) == rows
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={pg_scratch_database}") as landed:
            assert landed.execute("SELECT day, source FROM events ORDER BY id").fetchall() == [
                tuple(row) for row in rows
            ]
        log = deployed.log(TaskKey(DAG_ID, run_id, "check", -1), 1)
        assert f"connected to postgresql://postgres:***@127.0.0.1:5432/{pg_scratch_database}" in log
        assert PASSWORD not in log
