"""``brisa dags test`` with operator extra links: each try stores its links' URLs as
XComs (``_link_<ClassName>``) whatever its outcome, for the API to read without the
operator's code; Airflow 3's ``get_link(operator, *, ti_key)``, 2.x's ``dttm`` form and an
``XComOperatorLink``-style link reading what the operator persisted all give their URL."""

import os
import subprocess
import sys
import textwrap

import pytest

DAG = textwrap.dedent(
    """
    from datetime import datetime

    from airflow import DAG
    from airflow.models.baseoperator import BaseOperator, BaseOperatorLink
    from airflow.models.xcom import XCom
    from airflow.operators.python import PythonOperator

    class RunLink(BaseOperatorLink):
        name = "Run console"

        def get_link(self, operator, *, ti_key):
            return f"https://console.example/{operator.job}/{ti_key.run_id}"

    class LegacyLink(BaseOperatorLink):
        name = "Legacy"

        def get_link(self, operator, dttm):
            return f"https://legacy.example/{dttm.date().isoformat()}"

    class JobLink(BaseOperatorLink):
        name = "Job"

        @classmethod
        def persist(cls, context, job_id):
            context["ti"].xcom_push(key=cls().xcom_key, value={"job_id": job_id})

        def get_link(self, operator, *, ti_key):
            conf = XCom.get_value(key=self.xcom_key, ti_key=ti_key)
            return f"https://jobs.example/{conf['job_id']}" if conf else ""

    class BrokenLink(BaseOperatorLink):
        name = "Broken"

        def get_link(self, operator, *, ti_key):
            raise RuntimeError("the console is down")

    class Submit(BaseOperator):
        operator_extra_links = (RunLink(), LegacyLink(), JobLink(), BrokenLink())

        def __init__(self, job, fail=False, **kwargs):
            super().__init__(**kwargs)
            self.job, self.fail = job, fail

        def execute(self, context):
            if self.fail:
                raise RuntimeError("job refused")
            JobLink.persist(context, job_id="j-42")

    def show(ti):
        for task_id in ("submit", "refused"):
            for key in ("_link_RunLink", "_link_LegacyLink", "_link_JobLink", "_link_BrokenLink"):
                print(f"LINK {task_id} {key} = {ti.xcom_pull(task_ids=task_id, key=key)}")

    with DAG("links", start_date=datetime(2024, 1, 1), schedule=None):
        ok = Submit(task_id="submit", job="etl")
        refused = Submit(task_id="refused", job="bad", fail=True)
        [ok, refused] >> PythonOperator(task_id="show", python_callable=show, trigger_rule="all_done")
    """
)


@pytest.fixture
def env(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "links.py").write_text(DAG)
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }


def test_each_try_stores_its_extra_links_as_xcoms(env):
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", "links", "2024-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = result.stdout + result.stderr
    assert "show: success" in out, out[-4000:]
    run_id = "manual__2024-01-01T00:00:00+00:00"
    for line in (
        f"LINK submit _link_RunLink = https://console.example/etl/{run_id}",
        "LINK submit _link_LegacyLink = https://legacy.example/2024-01-01",
        "LINK submit _link_JobLink = https://jobs.example/j-42",
        "LINK submit _link_BrokenLink = None",  # a failing link is logged, never fails the task
        f"LINK refused _link_RunLink = https://console.example/bad/{run_id}",  # failed try: links too
        "LINK refused _link_JobLink = None",  # nothing persisted: no URL
    ):
        assert line in out, out[-4000:]
    assert "the console is down" in out
    assert "submit: success" in out
