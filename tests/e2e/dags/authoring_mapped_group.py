"""A mapped task group (Airflow 2.5+): each index adds, doubles and echoes; one index
fails, which fails only that index's downstream in the group; a task after the group
sums what every index returned."""

from datetime import datetime

from airflow import DAG
from airflow.decorators import task, task_group
from airflow.operators.bash import BashOperator

with DAG("e2e_mapped_group", schedule=None, start_date=datetime(2024, 1, 1)):

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def add(x, y):
        return x + y

    @task
    def double(value):
        if value == 12:
            raise RuntimeError("index 1 fails on purpose")
        return 2 * value

    @task
    def label(value):
        return f"doubled={value}"

    @task(trigger_rule="all_done")
    def total(values):
        return sorted(v for v in values if v is not None)

    @task_group
    def tg(x, y):
        doubled = double(add(x, y))
        label(doubled)
        BashOperator(task_id="echo", bash_command="echo index={{ ti.map_index }}")
        return doubled

    total(tg.partial(y=10).expand(x=numbers()))

    @task_group
    def pairs(word, count):
        @task
        def repeat(word, count):
            return word * count

        return repeat(word, count)

    @task
    def joined(values):
        return ",".join(values)

    joined(pairs.expand_kwargs([{"word": "a", "count": 1}, {"word": "b", "count": 2}]))
