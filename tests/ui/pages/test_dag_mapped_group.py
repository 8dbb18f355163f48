"""The DAG pages draw a DAG with a mapped task group (its tasks are mapped)."""

from datetime import datetime

import pytest

from brisa.sdk.serialize import serialize_dag
from tests.sdk.test_taskgroup import _mapped_group_dag
from tests.ui.helpers import add_dag, add_run

TABS = ("grid", "graph", "gantt", "durations", "details")


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_a_mapped_task_group(store, admin, clock, tab: str) -> None:
    dag = serialize_dag(_mapped_group_dag(), fileloc="/dags/d.py")
    assert dag.tasks["tg.add"].mapped is not None and dag.tasks["tg.add"].mapped.group == "tg"
    add_dag(store, dag, clock())
    add_run(store, dag, clock(), logical_date=datetime(2024, 1, 2))
    answer = admin.get(f"/dags/d/{tab}")
    assert answer.status_code == 200
    if tab in ("grid", "graph", "details"):
        assert "tg.add" in answer.text
