#!/usr/bin/env python3
"""Growth curves: how Brisa's cost grows with the work (issue 21).

    python bench/run.py --scale                  # every curve at its four sizes
    python bench/run.py --scale --sizes small    # a quick run at small sizes
    python bench/scale.py --curves files --sizes 10,100,500

Curves (each at four sizes, with time and peak memory):

* ``files``: a folder of N ten-task DAG files under ``brisa scheduler``: seconds from
  the scheduler's start until every DAG is in the store, the peak PSS of the scheduler's
  process tree meanwhile, then the seconds until one changed file's new version is in the
  store, and until a new file's DAG is (``dag_dir_list_interval`` is 1 s here, so listing
  the folder is not what is timed).
* ``tasks``: one DAG of N tasks: parse and serialise it (in-process), plan one tick over
  a fresh run (the pure planner), and run it to success under ``brisa scheduler``.
* ``expand``: one mapped task over N items, run to success.
* ``history`` (SQLite) and ``pg_history`` (PostgreSQL): N task instances in the store,
  then p50/p99 milliseconds of the API list endpoints and the DAG list and grid pages,
  the time of ``brisa db clean`` keeping about 10,000, and the lists again
  (``bench/history.py``).

Each figure carries the 1-minute load average when it was taken: the machine is shared.
Writes ``bench/results/scale.json`` and ``bench/results/scale.png`` (matplotlib, the
optional ``bench`` extra), and prints the table. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SIZES = {
    "files": {"small": [10, 50, 100, 200], "full": [10, 100, 1000, 5000]},
    "tasks": {"small": [10, 50, 100, 200], "full": [10, 100, 1000, 10000]},
    "expand": {"small": [10, 50, 100, 200], "full": [10, 100, 1000, 10000]},
}
SIZES["history"] = {"small": [1000, 10000, 20000, 50000], "full": [10000, 100000, 1000000]}
SIZES["pg_history"] = {"small": [1000, 10000], "full": [10000, 100000]}
SIZES["airflow_files"] = SIZES["files"]
SIZES["airflow_tasks"] = SIZES["tasks"]

AIRFLOW_SERIALISE = """
import sys, time
from pathlib import Path
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:
    from airflow.models.dagbag import DagBag
try:
    from airflow.serialization.serialized_objects import DagSerialization as S
except ImportError:
    from airflow.serialization.serialized_objects import SerializedDAG as S
DagBag(sys.argv[2])  # warm the imports, as Brisa's zygote is warm
started = time.perf_counter()
bag = DagBag(sys.argv[1])
dag = next(iter(bag.dags.values()))
S.to_dict(dag)
print(time.perf_counter() - started)
"""
RUN_TIMEOUT = 1800.0
AIRFLOW_VENV = Path(os.environ.get("AIRFLOW_VENV", Path.home() / ".cache/brisa-test/airflow-3.3.2"))
"""A virtualenv with Airflow 3.3.2 (tests/importer/test_import_real_airflow.py makes one)."""

TEN_TASK_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("scale_{n}", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    previous = None
    for i in range({tasks}):
        task = EmptyOperator(task_id=f"t{{i}}")
        if previous is not None:
            previous >> task
        previous = task
"""

WIDE_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("scale_tasks", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_tasks=64):
    for i in range({tasks}):
        BashOperator(task_id=f"t{{i}}", bash_command="true")
"""

EXPAND_DAG = """
from datetime import datetime
from airflow.sdk import DAG, task

with DAG("scale_expand", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_tasks=64):
    @task
    def items():
        return list(range({items}))

    @task
    def one(x):
        return None

    one.expand(x=items())
"""


def load() -> float:
    return round(os.getloadavg()[0], 1)


# -- processes and memory -------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree_pss_mb(pid: int) -> float:
    tree, todo, total_kb = _children(), [pid], 0
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total_kb += sum(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except OSError:
            continue
    return round(total_kb / 1024, 1)


class Scheduler:
    """``brisa scheduler`` on a fresh home and SQLite file, and a read-only look at its store."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "brisa.db"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BRISA_HOME": str(home),
            "BRISA__CORE__DAGS_FOLDER": str(home / "dags"),
            "BRISA__CORE__LOAD_EXAMPLES": "False",
            "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "BRISA__CORE__PARALLELISM": "32",
            "BRISA__SCHEDULER__DAG_DIR_LIST_INTERVAL": "1",
            "BRISA__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db}",
        }
        self.proc: subprocess.Popen | None = None
        self.peak_mb = 0.0

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "brisa.cli", *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=600)

    def start(self) -> float:
        done = self.cli("db", "migrate")
        if done.returncode:
            raise SystemExit(f"db migrate failed: {done.stderr[-800:]}")
        log = open(self.home / "scheduler.log", "w")  # noqa: SIM115 - the child keeps it
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "brisa.cli", "scheduler"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return started

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:  # Airflow's dag-processor may not heed SIGTERM
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=60)

    def query(self, sql: str, *params: Any) -> list[tuple]:
        if not self.db.exists():
            return []
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []  # not migrated yet, or locked for longer than the timeout
        finally:
            conn.close()

    def wait_for(self, done: Callable[[], bool], timeout: float = RUN_TIMEOUT) -> float:
        """Seconds until ``done()``, sampling the process tree's PSS meanwhile."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc is not None:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the scheduler exited: see {self.home / 'scheduler.log'}")
                self.peak_mb = max(self.peak_mb, tree_pss_mb(self.proc.pid))
            if done():
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"not done after {timeout:.0f}s")


class AirflowDagProcessor(Scheduler):
    """Airflow's ``dag-processor`` on a fresh home; its database is migrated once, then copied."""

    template: Path | None = None
    airflow_bin = AIRFLOW_VENV / "bin" / "airflow"
    active_sql = "SELECT count(*) FROM dag WHERE NOT is_stale"
    hash_sql = "SELECT group_concat(dag_hash) FROM serialized_dag WHERE dag_id=?"
    new_dag_sql = "SELECT 1 FROM dag WHERE dag_id=? AND NOT is_stale"

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.db = home / "airflow.db"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "PYTHONPATH"))},
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "1",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db}",
        }

    @classmethod
    def available(cls) -> bool:
        return cls.airflow_bin.exists()

    def start(self) -> float:
        template = self._migrated_template()
        shutil.copy(template / "airflow.db", self.db)
        log = open(self.home / "dag-processor.log", "w")  # noqa: SIM115 - the child keeps it
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(self.airflow_bin), "dag-processor"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return started

    def _migrated_template(self) -> Path:
        if AirflowDagProcessor.template is None:
            template = Path(tempfile.mkdtemp(prefix="airflow-scale-template-"))
            env = {
                **self.env,
                "AIRFLOW_HOME": str(template),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{template / 'airflow.db'}",
            }
            done = subprocess.run(
                [str(self.airflow_bin), "db", "migrate"], env=env, capture_output=True, text=True, timeout=900
            )
            if done.returncode:
                raise RuntimeError(f"airflow db migrate failed: {done.stderr[-800:]}")
            AirflowDagProcessor.template = template
        return AirflowDagProcessor.template


class BrisaScheduler(Scheduler):
    active_sql = "SELECT count(*) FROM dag WHERE is_active"
    hash_sql = "SELECT serialized_hash FROM dag WHERE dag_id=?"
    new_dag_sql = "SELECT 1 FROM dag WHERE dag_id=? AND is_active"


@contextmanager
def scheduler_home(prefix: str, kind: type[Scheduler] = Scheduler) -> Iterator[Scheduler]:
    home = Path(tempfile.mkdtemp(prefix=prefix))
    (home / "dags").mkdir()
    scheduler = kind(home)
    try:
        yield scheduler
    finally:
        scheduler.stop()
        shutil.rmtree(home, ignore_errors=True)


# -- the curves -------------------------------------------------------------------------------------


def files_point(n: int, kind: type[Scheduler] = BrisaScheduler) -> dict[str, Any]:
    """Parse a folder of ``n`` ten-task DAG files, then one changed file, then a new one."""
    with scheduler_home(f"scale-files-{kind.__name__}-", kind) as s:
        for i in range(n):
            (s.home / "dags" / f"scale_{i}.py").write_text(TEN_TASK_DAG.format(n=i, tasks=10))
        s.start()
        parse_all = s.wait_for(lambda: (s.query(s.active_sql) or [(0,)])[0][0] >= n)
        row = {"size": n, "parse_all_s": round(parse_all, 2), "peak_mb": s.peak_mb, "load": load()}
        before = s.query(s.hash_sql, "scale_0")
        (s.home / "dags" / "scale_0.py").write_text(TEN_TASK_DAG.format(n=0, tasks=11))
        row["reparse_one_s"] = round(s.wait_for(lambda: s.query(s.hash_sql, "scale_0") != before), 2)
        (s.home / "dags" / "scale_new.py").write_text(TEN_TASK_DAG.format(n="new", tasks=10))
        row["new_file_s"] = round(s.wait_for(lambda: bool(s.query(s.new_dag_sql, "scale_new"))), 2)
        return row


def airflow_files_point(n: int) -> dict[str, Any]:
    return files_point(n, AirflowDagProcessor)


def _parse_and_plan(source: str, folder: Path) -> dict[str, float]:
    """Serialise one DAG file in-process, then time one pure planning pass over a new run."""
    from brisa.loader import parse_file

    (folder / "warm.py").write_text(WIDE_DAG.format(tasks=2))
    parse_file(str(folder / "warm.py"), timeout=600, generation_default="3", catchup_default=False)
    path = folder / "dag.py"
    path.write_text(source)
    started = time.perf_counter()
    result = parse_file(str(path), timeout=600, generation_default="3", catchup_default=False)
    parse_s = time.perf_counter() - started
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    return {"serialise_s": round(parse_s, 3), "plan_tick_s": round(_plan_once(result.dags[0]), 4)}


def _plan_once(dag: Any) -> float:
    """One planning pass over a new run whose task instances have no state yet."""
    from dataclasses import fields

    from brisa.plan.tasks import plan_run
    from brisa.states import RunState
    from brisa.store.records import RunRecord, TiRecord

    now = dt.datetime.now(dt.UTC)
    run = RunRecord(
        **{f.name: None for f in fields(RunRecord)}
        | {
            "id": 1,
            "dag_id": dag.dag_id,
            "run_id": "scale",
            "state": RunState.RUNNING,
            "run_after": now,
            "start_date": now,
            "conf": {},
            "clear_number": 0,
        }
    )
    blank = {f.name: None for f in fields(TiRecord)}
    tis = [
        TiRecord(
            **blank
            | {
                "id": i,
                "dag_id": dag.dag_id,
                "run_id": "scale",
                "task_id": task_id,
                "map_index": -1,
                "try_number": 0,
                "max_tries": 0,
            }
        )
        for i, task_id in enumerate(dag.tasks)
    ]
    started = time.perf_counter()
    plan = plan_run(dag, run, tis, now=now)
    elapsed = time.perf_counter() - started
    if len(plan.changes) != len(tis):
        raise RuntimeError(f"the plan changed {len(plan.changes)} of {len(tis)} task instances")
    return elapsed


def run_point(dag_id: str, source: str, n: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    with scheduler_home(f"brisa-scale-{dag_id}-", BrisaScheduler) as s:
        (s.home / "dags" / "dag.py").write_text(source)
        s.start()
        s.wait_for(lambda: bool(s.query("SELECT 1 FROM dag WHERE dag_id=?", dag_id)))
        done = s.cli("dags", "trigger", dag_id, "--run-id", "scale")
        if done.returncode:
            raise RuntimeError(done.stderr[-800:])
        ended = "SELECT state FROM dag_run WHERE dag_id=? AND run_id='scale'"
        seconds = s.wait_for(lambda: s.query(ended, dag_id) in ([("success",)], [("failed",)]))
        state = s.query(ended, dag_id)[0][0]
        return {
            "size": n,
            "run_s": round(seconds, 2),
            "state": state,
            "peak_mb": s.peak_mb,
            "load": load(),
            **(extra or {}),
        }


def tasks_point(n: int) -> dict[str, Any]:
    source = WIDE_DAG.format(tasks=n)
    folder = Path(tempfile.mkdtemp(prefix="brisa-scale-parse-"))
    try:
        timings = _parse_and_plan(source, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run_point("scale_tasks", source, n, timings)


def airflow_tasks_point(n: int) -> dict[str, Any]:
    """Airflow parsing and serialising the same file in-process (its DagBag + serializer)."""
    folder = Path(tempfile.mkdtemp(prefix="airflow-scale-parse-"))
    try:
        (folder / "dag.py").write_text(WIDE_DAG.format(tasks=n))
        (folder / "warm").mkdir()
        (folder / "warm" / "dag.py").write_text(WIDE_DAG.format(tasks=2))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "PYTHONPATH"))}
        env |= {
            "AIRFLOW_HOME": str(folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{folder / 'airflow.db'}",
        }
        done = subprocess.run(
            [
                str(AIRFLOW_VENV / "bin" / "python"),
                "-c",
                AIRFLOW_SERIALISE,
                str(folder / "dag.py"),
                str(folder / "warm" / "dag.py"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-800:])
        return {"size": n, "serialise_s": round(float(done.stdout.split()[-1]), 3), "load": load()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def expand_point(n: int) -> dict[str, Any]:
    return run_point("scale_expand", EXPAND_DAG.format(items=n), n)


def _history() -> Any:
    """bench/history.py, imported by path as bench/run.py imports this file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_history", ROOT / "bench" / "history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def history_point(n: int) -> dict[str, Any]:
    return _history().history_point(n, "sqlite")


def pg_history_point(n: int) -> dict[str, Any]:
    return _history().history_point(n, "postgresql")


CURVES: dict[str, Callable[[int], dict[str, Any]]] = {
    "files": files_point,
    "airflow_files": airflow_files_point,
    "airflow_tasks": airflow_tasks_point,
    "tasks": tasks_point,
    "expand": expand_point,
    "history": history_point,
    "pg_history": pg_history_point,
}


def run_curves(curves: list[str], sizes: str) -> dict[str, Any]:
    results: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "curves": {}}
    for name in curves:
        chosen = SIZES[name].get(sizes) or [int(x) for x in sizes.split(",")]
        points = results["curves"][name] = []
        if name.startswith("airflow") and not AirflowDagProcessor.available():
            points.append({"size": 0, "error": f"no Airflow 3.3.2 at {AIRFLOW_VENV} (set AIRFLOW_VENV)"})
            continue
        for n in chosen:
            try:
                point = CURVES[name](n)
            except (RuntimeError, TimeoutError) as exc:
                point = {"size": n, "error": str(exc)[-300:], "load": load()}
            print(f"{name} {point}", file=sys.stderr, flush=True)
            points.append(point)
    return results


# -- output -----------------------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = []
    for name, points in results["curves"].items():
        keys = sorted({k for p in points for k in p} - {"size"}, key=lambda k: (k == "load", k))
        lines += [f"\n{name}", "| size | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        lines += ["| " + " | ".join(str(p.get(k, "")) for k in ["size", *keys]) + " |" for p in points]
    return "\n".join(lines)


def side_by_side(results: dict[str, Any]) -> str:
    """Brisa and Airflow per size and figure, with Airflow / Brisa (higher: Brisa ahead)."""
    lines = [
        "| curve | size | figure | Brisa | Airflow 3.3.2 | Airflow / Brisa | load (B / A) |",
        "|---|---|---|---|---|---|---|",
    ]
    for curve, points in results["curves"].items():
        if curve.startswith("airflow_"):
            continue
        theirs = {p["size"]: p for p in results["curves"].get(f"airflow_{curve}", [])}
        for ours in points:
            other = theirs.get(ours["size"], {})
            for key in sorted(k for k in ours if k.endswith(("_s", "_mb"))):
                a, b = other.get(key), ours[key]
                ratio = f"{a / b:.1f}x" if a and b else ""
                load_a = f" / {other.get('load', '')}" if other else ""
                cells = [
                    curve,
                    f"{ours['size']:,}",
                    key,
                    b,
                    "" if a is None else a,
                    ratio,
                    f"{ours.get('load', '')}{load_a}",
                ]
                lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install '.[bench]'): no plot", file=sys.stderr)
        return False
    series = {
        "files": ("parse_all_s", "DAG files: seconds until every DAG is stored"),
        "tasks": ("serialise_s", "tasks per DAG: seconds to parse + serialise"),
        "tasks_run": ("run_s", "tasks per DAG: seconds to run to success"),
        "expand": ("run_s", "expand items: seconds to run to success"),
        "history": ("api_tis_all_p50_ms", "history (SQLite): ms, task instance list p50"),
        "history_grid": ("ui_grid_p50_ms", "history (SQLite): ms, grid page p50"),
    }
    measured = {name.removeprefix("airflow_") for name in results["curves"]}
    curves = [c for c in series if c.split("_")[0] in measured]
    if not curves:
        return False
    fig, axes = plt.subplots(1, len(curves), figsize=(4.5 * len(curves), 4), squeeze=False)
    for ax, name in zip(axes[0], curves, strict=True):
        key, title = series[name]
        curve = name.split("_")[0]
        systems = ((curve, "Brisa", "o-"), (f"pg_{curve}", "Brisa, PostgreSQL", "^-"))
        for system, label, style in (*systems, (f"airflow_{curve}", "Airflow 3.3.2", "s-")):
            points = [p for p in results["curves"].get(system, []) if key in p]
            xs, ys = [p["size"] for p in points], [p[key] for p in points]
            if xs:
                ax.loglog(xs, ys, style, label=label)
            if xs and system == curve:  # slope 1 through the first point: linear growth
                ax.loglog(xs, [ys[0] * x / xs[0] for x in xs], "--", color="grey", label="linear")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("size")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--curves", default="files,airflow_files,tasks,airflow_tasks,expand,history,pg_history"
    )
    parser.add_argument("--sizes", default="full", help="full, small, or a list such as 10,100")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--replot", type=Path, nargs="+", metavar="JSON", help="merge saved results; measure nothing"
    )
    args = parser.parse_args(argv)
    if args.replot:
        results = {"date": "", "curves": {}}
        for path in args.replot:
            saved = json.loads(path.read_text())
            results["date"] = results["date"] or saved["date"]
            results["curves"].update(saved["curves"])
    else:
        results = run_curves(args.curves.split(","), args.sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(results, indent=1))
    plot(results, args.out / "scale.png")
    print(table(results))
    print()
    print(side_by_side(results))


if __name__ == "__main__":
    main()
