"""Airflow's alert emails: a failing BashOperator with ``email_on_failure`` (and a
retry first, with ``email_on_retry``), and an EmailOperator sending a templated mail."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.email import EmailOperator

default_args = {
    "email": ["ops@example.com"],
    "email_on_failure": True,
    "email_on_retry": True,
    "retries": 1,
    "retry_delay": timedelta(seconds=0),
}

with DAG(
    "e2e_email_alerts", schedule=None, start_date=datetime(2024, 1, 1), default_args=default_args
) as dag:
    EmailOperator(
        task_id="report",
        to="team@example.com",
        subject="Report {{ ds }}",
        html_content="<p>{{ dag.dag_id }} ran for {{ ds }}</p>",
    ) >> BashOperator(task_id="fail", bash_command="echo failing; exit 3")
