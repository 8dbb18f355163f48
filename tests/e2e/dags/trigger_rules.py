"""Trigger rules over a success, a failure and a skip (expected states: Airflow's)."""

from datetime import datetime

from airflow import DAG
from airflow.exceptions import AirflowSkipException
from airflow.operators.python import PythonOperator
from airflow.utils.trigger_rule import TriggerRule
from e2e_markers import marked


def succeed(context):
    return "ok"


def fail(context):
    raise ValueError("this task fails on purpose")


def skip(context):
    raise AirflowSkipException("this task skips on purpose")


with DAG("e2e_trigger_rules", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    ok = PythonOperator(task_id="ok", python_callable=marked(succeed))
    bad = PythonOperator(task_id="bad", python_callable=marked(fail))
    bad_too = PythonOperator(task_id="bad_too", python_callable=marked(fail))
    skipper = PythonOperator(task_id="skipper", python_callable=marked(skip))

    def after(task_id, rule, upstream):
        task = PythonOperator(task_id=task_id, python_callable=marked(succeed), trigger_rule=rule)
        upstream >> task
        return task

    after("all_failed_runs", TriggerRule.ALL_FAILED, [bad, bad_too])
    after("all_failed_skips", TriggerRule.ALL_FAILED, [ok, bad])
    after("one_success_runs", TriggerRule.ONE_SUCCESS, [ok, bad])
    after("one_success_upstream_failed", TriggerRule.ONE_SUCCESS, [bad, bad_too])
    after("none_failed_min_one_success_runs", TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, [ok, skipper])
    after("none_failed_min_one_success_blocked", TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, [ok, bad])
    after("all_done_runs", TriggerRule.ALL_DONE, [ok, bad, skipper])
    after("all_success_blocked", TriggerRule.ALL_SUCCESS, [ok, bad])
    after("all_success_skipped", TriggerRule.ALL_SUCCESS, [ok, skipper])
