"""What a trigger's end does to the tries deferred on it (writes, in the caller's transaction).

* an event resumes them: ``deferred -> scheduled`` with the payload added to
  ``next_kwargs`` as ``event``; the scheduler queues them as any scheduled try;
* a ``TaskSuccessEvent``/``TaskFailedEvent``/``TaskSkippedEvent`` (``end_from_trigger``)
  ends them here, without a worker;
* a failure (the trigger raised) or a timeout resumes them with ``next_method``
  ``__fail__``: the resumed try raises ``TaskDeferralError``/``TaskDeferralTimeout``.

Every move is ``advance_ti``'s compare-and-set from ``deferred``: an event written twice
(two triggerers briefly running one trigger) resumes a try once.

An asset watcher's event is an event on each asset the trigger watches, with
``{"from_trigger": True, "payload": ...}`` as its extra (Airflow's ``Trigger.submit_event``);
it queues the asset for its consumer DAGs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from brisa import serde
from brisa.assets.events import register_asset_change
from brisa.states import TaskState, advance_ti
from brisa.store.records import TaskKey, TiRecord
from brisa.store.sql import Transaction
from brisa.tries.deferral import TRIGGER_FAIL

TRIGGER_TIMEOUT = "Trigger timeout"
TRIGGER_FAILURE = "Trigger failure"


def submit_event(tx: Transaction, trigger_id: int, event: Any, *, now: datetime) -> list[TaskKey]:
    """Resume (or end) the tries waiting on ``trigger_id``; returns those moved."""
    moved = []
    for ti in tx.triggers.tis_waiting_on(trigger_id):
        end_state = getattr(event, "task_state", "")
        done = _end(tx, ti, TaskState(end_state), event, now) if end_state else _resume(tx, ti, event, now)
        if done:
            moved.append(ti.key)
    return moved


def submit_asset_event(tx: Transaction, trigger_id: int, event: Any, *, now: datetime) -> int:
    """An asset watcher fired: one asset event per asset it watches; returns how many."""
    # The extra is stored as JSON: a payload of datetimes etc. is kept as their text.
    payload = json.loads(json.dumps(event.payload, default=str))
    assets = tx.triggers.watched_assets(trigger_id)
    for asset_id in assets:
        register_asset_change(tx, asset_id, now=now, extra={"from_trigger": True, "payload": payload})
    return len(assets)


def submit_failure(tx: Transaction, trigger_id: int, traceback: list[str], *, now: datetime) -> list[TaskKey]:
    failure = {"error": TRIGGER_FAILURE, "traceback": traceback}
    return [ti.key for ti in tx.triggers.tis_waiting_on(trigger_id) if _fail(tx, ti.key, failure, now)]


def time_out(tx: Transaction, *, now: datetime) -> list[TaskKey]:
    """Resume, to fail, the deferred tries past their ``trigger_timeout``."""
    return [key for key in tx.triggers.timed_out(now) if _fail(tx, key, {"error": TRIGGER_TIMEOUT}, now)]


def _resume(tx: Transaction, ti: TiRecord, event: Any, now: datetime) -> bool:
    next_kwargs = {**(serde.loads(ti.next_kwargs) or {}), "event": event.payload}
    return advance_ti(
        tx,
        ti.key,
        TaskState.DEFERRED,
        TaskState.SCHEDULED,
        try_number_is=ti.try_number,
        next_kwargs=serde.dumps(next_kwargs),
        trigger_id=None,
        trigger_timeout=None,
        updated_at=now,
    )


def _fail(tx: Transaction, key: TaskKey, failure: dict[str, Any], now: datetime) -> bool:
    return advance_ti(
        tx,
        key,
        TaskState.DEFERRED,
        TaskState.SCHEDULED,
        next_method=TRIGGER_FAIL,
        next_kwargs=serde.dumps(failure),
        trigger_id=None,
        trigger_timeout=None,
        updated_at=now,
    )


def _end(tx: Transaction, ti: TiRecord, state: TaskState, event: Any, now: datetime) -> bool:
    """``end_from_trigger``: the deferred try ends as ``state`` (it counts as its try)."""
    try_number = ti.try_number + 1
    moved = advance_ti(
        tx,
        ti.key,
        TaskState.DEFERRED,
        state,
        try_number_is=ti.try_number,
        try_number=try_number,
        end_date=now,
        updated_at=now,
    )
    if moved:
        for key, value in (getattr(event, "xcoms", None) or {}).items():
            tx.xcoms.set(ti.key, key, value, now=now)
        tx.tis.archive_try(replace(ti, try_number=try_number), state=state, end_date=now)
    return moved


__all__ = [
    "TRIGGER_FAILURE",
    "TRIGGER_TIMEOUT",
    "submit_asset_event",
    "submit_event",
    "submit_failure",
    "time_out",
]
