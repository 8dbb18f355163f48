"""DAG-level callbacks: Airflow's ``reason`` values, the run's task instances, variables,
connections and the configuration they read, and their masked output."""

import logging
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from brisa import dag_settings
from brisa.runner.callbacks import (
    CallbackAnswers,
    CallbackRuntime,
    _CallbackChild,
    airflow_reason,
    call_dag_callback,
    callback_payload,
)
from brisa.runtime import NoRuntimeError, ParseRuntime, use_runtime
from brisa.sdk.configuration import conf
from brisa.sdk.connection import BaseHook, Connection
from brisa.sdk.variable import Variable
from brisa.secrets.backends import EnvironmentBackend
from brisa.secrets.masking import SecretsMasker
from brisa.states import RunState

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "scheduler_reason", "expected"),
    [
        (RunState.SUCCESS, "", "success"),
        (RunState.FAILED, "a leaf task failed", "task_failure"),
        (RunState.FAILED, "deadlocked: no task can run any more", "task_failure"),
        (RunState.FAILED, "timed out (dagrun_timeout)", "timed_out"),
        (RunState.FAILED, "", "task_failure"),
    ],
)
def test_callback_reason_is_airflows(state, scheduler_reason, expected):
    assert airflow_reason(state, scheduler_reason) == expected


# -- the run's task instances in DAG-level callbacks -----------------------------------------
FAILURE_ALERT_DAG = """
import json
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.operators.bash import BashOperator

def alert(context):
    failed = context["dag_run"].get_task_instances(state="failed")
    lines = [f"{ti.task_id} {ti.state} {ti.try_number} {ti.log_url}" for ti in failed]
    Path(__file__).with_name("alert.txt").write_text("\\n".join(lines))

with DAG("alerting", schedule=None, start_date=datetime(2024, 1, 1), on_failure_callback=alert):
    extract = BashOperator(task_id="extract", bash_command="exit 1")
    extract >> BashOperator(task_id="load", bash_command="true")
"""


def _failed_run(store, path):
    from brisa.loader import parse_file
    from brisa.services.runs import trigger_run
    from brisa.states import TaskState, advance_ti
    from brisa.store.records import TaskKey

    (dag,) = parse_file(str(path), timeout=30).dags
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = trigger_run(tx, dag, now=T0)
        key = TaskKey("alerting", run.run_id, "extract")
        advance_ti(tx, key, None, TaskState.SCHEDULED)
        advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1)
        advance_ti(tx, key, TaskState.QUEUED, TaskState.RUNNING)
        advance_ti(tx, key, TaskState.RUNNING, TaskState.FAILED)
        advance_ti(tx, TaskKey("alerting", run.run_id, "load"), None, TaskState.UPSTREAM_FAILED)
    return dag, run


def test_a_dag_failure_callback_reads_the_failed_task_instances(memory_store, tmp_path):
    path = tmp_path / "alerting.py"
    path.write_text(FAILURE_ALERT_DAG)
    dag, run = _failed_run(memory_store, path)
    payload = callback_payload(dag, run, RunState.FAILED, "a leaf task failed")
    assert call_dag_callback(payload, _answers(memory_store)) == 0
    task_id, state, try_number, log_url = (tmp_path / "alert.txt").read_text().split(" ")
    assert (task_id, state, try_number) == ("extract", "failed", "1")
    assert log_url.endswith(f"/dags/alerting/task?run_id={quote(run.run_id, safe='')}&task_id=extract")


def _answers(store, environ=None, masker=None):
    """The scheduler's answers to one callback, with secrets from ``environ``
    (``AIRFLOW_VAR_*``/``AIRFLOW_CONN_*``, Brisa's environment backend)."""
    return CallbackAnswers(store, EnvironmentBackend(environ or {}), masker or SecretsMasker())


SECRETS = {
    "AIRFLOW_VAR_WEBHOOK": "https://hooks.example.com/T0/B1",
    "AIRFLOW_VAR_ALERTS_TOKEN": "tok-5ecret-value",
    "AIRFLOW_CONN_ALERTS": "http://bot:pa55-w0rd-xyz@alerts.example.com",
}


def test_the_scheduler_answers_a_callback_child_about_task_instances_and_secrets(memory_store, tmp_path):
    path = tmp_path / "alerting.py"
    path.write_text(FAILURE_ALERT_DAG)
    _, run = _failed_run(memory_store, path)
    child = _CallbackChild("cb", 0.0, _answers(memory_store, SECRETS))
    rows = child.on_request(
        "get_task_instances", {"dag_id": "alerting", "run_id": run.run_id, "states": [None]}
    )
    assert rows == []
    row = child.on_request(
        "get_task_instance", {"dag_id": "alerting", "run_id": run.run_id, "task_id": "load", "map_index": -1}
    )
    assert (row["task_id"], row["state"]) == ("load", "upstream_failed")
    assert child.on_request("get_variable", {"key": "webhook"}) == "https://hooks.example.com/T0/B1"
    assert child.on_request("get_variable", {"key": "missing"}) is None
    conn = child.on_request("get_connection", {"conn_id": "alerts"})
    assert (conn["login"], conn["password"], conn["host"]) == ("bot", "pa55-w0rd-xyz", "alerts.example.com")
    assert child.on_request("get_connection", {"conn_id": "missing"}) is None
    # Reads only: the child's requests that write or need a try are refused by name.
    for op, args in [
        ("set_variable", {"key": "webhook", "value": "x"}),
        ("delete_variable", {"key": "webhook"}),
        ("xcom_pull", {"dag_id": "alerting", "run_id": run.run_id, "task_ids": ["extract"]}),
        ("trigger_dag", {"dag_id": "alerting"}),
    ]:
        with pytest.raises(ValueError, match=op):
            child.on_request(op, args)


def test_a_callback_runtime_reads_variables_and_connections_and_refuses_writes(memory_store):
    masker = SecretsMasker()
    runtime = CallbackRuntime(_answers(memory_store, SECRETS, masker))
    with use_runtime(runtime):
        assert Variable.get("webhook") == "https://hooks.example.com/T0/B1"
        assert Variable.get("missing", default_var="none") == "none"
        assert BaseHook.get_connection("alerts").password == "pa55-w0rd-xyz"
        assert Connection.get_connection_from_secrets("alerts").host == "alerts.example.com"
        with pytest.raises(NoRuntimeError, match=r"setting variable 'webhook'.*variables and connections"):
            Variable.set("webhook", "elsewhere")
        with pytest.raises(NoRuntimeError, match=r"deleting variable 'webhook'"):
            Variable.delete("webhook")
    with pytest.raises(NoRuntimeError, match="triggering a DAG"):
        runtime.trigger_dag(dag_id="d", run_id=None, conf=None, logical_date=None, reset_dag_run=False)
    with pytest.raises(NoRuntimeError, match="pulling an XCom"):
        runtime.xcom_pull(dag_id="d", run_id="r", task_ids=["t"], key=None, map_indexes=None)
    # What was handed out is hidden in the callback's output, as in a try's log: the
    # password, and the variable only if its name is sensitive (Airflow's rule).
    assert (
        masker.mask("pa55-w0rd-xyz https://hooks.example.com/T0/B1") == "*** https://hooks.example.com/T0/B1"
    )


def test_a_scheduler_without_secrets_refuses_them_by_name(memory_store):
    runtime = CallbackRuntime(CallbackAnswers(memory_store, None, SecretsMasker()))
    with pytest.raises(
        NoRuntimeError, match=r"variable 'webhook': variables and connections are not available"
    ):
        runtime.get_variable("webhook")


def test_the_callbacks_logged_output_is_masked(memory_store, caplog):
    child = _CallbackChild("on_failure_callback of alerting", 0.0, _answers(memory_store, SECRETS))
    child.on_output(b"alerting with token tok-5ecret-value and pa55-w0rd-xyz\n")
    # Read after they were printed: still hidden, the output is masked when it is logged.
    child.on_request("get_variable", {"key": "alerts_token"})
    child.on_request("get_connection", {"conn_id": "alerts"})
    child.on_request("mask_secret", {"value": "a-value-it-masked-itself"})
    child.on_output(b"and a-value-it-masked-itself\n")
    with caplog.at_level(logging.INFO, logger="brisa.runner.callbacks"):
        child.on_exit(0)
    (record,) = caplog.records
    assert record.getMessage().endswith("alerting with token *** and ***\nand ***")


SECRET_ALERT_DAG = """
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.hooks.base import BaseHook
from airflow.models import Variable
from airflow.operators.bash import BashOperator

channel = Variable.get("channel")  # top-level, as the DAG processor lets it

def alert(context):
    webhook = Variable.get("webhook")
    password = BaseHook.get_connection("alerts").password
    Path(__file__).with_name("alert.txt").write_text(f"{channel} {webhook} {password}")
    print(f"posting to {webhook} with {password}")

with DAG("alerting", schedule=None, start_date=datetime(2024, 1, 1), on_failure_callback=alert):
    extract = BashOperator(task_id="extract", bash_command="exit 1")
    extract >> BashOperator(task_id="load", bash_command="true")
"""


def test_a_dag_failure_callback_reads_variables_and_connections(memory_store, tmp_path):
    path = tmp_path / "alerting.py"
    path.write_text(SECRET_ALERT_DAG)
    environ = {**SECRETS, "AIRFLOW_VAR_CHANNEL": "#alerts"}
    with use_runtime(ParseRuntime(EnvironmentBackend(environ))):
        dag, run = _failed_run(memory_store, path)
    payload = callback_payload(dag, run, RunState.FAILED, "a leaf task failed")
    assert call_dag_callback(payload, _answers(memory_store, environ)) == 0
    assert (tmp_path / "alert.txt").read_text() == "#alerts https://hooks.example.com/T0/B1 pa55-w0rd-xyz"


# -- airflow.configuration.conf in DAG code -------------------------------------------------
CONF_DAG = """
from datetime import datetime
from pathlib import Path
from airflow import DAG
from airflow.configuration import conf
from airflow.operators.bash import BashOperator

def alert(context):
    urls = [conf.get("webserver", "base_url"), conf.get("api", "base_url", fallback="none")]
    Path(__file__).with_name("alert.txt").write_text(" ".join(urls))

with DAG("alerting", schedule=None, start_date=datetime(2024, 1, 1), on_failure_callback=alert):
    extract = BashOperator(task_id="extract", bash_command="exit 1")
    extract >> BashOperator(task_id="load", bash_command="true")
"""


def test_dag_code_reads_brisas_base_url_under_airflows_names(memory_store, tmp_path, settings_from):
    settings_from(BRISA__API__BASE_URL="https://brisa.example.com")
    path = tmp_path / "alerting.py"
    path.write_text(CONF_DAG)
    dag, run = _failed_run(memory_store, path)
    payload = callback_payload(dag, run, RunState.FAILED, "a leaf task failed")
    assert call_dag_callback(payload, _answers(memory_store)) == 0
    assert (tmp_path / "alert.txt").read_text() == "https://brisa.example.com https://brisa.example.com"


def test_dag_code_gets_airflows_default_base_url_when_none_is_set(settings_from):
    settings_from()
    with dag_settings.brisa_conf():
        assert conf.get("webserver", "base_url") == "http://localhost:8080"
        assert conf.get("api", "base_url", fallback=None) is None
        assert conf.get("core", "default_timezone") == "utc"  # other keys: as before
    settings_from(AIRFLOW__WEBSERVER__BASE_URL="https://old-name.example.com")
    with dag_settings.brisa_conf():
        assert conf.get("webserver", "base_url") == "https://old-name.example.com"
    assert conf.get("webserver", "base_url") == "http://localhost:8080"  # only while DAG code runs


def test_dag_code_reads_the_dags_folder_but_no_secret(settings_from, tmp_path):
    settings_from(
        BRISA__CORE__DAGS_FOLDER=str(tmp_path / "dags"),
        BRISA__CORE__FERNET_KEY="k" * 43 + "=",
        BRISA__DATABASE__SQL_ALCHEMY_CONN="postgresql://u:pw@db/brisa",
    )
    with dag_settings.brisa_conf():
        assert conf.get("core", "dags_folder") == str(tmp_path / "dags")
        assert conf.get("core", "fernet_key", fallback=None) is None
        assert conf.get("database", "sql_alchemy_conn", fallback=None) is None


def test_templates_conf_falls_back_for_unset_options_and_never_shows_secrets(settings_from, tmp_path):
    from brisa.templating.accessors import ConfAccessor

    settings_from(
        BRISA__CORE__DAGS_FOLDER=str(tmp_path / "dags"),
        BRISA__DATABASE__SQL_ALCHEMY_CONN="postgresql://u:pw@db/brisa",
    )
    conf_in_templates = ConfAccessor(dag_settings.config_lookup)  # what {{ conf }} is built over
    assert conf_in_templates.get("core", "dags_folder") == str(tmp_path / "dags")
    assert conf_in_templates.get("core", "no_such_option", fallback="x") == "x"
    assert conf_in_templates.get("database", "sql_alchemy_conn", fallback="hidden") == "hidden"
