"""Trigger rules: may a task instance run, given the states of its upstream tries?

Pure: counts in, decision out.  The meaning of every rule follows Airflow's
``TriggerRuleDep`` (with ``flag_upstream_failed``, as the scheduler evaluates it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from brisa.states import TaskState


class Decision(StrEnum):
    RUN = "run"
    WAIT = "wait"
    SKIP = "skip"
    UPSTREAM_FAILED = "upstream_failed"
    REMOVED = "removed"

    @property
    def state(self) -> TaskState | None:
        return {
            Decision.SKIP: TaskState.SKIPPED,
            Decision.UPSTREAM_FAILED: TaskState.UPSTREAM_FAILED,
            Decision.REMOVED: TaskState.REMOVED,
        }.get(self)


@dataclass(frozen=True)
class UpstreamCounts:
    """States of the finished upstream tries of one task instance."""

    total: int
    success: int = 0
    skipped: int = 0
    failed: int = 0
    upstream_failed: int = 0
    removed: int = 0
    setup_total: int = 0
    setup_success: int = 0
    setup_skipped: int = 0

    @property
    def done(self) -> int:
        return self.success + self.skipped + self.failed + self.upstream_failed + self.removed

    @property
    def all_done(self) -> bool:
        return self.done >= self.total

    @classmethod
    def of(
        cls, states: Iterable[TaskState | None], setup_states: Iterable[TaskState | None] = ()
    ) -> UpstreamCounts:
        states = list(states)
        setup_states = list(setup_states)
        if not states and not setup_states:
            return cls(total=0)
        counter = _count(states)
        setups = _count(setup_states)
        return cls(
            total=len(states),
            success=counter[TaskState.SUCCESS],
            skipped=counter[TaskState.SKIPPED],
            failed=counter[TaskState.FAILED],
            upstream_failed=counter[TaskState.UPSTREAM_FAILED],
            removed=counter[TaskState.REMOVED],
            setup_total=len(setup_states),
            setup_success=setups[TaskState.SUCCESS],
            setup_skipped=setups[TaskState.SKIPPED],
        )


def _count(states: list[TaskState | None]) -> Counter[TaskState | None]:
    # Counter(iterable) first asks whether the iterable is a Mapping, an ABC check that
    # cost more than the counting: the planner counts once per waiting task every tick.
    counter: Counter[TaskState | None] = Counter()
    for state in states:
        counter[state] += 1
    return counter


def evaluate(rule: str, up: UpstreamCounts, *, map_index: int = -1) -> Decision:
    """Decide for one task instance whose upstream tries are counted in ``up``."""
    if up.total == 0 or rule in ("always", "dummy"):
        return Decision.RUN
    early = _early_decision(rule, up, map_index)
    if early is not None:
        return early
    return Decision.RUN if _is_met(rule, up, map_index) else Decision.WAIT


def _early_decision(rule: str, up: UpstreamCounts, map_index: int) -> Decision | None:
    """States decided before every upstream is done (or once it is), as Airflow flags them."""
    failed_any = up.failed or up.upstream_failed
    done = up.all_done
    if rule == "all_success":
        if failed_any:
            return Decision.UPSTREAM_FAILED
        if up.skipped:
            return Decision.SKIP
        if up.removed and up.success and map_index > -1 and map_index >= up.success:
            return Decision.REMOVED
    elif rule == "all_failed":
        if up.success or up.skipped:
            return Decision.SKIP
    elif rule == "one_success":
        if done and up.done == up.skipped:
            return Decision.SKIP
        if done and up.success <= 0:
            return Decision.UPSTREAM_FAILED
    elif rule == "one_failed":
        if done and not failed_any:
            return Decision.SKIP
    elif rule == "one_done":
        if done and not (up.failed or up.success):
            return Decision.SKIP
    elif rule == "none_failed":
        if failed_any:
            return Decision.UPSTREAM_FAILED
    elif rule in ("none_failed_min_one_success", "none_failed_or_skipped"):
        if failed_any:
            return Decision.UPSTREAM_FAILED
        if up.skipped == up.total:
            return Decision.SKIP
    elif rule == "none_skipped":
        if up.skipped:
            return Decision.SKIP
    elif rule == "all_skipped":
        if up.success or up.failed or up.upstream_failed:
            return Decision.SKIP
    elif rule == "all_done_min_one_success":
        non_skipped_done = up.success + up.failed + up.upstream_failed + up.removed
        if up.skipped:
            return Decision.SKIP
        if non_skipped_done >= up.total - up.skipped and up.success == 0:
            return Decision.UPSTREAM_FAILED
    elif rule == "all_done_setup_success":
        if done and up.setup_total and up.setup_skipped >= up.setup_total:
            return Decision.SKIP
        if done and up.setup_total and up.setup_success == 0:
            return Decision.UPSTREAM_FAILED
    return None


def _is_met(rule: str, up: UpstreamCounts, map_index: int) -> bool:
    removed_ok = up.removed if map_index > -1 else 0
    if rule == "all_success":
        return up.total - up.success - removed_ok <= 0
    if rule == "all_failed":
        return up.total - up.failed - up.upstream_failed - removed_ok <= 0
    if rule == "all_done":
        return up.all_done
    if rule == "one_success":
        return up.success > 0
    if rule == "one_failed":
        return bool(up.failed or up.upstream_failed)
    if rule == "one_done":
        return up.success + up.failed > 0
    if rule in ("none_failed", "none_failed_min_one_success", "none_failed_or_skipped"):
        return up.total - up.success - up.skipped - removed_ok <= 0
    if rule == "none_skipped":
        return up.all_done and up.skipped == 0
    if rule == "all_skipped":
        return up.total - up.skipped <= 0
    if rule == "all_done_setup_success":
        return up.all_done and (not up.setup_total or up.setup_success > 0)
    if rule == "all_done_min_one_success":
        non_skipped_done = up.success + up.failed + up.upstream_failed + up.removed - removed_ok
        return up.skipped == 0 and non_skipped_done >= up.total - removed_ok and up.success > 0
    raise ValueError(f"unknown trigger rule {rule!r}")


__all__ = ["Decision", "UpstreamCounts", "evaluate"]
