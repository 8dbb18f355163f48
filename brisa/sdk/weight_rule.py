"""How a task's effective priority is computed from its ``priority_weight``."""

from __future__ import annotations

from enum import StrEnum


class WeightRule(StrEnum):
    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"
    ABSOLUTE = "absolute"

    @classmethod
    def is_valid(cls, weight_rule: str) -> bool:
        return weight_rule in cls.all_weight_rules()

    @classmethod
    def all_weight_rules(cls) -> set[str]:
        return {rule.value for rule in cls}


__all__ = ["WeightRule"]
