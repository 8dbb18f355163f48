"""Airflow 3 style: the task SDK, TaskFlow, dynamic task mapping and a task group."""

from __future__ import annotations

import pendulum

from airflow.sdk import Param, chain, dag, task, task_group


@dag(
    dag_id="example_taskflow_mapping",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "taskflow", "mapping"],
    params={
        "multiplier": Param(2, type="integer", minimum=1, description="What every number is multiplied by")
    },
)
def example_taskflow_mapping():
    """Extract a list of numbers, transform each one in its own mapped task, then load the total."""

    @task
    def extract() -> list[int]:
        return [1, 2, 3, 4]

    @task
    def multiply(number: int, params=None) -> int:
        return number * params["multiplier"]

    @task_group(tooltip="Sum the mapped results and report them")
    def load(values):
        @task
        def total(numbers) -> int:
            return sum(numbers)

        @task.bash
        def report(amount: int) -> str:
            return f"echo 'the total is {amount}'"

        return report(total(values))

    @task
    def describe(label: str, value: int) -> str:
        return f"{label}={value}"

    products = multiply.expand(number=extract())
    loaded = load(products)
    labels = describe.partial(value=1).expand(label=["a", "b"])
    chain(loaded, labels)


example_taskflow_mapping()
