#!/usr/bin/env python3
"""What a fork costs a zygote that holds a DAG of N tasks (issue 21's tasks curve).

    python bench/fork_cost.py 1000 10000

Each size: parse a DAG file of N ``BashOperator("true")`` tasks with Brisa's loader in
this process and keep it (as a file zygote keeps its DAG), freeze the GC as the zygote
does, then time 200 rounds of fork, ``_exit(0)`` in the child, ``waitpid``. Prints the
process's RSS and the p50 / p90 round. Nothing is asserted.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(tasks: int, rounds: int = 200) -> dict[str, float]:
    import scale

    from brisa.loader import parse_file

    path = Path(tempfile.mkdtemp(prefix="fork-cost-")) / "dag.py"
    path.write_text(scale.WIDE_DAG.format(tasks=tasks))
    kept = parse_file(str(path), timeout=600, generation_default="3", catchup_default=False)
    gc.collect()
    gc.freeze()
    with open("/proc/self/statm") as statm:
        rss_mb = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    rounds_s = []
    for _ in range(rounds):
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        rounds_s.append(time.perf_counter() - started)
    rounds_s.sort()
    del kept
    return {
        "tasks": tasks,
        "rss_mb": round(rss_mb),
        "fork_p50_ms": round(rounds_s[len(rounds_s) // 2] * 1000, 2),
        "fork_p90_ms": round(rounds_s[len(rounds_s) * 9 // 10] * 1000, 2),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    for tasks in [int(a) for a in sys.argv[1:]] or [1000, 10000]:
        # A fresh process per size: the previous DAG's memory would stay in this one.
        if os.fork() == 0:
            print(measure(tasks), flush=True)
            os._exit(0)
        os.wait()


if __name__ == "__main__":
    main()
