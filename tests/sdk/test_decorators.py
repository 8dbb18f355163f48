from __future__ import annotations

from datetime import datetime
from typing import TypedDict

import pytest

from brisa.sdk.context import get_current_context
from brisa.sdk.dag import DAG
from brisa.sdk.decorators import setup, task, teardown
from brisa.sdk.exceptions import AirflowException, UnsupportedFeatureError
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.sensors.base import PokeReturnValue
from brisa.sdk.xcom_arg import PlainXComArg, XComArg

from .fakes import MemoryRuntime, run_task

START = datetime(2024, 1, 1)


def test_calling_a_task_returns_an_xcomarg_and_wires_dependencies():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def extract():
            return {"a": 1}

        @task(retries=3)
        def transform(data, factor=2):
            return data["a"] * factor

        data = extract()
        result = transform(data, factor=data["a"])
    assert isinstance(result, PlainXComArg)
    op = dag.get_task("transform")
    assert repr(op) == "<Task(_PythonDecoratedOperator): transform>"
    assert op.operator_name == "@task" and op.retries == 3
    assert op.upstream_task_ids == {"extract"}
    assert result.operator is op and data["a"].key == "a"


def test_xcomarg_runtime_values_flow_between_tasks():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def extract():
            return {"a": 21}

        @task
        def double(data, key):
            return data[key] * 2

        double(extract(), "a")
    runtime = MemoryRuntime()
    assert run_task(dag, "extract", runtime) == {"a": 21}
    assert run_task(dag, "double", runtime) == 42
    assert runtime.xcoms[("d", "r", "double", -1, "return_value")] == 42


def test_repeated_calls_get_unique_task_ids():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def step():
            return 1

        step()
        step()
        step.override(task_id="custom")()
        step()
    assert dag.task_ids == ["step", "step__1", "custom", "step__2"]


class Out(TypedDict):
    x: int


def test_multiple_outputs_inferred_from_the_return_annotation_and_pushed():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def plain() -> dict[str, int]:
            return {"x": 1, "y": 2}

        @task
        def typed() -> Out:
            return {"x": 1}

        @task(multiple_outputs=False)
        def off() -> dict:
            return {"x": 1}

        plain()
        typed()
        off()
    assert dag.get_task("plain").multiple_outputs and dag.get_task("typed").multiple_outputs
    assert not dag.get_task("off").multiple_outputs
    runtime = MemoryRuntime()
    run_task(dag, "plain", runtime)
    assert runtime.xcoms[("d", "r", "plain", -1, "x")] == 1
    assert runtime.xcoms[("d", "r", "plain", -1, "y")] == 2
    assert runtime.xcoms[("d", "r", "plain", -1, "return_value")] == {"x": 1, "y": 2}


def test_context_is_injected_by_signature_and_get_current_context_works():
    seen = {}
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def by_name(ti=None, params=None):
            seen["ti"] = ti.task_id
            seen["params"] = params
            seen["current"] = get_current_context()["ti"].task_id

        @task
        def by_kwargs(value, **context):
            seen["keys"] = {"ds", "ti", "dag_run"} <= set(context)
            return value

        by_name()
        by_kwargs(1)
    runtime = MemoryRuntime()
    run_task(dag, "by_name", runtime, logical_date=datetime(2024, 1, 2))
    run_task(dag, "by_kwargs", runtime, logical_date=datetime(2024, 1, 2))
    assert seen == {"ti": "by_name", "params": {}, "current": "by_name", "keys": True}


def test_bad_call_fails_at_definition():
    with DAG("d", schedule=None, start_date=START):

        @task
        def needs(x):
            return x

        with pytest.raises(TypeError, match="missing a required argument: 'x'"):
            needs()
        with pytest.raises(TypeError):
            needs(1, 2)


def test_override_changes_operator_arguments():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def work():
            return 1

        work.override(task_id="w2", pool="p", retries=4)()
    op = dag.get_task("w2")
    assert (op.pool, op.retries) == ("p", 4)


def test_task_bash_renders_and_runs_the_returned_command(capfd):
    with DAG("d", schedule=None, start_date=START) as dag:

        @task.bash
        def say(word):
            return "echo {{ params.prefix }}-" + word

        say("hi")
    runtime = MemoryRuntime()
    assert run_task(dag, "say", runtime, conf={"prefix": "p"}) == "p-hi"
    assert "p-hi" in capfd.readouterr().out


def test_task_bash_ignores_multiple_outputs_with_airflows_warning():
    # Airflow 2.9+/3.x (and its example_bash_decorator): a UserWarning, then multiple_outputs False.
    with DAG("d", schedule=None, start_date=START) as dag:
        with pytest.warns(UserWarning, match=r"`multiple_outputs=True` is not supported in @task.bash"):

            @task.bash(multiple_outputs=True)
            def say():
                return "echo out"

        say()
    assert dag.get_task("say").multiple_outputs is False
    assert run_task(dag, "say", MemoryRuntime()) == "out"


def test_task_bash_rejects_non_strings():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task.bash
        def nothing():
            return ""

        nothing()
    with pytest.raises(TypeError, match="non-empty string"):
        run_task(dag, "nothing", MemoryRuntime())


def test_task_branch_and_short_circuit():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task.branch
        def pick():
            return "left"

        @task.short_circuit
        def gate():
            return False

        left = BashOperator(task_id="left", bash_command="true")
        right = BashOperator(task_id="right", bash_command="true")
        after = BashOperator(task_id="after", bash_command="true")
        pick() >> [left, right]
        gate() >> after
    runtime = MemoryRuntime()
    assert run_task(dag, "pick", runtime) == "left"
    assert runtime.skipped == [(("right",), None)]
    assert run_task(dag, "gate", runtime) is False
    assert runtime.skipped[-1] == (("after",), None)
    assert dag.get_task("pick").operator_name == "@task.branch"


def test_task_sensor_pokes_the_function():
    calls = []
    with DAG("d", schedule=None, start_date=START) as dag:

        @task.sensor(poke_interval=0, timeout=5)
        def ready():
            calls.append(1)
            return PokeReturnValue(len(calls) >= 3, xcom_value="done")

        ready()
    op = dag.get_task("ready")
    assert op.is_sensor and op.operator_name == "@task.sensor"
    assert run_task(dag, "ready", MemoryRuntime()) == "done"
    assert len(calls) == 3


def test_setup_and_teardown_decorators():
    with DAG("d", schedule=None, start_date=START) as dag:

        @setup
        def create():
            return 1

        @teardown
        def delete():
            return 2

        create() >> delete()
    assert dag.get_task("create").is_setup
    assert dag.get_task("delete").is_teardown
    assert dag.get_task("delete").trigger_rule == "all_done_setup_success"


@pytest.mark.parametrize("name", ["docker", "kubernetes", "pyspark", "anything_else"])
def test_unsupported_decorators_say_so(name):
    with pytest.raises(UnsupportedFeatureError, match=f"@task.{name} is not supported by Brisa"):
        getattr(task, name)(lambda: None)
    with pytest.raises(ImportError):
        getattr(task, name)()


def test_xcomarg_behaviour():
    with DAG("d", schedule=None, start_date=START):
        op = BashOperator(task_id="b", bash_command="true")
    arg = XComArg(op)
    assert isinstance(arg, PlainXComArg) and arg == op.output
    assert str(arg) == "{{ task_instance.xcom_pull(task_ids='b', dag_id='d', key='return_value') }}"
    assert repr(arg["k"]) == "XComArg(<Task(BashOperator): b>, 'k')"
    with pytest.raises(TypeError, match="not iterable"):
        list(arg)


def test_missing_return_value_resolves_to_none_but_other_keys_raise():
    with DAG("d", schedule=None, start_date=START):
        op = BashOperator(task_id="b", bash_command="true")
    runtime = MemoryRuntime()
    from brisa.runtime import use_runtime
    from brisa.sdk.taskinstance import TaskInstance

    context = {"ti": TaskInstance(dag_id="d", task_id="x", run_id="r")}
    with use_runtime(runtime):
        assert op.output.resolve(context) is None
        with pytest.raises(AirflowException, match="with key='k' is not found"):
            op.output["k"].resolve(context)
        runtime.push("b", [1, 2])
        assert op.output.map(lambda v: v * 10).resolve(context) == [10, 20]
