"""The grid: the newest runs of a DAG as columns, its tasks (and groups) as rows (pure).

A cell is the state of one task in one run. A mapped task's instances are folded into
one cell showing the most pressing state and how many instances there are; a group's
header row does the same over its members, as Airflow's grid does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from brisa.serialized import SerializedDag
from brisa.store.records import RunRecord, TiRecord
from brisa.ui.structure import Row, ordered_rows

STATE_PRIORITY: tuple[str | None, ...] = (
    "failed",
    "upstream_failed",
    "up_for_retry",
    "up_for_reschedule",
    "restarting",
    "deferred",
    "running",
    "queued",
    "scheduled",
    None,
    "skipped",
    "removed",
    "success",
)
"""Most pressing first: the state a folded cell shows."""


def most_pressing(states: Iterable[str | None]) -> str | None:
    ranked = [s if s in STATE_PRIORITY else None for s in states]
    return min(ranked, key=STATE_PRIORITY.index) if ranked else None


@dataclass(frozen=True)
class Cell:
    state: str | None
    try_number: int = 0
    count: int = 1
    """How many task instances the cell folds (mapped tasks, groups)."""
    map_index: int = -1


@dataclass(frozen=True)
class Grid:
    dag_id: str
    runs: list[RunRecord]
    """Oldest first: the newest run is the rightmost column."""
    rows: list[Row]
    cells: dict[tuple[str, str], Cell]
    """``(run_id, task or group id)`` -> cell; missing when the run has no such instance."""

    @property
    def is_live(self) -> bool:
        """True while a run may still change (a finished run changes only by a user's action)."""
        return any(not run.state.is_finished for run in self.runs)

    def cell(self, run_id: str, node_id: str) -> Cell | None:
        return self.cells.get((run_id, node_id))


def build_grid(dag: SerializedDag, runs: Sequence[RunRecord], tis: Sequence[TiRecord]) -> Grid:
    """``runs`` in any order; ``tis`` of those runs."""
    rows = ordered_rows(dag)
    by_task: dict[tuple[str, str], list[TiRecord]] = {}
    for ti in tis:
        by_task.setdefault((ti.run_id, ti.task_id), []).append(ti)
    cells = {key: _fold(group) for key, group in by_task.items()}
    for row in rows:
        if row.kind == "group":
            for run in runs:
                folded = [ti for task_id in row.members for ti in by_task.get((run.run_id, task_id), [])]
                if folded:
                    cells[(run.run_id, row.node_id)] = _fold(folded)
    ordered = sorted(runs, key=lambda run: (run.run_after, run.id))
    return Grid(dag.dag_id, ordered, rows, cells)


def _fold(tis: list[TiRecord]) -> Cell:
    state = most_pressing(ti.state.value if ti.state else None for ti in tis)
    map_index = tis[0].map_index if len(tis) == 1 else -1
    return Cell(state, max(ti.try_number for ti in tis), len(tis), map_index)


__all__ = ["STATE_PRIORITY", "Cell", "Grid", "build_grid", "most_pressing"]
