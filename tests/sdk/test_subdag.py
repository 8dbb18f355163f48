"""SubDagOperator against Airflow 2.10's ``airflow/operators/subdag.py``: the retry of a failed
child run (only its failed tasks), ``propagate_skipped_state`` (leaves of the child run)."""

from datetime import UTC, datetime

import pytest

from brisa.runtime import RESET_FAILED_TASKS, use_runtime
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.operators.subdag import SkippedStatePropagationOptions, SubDagOperator
from tests.sdk.fakes import MemoryRuntime, make_context

START = datetime(2024, 1, 1, tzinfo=UTC)


def _parent(propagate=None):
    with DAG("parent", start_date=START, schedule=None) as dag:
        with DAG("parent.inner", start_date=START, schedule=None) as sub:
            EmptyOperator(task_id="first") >> [
                EmptyOperator(task_id="leaf_a"),
                EmptyOperator(task_id="leaf_b"),
            ]
        inner = SubDagOperator(
            task_id="inner", subdag=sub, propagate_skipped_state=propagate, poke_interval=0
        )
        inner >> EmptyOperator(task_id="after")
    return dag


def _run(dag, runtime, **leaves):
    runtime.dag_id = "parent.inner"
    for task_id, state in {"first": "success", **leaves}.items():
        runtime.add_ti(task_id, state)
    runtime.dag_id = "parent"
    task = dag.get_task("inner")
    with use_runtime(runtime):
        task.execute(make_context(task, runtime, logical_date=START))


def test_a_failed_child_run_has_only_its_failed_tasks_cleared_on_the_retry():
    runtime = MemoryRuntime(dag_id="parent")
    runtime.run_states[("parent.inner", "r")] = ["failed", "success"]
    _run(_parent(), runtime, leaf_a="success", leaf_b="success")
    [triggered] = runtime.triggered
    assert triggered["dag_id"] == "parent.inner" and triggered["reset"] == RESET_FAILED_TASKS


def test_a_new_child_run_is_created_without_reset():
    runtime = MemoryRuntime(dag_id="parent")
    runtime.run_states[("parent.inner", "r")] = [None, "success"]
    _run(_parent(), runtime, leaf_a="success", leaf_b="success")
    assert runtime.triggered[0]["reset"] is False


@pytest.mark.parametrize(
    ("option", "leaves", "skips"),
    [
        (SkippedStatePropagationOptions.ALL_LEAVES, {"leaf_a": "skipped", "leaf_b": "skipped"}, True),
        (SkippedStatePropagationOptions.ALL_LEAVES, {"leaf_a": "skipped", "leaf_b": "success"}, False),
        (SkippedStatePropagationOptions.ANY_LEAF, {"leaf_a": "skipped", "leaf_b": "success"}, True),
        (SkippedStatePropagationOptions.ANY_LEAF, {"leaf_a": "success", "leaf_b": "success"}, False),
        ("all_leaves", {"leaf_a": "skipped", "leaf_b": "skipped"}, True),  # the value works too
        ("any_leaf", {"leaf_a": "success", "leaf_b": "skipped"}, True),
        (SkippedStatePropagationOptions.ALL_LEAVES, {}, True),  # no leaf instance: all([]) as Airflow
        (SkippedStatePropagationOptions.ANY_LEAF, {}, False),
        (None, {"leaf_a": "skipped", "leaf_b": "skipped"}, False),
    ],
)
def test_propagate_skipped_state_skips_the_downstream_tasks_as_airflow_2_10(option, leaves, skips):
    # Airflow's option is a plain Enum: comparing it with its string value would be False.
    runtime = MemoryRuntime(dag_id="parent")
    runtime.run_states[("parent.inner", "r")] = ["success"]
    _run(_parent(option), runtime, **leaves)
    assert runtime.skipped == ([(("after",), None)] if skips else [])


def test_an_unknown_option_fails_as_airflow_once_the_child_succeeded():
    runtime = MemoryRuntime(dag_id="parent")
    runtime.run_states[("parent.inner", "r")] = ["success"]
    with pytest.raises(
        AirflowException, match="Unimplemented SkippedStatePropagationOptions every_leaf used"
    ):
        _run(_parent("every_leaf"), runtime, leaf_a="skipped", leaf_b="skipped")


@pytest.mark.parametrize("module", ["airflow.operators.subdag_operator", "airflow.operators.subdag"])
def test_the_enum_is_importable_from_the_1_10_and_2_x_paths(module):
    from brisa.compat import shim_installed

    with shim_installed():
        found: dict = {}
        exec(f"from {module} import SkippedStatePropagationOptions as options", found)
    assert found["options"] is SkippedStatePropagationOptions
