"""Airflow's trigger rules: when a task may run given its upstream tasks' states."""

from __future__ import annotations

from enum import StrEnum


class TriggerRule(StrEnum):
    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
    ALL_DONE_SETUP_SUCCESS = "all_done_setup_success"
    ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
    ONE_SUCCESS = "one_success"
    ONE_FAILED = "one_failed"
    ONE_DONE = "one_done"
    NONE_FAILED = "none_failed"
    NONE_FAILED_OR_SKIPPED = "none_failed_or_skipped"
    NONE_SKIPPED = "none_skipped"
    DUMMY = "dummy"
    ALWAYS = "always"
    NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
    ALL_SKIPPED = "all_skipped"

    @classmethod
    def is_valid(cls, trigger_rule: str) -> bool:
        return trigger_rule in cls.all_triggers()

    @classmethod
    def all_triggers(cls) -> set[str]:
        return {rule.value for rule in cls}


def normalize_trigger_rule(rule: str) -> str:
    """The rule Brisa plans with: 1.10's ``dummy`` is ``always`` and the
    deprecated ``none_failed_or_skipped`` is ``none_failed_min_one_success``."""
    aliases = {"dummy": "always", "none_failed_or_skipped": "none_failed_min_one_success"}
    return aliases.get(str(rule), str(rule))


__all__ = ["TriggerRule", "normalize_trigger_rule"]
