from __future__ import annotations

from datetime import datetime

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.decorators import task
from brisa.sdk.mapped import MappedOperator
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.python import PythonOperator
from brisa.sdk.sensors.date_time import DateTimeSensor
from brisa.sdk.taskgroup import TaskGroup
from brisa.serialized import MappedInput, MappedSpec

from .fakes import MemoryRuntime, make_context, run_task

START = datetime(2024, 1, 1)


def test_partial_expand_over_literals_in_airflows_order():
    with DAG("d", schedule=None, start_date=START, default_args={"retries": 2}) as dag:
        mapped = BashOperator.partial(task_id="echo", cwd="/tmp").expand(
            bash_command=["echo a", "echo b"], env=[{"X": "1"}, {"X": "2"}, {"X": "3"}]
        )
    assert isinstance(mapped, MappedOperator) and dag.get_task("echo") is mapped
    assert repr(mapped) == "<Mapped(BashOperator): echo>"
    assert mapped.is_mapped and mapped.retries == 2 and mapped.cwd == "/tmp"
    assert mapped.template_fields == BashOperator.template_fields
    assert mapped.skip_on_exit_code == 99
    assert mapped.map_length({}) == 6
    picks = [mapped.kwargs_for(i, {}) for i in range(6)]
    assert [(p["bash_command"], p["env"]["X"]) for p in picks] == [
        ("echo a", "1"),
        ("echo a", "2"),
        ("echo a", "3"),
        ("echo b", "1"),
        ("echo b", "2"),
        ("echo b", "3"),
    ]
    assert mapped.to_spec() == MappedSpec(
        "expand", (MappedInput("bash_command", literal_length=2), MappedInput("env", literal_length=3))
    )


def test_unmapped_operator_is_concrete_and_detached():
    with DAG("d", schedule=None, start_date=START) as dag:
        first = BashOperator(task_id="first", bash_command="true")
        mapped = BashOperator.partial(task_id="echo", retries=1).expand(bash_command=["echo a", "echo b"])
        first >> mapped
    op = mapped.unmap(1, {})
    assert isinstance(op, BashOperator) and op.map_index == 1
    assert (op.task_id, op.bash_command, op.retries) == ("echo", "echo b", 1)
    assert op.upstream_task_ids == {"first"}
    assert dag.get_task("echo") is mapped
    with pytest.raises(IndexError):
        mapped.unmap(2, {})


def test_expand_over_a_dict_gives_key_value_pairs():
    with DAG("d", schedule=None, start_date=START):
        mapped = PythonOperator.partial(task_id="p", python_callable=print).expand(op_args={"a": 1, "b": 2})
    assert [mapped.kwargs_for(i, {})["op_args"] for i in range(2)] == [("a", 1), ("b", 2)]


def test_expand_over_an_xcom_pulls_it_at_run_time():
    with DAG("d", schedule=None, start_date=START):
        src = BashOperator(task_id="src", bash_command="true")
        mapped = BashOperator.partial(task_id="echo").expand(bash_command=src.output)
    assert mapped.upstream_task_ids == {"src"}
    assert mapped.to_spec() == MappedSpec("expand", (MappedInput("bash_command", xcom_task_id="src"),))
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("src", ["echo 1", "echo 2", "echo 3"])
    from brisa.runtime import use_runtime

    with use_runtime(runtime):
        context = make_context(mapped, runtime)
        assert mapped.map_length(context) == 3
        assert mapped.unmap(2, context).bash_command == "echo 3"


def test_expand_kwargs_with_literals_and_xcoms():
    with DAG("d", schedule=None, start_date=START):
        src = BashOperator(task_id="src", bash_command="true")
        literal = BashOperator.partial(task_id="lit").expand_kwargs(
            [{"bash_command": "echo 1"}, {"bash_command": "echo 2", "cwd": "/"}]
        )
        dynamic = BashOperator.partial(task_id="dyn").expand_kwargs(src.output)
    assert literal.to_spec() == MappedSpec("expand_kwargs", (MappedInput("kwargs", literal_length=2),))
    assert dynamic.to_spec() == MappedSpec("expand_kwargs", (MappedInput("kwargs", xcom_task_id="src"),))
    assert literal.unmap(1, {}).cwd == "/"
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("src", [{"bash_command": "echo x"}])
    from brisa.runtime import use_runtime

    with use_runtime(runtime):
        assert dynamic.unmap(0, make_context(dynamic, runtime)).bash_command == "echo x"


def test_mapping_validation_errors():
    with DAG("d", schedule=None, start_date=START):
        with pytest.raises(TypeError, match="partial\\(\\) got an unexpected keyword argument 'nope'"):
            BashOperator.partial(task_id="a", nope=1)
        with pytest.raises(TypeError, match="missing required argument: 'task_id'"):
            BashOperator.partial()
        partial = BashOperator.partial(task_id="b", cwd="/")
        with pytest.raises(TypeError, match="already specified argument: cwd"):
            partial.expand(cwd=["/tmp"])
        with pytest.raises(TypeError, match="expand\\(\\) got an unexpected keyword argument 'nope'"):
            partial.expand(nope=[1])
        with pytest.raises(ValueError, match="unexpected type 'str' for keyword argument 'bash_command'"):
            partial.expand(bash_command="echo")
        with pytest.raises(TypeError, match="no arguments to expand against"):
            partial.expand()
        with pytest.raises(TypeError, match="expected XComArg or list\\[dict\\]"):
            partial.expand_kwargs("x")


def test_mapped_value_not_a_list_fails_at_run_time():
    with DAG("d", schedule=None, start_date=START):
        src = BashOperator(task_id="src", bash_command="true")
        mapped = BashOperator.partial(task_id="echo").expand(bash_command=src.output)
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("src", 5)
    from brisa.runtime import use_runtime

    with use_runtime(runtime), pytest.raises(ValueError, match="unmappable return type 'int'"):
        mapped.map_length(make_context(mapped, runtime))


def test_mapped_tasks_in_groups_and_value_validation_deferred():
    with DAG("d", schedule=None, start_date=START) as dag:
        src = BashOperator(task_id="src", bash_command="true")
        with TaskGroup("g"):
            sensors = DateTimeSensor.partial(task_id="wait", poke_interval=5, mode="reschedule").expand(
                target_time=src.output
            )
    assert sensors.task_id == "g.wait" and dag.has_task("g.wait")
    assert sensors.is_sensor and sensors.mode == "reschedule" and sensors.poke_interval == 5


def test_taskflow_mapping_runs_each_index():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def numbers():
            return [1, 2, 3]

        @task
        def scale(n, factor):
            return n * factor

        @task
        def total(values):
            return sum(values)

        scaled = scale.partial(factor=10).expand(n=numbers())
        total(scaled)
        scale.expand_kwargs([{"n": 1, "factor": 2}])
    mapped = dag.get_task("scale")
    assert mapped.to_spec() == MappedSpec("expand", (MappedInput("n", xcom_task_id="numbers"),))
    assert mapped.operator_name == "@task"
    runtime = MemoryRuntime()
    run_task(dag, "numbers", runtime)
    results = [run_task(dag, "scale", runtime, map_index=i) for i in range(3)]
    assert results == [10, 20, 30]
    assert run_task(dag, "total", runtime) == 60
    assert run_task(dag, "scale__1", runtime, map_index=0) == 2


def test_taskflow_mapping_validation():
    with DAG("d", schedule=None, start_date=START):

        @task
        def one(n):
            return n

        with pytest.raises(TypeError):
            one.expand(m=[1])
        with pytest.raises(TypeError, match="already specified argument: n"):
            one.partial(n=1).expand(n=[2])


def test_values_pulled_from_xcoms_are_not_rendered_but_literals_are():
    with DAG("d", schedule=None, start_date=START) as dag:
        src = BashOperator(task_id="src", bash_command="true")
        BashOperator.partial(task_id="pulled").expand(bash_command=src.output)
        BashOperator.partial(task_id="literal").expand(bash_command=["echo {{ params.x }}"])

        @task
        def show(text):
            return text

        show.expand(text=src.output)
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("src", ["echo '{{ not_a_template }}'"])
    assert run_task(dag, "pulled", runtime, map_index=0) == "{{ not_a_template }}"
    assert run_task(dag, "literal", runtime, map_index=0, conf={"x": "rendered"}) == "rendered"
    assert run_task(dag, "show", runtime, map_index=0) == "echo '{{ not_a_template }}'"


def test_expand_over_a_mapped_xcomarg():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def words():
            return ["a", "b"]

        @task
        def shout(word):
            return word

        shout.expand(word=words().map(lambda w: w.upper() + "!"))
    mapped = dag.get_task("shout")
    assert mapped.to_spec() == MappedSpec("expand", (MappedInput("word", xcom_task_id="words"),))
    runtime = MemoryRuntime()
    run_task(dag, "words", runtime)
    assert [run_task(dag, "shout", runtime, map_index=i) for i in range(2)] == ["A!", "B!"]


def _zip_dag():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def left():
            return [1, 2, 3]

        @task
        def right():
            return {"a": 10, "b": 20}

        @task
        def pair(item):
            return item

        lefts, rights = left(), right()
        pair.expand(item=lefts.zip(rights))
        pair.override(task_id="longest").expand(item=lefts.zip(rights, fillvalue=None))
        pair.override(task_id="mapped").expand(item=lefts.zip(rights).map(lambda t: t[0] * t[1][1]))
    return dag


def test_zip_pairs_the_nth_items_shortest_first_as_airflow_2_5():
    # Airflow 2.5's XComArg.zip: zip() semantics, a dict gives (key, value) pairs.
    dag = _zip_dag()
    runtime = MemoryRuntime()
    run_task(dag, "left", runtime)
    run_task(dag, "right", runtime)
    assert [run_task(dag, "pair", runtime, map_index=i) for i in range(2)] == [(1, ("a", 10)), (2, ("b", 20))]
    assert [run_task(dag, "mapped", runtime, map_index=i) for i in range(2)] == [10, 40]


def test_zip_with_a_fillvalue_goes_to_the_longest_as_airflow_2_5():
    dag = _zip_dag()
    runtime = MemoryRuntime()
    run_task(dag, "left", runtime)
    run_task(dag, "right", runtime)
    assert run_task(dag, "longest", runtime, map_index=2) == (3, None)


def test_zip_spec_gives_the_scheduler_every_input_and_round_trips():
    from brisa.scheduler.mapping import spec_length
    from brisa.serialized import SerializedTask

    dag = _zip_dag()
    lengths = {"left": 3, "right": 2}

    def length(spec):
        return spec_length(spec, lambda inp: lengths[inp.xcom_task_id])

    shortest, longest = dag.get_task("pair").to_spec(), dag.get_task("longest").to_spec()
    assert (length(shortest), length(longest), length(dag.get_task("mapped").to_spec())) == (2, 3, 2)
    assert dag.get_task("pair").upstream_task_ids == {"left", "right"}
    assert spec_length(shortest, lambda inp: None if inp.xcom_task_id == "right" else 3) is None
    from brisa.serialized import _task_from_dict, _task_to_dict

    task = SerializedTask(task_id="pair", operator="x", mapped=longest)
    assert _task_from_dict(_task_to_dict(task)).mapped == longest


def test_zip_needs_an_input():
    from brisa.sdk.xcom_arg import ZipXComArg

    with pytest.raises(ValueError, match="At least one input"):
        ZipXComArg([])


def test_a_mapped_try_asks_for_its_own_item_not_the_whole_list():
    # N tries each reading an N-item list cost O(N²): a try asks for the length, then its item.
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def items():
            return list(range(1000))

        @task
        def one(x, y):
            return (x, y)

        one.expand(x=items(), y=["a", "b"])
    runtime = MemoryRuntime()
    run_task(dag, "items", runtime)
    runtime.xcom_pull = None  # any whole pull would fail the try
    assert run_task(dag, "one", runtime, map_index=7) == (3, "b")
    assert runtime.sequence_calls == [None, 3]


def test_map_functions_run_on_the_item_read_only():
    seen = []
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def items():
            return [1, 2, 3]

        @task
        def one(x):
            return x

        one.expand(x=items().map(lambda v: seen.append(v) or v * 10))
    runtime = MemoryRuntime()
    run_task(dag, "items", runtime)
    assert run_task(dag, "one", runtime, map_index=1) == 20
    assert seen == [2]


def test_expand_over_a_mapped_upstream_reads_one_index_value():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def double(x):
            return x * 2

        @task
        def one(x):
            return x

        one.expand(x=double.expand(x=[1, 2, 3]))
    runtime = MemoryRuntime()
    for i in range(3):
        run_task(dag, "double", runtime, map_index=i)
    assert run_task(dag, "one", runtime, map_index=2) == 6
    assert runtime.sequence_calls == [None, 2]


def test_expand_kwargs_over_an_xcom_dict_is_refused_as_before():
    with DAG("d", schedule=None, start_date=START):
        src = BashOperator(task_id="src", bash_command="true")
        mapped = BashOperator.partial(task_id="dyn").expand_kwargs(src.output)
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("src", {"bash_command": "echo"})
    from brisa.runtime import use_runtime

    with use_runtime(runtime), pytest.raises(ValueError, match="expects a list of dicts, got dict"):
        mapped.unmap(0, make_context(mapped, runtime))


def test_expand_over_a_missing_xcom_key_raises_xcom_not_found():
    from brisa.runtime import use_runtime
    from brisa.sdk.exceptions import XComNotFound

    with DAG("d", schedule=None, start_date=START):
        src = BashOperator(task_id="src", bash_command="true")
        mapped = BashOperator.partial(task_id="echo").expand(bash_command=src.output["other"])
    runtime = MemoryRuntime(dag_id="d")
    with use_runtime(runtime), pytest.raises(XComNotFound):
        mapped.map_length(make_context(mapped, runtime))
