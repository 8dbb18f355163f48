"""A deadline for code running in this process's main thread, by SIGALRM.

A DAG file's top-level code (the loader's parse timeout) and a task's ``execute``
(``execution_timeout``) are user code that may never return: the alarm raises an
exception in the middle of it, as Airflow's ``timeout`` does.  Only the main thread
receives signals; elsewhere there is no deadline (the supervisor's hard kill remains).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def alarm(seconds: float | None, expired: Callable[[], BaseException]) -> Iterator[None]:
    """Raise ``expired()`` in the block once ``seconds`` passed (None or <= 0: never)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(_signum: int, _frame: Any) -> None:
        raise expired()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


__all__ = ["alarm"]
