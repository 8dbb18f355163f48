#!/usr/bin/env python3
"""``bench_chain`` and ``bench_wide`` timed from the database, with nothing polling the CLI.

    python bench/direct.py                         # this checkout, 3 runs of each
    python bench/direct.py --trees /work/base .    # alternately, to compare two checkouts
    python bench/direct.py --timeline              # the chain's per-task gaps too

``../shared/bench/measure.py`` asks ``brisa dags list-runs`` every 0.2 s whether a run
ended; each call is a new Python process (~0.5 s of CPU), so on a 2-core machine one core
is mostly the harness's. Here ``brisa scheduler`` (SQLite, parallelism 32) runs the same DAG
files and the script reads the run's state from the SQLite file every 50 ms. Run time is
the run's ``start_date`` to ``end_date``, as measure.py reports it. ``--timeline`` prints,
for the chain, each try's gap from the previous try's end to its ``queued_dttm``, queued to
start, and start to end (ms). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DAGS = ROOT.parent / "shared" / "bench" / "dags"


def _when(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _scheduler(tree: Path, home: Path) -> tuple[subprocess.Popen, Callable[[str], object]]:
    """``brisa scheduler`` of ``tree`` on ``home``, and how to trigger a DAG there."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(home / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__CORE__PARALLELISM": "32",
    }
    brisa = [sys.executable, "-m", "brisa.cli"]
    subprocess.run([*brisa, "db", "migrate"], env=env, capture_output=True, check=True, timeout=120)
    with open(home / "scheduler.log", "w") as log:
        proc = subprocess.Popen(
            [*brisa, "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def trigger(dag_id: str) -> object:
        command = [*brisa, "dags", "trigger", dag_id]
        return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)

    return proc, trigger


def _query(db: Path, sql: str, *params: object) -> list[tuple]:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return []


LAST_RUN = "SELECT state, start_date, end_date, run_id FROM dag_run WHERE dag_id=? ORDER BY id DESC"
CHAIN_TRIES = (
    "SELECT task_id, queued_dttm, start_date, end_date FROM task_instance WHERE run_id=? ORDER BY start_date"
)


def _ended(db: Path, dag_id: str) -> bool:
    rows = _query(db, LAST_RUN, dag_id)
    return bool(rows) and rows[0][0] in ("success", "failed")


def _wait(predicate: Callable[[], bool], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        time.sleep(0.05)


def measure(tree: Path, runs: int, timeline: bool) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="brisa-direct-"))
    (home / "dags").mkdir()
    for dag in ("bench_chain", "bench_wide"):
        shutil.copy(BENCH_DAGS / f"{dag}.py", home / "dags")
    db = home / "brisa.db"
    proc, trigger = _scheduler(tree, home)
    out: dict[str, object] = {"tree": str(tree), "load": round(os.getloadavg()[0], 1)}
    try:
        _wait(lambda: len(_query(db, "SELECT dag_id FROM dag")) >= 2)
        time.sleep(2)
        for dag_id in ("bench_chain", "bench_wide"):
            times = []
            for _ in range(runs):
                trigger(dag_id)
                _wait(lambda d=dag_id: _ended(db, d))
                _state, start, end, run_id = _query(db, LAST_RUN, dag_id)[0]
                times.append(round(_when(end) - _when(start), 3))
            out[f"{dag_id}_s"] = times
            if timeline and dag_id == "bench_chain":
                out["chain_timeline_ms"] = _timeline(db, run_id, start)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)
    return out


def _timeline(db: Path, run_id: str, run_start: str) -> list[tuple[str, int, int, int]]:
    rows = _query(db, CHAIN_TRIES, run_id)
    previous_end, gaps = _when(run_start), []
    for task_id, queued, start, end in rows:
        ms = [
            round((b - a) * 1000)
            for a, b in (
                (previous_end, _when(queued)),
                (_when(queued), _when(start)),
                (_when(start), _when(end)),
            )
        ]
        gaps.append((task_id, *ms))
        previous_end = _when(end)
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trees", nargs="+", type=Path, default=[ROOT])
    parser.add_argument("--rounds", type=int, default=1, help="alternations of the trees")
    parser.add_argument("--runs", type=int, default=3, help="runs of each DAG per start")
    parser.add_argument("--timeline", action="store_true")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for tree in args.trees:
            print(json.dumps(measure(tree.resolve(), args.runs, args.timeline)), flush=True)


if __name__ == "__main__":
    main()
