"""``/api/v2/dags/{dag_id}/tasks``: task definitions from the serialized DAG, Airflow's shape."""

from __future__ import annotations

from datetime import UTC, datetime

from brisa.api.schemas import TaskCollectionResponse, TaskResponse
from brisa.serialized import MappedInput, MappedSpec
from brisa.testing import make_dag
from tests.api.conftest import Api
from tests.api.helpers import add_dag

TASKS = "/api/v2/dags/etl/tasks"
START = datetime(2025, 6, 15, tzinfo=UTC)


def seed(api: Api) -> None:
    options = {
        "extract": {
            "operator": "BashOperator",
            "owner": "ana",
            "retries": 2,
            "retry_delay": 90.5,
            "execution_timeout": 3600.0,
            "priority_weight": 5,
            "template_fields": ("bash_command", "env"),
            "ui_color": "#f0ede4",
            "doc_md": "Pulls the data",
            "extra": {"task_type": "BashOperator"},
        },
        "load": {"pool": "db", "queue": "io", "trigger_rule": "all_done", "retry_exponential_backoff": True},
    }
    dag = make_dag(
        "etl",
        {"extract": [], "load": ["extract"]},
        task_options=options,
        start_date=START,
        params={"rows": {"value": 10, "schema": {"type": "integer"}, "description": None}},
    )
    add_dag(api.store, api.clock(), dag)


def test_a_task_has_airflows_fields_from_the_serialized_dag(api: Api) -> None:
    seed(api)
    response = api.client.get(f"{TASKS}/extract", headers=api.headers("Viewer"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "task_id": "extract",
        "task_display_name": "extract",
        "owner": "ana",
        "start_date": "2025-06-15T00:00:00Z",
        "end_date": None,
        "trigger_rule": "all_success",
        "depends_on_past": False,
        "wait_for_downstream": False,
        "retries": 2.0,
        "queue": "default",
        "pool": "default_pool",
        "pool_slots": 1.0,
        "execution_timeout": {"__type": "TimeDelta", "days": 0, "seconds": 3600, "microseconds": 0},
        "retry_delay": {"__type": "TimeDelta", "days": 0, "seconds": 90, "microseconds": 500000},
        "retry_exponential_backoff": 0.0,
        "priority_weight": 5.0,
        "weight_rule": "downstream",
        "ui_color": "#f0ede4",
        "ui_fgcolor": "#000",
        "template_fields": ["bash_command", "env"],
        "downstream_task_ids": ["load"],
        "doc_md": "Pulls the data",
        "operator_name": "BashOperator",
        "params": {
            "rows": {
                "__class": "airflow.sdk.definitions.param.Param",
                "value": 10,
                "description": None,
                "schema": {"type": "integer"},
                "source": "dag",
            }
        },
        "class_ref": {"module_path": None, "class_name": "BashOperator"},
        "is_mapped": False,
        "extra_links": [],
    }


def test_the_list_has_airflows_envelope_and_orders_by_any_task_field(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    body = api.client.get(TASKS, headers=h).json()
    assert TaskCollectionResponse.model_validate(body).total_entries == 2
    assert set(body["tasks"][0]) == set(TaskResponse.model_fields)
    assert [task["task_id"] for task in body["tasks"]] == ["extract", "load"]
    load = body["tasks"][1]
    assert (load["pool"], load["queue"], load["trigger_rule"], load["execution_timeout"]) == (
        "db",
        "io",
        "all_done",
        None,
    )

    def order(value: str) -> list[str]:
        response = api.client.get(f"{TASKS}?order_by={value}", headers=h)
        assert response.status_code == 200, response.text
        return [task["task_id"] for task in response.json()["tasks"]]

    assert order("-task_id") == ["load", "extract"]
    assert order("-priority_weight") == ["extract", "load"]
    assert order("pool") == ["load", "extract"]
    assert order("doc_md") == ["extract", "load"]  # nulls last
    assert order("-doc_md") == ["extract", "load"]
    refused = api.client.get(f"{TASKS}?order_by=bash_command", headers=h)
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Ordering with 'bash_command' is disallowed or the attribute does not exist on the model"
    }


def test_a_mapped_task_and_a_dag_without_dates(api: Api) -> None:
    spec = MappedSpec(kind="expand", inputs=(MappedInput("x", literal_length=3),))
    dag = make_dag("mapped", {"each": []}, task_options={"each": {"mapped": spec}})
    add_dag(api.store, api.clock(), dag)
    task = api.client.get("/api/v2/dags/mapped/tasks/each", headers=api.headers("Viewer")).json()
    assert (task["is_mapped"], task["start_date"], task["params"]) == (True, None, {})
    assert task["class_ref"] == {"module_path": None, "class_name": "EmptyOperator"}


def test_unknown_dags_and_tasks_are_404(api: Api) -> None:
    seed(api)
    h = api.headers("Viewer")
    missing_task = api.client.get(f"{TASKS}/nope", headers=h)
    assert missing_task.status_code == 404
    assert missing_task.json() == {"detail": "Task with id nope was not found"}
    assert api.client.get("/api/v2/dags/nope/tasks", headers=h).status_code == 404
    assert api.client.get("/api/v2/dags/nope/tasks/extract", headers=h).status_code == 404


def test_sensitive_param_values_are_masked(api: Api) -> None:
    params = {"api_token": {"value": "s3cr3t-value", "schema": {}, "description": None}}
    add_dag(api.store, api.clock(), make_dag("secretive", {"t": []}, params=params))
    task = api.client.get("/api/v2/dags/secretive/tasks/t", headers=api.headers("Viewer")).json()
    assert task["params"]["api_token"]["value"] == "***"


def test_exponential_backoff_is_airflow_3_2s_multiplier_not_a_boolean(api: Api) -> None:
    # Airflow 3.2 made it a number (0: no backoff) and its generated client refuses booleans.
    seed(api)
    body = api.client.get(TASKS, headers=api.headers("Viewer")).json()
    backoff = {task["task_id"]: task["retry_exponential_backoff"] for task in body["tasks"]}
    assert backoff == {"extract": 0.0, "load": 2.0}
    assert not any(isinstance(value, bool) for value in backoff.values())
