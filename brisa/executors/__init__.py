"""Executors: where task tries run. ``submit`` a workload, ``poll`` for what finished."""

from brisa.executors.base import BaseExecutor, ExecutorEvent, Workload

__all__ = ["BaseExecutor", "ExecutorEvent", "Workload"]
