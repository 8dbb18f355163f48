"""What a task sees and prints: ``env`` in a BashOperator (Brisa's keys and database URL
must not be there; connections from the environment are, masked), a PythonOperator
returning secrets under sensitive keys and under harmless ones, and a JSON variable
whose nested ``token`` is printed."""

from datetime import datetime

from airflow import DAG
from airflow.hooks.base import BaseHook
from airflow.models import Variable
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def returns_secrets():
    password = BaseHook.get_connection("warehouse").password
    return {"password": "returned-pw-31337", "dsn": f"postgresql://etl:{password}@db/w", "rows": 3}


def prints_a_json_variable():
    service = Variable.get("service", deserialize_json=True)
    print(f"calling {service['url']} with token {service['auth']['token']}")


with DAG("e2e_task_env", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    BashOperator(task_id="env", bash_command="env | sort")
    PythonOperator(task_id="returns_secrets", python_callable=returns_secrets)
    PythonOperator(task_id="prints_a_json_variable", python_callable=prints_a_json_variable)
