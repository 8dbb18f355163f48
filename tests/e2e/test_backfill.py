"""``brisa backfill create`` (Airflow 3) against a running scheduler: the runs really run."""

from __future__ import annotations

import pytest

from brisa.store.records import TaskKey

pytestmark = pytest.mark.slow

BACKFILL_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    "e2e_backfill",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
):
    BashOperator(
        task_id="load",
        bash_command="echo loading {{ ds }}; test '{{ dag_run.conf.get(\\"fail_on\\") }}' != '{{ ds }}'",
    )
"""
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03"]


def _create(deployed, *options: str):
    return deployed.brisa(
        "backfill",
        "create",
        "--dag-id",
        "e2e_backfill",
        "--from-date",
        DAYS[0],
        "--to-date",
        DAYS[-1],
        *options,
    )


def _by_day(deployed) -> dict[str, object]:
    runs = {r.logical_date.date().isoformat(): r for r in deployed.runs("e2e_backfill")}
    return {day: run for day, run in runs.items() if day in DAYS}  # not the schedule's own latest run


def _tries(deployed) -> dict[str, int]:
    return {
        day: deployed.tis("e2e_backfill", r.run_id)["load"].try_number for day, r in _by_day(deployed).items()
    }


def _wait_all_finished(deployed) -> dict[str, object]:
    return deployed.wait(
        lambda: (runs := _by_day(deployed)) and all(r.state.is_finished for r in runs.values()) and runs,
        what="every backfill run to finish",
    )


def test_backfill_create_runs_again_what_reprocess_behavior_says(deployed):
    deployed.write_dag("e2e_backfill.py", BACKFILL_DAG)
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_backfill")

    first = _create(deployed, "--dag-run-conf", '{"fail_on": "2024-01-02"}')
    assert "created 3 run(s), re-running 0, skipped 0" in first.stdout
    runs = _wait_all_finished(deployed)
    assert {d: (r.state.value, r.run_type) for d, r in runs.items()} == {
        "2024-01-01": ("success", "backfill"),
        "2024-01-02": ("failed", "backfill"),
        "2024-01-03": ("success", "backfill"),
    }

    again = _create(deployed)  # reprocess "none", Airflow's default: every date has a run
    assert "created 0 run(s), re-running 0, skipped 3" in again.stdout
    assert "skipped 2024-01-02T00:00:00+00:00: already exists" in again.stdout

    failed = _create(deployed, "--reprocess-behavior", "failed", "--dag-run-conf", "{}")
    assert "created 0 run(s), re-running 1, skipped 2" in failed.stdout
    deployed.wait(lambda: _by_day(deployed)["2024-01-02"].state.value == "success", what="the rerun of 01-02")
    assert _tries(deployed) == {"2024-01-01": 1, "2024-01-02": 2, "2024-01-03": 1}

    completed = _create(deployed, "--reprocess-behavior", "completed", "--run-backwards")
    assert "created 0 run(s), re-running 3, skipped 0" in completed.stdout
    deployed.wait(lambda: _tries(deployed) == dict.fromkeys(DAYS, 2) | {"2024-01-02": 3}, what="three reruns")
    runs = _wait_all_finished(deployed)
    assert {r.state.value for r in runs.values()} == {"success"}


def test_backfill_create_runs_backwards_latest_first(deployed):
    deployed.write_dag("e2e_backfill.py", BACKFILL_DAG)
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_backfill")

    _create(deployed, "--run-backwards", "--max-active-runs", "1")
    runs = _wait_all_finished(deployed)
    starts = sorted(DAYS, key=lambda day: runs[day].start_date)
    assert starts == DAYS[::-1]  # the backfill's max_active_runs=1: one at a time, latest first
    log = deployed.log(TaskKey("e2e_backfill", runs["2024-01-03"].run_id, "load", -1), 1)
    assert "loading 2024-01-03" in log


def test_backfill_of_a_paused_dag_says_so_and_runs_once_unpaused(deployed):
    deployed.write_dag("e2e_backfill.py", BACKFILL_DAG)
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_backfill")
    deployed.brisa("dags", "pause", "e2e_backfill")

    done = _create(deployed)
    assert "created 3 run(s)" in done.stdout
    assert "DAG e2e_backfill is paused" in done.stderr and "brisa dags unpause e2e_backfill" in done.stderr
    assert {r.state.value for r in _by_day(deployed).values()} == {"queued"}

    deployed.brisa("dags", "unpause", "e2e_backfill")
    runs = _wait_all_finished(deployed)
    assert {r.state.value for r in runs.values()} == {"success"}
