"""What a try's DAG code sees of the world: its DAG, task instance, run and context.

Built in the task process (or in-process for ``brisa dags test``) from the workload
alone; also the context of DAG-level callbacks.
"""

from __future__ import annotations

import functools
import socket
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from brisa.loader.dag_conf import config_lookup
from brisa.runtime import TaskRuntime
from brisa.tries.workload import RunContext, Workload


@functools.cache
def hostname() -> str:
    return socket.getfqdn()


def warm_up() -> None:
    """Called by the zygote before it forks: children inherit what this caches."""
    hostname()
    # Python finds its temporary directory by writing a probe file in it, once per
    # process; BashOperator's working directory would pay that in every task.
    tempfile.gettempdir()


def load_dag(fileloc: str, dag_id: str, *, generation: str = "2") -> Any:
    """The DAG object: preloaded by this process's file zygote, else loaded now."""
    from brisa.loader import load_dag_object
    from brisa.runner import dag_cache

    return dag_cache.get(fileloc, dag_id) or load_dag_object(fileloc, dag_id, generation_default=generation)


def build_try_context(
    dag: Any,
    task: Any,
    workload: Workload,
    runtime: TaskRuntime,
    clock: Callable[[], datetime],
    *,
    test_mode: bool = False,
) -> dict[str, Any]:
    from brisa.sdk.params import conf_overrides_params, resolve_run_params
    from brisa.sdk.taskinstance import TaskInstance
    from brisa.templating import build_context
    from brisa.templating.context import PreviousRuns

    run = workload.run
    dag_run = dag_run_view(dag.dag_id, run)
    ti = TaskInstance(
        dag_id=dag.dag_id,
        task_id=task.task_id,
        run_id=run.run_id,
        task=task,
        map_index=workload.key.map_index,
        try_number=workload.try_number,
        max_tries=workload.max_tries,
        state="running",
        hostname=hostname(),
        start_date=clock(),
        logical_date=run.logical_date,
        sensor_start_date=workload.sensor_started_at,
        dag_run=dag_run,
        pool=workload.pool,
        queue=workload.queue,
        priority_weight=workload.priority_weight,
        generation=workload.generation,
    )
    params = resolve_run_params(task.params, run.conf, conf_overrides_params=conf_overrides_params(dag))
    prev = PreviousRuns(
        prev_data_interval_start_success=run.prev_data_interval_start_success,
        prev_data_interval_end_success=run.prev_data_interval_end_success,
        prev_start_date_success=run.prev_start_date_success,
        prev_end_date_success=run.prev_end_date_success,
        prev_logical_date_success=run.prev_logical_date_success,
    )
    return build_context(
        dag=dag,
        task=task,
        dag_run=dag_run,
        ti=ti,
        generation=workload.generation,
        runtime=runtime,
        conf=config_lookup,
        params=params,
        prev=prev,
        test_mode=test_mode,
        plugin_macros=plugin_macros,
        asset_keys=_sdk_asset_keys(),
    )


def plugin_macros(name: str) -> ModuleType | None:
    """``macros.<name>`` of this process's plugins, loading them the first time one is named."""
    from brisa.plugins import active_plugins

    return active_plugins().macros_module(name)


def _sdk_asset_keys() -> Any:
    """``triggering_asset_events`` keyed by the SDK's own ``Asset``/``AssetAlias`` objects, so
    that ``isinstance(key, Asset)`` holds in DAG code as in Airflow 3."""
    from brisa.sdk.assets import AssetAlias, asset_from_record
    from brisa.templating.asset_events import AssetKeys

    return AssetKeys(asset=asset_from_record, alias=AssetAlias)


def dag_run_view(dag_id: str, run: RunContext, state: str = "running") -> Any:
    from brisa.sdk.dagrun import DagRun

    return DagRun(
        dag_id=dag_id,
        run_id=run.run_id,
        run_type=run.run_type,
        logical_date=run.logical_date,
        data_interval_start=run.data_interval_start,
        data_interval_end=run.data_interval_end,
        start_date=run.start_date,
        run_after=run.run_after,
        conf=run.conf,
        state=state,
        triggered_by=run.triggered_by,
        ui_url=ui_base_url,
        partition_key=run.partition_key,
        partition_date=run.partition_date,
    )


def ui_base_url() -> str:
    """The web UI's address for ``log_url`` links: ``[api] base_url`` (Airflow's
    ``[webserver] base_url``), else Airflow's default."""
    from brisa.sdk.dagrun import DEFAULT_UI_URL

    return config_lookup("api", "base_url") or DEFAULT_UI_URL


def dag_callback_context(dag: Any, run: dict[str, Any], reason: str) -> dict[str, Any]:
    """The context DAG-level callbacks get (Airflow's: dag, dag_run, reason, run_id...)."""

    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(run[key]) if run.get(key) else None

    context = RunContext(
        run_id=run["run_id"],
        run_type=run["run_type"],
        logical_date=when("logical_date"),
        data_interval_start=when("data_interval_start"),
        data_interval_end=when("data_interval_end"),
        run_after=when("run_after") or utcnow(),
        start_date=when("start_date"),
        conf=run.get("conf") or {},
        partition_key=run.get("partition_key"),
        partition_date=when("partition_date"),
    )
    dag_run = dag_run_view(dag.dag_id, context, state=run["state"])
    return {
        "dag": dag,
        "dag_run": dag_run,
        "reason": reason,
        "run_id": run["run_id"],
        "logical_date": context.logical_date,
        "ds": context.logical_date.strftime("%Y-%m-%d") if context.logical_date else None,
        "params": getattr(dag, "params", {}),
    }


def rendered_fields(task: Any) -> dict[str, Any]:
    """The rendered template fields, JSON-safe, for the UI's "Rendered" tab."""
    from brisa.sdk.xcom_arg import describe_value

    fields = {}
    for name in getattr(task, "template_fields", ()):
        value = getattr(task, name, None)
        fields[name] = (
            value if isinstance(value, str | int | float | bool | type(None)) else describe_value(value)
        )
    return fields


def utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "build_try_context",
    "dag_callback_context",
    "dag_run_view",
    "hostname",
    "load_dag",
    "rendered_fields",
    "ui_base_url",
    "warm_up",
]
