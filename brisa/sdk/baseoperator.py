"""``BaseOperator``: every Airflow task argument, ``default_args`` and rendering.

Airflow applies ``default_args`` (from the DAG, the task group and the operator's own
``default_args=``) to *every* ``__init__`` in an operator's class chain: a subclass
argument such as ``bash_command`` may come from ``default_args`` too.  Brisa does the
same by wrapping each subclass's ``__init__`` in :func:`_apply_defaults` when the
class is defined (``__init_subclass__``).
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from brisa.sdk import context as ambient
from brisa.sdk import setup_teardown
from brisa.sdk import timezone as tz
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.keys import validate_key
from brisa.sdk.node import DAGNode
from brisa.sdk.params import ParamsDict, merge_params
from brisa.sdk.trigger_rule import TriggerRule
from brisa.sdk.weight_rule import WeightRule

if TYPE_CHECKING:
    from brisa.sdk.dag import DAG
    from brisa.sdk.mapped import OperatorPartial
    from brisa.sdk.taskgroup import TaskGroup
    from brisa.sdk.xcom_arg import XComArg

DEFAULT_OWNER = "airflow"
DEFAULT_POOL = "default_pool"
DEFAULT_QUEUE = "default"
DEFAULT_RETRY_DELAY = timedelta(seconds=300)
TRIGGER_FAIL = "__fail__"
"""The ``next_method`` of a deferred try whose trigger timed out or failed (Airflow's)."""
TRIGGER_TIMEOUT = "Trigger timeout"
TRIGGER_FAILURE = "Trigger failure"
_NOT_FROM_DEFAULTS = frozenset({"params", "default_args", "task_id", "dag", "task_group"})


def _signature_facts(func: Callable[..., Any]) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """(keyword names, required keyword names, takes **kwargs) of an ``__init__``."""
    params = list(inspect.signature(func).parameters.values())[1:]
    names = frozenset(p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
    required = tuple(
        p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )
    return names, required, any(p.kind == p.VAR_KEYWORD for p in params)


class _DefaultArgsOwner(Protocol):
    """What :func:`_merged_default_args` reads of its ``self``: an operator, or a mapped
    operator's stand-in."""

    _brisa_detached: bool


def _merged_default_args(self: _DefaultArgsOwner, kwargs: dict[str, Any]) -> dict[str, Any]:
    """DAG ``default_args`` < task group's < the operator's own ``default_args=``."""
    dag = kwargs.get("dag")
    if dag is None and not self._brisa_detached:
        dag = ambient.current_dag()
    group = kwargs.get("task_group") or (
        ambient.current_task_group(dag) if not self._brisa_detached else None
    )
    merged: dict[str, Any] = dict(dag.default_args) if dag is not None else {}
    if group is not None:
        merged.update(group.default_args)
    merged.update(kwargs.get("default_args") or {})
    return merged


def _apply_defaults(func: Callable[..., None]) -> Callable[..., None]:
    names, required, takes_kwargs = _signature_facts(func)

    @functools.wraps(func)
    def wrapper(self: BaseOperator, *args: Any, **kwargs: Any) -> None:
        if args:
            raise AirflowException("Use keyword arguments when initializing operators")
        outermost = not self.__dict__.get("_brisa_init_running", False)
        if outermost:
            self.__dict__["_brisa_init_running"] = True
            self.__dict__["_brisa_default_args"] = _merged_default_args(self, kwargs)
        default_args = self.__dict__["_brisa_default_args"]
        for name in names - _NOT_FROM_DEFAULTS:
            if name not in kwargs and name in default_args:
                kwargs[name] = default_args[name]
        missing = sorted(n for n in required if n not in kwargs)
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise AirflowException(f"missing keyword argument{plural} {', '.join(repr(m) for m in missing)}")
        if "default_args" in names or takes_kwargs:
            kwargs["default_args"] = default_args
        try:
            func(self, **kwargs)
        finally:
            if outermost:
                self.__dict__["_brisa_init_running"] = False
        if outermost:
            self._after_init()

    wrapper.__brisa_applies_defaults__ = True  # type: ignore[attr-defined]
    return wrapper


def _as_timedelta(value: Any, name: str) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    raise AirflowException(f"'{name}' must be a timedelta or a number of seconds, not {type(value).__name__}")


def _refuse_unknown_arguments(operator: str, task_id: str, kwargs: dict[str, Any]) -> None:
    """Airflow 2+ refuses arguments an operator does not take. Airflow 1.10 only warned
    (a PendingDeprecationWarning) and dropped them, and 1.10 files rely on it (e.g.
    ``provide_context=True`` on a BashOperator), so a file written for 1.10 loads."""
    message = (
        f"Invalid arguments were passed to {operator} (task_id: {task_id}). "
        f"Invalid arguments were:\n**kwargs: {kwargs}"
    )
    if not ambient.file_written_for_airflow_1():
        raise AirflowException(message)
    warnings.warn(
        f"{message}\nAirflow 1.10 ignored them with this warning (Airflow 2 refuses them).",
        PendingDeprecationWarning,
        stacklevel=4,
    )


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AirflowException(f"'{name}' type must be int, not {type(value).__name__}") from None


class BaseOperator(DAGNode):
    """Base of every operator: identity, retries, scheduling knobs, callbacks, templates."""

    template_fields: Sequence[str] = ()
    template_ext: Sequence[str] = ()
    template_fields_renderers: dict[str, str] = {}
    ui_color: str = "#fff"
    ui_fgcolor: str = "#000"
    custom_operator_name: str | None = None
    shallow_copy_attrs: Sequence[str] = ()
    operator_extra_links: Sequence[Any] = ()
    is_sensor: bool = False
    inherits_from_empty_operator: bool = False
    extra_fields: Sequence[str] = ()
    """Non-template attributes worth showing on the task's details page."""
    start_trigger_args: Any = None
    """A ``StartTriggerArgs``: what the task defers on when ``start_from_trigger`` is set."""
    start_from_trigger: bool = False

    _brisa_detached: bool = False
    """True for the concrete copies a mapped task makes: not added to the DAG."""
    _brisa_initialized: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "__brisa_applies_defaults__", False):
            cls.__init__ = _apply_defaults(init)  # type: ignore[method-assign]

    def __init__(
        self,
        *,
        task_id: str,
        owner: str = DEFAULT_OWNER,
        email: str | Iterable[str] | None = None,
        email_on_retry: bool = True,
        email_on_failure: bool = True,
        retries: int | None = 0,
        retry_delay: timedelta | float = DEFAULT_RETRY_DELAY,
        retry_exponential_backoff: bool | float = False,
        max_retry_delay: timedelta | float | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        depends_on_past: bool = False,
        ignore_first_depends_on_past: bool = True,
        wait_for_past_depends_before_skipping: bool = False,
        wait_for_downstream: bool = False,
        dag: DAG | None = None,
        params: dict[str, Any] | None = None,
        default_args: dict[str, Any] | None = None,
        priority_weight: int = 1,
        weight_rule: str = WeightRule.DOWNSTREAM,
        queue: str = DEFAULT_QUEUE,
        pool: str | None = None,
        pool_slots: int = 1,
        sla: timedelta | None = None,
        execution_timeout: timedelta | float | None = None,
        on_execute_callback: Any = None,
        on_failure_callback: Any = None,
        on_success_callback: Any = None,
        on_retry_callback: Any = None,
        on_skipped_callback: Any = None,
        pre_execute: Callable[..., Any] | None = None,
        post_execute: Callable[..., Any] | None = None,
        trigger_rule: str = TriggerRule.ALL_SUCCESS,
        resources: dict[str, Any] | None = None,
        run_as_user: str | None = None,
        task_concurrency: int | None = None,
        max_active_tis_per_dag: int | None = None,
        max_active_tis_per_dagrun: int | None = None,
        executor: str | None = None,
        executor_config: dict[str, Any] | None = None,
        do_xcom_push: bool = True,
        multiple_outputs: bool = False,
        inlets: Any = None,
        outlets: Any = None,
        task_group: TaskGroup | None = None,
        doc: str | None = None,
        doc_md: str | None = None,
        doc_json: str | None = None,
        doc_yaml: str | None = None,
        doc_rst: str | None = None,
        task_display_name: str | None = None,
        logger_name: str | None = None,
        allow_nested_operators: bool = True,
        map_index_template: str | None = None,
        **kwargs: Any,
    ) -> None:
        # Long because it is Airflow's argument list, kept whole and in Airflow's order.
        self._init_node()
        if kwargs:
            _refuse_unknown_arguments(type(self).__name__, task_id, kwargs)
        validate_key(task_id)
        if dag is None and not self._brisa_detached:
            dag = ambient.current_dag()
        if task_group is None and not self._brisa_detached:
            task_group = ambient.current_task_group(dag)
        if task_group is not None and not self._brisa_detached:
            task_id = task_group.child_id(task_id)
        self.task_id = task_id
        self.owner = owner
        self.email = email
        self.email_on_retry = email_on_retry
        self.email_on_failure = email_on_failure
        self.retries = 0 if retries is None else _as_int(retries, "retries")
        delay = _as_timedelta(retry_delay, "retry_delay")
        self.retry_delay = DEFAULT_RETRY_DELAY if delay is None else delay  # timedelta(0) is a valid delay
        self.retry_exponential_backoff = retry_exponential_backoff
        self.max_retry_delay = _as_timedelta(max_retry_delay, "max_retry_delay")
        self.start_date = tz.convert_to_utc(start_date)
        self.end_date = tz.convert_to_utc(end_date)
        self.depends_on_past = bool(depends_on_past or wait_for_downstream)
        self.ignore_first_depends_on_past = ignore_first_depends_on_past
        self.wait_for_past_depends_before_skipping = wait_for_past_depends_before_skipping
        self.wait_for_downstream = wait_for_downstream
        self.priority_weight = _as_int(priority_weight, "priority_weight")
        if not WeightRule.is_valid(str(weight_rule)):
            raise AirflowException(
                f"The weight_rule must be one of {sorted(WeightRule.all_weight_rules())},"
                f"'{dag.dag_id if dag else ''}.{task_id}'; received '{weight_rule}'."
            )
        self.weight_rule = str(weight_rule)
        self.queue = queue
        self.pool = pool or DEFAULT_POOL
        self.pool_slots = _as_int(pool_slots, "pool_slots")
        if self.pool_slots < 1:
            raise ValueError(
                f"pool slots for {task_id} in dag {dag.dag_id if dag else ''} cannot be less than 1"
            )
        self.sla = sla
        self.execution_timeout = _as_timedelta(execution_timeout, "execution_timeout")
        self.on_execute_callback = on_execute_callback
        self.on_failure_callback = on_failure_callback
        self.on_success_callback = on_success_callback
        self.on_retry_callback = on_retry_callback
        self.on_skipped_callback = on_skipped_callback
        self._pre_execute_hook = pre_execute
        self._post_execute_hook = post_execute
        if not TriggerRule.is_valid(str(trigger_rule)):
            raise AirflowException(
                f"The trigger_rule must be one of {sorted(TriggerRule.all_triggers())},"
                f"'{dag.dag_id if dag else ''}.{task_id}'; received '{trigger_rule}'."
            )
        self.trigger_rule = str(trigger_rule)
        self.resources = resources
        self.run_as_user = run_as_user
        self.max_active_tis_per_dag = (
            max_active_tis_per_dag if max_active_tis_per_dag is not None else task_concurrency
        )
        self.max_active_tis_per_dagrun = max_active_tis_per_dagrun
        self.executor = executor
        self.executor_config = executor_config or {}
        self.do_xcom_push = do_xcom_push
        self.multiple_outputs = multiple_outputs
        self.inlets = list(inlets) if isinstance(inlets, list | tuple) else ([inlets] if inlets else [])
        self.outlets = list(outlets) if isinstance(outlets, list | tuple) else ([outlets] if outlets else [])
        self.doc = doc
        self.doc_md = doc_md
        self.doc_json = doc_json
        self.doc_yaml = doc_yaml
        self.doc_rst = doc_rst
        self.task_display_name = task_display_name or self.label_from(task_id, task_group)
        self.logger_name = logger_name
        self.allow_nested_operators = allow_nested_operators
        self.map_index_template = map_index_template
        self.map_index = -1
        self.is_setup = False
        self.is_teardown = False
        self.params: ParamsDict = merge_params(
            dag.params if dag is not None else None, (default_args or {}).get("params"), params
        )
        if task_group is not None:
            self.task_group = task_group
            if not self._brisa_detached:
                task_group.add(self)
        if dag is not None:
            if self._brisa_detached:
                self._dag = dag
            else:
                self.dag = dag
        for name, reason in ((task_concurrency, "task_concurrency"), (sla, "sla")):
            if name is not None:
                self.note_generation("2", f"uses the {reason} argument")

    @staticmethod
    def label_from(task_id: str, group: TaskGroup | None) -> str:
        if group is not None and group.group_id and task_id.startswith(f"{group.group_id}."):
            return task_id[len(group.group_id) + 1 :]
        return task_id

    def _after_init(self) -> None:
        self.__dict__["_brisa_initialized"] = True
        if not self._brisa_detached:
            for name in self.template_fields:
                self._depend_on_xcomargs(getattr(self, name, None))

    def _depend_on_xcomargs(self, value: Any) -> None:
        from brisa.sdk.xcom_arg import iter_references

        for operator in iter_references(value):
            if operator is not self:
                self.set_upstream(operator)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if (
            self.__dict__.get("_brisa_initialized")
            and name in self.template_fields
            and not self._brisa_detached
        ):
            self._depend_on_xcomargs(value)

    def note_generation(self, generation: str, reason: str) -> None:
        """Record that an argument only exists in one Airflow generation."""
        if self._dag is not None:
            self._dag.generation_hints.append((generation, f"{self.task_id} {reason}"))

    # -- identity -------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<Task({self.task_type}): {self.task_id}>"

    @property
    def task_type(self) -> str:
        return type(self).__name__

    @property
    def operator_name(self) -> str:
        return self.custom_operator_name or self.task_type

    @property
    def is_mapped(self) -> bool:
        """False, except for a task of a mapped task group (before it is unmapped)."""
        return getattr(self, "map_index", -1) < 0 and self._mapped_group() is not None

    def _mapped_group(self) -> Any:
        from brisa.sdk.mapped_group import mapped_group_of

        return mapped_group_of(self)

    def to_spec(self) -> Any:
        """A task of a mapped task group expands over the group's input."""
        group = self._mapped_group()
        if group is None:
            raise TypeError(f"{self.task_id} is not mapped")
        return group.to_spec()

    def unmap(self, map_index: int, context: Any) -> BaseOperator:
        """The instance of a task of a mapped task group at ``map_index``."""
        from brisa.sdk.mapped_group import unmap_in_group

        return unmap_in_group(self, map_index)

    @property
    def output(self) -> XComArg:
        from brisa.sdk.xcom_arg import PlainXComArg

        return PlainXComArg(self)

    @property
    def priority_weight_total(self) -> int:
        """The effective priority after the weight rule (as the scheduler sees it)."""
        from brisa.sdk.serialize import effective_priority

        return effective_priority(self)

    @property
    def inherits_from_skipmixin(self) -> bool:
        from brisa.sdk.skipping import SkipMixin

        return isinstance(self, SkipMixin)

    # -- dynamic task mapping -------------------------------------------------------
    @classmethod
    def partial(cls, **kwargs: Any) -> OperatorPartial:
        from brisa.sdk.mapped import OperatorPartial

        return OperatorPartial(cls, kwargs)

    # -- setup / teardown ------------------------------------------------------------
    def as_setup(self) -> BaseOperator:
        self.is_setup = True
        return self

    def as_teardown(self, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None) -> BaseOperator:
        self.is_teardown = True
        self.trigger_rule = TriggerRule.ALL_DONE_SETUP_SUCCESS
        if setups is not None:
            self.set_upstream(setups)
        return self

    def __enter__(self) -> BaseOperator:
        setup_teardown.enter([self])
        return self

    def __exit__(self, *exc: object) -> None:
        setup_teardown.exit_block()

    # -- execution hooks ------------------------------------------------------------------
    def pre_execute(self, context: dict[str, Any]) -> None:
        if self._pre_execute_hook is not None:
            self._pre_execute_hook(context)

    def execute(self, context: dict[str, Any]) -> Any:
        raise AirflowException(
            f"{self.task_type} does not implement execute(); subclasses of BaseOperator must"
        )

    def post_execute(self, context: dict[str, Any], result: Any = None) -> None:
        if self._post_execute_hook is not None:
            self._post_execute_hook(context, result)

    def on_kill(self) -> None:
        """Called when the try is killed; operators with subprocesses stop them here."""

    def prepare_template(self) -> None:
        """Hook run before rendering, after template files are known (Airflow's)."""

    def prepare_for_execution(self) -> BaseOperator:
        """A shallow copy to render and execute, leaving the DAG's object untouched."""
        return copy.copy(self)

    def defer(self, *, trigger: Any, method_name: str, kwargs: Any = None, timeout: Any = None) -> None:
        from brisa.sdk.exceptions import TaskDeferred

        raise TaskDeferred(trigger=trigger, method_name=method_name, kwargs=kwargs, timeout=timeout)

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Any) -> Any:
        """The resumed half of a deferred try: ``next_method(context, **next_kwargs)``.

        ``__fail__`` is what the triggerer sets when the trigger timed out or failed."""
        from brisa.sdk.exceptions import TaskDeferralError, TaskDeferralTimeout

        kwargs = dict(next_kwargs or {})
        if next_method == TRIGGER_FAIL:
            for line in kwargs.get("traceback") or ():
                self.log.error("Trigger failed: %s", line.rstrip())
            error = kwargs.get("error", "Unknown")
            raise (TaskDeferralTimeout if error == TRIGGER_TIMEOUT else TaskDeferralError)(error)
        return getattr(self, next_method)(context, **kwargs)

    # -- XCom helpers (Airflow's operator methods) -------------------------------------------
    @staticmethod
    def xcom_push(context: dict[str, Any], key: str, value: Any, execution_date: Any = None) -> None:
        context["ti"].xcom_push(key=key, value=value)

    @staticmethod
    def xcom_pull(
        context: dict[str, Any],
        task_ids: str | Sequence[str] | None = None,
        dag_id: str | None = None,
        key: str | None = "return_value",
        include_prior_dates: bool | None = None,
    ) -> Any:
        return context["ti"].xcom_pull(task_ids=task_ids, dag_id=dag_id, key=key)

    # -- templating --------------------------------------------------------------------------
    def get_template_env(self) -> Any:
        if self._dag is not None:
            return self._dag.get_template_env()
        from brisa.templating import make_environment

        return make_environment()

    def render_template_fields(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        """Render the template fields in place: XComArgs are replaced by their values
        (not rendered further, as in Airflow) and strings are rendered with Jinja."""
        from brisa.templating import render_field

        env = jinja_env if jinja_env is not None else self.get_template_env()
        self.prepare_template()
        for name in self.template_fields:
            if not hasattr(self, name):
                raise AttributeError(
                    f"{name!r} is configured as a template field but {self.task_type} "
                    "does not have this attribute."
                )
            value = getattr(self, name)
            if id(value) in self.__dict__.get("_brisa_pulled_ids", ()):
                continue  # a mapped value pulled from an XCom is data, not a template
            rendered = render_field(value, context, env, template_ext=tuple(self.template_ext))
            object.__setattr__(self, name, rendered)

    def render_template(self, content: Any, context: dict[str, Any], jinja_env: Any = None) -> Any:
        from brisa.templating import render_field

        env = jinja_env if jinja_env is not None else self.get_template_env()
        return render_field(content, context, env, template_ext=tuple(self.template_ext))

    def serialize_extra(self) -> dict[str, Any]:
        """What the task's details page shows: template fields and ``extra_fields``."""
        from brisa.sdk.xcom_arg import describe_value

        names = [*self.template_fields, *self.extra_fields]
        return {name: describe_value(getattr(self, name, None)) for name in names}


__all__ = ["DEFAULT_OWNER", "DEFAULT_POOL", "DEFAULT_QUEUE", "BaseOperator"]

# BaseOperator's own __init__ applies default_args too (subclasses get it from __init_subclass__).
BaseOperator.__init__ = _apply_defaults(BaseOperator.__init__)  # type: ignore[method-assign]
