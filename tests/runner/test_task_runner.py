"""A try's callbacks see the try in the state it ends in, as Airflow's callbacks do."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from brisa.loader import parse_file
from brisa.runner.store_runtime import StoreRuntime
from brisa.runner.supervisor import claim_tries
from brisa.runner.task_runner import EndingTryRuntime, run_try
from brisa.runtime import use_runtime
from brisa.sdk.dagrun import DagRun
from brisa.services.run_actions import ServiceActions
from brisa.services.runs import trigger_run
from brisa.states import TaskState, advance_ti
from brisa.store.records import TaskKey
from brisa.tries.build import build_workload, run_context
from brisa.tries.workload import Workload
from tests.sdk.fakes import MemoryRuntime

T0 = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2024, 1, 1, 0, 1, tzinfo=UTC)

CALLBACK_DAG = """
import json
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.operators.python import PythonOperator

SEEN = Path(__file__).with_name("seen.json")

def record(context):
    run = context["dag_run"]
    me = run.get_task_instance(context["ti"].task_id)
    SEEN.write_text(json.dumps({
        "failed": [(ti.task_id, ti.state) for ti in run.get_task_instances(state="failed")],
        "unfinished": [ti.task_id for ti in run.get_task_instances(state=[None, "running"])],
        "me": [me.state, me.try_number, me.end_date is not None, me.duration is not None],
        "ti": context["ti"].state,
    }))

def boom():
    raise ValueError("no")

with DAG("ending", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="boom", python_callable=boom, on_failure_callback=record)
    PythonOperator(task_id="after", python_callable=lambda: None)
"""


class _Secrets:
    def get_variable(self, key):
        return None

    def get_connection(self, conn_id):
        return None


class _Masker:
    def add(self, value, name=None):
        pass

    def add_variable(self, key, value):
        pass

    def add_sensitive_parts(self, value):
        pass


def _running_try(store, path: Path, task_id: str) -> Workload:
    """The first try of ``task_id`` in a new run, claimed (running) as the executor would."""
    (dag,) = parse_file(str(path), timeout=30).dags
    now = datetime.now(UTC)
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=now)
        run = trigger_run(tx, dag, now=now)
        key = TaskKey(dag.dag_id, run.run_id, task_id)
        advance_ti(tx, key, None, TaskState.SCHEDULED)
        advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1)
        context = run_context(tx, dag.dag_id, run.run_id)
    workload = build_workload(dag, key, context, try_number=1, max_tries=0)
    assert claim_tries(store, [workload], now=now, hostname="here", job_id=None) == [workload]
    return workload


def _store_runtime(store, workload):
    """The supervisor's store-backed runtime for ``workload``, on the real clock."""
    return StoreRuntime(
        store,
        workload.key,
        secrets=_Secrets(),
        masker=_Masker(),
        clock=lambda: datetime.now(UTC),
        actions=ServiceActions(),
    )


def test_a_failure_callback_finds_its_own_task_instance_failed(memory_store, tmp_path):
    path = tmp_path / "ending.py"
    path.write_text(CALLBACK_DAG)
    workload = _running_try(memory_store, path, "boom")
    runtime = _store_runtime(memory_store, workload)
    outcome = run_try(workload, runtime)
    assert outcome.state == TaskState.FAILED
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen == {
        "failed": [["boom", "failed"]],
        "unfinished": ["after"],
        "me": ["failed", 1, True, True],
        "ti": "failed",
    }
    with memory_store.transaction(readonly=True) as tx:  # the store is written by the supervisor only
        assert tx.tis.require(workload.key).state == TaskState.RUNNING


CONF_DAG = """
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.configuration import conf
from airflow.operators.python import PythonOperator

def link():
    Path(__file__).with_name("seen.txt").write_text(conf.get("webserver", "base_url"))

with DAG("linking", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="link", python_callable=link)
"""


def test_a_task_reads_brisas_base_url_as_airflows_webserver_base_url(memory_store, tmp_path, settings_from):
    settings_from(BRISA__API__BASE_URL="https://brisa.example.com")
    path = tmp_path / "linking.py"
    path.write_text(CONF_DAG)
    workload = _running_try(memory_store, path, "link")
    runtime = _store_runtime(memory_store, workload)
    assert run_try(workload, runtime).state == TaskState.SUCCESS
    assert (tmp_path / "seen.txt").read_text() == "https://brisa.example.com"


def _runtime_with_a_running_try() -> tuple[MemoryRuntime, EndingTryRuntime]:
    inner = MemoryRuntime(dag_id="etl", run_id="r1")
    inner.add_ti("extract", "success")
    inner.add_ti("load", "running", start_date=T0, try_number=2)
    inner.add_ti("load", "failed", map_index=0)
    key = TaskKey("etl", "r1", "load")
    return inner, EndingTryRuntime(inner, key, "up_for_retry", END)


def test_the_ending_try_is_shown_in_its_final_state_and_filtered_on_it():
    _, ending = _runtime_with_a_running_try()
    with use_runtime(ending):
        run = DagRun(dag_id="etl", run_id="r1")
        load = run.get_task_instance("load")
        assert (load.state, load.end_date, load.duration, load.try_number) == ("up_for_retry", END, 60.0, 2)
        assert [ti.task_id for ti in run.get_task_instances(state="up_for_retry")] == ["load"]
        assert run.get_task_instances(state="running") == []
        assert [ti.map_index for ti in run.get_task_instances(state=["failed"])] == [0]
        assert run.get_task_instance("load", map_index=0).state == "failed"


def test_other_runs_and_other_requests_go_to_the_trys_runtime_unchanged():
    inner, ending = _runtime_with_a_running_try()
    inner.variables["v"] = "1"
    assert ending.get_variable("v") == "1"
    assert ending.get_task_instances(dag_id="etl", run_id="other", states=["failed"]) == []
    assert inner.ti_calls[-1]["states"] == ["failed"]


DEFER_DAG = """
from datetime import datetime, timedelta
from airflow import DAG
from airflow.models.baseoperator import BaseOperator
from airflow.triggers.temporal import TimeDeltaTrigger
from airflow.triggers.base import BaseTrigger

class Unserializable(BaseTrigger):
    def serialize(self):
        return "x.Unserializable", {"lock": object()}

    async def run(self):
        yield None

class Defers(BaseOperator):
    def __init__(self, *, trigger, **kwargs):
        super().__init__(**kwargs)
        self.trigger_kind = trigger

    def execute(self, context):
        trigger = TimeDeltaTrigger(timedelta(hours=1)) if self.trigger_kind == "time" else Unserializable()
        self.defer(trigger=trigger, method_name="finish", kwargs={"n": 2})

    def finish(self, context, n, event=None):
        return {"n": n, "event": event}

with DAG("deferring", start_date=datetime(2024, 1, 1), schedule=None):
    Defers(task_id="waits", trigger="time")
    Defers(task_id="cannot", trigger="unserializable")
"""


def test_a_deferring_try_reports_its_trigger_and_the_resumed_try_calls_the_method(memory_store, tmp_path):
    path = tmp_path / "deferring.py"
    path.write_text(DEFER_DAG)
    workload = _running_try(memory_store, path, "waits")
    runtime = _store_runtime(memory_store, workload)
    outcome = run_try(workload, runtime)
    assert outcome.state == TaskState.DEFERRED
    assert outcome.deferral is not None
    assert outcome.deferral.classpath == "brisa.sdk.triggers.temporal.DateTimeTrigger"
    assert (outcome.deferral.method_name, json.loads(outcome.deferral.next_kwargs)) == ("finish", {"n": 2})
    resumed = replace(workload, next_method="finish", next_kwargs='{"n": 2, "event": "fired"}')
    assert run_try(resumed, runtime).state == TaskState.SUCCESS
    with memory_store.transaction(readonly=True) as tx:
        assert json.loads(tx.xcoms.raw_value(workload.key)) == {"n": 2, "event": "fired"}


def test_a_trigger_that_cannot_be_serialized_fails_the_try(memory_store, tmp_path):
    path = tmp_path / "deferring.py"
    path.write_text(DEFER_DAG)
    workload = _running_try(memory_store, path, "cannot")
    runtime = _store_runtime(memory_store, workload)
    outcome = run_try(workload, runtime)
    assert outcome.state == TaskState.FAILED and "TypeError" in outcome.error
