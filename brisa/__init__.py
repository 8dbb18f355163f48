"""Brisa: a light workflow orchestrator that runs Apache Airflow DAG files unchanged.

The authoring API is importable from here (``from brisa import DAG, task``); names
are loaded on first use so that ``import brisa`` stays cheap for the CLI and workers.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # The authoring API, as Airflow names it (``from brisa import DAG, task``).
    **dict.fromkeys(
        (
            "DAG",
            "dag",
            "task",
            "task_group",
            "TaskGroup",
            "setup",
            "teardown",
            "BaseOperator",
            "Param",
            "ParamsDict",
            "chain",
            "chain_linear",
            "cross_downstream",
            "Label",
            "EdgeModifier",
            "XComArg",
            "get_current_context",
            "Context",
            "TriggerRule",
            "WeightRule",
            "Variable",
            "Connection",
            "BaseHook",
            "XCom",
            "BashOperator",
            "PythonOperator",
            "BranchPythonOperator",
            "ShortCircuitOperator",
            "EmptyOperator",
            "TriggerDagRunOperator",
            "LatestOnlyOperator",
            "BaseBranchOperator",
            "BranchDateTimeOperator",
            "BranchDayOfWeekOperator",
            "BaseSensorOperator",
            "PokeReturnValue",
            "PythonSensor",
            "TimeDeltaSensor",
            "DateTimeSensor",
            "TimeSensor",
            "FileSensor",
            "ExternalTaskSensor",
            "ExternalTaskMarker",
            "DayOfWeekSensor",
            "BashSensor",
        ),
        "brisa.sdk",
    ),
    **dict.fromkeys(
        (
            "AirflowException",
            "AirflowSkipException",
            "AirflowFailException",
            "AirflowSensorTimeout",
            "AirflowRescheduleException",
        ),
        "brisa.sdk.exceptions",
    ),
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'brisa' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
