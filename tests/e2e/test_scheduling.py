"""Scheduling semantics through the real ``brisa scheduler`` and LocalExecutor.

One scheduler per database backend runs every DAG of this module at once (their runs
are triggered when it starts); each test then checks one DAG against what Apache
Airflow does with it.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from brisa.serde import loads
from brisa.states import RunState
from brisa.store.records import TaskKey
from tests.e2e.conftest import ON_EVERY_BACKEND
from tests.e2e.deployment import Deployment, deployment
from tests.e2e.tries import (
    assert_successes_kept_their_logs,
    assert_tries_never_overlap,
    assert_tries_recorded_as_they_ran,
    marks_of,
)

pytestmark = pytest.mark.slow

TUTORIAL = Path(__file__).resolve().parents[2] / "brisa" / "example_dags" / "tutorial.py"
MANUAL_DAGS = ("e2e_trigger_rules", "e2e_retries", "e2e_sensors", "e2e_pool", "e2e_branching", "e2e_mapping")


@dataclass
class Semantics:
    deployed: Deployment
    run_ids: dict[str, str]
    """The manual run of each DAG in ``MANUAL_DAGS``."""

    def finished(self, dag_id: str) -> tuple[str, dict[str, str | None]]:
        run_id = self.run_ids[dag_id]
        self.deployed.wait_for_run(dag_id, run_id)
        return run_id, self.deployed.states(dag_id, run_id)


def tutorial_with_catchup() -> str:
    """The seed's tutorial, caught up to an end date a month after its start, quickly."""
    source = TUTORIAL.read_text()
    edits = {
        "'retry_delay': timedelta(minutes=5),": "'retry_delay': timedelta(seconds=1),\n"
        "    'end_date': datetime(2015, 7, 1),",
        "bash_command='sleep 5'": "bash_command='sleep 0.1'",
        "schedule_interval=timedelta(days=1))": "schedule_interval=timedelta(days=1), catchup=True)",
    }
    for old, new in edits.items():
        assert source.count(old) == 1, f"the tutorial changed: {old!r} is not there once"
        source = source.replace(old, new)
    return source


@pytest.fixture(scope="module", params=ON_EVERY_BACKEND)
def semantics(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Semantics]:
    with deployment(tmp_path_factory.mktemp("semantics"), request.param) as deployed:
        deployed.add_dags(
            "trigger_rules", "retries", "sensors", "pools", "depends_on_past", "branching", "mapping"
        )
        deployed.write_dag("tutorial.py", tutorial_with_catchup())
        deployed.create_pool("e2e_single", 1)
        deployed.start_scheduler()
        deployed.wait_for_dags(*MANUAL_DAGS)
        yield Semantics(deployed, {dag_id: deployed.trigger(dag_id) for dag_id in MANUAL_DAGS})


def test_the_tutorial_catches_up_every_day_up_to_and_including_its_end_date(semantics):
    deployed = semantics.deployed
    runs = deployed.wait_for_runs("tutorial", 31)
    first = datetime(2015, 6, 1, tzinfo=UTC)
    day = timedelta(days=1)
    assert [r.logical_date for r in runs] == [first + i * day for i in range(31)]
    for run in runs:
        assert run.state == RunState.SUCCESS
        assert run.run_type == "scheduled"
        assert run.run_id == f"scheduled__{run.logical_date.isoformat()}"
        assert (run.data_interval_start, run.data_interval_end) == (run.logical_date, run.logical_date + day)
        assert run.run_after == run.data_interval_end
        ds, week_later = run.logical_date.date(), (run.logical_date + 7 * day).date()
        log = deployed.log(TaskKey("tutorial", run.run_id, "templated", -1), 1)
        printed = re.findall(r"^\[[^]]+\] (\S.*)$", log, flags=re.MULTILINE)
        assert printed.count(str(ds)) == 5, log
        assert printed.count(str(week_later)) == 5, log
        assert printed.count("Parameter I passed in") == 5, log
    with deployed.store.transaction(readonly=True) as tx:
        assert tx.dags.require("tutorial").next_dagrun is None  # nothing after the end date
    assert_successes_kept_their_logs(deployed, "tutorial")


def test_trigger_rules_decide_as_airflow_does(semantics):
    run_id, states = semantics.finished("e2e_trigger_rules")
    assert states == {
        "ok": "success",
        "bad": "failed",
        "bad_too": "failed",
        "skipper": "skipped",
        "all_failed_runs": "success",
        "all_failed_skips": "skipped",
        "one_success_runs": "success",
        "one_success_upstream_failed": "upstream_failed",
        "none_failed_min_one_success_runs": "success",
        "none_failed_min_one_success_blocked": "upstream_failed",
        "all_done_runs": "success",
        "all_success_blocked": "upstream_failed",
        "all_success_skipped": "skipped",
    }
    assert semantics.deployed.run("e2e_trigger_rules", run_id).state == RunState.FAILED
    ran = {key.task_id for key in marks_of(semantics.deployed, "e2e_trigger_rules")}
    assert ran == {"ok", "bad", "bad_too", "skipper"} | {t for t, s in states.items() if t.endswith("_runs")}


def _gaps(deployed: Deployment, run_id: str, task_id: str) -> list[float]:
    """Seconds from the end of each try to the start of the next."""
    by_try = marks_of(deployed, "e2e_retries")[TaskKey("e2e_retries", run_id, task_id, -1)]
    tries = [by_try[n][0] for n in sorted(by_try)]
    return [after.start - before.end for before, after in itertools.pairwise(tries)]


def test_retries_wait_their_delay_and_back_off_exponentially(semantics):
    run_id, states = semantics.finished("e2e_retries")
    deployed = semantics.deployed
    tis = deployed.tis("e2e_retries", run_id)
    assert (states["flaky"], tis["flaky"].try_number) == ("success", 3)
    assert all(gap >= 1.0 for gap in _gaps(deployed, run_id, "flaky"))
    flaky = tis["flaky"].key
    assert "failing try 1 on purpose" in deployed.log(flaky, 1)
    assert "Marking task as UP_FOR_RETRY" in deployed.log(flaky, 2)
    assert "Marking task as SUCCESS" in deployed.log(flaky, 3)
    assert [t.state for t in deployed.tries(flaky)] == ["up_for_retry", "up_for_retry", "success"]

    assert (states["backoff"], tis["backoff"].try_number) == ("failed", 4)
    gaps = _gaps(deployed, run_id, "backoff")
    # retry_delay * 2**(try-1), spread over [backoff, 2 * backoff): at least 1, 2 and 4 seconds.
    assert len(gaps) == 3 and gaps[0] >= 1.0 and gaps[1] >= 2.0 and gaps[2] >= 4.0, gaps
    assert "Marking task as FAILED" in deployed.log(tis["backoff"].key, 4)
    assert_tries_never_overlap(deployed, "e2e_retries")
    assert_tries_recorded_as_they_ran(deployed, "e2e_retries")


def test_execution_timeout_fails_each_try(semantics):
    run_id, states = semantics.finished("e2e_retries")
    deployed = semantics.deployed
    ti = deployed.tis("e2e_retries", run_id)["too_slow"]
    assert (states["too_slow"], ti.try_number) == ("failed", 2)
    for try_number, [mark] in marks_of(deployed, "e2e_retries")[ti.key].items():
        assert mark.end is not None and mark.end - mark.start < 30  # cut short, not the 60 s sleep
        assert "AirflowTaskTimeout" in deployed.log(ti.key, try_number)
    assert deployed.run("e2e_retries", run_id).state == RunState.FAILED


def _pokes(deployed: Deployment, run_id: str, name: str) -> list[tuple[float, int]]:
    path = deployed.markers / f"pokes__e2e_sensors__{run_id}__{name}"
    return [(float(when), int(pid)) for when, pid in (line.split() for line in path.read_text().splitlines())]


def test_sensors_poke_in_place_or_reschedule_and_time_out_without_retrying(semantics):
    run_id, states = semantics.finished("e2e_sensors")
    deployed = semantics.deployed
    tis = deployed.tis("e2e_sensors", run_id)

    poking = _pokes(deployed, run_id, "poking")
    assert (states["poking"], tis["poking"].try_number) == ("success", 1)
    assert len(poking) == 3 and len({pid for _, pid in poking}) == 1  # one process poked three times

    rescheduling = _pokes(deployed, run_id, "rescheduling")
    assert (states["rescheduling"], tis["rescheduling"].try_number) == ("success", 1)
    assert len(rescheduling) == 3 and len({pid for _, pid in rescheduling}) == 3  # a process per poke
    assert all(b[0] - a[0] >= 0.5 for a, b in itertools.pairwise(rescheduling))
    assert deployed.log(tis["rescheduling"].key, 1).count("Poking callable") == 3

    assert (states["never"], tis["never"].try_number) == ("failed", 1)  # retries=2 not used
    assert "AirflowSensorTimeout" in deployed.log(tis["never"].key, 1)


def test_a_pool_of_one_slot_runs_its_tasks_one_at_a_time(semantics):
    _run_id, states = semantics.finished("e2e_pool")
    assert set(states.values()) == {"success"}
    marks = sorted(
        (runs[0] for by_try in marks_of(semantics.deployed, "e2e_pool").values() for runs in by_try.values()),
        key=lambda m: m.start,
    )
    assert len(marks) == 4
    for before, after in itertools.pairwise(marks):
        assert after.start >= before.end, f"{after} started while {before} held the only slot"


def test_depends_on_past_runs_each_day_after_the_previous_one(semantics):
    deployed = semantics.deployed
    runs = deployed.wait_for_runs("e2e_depends_on_past", 4)
    assert [r.state for r in runs] == [RunState.SUCCESS] * 4
    marks = marks_of(deployed, "e2e_depends_on_past")
    steps = [marks[TaskKey("e2e_depends_on_past", r.run_id, "step", -1)][1][0] for r in runs]
    for before, after in itertools.pairwise(steps):
        assert after.start >= before.end, "a step started before the previous day's step ended"


def test_depends_on_past_waits_for_good_after_a_failed_day(semantics):
    deployed = semantics.deployed
    dag_id = "e2e_depends_on_past_fail"

    def two_finished_and_third_free_done():
        runs = deployed.runs(dag_id)
        if len(runs) != 3 or not all(r.state.is_finished for r in runs[:2]):
            return None
        return runs if deployed.states(dag_id, runs[2].run_id)["free"] == "success" else None

    first, second, third = deployed.wait(two_finished_and_third_free_done, what="the failed day")
    assert (first.state, second.state) == (RunState.SUCCESS, RunState.FAILED)
    assert deployed.states(dag_id, second.run_id)["step"] == "failed"
    time.sleep(2.5)  # a few more scheduler ticks (one a second when idle): none may start it
    assert deployed.states(dag_id, third.run_id)["step"] is None
    assert deployed.run(dag_id, third.run_id).state == RunState.RUNNING


def test_a_branch_skips_the_path_not_taken(semantics):
    run_id, states = semantics.finished("e2e_branching")
    assert states == {
        "branch": "success",
        "left": "success",
        "right": "skipped",
        "right_after": "skipped",
        "join": "success",
    }
    assert semantics.deployed.run("e2e_branching", run_id).state == RunState.SUCCESS
    ran = {key.task_id for key in marks_of(semantics.deployed, "e2e_branching")}
    assert ran == {"branch", "left", "join"}


def test_mapped_taskflow_tasks_pass_xcoms_along(semantics):
    run_id, states = semantics.finished("e2e_mapping")
    deployed = semantics.deployed
    assert states == {
        "numbers": "success",
        "nothing": "success",
        "scale[0]": "success",
        "scale[1]": "success",
        "scale[2]": "success",
        "scale_nothing": "skipped",
        "total": "success",
        "report": "success",
    }
    with deployed.store.transaction(readonly=True) as tx:
        scaled = tx.xcoms.pull(dag_id="e2e_mapping", run_id=run_id, task_ids=["scale"])
        summed = tx.xcoms.raw_value(TaskKey("e2e_mapping", run_id, "total", -1))
    assert [(x.map_index, x.value) for x in scaled] == [(0, 10), (1, 20), (2, 30)]
    assert loads(summed) == 60
    assert "total=60" in deployed.log(TaskKey("e2e_mapping", run_id, "report", -1), 1)
    assert deployed.run("e2e_mapping", run_id).state == RunState.SUCCESS
