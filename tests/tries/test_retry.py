"""after_failed_try: the one decision after a failed try (runner, supervisor, scheduler)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from brisa.states import TaskState
from brisa.tries.retry import RetryPolicy, after_failed_try

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_a_try_with_tries_left_is_up_for_retry_after_the_delay() -> None:
    outcome = after_failed_try(
        RetryPolicy(retry_delay=60.0), try_number=1, max_tries=2, now=NOW, seed="s", error="boom"
    )
    assert outcome.state == TaskState.UP_FOR_RETRY
    assert outcome.next_try_at == NOW + timedelta(seconds=60)
    assert (outcome.end_date, outcome.error) == (NOW, "boom")


def test_the_last_try_fails_for_good() -> None:
    outcome = after_failed_try(RetryPolicy(), try_number=3, max_tries=2, now=NOW, seed="s")
    assert (outcome.state, outcome.next_try_at) == (TaskState.FAILED, None)


def test_a_try_that_asked_not_to_be_retried_fails_with_tries_left() -> None:
    outcome = after_failed_try(RetryPolicy(), try_number=1, max_tries=5, now=NOW, seed="s", retryable=False)
    assert (outcome.state, outcome.next_try_at) == (TaskState.FAILED, None)


def test_exponential_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(retry_delay=10.0, exponential_backoff=True, max_retry_delay=100.0)

    def wait(try_number: int) -> float:
        outcome = after_failed_try(policy, try_number=try_number, max_tries=9, now=NOW, seed="d#t#x")
        assert outcome.next_try_at is not None
        return (outcome.next_try_at - NOW).total_seconds()

    assert 10 <= wait(1) < 20
    assert 40 <= wait(3) < 80
    assert wait(6) == 100.0
