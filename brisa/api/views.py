"""Store records -> the API's response models (Airflow 3's field names and values).

Brisa keeps one version of each DAG (its serialized hash), so a "DAG version" is made
from that hash: a stable UUID, version number 1, the ``dags-folder`` bundle. Fields for
features Brisa lacks get the neutral values docs/api.md lists.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from brisa.api.context import ApiContext
from brisa.api.schemas import (
    DAGRunResponse,
    DagRunTriggeredByType,
    DagRunType,
    EventLogResponse,
    TaskInstanceHistoryResponse,
    TaskInstanceResponse,
    XComResponse,
)
from brisa.serialized import SerializedDag, SerializedTask
from brisa.services.limits import shown_conf
from brisa.store.records import DagRecord, RunRecord, TiRecord, TryRecord
from brisa.store.repos.audit import AuditRecord
from brisa.timetables import is_periodic_summary

BUNDLE_NAME = "dags-folder"
PARAM_CLASS = "airflow.sdk.definitions.param.Param"
_TRIGGERED_BY = {member.value for member in DagRunTriggeredByType}
_RUN_TYPES = {member.value for member in DagRunType}


def _run_type(run_type: str) -> str:
    """Airflow 3's name: a 2.x DAG's dataset-triggered run is an asset-triggered one."""
    if run_type == "dataset_triggered":
        return DagRunType.ASSET_TRIGGERED.value
    return run_type if run_type in _RUN_TYPES else DagRunType.MANUAL.value


def dag_version(dag_id: str, dag_hash: str | None, created_at: datetime | None) -> dict[str, Any] | None:
    if not dag_hash or created_at is None:
        return None
    return {
        "id": _uuid_for(dag_hash),
        "version_number": 1,
        "dag_id": dag_id,
        "bundle_name": BUNDLE_NAME,
        "bundle_version": None,
        "created_at": created_at,
        "dag_display_name": dag_id,
        "bundle_url": None,
    }


def _uuid_for(dag_hash: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=dag_hash[:32])
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, dag_hash)


# --- DAGs -------------------------------------------------------------------------------------


def dag_fields(ctx: ApiContext, record: DagRecord) -> dict[str, Any]:
    """``DAGResponse``'s fields: all from the DAG's row (lists must not decode serialized DAGs)."""
    return {
        "dag_id": record.dag_id,
        "dag_display_name": record.dag_id,
        "is_paused": record.is_paused,
        "is_stale": not record.is_active,
        "last_parsed_time": record.last_parsed_time,
        "last_expired": None,
        "bundle_name": BUNDLE_NAME,
        "bundle_version": None,
        "relative_fileloc": record.relative_fileloc or None,
        "fileloc": record.fileloc,
        "description": record.description,
        "timetable_summary": record.timetable_summary,
        "timetable_description": record.timetable_description,
        "tags": [
            {"name": t, "dag_id": record.dag_id, "dag_display_name": record.dag_id} for t in record.tags
        ],
        "max_active_tasks": record.max_active_tasks or ctx.settings.core.max_active_tasks_per_dag,
        "max_active_runs": record.max_active_runs,
        "max_consecutive_failed_dag_runs": record.max_consecutive_failed_dag_runs,
        "has_task_concurrency_limits": record.has_task_concurrency_limits,
        "has_import_errors": record.has_import_errors,
        "next_dagrun_logical_date": record.next_dagrun,
        "next_dagrun_data_interval_start": record.next_dagrun_data_interval_start,
        "next_dagrun_data_interval_end": record.next_dagrun_data_interval_end,
        "next_dagrun_run_after": record.next_dagrun_create_after,
        "owners": [o.strip() for o in record.owners.split(",") if o.strip()],
        "file_token": ctx.file_token(record.fileloc),
        **_schedule_kind(record.timetable_summary),
    }


PARTITIONED_SUMMARIES = ("Partitioned Asset", "Partitioned at runtime")
"""The summaries of the partitioned timetables a DAG record tells apart."""


def _schedule_kind(summary: str | None) -> dict[str, Any]:
    """Airflow 3.2's flags about the schedule; Brisa restricts no run type per DAG."""
    periodic = is_periodic_summary(summary)
    return {
        "timetable_periodic": periodic,
        "timetable_partitioned": summary in PARTITIONED_SUMMARIES,
        "is_backfillable": periodic,
        "allowed_run_types": None,
    }


def dag_details_fields(ctx: ApiContext, record: DagRecord, dag: SerializedDag | None) -> dict[str, Any]:
    """``DAGDetailsResponse``'s fields, plus Brisa's ``generation`` and ``generation_reason``."""
    fields = dag_fields(ctx, record)
    fields.update(
        catchup=dag.catchup if dag else False,
        dag_run_timeout=timedelta(seconds=dag.dagrun_timeout) if dag and dag.dagrun_timeout else None,
        asset_expression=dag.asset_condition if dag else None,
        doc_md=dag.doc_md if dag else None,
        start_date=dag.start_date if dag else None,
        end_date=dag.end_date if dag else None,
        is_paused_upon_creation=dag.is_paused_upon_creation if dag else None,
        params=_params(ctx, dag.params) if dag else None,
        render_template_as_native_obj=dag.render_template_as_native_obj if dag else False,
        template_search_path=None,
        timezone=dag.timezone if dag else None,
        last_parsed=record.last_parsed_time,
        default_args=None,
        owner_links={},
        latest_dag_version=dag_version(record.dag_id, record.serialized_hash, record.last_parsed_time),
        generation=record.generation,
        generation_reason=dag.generation_reason if dag else "",
    )
    return fields


def _params(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    shown = {}
    for name, param in params.items():
        param = param if isinstance(param, dict) else {"value": param}
        shown[name] = {
            "__class": PARAM_CLASS,
            "value": ctx.masker.redact(param.get("value"), name),
            "description": param.get("description"),
            "schema": param.get("schema") or {},
            "source": "dag",
        }
    return shown


# --- tasks ------------------------------------------------------------------------------------


def task_fields(ctx: ApiContext, dag: SerializedDag, task: SerializedTask) -> dict[str, Any]:
    """``TaskResponse``'s fields, from the serialized DAG (docs/api.md lists what is approximated).

    Brisa keeps neither a task's own start/end dates nor its own params: tasks get the
    DAG's, which is what Airflow tasks inherit when they set none.
    """
    return {
        "task_id": task.task_id,
        "task_display_name": task.task_id,
        "owner": task.owner,
        "start_date": dag.start_date,
        "end_date": dag.end_date,
        "trigger_rule": task.trigger_rule,
        "depends_on_past": task.depends_on_past,
        "wait_for_downstream": task.wait_for_downstream,
        "retries": task.retries,
        "queue": task.queue,
        "pool": task.pool,
        "pool_slots": task.pool_slots,
        "execution_timeout": task.execution_timeout,
        "retry_delay": task.retry_delay,
        "retry_exponential_backoff": task.retry_exponential_backoff,
        "priority_weight": task.priority_weight,
        "weight_rule": task.weight_rule,
        "ui_color": task.ui_color,
        "ui_fgcolor": task.ui_fgcolor,
        "template_fields": list(task.template_fields),
        "downstream_task_ids": list(task.downstream),
        "doc_md": task.doc_md,
        "operator_name": task.operator,
        "params": _params(ctx, dag.params),
        "class_ref": {"module_path": None, "class_name": task.extra.get("task_type") or task.operator},
        "is_mapped": task.is_mapped,
        "extra_links": sorted(task.extra_links),
    }


# --- runs -------------------------------------------------------------------------------------


def run_fields(run: RunRecord) -> dict[str, Any]:
    """``DAGRunResponse``'s fields."""
    version = dag_version(run.dag_id, run.dag_hash, run.queued_at or run.run_after)
    return {
        "dag_run_id": run.run_id,
        "dag_id": run.dag_id,
        "logical_date": run.logical_date,
        "queued_at": run.queued_at,
        "start_date": run.start_date,
        "end_date": run.end_date,
        "duration": _seconds_between(run.start_date, run.end_date),
        "data_interval_start": run.data_interval_start,
        "data_interval_end": run.data_interval_end,
        "run_after": run.run_after,
        "last_scheduling_decision": run.updated_at,
        "run_type": _run_type(run.run_type),
        "state": run.state.value,
        "triggered_by": run.triggered_by if run.triggered_by in _TRIGGERED_BY else None,
        "triggering_user_name": run.triggering_user,
        "conf": shown_conf(run.conf),
        "note": run.note,
        "dag_versions": [version] if version else [],
        "bundle_version": None,
        "dag_display_name": run.dag_id,
        "partition_key": run.partition_key,
    }


def run_response(run: RunRecord) -> DAGRunResponse:
    return DAGRunResponse.model_validate(run_fields(run))


def _seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


# --- task instances ---------------------------------------------------------------------------


def _ti_common(ti: TiRecord | TryRecord, run: RunRecord | None) -> dict[str, Any]:
    version = dag_version(ti.dag_id, run.dag_hash, run.queued_at or run.run_after) if run else None
    return {
        "task_id": ti.task_id,
        "dag_id": ti.dag_id,
        "dag_run_id": ti.run_id,
        "map_index": ti.map_index,
        "start_date": ti.start_date,
        "end_date": ti.end_date,
        "duration": ti.duration,
        "state": ti.state.value if ti.state is not None and hasattr(ti.state, "value") else ti.state,
        "try_number": ti.try_number,
        "max_tries": ti.max_tries,
        "task_display_name": ti.task_id,
        "dag_display_name": ti.dag_id,
        "hostname": ti.hostname or None,
        "unixname": None,
        "pool": ti.pool,
        "queue": ti.queue,
        "priority_weight": ti.priority_weight,
        "operator": ti.operator,
        "operator_name": ti.operator,
        "scheduled_when": None,
        "pid": ti.pid,
        "executor": None,
        "executor_config": "{}",
        "dag_version": version,
    }


def ti_response(
    ctx: ApiContext, ti: TiRecord, run: RunRecord | None, *, trigger: Any = None, triggerer: Any = None
) -> TaskInstanceResponse:
    """``trigger``: a deferred try's trigger row (Airflow's ``trigger``); ``triggerer``: the
    job row of the triggerer that has claimed it (Airflow's ``triggerer_job``), if any."""
    fields = _ti_common(ti, run)
    fields.update(
        id=str(uuid.UUID(int=ti.id)),
        pool_slots=ti.pool_slots,
        queued_when=ti.queued_dttm,
        logical_date=run.logical_date if run else None,
        run_after=run.run_after if run else ti.updated_at,
        note=ti.note,
        rendered_map_index=None,
        rendered_fields=ctx.masker.redact(ti.rendered_fields or {}),
        trigger=_trigger_fields(ctx, trigger),
        triggerer_job=_job_fields(triggerer),
    )
    return TaskInstanceResponse.model_validate(fields)


def _job_fields(job: Any) -> dict[str, Any] | None:
    """Airflow's ``JobResponse``; Brisa's ``triggerer`` job type is Airflow's ``TriggererJob``
    and it records neither an executor class nor the Unix user of a job."""
    if job is None:
        return None
    return {
        "id": job.id,
        "dag_id": None,
        "state": job.state,
        "job_type": _AIRFLOW_JOB_TYPES.get(job.job_type, job.job_type),
        "start_date": job.start_date,
        "end_date": job.end_date,
        "latest_heartbeat": job.latest_heartbeat,
        "executor_class": None,
        "hostname": job.hostname,
        "unixname": None,
    }


_AIRFLOW_JOB_TYPES = {"triggerer": "TriggererJob", "scheduler": "SchedulerJob"}


def _trigger_fields(ctx: ApiContext, trigger: Any) -> dict[str, Any] | None:
    if trigger is None:
        return None
    return {
        "id": trigger.id,
        "classpath": trigger.classpath,
        "kwargs": ctx.masker.redact(trigger.kwargs),  # known secrets masked, as in logs
        "created_date": trigger.created_date,
        "triggerer_id": trigger.triggerer_id,
    }


def try_response(attempt: TryRecord, current: TiRecord, run: RunRecord | None) -> TaskInstanceHistoryResponse:
    fields = _ti_common(attempt, run)
    fields.update(pool_slots=current.pool_slots, queued_when=None)
    return TaskInstanceHistoryResponse.model_validate(fields)


def current_try_response(ti: TiRecord, run: RunRecord | None) -> TaskInstanceHistoryResponse:
    fields = _ti_common(ti, run)
    fields.update(pool_slots=ti.pool_slots, queued_when=ti.queued_dttm)
    return TaskInstanceHistoryResponse.model_validate(fields)


# --- XComs ------------------------------------------------------------------------------------


def xcom_fields(entry: Any, run: RunRecord | None) -> dict[str, Any]:
    """``XComResponse``'s fields; without its run (gone meanwhile) ``run_after`` is the XCom's time."""
    return {
        "key": entry.key,
        "timestamp": entry.timestamp,
        "logical_date": run.logical_date if run else None,
        "map_index": entry.map_index,
        "task_id": entry.task_id,
        "dag_id": entry.dag_id,
        "run_id": entry.run_id,
        "dag_display_name": entry.dag_id,
        "task_display_name": entry.task_id,
        "run_after": run.run_after if run else entry.timestamp,
    }


def xcom_response(entry: Any, run: RunRecord | None) -> XComResponse:
    return XComResponse.model_validate(xcom_fields(entry, run))


# --- event logs (the audit log) ---------------------------------------------------------------


def event_log_response(ctx: ApiContext, record: AuditRecord) -> EventLogResponse:
    """An audit row in Airflow's ``EventLogResponse`` shape (docs/api.md maps the columns)."""
    return EventLogResponse.model_validate(
        {
            "event_log_id": record.id,
            "when": record.dttm,
            "dag_id": record.dag_id,
            "task_id": record.task_id,
            "run_id": record.run_id,
            "map_index": record.map_index,
            "try_number": record.try_number,
            "event": record.event,
            "logical_date": record.logical_date,
            "owner": record.owner,
            "extra": _redacted_extra(ctx, record.extra),
            "dag_display_name": record.dag_id,
        }
    )


def _redacted_extra(ctx: ApiContext, extra: str | None) -> str | None:
    """``extra`` with sensitive keys masked again: rows written outside the API (the CLI)
    or before a name was configured as sensitive were not masked when stored."""
    if not extra:
        return extra
    try:
        decoded = json.loads(extra)
    except ValueError:
        return ctx.masker.redact(extra)
    return json.dumps(ctx.masker.redact(decoded))


__all__ = [
    "BUNDLE_NAME",
    "current_try_response",
    "dag_details_fields",
    "dag_fields",
    "dag_version",
    "event_log_response",
    "run_fields",
    "run_response",
    "task_fields",
    "ti_response",
    "try_response",
    "xcom_fields",
    "xcom_response",
]
