"""Brisa's exception tree.

Branches say what the caller can do about the error::

    BrisaError
     ├── ConfigError              bad setting or missing key: fix the configuration
     ├── DagError                 a DAG definition is wrong: fix the DAG file
     │    ├── DagCycleError
     │    ├── DuplicateTaskIdError
     │    ├── ParamValidationError
     │    ├── ScheduleError       bad cron string / timetable (or one no plugin registers)
     │    └── PluginError         a plugin of the plugins folder is malformed
     ├── NotFoundError            no such DAG, run, task, variable, ...
     ├── ConflictError            it already exists / it changed under you
     │    └── InvalidTransition   a state change the state machine forbids
     ├── StoreError               the metadata database failed
     │    └── StoreUnavailable    ... and may come back: retry later
     ├── ExecutorError            a task could not be handed to an executor
     ├── SecretsError             Fernet key missing or wrong, backend failure
 ├── ProviderError            a provider package could not be installed (pip failed)
     ├── AuthError                who you are is unknown (401)
     │    └── PermissionDenied    you may not do that (403)
     └── InvalidInputError        a request or command argument is malformed (400)
          └── RequestTooLarge     ... its body is bigger than the server takes (413)

Task signals (skip, fail without retry, reschedule) are not errors of Brisa's;
they live in ``brisa.sdk.exceptions`` beside Airflow's names for them.
Errors become exit codes only in ``brisa.cli`` and HTTP responses only in
``brisa.api.errors``.
"""

from __future__ import annotations


class BrisaError(Exception):
    """Root of every error Brisa raises on purpose."""


class ConfigError(BrisaError):
    pass


class DagError(BrisaError):
    pass


class DagCycleError(DagError):
    pass


class DuplicateTaskIdError(DagError):
    pass


class ParamValidationError(DagError):
    pass


class ScheduleError(DagError):
    pass


class PluginError(DagError):
    pass


class NotFoundError(BrisaError):
    pass


class ConflictError(BrisaError):
    pass


class InvalidTransition(ConflictError):
    pass


class StoreError(BrisaError):
    pass


class StoreUnavailable(StoreError):
    pass


class ExecutorError(BrisaError):
    pass


class SecretsError(BrisaError):
    pass


class AuthError(BrisaError):
    pass


class PermissionDenied(AuthError):
    pass


class ProviderError(BrisaError):
    pass


class InvalidInputError(BrisaError):
    pass


class RequestTooLarge(InvalidInputError):
    pass


__all__ = [
    "AuthError",
    "BrisaError",
    "ConfigError",
    "ConflictError",
    "DagCycleError",
    "DagError",
    "DuplicateTaskIdError",
    "ExecutorError",
    "InvalidInputError",
    "InvalidTransition",
    "NotFoundError",
    "ParamValidationError",
    "PermissionDenied",
    "PluginError",
    "ProviderError",
    "RequestTooLarge",
    "ScheduleError",
    "SecretsError",
    "StoreError",
    "StoreUnavailable",
]
