"""The DAG commands of issue "Airflow DAG files load and run unchanged", as a user runs them."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.seed import SEED_TUTORIAL
from tests.smtp_server import body_of

SEED = SEED_TUTORIAL
EXPECTED_BLOCK = ["2015-06-01", "2015-06-08", "Parameter I passed in"]


@pytest.fixture
def seed_env(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(SEED, dags / "tutorial_dag.py")
    (dags / "broken.py").write_text("from airflow import DAG\nraise RuntimeError('broken on purpose')\n")
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }


def brisa(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _echoed_lines(text):
    return [line.strip().removeprefix("echo ").strip('"') for line in text.splitlines() if "echo" in line]


def test_tasks_render_prints_the_seed_readme_lines_five_times(seed_env):
    result = brisa("tasks", "render", "tutorial", "templated", "2015-06-01", env=seed_env)
    assert result.returncode == 0, result.stderr
    assert "# property: bash_command" in result.stdout
    assert _echoed_lines(result.stdout) == EXPECTED_BLOCK * 5


def test_dags_test_runs_the_tutorial_to_success_without_a_database(seed_env):
    result = brisa("dags", "test", "tutorial", "2015-06-01", env=seed_env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    for task in ("print_date", "sleep", "templated"):
        assert f"{task}: success" in out
    lines = [line.split("] ")[-1].strip() for line in out.splitlines()]
    rendered = [line for line in lines if line in EXPECTED_BLOCK]
    assert rendered == EXPECTED_BLOCK * 5
    assert not (Path(seed_env["BRISA_HOME"]) / "brisa.db").exists()


PARAMS_DAG = """
from datetime import datetime
from airflow.decorators import task
from airflow.models.dag import DAG

with DAG("params_probe", schedule=None, start_date=datetime(2024, 1, 1)):
    @task
    def probe(params, test_mode=None, task=None):
        print(f"test_mode={test_mode} task_param={task.params.get('colour')} param={params['colour']}")

    probe()
"""


def test_tasks_test_sets_test_mode_and_task_params_like_airflow(seed_env):
    # Airflow's `tasks test` runs with context["test_mode"] True and -t updates task.params.
    Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"], "params_probe.py").write_text(PARAMS_DAG)
    result = brisa(
        "tasks", "test", "params_probe", "probe", "2024-01-01", "-t", '{"colour": "teal"}', env=seed_env
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "test_mode=True task_param=teal param=teal" in result.stdout


def test_dags_list_local_and_show(seed_env):
    listed = brisa("dags", "list", "--local", "-o", "json", env=seed_env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["dag_id"] for r in rows] == ["tutorial"]
    assert rows[0]["generation"] == "2"
    # The file that failed is named (on stderr, so -o json stays parseable).
    assert "1 DAG file(s) failed to load:" in listed.stderr
    assert "broken.py: RuntimeError: broken on purpose" in listed.stderr


def test_list_import_errors_local_parses_here_and_fails_when_a_file_is_broken(seed_env):
    result = brisa("dags", "list-import-errors", "--local", "-o", "json", env=seed_env)
    assert result.returncode == 1
    (error,) = json.loads(result.stdout)
    assert error["filename"].endswith("broken.py") and error["lineno"] == 2
    assert "RuntimeError: broken on purpose" in error["error"]
    Path(error["filename"]).unlink()
    clean = brisa("dags", "list-import-errors", "--local", env=seed_env)
    assert clean.returncode == 0, clean.stderr
    assert "No data found" in clean.stdout


def test_dags_test_of_a_dag_whose_file_failed_says_so(seed_env):
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    (dags / "half.py").write_text("from airflow import DAG\nraise ValueError('typo in half.py')\n")
    result = brisa("dags", "test", "half", "2024-01-01", env=seed_env, timeout=60)
    assert result.returncode == 3
    assert "DAG 'half' not found" in result.stderr
    assert "These DAG files failed to load and may define it:" in result.stderr
    assert "half.py: ValueError: typo in half.py" in result.stderr


def test_unknown_dag_is_a_clear_error(seed_env):
    result = brisa("tasks", "render", "no_such_dag", "t", "2015-06-01", env=seed_env)
    assert result.returncode == 3
    assert "no_such_dag" in result.stderr


def test_import_errors_are_listed_after_the_scheduler_parsed(seed_env):
    from brisa.cli.wiring import load_settings  # noqa: F401  (import check only)

    assert brisa("db", "migrate", env=seed_env).returncode == 0
    code = (
        "import os\n"
        "from brisa.cli import wiring\n"
        "from brisa.cli.engine import Engine\n"
        "e = Engine(wiring.prepare_settings())\n"
        "e.start(); e.load_dags(); e.request_stop(); e.shutdown()\n"
    )
    assert subprocess.run([sys.executable, "-c", code], env=seed_env, timeout=120).returncode == 0
    listed_errors = brisa("dags", "list-import-errors", "-o", "json", env=seed_env)
    assert listed_errors.returncode == 1  # as Airflow's: errors make the command fail
    errors = json.loads(listed_errors.stdout)
    assert len(errors) == 1
    assert errors[0]["filename"].endswith("broken.py")
    assert "broken on purpose" in errors[0]["error"]
    assert errors[0]["lineno"] == 2
    shown = brisa("dags", "show", "tutorial", env=seed_env)
    assert "print_date (BashOperator) >> sleep, templated" in shown.stdout
    listed = json.loads(brisa("dags", "list", "-o", "json", env=seed_env).stdout)
    assert [r["dag_id"] for r in listed] == ["tutorial"]


PAUSED_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG("born_paused", schedule=None, start_date=datetime(2024, 1, 1), is_paused_upon_creation=True):
    EmptyOperator(task_id="only")
"""


def test_dags_test_runs_a_dag_that_is_paused_upon_creation(seed_env):
    # Airflow's `dags test` ignores pausing; Brisa's used to loop forever on such a DAG.
    Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"], "born_paused.py").write_text(PAUSED_DAG)
    result = brisa("dags", "test", "born_paused", "2024-01-01", env=seed_env, timeout=60)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "only: success" in result.stdout


CALLBACK_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

def on_failure(context):
    print(f"dag callback: {context['reason']} {context['dag_run'].run_id}")

with DAG("with_dag_callback", schedule=None, start_date=datetime(2024, 1, 1), on_failure_callback=on_failure):
    BashOperator(task_id="boom", bash_command="exit 1")
"""


def test_dags_test_calls_the_dag_level_callback_like_airflow(seed_env):
    # Airflow's dag.test() runs the DAG's on_failure/on_success callback when the run ends.
    Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"], "with_dag_callback.py").write_text(CALLBACK_DAG)
    result = brisa("dags", "test", "with_dag_callback", "2024-01-01", env=seed_env, timeout=60)
    assert "boom: failed" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert "dag callback: task_failure manual__2024-01-01T00:00:00+00:00" in result.stdout


def test_dags_test_lets_tasks_and_callbacks_read_the_runs_task_instances(seed_env, tmp_path):
    # The end-to-end DAG of tests/e2e: it writes what it saw to <dags>/../markers.
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    shutil.copy(Path(__file__).parents[1] / "e2e" / "dags" / "run_task_instances.py", dags)
    result = brisa("dags", "test", "e2e_run_task_instances", "2024-01-01", env=seed_env, timeout=60)
    assert "load: upstream_failed" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]

    def seen(name):
        return json.loads((tmp_path / "markers" / f"{name}.json").read_text())

    assert seen("inspect")["extract"] == ["failed", 1, True]
    assert seen("task_callback") == [["extract", "failed"]]
    assert seen("dag_callback")["failed"] == [["extract", "failed"]]
    assert seen("dag_callback")["all"] == [
        ["extract", "failed"],
        ["inspect", "success"],
        ["load", "upstream_failed"],
    ]


def test_dags_test_lets_the_dag_callback_read_variables_and_connections(seed_env, tmp_path):
    # The end-to-end DAG of tests/e2e: its failure callback writes what it read to <dags>/../markers.
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    shutil.copy(Path(__file__).parents[1] / "e2e" / "dags" / "dag_callback_secrets.py", dags)
    env = {
        **seed_env,
        "AIRFLOW_VAR_WEBHOOK": "https://hooks.example.com/services/T0/B1",
        "AIRFLOW_CONN_ALERTS": "http://bot:s3cr3t-alert-pw@alerts.example.com",
        "BRISA__API__BASE_URL": "https://brisa.example.com",
    }
    result = brisa("dags", "test", "e2e_dag_callback_secrets", "2024-01-01", env=env, timeout=60)
    assert "extract: failed" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert json.loads((tmp_path / "markers" / "dag_callback_secrets.json").read_text()) == {
        "webhook": "https://hooks.example.com/services/T0/B1",
        "password": "s3cr3t-alert-pw",
        "base_url": "https://brisa.example.com",
        "reason": "task_failure",
    }


TOP_LEVEL_VARIABLE_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

bucket = Variable.get("bucket")
with DAG("reads_a_variable", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(task_id="copy", bash_command=f"echo copying to {bucket}")
"""


def test_a_dag_file_reading_a_variable_at_top_level_renders_and_lists(seed_env):
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    (dags / "reads_a_variable.py").write_text(TOP_LEVEL_VARIABLE_DAG)
    env = {**seed_env, "AIRFLOW_VAR_BUCKET": "s3-raw"}
    rendered = brisa("tasks", "render", "reads_a_variable", "copy", "2024-01-01", env=env)
    assert rendered.returncode == 0, rendered.stderr
    assert "echo copying to s3-raw" in rendered.stdout
    listed = brisa("dags", "list", "--local", "-o", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "reads_a_variable" in {d["dag_id"] for d in json.loads(listed.stdout)}


@pytest.mark.postgres
def test_dags_test_runs_a_postgres_sql_dag_with_its_sql_file(seed_env, tmp_path, pg_scratch_database):
    # The end-to-end DAG of tests/e2e, with the .sql file it keeps next to it.
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    for name in ("sql_providers.py", "sql_providers_load.sql"):
        shutil.copy(Path(__file__).parents[1] / "e2e" / "dags" / name, dags)
    # `dags test` prints secrets unmasked on the user's terminal: the password-masking
    # check is in tests/e2e/test_sql_providers.py, through the scheduler's task logs.
    uri = f"postgres://postgres@127.0.0.1:5432/{pg_scratch_database}"
    env = {**seed_env, "AIRFLOW_CONN_MY_PG": uri}
    result = brisa("dags", "test", "e2e_sql_providers", "2024-01-01", env=env, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for task in ("load", "read", "check"):
        assert f"{task}: success" in result.stdout
    rows = [["2024-01-01", "heroku"], ["2024-01-01", "dag:e2e_sql_providers"]]
    assert json.loads((tmp_path / "markers" / "sql_providers.json").read_text()) == rows
    assert f"connected to {uri.replace('postgres://', 'postgresql://')}" in result.stdout
    landed = psycopg.connect(f"host=127.0.0.1 user=postgres dbname={pg_scratch_database}")
    with landed:
        assert landed.execute("SELECT day, source FROM events ORDER BY id").fetchall() == [
            tuple(r) for r in rows
        ]


def test_dags_test_emails_the_retry_and_failure_alerts_and_the_email_operators_mail(seed_env, smtp):
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    shutil.copy(Path(__file__).parents[1] / "e2e" / "dags" / "email_alerts.py", dags)
    env = {**seed_env, **smtp.env}
    result = brisa("dags", "test", "e2e_email_alerts", "2024-01-01", env=env, timeout=90)
    assert "fail: failed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    # dags test retries as Airflow's dag.test() does (retries=1): a retry alert, then a failure one.
    mails = smtp.wait_for(3)
    report = next(m for m in mails if m.message["Subject"] == "Report 2024-01-01")
    assert report.recipients == ["team@example.com"]
    assert "e2e_email_alerts ran for 2024-01-01" in body_of(report.message)
    retry, failure = (m for m in mails if m is not report)
    assert retry.recipients == failure.recipients == ["ops@example.com"]
    assert retry.message["Subject"].endswith(" [up_for_retry]>")
    assert "Try 1 out of 2<br>" in body_of(retry.message)
    subject = failure.message["Subject"]
    assert subject.startswith("Airflow alert: <TaskInstance: e2e_email_alerts.fail ")
    assert subject.endswith(" [failed]>")
    assert "Try 2 out of 2<br>" in body_of(failure.message)
    assert "Sent an alert email to ['ops@example.com']" in result.stdout


def test_dags_test_without_smtp_warns_in_the_task_log_and_fails_only_the_task(seed_env):
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    (dags / "alert.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.operators.bash import BashOperator\n"
        "with DAG('alert', schedule=None, start_date=datetime(2024, 1, 1)) as dag:\n"
        "    BashOperator(task_id='fail', bash_command='exit 1', email='ops@example.com')\n"
    )
    result = brisa("dags", "test", "alert", "2024-01-01", env=seed_env, timeout=60)
    assert "fail: failed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    assert "email_on_failure is set but [smtp] smtp_host is not configured: no email sent" in result.stdout


FLAKY_DAG = """
from datetime import datetime, timedelta
from pathlib import Path
from airflow import DAG
from airflow.operators.python import PythonOperator

MARK = Path({mark!r})

def flaky():
    if not MARK.exists():
        MARK.write_text("failed once")
        raise RuntimeError("first try fails")
    print("second try succeeds")

with DAG("flaky", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="flaky", python_callable=flaky, retries=1, retry_delay=timedelta(seconds=1))
"""


def test_dags_test_retries_a_failed_task_after_its_retry_delay_like_airflow(seed_env, tmp_path):
    # Airflow 2.5+ and 3.x dag.test(): a failed try with retries left is up for retry and
    # runs again once retry_delay has passed; the run ends with the retry's outcome.
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    (dags / "flaky.py").write_text(FLAKY_DAG.format(mark=str(tmp_path / "mark")))
    result = brisa("dags", "test", "flaky", "2024-01-01", env=seed_env, timeout=60)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RuntimeError: first try fails" in result.stdout
    assert "--- flaky (try 2 of 2)" in result.stdout
    assert "second try succeeds" in result.stdout
    assert "flaky: success" in result.stdout


TRIGGERING_DAGS = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("target", schedule=None, start_date=datetime(2024, 1, 1)):
    EmptyOperator(task_id="never_run_by_the_test")

with DAG("controller", schedule=None, start_date=datetime(2024, 1, 1)):
    TriggerDagRunOperator(task_id="trigger", trigger_dag_id="target", trigger_run_id="from_controller")
"""


def test_dags_test_finds_the_other_dags_of_the_folder(seed_env):
    # Airflow's dag.test() finds the DAG a TriggerDagRunOperator names in its metadata
    # database and creates its run (which dag.test() itself does not run).
    Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"], "triggering.py").write_text(TRIGGERING_DAGS)
    result = brisa("dags", "test", "controller", "2024-01-01", env=seed_env, timeout=60)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "not found" not in result.stdout
    assert "trigger: success" in result.stdout
    assert "never_run_by_the_test" not in result.stdout


LEGACY_XCOM_DAGS = """
from datetime import datetime
from {dag_module} import DAG
from {python_module} import BranchPythonOperator, PythonOperator
from {empty_module} import {empty} as Empty

def choose(ti):
    ti.xcom_push(key="route", value="left")

def branch(ti):
    return ti.xcom_pull(key="route") or "right"

with DAG("{dag_id}", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="choose", python_callable=choose) >> BranchPythonOperator(
        task_id="branch", python_callable=branch
    ) >> [Empty(task_id="left"), Empty(task_id="right")]
"""


@pytest.mark.parametrize(
    ("generation", "modules", "taken", "skipped"),
    [
        # Airflow 1.10 and 2.x: xcom_pull(task_ids=None) has no task filter: "choose"'s XCom.
        (
            "1.10",
            (
                "airflow",
                "airflow.operators.python_operator",
                "airflow.operators.dummy_operator",
                "DummyOperator",
            ),
            "left",
            "right",
        ),
        (
            "2",
            ("airflow", "airflow.operators.python", "airflow.operators.empty", "EmptyOperator"),
            "left",
            "right",
        ),
        # Airflow 3: task_ids=None means the calling task ("branch" pushed nothing).
        (
            "3",
            (
                "airflow.sdk",
                "airflow.providers.standard.operators.python",
                "airflow.providers.standard.operators.empty",
                "EmptyOperator",
            ),
            "right",
            "left",
        ),
    ],
)
def test_xcom_pull_by_key_alone_follows_the_files_airflow(seed_env, generation, modules, taken, skipped):
    dag_module, python_module, empty_module, empty = modules
    dag_id = f"xcom_{generation.replace('.', '_')}"
    source = LEGACY_XCOM_DAGS.format(
        dag_module=dag_module,
        python_module=python_module,
        empty_module=empty_module,
        empty=empty,
        dag_id=dag_id,
    )
    Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"], f"{dag_id}.py").write_text(source)
    result = brisa("dags", "test", dag_id, "2024-01-01", env=seed_env, timeout=60)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"{taken}: success" in result.stdout
    assert f"{skipped}: skipped" in result.stdout


E2E_DAGS = Path(__file__).resolve().parent.parent / "e2e" / "dags"


@pytest.mark.parametrize("parent", ["e2e_subdag_1_10", "e2e_subdag_2x"])
def test_dags_test_runs_a_sub_dag_as_the_child_of_the_run(seed_env, parent):
    """Issue 15: SubDagOperator of a 1.10 and a 2.x file under `dags test`: the sub-DAG's
    run gets the parent run's conf, and the operator succeeds when it succeeds."""
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    for name in ("subdag_1_10.py", "subdag_2x.py"):
        shutil.copy(E2E_DAGS / name, dags / name)
    result = brisa("dags", "test", parent, "2024-01-01", "-c", '{"colour": "teal"}', env=seed_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"--- sub-DAG {parent}.inner" in result.stdout
    lines = [line.split("] ")[-1].strip() for line in result.stdout.splitlines()]
    assert "teal" in lines
    assert "  inner: success" in result.stdout.splitlines()
    assert f"DAG run of {parent} at 2024-01-01T00:00:00+00:00 ended as success" in result.stdout


@pytest.mark.parametrize("parent", ["e2e_subdag_1_10_failing", "e2e_subdag_2x_failing"])
def test_dags_test_fails_a_sub_dag_operator_whose_child_run_fails(seed_env, parent):
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    for name in ("subdag_1_10.py", "subdag_2x.py"):
        shutil.copy(E2E_DAGS / name, dags / name)
    result = brisa("dags", "test", parent, "2024-01-01", env=seed_env)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert "AirflowException: Expected state: success. Actual state: failed" in result.stdout
    assert "  inner: failed" in result.stdout.splitlines()


def test_dags_list_leaves_sub_dags_out_and_dags_details_still_finds_them(seed_env):
    """Issue 15: as Airflow 1.10/2.x's DAG list (``is_subdag``), a SubDagOperator's child DAG
    is not listed; it stays reachable by its id."""
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    shutil.copy(E2E_DAGS / "subdag_2x.py", dags / "subdag_2x.py")
    for args in (("db", "migrate"), ("dags", "reserialize")):
        assert brisa(*args, env=seed_env).returncode in (0, 1)  # 1: broken.py is an import error
    listed = brisa("dags", "list", "-o", "json", env=seed_env)
    assert listed.returncode == 0, listed.stderr
    ids = {row["dag_id"] for row in json.loads(listed.stdout)}
    assert "e2e_subdag_2x" in ids and "e2e_subdag_2x.inner" not in ids
    details = brisa("dags", "details", "e2e_subdag_2x.inner", "-o", "json", env=seed_env)
    assert details.returncode == 0, details.stderr
    assert "e2e_subdag_2x.inner" in details.stdout


def test_dags_test_retries_a_sub_dag_operator_by_clearing_only_the_childs_failed_tasks(seed_env, tmp_path):
    """Issue 15: as the scheduler path (Airflow 2.10's SubDagOperator retry), `dags test`
    runs again only the child run's failed task; its successful ``first`` keeps its try."""
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    shutil.copy(E2E_DAGS / "subdag_2x.py", dags / "subdag_2x.py")
    (tmp_path / "markers").mkdir()  # where the flaky task leaves its flag (next to dags/)
    result = brisa("dags", "test", "e2e_subdag_2x_retried", "2024-01-01", env=seed_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    started = [line for line in result.stdout.splitlines() if line.startswith("--- ")]
    assert [line for line in started if line.startswith("--- first")] == ["--- first"]
    flaky = [line for line in started if line.startswith("--- flaky")]
    assert flaky == ["--- flaky", "--- flaky (try 2 of 2)"]
    assert "  inner: success" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("bash_import", "shown"),
    [
        ("from airflow.operators.bash_operator import BashOperator", "colour=red"),  # a 1.10 file
        ("from airflow.operators.bash import BashOperator", "colour=teal"),  # a 2.x file
    ],
)
def test_a_runs_conf_overrides_params_except_in_a_1_10_file(seed_env, bash_import, shown):
    """Airflow 1.10.15's ``dag_run_conf_overrides_params`` defaulted to False, 2.0's to True."""
    dags = Path(seed_env["AIRFLOW__CORE__DAGS_FOLDER"])
    (dags / "colours.py").write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        f"{bash_import}\n"
        "with DAG('colours', start_date=datetime(2024, 1, 1), schedule_interval=None,\n"
        "         params={'colour': 'red'}) as dag:\n"
        "    BashOperator(task_id='show', bash_command='echo colour={{ params.colour }}')\n"
    )
    result = brisa("dags", "test", "colours", "2024-01-01", "-c", '{"colour": "teal"}', env=seed_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    lines = [line.split("] ")[-1].strip() for line in result.stdout.splitlines()]
    assert {line for line in lines if line.startswith("colour=")} == {shown}
