from __future__ import annotations

import os
import sys
import textwrap

import pytest

from brisa import errors
from brisa.compat.finder import AirflowShimFinder
from brisa.loader import load_dag_object, merge_results, module_name_for, parse_file, parse_folder
from brisa.serialized import SerializedDag
from tests.seed import BENCH_DAGS, SEED_TUTORIAL

SEED = str(SEED_TUTORIAL)
BENCH = str(BENCH_DAGS)
HERE = os.path.dirname(os.path.abspath(__file__))
SEED_PATH = (
    SEED if os.path.exists(SEED) else os.path.join(HERE, "..", "..", "brisa", "example_dags", "tutorial.py")
)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_seed_tutorial_loads_as_generation_two():
    result = parse_file(SEED_PATH)
    assert result.errors == []
    [dag] = result.dags
    assert dag.dag_id == "tutorial" and dag.generation == "2"
    assert "airflow.operators.bash_operator" in dag.generation_reason
    assert set(dag.tasks) == {"print_date", "sleep", "templated"}
    assert dag.tasks["print_date"].downstream == ("sleep", "templated")
    assert dag.tasks["sleep"].upstream == ("print_date",) and dag.tasks["templated"].upstream == (
        "print_date",
    )
    assert dag.tasks["print_date"].retries == 1 and dag.tasks["sleep"].retries == 3
    assert all(t.retry_delay == 300.0 for t in dag.tasks.values())
    assert all(t.owner == "airflow" and t.email == ("airflow@example.com",) for t in dag.tasks.values())
    assert not dag.tasks["sleep"].email_on_failure and not dag.tasks["sleep"].depends_on_past
    assert dag.timetable == {"type": "DeltaDataIntervalTimetable", "delta": 86400.0}
    assert dag.start_date.isoformat() == "2015-06-01T00:00:00+00:00"
    assert dag.catchup is None
    assert dag.tasks["templated"].extra["bash_command"].strip().startswith("{% for i in range(5) %}")
    assert dag.tasks["print_date"].priority == 3


def test_bench_dags_load_as_generation_three():
    result = parse_folder(BENCH, parse=parse_file)
    assert result.errors == []
    by_id = {d.dag_id: d for d in result.dags}
    assert by_id["bench_chain"].generation == by_id["bench_wide"].generation == "3"
    assert len(by_id["bench_chain"].tasks) == 20 and len(by_id["bench_wide"].tasks) == 100
    assert by_id["bench_chain"].tasks["t0"].downstream == ("t1",)
    assert by_id["bench_wide"].max_active_tasks == 64 and by_id["bench_wide"].catchup is False


def test_unassigned_dags_from_with_blocks_and_dag_calls_are_collected(tmp_path):
    path = write(
        tmp_path,
        "auto.py",
        """
        from datetime import datetime
        from airflow import DAG
        from airflow.decorators import dag, task
        from airflow.operators.empty import EmptyOperator

        with DAG("in_with", start_date=datetime(2024, 1, 1), schedule=None):
            EmptyOperator(task_id="t")

        @dag(start_date=datetime(2024, 1, 1), schedule=None)
        def decorated():
            @task
            def hello():
                return 1
            hello()

        decorated()
        assigned = DAG("assigned", schedule=None, start_date=datetime(2024, 1, 1))

        def not_registered():
            return DAG("never_called", schedule=None)
        """,
    )
    result = parse_file(path)
    assert result.errors == []
    assert [d.dag_id for d in result.dags] == ["assigned", "in_with", "decorated"]
    assert all(d.relative_fileloc == "auto.py" and d.fileloc == path for d in result.dags)


def test_generation_default_and_override(tmp_path):
    path = write(
        tmp_path,
        "gen.py",
        """
        from airflow import DAG
        from airflow.decorators import task
        plain = DAG("plain", schedule=None)
        forced = DAG("forced", schedule=None, airflow_generation="2")
        """,
    )
    result = parse_file(path, generation_default="3")
    by_id = {d.dag_id: d for d in result.dags}
    assert by_id["plain"].generation == "3" and "configured default (3)" in by_id["plain"].generation_reason
    assert by_id["forced"].generation == "2"
    assert by_id["plain"].timetable["type"] == "NullTimetable"


def test_catchup_default_is_applied(tmp_path):
    path = write(tmp_path, "c.py", "from airflow import DAG\nd = DAG('c', schedule=None)\n")
    assert parse_file(path, catchup_default=True).dags[0].catchup is True
    assert parse_file(path).dags[0].catchup is None


BROKEN = {
    "syntax.py": ("from airflow import DAG\n\nx = (\n", 3, "SyntaxError"),
    "unsupported.py": (
        "from airflow import DAG\nfrom airflow.providers.amazon.aws.operators.s3 import S3Operator\n",
        2,
        "Brisa does not support airflow.providers.amazon",
    ),
    "unknown_name.py": (
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperatorr\n",
        2,
        "cannot import name 'BashOperatorr'",
    ),
    "toplevel.py": (
        "from airflow import DAG\n\n\nraise RuntimeError('boom at top')\n",
        4,
        "RuntimeError: boom at top",
    ),
    "exits.py": ("from airflow import DAG\nimport sys\nsys.exit(2)\n", 3, "SystemExit"),
    "duplicate.py": (
        "from datetime import datetime\nfrom airflow import DAG\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "with DAG('dup', schedule=None, start_date=datetime(2024, 1, 1)):\n"
        "    EmptyOperator(task_id='same')\n    EmptyOperator(task_id='same')\n",
        6,
        "Task id 'same' has already been added",
    ),
    "badcron.py": (
        "from airflow import DAG\n\nd = DAG('badcron', schedule='every tuesday')\n",
        3,
        "invalid schedule",
    ),
    "cycle.py": (
        "from datetime import datetime\nfrom airflow import DAG\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "with DAG('cyc', schedule=None, start_date=datetime(2024, 1, 1)) as dag:\n"
        "    a = EmptyOperator(task_id='a')\n    b = EmptyOperator(task_id='b')\n    a >> b >> a\n",
        4,
        "Cycle detected in DAG: cyc. Faulty tasks: a >> b >> a",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_kind_of_broken_file_is_an_import_error(tmp_path, name):
    source, lineno, message = BROKEN[name]
    path = write(tmp_path, name, source)
    result = parse_file(path)
    assert result.dags == []
    [error] = result.errors
    assert error.filename == path
    assert error.lineno == lineno
    assert message in error.message
    assert error.traceback


def test_broken_files_do_not_stop_the_others(tmp_path):
    for name, (source, _, _) in BROKEN.items():
        write(tmp_path, name, source)
    write(tmp_path, "good.py", "from airflow import DAG\ngood = DAG('good', schedule=None)\n")
    result = parse_folder(str(tmp_path), parse=parse_file)
    assert [d.dag_id for d in result.dags] == ["good"]
    assert sorted(os.path.basename(e.filename) for e in result.errors) == sorted(BROKEN)


def test_one_bad_dag_does_not_hide_the_files_other_dags(tmp_path):
    path = write(
        tmp_path,
        "mixed.py",
        """
        from airflow import DAG
        from airflow.models.param import Param
        ok = DAG("ok", schedule=None)
        bad = DAG("bad", schedule="@daily", params={"p": Param(type="integer")})
        """,
    )
    result = parse_file(path)
    assert [d.dag_id for d in result.dags] == ["ok"]
    [error] = result.errors
    assert error.lineno == 5 and "ParamValidationError" in error.message and "param p" in error.message


def test_dag_id_clash_across_files(tmp_path):
    write(tmp_path, "a.py", "from airflow import DAG\nd = DAG('same', schedule=None)\n")
    write(tmp_path, "b.py", "from airflow import DAG\nd = DAG('same', schedule=None)\n")
    result = parse_folder(str(tmp_path), parse=parse_file)
    assert [d.fileloc for d in result.dags] == [str(tmp_path / "a.py")]
    [error] = result.errors
    assert error.filename == str(tmp_path / "b.py")
    assert "Ignoring DAG same from" in error.message and "also found in" in error.message
    assert merge_results([]).dags == []


def test_same_id_twice_in_one_file_keeps_the_last(tmp_path):
    path = write(
        tmp_path,
        "twice.py",
        "from airflow import DAG\na = DAG('x', schedule=None, description='1')\n"
        "b = DAG('x', schedule=None, description='2')\n",
    )
    [dag] = parse_file(path).dags
    assert dag.description == "2"


def test_files_with_the_same_name_do_not_clash(tmp_path):
    one = write(
        tmp_path, "one/common.py", "from airflow import DAG\nVALUE = 1\nd = DAG('one', schedule=None)\n"
    )
    two = write(
        tmp_path, "two/common.py", "from airflow import DAG\nVALUE = 2\nd = DAG('two', schedule=None)\n"
    )
    assert module_name_for(one) != module_name_for(two)
    assert [d.dag_id for d in parse_file(one).dags] == ["one"]
    assert [d.dag_id for d in parse_file(two).dags] == ["two"]
    assert module_name_for(one) not in sys.modules


def test_dag_files_can_import_siblings(tmp_path):
    write(tmp_path, "helpers_mod.py", "TASK = 'from_helper'\n")
    path = write(
        tmp_path,
        "uses.py",
        "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
        "from helpers_mod import TASK\n"
        "with DAG('sib', schedule=None) as d:\n    EmptyOperator(task_id=TASK)\n",
    )
    assert list(parse_file(path, dags_folder=str(tmp_path)).dags[0].tasks) == ["from_helper"]
    assert str(tmp_path) not in sys.path


def test_in_process_timeout(tmp_path):
    path = write(tmp_path, "slow.py", "from airflow import DAG\nwhile True:\n    pass\n")
    [error] = parse_file(path, timeout=0.3).errors
    assert "timeout" in error.message and error.lineno in (2, 3)


def test_shim_is_not_left_installed_by_parse_file(tmp_path):
    parse_file(SEED_PATH)
    assert not any(isinstance(f, AirflowShimFinder) for f in sys.meta_path)
    assert "airflow" not in sys.modules


def test_load_dag_object(tmp_path):
    dag = load_dag_object(SEED_PATH, "tutorial")
    try:
        assert dag.generation == "2" and dag.get_task("sleep").retries == 3
        import airflow.models  # task code may import airflow at run time

        assert airflow.models.DAG is type(dag)
        with pytest.raises(errors.NotFoundError, match=r"'nope' not found .*tutorial"):
            load_dag_object(SEED_PATH, "nope")
        with pytest.raises(errors.NotFoundError, match="does not exist"):
            load_dag_object(str(tmp_path / "missing.py"), "x")
        broken = write(tmp_path, "broken.py", "from airflow import DAG\n\n1/0\n")
        with pytest.raises(errors.DagError, match=r"broken.py:3 failed to load: ZeroDivisionError"):
            load_dag_object(broken, "x")
    finally:
        from brisa.compat import uninstall_shim

        uninstall_shim()


def test_parse_result_json_round_trip():
    result = parse_file(SEED_PATH)
    from brisa.loader import ParseResult

    again = ParseResult.from_json(result.to_json())
    assert [d.hash for d in again.dags] == [d.hash for d in result.dags]
    assert isinstance(again.dags[0], SerializedDag)


# -- unknown operator arguments: Airflow 1.10 warned, Airflow 2 and 3 refuse ------------------------
UNKNOWN_ARGUMENT_DAG = """
from datetime import datetime
from airflow import DAG
from {module} import BashOperator

with DAG("legacy", start_date=datetime(2020, 1, 1), schedule_interval=None) as dag:
    BashOperator(task_id="hello", bash_command="echo hi", provide_context=True)
"""


def test_a_1_10_file_may_pass_unknown_operator_arguments_as_airflow_1_10_allowed(tmp_path):
    # Airflow 1.10.15's BaseOperator: unknown **kwargs -> PendingDeprecationWarning, dropped.
    path = write(tmp_path, "legacy.py", UNKNOWN_ARGUMENT_DAG.format(module="airflow.operators.bash_operator"))
    result = parse_file(path)
    assert result.errors == []
    assert result.dags[0].tasks["hello"].operator == "BashOperator"
    assert result.dags[0].generation == "2"


@pytest.mark.parametrize("module", ["airflow.operators.bash", "airflow.providers.standard.operators.bash"])
def test_2_x_and_3_x_files_still_refuse_unknown_operator_arguments(tmp_path, module):
    # Airflow 2.0+: AirflowException("Invalid arguments were passed to BashOperator ...").
    path = write(tmp_path, "strict.py", UNKNOWN_ARGUMENT_DAG.format(module=module))
    result = parse_file(path)
    assert result.dags == []
    assert "Invalid arguments were passed to BashOperator (task_id: hello)" in result.errors[0].message
    assert "provide_context" in result.errors[0].message


@pytest.mark.parametrize(
    ("imports", "airflow_1"),
    [
        ("from airflow.operators.bash_operator import BashOperator", True),  # a 1.10 path
        ("from airflow.operators.bash import BashOperator", False),
    ],
)
def test_the_dags_of_a_1_10_file_are_marked_for_its_template_keys(tmp_path, imports, airflow_1):

    path = tmp_path / "legacy.py"
    path.write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        f"{imports}\n"
        "with DAG('legacy', start_date=datetime(2024, 1, 1), schedule_interval=None) as dag:\n"
        "    BashOperator(task_id='t', bash_command='echo {{ latest_date }}')\n"
    )
    assert load_dag_object(str(path), "legacy").written_for_airflow_1 is airflow_1
