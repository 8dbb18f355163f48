from datetime import UTC, datetime, timedelta

import pytest

from brisa.auth.throttle import LoginThrottle
from brisa.errors import ConfigError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY = LoginThrottle()


def failures(count: int, *, last: datetime = NOW, spacing: timedelta = timedelta(seconds=1)):
    return [last - spacing * i for i in range(count)]


def test_no_failures_no_wait():
    decision = POLICY.check([], NOW)
    assert decision.allowed and not decision.locked and decision.retry_after == 0


def test_first_four_failures_cost_nothing():
    assert POLICY.delay_for(failures(4), NOW) == 0


def test_from_the_fifth_failure_the_next_try_waits_from_the_latest():
    record = failures(5)
    assert POLICY.delay_for(record, NOW) == 1.0
    assert not POLICY.check(record, NOW).allowed
    assert POLICY.check(record, NOW + timedelta(seconds=1)).allowed


def test_delay_doubles_up_to_thirty_seconds():
    assert [POLICY.delay_after(n) for n in range(4, 12)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_twenty_failures_lock_for_fifteen_minutes_after_the_latest():
    record = failures(20)
    assert POLICY.is_locked(record, NOW)
    assert POLICY.delay_for(record, NOW) == 900
    assert POLICY.is_locked(record, NOW + timedelta(minutes=14, seconds=59))
    after = POLICY.check(record, NOW + timedelta(minutes=15))
    assert after.allowed and not after.locked


def test_lock_lasts_its_full_length_even_as_old_failures_age_out():
    # Twenty failures a minute apart: the oldest leave the window during the lock.
    record = failures(20, spacing=timedelta(seconds=40))
    assert POLICY.is_locked(record, NOW + timedelta(minutes=14))


def test_failures_outside_the_window_do_not_count():
    record = [NOW, *failures(10, last=NOW - timedelta(minutes=16))]
    assert POLICY.delay_for(record, NOW) == 0


def test_order_of_the_record_does_not_matter():
    record = failures(7)
    assert POLICY.delay_for(list(reversed(record)), NOW) == POLICY.delay_for(record, NOW) == 4.0


def test_other_policies_can_be_configured():
    strict = LoginThrottle(free_failures=0, base_delay=2, max_delay=5, lockout_after=3)
    assert strict.delay_for([NOW], NOW) == 2
    assert strict.delay_for(failures(2), NOW) == 4
    assert strict.is_locked(failures(3), NOW)


@pytest.mark.parametrize(
    "bad",
    [
        {"window": timedelta(0)},
        {"lockout": timedelta(seconds=-1)},
        {"free_failures": -1},
        {"free_failures": 20, "lockout_after": 20},
        {"base_delay": 0},
        {"base_delay": 40, "max_delay": 30},
    ],
)
def test_nonsense_policies_are_configuration_errors(bad):
    with pytest.raises(ConfigError):
        LoginThrottle(**bad)
