from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.params import Param
from brisa.sdk.taskgroup import TaskGroup
from brisa.sdk.xcom_arg import XComArg

from .fakes import MemoryRuntime, make_context

START = datetime(2024, 1, 1)


class Greeter(BaseOperator):
    template_fields = ("greeting",)

    def __init__(self, *, greeting: str, punctuation: str = "!", **kwargs):
        super().__init__(**kwargs)
        self.greeting = greeting
        self.punctuation = punctuation

    def execute(self, context):
        return self.greeting + self.punctuation


def test_repr_and_defaults():
    op = BaseOperator(task_id="t")
    assert repr(op) == "<Task(BaseOperator): t>"
    assert (op.owner, op.retries, op.retry_delay, op.pool, op.queue) == (
        "airflow",
        0,
        timedelta(seconds=300),
        "default_pool",
        "default",
    )
    assert (op.trigger_rule, op.weight_rule, op.priority_weight, op.pool_slots) == (
        "all_success",
        "downstream",
        1,
        1,
    )
    assert op.do_xcom_push and not op.multiple_outputs and op.map_index == -1


def test_default_args_from_dag_apply_to_base_and_subclass_arguments():
    args = {
        "owner": "ana",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "greeting": "hello",
        "unrelated": 1,
    }
    with DAG("d", schedule=None, start_date=START, default_args=args):
        op = Greeter(task_id="g")
        explicit = Greeter(task_id="e", retries=5, greeting="hey")
    assert (op.owner, op.retries, op.retry_delay, op.greeting) == ("ana", 2, timedelta(minutes=1), "hello")
    assert (explicit.retries, explicit.greeting) == (5, "hey")


def test_operator_default_args_win_over_the_dags():
    with DAG("d", schedule=None, start_date=START, default_args={"retries": 1, "queue": "q1"}):
        op = EmptyOperator(task_id="t", default_args={"retries": 4})
    assert (op.retries, op.queue) == (4, "q1")


def test_task_group_default_args_sit_between_dag_and_operator():
    with (
        DAG("d", schedule=None, start_date=START, default_args={"retries": 1, "pool": "p"}),
        TaskGroup("g", default_args={"retries": 2}),
        TaskGroup("inner", default_args={"queue": "inner_q"}),
    ):
        op = EmptyOperator(task_id="t")
    assert (op.retries, op.pool, op.queue) == (2, "p", "inner_q")
    assert op.task_id == "g.inner.t"


def test_missing_required_argument():
    with pytest.raises(AirflowException, match="missing keyword argument 'greeting'"):
        Greeter(task_id="g")
    with pytest.raises(AirflowException, match="missing keyword argument 'task_id'"):
        BaseOperator()


def test_unknown_arguments_are_rejected_with_airflows_message():
    with pytest.raises(AirflowException) as info:
        BashOperator(task_id="b", bash_command="true", not_an_arg=1)
    assert str(info.value) == (
        "Invalid arguments were passed to BashOperator (task_id: b). "
        "Invalid arguments were:\n**kwargs: {'not_an_arg': 1}"
    )


def test_positional_arguments_are_rejected():
    with pytest.raises(AirflowException, match="keyword arguments"):
        EmptyOperator("t")


def test_trigger_and_weight_rules_are_validated():
    EmptyOperator(task_id="ok", trigger_rule="none_failed_min_one_success")
    with pytest.raises(AirflowException, match=r"trigger_rule must be one of.*received 'sometimes'"):
        EmptyOperator(task_id="t", trigger_rule="sometimes")
    with pytest.raises(AirflowException, match="weight_rule must be one of"):
        EmptyOperator(task_id="w", weight_rule="heaviest")


def test_numeric_arguments_are_coerced_or_rejected():
    op = EmptyOperator(task_id="t", retries="3", retry_delay=30, execution_timeout=60, max_retry_delay=600)
    assert op.retries == 3
    assert op.retry_delay == timedelta(seconds=30)
    assert op.execution_timeout == timedelta(minutes=1)
    assert op.max_retry_delay == timedelta(minutes=10)
    with pytest.raises(AirflowException, match="'retries' type must be int"):
        EmptyOperator(task_id="x", retries="many")
    with pytest.raises(ValueError, match="pool slots"):
        EmptyOperator(task_id="y", pool_slots=0)


def test_start_date_is_converted_to_utc():
    op = EmptyOperator(task_id="t", start_date=datetime(2024, 5, 1))
    assert op.start_date == datetime(2024, 5, 1, tzinfo=UTC)


def test_task_concurrency_alias_and_hint():
    with DAG("d", schedule=None, start_date=START) as d:
        op = EmptyOperator(task_id="t", task_concurrency=2)
    assert op.max_active_tis_per_dag == 2
    assert ("2", "t uses the task_concurrency argument") in d.generation_hints


def test_params_merge_dag_then_default_args_then_task():
    with DAG(
        "d",
        schedule=None,
        start_date=START,
        params={"a": 1, "b": 1, "c": Param(1, type="integer")},
    ):
        op = EmptyOperator(task_id="t", default_args={"params": {"b": 2}}, params={"c": 3})
    assert dict(op.params) == {"a": 1, "b": 2, "c": 3}
    assert op.params.get_param("c").schema == {"type": "integer"}


def test_task_params_do_not_leak_into_the_dag():
    with DAG("d", schedule=None, start_date=START, params={"a": 1}) as d:
        EmptyOperator(task_id="t", params={"a": 2})
    assert d.params["a"] == 1


def test_callbacks_and_docs_are_kept():
    op = EmptyOperator(
        task_id="t",
        on_failure_callback=print,
        on_success_callback=[print],
        on_retry_callback=print,
        on_execute_callback=print,
        on_skipped_callback=print,
        doc_md="**doc**",
        email="a@b.c",
    )
    assert op.on_success_callback == [print] and op.doc_md == "**doc**" and op.email == "a@b.c"


def test_xcomarg_in_template_field_sets_upstream():
    with DAG("d", schedule=None, start_date=START):
        up = BashOperator(task_id="up", bash_command="echo 1")
        down = Greeter(task_id="down", greeting=up.output)
        later = Greeter(task_id="later", greeting="x")
        later.greeting = XComArg(up, "other")
    assert down.upstream_task_ids == {"up"}
    assert later.upstream_task_ids == {"up"}


def test_render_template_fields_resolves_xcoms_then_renders():
    with DAG("d", schedule=None, start_date=START) as d:
        up = EmptyOperator(task_id="up")
        op = Greeter(task_id="down", greeting=["{{ params.word }}", up.output])
    runtime = MemoryRuntime(dag_id="d")
    runtime.push("up", "{{ not rendered again? }}")
    context = make_context(op, runtime, params={"word": "hello"})
    from brisa.runtime import use_runtime

    with use_runtime(runtime):
        op.render_template_fields(context, d.get_template_env())
    assert op.greeting == ["hello", "{{ not rendered again? }}"]


def test_missing_template_field_attribute_is_reported():
    class Broken(BaseOperator):
        template_fields = ("nothing",)

    op = Broken(task_id="b")
    with pytest.raises(AttributeError, match="'nothing' is configured as a template field"):
        op.render_template_fields({}, None)


def test_base_execute_is_not_implemented_as_an_error():
    with pytest.raises(AirflowException, match="does not implement execute"):
        BaseOperator(task_id="t").execute({})


def test_pre_and_post_execute_hooks():
    calls = []
    op = EmptyOperator(
        task_id="t",
        pre_execute=lambda ctx: calls.append("pre"),
        post_execute=lambda ctx, res: calls.append(("post", res)),
    )
    op.pre_execute({})
    op.post_execute({}, 5)
    assert calls == ["pre", ("post", 5)]


def test_setup_and_teardown_marks():
    with DAG("d", schedule=None, start_date=START):
        s = EmptyOperator(task_id="s").as_setup()
        t = EmptyOperator(task_id="t").as_teardown(setups=s)
    assert s.is_setup and t.is_teardown
    assert t.trigger_rule == "all_done_setup_success"
    assert t.upstream_task_ids == {"s"}


def test_prepare_for_execution_leaves_the_dag_task_untouched():
    op = Greeter(task_id="g", greeting="a")
    copy = op.prepare_for_execution()
    copy.greeting = "b"
    assert op.greeting == "a"


def test_a_zero_retry_delay_stays_zero():
    from datetime import timedelta

    from brisa.sdk.dag import DAG
    from brisa.sdk.operators.empty import EmptyOperator

    with DAG("zero_delay", schedule=None):
        task = EmptyOperator(task_id="t", retries=2, retry_delay=timedelta(0))
    assert task.retry_delay == timedelta(0)
