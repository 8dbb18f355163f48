"""The ``brisa`` command against a running scheduler, as an operator would use it."""

from __future__ import annotations

import time

import pytest

from brisa.store.records import TaskKey
from tests.e2e.tries import assert_tries_never_overlap

pytestmark = pytest.mark.slow


def _states(deployed, dag_id: str, run: str) -> dict[str, tuple[str | None, int]]:
    rows = deployed.brisa_json("tasks", "states-for-dag-run", dag_id, run)
    return {row["task_id"]: (row["state"], row["try_number"]) for row in rows}


def _state(deployed, dag_id: str, run: str) -> str:
    return deployed.brisa("dags", "state", dag_id, run).stdout.strip()


def test_pause_trigger_run_unpause_clear_a_manual_run(deployed):
    deployed.add_dags("cli")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_cli")
    assert deployed.brisa_json("dags", "pause", "e2e_cli") == [{"dag_id": "e2e_cli", "is_paused": True}]

    [run] = deployed.brisa_json("dags", "trigger", "e2e_cli", "-c", '{"table": "users"}')
    run_id = run["run_id"]
    assert (run["state"], run["run_type"], run["conf"]) == ("queued", "manual", {"table": "users"})
    time.sleep(2.5)  # a few scheduler ticks: a paused DAG's run must not start
    assert _state(deployed, "e2e_cli", run_id) == "queued"

    ran = deployed.brisa("tasks", "run", "e2e_cli", "extract", run_id)
    assert "Task extract ended as success" in ran.stdout
    assert _states(deployed, "e2e_cli", run_id) == {"extract": ("success", 1), "load": (None, 0)}

    assert deployed.brisa_json("dags", "unpause", "e2e_cli") == [{"dag_id": "e2e_cli", "is_paused": False}]
    deployed.wait_for_run("e2e_cli", run_id)
    assert _state(deployed, "e2e_cli", run_id) == "success"
    assert _states(deployed, "e2e_cli", run_id) == {"extract": ("success", 1), "load": ("success", 1)}
    assert "loading users" in deployed.log(TaskKey("e2e_cli", run_id, "load", -1), 1)

    cleared = deployed.brisa("tasks", "clear", "e2e_cli", "-t", "^load$", "-y")
    assert "Cleared 1 task instance(s)." in cleared.stdout
    deployed.wait(lambda: deployed.tis("e2e_cli", run_id)["load"].try_number == 2, what="load to run again")
    deployed.wait_for_run("e2e_cli", run_id)
    assert _states(deployed, "e2e_cli", run_id) == {"extract": ("success", 1), "load": ("success", 2)}
    [listed] = deployed.brisa_json("dags", "list-runs", "e2e_cli")
    assert (listed["run_id"], listed["state"], listed["conf"]) == (run_id, "success", {"table": "users"})
    assert_tries_never_overlap(deployed, "e2e_cli")


def test_backfill_waits_for_runs_of_every_day_in_the_range(deployed):
    deployed.add_dags("cli")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_cli_daily")

    done = deployed.brisa("dags", "backfill", "e2e_cli_daily", "-s", "2024-01-01", "-e", "2024-01-03")
    assert "Created 3 backfill run(s)" in done.stdout and "Backfill finished." in done.stdout

    runs = {
        r["logical_date"]: r
        for r in deployed.brisa_json("dags", "list-runs", "e2e_cli_daily")
        if r["run_type"] == "backfill"
    }
    days = ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert sorted(runs) == [f"{day}T00:00:00+00:00" for day in days]
    for day, following in zip(days, [*days[1:], "2024-01-04"], strict=True):
        run = runs[f"{day}T00:00:00+00:00"]
        assert run["state"] == "success"
        assert (run["data_interval_start"], run["data_interval_end"]) == (
            f"{day}T00:00:00+00:00",
            f"{following}T00:00:00+00:00",
        )
        assert _state(deployed, "e2e_cli_daily", day) == "success"
        assert _states(deployed, "e2e_cli_daily", run["run_id"]) == {"report": ("success", 1)}
        log = deployed.log(TaskKey("e2e_cli_daily", run["run_id"], "report", -1), 1)
        assert f"{day} {following}" in log


def test_trigger_and_backfill_refuse_what_the_api_refuses(deployed):
    deployed.add_dags("cli")
    deployed.start_scheduler()
    deployed.wait_for_dags("e2e_cli", "e2e_cli_daily")
    deep = '{"a":' * 100 + "1" + "}" * 100
    refused = [
        (("dags", "trigger", "e2e_cli", "-r", "a/b"), "run_id"),
        (("dags", "trigger", "e2e_cli", "-c", deep), "nested more than 64 levels"),
        (("dags", "trigger", "e2e_cli", "-c", '{"x": NaN}'), "NaN or Infinity"),
        (("dags", "trigger", "e2e_cli", "-l", "9999-12-31"), "out of range"),
        (("dags", "backfill", "e2e_cli_daily", "-s", "0001-01-01", "-e", "0001-01-03"), "out of range"),
    ]
    for args, message in refused:
        done = deployed.brisa(*args, check=False)
        assert done.returncode != 0, args
        assert message in done.stderr + done.stdout, (args, done.stderr)
    assert deployed.runs("e2e_cli") == []
    assert [r.run_type for r in deployed.runs("e2e_cli_daily")] in ([], ["scheduled"])  # its timetable's own
