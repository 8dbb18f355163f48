"""A Heroku-style SQL DAG: the postgres provider's operator runs a ``.sql`` file kept
next to this file, SQLExecuteQueryOperator reads the rows back (to XCom), and a Python
task writes the pulled XCom to ``markers/sql_providers.json`` and prints the hook's
URI, whose password the task log must mask. The connection is ``AIRFLOW_CONN_MY_PG``."""

import json
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.postgres.operators.postgres import PostgresOperator

MARKERS = Path(__file__).resolve().parent.parent / "markers"


def check(ti):
    rows = ti.xcom_pull(task_ids="read")
    MARKERS.mkdir(exist_ok=True)
    (MARKERS / "sql_providers.json").write_text(json.dumps(rows))
    print(f"connected to {PostgresHook(postgres_conn_id='my_pg').get_uri()}")


with DAG("e2e_sql_providers", schedule=None, start_date=datetime(2024, 1, 1)):
    load = PostgresOperator(
        task_id="load",
        postgres_conn_id="my_pg",
        sql="sql_providers_load.sql",
        parameters={"source": "heroku"},
    )
    read = SQLExecuteQueryOperator(
        task_id="read",
        conn_id="my_pg",
        sql="SELECT day, source FROM events WHERE day = %(day)s ORDER BY id",
        parameters={"day": "{{ ds }}"},
    )
    load >> read >> PythonOperator(task_id="check", python_callable=check)
