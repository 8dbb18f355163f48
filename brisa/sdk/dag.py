"""``DAG`` and ``@dag``: the authoring object a DAG file builds.

The DAG object only *describes* a workflow.  The loader serializes it with
:func:`brisa.sdk.serialize.serialize_dag`; nothing downstream of the loader sees it.
The few choices that depend on which Airflow a file was written for (the default
schedule, how a cron string is read) wait for :attr:`DAG.generation`, which the loader
sets from the file's imports unless ``airflow_generation=`` was given.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
from collections import deque
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from brisa import errors
from brisa.sdk import context as ambient
from brisa.sdk import setup_teardown
from brisa.sdk import timezone as tz
from brisa.sdk.exceptions import (
    AirflowDagCycleException,
    AirflowException,
    AirflowTimetableInvalid,
    DuplicateTaskIdFound,
    ParamValidationError,
)
from brisa.sdk.fileloc import caller_location
from brisa.sdk.keys import validate_key
from brisa.sdk.params import NOTSET, ArgNotSet, ParamsDict, check_json_values
from brisa.sdk.taskgroup import TaskGroup

if TYPE_CHECKING:
    from brisa.sdk.node import DAGNode
    from brisa.timetables import TimetableRegistry

DEFAULT_SCHEDULE_2 = timedelta(days=1)
"""Airflow 1.10/2.x's schedule when none is given; Airflow 3's is ``None``."""

GENERATIONS = ("2", "3")


class TaskNotFound(AirflowException, errors.NotFoundError):
    pass


class DAG:
    """A workflow: tasks, their dependencies, a schedule and run-level settings."""

    def __init__(
        self,
        dag_id: str,
        description: str | None = None,
        schedule: Any = NOTSET,
        schedule_interval: Any = NOTSET,
        timetable: Any = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        full_filepath: str | None = None,
        template_searchpath: str | Iterable[str] | None = None,
        template_undefined: Any = None,
        user_defined_macros: dict[str, Any] | None = None,
        user_defined_filters: dict[str, Callable[..., Any]] | None = None,
        default_args: dict[str, Any] | None = None,
        concurrency: int | None = None,
        max_active_tasks: int | None = None,
        max_active_runs: int | None = None,
        max_consecutive_failed_dag_runs: int | None = None,
        dagrun_timeout: timedelta | None = None,
        sla_miss_callback: Any = None,
        default_view: str | None = None,
        orientation: str = "LR",
        catchup: bool | None = None,
        on_success_callback: Any = None,
        on_failure_callback: Any = None,
        doc_md: str | None = None,
        params: dict[str, Any] | None = None,
        access_control: dict[str, Any] | None = None,
        is_paused_upon_creation: bool | None = None,
        jinja_environment_kwargs: dict[str, Any] | None = None,
        render_template_as_native_obj: bool = False,
        tags: Collection[str] | None = None,
        owner_links: dict[str, str] | None = None,
        auto_register: bool = True,
        fail_stop: bool = False,
        fail_fast: bool = False,
        dag_display_name: str | None = None,
        airflow_generation: str | None = None,
    ) -> None:
        # Long because it is Airflow's argument list (plus ``airflow_generation``).
        validate_key(dag_id)
        self._dag_id = dag_id
        self.fileloc, self.creation_lineno = caller_location(2)
        self.generation_hints: list[tuple[str, str]] = []
        self._note_kwarg_hints(
            schedule_interval, timetable, concurrency, full_filepath, sla_miss_callback, default_view
        )
        if airflow_generation is not None and str(airflow_generation) not in GENERATIONS:
            raise AirflowException(
                f"airflow_generation must be one of {GENERATIONS}, not {airflow_generation!r}"
            )
        self.airflow_generation = str(airflow_generation) if airflow_generation is not None else None
        self.generation: str | None = self.airflow_generation
        """Set by the loader from the file's imports (or ``airflow_generation``)."""

        if default_args is not None and not isinstance(default_args, dict):
            raise TypeError("default_args must be a dict")
        self.default_args: dict[str, Any] = copy.deepcopy(default_args or {})
        merged_params = dict(params or {}) if not isinstance(params, ParamsDict) else params
        if "params" in self.default_args:
            # Airflow merges default_args["params"] over params (the default_args win).
            merged_params = {**_params_items(merged_params), **_params_items(self.default_args.pop("params"))}
        self.params = ParamsDict(_params_items(merged_params))

        self._schedule = self._pick_schedule(schedule, schedule_interval, timetable)
        start_date = start_date if start_date is not None else self.default_args.get("start_date")
        end_date = end_date if end_date is not None else self.default_args.get("end_date")
        self.timezone: tzinfo = _timezone_of(start_date)
        self.start_date = tz.convert_to_utc(start_date)
        self.end_date = tz.convert_to_utc(end_date)

        self.description = description
        self.doc_md = doc_md
        self.catchup = catchup
        self.max_active_tasks = max_active_tasks if max_active_tasks is not None else concurrency
        self.max_active_runs = max_active_runs
        self.max_consecutive_failed_dag_runs = max_consecutive_failed_dag_runs
        self.dagrun_timeout = _as_timedelta(dagrun_timeout, "dagrun_timeout")
        self.template_searchpath = (
            [template_searchpath] if isinstance(template_searchpath, str) else list(template_searchpath or [])
        )
        self.template_undefined = template_undefined
        self.user_defined_macros = user_defined_macros
        self.user_defined_filters = user_defined_filters
        self.jinja_environment_kwargs = jinja_environment_kwargs
        self.render_template_as_native_obj = render_template_as_native_obj
        self.on_success_callback = on_success_callback
        self.on_failure_callback = on_failure_callback
        self.sla_miss_callback = sla_miss_callback
        self.access_control = access_control
        self.default_view = default_view
        self.orientation = orientation
        self.is_paused_upon_creation = is_paused_upon_creation
        self.tags = sorted(set(tags or []))
        self.owner_links = owner_links or {}
        self.auto_register = auto_register
        self.fail_stop = fail_stop or fail_fast
        self.dag_display_name = dag_display_name or dag_id
        self.task_dict: dict[str, DAGNode] = {}
        self.edge_info: dict[str, dict[str, dict[str, Any]]] = {}
        self.task_group = TaskGroup(None, dag=self)
        self.is_subdag = False
        # Set by the loader when the file imports Airflow 1.10 paths: templates then also
        # get 1.10's context keys (END_DATE, end_date, latest_date, tables).
        self.written_for_airflow_1 = False
        self.parent_dag: DAG | None = None
        self._check_schedule()

    # -- construction helpers --------------------------------------------------------
    def _note_kwarg_hints(self, schedule_interval: Any, timetable: Any, *removed_in_3: Any) -> None:
        names = ("concurrency", "full_filepath", "sla_miss_callback", "default_view")
        if not isinstance(schedule_interval, ArgNotSet):
            self.generation_hints.append(("2", "uses the schedule_interval argument"))
        if timetable is not None:
            self.generation_hints.append(("2", "uses the timetable argument"))
        for name, value in zip(names, removed_in_3, strict=True):
            if value is not None:
                self.generation_hints.append(("2", f"uses the {name} argument"))

    def _pick_schedule(self, schedule: Any, schedule_interval: Any, timetable: Any) -> Any:
        given = [v for v in (schedule, schedule_interval) if not isinstance(v, ArgNotSet)]
        if timetable is not None:
            given.append(timetable)
        if len(given) > 1:
            raise AirflowException("Only one of schedule, schedule_interval and timetable may be given")
        return given[0] if given else NOTSET

    def _check_schedule(self) -> None:
        """A bad cron string fails the DAG file, as in Airflow."""
        self.timetable  # noqa: B018 - built for its validation

    # -- identity ---------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<DAG: {self.dag_id}>"

    def __hash__(self) -> int:
        return hash(self.dag_id)

    @property
    def dag_id(self) -> str:
        return self._dag_id

    @property
    def folder(self) -> str:
        return os.path.dirname(self.fileloc)

    @property
    def owner(self) -> str:
        return ", ".join(self.owners)

    @property
    def owners(self) -> list[str]:
        return sorted({getattr(t, "owner", "airflow") for t in self.task_dict.values()})

    @property
    def concurrency(self) -> int | None:
        return self.max_active_tasks

    # -- schedule ----------------------------------------------------------------------
    @property
    def effective_generation(self) -> str:
        return self.generation or "2"

    def schedule_for(self, generation: str) -> Any:
        """The schedule as given, or the generation's default when none was."""
        if isinstance(self._schedule, ArgNotSet):
            return DEFAULT_SCHEDULE_2 if generation == "2" else None
        return self._schedule

    @property
    def schedule(self) -> Any:
        return self.schedule_for(self.effective_generation)

    @property
    def schedule_interval(self) -> Any:
        return self.schedule

    def timetable_for(self, generation: str, *, registry: TimetableRegistry | None = None) -> Any:
        """The timetable for ``generation``; ``registry`` (the plugins' timetables, passed by
        the loader) lets a DAG author's own timetable class serialize."""
        from brisa.timetables import no_plugin_timetables, timetable_for

        try:
            return timetable_for(
                self.schedule_for(generation),
                generation=generation,
                timezone=self.timezone,
                registry=registry or no_plugin_timetables,
            )
        except errors.ScheduleError as err:
            raise AirflowTimetableInvalid(f"DAG {self.dag_id!r} has an invalid schedule: {err}") from err
        except (ValueError, TypeError, KeyError) as err:
            raise AirflowTimetableInvalid(f"DAG {self.dag_id!r} has an invalid schedule: {err}") from err

    @property
    def timetable(self) -> Any:
        return self.timetable_for(self.effective_generation)

    # -- tasks -------------------------------------------------------------------------
    @property
    def tasks(self) -> list[DAGNode]:
        return list(self.task_dict.values())

    @property
    def task_ids(self) -> list[str]:
        return list(self.task_dict)

    @property
    def task_count(self) -> int:
        return len(self.task_dict)

    @property
    def task_group_dict(self) -> dict[str | None, TaskGroup]:
        return self.task_group.get_task_group_dict()

    def add_task(self, task: DAGNode) -> None:
        existing = self.task_dict.get(task.task_id)
        if existing is not None and existing is not task:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the DAG")
        # A task starts on the later of its own start date and the DAG's (Airflow 2).
        task_start = getattr(task, "start_date", None)
        if task_start is None:
            task.start_date = self.start_date  # type: ignore[attr-defined]
        elif self.start_date is not None:
            task.start_date = max(task_start, self.start_date)  # type: ignore[attr-defined]
        self.task_dict[task.task_id] = task
        setup_teardown.note_created(task)
        if task._dag is None:  # dag.add_task(op) on a task created outside any DAG
            task._dag = self
        if task.task_group is None:
            task.task_group = self.task_group
            self.task_group.add(task)

    def add_tasks(self, tasks: Iterable[DAGNode]) -> None:
        for task in tasks:
            task.dag = self

    def has_task(self, task_id: str) -> bool:
        return task_id in self.task_dict

    def get_task(self, task_id: str) -> DAGNode:
        try:
            return self.task_dict[task_id]
        except KeyError:
            raise TaskNotFound(f"Task {task_id} not found") from None

    @property
    def roots(self) -> list[DAGNode]:
        return [t for t in self.task_dict.values() if not t.upstream_task_ids]

    @property
    def leaves(self) -> list[DAGNode]:
        return [t for t in self.task_dict.values() if not t.downstream_task_ids]

    def set_dependency(self, upstream_task_id: str, downstream_task_id: str) -> None:
        self.get_task(upstream_task_id).set_downstream(self.get_task(downstream_task_id))

    def set_edge_info(self, upstream_task_id: str, downstream_task_id: str, info: dict[str, Any]) -> None:
        self.edge_info.setdefault(upstream_task_id, {})[downstream_task_id] = info

    def get_edge_info(self, upstream_task_id: str, downstream_task_id: str) -> dict[str, Any]:
        return self.edge_info.get(upstream_task_id, {}).get(downstream_task_id, {})

    def param(self, name: str, default: Any = NOTSET) -> Any:
        from brisa.sdk.xcom_arg import DagParam

        return DagParam(self, name, default)

    # -- checks --------------------------------------------------------------------------
    def topological_sort(self) -> list[DAGNode]:
        """Tasks upstream-first; raises :class:`AirflowDagCycleException` on a cycle."""
        known = self.task_dict.keys()  # once: a set per task made this O(tasks^2)
        remaining = {tid: known & set(t.upstream_task_ids) for tid, t in self.task_dict.items()}
        ordered: list[DAGNode] = []
        ready = deque(tid for tid, ups in remaining.items() if not ups)
        while ready:
            task_id = ready.popleft()
            del remaining[task_id]
            ordered.append(self.task_dict[task_id])
            for down in sorted(self.task_dict[task_id].downstream_task_ids):
                if down in remaining:
                    remaining[down].discard(task_id)
                    if not remaining[down]:
                        ready.append(down)
        if remaining:
            cycle = _find_cycle(self, set(remaining))
            raise AirflowDagCycleException(
                f"Cycle detected in DAG: {self.dag_id}. Faulty tasks: {' >> '.join(cycle)}"
            )
        return ordered

    def check_cycle(self) -> None:
        self.topological_sort()

    def test(
        self,
        execution_date: datetime | None = None,
        run_conf: dict[str, Any] | None = None,
        conn_file_path: str | None = None,
        variable_file_path: str | None = None,
        use_executor: bool = False,
        mark_success_pattern: Any = None,
        session: Any = None,
        logical_date: datetime | None = None,
        **unsupported: Any,
    ) -> Any:
        """Airflow's ``dag.test()``: run one run of this DAG here, as ``brisa dags test``
        does (``if __name__ == "__main__": dag.test()`` at the end of a DAG file). Returns
        the run's final state."""
        refused = {"conn_file_path": conn_file_path, "variable_file_path": variable_file_path, **unsupported}
        named = sorted(name for name, value in refused.items() if value is not None)
        if named or use_executor:
            raise AirflowException(
                f"dag.test() in Brisa does not take {', '.join(named or ['use_executor'])}: "
                "set variables and connections with `brisa variables`/`brisa connections` or "
                "AIRFLOW_VAR_*/AIRFLOW_CONN_* environment variables"
            )
        from brisa.sdk.dag_test import dag_test_runner

        when = logical_date or execution_date
        return dag_test_runner()(
            self,
            tz.convert_to_utc(when) if when else None,
            conf=run_conf,
            mark_success_pattern=mark_success_pattern,
        )

    def validate(self, generation: str | None = None) -> None:
        """What Airflow checks when it loads a DAG: no cycles, params valid for a schedule."""
        generation = generation or self.effective_generation
        self.check_cycle()
        timetable = self.timetable_for(generation)
        timetable.validate()  # a custom timetable's own check, as Airflow's DagBag calls it
        layers = [self.params, *(getattr(t, "params", None) for t in self.task_dict.values())]
        check_json_values(layers, generation=generation)
        if getattr(timetable, "can_be_scheduled", True):
            try:
                self.params.validate()
            except ParamValidationError as err:
                raise ParamValidationError(
                    f"DAG {self.dag_id!r} is not allowed to define a Schedule, as there are required params "
                    f"without default values, or the default values are not valid: {err}"
                ) from None
        if generation == "2" and getattr(timetable, "can_be_scheduled", True) and self._lacks_start_date():
            raise AirflowException(f"DAG {self.dag_id!r} is missing the start_date parameter")

    def _lacks_start_date(self) -> bool:
        """Airflow 2 schedules from the DAG's start date, or failing that every task's."""
        if self.start_date is not None:
            return False
        return not self.task_dict or any(
            getattr(t, "start_date", None) is None for t in self.task_dict.values()
        )

    # -- templating -------------------------------------------------------------------------
    def get_template_env(self) -> Any:
        """The Jinja environment tasks of this DAG render with."""
        from brisa.templating import make_environment

        options: dict[str, Any] = {}
        if self.template_undefined is not None:
            options["undefined"] = self.template_undefined
        return make_environment(
            searchpath=[self.folder, *self.template_searchpath],
            user_defined_macros=self.user_defined_macros,
            user_defined_filters=self.user_defined_filters,
            native=self.render_template_as_native_obj,
            environment_kwargs=self.jinja_environment_kwargs,
            **options,
        )

    # -- context manager ------------------------------------------------------------------------
    def __enter__(self) -> DAG:
        ambient.push_dag(self)
        return self

    def __exit__(self, *exc: object) -> None:
        ambient.pop_dag()
        if self.auto_register:
            ambient.register_dag(self)


def _params_items(params: Any) -> dict[str, Any]:
    if isinstance(params, ParamsDict):
        return {k: params.get_param(k) for k in params}
    return dict(params or {})


def _timezone_of(start_date: datetime | None) -> tzinfo:
    if start_date is not None and start_date.tzinfo is not None and start_date.utcoffset() is not None:
        return start_date.tzinfo
    return tz.utc


def _as_timedelta(value: Any, name: str) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    raise AirflowException(f"{name} must be a timedelta, not {type(value).__name__}")


def _find_cycle(dag: DAG, candidates: set[str]) -> list[str]:
    """One cycle among ``candidates`` (tasks left over by the topological sort)."""
    for start in sorted(candidates):
        path: list[str] = []
        on_path: set[str] = set()
        found = _walk_cycle(dag, start, candidates, path, on_path, set())
        if found:
            return found
    return sorted(candidates)


def _walk_cycle(
    dag: DAG, task_id: str, candidates: set[str], path: list[str], on_path: set[str], done: set[str]
) -> list[str] | None:
    if task_id in on_path:
        return [*path[path.index(task_id) :], task_id]
    if task_id in done:
        return None
    path.append(task_id)
    on_path.add(task_id)
    for down in sorted(dag.task_dict[task_id].downstream_task_ids & candidates):
        found = _walk_cycle(dag, down, candidates, path, on_path, done)
        if found:
            return found
    path.pop()
    on_path.discard(task_id)
    done.add(task_id)
    return None


def dag(dag_id: str | Callable[..., Any] = "", **dag_kwargs: Any) -> Any:
    """``@dag`` / ``@dag(schedule=...)``: calling the function builds the DAG.

    The function's arguments become DAG params (their defaults the param defaults).
    """
    if callable(dag_id):
        return _dag_factory(dag_id, "", dag_kwargs)
    return lambda function: _dag_factory(function, dag_id, dag_kwargs)


def _dag_factory(function: Callable[..., Any], dag_id: str, dag_kwargs: dict[str, Any]) -> Callable[..., DAG]:
    signature = inspect.signature(function)

    @functools.wraps(function)
    def factory(*args: Any, **kwargs: Any) -> DAG:
        bound = signature.bind_partial(*args, **kwargs)
        bound.apply_defaults()
        fileloc, lineno = caller_location(2)
        with DAG(dag_id or function.__name__, **dag_kwargs) as dag_obj:
            dag_obj.fileloc, dag_obj.creation_lineno = fileloc, lineno
            if function.__doc__ and not dag_obj.doc_md:
                dag_obj.doc_md = function.__doc__
            arguments = {}
            for name, value in bound.arguments.items():
                kind = signature.parameters[name].kind
                if kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                    continue
                if name not in dag_obj.params or not isinstance(value, ArgNotSet):
                    dag_obj.params[name] = value
                arguments[name] = dag_obj.param(name)
            function(**arguments)
        return dag_obj

    return factory


__all__ = ["DAG", "DEFAULT_SCHEDULE_2", "GENERATIONS", "TaskNotFound", "dag"]
