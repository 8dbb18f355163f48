"""What happens after a failed try: tried again (and when), or failed for good.

The one decision for every failed try, whoever sees it fail: the task runner (the task
raised), the supervisor (its process died or timed out, or could not be started) and
the scheduler (a try no task process can be handed, a try whose supervisor died).

Airflow's meaning: a try may be retried while ``try_number <= max_tries``; the wait is
``retry_delay``, or with ``retry_exponential_backoff`` ``retry_delay * 2**(try-1)``
spread deterministically over ``[backoff, 2 * backoff)`` so many failing tasks do not
retry in lock-step, capped by ``max_retry_delay``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from brisa.states import TaskState
from brisa.tries.outcome import Outcome

MAX_RETRY_DELAY = 24 * 60 * 60.0  # a day: beyond it timedelta arithmetic stops making sense


@dataclass(frozen=True)
class RetryPolicy:
    retry_delay: float = 300.0
    exponential_backoff: bool = False
    max_retry_delay: float | None = None


def can_retry(try_number: int, max_tries: int) -> bool:
    return try_number <= max_tries


def retry_delay(policy: RetryPolicy, *, try_number: int, seed: str) -> float:
    """Seconds to wait before the try after ``try_number``."""
    delay = policy.retry_delay
    if policy.exponential_backoff:
        backoff = max(1, math.ceil(delay * 2 ** (try_number - 1)))
        jitter = int(hashlib.sha1(f"{seed}#{try_number}".encode()).hexdigest(), 16) % backoff
        delay = min(float(backoff + jitter), MAX_RETRY_DELAY)
    if policy.max_retry_delay is not None:
        delay = min(delay, policy.max_retry_delay)
    return delay


def after_failed_try(
    policy: RetryPolicy,
    *,
    try_number: int,
    max_tries: int,
    now: datetime,
    seed: str,
    retryable: bool = True,
    error: str | None = None,
) -> Outcome:
    """``up_for_retry`` at the policy's time if another try is due, else ``failed``.

    ``retryable`` False: the task asked to fail without retrying (``AirflowFailException``,
    a sensor's timeout)."""
    if retryable and can_retry(try_number, max_tries):
        wait = timedelta(seconds=retry_delay(policy, try_number=try_number, seed=seed))
        return Outcome(TaskState.UP_FOR_RETRY, now, next_try_at=now + wait, error=error)
    return Outcome(TaskState.FAILED, now, error=error)


__all__ = ["RetryPolicy", "after_failed_try", "can_retry", "retry_delay"]
