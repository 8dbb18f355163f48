"""``with teardown:`` / ``with setup >> teardown:`` wire the block's work tasks."""

from __future__ import annotations

from datetime import datetime

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.decorators import setup, task, teardown
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.bash import BashOperator

START = datetime(2024, 1, 1)


def _upstream(dag: DAG, task_id: str) -> set[str]:
    return {t.task_id for t in dag.get_task(task_id).upstream_list}


def test_a_taskflow_teardown_block_runs_its_work_between_setup_and_teardown():
    with DAG("d", schedule=None, start_date=START) as dag:

        @setup
        def make_bucket():
            return "bucket"

        @teardown
        def drop_bucket(name):
            print(name)

        @task
        def fill():
            pass

        @task
        def read():
            pass

        with drop_bucket(make_bucket()):
            fill() >> read()
    assert _upstream(dag, "fill") == {"make_bucket"}
    assert _upstream(dag, "read") == {"fill"}
    assert _upstream(dag, "drop_bucket") == {"make_bucket", "read"}


def test_an_operator_block_and_a_nested_block_link_to_the_outer_pair():
    def bash(task_id: str) -> BashOperator:
        return BashOperator(task_id=task_id, bash_command="true")

    with DAG("d", schedule=None, start_date=START) as dag:
        outer_setup, outer_teardown = bash("s1").as_setup(), bash("t1").as_teardown()
        with outer_setup >> outer_teardown:
            work = bash("work")
            inner_setup, inner_teardown = bash("s2").as_setup(), bash("t2").as_teardown()
            with inner_setup >> inner_teardown:
                bash("inner_work")
    assert _upstream(dag, "work") == {"s1"}
    assert _upstream(dag, "t1") == {"s1", "work", "t2"}
    assert _upstream(dag, "inner_work") == {"s2"}
    assert _upstream(dag, "s2") == {"s1"}
    assert _upstream(dag, "t2") == {"s2", "inner_work"}
    assert work.downstream_list == [outer_teardown]


def test_only_setup_or_teardown_tasks_open_a_block():
    with DAG("d", schedule=None, start_date=START):
        plain = BashOperator(task_id="plain", bash_command="true")
        with pytest.raises(AirflowException, match="Only setup/teardown tasks"):
            plain.__enter__()
