"""PythonVirtualenvOperator, ExternalPythonOperator and their decorators (issue 15).

The DAG tests run ``brisa dags test`` as a user does, with real environments built by
``uv`` (the requirement is ``six``, tiny and usually in uv's cache); the environment
helpers are checked directly with a recording runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from brisa.sdk import venv
from brisa.sdk.decorators.operators import remove_task_decorators
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.python_virtualenv import render_script, requirement_names

SIX = "six==1.16.0"


@pytest.fixture
def env(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }


def write_dag(env, name, source):
    Path(env["AIRFLOW__CORE__DAGS_FOLDER"], f"{name}.py").write_text(textwrap.dedent(source))


def dags_test(env, dag_id, timeout=300):
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", dag_id, "2024-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """An interpreter of another environment: no Brisa, no pendulum, no SQLAlchemy."""
    where = tmp_path_factory.mktemp("external") / "env"
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(where)], check=True, timeout=120)
    return str(where / "bin" / "python")


# -- through `brisa dags test` ----------------------------------------------------------------
AIRFLOW_2_DAG = """
from __future__ import annotations

from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator, PythonVirtualenvOperator


def in_venv(number: int, day: pd.Timestamp, ds=None) -> datetime:  # names the venv lacks
    import sys

    import six

    try:
        import sqlalchemy  # noqa: F401  (a package of the host, not of this environment)
        host = "visible"
    except ImportError:
        host = "hidden"
    print(f"string_args={virtualenv_string_args}")
    return {"six": six.__version__, "sum": number + 1, "day": day, "ds": ds, "host": host,
            "prefix": sys.prefix}


def show(ti):
    print("pulled=" + repr(sorted(ti.xcom_pull(task_ids="venv").items())))


with DAG("venv2", schedule=None, start_date=datetime(2024, 1, 1)):
    venv = PythonVirtualenvOperator(
        task_id="venv",
        python_callable=in_venv,
        requirements=["six==1.16.0"],
        system_site_packages=False,
        op_args=[41],
        op_kwargs={"day": "{{ ds_nodash }}"},
        string_args=["a", "b"],
    )
    venv >> PythonOperator(task_id="show", python_callable=show)
"""


def test_virtualenv_operator_runs_the_callable_in_a_new_env_and_pushes_its_result(env):
    # Airflow 2.10: requirements installed in a fresh environment without the host's
    # packages, op_kwargs templated, string_args as a global, `ds` passed, result -> XCom.
    write_dag(env, "venv2", AIRFLOW_2_DAG)
    code, out = dags_test(env, "venv2")
    assert code == 0, out[-3000:]
    assert "string_args=['a', 'b']" in out
    pulled = next(line for line in out.splitlines() if line.startswith("pulled="))
    assert "('day', '20240101')" in pulled and "('ds', '2024-01-01')" in pulled
    assert "('host', 'hidden')" in pulled and "('six', '1.16.0')" in pulled and "('sum', 42)" in pulled
    prefix = pulled.split("('prefix', '")[1].split("'")[0]
    assert prefix != sys.prefix and not Path(prefix).exists()  # a temporary environment, removed


AIRFLOW_3_DAG = """
from datetime import datetime
from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2024, 1, 1), template_searchpath=["{folder}"])
def venv3():
    @task.virtualenv(requirements="requirements.txt", venv_cache_path="shared", multiple_outputs=True)
    def build(logical_date=None):
        import sys

        import six

        return {{"six": six.__version__, "python": sys.executable, "year": logical_date.year}}

    @task
    def report(six, python, year):
        print(f"report six={{six}} year={{year}} python={{python}}")

    built = build()
    report(built["six"], built["python"], built["year"])


venv3()
"""


def test_task_virtualenv_caches_its_env_under_brisa_home_and_reuses_it(env, tmp_path):
    # Airflow 3: @task.virtualenv, requirements read from a templated .txt file, the env
    # cached in venv_cache_path/venv-<hash> (relative: under $BRISA_HOME/venvs) and reused.
    folder = env["AIRFLOW__CORE__DAGS_FOLDER"]
    Path(folder, "requirements.txt").write_text("six=={{ '1.16' }}.0\n")
    write_dag(env, "venv3", AIRFLOW_3_DAG.format(folder=folder))
    code, out = dags_test(env, "venv3")
    assert code == 0, out[-3000:]
    assert "report six=1.16.0 year=2024" in out
    cached = list((tmp_path / "home" / "venvs" / "shared").glob("venv-*/bin/python"))
    assert len(cached) == 1 and f"python={cached[0]}" in out
    assert "New Python virtual environment created" in out
    code, again = dags_test(env, "venv3")
    assert code == 0, again[-3000:]
    assert "Reusing cached Python virtual environment" in again and f"python={cached[0]}" in again


EXTERNAL_DAG = """
from datetime import datetime
from airflow.providers.standard.operators.python import BranchExternalPythonOperator, ExternalPythonOperator
from airflow.sdk import DAG, task

PYTHON = {python!r}


def where(ds, logical_date=None):
    import sys

    from helpers import SUFFIX  # a module of the DAGs folder

    return f"{{sys.executable}} ds={{ds}} logical_date={{logical_date}}{{SUFFIX}}"


def choose():
    return "right"


with DAG("external", schedule=None, start_date=datetime(2024, 1, 1)):
    ext = ExternalPythonOperator(task_id="ext", python=PYTHON, python_callable=where)

    @task.external_python(python=PYTHON)
    def decorated(value):
        return value.upper()

    branch = BranchExternalPythonOperator(task_id="branch", python=PYTHON, python_callable=choose)

    @task
    def left():
        pass

    @task
    def right():
        pass

    @task.branch_external_python(python=PYTHON)
    def pick():
        return ["after"]

    @task
    def after():
        pass

    @task
    def never():
        pass

    decorated(ext.output)
    branch >> [left(), right()]
    pick() >> [after(), never()]
"""


def test_external_python_runs_the_given_interpreter_and_passes_only_what_it_can_load(env, bare_python):
    # Airflow 3: without pendulum in the target, date context keys are not passed; the DAG
    # bundle (folder) is on the subprocess's PYTHONPATH; the branch forms follow the ids.
    write_dag(env, "external", EXTERNAL_DAG.format(python=bare_python))
    Path(env["AIRFLOW__CORE__DAGS_FOLDER"], "helpers.py").write_text("SUFFIX = '!'\n")
    code, out = dags_test(env, "external", timeout=300)
    assert code == 0, out[-3000:]
    assert f"Returned value was: {bare_python} ds=2024-01-01 logical_date=None!" in out
    assert f"Returned value was: {bare_python.upper()} DS=2024-01-01 LOGICAL_DATE=NONE!" in out
    for task_id, state in [
        ("left", "skipped"),
        ("right", "success"),
        ("after", "success"),
        ("never", "skipped"),
    ]:
        assert f"{task_id}: {state}" in out


FAILURES_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.python_operator import PythonVirtualenvOperator
from airflow.operators.python import ExternalPythonOperator

PYTHON = {python!r}


def leave(code):
    import sys

    sys.exit(code)


def boom():
    raise ValueError("the callable broke")


def value():
    return 1


with DAG("failures", schedule=None, start_date=datetime(2024, 1, 1)):
    ExternalPythonOperator(task_id="skips", python=PYTHON, python_callable=leave, op_args=[3],
                           skip_on_exit_code=3)
    ExternalPythonOperator(task_id="breaks", python=PYTHON, python_callable=boom)
    ExternalPythonOperator(task_id="no_cloudpickle", python=PYTHON, python_callable=value,
                           serializer="cloudpickle")
    PythonVirtualenvOperator(task_id="dill_1_10", python_callable=value, use_dill=True,
                             provide_context=True)
"""


def test_exit_codes_errors_and_missing_serializers_say_what_happened(env, bare_python):
    write_dag(env, "failures", FAILURES_DAG.format(python=bare_python))
    code, out = dags_test(env, "failures")
    assert code != 0
    assert "skips: skipped" in out
    assert "breaks: failed" in out and "Process returned non-zero exit status 1.\nthe callable broke" in out
    # cloudpickle is installed where Brisa runs, not in the target environment.
    assert "no_cloudpickle: failed" in out
    assert "The serializer 'cloudpickle' is not installed in this environment" in out
    # 1.10's use_dill=True means the dill serializer (not installed here).
    assert "dill_1_10: failed" in out and "serializer='dill' needs the dill package" in out


def test_lambdas_and_unknown_serializers_are_refused_when_the_dag_is_defined():
    from brisa.sdk.dag import DAG
    from brisa.sdk.exceptions import AirflowException
    from brisa.sdk.operators.python_virtualenv import PythonVirtualenvOperator

    def function():
        return 1

    with DAG("d", schedule=None):
        with pytest.raises(ValueError, match="only supports functions"):
            PythonVirtualenvOperator(task_id="a", python_callable=lambda: 1)
        with pytest.raises(AirflowException, match="Unsupported serializer 'json'"):
            PythonVirtualenvOperator(task_id="b", python_callable=function, serializer="json")


# -- the pieces ------------------------------------------------------------------------------------
def test_task_decorators_are_removed_from_the_source_and_others_kept():
    source = textwrap.dedent(
        """\
        @task.virtualenv(
            requirements=["six"],
        )
        @functools.cache
        def f(x):
            return x
        """
    )
    assert remove_task_decorators(source) == "@functools.cache\ndef f(x):\n    return x\n"
    assert remove_task_decorators("@setup\n@teardown\ndef g():\n    pass\n") == "def g():\n    pass\n"


def test_the_script_aliases_the_dag_module_and_reads_arguments_only_when_there_are_some():
    script = render_script(
        source="def f():\n    return 1\n",
        name="f",
        module="unusual_prefix_abc_my_dag",
        serializer="pickle",
        has_args=False,
        expect_airflow=True,
    )
    compile(script, "script.py", "exec")
    assert 'sys.modules["unusual_prefix_abc_my_dag"]' in script.replace("'", '"')
    assert "sys.argv[1]" not in script and "install_shim()" in script


def test_requirement_names_skip_comments_options_and_versions():
    lines = ["apache-airflow==2.10.5 # pinned", "-r other.txt", "# comment\nPendulum>=3", "six"]
    assert list(requirement_names(lines)) == ["apache-airflow", "pendulum", "six"]


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, cmd, env):
        self.calls.append((list(cmd), dict(env)))
        if "venv" in cmd:
            python = Path(cmd[-1]) / "bin" / "python"
            python.parent.mkdir(parents=True, exist_ok=True)
            python.touch()


def test_pip_method_uses_venv_and_pip_with_the_index_urls_in_pip_conf(tmp_path):
    spec = venv.VenvSpec(requirements=(SIX,), index_urls=("https://a/simple", "https://b/simple"))
    run = Recorder()
    python = venv.create(tmp_path / "e", spec, method="pip", run=run)
    assert run.calls[0][0] == [sys.executable, "-m", "venv", "--system-site-packages", str(tmp_path / "e")]
    assert run.calls[1][0][:4] == [str(python), "-m", "pip", "install"]
    conf = (tmp_path / "e" / "pip.conf").read_text()
    assert "index-url = https://a/simple" in conf and "extra-index-url = https://b/simple" in conf


def test_uv_method_uses_uv_and_its_index_variables(tmp_path):
    spec = venv.VenvSpec(requirements=(SIX,), system_site_packages=False, index_urls=("https://a/simple",))
    run = Recorder()
    venv.create(tmp_path / "e", spec, method="uv", run=run)
    assert run.calls[0][0][:3] == ["uv", "venv", "--allow-existing"]
    assert "--system-site-packages" not in run.calls[0][0]
    assert run.calls[1][0][:3] == ["uv", "pip", "install"]
    assert run.calls[1][1]["UV_DEFAULT_INDEX"] == "https://a/simple"


def test_concurrent_tries_build_a_cached_env_once(tmp_path):
    spec = venv.VenvSpec(requirements=(SIX,))
    run = Recorder()
    pythons = []
    threads = [
        threading.Thread(target=lambda: pythons.append(venv.cached(tmp_path, spec, method="uv", run=run)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(pythons) == 4 and len(set(pythons)) == 1
    assert sum(1 for cmd, _ in run.calls if cmd[:2] == ["uv", "venv"]) == 1
    assert (tmp_path / f"venv-{spec.digest()}.lock").exists()


def test_a_half_built_cached_env_is_rebuilt(tmp_path):
    spec = venv.VenvSpec(requirements=(SIX,))
    (tmp_path / f"venv-{spec.digest()}" / "bin").mkdir(parents=True)  # no completion marker
    run = Recorder()
    venv.cached(tmp_path, spec, method="uv", run=run)
    assert len(run.calls) == 2


def test_the_install_method_option_defaults_to_auto():
    from brisa.config import load_settings

    assert load_settings({"HOME": "/nonexistent"}).standard.venv_install_method == "auto"
    chosen = load_settings({"HOME": "/nonexistent", "AIRFLOW__STANDARD__VENV_INSTALL_METHOD": "pip"})
    assert chosen.standard.venv_install_method == "pip"


SITE_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonVirtualenvOperator


def inside(logical_date, params, ti=None):
    from airflow.utils.trigger_rule import TriggerRule

    return f"year={logical_date.year} colour={params['colour']} rule={TriggerRule.ALL_DONE} ti={ti}"


with DAG("site", schedule=None, start_date=datetime(2024, 1, 1), params={"colour": "teal"}):
    PythonVirtualenvOperator(task_id="inside", python_callable=inside, venv_cache_path="site")
"""


def test_with_system_site_packages_dates_params_and_airflow_imports_reach_the_function(env):
    # Airflow 2.10: system_site_packages=True passes the pendulum and Airflow context keys
    # (not `ti`, never serialisable); `import airflow` works where Brisa is visible.
    write_dag(env, "site", SITE_DAG)
    code, out = dags_test(env, "site")
    assert code == 0, out[-3000:]
    assert "Returned value was: year=2024 colour=teal rule=all_done ti=None" in out


def test_index_urls_from_connection_ids_follow_index_urls_with_their_login():
    # Airflow 3's standard provider: PackageIndexHook(conn_id).get_connection_url().
    from brisa.runtime import use_runtime
    from brisa.sdk.dag import DAG
    from brisa.sdk.operators.python_virtualenv import PythonVirtualenvOperator

    from .fakes import MemoryRuntime

    def function():
        return 1

    runtime = MemoryRuntime()
    runtime.connections["private"] = {"conn_type": "package_index", "host": "https://pkgs.example/simple"}
    runtime.connections["private"] |= {"login": "me", "password": "p@ss"}
    with DAG("d", schedule=None):
        op = PythonVirtualenvOperator(
            task_id="t",
            python_callable=function,
            index_urls="https://pypi.org/simple",
            index_urls_from_connection_ids="private",
        )
    with use_runtime(runtime):
        spec = op.venv_spec()
    assert spec.index_urls == ("https://pypi.org/simple", "https://me:p%40ss@pkgs.example/simple")
    assert "p@ss" in runtime.masked


TIMEOUT_DAG = """
from datetime import datetime, timedelta
from airflow.operators.python import ExternalPythonOperator
from airflow import DAG


def sleeper(pid_file):
    import os
    import time

    with open(pid_file, "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(600)


with DAG("timeout", schedule=None, start_date=datetime(2024, 1, 1)):
    ExternalPythonOperator(task_id="sleeps", python={python!r}, python_callable=sleeper,
                           op_args=[{pid_file!r}], execution_timeout=timedelta(seconds=5))
"""


def test_execution_timeout_ends_the_subprocess(env, bare_python, tmp_path):
    pid_file = tmp_path / "pid"
    write_dag(env, "timeout", TIMEOUT_DAG.format(python=bare_python, pid_file=str(pid_file)))
    code, out = dags_test(env, "timeout", timeout=120)
    assert code != 0 and "sleeps: failed" in out and "execution_timeout of 5s exceeded" in out
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_a_virtualenv_built_by_brisa_in_a_virtualenv_sees_brisas_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "brisa-env"))
    spec = venv.VenvSpec(requirements=())
    venv.create(tmp_path / "e", spec, method="uv", run=Recorder())
    pth = tmp_path / "e" / "lib" / f"python{venv.host_version()}" / "site-packages" / "_brisa_host.pth"
    import sysconfig

    assert sysconfig.get_paths()["purelib"] in pth.read_text().splitlines()
    hidden = venv.VenvSpec(requirements=(), system_site_packages=False)
    venv.create(tmp_path / "f", hidden, method="uv", run=Recorder())
    assert not list((tmp_path / "f").rglob("_brisa_host.pth"))


AIRFLOW_1_10_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.python_operator import PythonVirtualenvOperator


def keys(**kwargs):
    return ",".join(sorted(kwargs))


dag = DAG("venv110", schedule_interval=None, start_date=datetime(2024, 1, 1))
PythonVirtualenvOperator(task_id="keys", python_callable=keys, python_version=3, provide_context=True,
                         system_site_packages=False, dag=dag)
"""


def test_a_1_10_file_with_provide_context_gets_only_the_plain_context_keys(env):
    # Airflow 1.10: provide_context=True and a numeric python_version are accepted; without
    # Airflow or pendulum in the environment only the string keys are passed.
    write_dag(env, "venv110", AIRFLOW_1_10_DAG)
    code, out = dags_test(env, "venv110")
    assert code == 0, out[-3000:]
    returned = next(line for line in out.splitlines() if "Returned value was:" in line)
    keys = returned.split("Returned value was: ")[1].split(",")
    assert {"ds", "run_id", "ts", "prev_ds", "templates_dict"} <= set(keys)
    assert not {"dag", "task", "ti", "logical_date", "execution_date", "macros"} & set(keys)


def test_python_version_and_pip_options_reach_the_tools(tmp_path, monkeypatch):
    spec = venv.VenvSpec(requirements=(SIX,), python_version="3.99", pip_install_options=("--no-deps",))
    run = Recorder()
    python = venv.create(tmp_path / "e", spec, method="uv", run=run)
    assert run.calls[0][0][4:6] == ["--python", "3.99"]  # uv finds (or fetches) it
    assert run.calls[1][0] == [
        "uv",
        "pip",
        "install",
        "--python",
        str(python),
        "--no-deps",
        "-r",
        str(tmp_path / "e" / "requirements.txt"),
    ]
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AirflowException, match=r"python3\.99 is not on PATH"):
        venv.create(tmp_path / "f", spec, method="pip", run=Recorder())


PIP_DAG = """
from datetime import datetime
from airflow.decorators import task
from airflow import DAG

with DAG("pip_method", schedule=None, start_date=datetime(2024, 1, 1)):
    @task.virtualenv(requirements=["six==1.16.0"], system_site_packages=False)
    def made_by_pip():
        import sys

        import six

        return f"six={six.__version__} venv={sys.prefix != sys.base_prefix}"

    made_by_pip()
"""


def test_the_pip_install_method_builds_with_venv_and_pip(env):
    # [standard] venv_install_method = pip: python -m venv and the environment's pip.
    write_dag(env, "pip_method", PIP_DAG)
    code, out = dags_test({**env, "AIRFLOW__STANDARD__VENV_INSTALL_METHOD": "pip"}, "pip_method")
    assert code == 0, out[-3000:]
    assert f"Executing cmd: {sys.executable} -m venv" in out and "-m pip install -r" in out
    assert "uv venv" not in out
    assert "Returned value was: six=1.16.0 venv=True" in out
