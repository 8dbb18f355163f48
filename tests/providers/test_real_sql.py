"""The real common.sql and postgres packages replacing Brisa's own, against PostgreSQL:
``SQLExecuteQueryOperator`` and ``PostgresHook`` from the installed packages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL
from tests.providers.envs import provider_env
from tests.providers.running import Project

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

VERSIONS = {"newest": ("common.sql", "postgres"), "oldest": ("common.sql==1.26.0", "postgres==6.1.3")}

DAG = """
from datetime import datetime

import airflow.providers.common.sql.operators.sql as sql_module
import airflow.providers.postgres.hooks.postgres as pg_module
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

# The installed packages answer, not Brisa's stand-ins.
assert "site-packages" in sql_module.__file__ and "site-packages" in pg_module.__file__, (
    sql_module.__file__, pg_module.__file__,
)


def read_back(ti):
    counted = ti.xcom_pull(task_ids="count")
    assert [list(row) for row in counted] == [[2]], counted
    hook = PostgresHook(postgres_conn_id="local_pg")
    hook.insert_rows("items", [(3, "three")], target_fields=["id", "name"])
    return hook.get_first("SELECT string_agg(name, ',' ORDER BY id) FROM items")[0]


with DAG("provider_real_sql", start_date=datetime(2024, 1, 1), schedule=None):
    create = SQLExecuteQueryOperator(
        task_id="create",
        conn_id="local_pg",
        sql=[
            "CREATE TABLE items (id INT PRIMARY KEY, name TEXT)",
            "INSERT INTO items VALUES (1, 'one'), (2, '{{ ds }}')",
        ],
    )
    count = SQLExecuteQueryOperator(task_id="count", conn_id="local_pg", sql="SELECT COUNT(*) FROM items")
    create >> count >> PythonOperator(task_id="read_back", python_callable=read_back)
"""


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def sql_providers(request):
    return provider_env(f"sql-{request.param}", VERSIONS[request.param])


def _names(database: str) -> str:
    url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{database}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT string_agg(name, ',' ORDER BY id) FROM items")).scalar_one()
    engine.dispose()
    return names


def _project(penv, tmp_path, database) -> Project:
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    return Project.create(penv, tmp_path, {"provider_real_sql.py": DAG}, AIRFLOW_CONN_LOCAL_PG=url)


def test_providers_list_says_the_installed_packages_answer(sql_providers):
    listed = sql_providers.brisa("providers", "list", "-o", "plain").stdout.splitlines()
    sources = {line.split("\t")[0]: line.split("\t")[-1] for line in listed}
    assert sources["apache-airflow-providers-common-sql"] == "installed"
    assert sources["apache-airflow-providers-postgres"] == "installed"
    assert sources["apache-airflow-providers-sqlite"] == "brisa"


def test_dags_test_runs_the_real_sql_operator_and_hook(sql_providers, tmp_path, pg_scratch_database):
    done = _project(sql_providers, tmp_path, pg_scratch_database).dags_test("provider_real_sql")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _names(pg_scratch_database) == "one,2024-01-01,three"


def test_the_scheduler_runs_the_real_sql_dag(sql_providers, tmp_path, pg_scratch_database):
    states = _project(sql_providers, tmp_path, pg_scratch_database).scheduled_run("provider_real_sql")
    assert states == {"create": "success", "count": "success", "read_back": "success"}
    assert _names(pg_scratch_database).endswith(",three")
