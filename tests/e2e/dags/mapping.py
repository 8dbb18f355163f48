"""TaskFlow with dynamic task mapping: XComs flow from a list to mapped tasks to a sum,
which a templated BashOperator then prints; mapping over nothing skips."""

from datetime import datetime

from airflow import DAG
from airflow.decorators import task
from airflow.operators.bash import BashOperator

with DAG("e2e_mapping", schedule=None, start_date=datetime(2024, 1, 1)):

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def nothing():
        return []

    @task
    def scale(x, factor):
        return x * factor

    @task
    def total(values):
        return sum(values)

    scaled = scale.partial(factor=10).expand(x=numbers())
    summed = total(scaled)
    report = BashOperator(task_id="report", bash_command="echo total={{ ti.xcom_pull(task_ids='total') }}")
    summed >> report
    scale.override(task_id="scale_nothing").partial(factor=10).expand(x=nothing())
