"""What the route modules share: the context dependency, ordering and patterns."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from fastapi import Depends, Path, Query

from brisa.api.context import ApiContext, get_context
from brisa.api.schemas import DB_INT_MAX, SortedPageQuery, is_wildcard, like_pattern

Ctx = Annotated[ApiContext, Depends(get_context)]
UpdateMask = Annotated[list[str] | None, Query()]
MapIndexPath = Annotated[int, Path(ge=0, le=DB_INT_MAX)]
MapIndexQuery = Annotated[int, Query(ge=-1, le=DB_INT_MAX)]
OptionalMapIndex = Annotated[int | None, Query(ge=-1, le=DB_INT_MAX)]
TryNumberPath = Annotated[int, Path(ge=0, le=DB_INT_MAX)]
IdPath = Annotated[int, Path(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]


def order_of(query: SortedPageQuery, renames: dict[str, str] | None = None) -> list[tuple[str, bool]]:
    """The query's ``order_by`` as ``(store column, descending)`` pairs (400 on unknown names)."""
    renames = renames or {}
    return [(renames.get(key.field, key.field), key.descending) for key in query.sort_keys()]


def like(pattern: str | None) -> str | None:
    """A ``*_pattern`` parameter as SQL LIKE; ``~`` (everything) and empty mean no filter."""
    if not pattern or is_wildcard(pattern):
        return None
    return like_pattern(pattern)


def unless_wildcard(value: str) -> str | None:
    """A path segment, or None when it is ``~`` (every DAG, run or task)."""
    return None if is_wildcard(value) else value


class PageArgs(TypedDict):
    limit: int
    offset: int


def page_args(query: Any) -> PageArgs:
    return {"limit": query.limit, "offset": query.offset}


__all__ = [
    "Ctx",
    "IdPath",
    "MapIndexPath",
    "MapIndexQuery",
    "OptionalMapIndex",
    "TryNumberPath",
    "UpdateMask",
    "like",
    "order_of",
    "page_args",
    "unless_wildcard",
]
