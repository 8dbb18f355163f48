"""Small Airflow helpers DAG files import: ``apply_defaults``, ``LoggingMixin``,
``get_parsing_context``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def apply_defaults(func: F) -> F:
    """Airflow 1.10's decorator for operator ``__init__``s; Brisa applies
    ``default_args`` to every operator ``__init__`` already, so this returns ``func``."""
    return func


class LoggingMixin:
    """``self.log``: a logger named after the class."""

    @property
    def log(self) -> logging.Logger:
        cls = type(self)
        return logging.getLogger(f"{cls.__module__}.{cls.__qualname__}")


class AirflowParsingContext(NamedTuple):
    dag_id: str | None
    task_id: str | None


def get_parsing_context() -> AirflowParsingContext:
    """Which DAG and task the file is being parsed for; Brisa always parses whole
    files, so both are None (DAG files then build every DAG, which is correct)."""
    return AirflowParsingContext(dag_id=None, task_id=None)


__all__ = ["AirflowParsingContext", "LoggingMixin", "apply_defaults", "get_parsing_context"]

__version__ = "2.11.0"
"""What ``airflow.__version__`` reports to DAG files that check it."""
