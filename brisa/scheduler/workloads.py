"""Turning a try just queued into its workload, or failing it when none can be made.

Called by the loop inside its queueing transaction; the workload itself is built by
:func:`brisa.tries.build.build_workload`, the one builder.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from brisa.errors import StoreError
from brisa.scheduler.contexts import RunContexts
from brisa.serialized import SerializedDag
from brisa.states import TaskState, advance_ti
from brisa.store.records import TiRecord
from brisa.store.sql import Transaction
from brisa.tries.build import build_workload
from brisa.tries.retry import RetryPolicy, after_failed_try
from brisa.tries.workload import Workload

log = logging.getLogger("brisa.scheduler.loop")


def prepare_workload(
    tx: Transaction, ti: TiRecord, dag: SerializedDag, contexts: RunContexts, *, dag_hash: str | None
) -> Workload | str:
    """The next try of ``ti`` (just queued), or why none can be handed to a task process."""
    try:
        context, problem = contexts.get(tx, ti.dag_id, ti.run_id)
        if problem:
            return problem
        next_try = ti.try_number + 1
        return build_workload(
            dag, ti.key, context, try_number=next_try, max_tries=ti.max_tries, ti=ti, dag_hash=dag_hash
        )
    except StoreError:
        raise
    except Exception as exc:  # about this try only: it fails (counted), the others go on
        log.exception("could not prepare try %s of %s", ti.try_number + 1, ti.key)
        return f"the scheduler could not prepare it: {type(exc).__name__}: {exc}"


def refuse_try(tx: Transaction, ti: TiRecord, reason: str, policy: RetryPolicy, now: datetime) -> bool:
    """Fail a try just queued that no task process can be handed: it counts towards
    its retries, as a failure in the task would, and its log says why. True if it did."""
    try_number = ti.try_number + 1
    outcome = after_failed_try(
        policy, try_number=try_number, max_tries=ti.max_tries, now=now, seed=str(ti.key)
    )
    state = outcome.state
    if not advance_ti(
        tx,
        ti.key,
        TaskState.QUEUED,
        state,
        try_number_is=try_number,
        start_date=now,
        end_date=now,
        next_try_at=outcome.next_try_at,
        updated_at=now,
    ):
        return False
    line = f"[{log_time(now)}] {{scheduler}} this try cannot start: {reason}; the try is {state.value}\n"
    tx.logs.append(ti.key, try_number, [line], now=now)
    tx.tis.archive_try(replace(ti, try_number=try_number, start_date=now), state=state, end_date=now)
    log.error("try %s of %s cannot start (%s); now %s", try_number, ti.key, reason, state.value)
    return True


def log_time(now: datetime) -> str:
    """A timestamp as the task logs write it."""
    return f"{now.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}+0000"


__all__ = ["log_time", "prepare_workload", "refuse_try"]
