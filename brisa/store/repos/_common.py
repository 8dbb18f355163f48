"""Small helpers the repositories share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from brisa.states import TaskState


def state_in(
    column: sa.ColumnElement[Any], states: Iterable[str | TaskState | None]
) -> sa.ColumnElement[bool]:
    """``column IN (...)`` that also matches NULL when ``None`` is among ``states``."""
    states = list(states)
    values = [str(s) for s in states if s is not None]
    clauses: list[sa.ColumnElement[bool]] = []
    if values:
        clauses.append(column.in_(values))
    if any(s is None for s in states):
        clauses.append(column.is_(None))
    if not clauses:
        return sa.false()
    return sa.or_(*clauses) if len(clauses) > 1 else clauses[0]


def order_by_clause(table: sa.Table, order_by: str, allowed: Iterable[str]) -> list[sa.ColumnElement[Any]]:
    """Airflow's ``order_by`` parameter: a column name, ``-`` in front for descending."""
    from brisa.errors import InvalidInputError

    descending = order_by.startswith("-")
    name = order_by.lstrip("-")
    if name not in set(allowed):
        raise InvalidInputError(f"Ordering with '{name}' is disallowed or the attribute does not exist")
    column = table.c[name]
    return [column.desc() if descending else column.asc()]


def str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
