"""What a task process sees of Brisa's secrets, and what its log and XComs show, through
the real ``brisa scheduler``, LocalExecutor and task processes (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from brisa.store.records import TaskKey

pytestmark = pytest.mark.slow

DAG_ID = "e2e_task_env"
SECRET_KEY = "api-secret-key-for-the-e2e-test-0123456789"
SMTP_PASSWORD = "smtp-pass-e2e-4242"
CONN_PASSWORD = "conn-pw-e2e-777"
CONN_URI = f"postgresql://etl:{CONN_PASSWORD}@warehouse.example.com:5432/w"
NESTED_TOKEN = "nested-token-e2e-5150"


def _run(deployed, **options: str) -> dict[str, str]:
    deployed.env.update(
        AIRFLOW__API__SECRET_KEY=SECRET_KEY,
        AIRFLOW__SMTP__SMTP_PASSWORD=SMTP_PASSWORD,
        AIRFLOW_CONN_WAREHOUSE=CONN_URI,
        AIRFLOW_VAR_REGION="eu-west-1",
    )
    service = {"url": "https://api.example.com", "auth": {"token": NESTED_TOKEN}}
    deployed.brisa("variables", "set", "service", json.dumps(service))
    deployed.add_dags("task_env")
    deployed.start_scheduler(**options)
    deployed.wait_for_dags(DAG_ID)
    run_id = deployed.trigger(DAG_ID)
    run = deployed.wait_for_run(DAG_ID, run_id)
    logs = {task: deployed.log(TaskKey(DAG_ID, run_id, task), 1) for task in deployed.tis(DAG_ID, run_id)}
    assert run.state.value == "success", logs
    return logs | {"run_id": run_id}


def _secrets(deployed) -> list[str]:
    return [
        SECRET_KEY,
        deployed.env["BRISA__CORE__FERNET_KEY"],
        deployed.database_url,
        SMTP_PASSWORD,
        CONN_URI,
        CONN_PASSWORD,
    ]


def test_a_task_does_not_see_brisas_keys_or_database_url_and_its_log_masks_the_rest(deployed):
    logs = _run(deployed)
    env = logs["env"]
    for name in ("AIRFLOW__API__SECRET_KEY", "BRISA__CORE__FERNET_KEY", "BRISA__DATABASE__SQL_ALCHEMY_CONN"):
        assert f"{name}=" not in env, env
    assert "AIRFLOW__SMTP__SMTP_PASSWORD=" not in env
    assert "AIRFLOW_CONN_WAREHOUSE=***" in env  # DAG code reads it: there, but masked
    assert "AIRFLOW_VAR_REGION=eu-west-1" in env and "BRISA__CORE__DAGS_FOLDER=" in env
    for task, log in logs.items():
        if task == "run_id":
            continue
        for secret in [*_secrets(deployed), "returned-pw-31337", NESTED_TOKEN]:
            assert secret not in log, (task, secret, log)
    assert "'password': '***'" in logs["returns_secrets"]
    assert "with token ***" in logs["prints_a_json_variable"]
    with deployed.store.transaction(readonly=True) as tx:
        key = TaskKey(DAG_ID, logs["run_id"], "returns_secrets")
        stored = tx.xcoms.require(key, "return_value").value
    assert stored["dsn"] == f"postgresql://etl:{CONN_PASSWORD}@db/w"  # downstream tasks get it whole


def test_pass_sensitive_env_to_tasks_hands_them_over_still_masked_in_the_log(deployed):
    env = _run(deployed, core__pass_sensitive_env_to_tasks="True")["env"]
    assert "AIRFLOW__API__SECRET_KEY=***" in env
    assert "BRISA__CORE__FERNET_KEY=***" in env
    assert SECRET_KEY not in env and deployed.env["BRISA__CORE__FERNET_KEY"] not in env
