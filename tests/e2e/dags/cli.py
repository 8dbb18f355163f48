"""DAGs the CLI tests drive: a manual one and a daily one to backfill."""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from e2e_markers import bash_marked

with DAG("e2e_cli", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    BashOperator(task_id="extract", bash_command=bash_marked("echo extracting {{ ds }}")) >> BashOperator(
        task_id="load", bash_command=bash_marked("echo loading {{ dag_run.conf.get('table', 'none') }}")
    )

with DAG(
    "e2e_cli_daily",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"retries": 0},
):
    BashOperator(
        task_id="report",
        bash_command=bash_marked("echo {{ data_interval_start | ds }} {{ data_interval_end | ds }}"),
    )
