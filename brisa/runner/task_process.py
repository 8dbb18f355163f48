"""The task process: the ``task`` child of the zygote runs one try and reports it.

The try's outcome goes to its supervisor over the control socket; if the supervisor
died with its scheduler, the try's durable record keeps it for a restarted scheduler.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

from brisa.process.channel import ChannelClosed
from brisa.process.child_runtime import ChannelRuntime
from brisa.runner.task_runner import LOG_FORMAT, run_try
from brisa.runner.tryrecord import TaskRecord
from brisa.tries.workload import Workload


def child_main(payload: dict[str, Any], control: socket.socket) -> int:  # pragma: no cover - child process
    record = TaskRecord.begin(payload)
    if record is not None:
        record.orphan_proof_streams()
    _configure_logging()
    workload = Workload.from_dict(payload)
    runtime = ChannelRuntime(control)
    outcome = run_try(workload, runtime, report_rendered=runtime.report_rendered)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        runtime.report_done(outcome.to_dict())
    except ChannelClosed:
        if record is None:
            raise
        # The scheduler died with its process group: a restarted one reads this.
        record.end(outcome, runtime.pushed)
    return 0


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


__all__ = ["child_main"]
