from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

import pytest

from brisa.compat import uninstall_shim
from brisa.loader import load_dag_object, parse_folder
from brisa.loader.discover import EXAMPLES_FOLDER

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sdk.fakes import MemoryRuntime, run_task

SEED = "/work/shared/seed/tutorial_dag.py"
LOGICAL = datetime(2015, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_shim_left():
    yield
    uninstall_shim()


def test_examples_load_cleanly():
    result = parse_folder(EXAMPLES_FOLDER)
    assert result.errors == []
    generations = {d.dag_id: d.generation for d in result.dags}
    assert generations == {
        "tutorial": "2",
        "example_branching": "2",
        "example_sensors_trigger": "2",
        "example_taskflow_mapping": "3",
    }


@pytest.mark.skipif(not os.path.exists(SEED), reason="needs the shared seed")
def test_tutorial_is_the_seed_verbatim():
    with open(SEED, "rb") as seed, open(os.path.join(EXAMPLES_FOLDER, "tutorial.py"), "rb") as copy:
        assert seed.read() == copy.read()


def test_tutorial_templated_task_prints_the_posts_output(capfd):
    dag = load_dag_object(os.path.join(EXAMPLES_FOLDER, "tutorial.py"), "tutorial")
    runtime = MemoryRuntime(run_id="scheduled__2015-06-01T00:00:00+00:00")
    interval = (LOGICAL, LOGICAL + timedelta(days=1))
    run_task(dag, "print_date", runtime, logical_date=LOGICAL, data_interval=interval)
    run_task(dag, "templated", runtime, logical_date=LOGICAL, data_interval=interval)
    lines = [line.strip() for line in capfd.readouterr().out.splitlines() if line.strip()]
    assert lines[-15:] == ["2015-06-01", "2015-06-08", "Parameter I passed in"] * 5


def run_all(dag, runtime, **kwargs):
    results = {}
    for task in dag.topological_sort():
        if task.task_id in {t for ids, _ in runtime.skipped for t in ids}:
            continue
        if task.is_mapped:
            from brisa.runtime import use_runtime
            from brisa.sdk.taskinstance import TaskInstance

            with use_runtime(runtime):
                ti = TaskInstance(dag_id=dag.dag_id, task_id=task.task_id, run_id=runtime.run_id)
                count = task.map_length({"ti": ti, "params": {}})
            results[task.task_id] = [
                run_task(dag, task.task_id, runtime, map_index=i, **kwargs) for i in range(count)
            ]
        else:
            results[task.task_id] = run_task(dag, task.task_id, runtime, **kwargs)
    return results


def test_taskflow_mapping_example_runs():
    dag = load_dag_object(
        os.path.join(EXAMPLES_FOLDER, "example_taskflow_mapping.py"), "example_taskflow_mapping"
    )
    results = run_all(dag, MemoryRuntime(), conf={"multiplier": 3})
    assert results["multiply"] == [3, 6, 9, 12]
    assert results["load.total"] == 30
    assert results["load.report"] == "the total is 30"
    assert results["describe"] == ["a=1", "b=1"]


def test_branching_example_runs_both_ways():
    dag = load_dag_object(os.path.join(EXAMPLES_FOLDER, "example_branching.py"), "example_branching")
    fast = MemoryRuntime()
    run_all(dag, fast, logical_date=LOGICAL)
    assert fast.skipped[0] == (("slow_path.prepare",), None)
    slow = MemoryRuntime()
    results = run_all(dag, slow, logical_date=LOGICAL, conf={"path": "slow", "proceed": False})
    assert slow.skipped == [(("fast_path",), None), (("done",), None)]
    assert results["slow_path.prepare"] == "preparing for 2015-06-01"


def test_sensors_example_runs():
    dag = load_dag_object(
        os.path.join(EXAMPLES_FOLDER, "example_sensors_trigger.py"), "example_sensors_trigger"
    )
    runtime = MemoryRuntime()
    run_all(dag, runtime, logical_date=LOGICAL, data_interval=(LOGICAL, LOGICAL + timedelta(days=1)))
    assert runtime.triggered[0]["dag_id"] == "example_branching" and runtime.triggered[0]["conf"] == {
        "path": "slow"
    }
