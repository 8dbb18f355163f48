"""Airflow's template context for one task try, per Airflow generation.

``build_context`` returns the dict templates render against and ``**context`` callables
receive.  Generation "3" gives exactly the keys Airflow 3's task runner gives;
generation "2" gives Airflow 2.10's keys, which include those Airflow 3 removed
(``execution_date``, ``next_ds``, ``prev_ds``, ``yesterday_ds``, ``conf``...), with
Airflow 2's values - e.g. for a manual run ``next_execution_date`` and
``prev_execution_date`` are the run's own logical date.

The objects passed in are duck-typed (the task runner owns the real ones):

* ``dag``: ``dag_id``, ``timetable`` (a :class:`~brisa.timetables.Timetable`), ``params``
* ``task``: ``task_id``, optionally ``params``, ``inlets``, ``outlets``, ``map_index_template``
* ``dag_run``: ``run_id``, ``run_type``, ``logical_date``, ``data_interval_start``,
  ``data_interval_end``, ``conf``, ``external_trigger``
* ``ti``: ``run_id`` (and whatever templates use: ``xcom_pull``, ``try_number``...)
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from pendulum import DateTime

from brisa.runtime import TaskRuntime
from brisa.templating import macros
from brisa.templating.accessors import (
    ConnectionAccessor,
    NoEvents,
    OutletEventAccessors,
    VariableAccessor,
    as_conf,
)
from brisa.templating.asset_events import AssetKeys, InletEvents, TriggeringAssetEvents
from brisa.templating.dates import template_datetime
from brisa.templating.task_state import TaskStateStore
from brisa.timetables import DataInterval, DataIntervalTimetable, TimeRestriction

log = logging.getLogger(__name__)

GENERATIONS = ("2", "3")


@dataclass(frozen=True)
class PreviousRuns:
    """The DAG's previous *successful* run, looked up by the caller in the store.

    Airflow takes every ``prev_*_success`` value from that one run.  Leave a field None
    when there is no such run.
    """

    prev_data_interval_start_success: dt.datetime | None = None
    prev_data_interval_end_success: dt.datetime | None = None
    prev_start_date_success: dt.datetime | None = None
    prev_end_date_success: dt.datetime | None = None
    prev_logical_date_success: dt.datetime | None = None
    """Shown to generation-2 templates as ``prev_execution_date_success``."""


def build_context(
    *,
    dag: Any,
    task: Any,
    dag_run: Any,
    ti: Any,
    generation: str,
    runtime: TaskRuntime,
    conf: Any = None,
    params: dict[str, Any] | None = None,
    prev: PreviousRuns | None = None,
    test_mode: bool = False,
    expanded_ti_count: int | None = None,
    task_reschedule_count: int = 0,
    plugin_macros: macros.PluginMacrosLookup | None = None,
    asset_keys: AssetKeys | None = None,
) -> dict[str, Any]:
    """Airflow's template context for one try of ``task`` in ``dag_run``.

    ``params`` should be the validated params (DAG params, task params, then the run's
    conf on top); without it the three are merged as they are.  ``conf`` is the
    configuration generation-2 templates read through ``{{ conf.get(section, key) }}``:
    an object with ``.get(section, key)``, or a ``lookup(section, key) -> str | None``.
    The extra keyword arguments only feed keys of the same name.  ``plugin_macros`` finds
    ``macros.<plugin name>`` (loading the plugins on first use); the caller passes it,
    since this package never loads user code.  ``asset_keys`` builds the keys of
    ``triggering_asset_events`` (the runner passes the SDK's ``Asset``/``AssetAlias``).
    """
    if generation not in GENERATIONS:
        raise ValueError(f"unknown Airflow generation {generation!r}; expected one of {GENERATIONS}")
    prev = prev or PreviousRuns()
    context = _keys_of_every_run(dag, task, dag_run, ti, runtime, params, prev, generation)
    if plugin_macros is not None:
        context["macros"] = macros.PluginMacros(plugin_macros)
    logical_date = template_datetime(dag_run.logical_date, generation)
    if logical_date is not None:
        context.update(_logical_date_keys(logical_date, dag_run, dag, task, prev, generation))
    if generation == "2":
        context.update(_airflow2_keys(conf, test_mode, expanded_ti_count))
        context["triggering_dataset_events"] = TriggeringAssetEvents(
            runtime, dag.dag_id, dag_run.run_id, generation="2"
        )
        if logical_date is not None:
            context.update(_airflow2_date_keys(logical_date, dag, dag_run, prev))
        if logical_date is not None and getattr(dag, "written_for_airflow_1", False):
            context.update(_airflow1_keys(context["ds"], task))
    else:
        context["triggering_asset_events"] = TriggeringAssetEvents(
            runtime, dag.dag_id, dag_run.run_id, generation="3", keys=asset_keys
        )
        context["task_reschedule_count"] = task_reschedule_count
        # Airflow 3.2+'s partitioned runs; None for a run without a partition.
        context["partition_key"] = getattr(dag_run, "partition_key", None)
        context["partition_date"] = template_datetime(getattr(dag_run, "partition_date", None), generation)
        context["task_state_store"] = TaskStateStore(runtime)
    return context


def _keys_of_every_run(
    dag: Any,
    task: Any,
    dag_run: Any,
    ti: Any,
    runtime: TaskRuntime,
    params: dict[str, Any] | None,
    prev: PreviousRuns,
    generation: str,
) -> dict[str, Any]:
    return {
        "dag": dag,
        "dag_run": dag_run,
        "task": task,
        "ti": ti,
        "task_instance": ti,
        "run_id": ti.run_id,
        "params": params if params is not None else _merged_params(dag, task, dag_run),
        "var": {
            "json": VariableAccessor(runtime, deserialize_json=True),
            "value": VariableAccessor(runtime, deserialize_json=False),
        },
        "conn": ConnectionAccessor(runtime),
        "macros": macros,
        "inlets": list(getattr(task, "inlets", None) or []),
        "outlets": list(getattr(task, "outlets", None) or []),
        "inlet_events": InletEvents(runtime, list(getattr(task, "inlets", None) or [])),
        "outlet_events": OutletEventAccessors(),
        "map_index_template": getattr(task, "map_index_template", None),
        "task_instance_key_str": f"{dag.dag_id}__{task.task_id}__{dag_run.run_id}",
        "prev_start_date_success": template_datetime(prev.prev_start_date_success, generation),
        "prev_end_date_success": template_datetime(prev.prev_end_date_success, generation),
    }


def _logical_date_keys(
    logical_date: DateTime, dag_run: Any, dag: Any, task: Any, prev: PreviousRuns, generation: str
) -> dict[str, Any]:
    ds = logical_date.strftime("%Y-%m-%d")
    ds_nodash = ds.replace("-", "")
    ts = logical_date.isoformat()
    return {
        "logical_date": logical_date,
        "ds": ds,
        "ds_nodash": ds_nodash,
        "ts": ts,
        "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "task_instance_key_str": f"{dag.dag_id}__{task.task_id}__{ds_nodash}",
        "data_interval_start": template_datetime(dag_run.data_interval_start, generation),
        "data_interval_end": template_datetime(dag_run.data_interval_end, generation),
        "prev_data_interval_start_success": template_datetime(
            prev.prev_data_interval_start_success, generation
        ),
        "prev_data_interval_end_success": template_datetime(prev.prev_data_interval_end_success, generation),
    }


def _airflow2_keys(conf: Any, test_mode: bool, expanded_ti_count: int | None) -> dict[str, Any]:
    return {
        "conf": as_conf(conf),
        "test_mode": test_mode,
        "expanded_ti_count": expanded_ti_count,
        "triggering_dataset_events": NoEvents(),
    }


def _airflow2_date_keys(logical_date: DateTime, dag: Any, dag_run: Any, prev: PreviousRuns) -> dict[str, Any]:
    """The keys Airflow 3 removed, computed as Airflow 2.10 did."""
    next_date = _next_execution_date(logical_date, dag, dag_run)
    prev_date = _prev_execution_date(logical_date, dag, dag_run)
    yesterday = (logical_date - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    tomorrow = (logical_date + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    return {
        "execution_date": logical_date,
        "next_execution_date": next_date,
        "next_ds": _ds(next_date),
        "next_ds_nodash": _ds_nodash(next_date),
        "prev_execution_date": prev_date,
        "prev_ds": _ds(prev_date),
        "prev_ds_nodash": _ds_nodash(prev_date),
        "prev_execution_date_success": template_datetime(prev.prev_logical_date_success, "2"),
        "yesterday_ds": yesterday,
        "yesterday_ds_nodash": yesterday.replace("-", ""),
        "tomorrow_ds": tomorrow,
        "tomorrow_ds_nodash": tomorrow.replace("-", ""),
    }


def _airflow1_keys(ds: str, task: Any) -> dict[str, Any]:
    """Keys Airflow 1.10.15's ``get_template_context`` still gave and 2.0 removed: three
    aliases of ``ds`` and the task's ``tables`` param (None without one)."""
    params = getattr(task, "params", None) or {}
    return {"END_DATE": ds, "end_date": ds, "latest_date": ds, "tables": params.get("tables")}


def _is_manual(dag_run: Any) -> bool:
    external = getattr(dag_run, "external_trigger", None)
    if external is not None:
        return bool(external)
    return str(getattr(dag_run, "run_type", "")).lower().endswith("manual")


def _next_execution_date(logical_date: DateTime, dag: Any, dag_run: Any) -> DateTime | None:
    # A manual run has no schedule neighbours: Airflow 2 gives its own date.
    if _is_manual(dag_run):
        return logical_date
    timetable = getattr(dag, "timetable", None)
    if timetable is None:
        return None
    interval = DataInterval(
        dag_run.data_interval_start or logical_date, dag_run.data_interval_end or logical_date
    )
    try:
        # Unrestricted, as Airflow 2's DAG.next_dagrun_info(restricted=False); with
        # catchup the built-in timetables never read `now`.
        info = timetable.next_dagrun_info(
            last_automated_data_interval=interval,
            restriction=TimeRestriction(None, None, True),
            now=interval.end,
        )
    except Exception:  # Airflow logs a broken timetable here and renders None
        log.exception("could not compute the next run after %s for DAG %s", interval, dag.dag_id)
        return None
    return None if info is None else template_datetime(info.logical_date, "2")


def _prev_execution_date(logical_date: DateTime, dag: Any, dag_run: Any) -> DateTime | None:
    if _is_manual(dag_run):
        return logical_date
    timetable = getattr(dag, "timetable", None)
    if not isinstance(timetable, DataIntervalTimetable):
        return None  # Airflow 2 only knows the previous tick of cron and delta schedules
    return template_datetime(timetable.prev_before(logical_date), "2")


def _ds(value: DateTime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d")


def _ds_nodash(value: DateTime | None) -> str | None:
    return None if value is None else value.strftime("%Y%m%d")


def _merged_params(dag: Any, task: Any, dag_run: Any) -> dict[str, Any]:
    merged = dict(getattr(dag, "params", None) or {})
    merged.update(getattr(task, "params", None) or {})
    merged.update(getattr(dag_run, "conf", None) or {})
    return merged


__all__ = ["GENERATIONS", "PreviousRuns", "build_context"]
