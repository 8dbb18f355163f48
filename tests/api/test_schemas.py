"""The API schemas against Airflow 3's wire format.

Payloads below are shaped like the responses Airflow's own API tests expect
(airflow-core/tests/unit/api_fastapi/core_api/routes/public/) and the examples of the
generated OpenAPI document; the expected field sets are the ``properties`` and
``required`` lists of that document's component schemas (Airflow 3.1's), plus the fields
later releases made required, which the generated ``apache-airflow-client`` 3.3 refuses
to do without: ``timetable_periodic``, ``timetable_partitioned``, ``is_backfillable``
(DAGs), ``run_after`` (XComs), and the ``prevent_running_task``/``only_new`` it always
sends in clear bodies (tests/api/test_airflow_client.py drives that client).
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

import brisa.api.schemas as schemas
from brisa.api.schemas import (
    BulkActionResponse,
    BulkBody,
    BulkCreateAction,
    BulkDeleteAction,
    BulkResponse,
    BulkUpdateAction,
    ClearTaskInstanceCollectionResponse,
    ClearTaskInstancesBody,
    ConnectionBody,
    ConnectionCollectionResponse,
    ConnectionListQuery,
    ConnectionResponse,
    DAGCollectionResponse,
    DAGDetailsResponse,
    DagListQuery,
    DAGPatchBody,
    DAGResponse,
    DAGRunClearBody,
    DAGRunCollectionResponse,
    DagRunListQuery,
    DAGRunPatchBody,
    DAGRunResponse,
    DAGRunsBatchBody,
    DAGSourceResponse,
    DagStatsCollectionResponse,
    DagStatsResponse,
    DagStatsStateResponse,
    DAGTagCollectionResponse,
    DagTagListQuery,
    DagVersionResponse,
    EventLogCollectionResponse,
    EventLogListQuery,
    EventLogResponse,
    HealthInfoResponse,
    HTTPExceptionResponse,
    HTTPValidationError,
    ImportErrorCollectionResponse,
    ImportErrorListQuery,
    ImportErrorResponse,
    JobResponse,
    LoginBody,
    LoginResponse,
    NewTaskResponse,
    PatchTaskInstanceBody,
    PoolBody,
    PoolCollectionResponse,
    PoolListQuery,
    PoolPatchBody,
    PoolResponse,
    SortKey,
    TaskCollectionResponse,
    TaskInstanceCollectionResponse,
    TaskInstanceHistoryCollectionResponse,
    TaskInstanceHistoryResponse,
    TaskInstanceListQuery,
    TaskInstanceResponse,
    TaskInstancesBatchBody,
    TaskInstancesLogResponse,
    TaskListQuery,
    TaskResponse,
    TimeDelta,
    TriggerDAGRunPostBody,
    TriggerResponse,
    VariableBody,
    VariableCollectionResponse,
    VariableListQuery,
    VariableResponse,
    VersionInfo,
    XComCollectionResponse,
    XComCreateBody,
    XComListQuery,
    XComResponse,
    XComResponseNative,
    XComResponseString,
    XComUpdateBody,
    check_update_mask,
    fields_to_update,
    is_wildcard,
    like_pattern,
    parse_order_by,
)
from brisa.errors import InvalidInputError
from brisa.secrets.masking import SecretsMasker

# --- Payloads ------------------------------------------------------------------------------

DAG_VERSION = {
    "id": "0195d3d4-5c2b-7b53-a9c0-2a7ef3a21c11",
    "version_number": 1,
    "dag_id": "example_python_operator",
    "bundle_name": "dags-folder",
    "bundle_version": None,
    "created_at": "2025-01-01T00:00:00Z",
    "dag_display_name": "example_python_operator",
    "bundle_url": None,
}

DAG = {
    "dag_id": "example_python_operator",
    "dag_display_name": "example_python_operator",
    "is_paused": False,
    "is_stale": False,
    "last_parsed_time": "2025-01-02T03:04:05Z",
    "last_expired": None,
    "bundle_name": "dags-folder",
    "bundle_version": None,
    "relative_fileloc": "example_python_operator.py",
    "fileloc": "/opt/airflow/dags/example_python_operator.py",
    "description": None,
    "timetable_summary": None,
    "timetable_description": "Never, external triggers only",
    "tags": [
        {
            "name": "example",
            "dag_id": "example_python_operator",
            "dag_display_name": "example_python_operator",
        }
    ],
    "max_active_tasks": 16,
    "max_active_runs": 16,
    "max_consecutive_failed_dag_runs": 0,
    "has_task_concurrency_limits": True,
    "has_import_errors": False,
    "next_dagrun_logical_date": None,
    "next_dagrun_data_interval_start": None,
    "next_dagrun_data_interval_end": None,
    "next_dagrun_run_after": None,
    "owners": ["airflow"],
    "file_token": "Ii9vcHQvYWlyZmxvdy9kYWdzL2V4YW1wbGUucHki.c2lnbmF0dXJl",
    "timetable_periodic": False,
    "timetable_partitioned": False,
    "is_backfillable": False,
    "allowed_run_types": None,
}

DAG_DETAILS = DAG | {
    "catchup": False,
    "dag_run_timeout": None,
    "asset_expression": None,
    "doc_md": "details",
    "start_date": "2021-01-01T00:00:00Z",
    "end_date": None,
    "is_paused_upon_creation": None,
    "params": {
        "foo": {
            "__class": "airflow.sdk.definitions.param.Param",
            "value": 1,
            "description": None,
            "schema": {},
            "source": "dag",
        }
    },
    "render_template_as_native_obj": False,
    "template_search_path": None,
    "timezone": "UTC",
    "last_parsed": "2025-01-02T03:04:05Z",
    "default_args": {"depends_on_past": False, "retries": 1, "retry_delay": "PT5M"},
    "owner_links": {},
    "concurrency": 16,
    "latest_dag_version": DAG_VERSION,
}

DAG_RUN = {
    "dag_run_id": "manual__2025-01-01T00:00:00+00:00",
    "dag_id": "example_python_operator",
    "logical_date": "2025-01-01T00:00:00Z",
    "queued_at": "2025-01-01T00:00:01Z",
    "start_date": "2025-01-01T00:00:02Z",
    "end_date": None,
    "duration": None,
    "data_interval_start": "2025-01-01T00:00:00Z",
    "data_interval_end": "2025-01-01T00:00:00Z",
    "run_after": "2025-01-01T00:00:00Z",
    "last_scheduling_decision": None,
    "run_type": "manual",
    "state": "running",
    "triggered_by": "rest_api",
    "triggering_user_name": "admin",
    "conf": {"x": 1},
    "note": None,
    "dag_versions": [DAG_VERSION],
    "bundle_version": None,
    "dag_display_name": "example_python_operator",
    "partition_key": None,
}

TASK_INSTANCE = {
    "id": "0195d3d4-6e77-7a11-8e5e-6d0f2b7c9a01",
    "task_id": "print_the_context",
    "dag_id": "example_python_operator",
    "dag_run_id": "TEST_DAG_RUN_ID",
    "map_index": -1,
    "logical_date": "2020-01-01T00:00:00Z",
    "run_after": "2020-01-01T00:00:00Z",
    "start_date": "2020-01-02T00:00:00Z",
    "end_date": "2020-01-03T00:00:00Z",
    "duration": 10000.0,
    "state": "running",
    "try_number": 1,
    "max_tries": 0,
    "task_display_name": "print_the_context",
    "dag_display_name": "example_python_operator",
    "hostname": "",
    "unixname": "airflow",
    "pool": "default_pool",
    "pool_slots": 1,
    "queue": "default_queue",
    "priority_weight": 14,
    "operator": None,
    "operator_name": "PythonOperator",
    "queued_when": None,
    "scheduled_when": None,
    "pid": 100,
    "executor": None,
    "executor_config": "{}",
    "note": "placeholder-note",
    "rendered_map_index": None,
    "rendered_fields": {},
    "trigger": None,
    "triggerer_job": None,
    "dag_version": DAG_VERSION,
}

TASK_INSTANCE_TRY = {
    key: TASK_INSTANCE[key]
    for key in TASK_INSTANCE
    if key
    not in {"id", "logical_date", "run_after", "note", "rendered_map_index", "rendered_fields"}
    | {"trigger", "triggerer_job"}
}

CONNECTION = {
    "connection_id": "my_postgres",
    "conn_type": "postgres",
    "description": None,
    "host": "db.internal",
    "login": "etl",
    "schema": "warehouse",
    "port": 5432,
    "password": "***",
    "extra": '{"sslmode": "require"}',
}

POOL = {
    "name": "default_pool",
    "slots": 128,
    "description": "Default pool",
    "include_deferred": False,
    "occupied_slots": 1,
    "running_slots": 1,
    "queued_slots": 0,
    "scheduled_slots": 0,
    "open_slots": 127,
    "deferred_slots": 0,
}

IMPORT_ERROR = {
    "import_error_id": 1,
    "timestamp": "2025-01-01T00:00:00Z",
    "filename": "/opt/airflow/dags/broken.py",
    "bundle_name": "dags-folder",
    "stack_trace": "Traceback (most recent call last): ...",
}

XCOM = {
    "key": "return_value",
    "timestamp": "2025-01-01T00:00:05Z",
    "logical_date": "2025-01-01T00:00:00Z",
    "map_index": -1,
    "task_id": "extract",
    "dag_id": "etl",
    "run_id": "scheduled__2025-01-01T00:00:00+00:00",
    "dag_display_name": "etl",
    "task_display_name": "extract",
    "run_after": "2025-01-01T00:00:00Z",
}

TIME_DELTA = {"__type": "TimeDelta", "days": 0, "seconds": 300, "microseconds": 0}

TASK = {
    "task_id": "op1",
    "task_display_name": "op1",
    "owner": "airflow",
    "start_date": "2020-06-15T00:00:00Z",
    "end_date": None,
    "trigger_rule": "all_success",
    "depends_on_past": False,
    "wait_for_downstream": False,
    "retries": 0.0,
    "queue": "default",
    "pool": "default_pool",
    "pool_slots": 1.0,
    "execution_timeout": None,
    "retry_delay": TIME_DELTA,
    "retry_exponential_backoff": 0.0,
    "priority_weight": 1.0,
    "weight_rule": "downstream",
    "ui_color": "#e8f7e4",
    "ui_fgcolor": "#000",
    "template_fields": [],
    "downstream_task_ids": ["op2"],
    "doc_md": None,
    "operator_name": "EmptyOperator",
    "params": {
        "foo": {
            "__class": "airflow.sdk.definitions.param.Param",
            "value": "bar",
            "description": None,
            "schema": {},
        }
    },
    "class_ref": {"class_name": "EmptyOperator", "module_path": "airflow.providers.standard.operators.empty"},
    "is_mapped": False,
    "extra_links": [],
}

DAG_SOURCE = {
    "content": "from airflow import DAG\n",
    "dag_id": "example_python_operator",
    "version_number": 1,
    "dag_display_name": "example_python_operator",
}

DAG_STATS = {
    "dag_id": "example_python_operator",
    "dag_display_name": "example_python_operator",
    "stats": [
        {"state": "queued", "count": 0},
        {"state": "running", "count": 1},
        {"state": "success", "count": 2},
        {"state": "failed", "count": 0},
    ],
}
EVENT_LOG = {
    "event_log_id": 7,
    "when": "2025-01-01T00:00:05Z",
    "dag_id": "etl",
    "task_id": "extract",
    "run_id": "scheduled__2025-01-01T00:00:00+00:00",
    "map_index": -1,
    "try_number": 1,
    "event": "patch_task_instance",
    "logical_date": "2025-01-01T00:00:00Z",
    "owner": "admin",
    "extra": '{"new_state": "success"}',
    "dag_display_name": "etl",
}

LOGIN_EVENT_LOG = {key: None for key in EVENT_LOG} | {"event_log_id": 8, "when": "2025-01-01T00:00:06Z"}
LOGIN_EVENT_LOG |= {"event": "login", "owner": "admin"}
"""A row that names no DAG: every nullable field is null."""

HEALTH = {
    "metadatabase": {"status": "healthy"},
    "scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2025-01-01T00:00:00+00:00"},
    "triggerer": {"status": None, "latest_triggerer_heartbeat": None},
    "dag_processor": {"status": "healthy", "latest_dag_processor_heartbeat": "2025-01-01T00:00:00+00:00"},
}


def round_trip(model: type[BaseModel], payload: dict) -> dict:
    return json.loads(model.model_validate(payload).model_dump_json())


# --- Responses accept Airflow payloads and serialize back to them --------------------------


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        (DagVersionResponse, DAG_VERSION),
        (DAGResponse, DAG),
        (DAGDetailsResponse, DAG_DETAILS),
        (DAGRunResponse, DAG_RUN),
        (TaskInstanceResponse, TASK_INSTANCE),
        (TaskInstanceHistoryResponse, TASK_INSTANCE_TRY),
        (ConnectionResponse, CONNECTION),
        (PoolResponse, POOL),
        (ImportErrorResponse, IMPORT_ERROR),
        (XComResponse, XCOM),
        (XComResponseNative, XCOM | {"value": {"rows": 3, "tables": ["a", "b"]}}),
        (EventLogResponse, EVENT_LOG),
        (EventLogResponse, LOGIN_EVENT_LOG),
        (XComResponseString, XCOM | {"value": "{'rows': 3}"}),
        (HealthInfoResponse, HEALTH),
        (VersionInfo, {"version": "3.1.0", "git_version": None}),
        (LoginResponse, {"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig"}),
        (VariableResponse, {"key": "env", "value": "prod", "description": None, "is_encrypted": True}),
        (TimeDelta, TIME_DELTA),
        (TaskResponse, TASK),
        (TaskResponse, TASK | {"task_id": None, "task_display_name": None, "retry_delay": None}),
        (DAGSourceResponse, DAG_SOURCE),
        (DAGSourceResponse, DAG_SOURCE | {"content": None}),
        (DagStatsResponse, DAG_STATS),
        (DAGTagCollectionResponse, {"tags": ["example", "etl"], "total_entries": 2}),
    ],
)
def test_airflow_payloads_round_trip_unchanged(model, payload):
    assert round_trip(model, payload) == payload


@pytest.mark.parametrize(
    ("envelope", "key", "item"),
    [
        (DAGCollectionResponse, "dags", DAG),
        (DAGRunCollectionResponse, "dag_runs", DAG_RUN),
        (TaskInstanceCollectionResponse, "task_instances", TASK_INSTANCE),
        (TaskInstanceHistoryCollectionResponse, "task_instances", TASK_INSTANCE_TRY),
        (ConnectionCollectionResponse, "connections", CONNECTION),
        (PoolCollectionResponse, "pools", POOL),
        (ImportErrorCollectionResponse, "import_errors", IMPORT_ERROR),
        (XComCollectionResponse, "xcom_entries", XCOM),
        (TaskCollectionResponse, "tasks", TASK),
        (DagStatsCollectionResponse, "dags", DAG_STATS),
        (EventLogCollectionResponse, "event_logs", EVENT_LOG),
        (
            VariableCollectionResponse,
            "variables",
            {"key": "k", "value": "v", "description": "d", "is_encrypted": False},
        ),
    ],
)
def test_collections_use_airflows_envelopes(envelope, key, item):
    payload = {key: [item, item], "total_entries": 7}
    assert round_trip(envelope, payload) == payload
    with pytest.raises(ValidationError):
        envelope.model_validate({key: [item]})  # total_entries is required


def test_a_dry_run_clear_lists_task_instances_and_new_tasks():
    new_task = {"task_id": "report", "task_display_name": "report"}
    payload = {"task_instances": [TASK_INSTANCE, new_task], "total_entries": 2}
    assert round_trip(ClearTaskInstanceCollectionResponse, payload) == payload


def test_newer_airflow_fields_are_ignored_not_errors():
    newer = TASK_INSTANCE | {"team_name": None, "state_reason": None}
    assert round_trip(TaskInstanceResponse, newer) == TASK_INSTANCE


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (DAGRunResponse, {k: v for k, v in DAG_RUN.items() if k != "note"}, "note"),
        (DAGRunResponse, DAG_RUN | {"state": "deferred"}, "state"),
        (DAGRunResponse, DAG_RUN | {"run_after": None}, "run_after"),
        (DAGResponse, DAG | {"tags": ["example"]}, "tags"),
        (TaskInstanceResponse, TASK_INSTANCE | {"map_index": "first"}, "map_index"),
        (TaskInstanceResponse, TASK_INSTANCE | {"state": "sleeping"}, "state"),
        (PoolResponse, POOL | {"slots": -2}, "slots"),
        (HealthInfoResponse, {"metadatabase": {"status": "healthy"}}, "scheduler"),
    ],
)
def test_wrong_payloads_are_rejected(model, payload, field):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    assert field in {str(error["loc"][0]) for error in caught.value.errors()}


def test_utc_datetimes_serialize_with_z_and_durations_as_iso8601():
    details = DAGDetailsResponse.model_validate(DAG_DETAILS | {"dag_run_timeout": timedelta(hours=1)})
    dumped = json.loads(details.model_dump_json())
    assert dumped["dag_run_timeout"] == "PT1H"
    assert dumped["last_parsed"] == "2025-01-02T03:04:05Z"


def test_task_durations_are_airflows_time_delta_objects():
    task = TaskResponse.model_validate(TASK | {"execution_timeout": 90061.5, "retry_delay": timedelta(0)})
    dumped = json.loads(task.model_dump_json())
    assert dumped["execution_timeout"] == {
        "__type": "TimeDelta",
        "days": 1,
        "seconds": 3661,
        "microseconds": 500000,
    }
    assert dumped["retry_delay"] == {"__type": "TimeDelta", "days": 0, "seconds": 0, "microseconds": 0}


def test_dag_details_concurrency_is_max_active_tasks():
    payload = {k: v for k, v in DAG_DETAILS.items() if k != "concurrency"} | {"max_active_tasks": 3}
    assert round_trip(DAGDetailsResponse, payload)["concurrency"] == 3


def test_dag_owners_and_timetable_summary_are_normalised_like_airflow():
    dag = DAGResponse.model_validate(DAG | {"owners": "alice,bob", "timetable_summary": "None"})
    assert dag.owners == ["alice", "bob"]
    assert dag.timetable_summary is None
    assert DAGResponse.model_validate(DAG | {"owners": None}).owners == []


def test_responses_build_from_store_records():
    class Row:
        pass

    row = Row()
    for key, value in IMPORT_ERROR.items():
        setattr(row, key, value)
    assert ImportErrorResponse.model_validate(row).import_error_id == 1


def test_executor_config_is_always_a_string():
    ti = TaskInstanceResponse.model_validate(TASK_INSTANCE | {"executor_config": {}})
    assert ti.executor_config == "{}"


# --- Exact field sets and nullability, from the OpenAPI document ----------------------------

DAG_FIELDS = set(DAG)
DAG_REQUIRED = DAG_FIELDS - {"allowed_run_types"}
DAG_DETAILS_REQUIRED = DAG_REQUIRED | {
    "catchup",
    "dag_run_timeout",
    "asset_expression",
    "doc_md",
    "start_date",
    "end_date",
    "is_paused_upon_creation",
    "params",
    "render_template_as_native_obj",
    "template_search_path",
    "timezone",
    "last_parsed",
    "default_args",
    "concurrency",
    "latest_dag_version",
}


@pytest.mark.parametrize(
    ("model", "properties", "required"),
    [
        (DAGResponse, DAG_FIELDS, DAG_REQUIRED),
        (
            DAGDetailsResponse,
            DAG_DETAILS_REQUIRED | {"owner_links", "allowed_run_types"},
            DAG_DETAILS_REQUIRED,
        ),
        (DagVersionResponse, set(DAG_VERSION), set(DAG_VERSION)),
        (DAGRunResponse, set(DAG_RUN), set(DAG_RUN)),
        (TaskInstanceResponse, set(TASK_INSTANCE), set(TASK_INSTANCE) - {"rendered_fields"}),
        (TaskInstanceHistoryResponse, set(TASK_INSTANCE_TRY), set(TASK_INSTANCE_TRY)),
        (ConnectionResponse, set(CONNECTION), set(CONNECTION)),
        (PoolResponse, set(POOL), set(POOL)),
        (ImportErrorResponse, set(IMPORT_ERROR), set(IMPORT_ERROR)),
        (XComResponse, set(XCOM), set(XCOM)),
        (XComResponseNative, set(XCOM) | {"value"}, set(XCOM) | {"value"}),
        (EventLogResponse, set(EVENT_LOG), set(EVENT_LOG) - {"dag_display_name"}),
        (EventLogCollectionResponse, {"event_logs", "total_entries"}, {"event_logs", "total_entries"}),
        (
            VariableResponse,
            {"key", "value", "description", "is_encrypted"},
            {"key", "value", "description", "is_encrypted"},
        ),
        (TaskResponse, set(TASK), set(TASK)),
        (TaskCollectionResponse, {"tasks", "total_entries"}, {"tasks", "total_entries"}),
        (NewTaskResponse, {"task_id", "task_display_name"}, {"task_id", "task_display_name"}),
        (
            ClearTaskInstanceCollectionResponse,
            {"task_instances", "total_entries"},
            {"task_instances", "total_entries"},
        ),
        (TimeDelta, set(TIME_DELTA), {"days", "seconds", "microseconds"}),
        (DAGSourceResponse, set(DAG_SOURCE), set(DAG_SOURCE)),
        (DAGTagCollectionResponse, {"tags", "total_entries"}, {"tags", "total_entries"}),
        (DagStatsCollectionResponse, {"dags", "total_entries"}, {"dags", "total_entries"}),
        (DagStatsResponse, set(DAG_STATS), set(DAG_STATS)),
        (DagStatsStateResponse, {"state", "count"}, {"state", "count"}),
        (HealthInfoResponse, set(HEALTH), {"metadatabase", "scheduler", "triggerer"}),
        (VersionInfo, {"version", "git_version"}, {"version", "git_version"}),
        (TaskInstancesLogResponse, {"content", "continuation_token"}, {"content", "continuation_token"}),
        (LoginResponse, {"access_token"}, {"access_token"}),
        (BulkResponse, {"create", "update", "delete"}, set()),
        (BulkActionResponse, {"success", "errors"}, set()),
        (
            TriggerResponse,
            {"id", "classpath", "kwargs", "created_date", "triggerer_id"},
            {"id", "classpath", "kwargs", "created_date", "triggerer_id"},
        ),
        (
            JobResponse,
            {
                *("id", "dag_id", "state", "job_type", "start_date", "end_date", "latest_heartbeat"),
                *("executor_class", "hostname", "unixname", "dag_display_name"),
            },
            {
                *("id", "dag_id", "state", "job_type", "start_date", "end_date", "latest_heartbeat"),
                *("executor_class", "hostname", "unixname"),
            },
        ),
    ],
)
def test_response_fields_match_the_openapi_document(model, properties, required):
    schema = model.model_json_schema(mode="serialization")
    assert set(schema["properties"]) == properties
    assert set(schema.get("required", [])) == required


@pytest.mark.parametrize(
    ("model", "properties", "required"),
    [
        (DAGPatchBody, {"is_paused"}, {"is_paused"}),
        (
            TriggerDAGRunPostBody,
            {
                *("dag_run_id", "data_interval_start", "data_interval_end", "logical_date"),
                *("run_after", "conf", "note", "partition_key"),
            },
            {"logical_date"},
        ),
        (DAGRunPatchBody, {"state", "note"}, set()),
        (DAGRunClearBody, {"dry_run", "only_failed", "only_new", "run_on_latest_version", "note"}, set()),
        (
            PatchTaskInstanceBody,
            {"new_state", "note", "include_upstream", "include_downstream", "include_future", "include_past"},
            set(),
        ),
        (
            ClearTaskInstancesBody,
            {
                *("dry_run", "start_date", "end_date", "only_failed", "only_running", "reset_dag_runs"),
                *("task_ids", "dag_run_id", "include_upstream", "include_downstream"),
                *("include_future", "include_past", "run_on_latest_version"),
                *("prevent_running_task", "note"),
            },
            set(),
        ),
        (ConnectionBody, set(CONNECTION), {"connection_id", "conn_type"}),
        (VariableBody, {"key", "value", "description"}, {"key", "value"}),
        (PoolBody, {"name", "slots", "description", "include_deferred"}, {"name", "slots"}),
        (PoolPatchBody, {"pool", "slots", "description", "include_deferred"}, set()),
        (LoginBody, {"username", "password"}, {"username", "password"}),
        (BulkBody[VariableBody], {"actions"}, {"actions"}),
        (
            BulkCreateAction[VariableBody],
            {"action", "entities", "action_on_existence"},
            {"action", "entities"},
        ),
        (
            BulkUpdateAction[ConnectionBody],
            {"action", "entities", "update_mask", "action_on_non_existence"},
            {"action", "entities"},
        ),
        (
            BulkDeleteAction[VariableBody],
            {"action", "entities", "action_on_non_existence"},
            {"action", "entities"},
        ),
        (
            DAGRunsBatchBody,
            {
                *("order_by", "page_offset", "page_limit", "dag_ids", "states", "conf_contains"),
                *(
                    f"{field}_{op}"
                    for field in ("run_after", "logical_date", "start_date", "end_date", "duration")
                    for op in ("gte", "gt", "lte", "lt")
                ),
            },
            set(),
        ),
        (
            TaskInstancesBatchBody,
            {
                *("dag_ids", "dag_run_ids", "task_ids", "state", "pool", "queue", "executor"),
                *("page_offset", "page_limit", "order_by"),
                *(
                    f"{field}_{op}"
                    for field in ("run_after", "logical_date", "start_date", "end_date", "duration")
                    for op in ("gte", "gt", "lte", "lt")
                ),
            },
            set(),
        ),
        (XComCreateBody, {"key", "value", "map_index"}, {"key", "value"}),
        (XComUpdateBody, {"value", "map_index"}, {"value"}),
    ],
)
def test_request_bodies_match_the_openapi_document(model, properties, required):
    schema = model.model_json_schema(mode="validation")
    assert set(schema["properties"]) == properties
    assert set(schema.get("required", [])) == required
    assert schema["additionalProperties"] is False


# --- Request bodies ------------------------------------------------------------------------


def test_trigger_body_needs_logical_date_present_but_it_may_be_null():
    body = TriggerDAGRunPostBody.model_validate({"logical_date": None})
    assert body.logical_date is None and body.conf == {} and body.dag_run_id is None
    with pytest.raises(ValidationError, match="logical_date"):
        TriggerDAGRunPostBody.model_validate({"conf": {"a": 1}})


def test_trigger_body_takes_airflows_fields():
    body = TriggerDAGRunPostBody.model_validate(
        {
            "dag_run_id": "my_run",
            "logical_date": "2025-01-01T00:00:00Z",
            "data_interval_start": "2024-12-31T00:00:00Z",
            "data_interval_end": "2025-01-01T00:00:00Z",
            "conf": {"k": "v"},
            "note": "from a script",
        }
    )
    assert body.logical_date == datetime(2025, 1, 1, tzinfo=UTC)
    assert body.conf == {"k": "v"}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"logical_date": "2025-01-01T00:00:00"}, "timezone"),
        ({"logical_date": None, "data_interval_start": "2025-01-01T00:00:00Z"}, "Either both"),
        ({"logical_date": None, "execution_date": "2025-01-01T00:00:00Z"}, "Extra inputs"),
        ({"logical_date": None, "conf": ["not", "a", "dict"]}, "conf"),
    ],
)
def test_trigger_body_rejects(payload, message):
    with pytest.raises(ValidationError, match=message):
        TriggerDAGRunPostBody.model_validate(payload)


def test_dag_patch_body_only_has_is_paused():
    assert DAGPatchBody.model_validate({"is_paused": True}).is_paused is True
    with pytest.raises(ValidationError):
        DAGPatchBody.model_validate({"is_paused": True, "description": "x"})


def test_dag_run_patch_and_clear_bodies():
    assert DAGRunPatchBody.model_validate({"state": "failed"}).state == "failed"
    with pytest.raises(ValidationError):
        DAGRunPatchBody.model_validate({"state": "running"})
    with pytest.raises(ValidationError):
        DAGRunPatchBody.model_validate({"note": "x" * 1001})
    clear = DAGRunClearBody.model_validate({})
    assert clear.dry_run is True and clear.only_failed is False


def test_task_instance_patch_marks_only_success_failed_or_skipped():
    assert PatchTaskInstanceBody.model_validate({"new_state": "SUCCESS"}).new_state == "success"
    assert PatchTaskInstanceBody.model_validate({"note": "looked at it"}).new_state is None
    with pytest.raises(ValidationError, match="is not one of"):
        PatchTaskInstanceBody.model_validate({"new_state": "running"})
    with pytest.raises(ValidationError, match="should not be empty"):
        PatchTaskInstanceBody.model_validate({"new_state": None})


def test_clear_task_instances_body():
    body = ClearTaskInstancesBody.model_validate(
        {"dag_run_id": "r1", "task_ids": ["a", ["b", 2]], "only_failed": False, "dry_run": False}
    )
    assert body.task_ids == ["a", ("b", 2)]
    assert ClearTaskInstancesBody.model_validate({}).only_failed is True
    for bad, message in [
        ({"only_failed": True, "only_running": True}, "both are set"),
        ({"start_date": "2025-02-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}, "sooner"),
        ({"dag_run_id": "r1", "start_date": "2025-01-01T00:00:00Z"}, "Exactly one"),
        ({"task_ids": []}, "at least 1"),
    ]:
        with pytest.raises(ValidationError, match=message):
            ClearTaskInstancesBody.model_validate(bad)


def test_connection_body_validates_id_and_extra():
    body = ConnectionBody.model_validate(
        {"connection_id": "pg.main-1", "conn_type": "postgres", "schema": "public", "extra": ""}
    )
    assert body.extra == "{}"
    assert body.model_dump()["schema"] == "public"
    for bad in ({"connection_id": "has space"}, {"extra": "[1, 2]"}, {"extra": "not json"}):
        with pytest.raises(ValidationError):
            ConnectionBody.model_validate({"connection_id": "c", "conn_type": "http"} | bad)


def test_variable_body_stores_non_strings_as_json():
    assert VariableBody.model_validate({"key": "k", "value": "plain"}).stored_value() == "plain"
    assert VariableBody.model_validate({"key": "k", "value": {"a": [1]}}).stored_value() == '{"a": [1]}'
    with pytest.raises(ValidationError):
        VariableBody.model_validate({"key": "k" * 251, "value": 1})


def test_pool_bodies_use_airflows_two_names_for_the_pool():
    assert PoolBody.model_validate({"name": "etl", "slots": -1}).include_deferred is False
    assert PoolPatchBody.model_validate({"pool": "etl"}).pool == "etl"
    with pytest.raises(ValidationError):
        PoolBody.model_validate({"pool": "etl", "slots": 1})


def test_task_instances_batch_body_pages_sorts_and_bounds_like_the_list():
    body = TaskInstancesBatchBody.model_validate(
        {"page_limit": 500, "duration_gt": 1.5, "start_date_lte": "2025-01-01T00:00:00Z", "state": [None]}
    )
    assert (body.page_limit, body.page_offset, body.state) == (100, 0, [None])
    assert body.sort_keys() == [SortKey("id", False)]
    assert set(body.ranges()) == {"duration", "start_date"}
    assert body.ranges()["duration"].gt == 1.5
    descending = TaskInstancesBatchBody.model_validate({"order_by": "-start_date"})
    assert descending.sort_keys() == [SortKey("start_date", True)]
    with pytest.raises(InvalidInputError, match="Ordering with 'operator' is disallowed"):
        TaskInstancesBatchBody.model_validate({"order_by": "operator"}).sort_keys()
    for bad in ({"page_offset": -1}, {"run_after_gte": "2025-01-01T00:00:00"}, {"dag_ids": "etl"}):
        with pytest.raises(ValidationError):
            TaskInstancesBatchBody.model_validate(bad)


def test_xcom_bodies_take_any_json_value_but_need_it_present():
    assert XComCreateBody.model_validate({"key": "k", "value": None}).map_index == -1
    assert XComUpdateBody.model_validate({"value": [1, {"a": 2}], "map_index": 3}).value == [1, {"a": 2}]
    for bad in ({"key": "k"}, {"key": "k" * 513, "value": 1}, {"key": "k", "value": 1, "map_index": -2}):
        with pytest.raises(ValidationError):
            XComCreateBody.model_validate(bad)
    with pytest.raises(ValidationError):
        XComUpdateBody.model_validate({"value": 1, "key": "k"})


def test_login_body_is_strict():
    assert LoginBody.model_validate({"username": "admin", "password": "pw"}).username == "admin"
    with pytest.raises(ValidationError):
        LoginBody.model_validate({"username": "admin", "password": "pw", "remember": True})


# --- Secrets -------------------------------------------------------------------------------


def test_connection_password_is_masked_and_extra_redacted():
    conn = ConnectionResponse.model_validate(
        CONNECTION
        | {"password": "hunter2", "extra": '{"api_key": "k", "region": "eu", "nested": {"token": "t"}}'}
    )
    assert conn.password == "***"
    assert json.loads(conn.extra) == {"api_key": "***", "region": "eu", "nested": {"token": "***"}}
    assert ConnectionResponse.model_validate(CONNECTION | {"password": None}).password is None
    assert ConnectionResponse.model_validate(CONNECTION | {"extra": "not json"}).extra == "not json"


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("db_password", "hunter2", "***"),
        ("aws_secret_access", '{"a": 1}', '{"a": "***"}'),
        ("settings", '{"token": "t", "region": "eu"}', '{"token": "***", "region": "eu"}'),
        ("settings", "plain text", "plain text"),
    ],
)
def test_variable_values_are_redacted_like_airflow(key, value, shown):
    variable = VariableResponse.model_validate(
        {"key": key, "value": value, "description": None, "is_encrypted": True}
    )
    assert variable.value == shown


def test_a_routes_masker_adds_configured_names_and_registered_secrets():
    masker = SecretsMasker(extra_sensitive_names=["dsn"])
    masker.add("s3cr3t-value")
    context = {"masker": masker}
    variable = VariableResponse.model_validate(
        {"key": "warehouse_dsn", "value": "postgres://x", "description": None, "is_encrypted": True},
        context=context,
    )
    assert variable.value == "***"
    conn = ConnectionResponse.model_validate(CONNECTION | {"extra": "opaque s3cr3t-value"}, context=context)
    assert conn.extra == "opaque ***"
    assert ConnectionResponse.model_validate(CONNECTION | {"extra": "opaque s3cr3t-value"}).extra == (
        "opaque s3cr3t-value"
    )


def test_xcom_values_that_are_not_json_become_strings():
    native = XComResponseNative.model_validate(XCOM | {"value": {"when": datetime(2025, 1, 1), 1: (2, 3)}})
    assert native.value == {"when": "2025-01-01 00:00:00", "1": [2, 3]}
    assert XComResponseString.model_validate(XCOM | {"value": [1, 2]}).value == "[1, 2]"


# --- Errors and logs -----------------------------------------------------------------------


def test_error_bodies():
    assert HTTPExceptionResponse.model_validate({"detail": "Dag with id: `x` was not found"}).detail
    assert HTTPExceptionResponse.model_validate({"detail": {"reason": "Unique constraint violation"}})


def test_a_real_fastapi_422_fits_the_validation_error_model():
    app = FastAPI()

    @app.post("/dags/{dag_id}/dagRuns")
    def trigger(dag_id: str, body: TriggerDAGRunPostBody) -> dict:
        return {}

    response = TestClient(app).post("/dags/d/dagRuns", json={"conf": {}})
    assert response.status_code == 422
    error = HTTPValidationError.model_validate(response.json())
    assert error.detail[0].loc == ["body", "logical_date"]


def test_log_response_accepts_structured_or_plain_lines():
    structured = TaskInstancesLogResponse.model_validate(
        {
            "content": [
                {"timestamp": "2025-01-01T00:00:00Z", "event": "Task started", "level": "info"},
                {"event": "::group::Log message source details"},
            ],
            "continuation_token": None,
        }
    )
    assert structured.content[0].model_extra == {"level": "info"}
    assert structured.as_text() == (
        "[2025-01-01T00:00:00+00:00] INFO - Task started\n::group::Log message source details\n"
    )
    first = json.loads(structured.as_ndjson().splitlines()[0])
    assert first == {"timestamp": "2025-01-01T00:00:00Z", "event": "Task started", "level": "info"}

    plain = TaskInstancesLogResponse.model_validate(
        {"content": ["line 1", "line 2"], "continuation_token": "t"}
    )
    assert plain.as_text() == "line 1\nline 2\n"
    assert plain.as_ndjson() == '{"event": "line 1"}\n{"event": "line 2"}\n'
    with pytest.raises(ValidationError):
        TaskInstancesLogResponse.model_validate({"content": "one string", "continuation_token": None})


# --- Query parameters ----------------------------------------------------------------------


def test_limit_defaults_to_50_and_is_cut_to_100():
    assert DagListQuery().limit == 50
    assert DagListQuery(limit=1000).limit == 100
    assert DagListQuery(limit=0).limit == 0
    with pytest.raises(ValidationError):
        DagListQuery(limit=-1)
    with pytest.raises(ValidationError):
        DagListQuery(offset=-1)


@pytest.mark.parametrize(
    ("query", "default"),
    [
        (DagListQuery, "dag_id"),
        (DagRunListQuery, "id"),
        (TaskInstanceListQuery, "map_index"),
        (VariableListQuery, "id"),
        (ConnectionListQuery, "id"),
        (PoolListQuery, "id"),
        (ImportErrorListQuery, "id"),
        (DagTagListQuery, "name"),
        (TaskListQuery, "task_id"),
        (EventLogListQuery, "id"),
    ],
)
def test_default_order_is_airflows(query, default):
    assert query().sort_keys() == [SortKey(field=default, descending=False)]


def test_order_by_resolves_aliases_descending_and_comma_lists():
    query = DagRunListQuery(order_by=["-dag_run_id", "start_date,-end_date"])
    assert query.sort_keys() == [
        SortKey("run_id", True),
        SortKey("start_date", False),
        SortKey("end_date", True),
    ]
    assert ConnectionListQuery(order_by=["connection_id"]).sort_keys() == [SortKey("conn_id", False)]
    assert PoolListQuery(order_by=["-name"]).sort_keys() == [SortKey("pool", True)]
    assert ImportErrorListQuery(order_by=["import_error_id"]).sort_keys() == [SortKey("id", False)]
    assert EventLogListQuery(order_by=["-when", "event_log_id"]).sort_keys() == [
        SortKey("dttm", True),
        SortKey("id", False),
    ]


def test_order_by_refuses_unknown_fields_and_too_many_keys():
    with pytest.raises(InvalidInputError, match="Ordering with 'password' is disallowed"):
        ConnectionListQuery(order_by=["password"]).sort_keys()
    with pytest.raises(InvalidInputError, match="more than 10 parameters"):
        parse_order_by(["id"] * 11, {"id": "id"})


def test_patterns_are_like_substrings_and_tilde_means_all():
    assert like_pattern("etl") == "%etl%"
    assert like_pattern("~") == "%"
    assert like_pattern(None) is None
    assert is_wildcard("~") and not is_wildcard("etl")


def test_query_datetimes_default_to_utc_and_survive_unencoded_plus():
    query = DagRunListQuery(run_after_gte="2025-01-01T00:00:00", run_after_lt="2025-02-01T00:00:00 00:00")
    ranges = query.ranges()
    assert ranges["run_after"].gte == datetime(2025, 1, 1, tzinfo=UTC)
    assert ranges["run_after"].lt == datetime(2025, 2, 1, tzinfo=UTC)
    assert ranges["run_after"].gt is None
    assert set(ranges) == {"run_after"}


def test_task_instance_state_filter_takes_none_for_no_state():
    assert TaskInstanceListQuery(state=["none", "success", "no_status"]).state == [None, "success", None]
    with pytest.raises(ValidationError):
        TaskInstanceListQuery(state=["sleeping"])
    assert TaskInstanceListQuery(duration_gte=1.5).ranges()["duration"].gte == 1.5


def test_query_models_work_as_fastapi_query_parameters():
    app = FastAPI()

    @app.get("/dags/{dag_id}/dagRuns")
    def runs(dag_id: str, query: Annotated[DagRunListQuery, Query()]) -> dict:
        return {
            "all": is_wildcard(dag_id),
            "limit": query.limit,
            "state": query.state,
            "order": [(k.field, k.descending) for k in query.sort_keys()],
            "gte": query.run_after_gte.isoformat(),
        }

    @app.get("/xcom")
    def xcoms(query: Annotated[XComListQuery, Query()]) -> dict:
        return {"map_index": query.map_index}

    client = TestClient(app)
    response = client.get(
        "/dags/~/dagRuns?state=queued&state=running&order_by=-run_after&limit=500"
        "&run_after_gte=2025-01-01T00:00:00+00:00&unknown=ignored"
    )
    assert response.json() == {
        "all": True,
        "limit": 100,
        "state": ["queued", "running"],
        "order": [["run_after", True]],
        "gte": "2025-01-01T00:00:00+00:00",
    }
    assert client.get("/dags/~/dagRuns?state=bogus").status_code == 422
    assert client.get("/xcom?map_index=-2").status_code == 422


# --- PATCH ---------------------------------------------------------------------------------


def test_update_mask_limits_what_a_patch_writes():
    body = ConnectionBody.model_validate(
        {"connection_id": "c", "conn_type": "http", "host": "h", "schema": "s"}
    )
    assert fields_to_update(body, ["host", "schema", "no_such_field"]) == {"host": "h", "schema": "s"}
    everything = fields_to_update(body, None)
    assert everything["login"] is None and everything["schema"] == "s"
    assert fields_to_update(body, None, sent_only=True) == {
        "connection_id": "c",
        "conn_type": "http",
        "host": "h",
        "schema": "s",
    }


def test_dag_patch_mask_may_only_name_is_paused():
    check_update_mask(["is_paused"], schemas.DAG_PATCHABLE_FIELDS)
    check_update_mask(None, schemas.DAG_PATCHABLE_FIELDS)
    with pytest.raises(InvalidInputError, match="Only `is_paused` field can be updated through the REST API"):
        check_update_mask(["is_paused", "owners"], schemas.DAG_PATCHABLE_FIELDS)


def test_every_exported_name_exists():
    for name in schemas.__all__:
        assert hasattr(schemas, name), name
