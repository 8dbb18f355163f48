"""The typed contract of one task try, below the scheduler, executors and runner.

``Workload`` (what a try needs, with its ``RunContext``), ``Outcome`` (how it ended, with
a deferring try's ``Deferral``),
``RetryPolicy`` and :func:`after_failed_try` (what happens after a failure), and
:func:`build_workload`, the one function that makes a workload.  Imports nothing from
the packages above it (scheduler, executors, runner, services, api, cli, ui).
"""

from brisa.tries.build import build_workload, retry_policy, run_context
from brisa.tries.deferral import Deferral
from brisa.tries.outcome import Outcome
from brisa.tries.retry import RetryPolicy, after_failed_try
from brisa.tries.workload import MAX_CONF_BYTES, MAX_WORKLOAD_BYTES, RunContext, Workload

__all__ = [
    "MAX_CONF_BYTES",
    "MAX_WORKLOAD_BYTES",
    "Deferral",
    "Outcome",
    "RetryPolicy",
    "RunContext",
    "Workload",
    "after_failed_try",
    "build_workload",
    "retry_policy",
    "run_context",
]
