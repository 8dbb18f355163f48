"""The real mysql provider on Brisa's own common.sql: ``SQLExecuteQueryOperator`` and
``MySqlHook`` against the local MariaDB (the provider's mysqlclient needs libmariadb-dev)."""

from __future__ import annotations

import uuid

import pymysql
import pytest

from tests.providers.envs import provider_env
from tests.providers.running import Project

pytestmark = [pytest.mark.mysql, pytest.mark.slow]

VERSIONS = {"newest": ("mysql",), "oldest": ("mysql==6.2.2",)}

DAG = """
from datetime import datetime

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.mysql.hooks.mysql import MySqlHook
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def read_back(ti):
    hook = MySqlHook(mysql_conn_id="local_mysql")
    assert ti.xcom_pull(task_ids="count") == [[2]]
    hook.insert_rows("items", [(3, "three")], target_fields=["id", "name"])
    return hook.get_first("SELECT GROUP_CONCAT(name ORDER BY id) FROM items")[0]


with DAG("provider_mysql", start_date=datetime(2024, 1, 1), schedule=None):
    create = SQLExecuteQueryOperator(
        task_id="create",
        conn_id="local_mysql",
        sql=[
            "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))",
            "INSERT INTO items VALUES (1, 'one'), (2, '{{ ds }}')",
        ],
    )
    count = SQLExecuteQueryOperator(task_id="count", conn_id="local_mysql", sql="SELECT COUNT(*) FROM items")
    create >> count >> PythonOperator(task_id="read_back", python_callable=read_back)
"""


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def mysql_providers(request):
    return provider_env(f"mysql-{request.param}", VERSIONS[request.param])


@pytest.fixture
def database():
    name = f"brisa_provider_{uuid.uuid4().hex[:10]}"
    admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.close()


def _names(database: str) -> str:
    connection = pymysql.connect(host="127.0.0.1", port=3306, user="root", database=database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT GROUP_CONCAT(name ORDER BY id) FROM items")
        (names,) = cursor.fetchone()
    connection.close()
    return names


def _project(penv, tmp_path, database) -> Project:
    url = f"mysql://root@127.0.0.1:3306/{database}"
    return Project.create(penv, tmp_path, {"provider_mysql.py": DAG}, AIRFLOW_CONN_LOCAL_MYSQL=url)


def test_dags_test_runs_sql_and_the_mysql_hook(mysql_providers, tmp_path, database):
    done = _project(mysql_providers, tmp_path, database).dags_test("provider_mysql")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _names(database) == "one,2024-01-01,three"


def test_the_scheduler_runs_the_mysql_dag(mysql_providers, tmp_path, database):
    states = _project(mysql_providers, tmp_path, database).scheduled_run("provider_mysql")
    assert states == {"create": "success", "count": "success", "read_back": "success"}
    assert _names(database).startswith("one,") and _names(database).endswith(",three")
