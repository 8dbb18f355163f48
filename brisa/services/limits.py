"""What a new DAG run may carry: its ``conf``, run id and dates, checked before anything is written.

Every way of creating a manual run (REST API, UI form, ``brisa dags trigger``,
``TriggerDagRunOperator``) goes through :func:`check_new_run`, so a run that is stored
can also be listed, shown and handed to a task process. The checks walk values with an
explicit stack, never by recursion: a value nested 100,000 levels deep is refused, not
a ``RecursionError``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from brisa.errors import InvalidInputError

DEFAULT_RUN_ID_PATTERN = r"^[A-Za-z0-9_.~:+-]+$"
"""Airflow's ``[scheduler] allowed_run_id_pattern`` default."""
AIRFLOW_RUN_ID_REGEX = re.compile(
    r"^(?:manual|scheduled|asset_triggered|asset_materialization|dataset_triggered|backfill)__"
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?\+00:00$"
)
"""The run ids Brisa and Airflow generate; accepted whatever the pattern says (as in Airflow)."""
MAX_RUN_ID_LENGTH = 250
"""Airflow's ``ID_LEN``: the ``run_id`` column's size."""
CONF_DEPTH_CEILING = 200
"""No setting may allow deeper ``conf``: the API's JSON encoder refuses ~255 levels."""
MIN_LOGICAL_DATE = datetime(1000, 1, 1, tzinfo=UTC)
MAX_LOGICAL_DATE = datetime(9000, 1, 1, tzinfo=UTC)
"""Dates from here on are refused: templates add and subtract days, years and intervals."""
_UNSAFE_RUN_ID = re.compile(r"[\x00-\x1f\x7f/\\]")
TOO_DEEP = "<nested too deeply to show>"


@dataclass(frozen=True)
class RunLimits:
    """The configurable part: ``[core] max_dag_run_conf_depth`` and ``_bytes``,
    ``[scheduler] allowed_run_id_pattern``."""

    max_conf_depth: int = 64
    max_conf_bytes: int = 1024 * 1024
    run_id_pattern: str = DEFAULT_RUN_ID_PATTERN

    @classmethod
    def from_settings(cls, settings: Any) -> RunLimits:
        return cls(
            max_conf_depth=settings.core.max_dag_run_conf_depth,
            max_conf_bytes=settings.core.max_dag_run_conf_bytes,
            run_id_pattern=settings.scheduler.allowed_run_id_pattern,
        )


def check_new_run(
    limits: RunLimits,
    *,
    run_id: str | None,
    conf: Any,
    dates: dict[str, datetime | None],
) -> None:
    """Raise InvalidInputError (400) saying what is wrong; ``run_id`` None: Brisa makes one."""
    if run_id is not None:
        check_run_id(run_id, limits.run_id_pattern)
    check_conf(conf, limits)
    for name, value in dates.items():
        check_date(name, value)


def check_run_id(run_id: str, pattern: str) -> None:
    """Airflow's rule (the pattern, or a generated-looking id) plus what Brisa always refuses."""
    if not run_id.strip():
        raise InvalidInputError("run_id must not be blank")
    if len(run_id) > MAX_RUN_ID_LENGTH:
        raise InvalidInputError(f"run_id is {len(run_id)} characters long; at most {MAX_RUN_ID_LENGTH}")
    if _UNSAFE_RUN_ID.search(run_id) or run_id.strip(".") == "":
        raise InvalidInputError("run_id must not contain '/', '\\' or control characters, nor be only dots")
    if AIRFLOW_RUN_ID_REGEX.fullmatch(run_id) or (pattern and re.fullmatch(pattern, run_id)):
        return
    raise InvalidInputError(
        f"The run_id provided {run_id!r} does not match regex pattern {pattern!r} "
        "([scheduler] allowed_run_id_pattern)"
    )


def check_conf(conf: Any, limits: RunLimits) -> None:
    """A JSON object, at most ``max_conf_depth`` levels and ``max_conf_bytes``, no NaN/Infinity."""
    if conf is None:
        return
    if not isinstance(conf, dict):
        raise InvalidInputError("conf must be a JSON object")
    max_depth = min(limits.max_conf_depth, CONF_DEPTH_CEILING)
    if json_depth(conf, stop_after=max_depth) > max_depth:
        raise InvalidInputError(
            f"conf is nested more than {max_depth} levels deep ([core] max_dag_run_conf_depth)"
        )
    if any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(conf)):
        raise InvalidInputError("conf must not contain NaN or Infinity (they are not JSON)")
    try:
        size = len(json.dumps(conf, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"conf is not JSON: {exc}") from None
    if size > limits.max_conf_bytes:
        raise InvalidInputError(
            f"conf is {size} bytes as JSON; at most {limits.max_conf_bytes} ([core] max_dag_run_conf_bytes)"
        )


def check_date(name: str, value: datetime | None) -> None:
    if value is None:
        return
    # A naive date (DAG code, older callers) is read as UTC, as the store reads it.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not MIN_LOGICAL_DATE <= aware < MAX_LOGICAL_DATE:
        raise InvalidInputError(
            f"{name} {value.isoformat()} is out of range: from {MIN_LOGICAL_DATE.year} "
            f"to {MAX_LOGICAL_DATE.year - 1}"
        )


def json_depth(value: Any, *, stop_after: int | None = None) -> int:
    """Levels of dicts and lists in ``value`` (a scalar is 0); stops counting past ``stop_after``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list | tuple):
            continue
        depth += 1
        deepest = max(deepest, depth)
        if stop_after is not None and deepest > stop_after:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth) for child in children)
    return deepest


def shown_conf(conf: Any, max_depth: int = CONF_DEPTH_CEILING) -> Any:
    """``conf`` as stored, or (for rows stored before these limits) cut at ``max_depth``
    levels, deeper values replaced by :data:`TOO_DEEP`: a listing never fails on one run."""
    if json_depth(conf, stop_after=max_depth) <= max_depth:
        return conf
    return _cut(conf, max_depth)


def _cut(value: Any, max_depth: int) -> Any:
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, slot, depth = stack.pop()
        if not isinstance(item, dict | list | tuple):
            parent[slot] = item
        elif depth >= max_depth:
            parent[slot] = TOO_DEEP
        elif isinstance(item, dict):
            parent[slot] = copy = dict.fromkeys(item)
            stack.extend((child, copy, key, depth + 1) for key, child in item.items())
        else:
            parent[slot] = items = [None] * len(item)
            stack.extend((child, items, i, depth + 1) for i, child in enumerate(item))
    return root[0]


def _leaves(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            yield item


__all__ = [
    "AIRFLOW_RUN_ID_REGEX",
    "CONF_DEPTH_CEILING",
    "DEFAULT_RUN_ID_PATTERN",
    "MAX_LOGICAL_DATE",
    "MAX_RUN_ID_LENGTH",
    "MIN_LOGICAL_DATE",
    "TOO_DEEP",
    "RunLimits",
    "check_conf",
    "check_date",
    "check_new_run",
    "check_run_id",
    "json_depth",
    "shown_conf",
]
