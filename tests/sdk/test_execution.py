from __future__ import annotations

import pytest

from brisa.runtime import use_runtime
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.context import get_current_context
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.execution import determine_kwargs, execute_task, run_callbacks
from brisa.sdk.taskinstance import TaskInstance

from .fakes import MemoryRuntime


class Recorder(BaseOperator):
    def __init__(self, *, result=None, calls=None, **kwargs):
        super().__init__(**kwargs)
        self.result = result
        self.calls = calls if calls is not None else []

    def execute(self, context):
        self.calls.append(("execute", get_current_context() is context))
        return self.result


def context_for(task_id="t"):
    ti = TaskInstance(dag_id="d", task_id=task_id, run_id="r")
    return {"ti": ti}


def test_hooks_run_in_order_and_the_result_is_pushed():
    calls = []
    op = Recorder(
        task_id="t",
        result=7,
        calls=calls,
        on_execute_callback=lambda ctx: calls.append("on_execute"),
        pre_execute=lambda ctx: calls.append("pre"),
        post_execute=lambda ctx, result: calls.append(("post", result)),
    )
    runtime = MemoryRuntime(task_id="t")
    with use_runtime(runtime):
        assert execute_task(op, context_for()) == 7
    assert calls == ["on_execute", "pre", ("execute", True), ("post", 7)]
    assert runtime.xcoms == {("d", "r", "t", -1, "return_value"): 7}


def test_none_and_do_xcom_push_false_push_nothing():
    runtime = MemoryRuntime(task_id="t")
    with use_runtime(runtime):
        execute_task(Recorder(task_id="t", result=None), context_for())
        execute_task(Recorder(task_id="u", result=1, do_xcom_push=False), context_for())
    assert runtime.xcoms == {}


def test_multiple_outputs_needs_a_dict_with_string_keys():
    runtime = MemoryRuntime(task_id="t")
    with use_runtime(runtime):
        execute_task(Recorder(task_id="t", result={"a": 1}, multiple_outputs=True), context_for())
        assert runtime.xcoms[("d", "r", "t", -1, "a")] == 1
        with pytest.raises(AirflowException, match="expected dictionary for multiple_outputs"):
            execute_task(Recorder(task_id="u", result=[1], multiple_outputs=True), context_for())
        with pytest.raises(AirflowException, match="keys must be strings"):
            execute_task(Recorder(task_id="v", result={1: 1}, multiple_outputs=True), context_for())


def test_run_callbacks_collects_errors_without_raising():
    seen = []

    def bad(context):
        raise RuntimeError("boom")

    failures = run_callbacks([seen.append, bad, seen.append], {"x": 1})
    assert seen == [{"x": 1}, {"x": 1}]
    assert [str(f) for f in failures] == ["boom"]
    assert run_callbacks(None, {}) == []
    assert run_callbacks(seen.append, 2) == []


def test_determine_kwargs():
    context = {"ds": "d", "ti": "t", "other": 1}
    assert determine_kwargs(lambda ds, x=None: None, [], context) == {"ds": "d"}
    assert determine_kwargs(lambda a, ti=None: None, [1], context) == {"ti": "t"}
    assert determine_kwargs(lambda **kw: None, [], context) == context
    with pytest.raises(ValueError, match="reserved"):
        determine_kwargs(lambda ds: None, ["x"], context)
