"""``EmptyOperator`` (and 1.10/2.x's ``DummyOperator``): does nothing."""

from __future__ import annotations

from typing import Any

from brisa.sdk.baseoperator import BaseOperator


class EmptyOperator(BaseOperator):
    """Does nothing; the scheduler may mark it successful without running it."""

    ui_color = "#e8f7e4"
    inherits_from_empty_operator = True

    def execute(self, context: dict[str, Any]) -> None:
        return None


class DummyOperator(EmptyOperator):
    """The 1.10/2.x name of :class:`EmptyOperator`."""


__all__ = ["DummyOperator", "EmptyOperator"]
