"""What the marked tasks recorded of their tries, and the checks every fault test makes.

The markers (see ``dags/e2e_markers.py``) are written by the task processes themselves,
so they show what really ran, whatever the store says: each try's start (and pid) and,
unless it was killed outright, its end.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from brisa.states import TaskState
from brisa.store.records import TaskKey
from tests.e2e.deployment import Deployment


@dataclass
class TryMark:
    try_number: int
    start: float
    pid: int
    end: float | None = None


def read_markers(folder: Path) -> dict[TaskKey, dict[int, list[TryMark]]]:
    """Task instance -> try number -> the runs of that try (more than one is a bug)."""
    marks: dict[TaskKey, dict[int, list[TryMark]]] = {}
    for path in folder.iterdir():
        if path.name.startswith(("pokes__", "release__")):
            continue
        dag_id, rest = path.name.split("__", 1)  # run ids hold "__" too
        run_id, task_id, map_index = rest.rsplit("__", 2)
        by_try = marks.setdefault(TaskKey(dag_id, run_id, task_id, int(map_index)), {})
        for line in path.read_text().splitlines():
            word, try_number, when, *pid = line.split()
            if word == "start":
                by_try.setdefault(int(try_number), []).append(
                    TryMark(int(try_number), float(when), int(pid[0]))
                )
            else:
                by_try[int(try_number)][-1].end = float(when)
    return marks


def marks_of(deployed: Deployment, dag_id: str) -> dict[TaskKey, dict[int, list[TryMark]]]:
    return {key: tries for key, tries in read_markers(deployed.markers).items() if key.dag_id == dag_id}


def assert_tries_never_overlap(deployed: Deployment, dag_id: str, *, killed_at: float | None = None) -> None:
    """Each try ran once, and a task instance's tries ran one after the other.

    A try with no end marker died without returning. It was certainly over at
    ``killed_at`` when the test killed it (all task processes of the stopped scheduler
    seen gone), or else when its supervisor recorded its end (after the process exited).
    """
    for key, by_try in marks_of(deployed, dag_id).items():
        for try_number, runs in by_try.items():
            assert len(runs) == 1, f"try {try_number} of {key} ran {len(runs)} times: {runs}"
        ordered = [by_try[n][0] for n in sorted(by_try)]
        for before, after in itertools.pairwise(ordered):
            end = before.end or killed_at or _recorded_end(deployed, key, before.try_number)
            assert end is not None, f"try {before.try_number} of {key} never ended and nothing killed it"
            assert after.start >= end, f"try {after.try_number} of {key} started before {before} was over"


def _recorded_end(deployed: Deployment, key: TaskKey, try_number: int) -> float | None:
    ends = [t.end_date for t in deployed.tries(key) if t.try_number == try_number and t.end_date]
    return ends[0].timestamp() if ends else None


def assert_successes_kept_their_logs(deployed: Deployment, dag_id: str) -> None:
    """Every successful try, current or archived, has its end marker and its full log."""
    with deployed.store.transaction(readonly=True) as tx:
        runs = tx.runs.list(dag_id).items
        tis = [ti for run in runs for ti in tx.tis.for_run(dag_id, run.run_id)]
    marks = marks_of(deployed, dag_id)
    for ti in tis:
        for record in deployed.tries(ti.key):
            if record.state != TaskState.SUCCESS.value:
                continue
            log = deployed.log(ti.key, record.try_number)
            assert "Marking task as SUCCESS" in log, (
                f"the log of successful try {record} is incomplete:\n{log}"
            )
            if ti.key in marks:
                [mark] = marks[ti.key][record.try_number]
                assert mark.end is not None, f"{ti.key} try {record.try_number} succeeded without ending"


def assert_tries_recorded_as_they_ran(deployed: Deployment, dag_id: str) -> None:
    """The store's history of each marked python task: one try per try that ran, in its process."""
    for key, by_try in marks_of(deployed, dag_id).items():
        recorded = {t.try_number: t.pid for t in deployed.tries(key)}
        assert recorded == {n: runs[0].pid for n, runs in by_try.items()}, f"{key}: {recorded} vs {by_try}"


def process_identities(pids: list[int] | None = None, *, group: int | None = None) -> dict[int, str]:
    """``{pid: start time}`` of live processes (given ones, or the members of ``group``).

    A pid alone does not name a process for long on a busy machine (pid_max is often
    32768): after it ends, a new process may get the same number.
    """
    candidates = pids if pids is not None else [int(p) for p in os.listdir("/proc") if p.isdigit()]
    found = {}
    for pid in candidates:
        fields = _stat_fields(pid)
        if fields is None or fields[0] == "Z":
            continue
        if group is not None and int(fields[2]) != group:
            continue
        found[pid] = fields[19]
    return found


def identities_alive(identities: dict[int, str]) -> list[int]:
    """Which of these processes still run (same pid and same start time)."""
    alive = []
    for pid, started in identities.items():
        fields = _stat_fields(pid)
        if fields is not None and fields[0] != "Z" and fields[19] == started:
            alive.append(pid)
    return alive


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def pids_alive(pids: list[int]) -> list[int]:
    """Which of ``pids`` still run (zombies count as gone)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


__all__ = [
    "TryMark",
    "assert_successes_kept_their_logs",
    "assert_tries_never_overlap",
    "assert_tries_recorded_as_they_ran",
    "identities_alive",
    "marks_of",
    "pids_alive",
    "process_identities",
    "read_markers",
]
