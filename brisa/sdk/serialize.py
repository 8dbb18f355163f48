"""``serialize_dag``: a DAG object -> :class:`brisa.serialized.SerializedDag`.

This is the only place that knows both sides: it computes what the scheduler plans
with (effective priorities, the timetable dict, mapped specs, trigger rules as Brisa
reads them) so that nothing downstream ever needs the DAG object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from brisa import serde
from brisa.sdk import timezone as tz
from brisa.sdk.assets import outlet_refs
from brisa.sdk.dag import DAG
from brisa.sdk.extra_links import extra_link_keys
from brisa.sdk.node import DAGNode
from brisa.sdk.trigger_rule import normalize_trigger_rule
from brisa.sdk.weight_rule import WeightRule
from brisa.sdk.xcom_arg import describe_value
from brisa.serialized import SerializedDag, SerializedTask

if TYPE_CHECKING:
    from brisa.timetables import TimetableRegistry


def effective_priority(task: DAGNode) -> int:
    """``priority_weight`` plus, by ``weight_rule``, that of every task downstream
    (``downstream``, the default) or upstream (``upstream``); ``absolute``: its own."""
    own = int(getattr(task, "priority_weight", 1))
    rule = getattr(task, "weight_rule", WeightRule.DOWNSTREAM)
    if rule == WeightRule.ABSOLUTE or not task.has_dag():
        return own
    relatives = task.get_flat_relative_ids(upstream=rule == WeightRule.UPSTREAM)
    dag = task.dag
    return own + sum(int(getattr(dag.get_task(t), "priority_weight", 1)) for t in relatives)


def _seconds(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _utc(value: datetime | None) -> datetime | None:
    return tz.convert_to_utc(value) if value is not None else None


def _emails(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())
    return tuple(value)


def _has(callbacks: Callable[..., Any] | list[Any] | None) -> bool:
    return bool(callbacks)


def serialize_task(task: Any, *, priority: int) -> SerializedTask:
    group = task.task_group
    extra = {
        "task_type": task.task_type,
        "is_empty": bool(getattr(task, "inherits_from_empty_operator", False)),
        **task.serialize_extra(),
    }
    return SerializedTask(
        task_id=task.task_id,
        operator=task.operator_name,
        upstream=tuple(sorted(task.upstream_task_ids)),
        downstream=tuple(sorted(task.downstream_task_ids)),
        trigger_rule=normalize_trigger_rule(task.trigger_rule),
        retries=int(task.retries),
        retry_delay=_seconds(task.retry_delay) or 0.0,
        retry_exponential_backoff=bool(task.retry_exponential_backoff),
        max_retry_delay=_seconds(task.max_retry_delay),
        execution_timeout=_seconds(task.execution_timeout),
        depends_on_past=bool(task.depends_on_past),
        ignore_first_depends_on_past=bool(task.ignore_first_depends_on_past),
        wait_for_downstream=bool(task.wait_for_downstream),
        priority_weight=int(task.priority_weight),
        weight_rule=str(task.weight_rule),
        priority=priority,
        pool=task.pool,
        pool_slots=int(task.pool_slots),
        queue=task.queue,
        owner=task.owner,
        max_active_tis_per_dag=task.max_active_tis_per_dag,
        max_active_tis_per_dagrun=task.max_active_tis_per_dagrun,
        is_sensor=bool(getattr(task, "is_sensor", False)),
        sensor_mode=str(getattr(task, "mode", "poke")) if getattr(task, "is_sensor", False) else "poke",
        poke_interval=float(_seconds(getattr(task, "poke_interval", 60.0)) or 0.0),
        sensor_timeout=float(_seconds(getattr(task, "timeout", 604800.0)) or 0.0),
        soft_fail=bool(getattr(task, "soft_fail", False)),
        is_setup=bool(task.is_setup),
        is_teardown=bool(task.is_teardown),
        task_group=group.group_id if group is not None and group.group_id else None,
        mapped=task.to_spec() if task.is_mapped else None,
        do_xcom_push=bool(task.do_xcom_push),
        email=_emails(task.email),
        email_on_failure=bool(task.email_on_failure),
        email_on_retry=bool(task.email_on_retry),
        has_on_execute_callback=_has(task.on_execute_callback),
        has_on_success_callback=_has(task.on_success_callback),
        has_on_failure_callback=_has(task.on_failure_callback),
        has_on_retry_callback=_has(task.on_retry_callback),
        has_on_skipped_callback=_has(task.on_skipped_callback),
        template_fields=tuple(task.template_fields),
        ui_color=task.ui_color,
        ui_fgcolor=task.ui_fgcolor,
        doc_md=task.doc_md or task.doc,
        extra=describe_value(extra),
        outlets=tuple(outlet_refs(getattr(task, "outlets", ()))),
        inlets=tuple(outlet_refs(getattr(task, "inlets", ()))),
        extra_links=extra_link_keys(task),
        start_trigger=start_trigger_of(task),
    )


_JINJA = ("{{", "{%", "{#")


def start_trigger_of(task: Any) -> dict[str, Any] | None:
    """``start_from_trigger``'s trigger, for the scheduler to defer the task on without a worker.

    None (the task starts on a worker, whose ``execute`` defers as usual) when it is off, for
    a mapped task (Airflow 3.3 does the same, with a warning) and when a trigger argument
    holds a Jinja template: Brisa does not render trigger arguments (Airflow 3.3's triggerer
    does; earlier Airflows, like Brisa, defer such a task from the worker).
    """
    args = getattr(task, "start_trigger_args", None)
    if not getattr(task, "start_from_trigger", False) or args is None or task.is_mapped:
        return None
    kwargs = dict(args.trigger_kwargs or {})
    for name, value in kwargs.items():
        if callable(value):
            raise ValueError(
                f"{type(task).__name__} with task_id '{task.task_id}' has a callable in trigger kwargs "
                f"named '{name}', which is not allowed when start_from_trigger is enabled."
            )
    if any(isinstance(v, str) and any(mark in v for mark in _JINJA) for v in kwargs.values()):
        return None
    return {
        "classpath": str(args.trigger_cls),
        "kwargs": serde.dumps(kwargs),
        "next_method": str(args.next_method),
        "next_kwargs": serde.dumps(dict(args.next_kwargs or {})),
        "timeout": _seconds(args.timeout),
    }


def serialize_task_groups(dag: DAG) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for group in dag.task_group.iter_groups():
        parent = group.parent_group
        groups[group.group_id] = {  # type: ignore[index]
            "parent": parent.group_id if parent is not None and parent.group_id else None,
            "tooltip": group.tooltip,
            "children": list(group.children),
            "prefix_group_id": group.prefix_group_id,
            "ui_color": group.ui_color,
            "ui_fgcolor": group.ui_fgcolor,
        }
    return groups


def serialize_edge_labels(dag: DAG) -> dict[str, str]:
    labels: dict[str, str] = {}
    for upstream, downs in sorted(dag.edge_info.items()):
        for downstream, info in sorted(downs.items()):
            if info.get("label") is not None:
                labels[f"{upstream}>>{downstream}"] = str(info["label"])
    return labels


def serialize_dag(
    dag: DAG,
    *,
    fileloc: str | None = None,
    generation: str | None = None,
    generation_reason: str = "",
    catchup_default: bool | None = None,
    relative_fileloc: str = "",
    timetables: TimetableRegistry | None = None,
) -> SerializedDag:
    """The scheduler's view of ``dag``; validates it first (cycles, params, schedule).

    ``catchup`` is the DAG's own value, else ``catchup_default`` (the configured
    ``catchup_by_default``); when both are None the result keeps None ("unset") for
    the scheduler to resolve.  ``timetables`` are the plugins' timetables (passed by the
    loader): a DAG author's own timetable class serializes only when registered there.
    """
    generation = generation or dag.effective_generation
    dag.validate(generation)
    timetable = dag.timetable_for(generation, registry=timetables)
    tasks = {
        task.task_id: serialize_task(task, priority=effective_priority(task))
        for task in dag.topological_sort()
    }
    catchup = dag.catchup if dag.catchup is not None else catchup_default
    return SerializedDag(
        dag_id=dag.dag_id,
        fileloc=fileloc or dag.fileloc,
        timetable=timetable.serialize(),
        tasks=tasks,
        schedule_summary=str(getattr(timetable, "summary", "None")),
        start_date=_utc(dag.start_date),
        end_date=_utc(dag.end_date),
        catchup=catchup,  # type: ignore[arg-type]
        generation=generation,
        generation_reason=generation_reason,
        timezone=tz.timezone_name(dag.timezone),
        max_active_runs=dag.max_active_runs if dag.max_active_runs is not None else 16,
        max_active_tasks=dag.max_active_tasks if dag.max_active_tasks is not None else 16,
        max_consecutive_failed_dag_runs=dag.max_consecutive_failed_dag_runs or 0,
        dagrun_timeout=_seconds(dag.dagrun_timeout),
        is_paused_upon_creation=dag.is_paused_upon_creation,
        tags=tuple(dag.tags),
        owners=tuple(dag.owners),
        description=dag.description,
        doc_md=dag.doc_md,
        params=dag.params.serialize(),
        has_on_success_callback=_has(dag.on_success_callback),
        has_on_failure_callback=_has(dag.on_failure_callback),
        render_template_as_native_obj=bool(dag.render_template_as_native_obj),
        task_groups=serialize_task_groups(dag),
        edge_labels=serialize_edge_labels(dag),
        relative_fileloc=relative_fileloc,
        is_subdag=bool(getattr(dag, "is_subdag", False)),
        parent_dag_id=parent.dag_id if (parent := getattr(dag, "parent_dag", None)) is not None else None,
    )


__all__ = ["effective_priority", "serialize_dag", "serialize_task", "start_trigger_of"]
