"""XComArg.zip (Airflow 2.5+): mapped tasks over zipped XComs, shortest and padded."""

from datetime import datetime

from airflow import DAG
from airflow.decorators import task
from airflow.operators.bash import BashOperator

with DAG("e2e_zip", schedule=None, start_date=datetime(2024, 1, 1)):

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def letters():
        return ["a", "b"]

    @task
    def pair(item):
        return f"{item[0]}{item[1]}"

    @task
    def collect(values):
        return sorted(values)

    left, right = numbers(), letters()
    collect.override(task_id="shortest")(pair.expand(item=left.zip(right)))
    collect.override(task_id="longest")(
        pair.override(task_id="pair_longest").expand(item=left.zip(right, fillvalue="-"))
    )
    BashOperator.partial(task_id="echo").expand_kwargs(
        left.zip(right).map(lambda t: {"bash_command": f"echo zipped={t[0]}{t[1]}"})
    )
