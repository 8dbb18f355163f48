"""Start time and idle memory of ``brisa standalone`` on SQLite, process by process.

    python3 bench/standalone_idle.py                       # this checkout, 5 starts
    python3 bench/standalone_idle.py --trees /work/main .  # alternately, one start each in turn
    python3 bench/standalone_idle.py --starts 7 --idle 10

Each start: a fresh ``BRISA_HOME`` with ``../shared/bench/dags`` (as ``measure.py`` sets it
up: LocalExecutor, parallelism 32, no examples), ``brisa db migrate``, then ``brisa
standalone`` in a session of its own. *Boot*: from the start to the first 200 from
``/api/v2/monitor/health`` (polled every 10 ms). *CPU to health*: user + system seconds
of the process group by then (load on a shared machine stretches wall time far more than
CPU time). After ``--idle`` seconds, the PSS of each process of the group from
``/proc/<pid>/smaps_rollup``; then one request that needs the full web app (``/login``),
and the PSS again. Trees are alternated so that load hits each alike. Prints a table and
one JSON line; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DAGS = ROOT.parent / "shared" / "bench" / "dags"


def group(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry))
    return sorted(pids)


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pgid: int) -> float:
    total = 0
    for pid in group(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def one_start(tree: str, port: int, idle: float) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="brisa-idle-"))
    shutil.copytree(BENCH_DAGS, home / "dags")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.update(
        BRISA_HOME=str(home),
        BRISA__CORE__DAGS_FOLDER=str(home / "dags"),
        BRISA__CORE__LOAD_EXAMPLES="False",
        BRISA__CORE__EXECUTOR="LocalExecutor",
        BRISA__CORE__PARALLELISM="32",
        BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        PORT=str(port),
        PYTHONPATH=str(Path(tree).resolve()),
    )
    command = [sys.executable, "-m", "brisa.cli"]
    subprocess.run([*command, "db", "migrate"], env=env, cwd=home, capture_output=True, check=True)
    log = open(home / "standalone.log", "w")  # noqa: SIM115 - closed below
    started = time.monotonic()
    proc = subprocess.Popen(
        [*command, "standalone"],
        env=env,
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    health = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"standalone exited: {(home / 'standalone.log').read_text()[-2000:]}")
            try:
                if get(health) == 200:
                    break
            except OSError:
                time.sleep(0.01)
        out: dict[str, Any] = {"boot_s": time.monotonic() - started, "cpu_to_health_s": cpu_seconds(proc.pid)}
        time.sleep(idle)
        out["idle_mb"] = [round(pss_mb(pid), 1) for pid in group(proc.pid)]
        get(f"http://127.0.0.1:{port}/login")
        time.sleep(2)
        out["after_first_page_mb"] = [round(pss_mb(pid), 1) for pid in group(proc.pid)]
        out["load"] = round(os.getloadavg()[0], 1)
        return out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def spread(values: list[float]) -> list[float]:
        return [round(min(values), 3), round(statistics.median(values), 3)]

    return {
        "boot_s_min_median": spread([r["boot_s"] for r in runs]),
        "cpu_to_health_s_min_median": spread([r["cpu_to_health_s"] for r in runs]),
        "idle_mb_min_median": spread([sum(r["idle_mb"]) for r in runs]),
        "idle_mb_per_process_first_run": runs[0]["idle_mb"],
        "after_first_page_mb_min_median": spread([sum(r["after_first_page_mb"]) for r in runs]),
        "after_first_page_mb_per_process_first_run": runs[0]["after_first_page_mb"],
        "load": [r["load"] for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trees", nargs="+", default=[str(ROOT)], help="checkouts to compare")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds before the idle PSS")
    parser.add_argument("--port", type=int, default=18480)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {tree: [] for tree in args.trees}
    for start in range(args.starts):
        for offset, tree in enumerate(args.trees):
            runs[tree].append(one_start(tree, args.port + start * len(args.trees) + offset, args.idle))
    result = {tree: summary(tree_runs) for tree, tree_runs in runs.items()}
    for tree, figures in result.items():
        print(tree)
        for name, value in figures.items():
            print(f"  {name:45s} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
