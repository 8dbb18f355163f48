"""Airflow's exceptions: task signals and the errors DAG code raises or catches.

Task signals (skip, fail without retry, reschedule, sensor timeout) are not Brisa
errors: the task runner turns them into task states.  The DAG-definition errors
(duplicate task id, cycle, invalid param) are both :class:`AirflowException` - what
DAG files catch - and children of :class:`brisa.errors.DagError` - what Brisa catches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from brisa import errors


class AirflowException(Exception):
    """Base of Airflow's exceptions; ``status_code`` kept for API-style callers."""

    status_code = 500


class AirflowBadRequest(AirflowException):
    status_code = 400


class AirflowNotFoundException(AirflowException):
    status_code = 404


class AirflowConfigException(AirflowException):
    pass


class AirflowOptionalProviderFeatureException(AirflowException):
    """An optional feature of a provider is not available (a missing package or version)."""


class AirflowSkipException(AirflowException):
    """Raised by a task to end the try as skipped."""


class AirflowFailException(AirflowException):
    """Raised by a task to fail at once, without retries."""


class AirflowTaskTimeout(AirflowException):
    """The try ran past ``execution_timeout``."""


class AirflowTaskTerminated(AirflowException):
    """The try was killed from outside (a user marked it, the run was stopped)."""


class AirflowSensorTimeout(AirflowException):
    """A sensor waited longer than its ``timeout``: fails without retries."""


class AirflowExternalTaskSensorException(AirflowException):
    """The standard provider's base of ``ExternalTaskSensor``'s errors."""


class ExternalDagNotFoundError(AirflowExternalTaskSensorException):
    """The external DAG does not exist."""


class ExternalDagDeletedError(AirflowExternalTaskSensorException):
    """The external DAG was deleted."""


class ExternalTaskNotFoundError(AirflowExternalTaskSensorException):
    """The external task does not exist (or the trigger sent no event)."""


class ExternalTaskGroupNotFoundError(AirflowExternalTaskSensorException):
    """The external task group does not exist."""


class ExternalTaskFailedError(AirflowExternalTaskSensorException):
    """An external task failed."""


class ExternalTaskGroupFailedError(AirflowExternalTaskSensorException):
    """The external task group failed."""


class ExternalDagFailedError(AirflowExternalTaskSensorException):
    """The external DAG (or task) failed, as a deferred ``ExternalTaskSensor`` reports it."""


class DuplicateStateError(AirflowExternalTaskSensorException):
    """A state is in more than one of allowed, skipped and failed states."""


class AirflowRescheduleException(AirflowException):
    """A reschedule-mode sensor gives its slot back until ``reschedule_date``."""

    def __init__(self, reschedule_date: datetime) -> None:
        super().__init__()
        self.reschedule_date = reschedule_date

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reschedule_date,))


class TaskDeferred(BaseException):
    """Raised by ``defer()``: the try hands ``trigger`` to the triggerer and frees its slot.

    A ``BaseException``, as in Airflow, so ``except Exception`` in DAG code lets it through.
    When the trigger fires, a new run of the same try calls ``method_name(context, event=...)``;
    past ``timeout`` it fails with :class:`TaskDeferralTimeout` instead.
    """

    def __init__(
        self, *, trigger: Any, method_name: str, kwargs: dict[str, Any] | None = None, timeout: Any = None
    ) -> None:
        super().__init__()
        self.trigger = trigger
        self.method_name = method_name
        self.kwargs = kwargs
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<TaskDeferred trigger={self.trigger} method={self.method_name}>"


class TaskDeferralError(AirflowException):
    """The trigger of a deferred task failed."""


class TaskDeferralTimeout(AirflowException):
    """A deferred task's trigger did not fire within its timeout."""


class DownstreamTasksSkipped(AirflowException):
    """Airflow 3 signal: these downstream tasks are to be skipped."""

    def __init__(self, *, tasks: Any) -> None:
        super().__init__(f"downstream tasks to skip: {tasks!r}")
        self.tasks = tasks


class XComNotFound(AirflowException):
    def __init__(self, dag_id: str, task_id: str, key: str) -> None:
        super().__init__(f"XComArg result from {task_id} at {dag_id} with key={key!r} is not found!")
        self.dag_id = dag_id
        self.task_id = task_id
        self.key = key


class DuplicateTaskIdFound(AirflowException, errors.DuplicateTaskIdError):
    """Two tasks of one DAG share a task id."""


class AirflowDagCycleException(AirflowException, errors.DagCycleError):
    """The DAG's dependencies form a cycle."""


class ParamValidationError(AirflowException, errors.ParamValidationError):
    """A param's value does not match its schema."""


class AirflowDagDuplicatedIdException(AirflowException, errors.DagError):
    """Two files define DAGs with the same dag id."""

    def __init__(self, dag_id: str, incoming: str, existing: str) -> None:
        super().__init__(f"Ignoring DAG {dag_id} from {incoming} - also found in {existing}")
        self.dag_id = dag_id
        self.incoming = incoming
        self.existing = existing


class AirflowTimetableInvalid(AirflowException, errors.ScheduleError):
    """The DAG's schedule cannot be understood (e.g. a bad cron string)."""


class UnmappableOperator(AirflowException, errors.DagError):
    """An operator argument cannot be mapped (``.expand`` misuse)."""


class UnsupportedFeatureError(ImportError, errors.DagError):
    """The DAG uses something Airflow has and Brisa deliberately does not."""


__all__ = [
    "AirflowBadRequest",
    "AirflowConfigException",
    "AirflowDagCycleException",
    "AirflowDagDuplicatedIdException",
    "AirflowException",
    "AirflowExternalTaskSensorException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowOptionalProviderFeatureException",
    "AirflowRescheduleException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "AirflowTaskTerminated",
    "AirflowTaskTimeout",
    "AirflowTimetableInvalid",
    "DownstreamTasksSkipped",
    "DuplicateStateError",
    "DuplicateTaskIdFound",
    "ExternalDagDeletedError",
    "ExternalDagFailedError",
    "ExternalDagNotFoundError",
    "ExternalTaskFailedError",
    "ExternalTaskGroupFailedError",
    "ExternalTaskGroupNotFoundError",
    "ExternalTaskNotFoundError",
    "ParamValidationError",
    "TaskDeferralError",
    "TaskDeferralTimeout",
    "TaskDeferred",
    "UnmappableOperator",
    "UnsupportedFeatureError",
    "XComNotFound",
]
