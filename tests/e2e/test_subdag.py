"""SubDagOperator (issue 15) through the real ``brisa scheduler`` on SQLite and PostgreSQL:
a 1.10 file (poke mode) and a 2.x file (reschedule mode), each with a sub-DAG factory.
Pins Airflow 2.10's SubDagOperator: the child run has the parent run's logical date and
conf, the operator ends as its child, and a sub-DAG is never scheduled on its own.
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

PARENTS = (
    "e2e_subdag_1_10",
    "e2e_subdag_1_10_failing",
    "e2e_subdag_2x",
    "e2e_subdag_2x_failing",
    "e2e_subdag_2x_retried",
)
WHEN = datetime(2024, 2, 3, tzinfo=UTC)
CONF = {"colour": "teal"}


@dataclass
class SubDags:
    deployed: Deployment
    run_ids: dict[str, str]

    def parent(self, dag_id: str) -> tuple[RunState, dict[str, str | None]]:
        run_id = self.run_ids[dag_id]
        run = self.deployed.wait_for_run(dag_id, run_id, timeout=120)
        return run.state, self.deployed.states(dag_id, run_id)


@pytest.fixture(scope="module", params=ON_EVERY_BACKEND)
def subdags(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubDags]:
    with deployment(tmp_path_factory.mktemp("subdag"), request.param) as deployed:
        deployed.add_dags("subdag_1_10", "subdag_2x")
        deployed.start_scheduler()
        deployed.wait_for_dags(*PARENTS, *(f"{p}.inner" for p in PARENTS))
        run_ids = {p: deployed.trigger(p, logical_date=WHEN, conf=CONF) for p in PARENTS}
        yield SubDags(deployed, run_ids)


@pytest.mark.parametrize("parent", ["e2e_subdag_1_10", "e2e_subdag_2x"])
def test_subdag_runs_as_a_child_of_the_parent_run_with_its_date_and_conf(subdags, parent):
    state, states = subdags.parent(parent)
    assert state == RunState.SUCCESS, states
    assert states["inner"] == "success"
    run_id = subdags.run_ids[parent]
    child = subdags.deployed.run(f"{parent}.inner", run_id)
    assert child.state == RunState.SUCCESS
    assert child.logical_date == WHEN
    assert child.conf == CONF
    with subdags.deployed.store.transaction(readonly=True) as tx:
        echoed = loads(tx.xcoms.raw_value(TaskKey(f"{parent}.inner", run_id, "echo", -1)))
    assert echoed == "teal"


@pytest.mark.parametrize("parent", ["e2e_subdag_1_10_failing", "e2e_subdag_2x_failing"])
def test_subdag_operator_fails_as_airflow_when_its_child_run_fails(subdags, parent):
    state, states = subdags.parent(parent)
    assert state == RunState.FAILED
    assert states["inner"] == "failed"
    assert subdags.deployed.run(f"{parent}.inner", subdags.run_ids[parent]).state == RunState.FAILED
    log = subdags.deployed.log(TaskKey(parent, subdags.run_ids[parent], "inner", -1), 1)
    assert "Expected state: success. Actual state: failed" in log


def test_a_retry_of_the_operator_reruns_only_the_failed_tasks_of_the_child_run(subdags):
    state, states = subdags.parent("e2e_subdag_2x_retried")
    assert state == RunState.SUCCESS, states
    run_id = subdags.run_ids["e2e_subdag_2x_retried"]
    assert subdags.deployed.tis("e2e_subdag_2x_retried", run_id)["inner"].try_number == 2
    child = "e2e_subdag_2x_retried.inner"
    assert subdags.deployed.run(child, run_id).state == RunState.SUCCESS
    tries = {task_id: ti.try_number for task_id, ti in subdags.deployed.tis(child, run_id).items()}
    assert tries == {"first": 1, "flaky": 2}  # the successful task was not run again


def test_a_subdag_is_never_scheduled_by_its_own_schedule(subdags):
    for parent in PARENTS:
        subdags.parent(parent)
    for parent in PARENTS:
        runs = subdags.deployed.runs(f"{parent}.inner")
        assert [r.run_id for r in runs] == [subdags.run_ids[parent]]
    with subdags.deployed.store.transaction(readonly=True) as tx:
        sub = tx.dags.serialized("e2e_subdag_2x.inner")
    assert sub.is_subdag and sub.parent_dag_id == "e2e_subdag_2x"
