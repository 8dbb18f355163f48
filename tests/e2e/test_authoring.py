"""The authoring surface of issue 15 through the real ``brisa scheduler`` (LocalExecutor),
on SQLite and PostgreSQL: XComArg.zip, mapped task groups, ExternalTaskSensor on a task
group and ExternalTaskMarker, the task state store.  Each test names the Airflow version
whose documented behaviour it pins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from brisa.serde import loads
from brisa.states import RunState
from brisa.store.records import TaskKey
from tests.e2e.conftest import ON_EVERY_BACKEND
from tests.e2e.deployment import Deployment, deployment

pytestmark = pytest.mark.slow

DAGS = ("authoring_zip", "authoring_task_state", "authoring_external", "authoring_mapped_group")
MANUAL = ("e2e_zip", "e2e_task_state", "e2e_mapped_group")
SAME_DAY = datetime(2024, 3, 1, tzinfo=UTC)
"""The logical date of both runs of authoring_external (the sensor matches on it)."""


@dataclass
class Authoring:
    deployed: Deployment
    run_ids: dict[str, str]

    def finished(self, dag_id: str) -> tuple[str, dict[str, str | None]]:
        run_id = self.run_ids[dag_id]
        self.deployed.wait_for_run(dag_id, run_id)
        return run_id, self.deployed.states(dag_id, run_id)

    def xcom(self, dag_id: str, task_id: str, map_index: int = -1) -> object:
        key = TaskKey(dag_id, self.run_ids[dag_id], task_id, map_index)
        with self.deployed.store.transaction(readonly=True) as tx:
            raw = tx.xcoms.raw_value(key)
        return None if raw is None else loads(raw)


@pytest.fixture(scope="module", params=ON_EVERY_BACKEND)
def authoring(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Authoring]:
    with deployment(tmp_path_factory.mktemp("authoring"), request.param) as deployed:
        deployed.add_dags(*DAGS)
        deployed.start_scheduler()
        deployed.wait_for_dags(*MANUAL, "e2e_group_upstream", "e2e_group_downstream")
        run_ids = {dag_id: deployed.trigger(dag_id) for dag_id in MANUAL}
        for dag_id in ("e2e_group_downstream", "e2e_group_upstream"):
            run_ids[dag_id] = deployed.trigger(dag_id, logical_date=SAME_DAY)
        yield Authoring(deployed, run_ids)


def test_zip_expands_over_the_shortest_or_the_padded_longest_as_airflow_2_5(authoring):
    run_id, states = authoring.finished("e2e_zip")
    assert authoring.deployed.run("e2e_zip", run_id).state == RunState.SUCCESS, states
    assert authoring.xcom("e2e_zip", "shortest") == ["1a", "2b"]
    assert authoring.xcom("e2e_zip", "longest") == ["1a", "2b", "3-"]
    assert sorted(k for k in states if k.startswith("echo")) == ["echo[0]", "echo[1]"]
    logs = [authoring.deployed.log(TaskKey("e2e_zip", run_id, "echo", i), 1) for i in range(2)]
    assert "zipped=1a" in logs[0] and "zipped=2b" in logs[1]


def test_task_state_store_survives_retries_of_the_same_task_instance_as_airflow_3_3(authoring):
    run_id, states = authoring.finished("e2e_task_state")
    assert authoring.deployed.run("e2e_task_state", run_id).state == RunState.SUCCESS, states
    assert authoring.xcom("e2e_task_state", "submit") == {
        "job_id": "job-of-try-1",
        "try_number": 2,
        "scratch": "temporary",
    }
    # Scoped per map index: neither instance sees the other's key.
    assert authoring.xcom("e2e_task_state", "per_index", 0) == ["unset", "x"]
    assert authoring.xcom("e2e_task_state", "per_index", 1) == ["unset", "y"]
    with authoring.deployed.store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(TaskKey("e2e_task_state", run_id, "submit")) == {"job_id": "job-of-try-1"}


def test_external_task_sensor_waits_for_the_whole_task_group_as_airflow_2_10(authoring):
    run_id, states = authoring.finished("e2e_group_downstream")
    assert states == {"wait_for_g": "success", "done": "success"}
    up_run, up_states = authoring.finished("e2e_group_upstream")
    assert up_states == {
        "g.numbers": "success",
        "g.double[0]": "success",
        "g.double[1]": "success",
        "marker": "success",
    }
    tis = authoring.deployed.tis("e2e_group_downstream", run_id)
    upstream = authoring.deployed.tis("e2e_group_upstream", up_run)
    assert tis["wait_for_g"].end_date >= max(upstream[f"g.double[{i}]"].end_date for i in range(2))


def test_clearing_the_marker_reruns_the_marked_sensor_and_its_downstream_as_airflow_2_10(authoring):
    deployed = authoring.deployed
    authoring.finished("e2e_group_upstream")
    run_id, _ = authoring.finished("e2e_group_downstream")
    deployed.brisa("tasks", "clear", "e2e_group_upstream", "-t", "^marker$", "-y")

    def rerun() -> bool:
        tis = deployed.tis("e2e_group_downstream", run_id)
        return all(
            ti.try_number == 2 and ti.state is not None and ti.state.value == "success" for ti in tis.values()
        )

    deployed.wait(rerun, what="the sensor and its downstream to run again after the marker's clear")
    assert deployed.wait_for_run("e2e_group_downstream", run_id).state == RunState.SUCCESS
    up_run = authoring.run_ids["e2e_group_upstream"]
    assert deployed.wait_for_run("e2e_group_upstream", up_run).state == RunState.SUCCESS
    assert deployed.tis("e2e_group_upstream", up_run)["marker"].try_number == 2


def test_a_mapped_task_group_runs_its_tasks_per_index_as_airflow_2_5(authoring):
    run_id, states = authoring.finished("e2e_mapped_group")
    assert {k: v for k, v in states.items() if k.startswith("tg.")} == {
        **{f"tg.add[{i}]": "success" for i in range(3)},
        **{f"tg.echo[{i}]": "success" for i in range(3)},
        "tg.double[0]": "success",
        "tg.double[1]": "failed",
        "tg.double[2]": "success",
        "tg.label[0]": "success",
        "tg.label[1]": "upstream_failed",  # only the failed index's downstream
        "tg.label[2]": "success",
    }
    assert [authoring.xcom("e2e_mapped_group", "tg.add", i) for i in range(3)] == [11, 12, 13]
    assert authoring.xcom("e2e_mapped_group", "tg.label", 2) == "doubled=26"
    assert authoring.xcom("e2e_mapped_group", "total") == [22, 26]
    assert authoring.xcom("e2e_mapped_group", "joined") == "a,bb"
    log = authoring.deployed.log(TaskKey("e2e_mapped_group", run_id, "tg.echo", 2), 1)
    assert "index=2" in log
    # The failed index's label is a leaf: the run fails, as in Airflow.
    assert authoring.deployed.run("e2e_mapped_group", run_id).state == RunState.FAILED
