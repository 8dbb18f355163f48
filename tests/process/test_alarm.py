"""The one SIGALRM deadline, used by the loader's parse timeout and execution_timeout."""

from __future__ import annotations

import signal
import time

import pytest

from brisa.process.alarm import alarm


class Late(Exception):
    pass


def test_the_expired_exception_is_raised_inside_the_block_and_the_alarm_is_undone() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(Late, match="too slow"), alarm(0.05, lambda: Late("too slow")):
        time.sleep(30)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


@pytest.mark.parametrize("seconds", [None, 0, -1])
def test_no_deadline_touches_no_signal(seconds: float | None) -> None:
    before = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)[0] > 0
    with alarm(seconds, lambda: Late()):
        assert (signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)[0] > 0) == before


def test_a_block_that_ends_in_time_leaves_no_timer_behind() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with alarm(60, lambda: Late()):
        assert signal.getsignal(signal.SIGALRM) is not before
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
