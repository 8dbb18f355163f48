"""Airflow's DAG-developer workflow with Brisa installed and no Apache Airflow: a project's
``DagBag`` tests under plain pytest, ``python my_dag.py`` ending in ``dag.test()``, and
scripts reading and writing variables (brisa/airflow_hook.py, brisa/cli/outside.py,
brisa/loader/dagbag.py).

Each runs in a real subprocess of a virtualenv whose site-packages holds
``brisa-airflow.pth`` exactly as the wheel installs it (the virtualenv sees this
environment's packages, Brisa included), so the interpreter-start hook itself is tested.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from brisa.airflow_hook import PTH_LINE, PTH_NAME

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hooked_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("hooked") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # This checkout on the path before the hook's line runs, as an installed Brisa would be
    # (the system site-packages, where the editable install points here, come after).
    (Path(purelib) / "_brisa_checkout.pth").write_text(f"{ROOT}\n")
    (Path(purelib) / PTH_NAME).write_text(PTH_LINE)
    return python


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "dags").mkdir()
    (tmp_path / "home").mkdir()
    return tmp_path


def run(python: Path, *args: str, project: Path, extra_env: dict[str, str] | None = None, timeout: int = 180):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "PYTHONPATH"))}
    env.update(
        BRISA_HOME=str(project / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(project / "dags"),
        BRISA__CORE__LOAD_EXAMPLES="False",
        **(extra_env or {}),
    )
    return subprocess.run(
        [str(python), *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


# -- the hook ------------------------------------------------------------------------------------


def test_the_wheel_carries_the_hook_line_setup_py_and_the_hook_agree(tmp_path: Path) -> None:
    setup_py = ast.parse((ROOT / "setup.py").read_text())
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in setup_py.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert (constants["PTH_NAME"], constants["PTH_LINE"]) == (PTH_NAME, PTH_LINE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            str(ROOT),
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("brisa-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(PTH_NAME).decode() == PTH_LINE


def test_import_airflow_works_outside_brisa_and_never_shadows_a_real_airflow(hooked_python, project):
    result = run(
        hooked_python,
        "-c",
        "import airflow; from airflow.models import DagBag; print(airflow.__version__)",
        project=project,
    )
    assert result.returncode == 0, result.stderr
    real = project / "real"
    write(real / "airflow" / "__init__.py", "REAL = True\n")
    result = run(
        hooked_python,
        "-c",
        "import airflow; print(airflow.REAL)",
        project=project,
        extra_env={"PYTHONPATH": str(real)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_hook_can_be_switched_off(hooked_python, project):
    result = run(
        hooked_python, "-c", "import airflow", project=project, extra_env={"BRISA_AIRFLOW_HOOK": "0"}
    )
    assert result.returncode != 0
    assert "ModuleNotFoundError: No module named 'airflow'" in result.stderr


# -- a project's DagBag tests ----------------------------------------------------------------------

GOOD_DAG = """
from datetime import datetime, timedelta
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("good", schedule="@daily", start_date=datetime(2024, 1, 1), tags=["etl"],
         default_args={"retries": 2, "retry_delay": timedelta(minutes=1)}):
    extract = BashOperator(task_id="extract", bash_command="echo hi")
    extract >> BashOperator(task_id="load", bash_command="true")
"""

PROJECT_TESTS = """
import pytest
from airflow.models import DagBag
from airflow.utils.dag_cycle_tester import check_cycle


@pytest.fixture(scope="module")
def dagbag():
    return DagBag(dag_folder="dags", include_examples=False)


def test_no_import_errors(dagbag):
    assert not dagbag.import_errors, dagbag.import_errors


def test_dags_and_their_tasks(dagbag):
    assert dagbag.dag_ids == ["good"]
    dag = dagbag.get_dag("good")
    assert dag.tags == ["etl"]
    assert [t.task_id for t in dag.tasks] == ["extract", "load"]
    assert dag.get_task("extract").retries == 2
    assert dag.get_task("load").upstream_task_ids == {"extract"}
    check_cycle(dag)
"""


def test_a_projects_dagbag_tests_pass_under_plain_pytest(hooked_python, project):
    write(project / "dags" / "good.py", GOOD_DAG)
    write(project / "tests" / "test_dags.py", PROJECT_TESTS)
    result = run(hooked_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", project=project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout


def test_dagbag_reports_each_broken_file_as_airflow_does(hooked_python, project):
    write(project / "dags" / "good.py", GOOD_DAG)
    write(
        project / "dags" / "broken.py", "from airflow import DAG\nraise RuntimeError('broken on purpose')\n"
    )
    write(project / "dags" / "unknown.py", "from airflow import DAG\nfrom airflow.providers.nope import X\n")
    write(project / "dags" / "twice.py", GOOD_DAG)
    write(
        project / "dags" / "cycle.py",
        """
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("cycle", schedule=None, start_date=datetime(2024, 1, 1)):
            a, b = EmptyOperator(task_id="a"), EmptyOperator(task_id="b")
            a >> b >> a
        """,
    )
    probe = """
from airflow.models import DagBag
bag = DagBag("dags", include_examples=False)
for path, error in sorted(bag.import_errors.items()):
    print(path.rsplit("/", 1)[-1], "|", error.strip().splitlines()[-1])
print("dags:", sorted(bag.dags), bag.size())
"""
    result = run(hooked_python, "-c", probe, project=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "broken.py | RuntimeError: broken on purpose" in lines
    assert any(
        line.startswith("cycle.py | AirflowDagCycleException: Cycle detected in DAG: cycle") for line in lines
    )
    assert any(line.startswith("unknown.py |") and "airflow.providers.nope" in line for line in lines)
    assert any(
        line.startswith("twice.py | AirflowDagDuplicatedIdException: Ignoring DAG good") for line in lines
    )
    assert lines[-1] == "dags: ['good'] 1"


# -- python my_dag.py ----------------------------------------------------------------------------

MAIN_DAG_2 = """
from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator

def hello(ds, **_):
    print(f"hello from {ds}")

with DAG("main_two", schedule="@daily", start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="hello", python_callable=hello)

if __name__ == "__main__":
    dag.test(execution_date=datetime(2024, 3, 1))
"""

MAIN_DAG_3 = """
from airflow.sdk import dag, task

@dag(schedule=None)
def main_three():
    @task
    def numbers():
        return [1, 2, 3]

    @task
    def total(values):
        print(f"total={sum(values)}")

    total(numbers())

the_dag = main_three()

if __name__ == "__main__":
    the_dag.test()
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [(MAIN_DAG_2, ["hello from 2024-03-01", "hello: success"]), (MAIN_DAG_3, ["total=6", "total: success"])],
    ids=["airflow-2", "airflow-3"],
)
def test_python_dag_file_runs_dag_test(hooked_python, project, source, expected):
    path = write(project / "dags" / "my_dag.py", source)
    result = run(hooked_python, str(path), project=project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in expected:
        assert line in result.stdout


# -- scripts -------------------------------------------------------------------------------------


def test_a_script_writes_and_reads_variables_and_reads_connections(hooked_python, project):
    script = """
from airflow.models import Variable, Connection
from airflow.sdk import Variable as SdkVariable
from airflow.hooks.base import BaseHook

Variable.set("region", "eu-west-1")
Variable.set("config", {"retries": 3}, serialize_json=True)
print("region", SdkVariable.get("region"))
print("config", Variable.get("config", deserialize_json=True)["retries"])
print("missing", Variable.get("missing", default_var="fallback"))
conn = BaseHook.get_connection("warehouse")
print("conn", conn.host, conn.login, conn.port)
Variable.delete("config")
print("deleted", Variable.get("config", default_var=None))
"""
    env = {"AIRFLOW_CONN_WAREHOUSE": "postgres://etl:secret@db.example:5433/dw"}
    result = run(hooked_python, "-c", script, project=project, extra_env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # (a new home first gets its keys, as `brisa variables set` would make them)
    assert result.stdout.splitlines()[-5:] == [
        "region eu-west-1",
        "config 3",
        "missing fallback",
        "conn db.example etl 5433",
        "deleted None",
    ]
    # Stored in Brisa's metadata database: the CLI reads what the script wrote.
    cli = run(hooked_python, "-m", "brisa.cli", "variables", "get", "region", project=project)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == "eu-west-1"


MAIN_MARK_SUCCESS = """
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("main_marked", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    BashOperator(task_id="extract_from_prod", bash_command="exit 1") >> BashOperator(
        task_id="transform", bash_command="echo transformed"
    )

if __name__ == "__main__":
    dag.test(mark_success_pattern="^extract_")
"""


def test_dag_test_marks_matching_tasks_success_instead_of_running_them(hooked_python, project):
    path = write(project / "dags" / "marked.py", MAIN_MARK_SUCCESS)
    result = run(hooked_python, str(path), project=project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "extract_from_prod: success" in result.stdout and "transformed" in result.stdout
