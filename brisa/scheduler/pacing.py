"""How fast the DAG processor parses and reports: pure decisions, no clock of their own.

Parses used to start only when the scheduler ticked (two at a time, a tick a second when
idle: about 2 files a second). Now a finished parse starts the next at once, up to one
per core, and the scheduler is woken to write what came back. Two limits keep this
bounded: results waiting to be written hold back new parses (memory), and the scheduler
hears "DAGs changed" at most every ``CHANGE_REPORT_SECONDS`` (each report re-reads every
DAG's hash, so one per file would cost O(files^2) over a big folder).
"""

from __future__ import annotations

RESULTS_PER_PARSE = 4
"""Results waiting to be written, per parse slot, before parsing pauses."""
CHANGE_REPORT_SECONDS = 0.25
WRITE_BUDGET_SECONDS = 0.2
"""Time one scheduler tick spends writing parse results; the rest wait for the next tick."""


def parse_parallelism(configured: int, cores: int | None) -> int:
    """``parsing_processes``: 0 (the default) means one parse per CPU core."""
    if configured > 0:
        return configured
    return max(1, cores or 1)


def parse_slots(*, parallelism: int, in_flight: int, unwritten: int) -> int:
    """How many parses to start now: the free slots, less what unwritten results hold."""
    free = parallelism - in_flight
    room = parallelism * RESULTS_PER_PARSE - unwritten - in_flight
    return max(0, min(free, room))


def may_report_change(*, pending: bool, now: float, last_report: float | None) -> bool:
    """Tell the scheduler its DAGs changed: the first change at once, then at most every
    ``CHANGE_REPORT_SECONDS`` (the scheduler also re-reads on its own every few seconds)."""
    if not pending:
        return False
    return last_report is None or now - last_report >= CHANGE_REPORT_SECONDS


def parse_queue(
    waiting: list[str], *, changed: list[str], stale: list[str], in_flight: set[str]
) -> list[str]:
    """The files to parse, in order: new and changed ones first (someone is editing them
    and waits), then those already waiting, then the ones only due for a periodic re-parse.

    Without this a file saved while a big folder's periodic re-parse is queued waited
    behind every other file. A file being parsed is not queued again.
    """
    first = [p for p in dict.fromkeys(changed) if p not in in_flight]
    seen = set(first) | in_flight
    middle = [p for p in waiting if p not in seen]
    seen.update(middle)
    last = [p for p in dict.fromkeys(stale) if p not in seen]
    return first + middle + last


def keep_writing(*, written: int, elapsed: float, budget: float | None) -> bool:
    """Write one more result in this tick? Always at least one, so writing never stalls."""
    return written == 0 or budget is None or elapsed < budget


__all__ = [
    "CHANGE_REPORT_SECONDS",
    "RESULTS_PER_PARSE",
    "WRITE_BUDGET_SECONDS",
    "keep_writing",
    "may_report_change",
    "parse_parallelism",
    "parse_queue",
    "parse_slots",
]
