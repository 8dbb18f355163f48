"""What the end-to-end DAG files share (listed in .airflowignore: not a DAG file itself).

Every try of a marked task appends ``start <try> <unix time> <pid>`` when its code begins
and ``end <try> <unix time>`` when it returns or raises, to one file per task instance
in the ``markers`` folder beside the DAGs folder. A try killed outright leaves no end.
"""

import os
import time
from pathlib import Path

MARKERS = Path(__file__).resolve().parent.parent / "markers"
BASH_MARKER = "{{ ti.dag_id }}__{{ run_id }}__{{ ti.task_id }}__{{ ti.map_index }}"


def marker_file(ti):
    return MARKERS / f"{ti.dag_id}__{ti.run_id}__{ti.task_id}__{ti.map_index}"


def _append(path, line):
    with open(path, "a") as handle:
        handle.write(line + "\n")


def marked(body):
    """A python_callable that records its try around ``body(context)``."""

    def run(**context):
        ti = context["ti"]
        path = marker_file(ti)
        _append(path, f"start {ti.try_number} {time.time():.6f} {os.getpid()}")
        try:
            return body(context)
        finally:
            _append(path, f"end {ti.try_number} {time.time():.6f}")

    run.__name__ = body.__name__
    return run


def bash_marked(command):
    """A bash_command that records its try around ``command`` (and keeps its exit code)."""
    path = f"{MARKERS}/{BASH_MARKER}"
    return (
        f'echo "start {{{{ ti.try_number }}}} $(date +%s.%N) $$" >> "{path}"; '
        f'{command}; rc=$?; echo "end {{{{ ti.try_number }}}} $(date +%s.%N)" >> "{path}"; exit $rc'
    )


def sleep_then(seconds):
    """A body that sleeps ``seconds`` (a number, or a function of the try number)."""

    def body(context):
        wait = seconds(context["ti"].try_number) if callable(seconds) else seconds
        time.sleep(wait)
        return wait

    return body


def count_pokes(name, enough):
    """A sensor condition on a file: each poke appends a line; true from the ``enough``-th."""

    def poke(**context):
        path = MARKERS / f"pokes__{context['ti'].dag_id}__{context['run_id']}__{name}"
        _append(path, f"{time.time():.6f} {os.getpid()}")
        return len(path.read_text().splitlines()) >= enough

    return poke
