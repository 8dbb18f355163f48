"""A failure alert as Airflow DAGs write them: the DAG's on_failure_callback reads a
webhook from a variable and a password from a connection, and the UI's address from
``conf``. It writes what it read to ``markers/dag_callback_secrets.json`` and prints an
alert line, which the scheduler logs (masked)."""

import json
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.configuration import conf
from airflow.hooks.base import BaseHook
from airflow.models import Variable
from airflow.operators.bash import BashOperator

MARKERS = Path(__file__).resolve().parent.parent / "markers"


def alert(context):
    webhook = Variable.get("webhook")
    password = BaseHook.get_connection("alerts").password
    seen = {
        "webhook": webhook,
        "password": password,
        "base_url": conf.get("webserver", "base_url"),
        "reason": context["reason"],
    }
    MARKERS.mkdir(exist_ok=True)
    (MARKERS / "dag_callback_secrets.json").write_text(json.dumps(seen))
    print(f"alert: {context['dag'].dag_id} failed; posting to {webhook} with password {password}")


with DAG(
    "e2e_dag_callback_secrets",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    on_failure_callback=alert,
):
    BashOperator(task_id="extract", bash_command="exit 1")
