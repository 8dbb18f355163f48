"""``PythonOperator`` and the operators built on it: branch and short-circuit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from brisa.sdk.assets import collect_metadata
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.context import get_current_context
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.execution import determine_kwargs
from brisa.sdk.skipping import SkipMixin, branch_skip_ids, short_circuit_skip_ids, skip_tasks
from brisa.secrets.masking import mask_secret

if TYPE_CHECKING:
    from brisa.sdk.node import DAGNode

log = logging.getLogger("airflow.task.operators")


class PythonOperator(BaseOperator):
    """Call ``python_callable(*op_args, **op_kwargs)``; context values its signature
    names (or all of them, with ``**kwargs``) are passed too."""

    template_fields: Sequence[str] = ("templates_dict", "op_args", "op_kwargs")
    template_fields_renderers = {"templates_dict": "json", "op_args": "py", "op_kwargs": "py"}
    ui_color = "#ffefeb"
    extra_fields = ("python_callable",)

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        templates_exts: list[str] | None = None,
        show_return_value_in_logs: bool = True,
        provide_context: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(python_callable):
            raise AirflowException("`python_callable` param must be callable")
        self.python_callable = python_callable
        self.op_args = op_args or ()
        self.op_kwargs = op_kwargs or {}
        self.templates_dict = templates_dict
        if templates_exts:
            self.template_ext = templates_exts
        self.show_return_value_in_logs = show_return_value_in_logs
        if provide_context is not None:
            self.note_generation("2", "uses the provide_context argument (Airflow 1.10)")

    def execute(self, context: dict[str, Any]) -> Any:
        context.update(self.op_kwargs)
        context["templates_dict"] = self.templates_dict
        self.op_kwargs = determine_kwargs(self.python_callable, list(self.op_args), context)
        result = collect_metadata(self.execute_callable(), context.get("outlet_events"))
        if self.show_return_value_in_logs:
            if isinstance(result, dict | list | tuple):
                # The supervisor masks what sits under sensitive keys ({"password": ...}).
                mask_secret(result, name="return_value")
            log.info("Done. Returned value was: %s", result)
        else:
            log.info("Done. Returned value not shown")
        return result

    def execute_callable(self) -> Any:
        return self.python_callable(*self.op_args, **self.op_kwargs)


class BranchMixIn(SkipMixin):
    """Follows the branch(es) a callable returned; skips the other direct downstream tasks."""

    def do_branch(self, context: Mapping[str, Any], branches_to_execute: str | Iterable[str] | None) -> Any:
        # A BranchMixIn is only ever mixed into an operator, which is a DAGNode.
        task = context.get("task") or cast("DAGNode", self)
        skipped = branch_skip_ids(task, branches_to_execute)
        log.info("Branch into %s; skipping %s", branches_to_execute, sorted(skipped))
        skip_tasks(skipped)
        return branches_to_execute


class BranchPythonOperator(PythonOperator, BranchMixIn):
    """``python_callable`` returns the task id(s) (or task group id) to follow."""

    def execute(self, context: dict[str, Any]) -> Any:
        return self.do_branch(context, super().execute(context))


class ShortCircuitOperator(PythonOperator, SkipMixin):
    """A falsy result skips downstream tasks (all of them, unless
    ``ignore_downstream_trigger_rules=False``: then only the direct ones)."""

    def __init__(self, *, ignore_downstream_trigger_rules: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules

    def execute(self, context: dict[str, Any]) -> Any:
        condition = super().execute(context)
        if condition:
            log.info("Proceeding with downstream tasks...")
            return condition
        task = context.get("task") or self
        ids = short_circuit_skip_ids(
            task, ignore_downstream_trigger_rules=self.ignore_downstream_trigger_rules
        )
        log.info("Skipping downstream tasks %s", sorted(ids))
        skip_tasks(ids)
        return condition


__all__ = [
    "BranchMixIn",
    "BranchPythonOperator",
    "PythonOperator",
    "ShortCircuitOperator",
    "get_current_context",
]
