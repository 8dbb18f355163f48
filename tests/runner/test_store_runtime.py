"""The store-backed TaskRuntime's trigger_dag: replacing a run, or (SubDagOperator's retry,
Airflow 2.10 ``_reset_dag_run_and_task_instances``) clearing only its failed tasks."""

from datetime import UTC, datetime

from brisa.runner.store_runtime import StoreRuntime
from brisa.runtime import RESET_FAILED_TASKS
from brisa.secrets.masking import SecretsMasker
from brisa.services.run_actions import ServiceActions
from brisa.services.runs import set_run_state, trigger_run
from brisa.states import RunState, TaskState, advance_ti
from brisa.store.records import TaskKey
from brisa.testing import make_dag

T0 = datetime(2024, 1, 1, tzinfo=UTC)


class _NoSecrets:
    def get_variable(self, key):
        return None

    def get_connection(self, conn_id):
        return None


def _child_run_that_failed(store):
    dag = make_dag(
        "p.inner", {"ok": [], "bad": ["ok"], "after": ["bad"]}, task_options={"bad": {"retries": 0}}
    )
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = trigger_run(tx, dag, now=T0, run_id="r1", logical_date=T0)
        for task_id, state in (
            ("ok", TaskState.SUCCESS),
            ("bad", TaskState.FAILED),
            ("after", "upstream_failed"),
        ):
            advance_ti(tx, TaskKey("p.inner", "r1", task_id), None, TaskState(state), try_number=1)
        set_run_state(tx, run, RunState.FAILED, now=T0)
    return StoreRuntime(
        store,
        TaskKey("p", "r1", "inner"),
        secrets=_NoSecrets(),
        masker=SecretsMasker(),
        clock=lambda: T0,
        actions=ServiceActions(),
    )


def _states(store):
    with store.transaction(readonly=True) as tx:
        tis = {t.task_id: (t.state, t.try_number) for t in tx.tis.for_run("p.inner", "r1")}
        return tx.runs.require("p.inner", "r1").state, tis


def test_reset_failed_tasks_clears_only_failed_and_upstream_failed_ones(memory_store):
    runtime = _child_run_that_failed(memory_store)
    kwargs = {"dag_id": "p.inner", "run_id": "r1", "conf": {}, "logical_date": T0.isoformat()}
    assert runtime.trigger_dag(**kwargs, reset_dag_run=RESET_FAILED_TASKS) == "r1"
    run_state, tis = _states(memory_store)
    assert run_state == RunState.QUEUED  # the scheduler runs it again
    assert tis == {"ok": (TaskState.SUCCESS, 1), "bad": (None, 1), "after": (None, 1)}


def test_reset_dag_run_true_still_replaces_the_whole_run(memory_store):
    # TriggerDagRunOperator(reset_dag_run=True): a fresh run, every task to run again.
    runtime = _child_run_that_failed(memory_store)
    kwargs = {"dag_id": "p.inner", "run_id": "r1", "conf": {}, "logical_date": T0.isoformat()}
    runtime.trigger_dag(**kwargs, reset_dag_run=True)
    run_state, tis = _states(memory_store)
    assert run_state == RunState.QUEUED
    assert tis == {"ok": (None, 0), "bad": (None, 0), "after": (None, 0)}
