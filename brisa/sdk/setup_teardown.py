"""``with teardown_task:`` / ``with setup_task:``: Airflow's setup/teardown context managers.

Airflow lets a DAG file write ``with my_teardown(my_setup()):`` (or ``with s >> t:``)
and wires the work tasks created inside: the setups become upstream of the block's
roots and the block's leaves upstream of the teardowns.  The block's setups and
teardowns are the entered tasks plus the nearest setups upstream of an entered
teardown (or teardowns downstream of an entered setup), as Airflow finds them.

Blocks nest; like the DAG stack, they live in a :class:`~contextvars.ContextVar` so
parses in different threads never see each other's blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from brisa.sdk.exceptions import AirflowException


@dataclass
class _Block:
    setups: list[Any]
    teardowns: list[Any]
    created: list[Any] = field(default_factory=list)


_blocks: ContextVar[tuple[_Block, ...]] = ContextVar("brisa_setup_teardown_blocks", default=())


def enter(tasks: Iterable[Any]) -> None:
    """Open a block on setup or teardown ``tasks`` (all of one kind)."""
    tasks = list(tasks)
    if tasks and all(t.is_teardown for t in tasks):
        block = _Block(setups=_nearest(tasks, "is_setup", upstream=True), teardowns=tasks)
    elif tasks and all(t.is_setup for t in tasks):
        block = _Block(setups=tasks, teardowns=_nearest(tasks, "is_teardown", upstream=False))
    else:
        raise AirflowException("Only setup/teardown tasks can be used as context managers.")
    _blocks.set((*_blocks.get(), block))


def exit_block() -> None:
    """Close the innermost block: wire its work tasks between its setups and teardowns."""
    *outer, block = _blocks.get()
    _blocks.set(tuple(outer))
    # Setup and teardown tasks created inside are not work: decorators mark them after
    # the task exists, so they are filtered now rather than when recorded.
    work = [t for t in block.created if not t.is_setup and not t.is_teardown]
    if work:
        roots = [t for t in work if not t.upstream_list] or work[:1]
        leaves = [t for t in work if not t.downstream_list] or work[-1:]
        for setup in block.setups:
            setup.set_downstream(roots)
        for teardown in block.teardowns:
            teardown.set_upstream(leaves)
    if outer:  # a nested block runs inside its parent's setups and teardowns
        parent = outer[-1]
        for setup in parent.setups:
            setup.set_downstream(block.setups)
        for teardown in parent.teardowns:
            teardown.set_upstream(block.teardowns)


def note_created(task: Any) -> None:
    """Record a task added to a DAG while a block is open (a no-op otherwise)."""
    blocks = _blocks.get()
    if blocks and not any(task is seen for seen in blocks[-1].created):
        blocks[-1].created.append(task)


def _nearest(tasks: list[Any], flag: str, *, upstream: bool) -> list[Any]:
    """The closest tasks with ``flag`` set, walking up (or down) from ``tasks``."""
    seen = {id(t) for t in tasks}
    frontier = tasks
    while frontier:
        neighbours = []
        for task in frontier:
            for other in task.upstream_list if upstream else task.downstream_list:
                if id(other) not in seen:
                    seen.add(id(other))
                    neighbours.append(other)
        found = [t for t in neighbours if getattr(t, flag, False)]
        if found:
            return found
        frontier = neighbours
    return []


__all__ = ["enter", "exit_block", "note_created"]
