"""``brisa dags test`` on the authoring-surface DAGs of issue 15 (no database, no scheduler):
XComArg.zip and a mapped task group give what Airflow's ``dags test`` gives."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

E2E_DAGS = Path(__file__).resolve().parents[1] / "e2e" / "dags"


@pytest.fixture
def env(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    for name in ("authoring_zip.py", "authoring_mapped_group.py"):
        shutil.copy(E2E_DAGS / name, dags)
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }


def dags_test(dag_id, env):
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", dag_id, "2024-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_dags_test_runs_a_zip_mapping_as_airflow_2_5(env):
    result = dags_test("e2e_zip", env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    for line in ("pair[1]: success", "pair_longest[2]: success", "echo[1]: success", "longest: success"):
        assert line in result.stdout
    assert "pair[2]" not in result.stdout  # the shortest input sets the length
    assert "zipped=2b" in result.stdout


def test_dags_test_runs_a_mapped_task_group_per_index_as_airflow_2_5(env):
    result = dags_test("e2e_mapped_group", env)
    out = result.stdout
    assert "tg.double[1]: failed" in out, out[-3000:] + result.stderr[-2000:]
    for line in ("tg.label[1]: upstream_failed", "tg.label[2]: success", "total: success", "joined: success"):
        assert line in out
    assert "Returned value was: [22, 26]" in out
    assert result.returncode == 1  # tg.label[1] is a failed leaf
