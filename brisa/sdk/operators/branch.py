"""``BaseBranchOperator``: subclass it and implement ``choose_branch(context)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.python import BranchMixIn


class BaseBranchOperator(BaseOperator, BranchMixIn):
    """Follows ``choose_branch(context)``'s task ids; skips the other direct downstream."""

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str]:
        raise AirflowException(f"{self.task_type} must implement choose_branch(context)")

    def execute(self, context: dict[str, Any]) -> Any:
        return self.do_branch(context, self.choose_branch(context))


__all__ = ["BaseBranchOperator", "BranchMixIn"]
