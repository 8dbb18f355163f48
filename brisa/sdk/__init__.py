"""Brisa's authoring API, named as Airflow's: what ``airflow.*`` imports resolve to.

Modules are imported on first use of a name, so ``import brisa.sdk`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "DAG": "brisa.sdk.dag",
    "dag": "brisa.sdk.dag",
    "TaskNotFound": "brisa.sdk.dag",
    "BaseOperator": "brisa.sdk.baseoperator",
    "MappedOperator": "brisa.sdk.mapped",
    "OperatorPartial": "brisa.sdk.mapped",
    "TaskGroup": "brisa.sdk.taskgroup",
    "task_group": "brisa.sdk.taskgroup",
    "task": "brisa.sdk.decorators",
    "setup": "brisa.sdk.decorators",
    "teardown": "brisa.sdk.decorators",
    "Param": "brisa.sdk.params",
    "ParamsDict": "brisa.sdk.params",
    "chain": "brisa.sdk.dependencies",
    "chain_linear": "brisa.sdk.dependencies",
    "cross_downstream": "brisa.sdk.dependencies",
    "Label": "brisa.sdk.dependencies",
    "EdgeModifier": "brisa.sdk.dependencies",
    "XComArg": "brisa.sdk.xcom_arg",
    "get_current_context": "brisa.sdk.context",
    "Context": "brisa.sdk.context",
    "TriggerRule": "brisa.sdk.trigger_rule",
    "WeightRule": "brisa.sdk.weight_rule",
    "Variable": "brisa.sdk.variable",
    "Connection": "brisa.sdk.connection",
    "BaseHook": "brisa.sdk.connection",
    "XCom": "brisa.sdk.xcom",
    "TaskInstance": "brisa.sdk.taskinstance",
    "DagRun": "brisa.sdk.dagrun",
    "BashOperator": "brisa.sdk.operators.bash",
    "PythonOperator": "brisa.sdk.operators.python",
    "BranchPythonOperator": "brisa.sdk.operators.python",
    "ShortCircuitOperator": "brisa.sdk.operators.python",
    "EmptyOperator": "brisa.sdk.operators.empty",
    "DummyOperator": "brisa.sdk.operators.empty",
    "TriggerDagRunOperator": "brisa.sdk.operators.trigger_dagrun",
    "LatestOnlyOperator": "brisa.sdk.operators.latest_only",
    "BaseBranchOperator": "brisa.sdk.operators.branch",
    "BranchDateTimeOperator": "brisa.sdk.operators.datetime",
    "BranchDayOfWeekOperator": "brisa.sdk.operators.weekday",
    "BaseSensorOperator": "brisa.sdk.sensors.base",
    "PokeReturnValue": "brisa.sdk.sensors.base",
    "PythonSensor": "brisa.sdk.sensors.python",
    "TimeDeltaSensor": "brisa.sdk.sensors.time_delta",
    "DateTimeSensor": "brisa.sdk.sensors.date_time",
    "TimeSensor": "brisa.sdk.sensors.time",
    "FileSensor": "brisa.sdk.sensors.filesystem",
    "ExternalTaskSensor": "brisa.sdk.sensors.external_task",
    "ExternalTaskMarker": "brisa.sdk.sensors.external_task",
    "DayOfWeekSensor": "brisa.sdk.sensors.weekday",
    "BashSensor": "brisa.sdk.sensors.bash",
    "serialize_dag": "brisa.sdk.serialize",
    "execute_task": "brisa.sdk.execution",
    "run_callbacks": "brisa.sdk.execution",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'brisa.sdk' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
