from __future__ import annotations

from datetime import UTC, datetime

import pytest

from brisa.runtime import NoRuntimeError, use_runtime
from brisa.sdk.connection import BaseHook, Connection
from brisa.sdk.context import get_current_context, use_context
from brisa.sdk.dagrun import DagRun
from brisa.sdk.exceptions import AirflowException, AirflowNotFoundException
from brisa.sdk.taskinstance import TaskInstance
from brisa.sdk.variable import Variable
from brisa.sdk.xcom import XCom

from .fakes import MemoryRuntime


@pytest.fixture
def runtime():
    rt = MemoryRuntime(dag_id="d", run_id="r", task_id="me")
    with use_runtime(rt):
        yield rt


def test_variable_get_set_delete(runtime):
    Variable.set("plain", "v")
    Variable.set("data", {"a": [1]}, serialize_json=True)
    assert Variable.get("plain") == "v"
    assert Variable.get("data", deserialize_json=True) == {"a": [1]}
    assert Variable.get("missing", default_var="fallback") == "fallback"
    assert Variable.get("missing", default=None) is None
    with pytest.raises(KeyError, match="Variable missing does not exist"):
        Variable.get("missing")
    Variable.delete("plain")
    assert Variable.get("plain", None) is None


def test_variable_setdefault_and_update(runtime):
    assert Variable.setdefault("k", "first") == "first"
    assert Variable.setdefault("k", "second") == "first"
    with pytest.raises(ValueError, match="Default Value must be set"):
        Variable.setdefault("other", None)
    Variable.update("k", "changed")
    assert Variable.get("k") == "changed"
    with pytest.raises(KeyError):
        Variable.update("nope", 1)


def test_sensitive_variables_are_masked(runtime):
    runtime.variables["db_password"] = "hunter2"
    runtime.variables["color"] = "blue"
    Variable.get("db_password")
    Variable.get("color")
    assert runtime.masked == ["hunter2"]


def test_facades_need_a_runtime():
    with pytest.raises(NoRuntimeError):
        Variable.get("x")


def test_connection_fields_and_uri():
    conn = Connection(uri="postgres://user:p%40ss@db.example.com:5432/mydb?sslmode=require")
    assert (conn.conn_type, conn.host, conn.login, conn.password, conn.port, conn.schema) == (
        "postgres",
        "db.example.com",
        "user",
        "p@ss",
        5432,
        "mydb",
    )
    assert conn.extra_dejson == {"sslmode": "require"}
    again = Connection(uri=conn.get_uri())
    assert again.to_dict() == conn.to_dict()
    explicit = Connection(conn_id="c", conn_type="http", host="h", extra={"a": 1})
    assert explicit.get_extra() == '{"a": 1}' and repr(explicit) == "c"
    assert Connection(extra="not json").extra_dejson == {}


def test_connection_lookup_through_the_runtime(runtime):
    runtime.connections["db"] = {
        "conn_type": "postgres",
        "host": "h",
        "password": "s3cret",
        "extra": '{"api_key": "k1"}',
    }
    conn = BaseHook.get_connection("db")
    assert (conn.conn_id, conn.host) == ("db", "h")
    assert Connection.get("db").password == "s3cret"
    assert "s3cret" in runtime.masked and "k1" in runtime.masked
    with pytest.raises(AirflowNotFoundException, match="The conn_id `nope` isn't defined"):
        BaseHook.get_connection("nope")


def test_task_instance_xcom_pull_rules(runtime):
    runtime.push("single", 1)
    for index in range(3):
        runtime.push("mapped", index * 10, map_index=index)
    runtime.push("me", "own")
    runtime.push("single", "k", key="other")
    ti = TaskInstance(dag_id="d", task_id="me", run_id="r")
    assert ti.xcom_pull(task_ids="single") == 1
    assert ti.xcom_pull() == "own"
    assert ti.xcom_pull(task_ids="mapped") == [0, 10, 20]
    assert ti.xcom_pull(task_ids="mapped", map_indexes=1) == 10
    assert ti.xcom_pull(task_ids="mapped", map_indexes=[2, 0]) == [0, 20]
    assert ti.xcom_pull(task_ids=["single", "missing", "mapped"], default="d") == [1, "d", [0, 10, 20]]
    assert ti.xcom_pull(task_ids="single", key="other") == "k"
    assert ti.xcom_pull(task_ids="missing") is None
    ti.xcom_push("pushed", {"x": 1})
    assert runtime.xcoms[("d", "r", "me", -1, "pushed")] == {"x": 1}


def test_task_instance_and_dag_run_reprs():
    ti = TaskInstance(dag_id="d", task_id="t", run_id="manual__1", state="running")
    assert repr(ti) == "<TaskInstance: d.t manual__1 [running]>"
    mapped = TaskInstance(dag_id="d", task_id="t", run_id="r", map_index=2, state="success")
    assert repr(mapped) == "<TaskInstance: d.t r map_index=2 [success]>"
    when = datetime(2024, 1, 1, tzinfo=UTC)
    run = DagRun(dag_id="d", run_id="r", logical_date=when, state="running", run_type="manual")
    assert repr(run) == f"<DagRun d @ {when}: r, state:running, queued_at: None. externally triggered: True>"
    assert run.execution_date == when and not run.is_backfill
    assert DagRun(dag_id="d", run_id="s", run_type="scheduled").external_trigger is False
    assert DagRun.generate_run_id("manual", when) == "manual__2024-01-01T00:00:00+00:00"
    assert TaskInstance(dag_id="d", task_id="t", run_id="r", logical_date=when).execution_date == when


def test_get_current_context_and_xcom_class(runtime):
    with pytest.raises(AirflowException, match="no context was found"):
        get_current_context()
    runtime.push("up", 5)
    ti = TaskInstance(dag_id="d", task_id="me", run_id="r")
    with use_context({"ti": ti}) as context:
        assert get_current_context() is context
        assert XCom.get_one(task_id="up") == 5
        assert [r.value for r in XCom.get_many(task_ids="up")] == [5]
        assert XCom.get_one(task_id="nothing") is None
